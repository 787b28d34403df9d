/**
 * Estimates from a trained VAN and fresh samples, in float64 on the JS side,
 * everything per spin (see ./importance.ts for the convention):
 *
 * - variational free energy F_q/N = ⟨βE + ln q⟩_q/(βN) ≥ F/N, with its
 *   standard error (`freeEnergyVariational`, alias `fVariational`);
 * - importance-sampled F/N = −ln⟨e^{−βE − ln q}⟩_q/(βN), the plain
 *   log-mean-exp estimate (unbiased in Z; its logarithm has an O(1/n) bias,
 *   reported as `bias` and not subtracted) with a jackknife or bootstrap error
 *   (`freeEnergy`, alias `fImportance`);
 * - the Kish effective sample size, Pareto k̂ and `warnings`;
 * - energy, entropy and magnetisation per spin, reweighted to Boltzmann
 *   (`energy`, `entropy`, `observables`) and under q (`energyModel`,
 *   `entropyModel`, `observablesModel`);
 * - the overlap distribution P(q) from independent pairs of samples.
 */
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkOneOf, checkPositive } from "../core/validate";
import { sampleSpins } from "../models/spin";
import type { GenerativeModel } from "../models/types";
import type { Stats } from "../stats/types";
import type { PottsSystem, SpinSystem, XYSystem } from "../systems/types";
import { checkModelSystem } from "../models/spin";
import { checkModelTarget } from "../models/target";
import { drawLatticeSamples } from "./lattice";
import { energiesOf } from "../systems/observables";
import { importanceEstimates, type ImportanceEstimates } from "./importance";
import { drawSpinSamples } from "./spins";

export interface EstimateVanOptions extends RandomOptions {
  model: GenerativeModel;
  /** A spin system, or a Potts or XY system (observables from ./lattice.ts). */
  system: SpinSystem | PottsSystem | XYSystem;
  beta: number;
  /** Number of fresh samples (default 10 000). */
  samples?: number;
  /** Samples drawn per call of the model (default 1000). */
  batch?: number;
  /** Error of the importance-sampled quantities: "jackknife" (default) or "bootstrap"; the estimates themselves are the same plain values either way. */
  errorMethod?: "jackknife" | "bootstrap";
  /** Blocks of the jackknife/bootstrap (default 100). */
  blocks?: number;
}

/**
 * `ImportanceEstimates` per spin (observables `magnetizationPerSpin`,
 * `absMagnetizationPerSpin`), with the names the CLI and notebooks use for
 * the two free energies.
 */
export interface VanEstimates extends ImportanceEstimates {
  /** Number of samples (= `n`). */
  samples: number;
  /** The same object as `freeEnergyVariational`: F_q/N. */
  fVariational: Stats;
  /** The same object as `freeEnergy`: the importance-sampled F/N (plain log-mean-exp, `bias` not subtracted). */
  fImportance: Stats & { bias: number };
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
  checkModelTarget(model, system, W);
  const beta = checkPositive(options.beta, "beta", W);
  const samples = checkInteger(options.samples ?? 10000, "samples", W, { min: 2 });
  const batch = checkInteger(options.batch ?? 1000, "batch", W, { min: 1 });
  const method = checkOneOf(options.errorMethod ?? "jackknife", ["jackknife", "bootstrap"] as const, "errorMethod", W);
  const blocks = checkInteger(options.blocks ?? Math.min(100, samples), "blocks", W, { min: 2, max: samples });
  const rng = resolveRng(options, W);
  ensureBackend();
  const d = system.kind === "spin" ? drawSpinSamples(model, system, { samples, batch, rng }) : drawLatticeSamples(model, system, { samples, batch, rng, beta });
  for (let k = 0; k < samples; k++) {
    const L = beta * d.energy[k] + d.logProb[k];
    if (!Number.isFinite(L)) throw new Error(`${W}: sample ${k} has a non-finite βE + ln q (${L})`);
  }
  const est = importanceEstimates({ energy: d.energy, logProb: d.logProb, beta, per: system.n, observables: d.observables, errorMethod: method, blocks, rng });
  return { ...est, samples, fVariational: est.freeEnergyVariational, fImportance: est.freeEnergy };
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
  /** When reweighting: Kish ESS / samples, Pareto k̂ and warnings of the single-sample weights (./importance.ts); null, null, [] otherwise. */
  essFraction: number | null;
  paretoK: number | null;
  warnings: string[];
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
  let weightsOf: ImportanceEstimates | null = null;
  if (options.system !== undefined) {
    checkModelSystem(model, options.system, W);
    const beta = checkPositive(options.beta, "beta", W);
    const d = drawWithEnergies(model, options.system, 2 * pairs, batch, { rng });
    x = d.x;
    logw = new Float64Array(2 * pairs);
    for (let k = 0; k < 2 * pairs; k++) logw[k] = -beta * d.energy[k] - d.logProb[k];
    // the diagnostics of the single-sample weights (ESS, k̂, warnings) tell whether the reweighted P(q) can be trusted
    weightsOf = importanceEstimates({ energy: d.energy, logProb: d.logProb, beta, per: n });
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
    essFraction: weightsOf === null ? null : weightsOf.essFraction,
    paretoK: weightsOf === null ? null : weightsOf.paretoK,
    warnings: weightsOf === null ? [] : weightsOf.warnings,
    histogram: {
      value: counts.map((_, j) => (2 * j - n) / n),
      probability: counts.map((c) => c / pairs),
      reweighted: logw === null ? null : rew.map((r) => r / sw),
    },
  };
}
