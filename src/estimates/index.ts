/** Estimates from trained generative models: variational and importance-sampled free energies, ESS, observables, P(q). */
export {
  estimateVan,
  overlapDistribution,
  drawWithEnergies,
  type EstimateVanOptions,
  type VanEstimates,
  type OverlapOptions,
  type OverlapDistribution,
} from "./van";
