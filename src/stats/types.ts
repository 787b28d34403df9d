/** The result shape of every estimator in `stats`: a value with its error bar. */

/**
 * A Monte Carlo estimate. `mean` is the estimate, `error` its standard error
 * (one standard deviation of the estimate), `variance` the per-sample variance
 * of the underlying series (for nonlinear estimators: n·error², the variance a
 * single sample would carry), `tauInt` the integrated autocorrelation time in
 * units of the series' steps (Sokal convention: 1/2 for uncorrelated data) when
 * it was estimated, `n` the number of samples used, and `rHat` the split-R̂
 * across chains (Gelman–Rubin as netket reports it: ≈ 1 when the chains agree)
 * when there were at least two chains. Build derived values with
 * `scaleStats`/`shiftStats` and print them with `formatStats` (./value.ts).
 */
export interface Stats {
  mean: number;
  error: number;
  variance: number;
  tauInt?: number;
  n: number;
  /** Split-R̂ across chains (only from multi-chain Monte Carlo). */
  rHat?: number;
}

/** Options shared by estimators that read a multi-chain series. */
export interface SeriesOptions {
  /**
   * Number of chains interleaved in the series, step-major: x[t·chains + c]
   * (the layout of `SamplerResult.observables`). Default 1.
   */
  chains?: number;
}
