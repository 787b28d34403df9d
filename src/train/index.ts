/** VAN training: REINFORCE with a baseline, Adam, schedules, β-annealing, sweeps, checkpoints. */
export {
  trainVan,
  reinforceLoss,
  energiesOf,
  saveHistory,
  VanDivergenceError,
  type TrainVanOptions,
  type TrainVanResult,
  type VanHistoryRow,
} from "./van";
export { sweepVan, type SweepVanOptions, type SweepVanResult } from "./sweep";
export { Adam, clipByGlobalNorm, type AdamOptions, type AdamState } from "./adam";
export { learningRate, annealedBeta, type LrSchedule, type LrScheduleOptions } from "./schedule";
export { saveCheckpoint, loadCheckpoint, loadModel, verifyCheckpoint, type VerifiedCheckpoint, type LoadModelOptions, type SaveCheckpointOptions, type LoadCheckpointOptions, type CheckpointInfo } from "./checkpoint";
