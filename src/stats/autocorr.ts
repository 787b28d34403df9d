/**
 * Autocorrelation analysis of Markov-chain series: the normalised
 * autocorrelation function, the integrated autocorrelation time with Sokal's
 * automatic window, the effective number of samples, and the mean with an
 * error bar that accounts for the correlations.
 *
 * Convention (Sokal 1997, Janke 2002): τ_int = 1/2 + Σ_{t≥1} ρ(t), so that
 * Var(x̄) ≈ 2 τ_int σ²/n and N_eff = n / (2 τ_int); uncorrelated data have
 * τ_int = 1/2. For an AR(1) series x_t = φ x_{t−1} + ε_t, ρ(t) = φ^t and
 * τ_int = (1 + φ) / (2 (1 − φ)).
 */
import { checkKeys, checkNumber, checkInteger } from "../core/validate";
import { fft, nextPow2 } from "./fft";
import type { SeriesOptions, Stats } from "./types";
import { chainOf, checkSeries, meanVar } from "./util";

export interface AutocorrelationOptions extends SeriesOptions {
  /** Largest lag returned (default: steps − 1). */
  maxLag?: number;
}

/**
 * Autocovariance C(t) = ⟨(x_s − x̄)(x_{s+t} − x̄)⟩ averaged over chains (each
 * chain centred on its own mean), lags 0..steps−1, via FFT.
 */
function autocovariance(x: ArrayLike<number>, chains: number): Float64Array {
  const steps = x.length / chains;
  const m = nextPow2(2 * steps);
  const acc = new Float64Array(steps);
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  for (let c = 0; c < chains; c++) {
    const y = chainOf(x, chains, c);
    const mu = meanVar(y).mean;
    re.fill(0);
    im.fill(0);
    for (let t = 0; t < steps; t++) re[t] = y[t] - mu;
    fft(re, im, -1);
    for (let k = 0; k < m; k++) {
      re[k] = re[k] * re[k] + im[k] * im[k];
      im[k] = 0;
    }
    fft(re, im, 1);
    // biased estimator (divide by steps, not steps − t): positive definite and standard for τ_int
    for (let t = 0; t < steps; t++) acc[t] += re[t] / m / steps / chains;
  }
  return acc;
}

/** Normalised autocorrelation function ρ(t) = C(t)/C(0), t = 0..maxLag (averaged over chains). */
export function autocorrelation(x: ArrayLike<number>, options: AutocorrelationOptions = {}): Float64Array {
  const where = "autocorrelation";
  checkKeys(options, ["chains", "maxLag"], where);
  const chains = options.chains ?? 1;
  const steps = checkSeries(x, "x", where, chains, 2);
  const maxLag = options.maxLag === undefined ? steps - 1 : checkInteger(options.maxLag, "maxLag", where, { min: 0 });
  const c = autocovariance(x, chains);
  const out = new Float64Array(Math.min(maxLag, steps - 1) + 1);
  if (c[0] <= 0) {
    out[0] = 1;
    return out;
  }
  for (let t = 0; t < out.length; t++) out[t] = c[t] / c[0];
  return out;
}

export interface TauOptions extends SeriesOptions {
  /** Sokal's window constant c: the window M is the smallest with M ≥ c·τ_int(M) (default 5). */
  c?: number;
}

export interface TauResult {
  /** Integrated autocorrelation time in steps of the series (1/2 for uncorrelated data). */
  tauInt: number;
  /** Its statistical error (Madras–Sokal: τ·sqrt(2(2M+1)/n)). */
  error: number;
  /** The window M chosen. */
  window: number;
  /** Effective number of independent samples over all chains, n_total / (2 τ_int). */
  effectiveSamples: number;
  /** False when no window satisfied M ≥ c·τ within the series (too short: τ is then a lower bound). */
  converged: boolean;
}

/**
 * Integrated autocorrelation time with Sokal's automatic windowing. A constant
 * series gets τ_int = 1/2 (nothing to correlate) and effectiveSamples = n.
 */
export function integratedAutocorrelationTime(x: ArrayLike<number>, options: TauOptions = {}): TauResult {
  const where = "integratedAutocorrelationTime";
  checkKeys(options, ["chains", "c"], where);
  const chains = options.chains ?? 1;
  const cw = options.c === undefined ? 5 : checkNumber(options.c, "c", where, { above: 0 });
  const steps = checkSeries(x, "x", where, chains, 2);
  const cov = autocovariance(x, chains);
  const n = x.length;
  if (!(cov[0] > 0)) return { tauInt: 0.5, error: 0, window: 0, effectiveSamples: n, converged: true };
  let tau = 0.5;
  let window = steps - 1;
  let converged = false;
  for (let m = 1; m < steps; m++) {
    tau += cov[m] / cov[0];
    if (m >= cw * tau) {
      window = m;
      converged = true;
      break;
    }
  }
  // anticorrelated series legitimately give τ < 1/2; only keep it positive (N_eff ≤ n·steps)
  const tauInt = Math.max(tau, 0.5 / Math.max(1, steps));
  const error = tauInt * Math.sqrt((2 * (2 * window + 1)) / steps) / Math.sqrt(chains);
  return { tauInt, error, window, effectiveSamples: n / (2 * tauInt), converged };
}

/** Mean with the naive (independent samples) standard error sqrt(s²/n). */
export function mean(x: ArrayLike<number>): Stats {
  const where = "mean";
  const n = checkSeries(x, "x", where, 1, 1);
  const { mean: m, variance } = meanVar(x);
  return { mean: m, error: n > 1 ? Math.sqrt(variance / n) : NaN, variance, n };
}

export interface McmcMeanOptions extends TauOptions {}

/**
 * Mean of a (multi-chain) Markov-chain series with the error corrected for
 * autocorrelation: error = sqrt(2 τ_int s² / n), τ_int from Sokal's window.
 */
export function mcmcMean(x: ArrayLike<number>, options: McmcMeanOptions = {}): Stats {
  const where = "mcmcMean";
  checkKeys(options, ["chains", "c"], where);
  const chains = options.chains ?? 1;
  checkSeries(x, "x", where, chains, 2);
  const { mean: m, variance } = meanVar(x);
  const tau = integratedAutocorrelationTime(x, options);
  const n = x.length;
  return { mean: m, error: Math.sqrt((2 * tau.tauInt * variance) / n), variance, tauInt: tau.tauInt, n };
}
