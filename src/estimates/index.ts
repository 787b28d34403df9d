/**
 * Estimates from generative models, with one importance-sampling convention
 * (./importance.ts): variational and importance-sampled free energies, ESS,
 * Pareto k̂ and warnings, reweighted and model observables, P(q).
 */
export {
  importanceEstimates,
  type ImportanceOptions,
  type ImportanceEstimates,
  type ErrorMethod,
} from "./importance";
export {
  importanceSampling,
  SPIN_ESTIMATE_OBSERVABLES,
  type ImportanceSamplingOptions,
  type ImportanceSamplingResult,
} from "./spins";
export {
  estimateVan,
  overlapDistribution,
  drawWithEnergies,
  type EstimateVanOptions,
  type VanEstimates,
  type OverlapOptions,
  type OverlapDistribution,
} from "./van";
