/**
 * Samplers: classical spin Monte Carlo (Metropolis, heat bath, Wolff,
 * parallel tempering), neural MCMC and importance sampling with any
 * GenerativeModel, and latent-space MC for flows. One call shape
 * (`SamplerOptions` → `SamplerResult`) throughout.
 */
export type { SamplerOptions, SamplerResult } from "./types";
export { resolveSamplerOptions, type ResolvedSamplerOptions } from "./common";
export { metropolis, heatBath, wolff, parallelTempering, SPIN_OBSERVABLES, type ParallelTemperingOptions } from "./spin";
export {
  neuralMcmc,
  importanceSampling,
  type NeuralMcmcOptions,
  type ImportanceSamplingOptions,
  type ImportanceSamplingResult,
} from "./neural";
export { summarize, type SummaryOptions, type SamplerSummary } from "./summary";
export { latentMc, type LatentMcOptions, type LatentFlow } from "./latent";
export { continuousMetropolis, mala, type ContinuousSamplerOptions } from "./continuous";
export { populationAnnealing, type PopulationAnnealingOptions, type PopulationAnnealingResult, type PaCurvePoint, type PaEstimate, type PaRun } from "./populationAnnealing";
