/**
 * Reweighting Boltzmann-generator samples to the Boltzmann distribution:
 * log weights ln w = −βE(x) − ln q(x) and the importance-sampled estimates of
 * the estimator layer (src/estimates/importance.ts: ln Z, F, ⟨E⟩, ESS,
 * Pareto k̂, warnings), self-normalised expectations, the free-energy
 * difference between two wells and the free-energy profile along a
 * coordinate, each with a blocked jackknife error of the plain estimate
 * (samples are independent, so blocks only bound the cost).
 * All accumulation is in float64 on the JS side; energies are recomputed in
 * float64 with `system.energyOf`.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import { importanceEstimates, type ImportanceEstimates } from "../estimates/importance";
import { jackknife } from "../stats";
import type { Stats } from "../stats";
import type { ContinuousSystem } from "../systems/types";
import type { BoltzmannGenerator } from "./generator";

export interface ReweightOptions extends RandomOptions {
  system: ContinuousSystem;
  beta: number;
  /** Number of samples (default 100000). */
  samples?: number;
  /** Samples per forward pass (default 10000). */
  batch?: number;
  /** Latent temperature of the draw (default: the generator's); ln q is at this temperature. */
  temperature?: number;
  /** Also keep the latent points z (default false). */
  keepLatent?: boolean;
}

/**
 * The estimator layer's `ImportanceEstimates` (totals, `per` = 1: ln Z,
 * F = −ln Z/β, reweighted and model ⟨E⟩, S, ESS, Pareto k̂, warnings) with
 * the samples themselves.
 */
export interface ReweightResult extends ImportanceEstimates {
  dim: number;
  /** Samples x, [n × dim] row-major (float64 copies of the float32 samples). */
  x: Float64Array;
  /** Latent points z, [n × dim], when `keepLatent`. */
  z: Float64Array | null;
  /** E(x) per sample in float64 (`energy` is the reweighted ⟨E⟩). */
  energies: Float64Array;
  /** ln q(x) per sample. */
  logProb: Float64Array;
}

/**
 * Draw samples from a Boltzmann generator and compute their importance
 * weights and the importance-sampled estimates (src/estimates/importance.ts:
 * plain log-mean-exp ln Z, jackknife errors, ESS, Pareto k̂, warnings).
 * Samples with a NaN energy or ln q (a flow that overflowed) get zero weight
 * and a warning.
 */
export function reweight(model: BoltzmannGenerator, options: ReweightOptions): ReweightResult {
  const where = "reweight";
  checkKeys(options, ["system", "beta", "samples", "batch", "temperature", "keepLatent", "seed", "rng"], where);
  ensureBackend();
  const system = options?.system;
  if (system === undefined || typeof system.energyOf !== "function") throw new Error(`${where}: system must be a ContinuousSystem`);
  if (system.dim !== model.size) throw new Error(`${where}: system has dim ${system.dim}, model has size ${model.size}`);
  const beta = checkPositive(options.beta, "beta", where);
  const n = options.samples === undefined ? 100000 : checkInteger(options.samples, "samples", where, { min: 2 });
  const batch = options.batch === undefined ? 10000 : checkInteger(options.batch, "batch", where, { min: 1 });
  const temperature = options.temperature === undefined ? undefined : checkPositive(options.temperature, "temperature", where);
  const rng = resolveRng(options, where);
  const d = model.size;
  const x = new Float64Array(n * d);
  const z = options.keepLatent === true ? new Float64Array(n * d) : null;
  const energies = new Float64Array(n), logProb = new Float64Array(n);
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const s = model.sample(b, { rng, temperature });
    const xs = s.x.dataSync(), lq = s.logProb.dataSync();
    if (z !== null) z.set(s.z.dataSync(), start * d);
    tf.dispose([s.x, s.logProb, s.z]);
    x.set(xs, start * d);
    for (let k = 0; k < b; k++) {
      energies[start + k] = system.energyOf(x.subarray((start + k) * d, (start + k + 1) * d));
      logProb[start + k] = lq[k];
    }
  }
  const est = importanceEstimates({ energy: energies, logProb, beta });
  return { ...est, dim: d, x, z, energies, logProb };
}

/** Weights e^{ln w − max} in float64 (the shift cancels in every ratio). */
function shiftedWeights(logWeights: ArrayLike<number>, where: string): Float64Array {
  let m = -Infinity;
  for (let k = 0; k < logWeights.length; k++) {
    const v = logWeights[k];
    if (Number.isNaN(v) || v === Infinity) throw new Error(`${where}: logWeights[${k}] is ${v}`);
    if (v > m) m = v;
  }
  if (m === -Infinity) throw new Error(`${where}: all logWeights are −∞`);
  const w = new Float64Array(logWeights.length);
  for (let k = 0; k < w.length; k++) w[k] = Math.exp(logWeights[k] - m);
  return w;
}

function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k];
  return s;
}

function readBlocks(v: number | undefined, n: number, where: string): number {
  return v === undefined ? Math.min(n, 100) : checkInteger(v, "blocks", where, { min: 2, max: n });
}

export interface ReweightedMeanOptions {
  /** Observable values O(x_k). */
  values: ArrayLike<number>;
  /** ln w_k (unnormalised); omit for plain (unweighted) averages. */
  logWeights?: ArrayLike<number>;
  /** Jackknife blocks (default min(n, 100)). */
  blocks?: number;
}

/** The self-normalised estimate Σ w O / Σ w with a blocked-jackknife error. */
export function reweightedMean(options: ReweightedMeanOptions): Stats {
  const where = "reweightedMean";
  checkKeys(options, ["values", "logWeights", "blocks"], where);
  const v = options?.values;
  if (v === undefined || typeof v.length !== "number" || v.length < 2) throw new Error(`${where}: values must be an array of at least 2 numbers`);
  const n = v.length;
  const w = options.logWeights === undefined ? new Float64Array(n).fill(1) : shiftedWeights(options.logWeights, where);
  if (w.length !== n) throw new Error(`${where}: logWeights has length ${w.length}, values has ${n}`);
  const wo = new Float64Array(n);
  for (let k = 0; k < n; k++) wo[k] = w[k] * v[k];
  const j = jackknife({ series: [w, wo], estimator: (m) => m[1] / m[0], blocks: readBlocks(options.blocks, n, where) });
  // the plain estimate over every sample (the jackknife's own drops a partial last block)
  return { mean: sum(wo) / sum(w), error: j.error, variance: j.variance, n };
}

export interface WellOptions {
  /** Samples [n × dim] row-major, or just the values of the separating coordinate (then `dim` = 1). */
  x: ArrayLike<number>;
  /** Coordinates per sample in `x` (default 1). */
  dim?: number;
  /** The separating coordinate (default 0). */
  axis?: number;
  /** Dividing value (default 0). */
  divide?: number;
  /** ln w of each sample; omit for the model's own (unweighted) statistics. */
  logWeights?: ArrayLike<number>;
  blocks?: number;
}

export interface WellResult {
  /** ΔF = F_right − F_left = −ln(P_right/P_left) in kT, with its jackknife error (Infinity when a side is empty). */
  deltaF: Stats;
  /** P(x_axis > divide) with its error. */
  fractionRight: Stats;
}

/** Free-energy difference between the states x_axis > divide ("right") and x_axis < divide ("left"). */
export function wellFreeEnergy(options: WellOptions): WellResult {
  const where = "wellFreeEnergy";
  checkKeys(options, ["x", "dim", "axis", "divide", "logWeights", "blocks"], where);
  const xs = options?.x;
  if (xs === undefined || typeof xs.length !== "number") throw new Error(`${where}: x must be an array of numbers`);
  const dim = options.dim === undefined ? 1 : checkInteger(options.dim, "dim", where, { min: 1 });
  const axis = options.axis === undefined ? 0 : checkInteger(options.axis, "axis", where, { min: 0, max: dim - 1 });
  const divide = options.divide === undefined ? 0 : checkNumber(options.divide, "divide", where);
  const n = Math.floor(xs.length / dim);
  if (n < 2 || n * dim !== xs.length) throw new Error(`${where}: x must hold n·${dim} numbers with n ≥ 2, got ${xs.length}`);
  const w = options.logWeights === undefined ? new Float64Array(n).fill(1) : shiftedWeights(options.logWeights, where);
  if (w.length !== n) throw new Error(`${where}: logWeights has length ${w.length}, x has ${n} samples`);
  const wl = new Float64Array(n), wr = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (xs[k * dim + axis] > divide) wr[k] = w[k];
    else wl[k] = w[k];
  }
  const blocks = readBlocks(options.blocks, n, where);
  const df = jackknife({ series: [wl, wr], estimator: (m) => Math.log(m[0]) - Math.log(m[1]), blocks });
  const fr = jackknife({ series: [wl, wr], estimator: (m) => m[1] / (m[0] + m[1]), blocks });
  // plain estimates over every sample, jackknife errors
  const L = sum(wl), R = sum(wr);
  const fix = (mean: number, s: { error: number; variance: number }): Stats => ({
    mean,
    error: Number.isFinite(mean) ? s.error : Infinity,
    variance: s.variance,
    n,
  });
  return { deltaF: fix(Math.log(L) - Math.log(R), df), fractionRight: fix(R / (L + R), fr) };
}

export interface ProfileOptions {
  /** Coordinate values of the samples. */
  values: ArrayLike<number>;
  /** ln w of each sample; omit for the model's own histogram. */
  logWeights?: ArrayLike<number>;
  /** Number of bins (default 60). */
  bins?: number;
  /** [lo, hi] of the histogram (default: the range of the values). */
  range?: [number, number];
  blocks?: number;
}

export interface ProfileResult {
  /** Bin centres. */
  x: Float64Array;
  /** Estimated density p(x) (normalised over all samples, so mass outside the range counts). */
  density: Float64Array;
  /** F(x) = −ln p(x) in kT (Infinity for empty bins) and its jackknife error. */
  freeEnergy: Float64Array;
  error: Float64Array;
  binWidth: number;
}

/** The (reweighted) free-energy profile F(x) = −ln p(x) along one coordinate, with blocked-jackknife errors per bin. */
export function freeEnergyProfile(options: ProfileOptions): ProfileResult {
  const where = "freeEnergyProfile";
  checkKeys(options, ["values", "logWeights", "bins", "range", "blocks"], where);
  const v = options?.values;
  if (v === undefined || typeof v.length !== "number" || v.length < 2) throw new Error(`${where}: values must be an array of at least 2 numbers`);
  const n = v.length;
  const bins = options.bins === undefined ? 60 : checkInteger(options.bins, "bins", where, { min: 1 });
  let lo: number, hi: number;
  if (options.range !== undefined) {
    lo = checkNumber(options.range[0], "range[0]", where);
    hi = checkNumber(options.range[1], "range[1]", where, { above: lo });
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (let k = 0; k < n; k++) { lo = Math.min(lo, v[k]); hi = Math.max(hi, v[k]); }
    if (!(hi > lo)) hi = lo + 1;
  }
  const w = options.logWeights === undefined ? new Float64Array(n).fill(1) : shiftedWeights(options.logWeights, where);
  if (w.length !== n) throw new Error(`${where}: logWeights has length ${w.length}, values has ${n}`);
  const B = readBlocks(options.blocks, n, where);
  const len = Math.floor(n / B);
  const h = (hi - lo) / bins;
  // block sums: total weight per block, weight per (block, bin)
  const tot = new Float64Array(B), per = new Float64Array(B * bins);
  for (let b = 0; b < B; b++) {
    for (let k = b * len; k < (b + 1) * len; k++) {
      tot[b] += w[k];
      const j = Math.floor((v[k] - lo) / h);
      if (j >= 0 && j < bins) per[b * bins + j] += w[k];
      else if (v[k] === hi) per[b * bins + bins - 1] += w[k];
    }
  }
  let T = 0;
  for (let b = 0; b < B; b++) T += tot[b];
  const x = new Float64Array(bins), density = new Float64Array(bins), freeEnergy = new Float64Array(bins), error = new Float64Array(bins);
  const loo = new Float64Array(B);
  for (let j = 0; j < bins; j++) {
    x[j] = lo + (j + 0.5) * h;
    let S = 0;
    for (let b = 0; b < B; b++) S += per[b * bins + j];
    density[j] = S / (T * h);
    freeEnergy[j] = S > 0 ? -Math.log(density[j]) : Infinity;
    if (S <= 0) { error[j] = Infinity; continue; }
    let mean = 0;
    for (let b = 0; b < B; b++) {
      const s = S - per[b * bins + j];
      loo[b] = s > 0 ? -Math.log(s / ((T - tot[b]) * h)) : Infinity;
      mean += loo[b];
    }
    mean /= B;
    let ss = 0;
    for (let b = 0; b < B; b++) ss += (loo[b] - mean) ** 2;
    error[j] = Number.isFinite(ss) ? Math.sqrt(((B - 1) / B) * ss) : Infinity;
  }
  return { x, density, freeEnergy, error, binWidth: h };
}
