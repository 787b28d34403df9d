/** Boltzmann generators: prior + flow, losses by energy and by example, training, reweighting. */
export { BoltzmannGenerator, boltzmannGenerator, gaussianLogDensity, type BoltzmannGeneratorOptions, type SampleOptions, type LatentSample } from "./generator";
export {
  lossByEnergy, lossByExample, lossCombined, logLinearCut,
  type EnergyCut, type EnergyLossOptions, type EnergyLossResult, type ExampleLossOptions, type ExampleLossResult,
  type LossWeights, type CombinedLossOptions, type CombinedLossResult,
} from "./losses";
export {
  trainBoltzmannGenerator, combinedSchedule, TrainingError, byEnergyObjective, byExampleObjective,
  type ByEnergyObjectiveOptions, type ByExampleObjectiveOptions, type TrainOptions, type TrainResult, type StepRecord, type Schedule, type LossKind, type CombinedScheduleOptions,
} from "./train";
export {
  reweight, reweightedMean, wellFreeEnergy, freeEnergyProfile,
  type ReweightOptions, type ReweightResult, type ReweightedMeanOptions, type WellOptions, type WellResult,
  type ProfileOptions, type ProfileResult,
} from "./reweight";
export { logWeightsOf, wellFreeEnergyBar, type LogWeightsOptions, type WellBarOptions, type WellBarResult, type WellBarState } from "./bar";
