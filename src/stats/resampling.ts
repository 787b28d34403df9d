/**
 * Errors of nonlinear estimators f(⟨a⟩, ⟨b⟩, ...) of sample means — ratios,
 * ln-mean-exp, specific heats, Binder cumulants — by the (blocked) jackknife
 * and the (blocked, seeded) bootstrap, and binning analysis of correlated
 * series. Blocks of consecutive samples keep the errors honest for Markov
 * chains when the block length exceeds the autocorrelation time.
 */
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys } from "../core/validate";
import type { Stats } from "./types";
import { checkSeries, meanVar } from "./util";

/** An estimator as a function of the sample means of the input series (one mean per series, in order). */
export type MeansEstimator = (means: Float64Array) => number;

function toSeriesList(series: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>, where: string): ArrayLike<number>[] {
  if (series === null || series === undefined) throw new Error(`${where}: series is required`);
  const list: ArrayLike<number>[] =
    Array.isArray(series) && series.length > 0 && typeof series[0] === "object" ? (series as ArrayLike<number>[]) : [series as ArrayLike<number>];
  if (list.length === 0) throw new Error(`${where}: series must not be empty`);
  const n = list[0].length;
  list.forEach((s, k) => {
    checkSeries(s, `series[${k}]`, where, 1, 2);
    if (s.length !== n) throw new Error(`${where}: series[${k}] has length ${s.length}, series[0] has ${n}`);
  });
  return list;
}

/** Block sums [k·blocks + b]: sum of series k over block b (last partial block dropped). */
function blockSums(list: ArrayLike<number>[], blocks: number): { sums: Float64Array; used: number; blockLen: number } {
  const n = list[0].length;
  const blockLen = Math.floor(n / blocks);
  const used = blockLen * blocks;
  const sums = new Float64Array(list.length * blocks);
  for (let k = 0; k < list.length; k++) {
    const s = list[k];
    for (let b = 0; b < blocks; b++) {
      let acc = 0;
      const off = b * blockLen;
      for (let t = 0; t < blockLen; t++) acc += s[off + t];
      sums[k * blocks + b] = acc;
    }
  }
  return { sums, used, blockLen };
}

export interface JackknifeOptions {
  /** One series, or several of equal length whose means feed the estimator. */
  series: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;
  /** f(means) → the quantity of interest. */
  estimator: MeansEstimator;
  /** Number of jackknife blocks (default min(n, 100)); use blocks longer than τ_int for Markov chains. */
  blocks?: number;
}

export interface ResamplingStats extends Stats {
  /** The plain estimate f(x̄) on all samples (equal to `mean` for the bootstrap). */
  estimate: number;
  /** Estimated bias of the plain estimate (jackknife: (B−1)(f̄_(·) − f)); `mean` = estimate − bias. */
  bias: number;
}

/**
 * Blocked jackknife: `mean` is the bias-corrected estimate B·f − (B−1)·f̄_(·),
 * `estimate` the plain f(x̄), `error` the jackknife standard error.
 */
export function jackknife(options: JackknifeOptions): ResamplingStats {
  const where = "jackknife";
  checkKeys(options, ["series", "estimator", "blocks"], where);
  if (typeof options.estimator !== "function") throw new Error(`${where}: estimator must be a function of the means`);
  const list = toSeriesList(options.series, where);
  const n = list[0].length;
  const blocks = options.blocks === undefined ? Math.min(n, 100) : checkInteger(options.blocks, "blocks", where, { min: 2, max: n });
  const { sums, used } = blockSums(list, blocks);
  const k = list.length;
  const total = new Float64Array(k);
  for (let j = 0; j < k; j++) for (let b = 0; b < blocks; b++) total[j] += sums[j * blocks + b];
  const means = new Float64Array(k);
  for (let j = 0; j < k; j++) means[j] = total[j] / used;
  const estimate = options.estimator(means);
  const leaveOut = new Float64Array(blocks);
  const m = used - used / blocks;
  for (let b = 0; b < blocks; b++) {
    for (let j = 0; j < k; j++) means[j] = (total[j] - sums[j * blocks + b]) / m;
    leaveOut[b] = options.estimator(means);
  }
  const { mean: lm } = meanVar(leaveOut);
  let ss = 0;
  for (let b = 0; b < blocks; b++) ss += (leaveOut[b] - lm) ** 2;
  const error = Math.sqrt(((blocks - 1) / blocks) * ss);
  const bias = (blocks - 1) * (lm - estimate);
  return { mean: estimate - bias, error, variance: error * error * used, n: used, estimate, bias };
}

export interface BootstrapOptions extends JackknifeOptions, RandomOptions {
  /** Number of bootstrap resamples (default 200). */
  resamples?: number;
}

/**
 * Blocked bootstrap (seeded): resample `blocks` blocks with replacement
 * `resamples` times; `error` is the standard deviation of f over resamples,
 * `mean` the plain estimate f(x̄), `bias` the mean of the resampled f minus f(x̄).
 */
export function bootstrap(options: BootstrapOptions): ResamplingStats {
  const where = "bootstrap";
  checkKeys(options, ["series", "estimator", "blocks", "resamples", "seed", "rng"], where);
  if (typeof options.estimator !== "function") throw new Error(`${where}: estimator must be a function of the means`);
  const rng = resolveRng(options, where);
  const list = toSeriesList(options.series, where);
  const n = list[0].length;
  const blocks = options.blocks === undefined ? Math.min(n, 100) : checkInteger(options.blocks, "blocks", where, { min: 2, max: n });
  const resamples = options.resamples === undefined ? 200 : checkInteger(options.resamples, "resamples", where, { min: 2 });
  const { sums, used } = blockSums(list, blocks);
  const k = list.length;
  const means = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let t = 0;
    for (let b = 0; b < blocks; b++) t += sums[j * blocks + b];
    means[j] = t / used;
  }
  const estimate = options.estimator(means);
  const values = new Float64Array(resamples);
  const pick = new Int32Array(blocks);
  for (let r = 0; r < resamples; r++) {
    for (let b = 0; b < blocks; b++) pick[b] = rng.int(blocks);
    for (let j = 0; j < k; j++) {
      let t = 0;
      for (let b = 0; b < blocks; b++) t += sums[j * blocks + pick[b]];
      means[j] = t / used;
    }
    values[r] = options.estimator(means);
  }
  const { mean: bm, variance } = meanVar(values);
  const error = Math.sqrt(variance);
  return { mean: estimate, error, variance: error * error * used, n: used, estimate, bias: bm - estimate };
}

export interface BinningOptions {
  /** Stop when fewer than this many bins remain (default 32). */
  minBins?: number;
}

export interface BinningLevel {
  /** Samples per bin (1, 2, 4, ...). */
  binSize: number;
  bins: number;
  /** Naive standard error of the mean of the bin averages. */
  error: number;
  /** τ_int estimate at this level: (error / error_level0)² / 2. */
  tauInt: number;
}

export interface BinningResult {
  mean: number;
  levels: BinningLevel[];
  /** Error at the largest bin size with at least `minBins` bins (the plateau estimate when converged). */
  error: number;
  tauInt: number;
}

/**
 * Binning (blocking) analysis of one correlated series: repeatedly average
 * neighbouring pairs; the naive error of the binned series grows to a plateau
 * at the true error once bins are longer than the correlation time.
 */
export function binning(x: ArrayLike<number>, options: BinningOptions = {}): BinningResult {
  const where = "binning";
  checkKeys(options, ["minBins"], where);
  const minBins = options.minBins === undefined ? 32 : checkInteger(options.minBins, "minBins", where, { min: 2 });
  checkSeries(x, "x", where, 1, 2);
  let cur = Float64Array.from(x as ArrayLike<number>);
  const { mean: m } = meanVar(cur);
  const levels: BinningLevel[] = [];
  let binSize = 1;
  let err0 = NaN;
  for (;;) {
    const { variance } = meanVar(cur);
    const error = Math.sqrt(variance / cur.length);
    if (levels.length === 0) err0 = error;
    levels.push({ binSize, bins: cur.length, error, tauInt: err0 > 0 ? 0.5 * (error / err0) ** 2 : 0.5 });
    if (Math.floor(cur.length / 2) < minBins) break;
    const next = new Float64Array(Math.floor(cur.length / 2));
    for (let k = 0; k < next.length; k++) next[k] = 0.5 * (cur[2 * k] + cur[2 * k + 1]);
    cur = next;
    binSize *= 2;
  }
  const last = levels[levels.length - 1];
  return { mean: m, levels, error: last.error, tauInt: last.tauInt };
}
