/**
 * Training: one driver (loop, schedules, divergence guard, checkpoints, exact
 * resume) running objectives (REINFORCE for VANs; the flow objectives are in
 * bg), VAN training and sweeps on top of it, Adam, schedules, checkpoints.
 */
export {
  runTraining, DivergenceError, checkWritableFile, runDifferences, describeModel, systemFingerprint,
  type DriverOptions, type DriverResult, type DriverRow, type RunState,
} from "./driver";
export {
  reinforceObjective, weightedObjective,
  type Objective, type ObjectiveContext, type ObjectiveStep, type ReinforceObjectiveOptions, type WeightedTerm, type WeightSchedule,
} from "./objectives";
export { betaSchedule, lrSchedule, type BetaSchedule, type BetaScheduleOptions, type LrScheduleObject, type LrScheduleObjectOptions } from "./schedule";
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
export { inverseIsingVan, type InverseIsingVanOptions, type InverseIsingVanResult, type InverseIsingVanStep } from "./inverseIsing";
export { Adam, clipByGlobalNorm, type AdamOptions, type AdamState } from "./adam";
export { chain, clipGlobalNorm, type Optimizer, type GradientTransform } from "./optimizer";
export { learningRate, annealedBeta, type LrSchedule, type LrScheduleOptions } from "./schedule";
export { saveCheckpoint, loadCheckpoint, loadModel, verifyCheckpoint, type VerifiedCheckpoint, type LoadModelOptions, type SaveCheckpointOptions, type LoadCheckpointOptions, type CheckpointInfo } from "./checkpoint";
