/**
 * Importance weights in log space: ln-mean-exp (free energies from
 * importance sampling, ln Z = ln ⟨e^{−βE − ln q}⟩_q), Kish's effective sample
 * size, normalised weights and self-normalised weighted means with errors.
 * Everything is shifted by the largest log weight before exponentiating.
 */
import { checkInteger, checkKeys, checkOneOf } from "../core/validate";
import { jackknife, type ResamplingStats } from "./resampling";
import type { Stats } from "./types";
import { checkSeries } from "./util";

function maxOf(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let k = 0; k < x.length; k++) if (x[k] > m) m = x[k];
  return m;
}

/** Validate log weights: finite or −∞ (zero weight), at least one finite. */
function checkLogWeights(logw: ArrayLike<number>, where: string): number {
  if (logw === null || logw === undefined || typeof logw.length !== "number") throw new Error(`${where}: logWeights must be an array of numbers`);
  if (logw.length === 0) throw new Error(`${where}: logWeights must not be empty`);
  for (let k = 0; k < logw.length; k++) {
    const v = logw[k];
    if (Number.isNaN(v) || v === Infinity) throw new Error(`${where}: logWeights[${k}] is ${v}`);
  }
  const m = maxOf(logw);
  if (m === -Infinity) throw new Error(`${where}: all logWeights are −∞`);
  return m;
}

/** ln Σ exp(x) in float64. */
export function logSumExp(x: ArrayLike<number>): number {
  const m = checkLogWeights(x, "logSumExp");
  let s = 0;
  for (let k = 0; k < x.length; k++) s += Math.exp(x[k] - m);
  return m + Math.log(s);
}

/** Normalised weights w_k / Σ w from log weights (float64). */
export function normalizedWeights(logWeights: ArrayLike<number>): Float64Array {
  const lse = logSumExp(logWeights);
  const out = new Float64Array(logWeights.length);
  for (let k = 0; k < out.length; k++) out[k] = Math.exp(logWeights[k] - lse);
  return out;
}

/**
 * Kish effective sample size (Σw)²/Σw² from log weights: n for equal
 * weights, 1 when one weight dominates. Divide by n for the efficiency.
 */
export function kishEss(logWeights: ArrayLike<number>): number {
  const m = checkLogWeights(logWeights, "kishEss");
  let s1 = 0;
  let s2 = 0;
  for (let k = 0; k < logWeights.length; k++) {
    const w = Math.exp(logWeights[k] - m);
    s1 += w;
    s2 += w * w;
  }
  return (s1 * s1) / s2;
}

export interface LogMeanExpOptions {
  /** "delta" (default): error sqrt(Var(w)/n)/w̄ from the delta method; "jackknife": blocked jackknife error and bias. */
  method?: "delta" | "jackknife";
  /** Jackknife blocks (default min(n, 100)). */
  blocks?: number;
}

export interface LogMeanExpStats extends Stats {
  /** Kish effective sample size of the weights. */
  ess: number;
  /** Estimated bias of `mean` as an estimate of ln E[w] (≈ −Var(w)/(2 n w̄²); jackknife-estimated with method "jackknife"). */
  bias: number;
}

/**
 * ln ⟨e^{x}⟩ over the samples, e.g. ln Z from log importance weights
 * −βE(x) − ln q(x) with x ~ q. The mean of the weights is an unbiased
 * estimate of Z; its logarithm carries a bias of order 1/n, reported in `bias`
 * (subtract it for a bias-corrected ln Z). `variance` is n·error².
 */
export function logMeanExp(logWeights: ArrayLike<number>, options: LogMeanExpOptions = {}): LogMeanExpStats {
  const where = "logMeanExp";
  checkKeys(options, ["method", "blocks"], where);
  const method = options.method === undefined ? "delta" : checkOneOf(options.method, ["delta", "jackknife"] as const, "method", where);
  const m = checkLogWeights(logWeights, where);
  const n = logWeights.length;
  const w = new Float64Array(n);
  let s1 = 0;
  let s2 = 0;
  for (let k = 0; k < n; k++) {
    w[k] = Math.exp(logWeights[k] - m);
    s1 += w[k];
    s2 += w[k] * w[k];
  }
  const wbar = s1 / n;
  const ess = (s1 * s1) / s2;
  const varW = n > 1 ? Math.max(0, (s2 - n * wbar * wbar) / (n - 1)) : NaN;
  const mean = m + Math.log(wbar);
  if (method === "jackknife") {
    if (n < 2) throw new Error(`${where}: the jackknife needs at least 2 samples`);
    const blocks = options.blocks === undefined ? Math.min(n, 100) : checkInteger(options.blocks, "blocks", where, { min: 2, max: n });
    const j: ResamplingStats = jackknife({ series: w, estimator: (mu) => m + Math.log(mu[0]), blocks });
    return { mean, error: j.error, variance: j.error * j.error * n, n, ess, bias: j.bias };
  }
  const rel = Math.sqrt(varW / n) / wbar;
  return { mean, error: rel, variance: rel * rel * n, n, ess, bias: -0.5 * rel * rel };
}

export interface WeightedMeanOptions {
  /** Observable values O(x_k). */
  values: ArrayLike<number>;
  /** Log importance weights ln w_k (unnormalised). */
  logWeights: ArrayLike<number>;
}

/**
 * Self-normalised importance-sampling estimate Σ w O / Σ w with its
 * delta-method error sqrt(Σ w² (O − Ô)²) / Σ w. `n` is the number of samples,
 * `variance` n·error² (compare with Var(O) to see the cost of the weights).
 */
export function weightedMean(options: WeightedMeanOptions): Stats & { ess: number } {
  const where = "weightedMean";
  checkKeys(options, ["values", "logWeights"], where);
  const n = checkSeries(options.values, "values", where, 1, 1);
  const logw = options.logWeights;
  const m = checkLogWeights(logw, where);
  if (logw.length !== n) throw new Error(`${where}: logWeights has length ${logw.length}, values has ${n}`);
  const w = new Float64Array(n);
  let sw = 0;
  let sw2 = 0;
  let swo = 0;
  for (let k = 0; k < n; k++) {
    w[k] = Math.exp(logw[k] - m);
    sw += w[k];
    sw2 += w[k] * w[k];
    swo += w[k] * options.values[k];
  }
  const est = swo / sw;
  let acc = 0;
  for (let k = 0; k < n; k++) acc += w[k] * w[k] * (options.values[k] - est) ** 2;
  const error = Math.sqrt(acc) / sw;
  return { mean: est, error, variance: error * error * n, n, ess: (sw * sw) / sw2 };
}
