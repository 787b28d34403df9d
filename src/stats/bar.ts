/**
 * Bennett's acceptance ratio (BAR; Bennett 1976, Shirts et al. 2003): the
 * free-energy difference Δf = f₁ − f₀ = −ln(Z₁/Z₀) between two distributions
 * from samples of both, in reduced units (kT).
 *
 * With reduced potentials u₀, u₁ (p_a ∝ e^{−u_a}), the forward work of a
 * sample of 0 is W_F = u₁(x) − u₀(x) and the reverse work of a sample of 1 is
 * W_R = u₀(x) − u₁(x). Δf is the root of
 *
 *   Σ_i 1/(1 + e^{M + W_F,i − Δf}) = Σ_j 1/(1 + e^{−M + W_R,j + Δf}),  M = ln(n_F/n_R),
 *
 * which is unique (the left side grows with Δf, the right side falls). It is
 * the minimum-variance estimator that uses both sides; where the two
 * distributions barely overlap it stays far better behaved than one-sided
 * reweighting (exponential averaging, whose estimate of a normaliser is
 * dominated by a handful of weights). The error is the asymptotic one of
 * Shirts et al. (pymbar's "BAR" method) for independent samples, or a block
 * jackknife over both series (`blocks`) for correlated ones such as MCMC.
 */
import { checkInteger, checkKeys } from "../core/validate";
import type { Stats } from "./types";

export interface BarOptions {
  /** Forward work W_F = u₁(x) − u₀(x) of samples x of distribution 0 (kT); +Infinity where p₁(x) = 0. */
  forward: ArrayLike<number>;
  /** Reverse work W_R = u₀(x) − u₁(x) of samples x of distribution 1 (kT); +Infinity where p₀(x) = 0. */
  reverse: ArrayLike<number>;
  /** Block jackknife over this many consecutive blocks of each series (for correlated samples); default: the asymptotic error for independent samples. */
  blocks?: number;
}

export interface BarResult extends Stats {
  /** The one-sided estimates: −ln⟨e^{−W_F}⟩₀ (forward) and ln⟨e^{−W_R}⟩₁ (reverse). */
  forwardExp: number;
  reverseExp: number;
  /**
   * ⟨W_F⟩₀ + ⟨W_R⟩₁ = KL(p₀‖p₁) + KL(p₁‖p₀) (the symmetrised KL divergence, in kT; +Infinity when a work
   * value is): how far apart the two distributions are. BAR's estimate is trustworthy when it is a few kT or less.
   */
  jeffreys: number;
  /** Bisection steps of the root search. */
  iterations: number;
}

/** Δf = f₁ − f₀ by Bennett's acceptance ratio (see the module doc). */
export function bar(options: BarOptions): BarResult {
  const where = "bar";
  checkKeys(options, ["forward", "reverse", "blocks"], where);
  const wf = readWork(options?.forward, "forward", where);
  const wr = readWork(options.reverse, "reverse", where);
  const blocks = options.blocks === undefined ? null : checkInteger(options.blocks, "blocks", where, { min: 2, max: Math.min(wf.length, wr.length) });
  const { value, iterations } = solveBar(wf, wr);
  let error: number;
  if (blocks === null) {
    error = asymptoticError(wf, wr, value);
  } else {
    // leave one block of each series out at a time (block b of both), the usual delete-one jackknife
    const leave = new Float64Array(blocks);
    for (let b = 0; b < blocks; b++) leave[b] = solveBar(dropBlock(wf, b, blocks), dropBlock(wr, b, blocks)).value;
    let m = 0;
    for (const v of leave) m += v / blocks;
    let ss = 0;
    for (const v of leave) ss += (v - m) ** 2;
    error = Math.sqrt(((blocks - 1) / blocks) * ss);
  }
  const n = wf.length + wr.length;
  const average = (w: Float64Array) => w.reduce((a, v) => a + v, 0) / w.length;
  return { mean: value, error, variance: error * error * n, n, forwardExp: -logMeanExp(wf, -1), reverseExp: logMeanExp(wr, -1), jeffreys: average(wf) + average(wr), iterations };
}

function readWork(v: ArrayLike<number> | undefined, name: string, where: string): Float64Array {
  if (v === undefined || v === null || typeof v.length !== "number") throw new Error(`${where}: ${name} must be an array of work values`);
  if (v.length < 2) throw new Error(`${where}: ${name} needs at least 2 values, got ${v.length}`);
  const out = new Float64Array(v.length);
  let finite = 0;
  for (let k = 0; k < v.length; k++) {
    const x = Number(v[k]);
    // +∞ is a sample the other distribution cannot produce (weight 0); NaN and −∞ are errors upstream
    if (Number.isNaN(x) || x === -Infinity) throw new Error(`${where}: ${name}[${k}] is ${v[k]} (work values must be finite or +Infinity)`);
    if (x !== Infinity) finite++;
    out[k] = x;
  }
  if (finite < 2) throw new Error(`${where}: ${name} needs at least 2 finite values, got ${finite}`);
  return out;
}

/** ln mean e^{s·x}, stable. */
function logMeanExp(x: Float64Array, s: number): number {
  let m = -Infinity;
  for (const v of x) if (Number.isFinite(v)) m = Math.max(m, s * v);
  let t = 0;
  for (const v of x) t += Math.exp(s * v - m);
  return m + Math.log(t / x.length);
}

/** ln(1 + e^t) without overflow. */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/** Σ σ(Δf − M − W_F) − Σ σ(−Δf + M − W_R), in a form that is increasing in Δf; computed as a difference of logs of the two sums. */
function imbalance(wf: Float64Array, wr: Float64Array, M: number, df: number): number {
  // ln Σ_i 1/(1 + e^{M + W_F,i − Δf}) − ln Σ_j 1/(1 + e^{−M + W_R,j + Δf})
  return logSumNeg(wf, M - df) - logSumNeg(wr, df - M);
}

/** ln Σ_k 1/(1 + e^{x_k + c}) = ln Σ_k e^{−softplus(x_k + c)}. */
function logSumNeg(x: Float64Array, c: number): number {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, -softplus(v + c));
  let t = 0;
  for (const v of x) t += Math.exp(-softplus(v + c) - m);
  return m + Math.log(t);
}

function solveBar(wf: Float64Array, wr: Float64Array): { value: number; iterations: number } {
  const M = Math.log(wf.length / wr.length);
  // bracket: the one-sided estimates, widened until the imbalance changes sign
  const a0 = -logMeanExp(wf, -1), b0 = logMeanExp(wr, -1);
  let lo = Math.min(a0, b0), hi = Math.max(a0, b0);
  let width = Math.max(1, hi - lo);
  while (imbalance(wf, wr, M, lo) > 0) { lo -= width; width *= 2; }
  width = Math.max(1, hi - lo);
  while (imbalance(wf, wr, M, hi) < 0) { hi += width; width *= 2; }
  let iterations = 0;
  while (hi - lo > 1e-12 * Math.max(1, Math.abs(lo) + Math.abs(hi)) && iterations < 200) {
    const mid = 0.5 * (lo + hi);
    if (imbalance(wf, wr, M, mid) < 0) lo = mid;
    else hi = mid;
    iterations++;
  }
  return { value: 0.5 * (lo + hi), iterations };
}

/** Shirts et al.'s asymptotic variance of Δf for independent samples (pymbar's BAR uncertainty). */
function asymptoticError(wf: Float64Array, wr: Float64Array, df: number): number {
  const M = Math.log(wf.length / wr.length);
  const part = (w: Float64Array, c: number): number => {
    // f = 1/(1 + e^{w + c}); var(f)/(n·mean(f)²)
    let s = 0, s2 = 0;
    for (const v of w) {
      const f = Math.exp(-softplus(v + c));
      s += f;
      s2 += f * f;
    }
    const mean = s / w.length;
    const variance = Math.max(0, s2 / w.length - mean * mean);
    return variance / (w.length * mean * mean);
  };
  return Math.sqrt(part(wf, M - df) + part(wr, df - M));
}

/** The series without block b of `blocks` consecutive blocks (the last block takes the remainder). */
function dropBlock(x: Float64Array, b: number, blocks: number): Float64Array {
  const size = Math.floor(x.length / blocks);
  const start = b * size, end = b === blocks - 1 ? x.length : start + size;
  const out = new Float64Array(x.length - (end - start));
  out.set(x.subarray(0, start), 0);
  out.set(x.subarray(end), start);
  return out;
}
