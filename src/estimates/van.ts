/**
 * Estimates from a trained model and fresh samples, in float64 on the JS side:
 *
 * - variational free energy per spin F_q/N = ⟨βE + ln q⟩_q/(βN) ≥ F/N, with
 *   its standard error;
 * - importance-sampled F/N = −ln⟨e^{−βE − ln q}⟩_q/(βN), unbiased in Z (its
 *   logarithm has an O(1/n) bias), with a jackknife or bootstrap error;
 * - the Kish effective sample size of the weights;
 * - energy, entropy and |m| per spin, under q and reweighted to Boltzmann;
 * - the overlap distribution P(q) from independent pairs of samples.
 */
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkOneOf, checkPositive } from "../core/validate";
import { sampleSpins } from "../models/spin";
import type { GenerativeModel } from "../models/types";
import { bootstrap, jackknife } from "../stats/resampling";
import type { Stats } from "../stats/types";
import { kishEss, weightedMean } from "../stats/weights";
import type { SpinSystem } from "../systems/types";
import { checkModelSystem } from "../models/spin";
import { energiesOf } from "../systems/observables";

export interface EstimateVanOptions extends RandomOptions {
  model: GenerativeModel;
  system: SpinSystem;
  beta: number;
  /** Number of fresh samples (default 10 000). */
  samples?: number;
  /** Samples drawn per call of the model (default 1000). */
  batch?: number;
  /** Error of the importance-sampled F: "jackknife" (default) or "bootstrap". */
  errorMethod?: "jackknife" | "bootstrap";
  /** Blocks of the jackknife/bootstrap (default 100). */
  blocks?: number;
}

/** Everything per spin. */
export interface VanEstimates {
  beta: number;
  samples: number;
  /** ⟨βE + ln q⟩_q/(βN): an upper bound on F/N. */
  fVariational: Stats;
  /** −ln⟨w⟩/(βN) with w = e^{−βE − ln q}; `bias` is the estimated bias of the plain estimate (already removed by the jackknife). */
  fImportance: Stats & { bias: number; estimate: number };
  /** Kish ESS / samples. */
  essFraction: number;
  ess: number;
  /** ⟨E⟩_q/N and the reweighted ⟨E⟩/N. */
  energyPerSpin: Stats;
  energyPerSpinReweighted: Stats;
  /** −⟨ln q⟩_q/N (the model's entropy) and the reweighted β(⟨E⟩ − F)/N. */
  entropyPerSpin: Stats;
  entropyPerSpinReweighted: number;
  absMagnetization: Stats;
  absMagnetizationReweighted: Stats;
}

function meanStats(x: Float64Array, scale = 1): Stats {
  const n = x.length;
  let s = 0;
  for (let k = 0; k < n; k++) s += x[k];
  const m = s / n;
  let v = 0;
  for (let k = 0; k < n; k++) v += (x[k] - m) ** 2;
  v = n > 1 ? v / (n - 1) : 0;
  return { mean: m * scale, error: Math.sqrt(v / n) * Math.abs(scale), variance: v * scale * scale, n };
}

/** Samples with their energies and log-probabilities, in chunks of `batch`. */
export function drawWithEnergies(
  model: GenerativeModel,
  system: SpinSystem,
  samples: number,
  batch: number,
  options: RandomOptions,
): { x: Float32Array; energy: Float64Array; logProb: Float64Array } {
  const n = system.n;
  const rng = resolveRng(options, "drawWithEnergies");
  const x = new Float32Array(samples * n);
  const energy = new Float64Array(samples);
  const logProb = new Float64Array(samples);
  for (let b0 = 0; b0 < samples; b0 += batch) {
    const m = Math.min(batch, samples - b0);
    const s = sampleSpins(model, m, { rng });
    x.set(s.x, b0 * n);
    logProb.set(s.logProb, b0);
    energy.set(energiesOf(system, s.x, m), b0);
  }
  return { x, energy, logProb };
}

/** Variational and importance-sampled estimates from fresh samples of `model`; see the module doc. */
export function estimateVan(options: EstimateVanOptions): VanEstimates {
  const W = "estimateVan";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  checkKeys(options, ["model", "system", "beta", "samples", "batch", "errorMethod", "blocks", "seed", "rng"], W);
  const { model, system } = options;
  checkModelSystem(model, system, W);
  const beta = checkPositive(options.beta, "beta", W);
  const samples = checkInteger(options.samples ?? 10000, "samples", W, { min: 2 });
  const batch = checkInteger(options.batch ?? 1000, "batch", W, { min: 1 });
  const method = checkOneOf(options.errorMethod ?? "jackknife", ["jackknife", "bootstrap"] as const, "errorMethod", W);
  const blocks = checkInteger(options.blocks ?? Math.min(100, samples), "blocks", W, { min: 2, max: samples });
  const rng = resolveRng(options, W);
  ensureBackend();
  const n = system.n;
  const d = drawWithEnergies(model, system, samples, batch, { rng });
  const L = new Float64Array(samples);
  const logw = new Float64Array(samples);
  const absm = new Float64Array(samples);
  for (let k = 0; k < samples; k++) {
    L[k] = beta * d.energy[k] + d.logProb[k];
    logw[k] = -L[k];
    let m = 0;
    for (let i = 0; i < n; i++) m += d.x[k * n + i];
    absm[k] = Math.abs(m) / n;
  }
  for (let k = 0; k < samples; k++) {
    if (!Number.isFinite(L[k])) throw new Error(`${W}: sample ${k} has a non-finite βE + ln q (${L[k]})`);
  }
  const fVariational = meanStats(L, 1 / (beta * n));
  // ln⟨w⟩ with the weights shifted by their maximum; the estimator works on block means of w
  let mx = -Infinity;
  for (let k = 0; k < samples; k++) if (logw[k] > mx) mx = logw[k];
  const w = new Float64Array(samples);
  for (let k = 0; k < samples; k++) w[k] = Math.exp(logw[k] - mx);
  const f = (mu: Float64Array): number => -(mx + Math.log(mu[0])) / (beta * n);
  const r = method === "jackknife"
    ? jackknife({ series: w, estimator: f, blocks })
    : bootstrap({ series: w, estimator: f, blocks, rng });
  const fImportance = { mean: r.mean, error: r.error, variance: r.variance, n: samples, bias: r.bias, estimate: r.estimate };
  const ess = kishEss(logw);
  const e = meanStats(d.energy, 1 / n);
  const eW = weightedMean({ values: d.energy, logWeights: logw });
  const energyPerSpinReweighted = { ...eW, mean: eW.mean / n, error: eW.error / n, variance: eW.variance / (n * n) };
  const entropyPerSpin = meanStats(d.logProb, -1 / n);
  const mW = weightedMean({ values: absm, logWeights: logw });
  return {
    beta,
    samples,
    fVariational,
    fImportance,
    essFraction: ess / samples,
    ess,
    energyPerSpin: e,
    energyPerSpinReweighted,
    entropyPerSpin,
    entropyPerSpinReweighted: beta * (energyPerSpinReweighted.mean - fImportance.mean),
    absMagnetization: meanStats(absm),
    absMagnetizationReweighted: { mean: mW.mean, error: mW.error, variance: mW.variance, n: mW.n },
  };
}

export interface OverlapOptions extends RandomOptions {
  model: GenerativeModel;
  /** Number of independent pairs (default 5000). */
  pairs?: number;
  /** Samples per model call (default 1000). */
  batch?: number;
  /** For reweighting to Boltzmann: the system and β (optional; both or neither). */
  system?: SpinSystem;
  beta?: number;
}

export interface OverlapDistribution {
  /** Overlap q = s^a·s^b/N of each pair. */
  q: Float64Array;
  /** Normalised pair weights w_a w_b / Σ (uniform 1/pairs without a system). */
  weights: Float64Array;
  /** P(q) on the N+1 possible values q = −1, −1 + 2/N, …, 1: `value`, `probability` (under the model), `reweighted` (or null). */
  histogram: { value: number[]; probability: number[]; reweighted: number[] | null };
}

/** The overlap distribution P(q) from independent pairs of model samples (optionally reweighted to Boltzmann). */
export function overlapDistribution(options: OverlapOptions): OverlapDistribution {
  const W = "overlapDistribution";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  checkKeys(options, ["model", "pairs", "batch", "system", "beta", "seed", "rng"], W);
  const model = options.model;
  if (model === null || typeof model !== "object" || typeof model.sample !== "function") throw new Error(`${W}: model must be a GenerativeModel`);
  const pairs = checkInteger(options.pairs ?? 5000, "pairs", W, { min: 1 });
  const batch = checkInteger(options.batch ?? 1000, "batch", W, { min: 1 });
  if ((options.system === undefined) !== (options.beta === undefined)) throw new Error(`${W}: give both system and beta to reweight, or neither`);
  const rng = resolveRng(options, W);
  ensureBackend();
  const n = model.size;
  let x: Float32Array;
  let logw: Float64Array | null = null;
  if (options.system !== undefined) {
    checkModelSystem(model, options.system, W);
    const beta = checkPositive(options.beta, "beta", W);
    const d = drawWithEnergies(model, options.system, 2 * pairs, batch, { rng });
    x = d.x;
    logw = new Float64Array(2 * pairs);
    for (let k = 0; k < 2 * pairs; k++) logw[k] = -beta * d.energy[k] - d.logProb[k];
  } else {
    x = new Float32Array(2 * pairs * n);
    for (let b0 = 0; b0 < 2 * pairs; b0 += batch) {
      const m = Math.min(batch, 2 * pairs - b0);
      x.set(sampleSpins(model, m, { rng }).x, b0 * n);
    }
  }
  const q = new Float64Array(pairs);
  const weights = new Float64Array(pairs);
  const counts = new Array<number>(n + 1).fill(0);
  const rew = new Array<number>(n + 1).fill(0);
  let mx = -Infinity;
  if (logw !== null) for (let k = 0; k < pairs; k++) mx = Math.max(mx, logw[2 * k] + logw[2 * k + 1]);
  let sw = 0;
  for (let k = 0; k < pairs; k++) {
    let dot = 0;
    const a = 2 * k * n;
    const b = (2 * k + 1) * n;
    for (let i = 0; i < n; i++) dot += x[a + i] * x[b + i];
    q[k] = dot / n;
    weights[k] = logw === null ? 1 : Math.exp(logw[2 * k] + logw[2 * k + 1] - mx);
    sw += weights[k];
    const bin = Math.round((dot + n) / 2);
    counts[bin] += 1;
    rew[bin] += weights[k];
  }
  for (let k = 0; k < pairs; k++) weights[k] /= sw;
  return {
    q,
    weights,
    histogram: {
      value: counts.map((_, j) => (2 * j - n) / n),
      probability: counts.map((c) => c / pairs),
      reweighted: logw === null ? null : rew.map((r) => r / sw),
    },
  };
}
