/**
 * Statistics for Monte Carlo estimates, float64 throughout: means with error
 * bars, autocorrelation times (Sokal windowing), effective sample sizes,
 * jackknife/bootstrap errors of nonlinear estimators, importance-weight
 * estimators (ln-mean-exp, Kish ESS, weighted means, the Pareto-k̂ tail
 * diagnostic), Bennett's acceptance ratio (BAR), binning analysis, a chi-square goodness-of-fit test, and
 * `Stats` as a value (scale, shift, format).
 */
export type { Stats, SeriesOptions } from "./types";
export { bar, type BarOptions, type BarResult } from "./bar";
export { scaleStats, shiftStats, formatStats, type FormatStatsOptions } from "./value";
export { gpdFit, paretoK, paretoTailLength, type GpdFit, type GpdFitOptions, type ParetoKResult } from "./pareto";
export {
  autocorrelation,
  integratedAutocorrelationTime,
  mean,
  mcmcMean,
  type AutocorrelationOptions,
  type TauOptions,
  type TauResult,
  type McmcMeanOptions,
} from "./autocorr";
export {
  jackknife,
  bootstrap,
  binning,
  type MeansEstimator,
  type JackknifeOptions,
  type BootstrapOptions,
  type ResamplingStats,
  type BinningOptions,
  type BinningLevel,
  type BinningResult,
} from "./resampling";
export {
  logSumExp,
  logMeanExp,
  normalizedWeights,
  kishEss,
  weightedMean,
  type LogMeanExpOptions,
  type LogMeanExpStats,
  type WeightedMeanOptions,
} from "./weights";
export { chiSquare, gammaQ, type ChiSquareOptions, type ChiSquareResult } from "./chisquare";
export { splitRHat, type SplitRHatOptions } from "./rhat";
export { wham, type WhamOptions, type WhamResult } from "./wham";
