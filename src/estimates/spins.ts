/**
 * Importance sampling of spin systems with any normalised model q of ±1
 * spins (a trained VAN, or a tabulated distribution): draw x ~ q in batches,
 * evaluate E(x) in float64 and hand energies, ln q and observables to
 * `importanceEstimates` (./importance.ts), which fixes the convention (plain
 * log-mean-exp, jackknife errors, ESS, Pareto k̂, warnings). Energies, free
 * energies and entropies are per spin.
 */
import { progress } from "../core/progress";
import { resolveRng, type RandomOptions, type Rng } from "../core/random";
import { checkInteger, checkKeys, checkPositive } from "../core/validate";
import { sampleSpins } from "../models/spin";
import type { GenerativeModel } from "../models/types";
import { energiesOf } from "../systems/observables";
import type { SpinSystem } from "../systems/types";
import { importanceEstimates, type ImportanceEstimates } from "./importance";

/** The spin observables every spin estimate carries (per configuration). */
export const SPIN_ESTIMATE_OBSERVABLES = ["magnetizationPerSpin", "absMagnetizationPerSpin"] as const;

export interface SpinDraw {
  /** E(x_k) (total) and ln q(x_k), float64. */
  energy: Float64Array;
  logProb: Float64Array;
  /** magnetizationPerSpin, absMagnetizationPerSpin and the caller's observables per sample. */
  observables: Record<string, Float64Array>;
  /** [samples × n] when kept, else null. */
  x: Float64Array | null;
}

export interface SpinDrawOptions {
  samples: number;
  batch: number;
  rng: Rng;
  /** Extra observables of one configuration. */
  extra?: Record<string, (s: Float64Array) => number>;
  keepSamples?: boolean;
  /** Progress bar: label and enabled (undefined = automatic). */
  progressLabel?: string;
  progress?: boolean;
}

/** Draw `samples` configurations from q in batches, keeping energies, ln q and observables (not the configurations unless asked). */
export function drawSpinSamples(model: GenerativeModel, system: SpinSystem, o: SpinDrawOptions): SpinDraw {
  const n = system.n;
  const N = o.samples;
  const energy = new Float64Array(N);
  const logProb = new Float64Array(N);
  const extra = o.extra ?? {};
  const observables: Record<string, Float64Array> = {};
  for (const k of [...SPIN_ESTIMATE_OBSERVABLES, ...Object.keys(extra)]) observables[k] = new Float64Array(N);
  const x = o.keepSamples === true ? new Float64Array(N * n) : null;
  const bar = o.progressLabel === undefined ? null : progress({ total: N, label: o.progressLabel, enabled: o.progress });
  const mag = observables.magnetizationPerSpin;
  const abs = observables.absMagnetizationPerSpin;
  for (let start = 0; start < N; start += o.batch) {
    const b = Math.min(o.batch, N - start);
    const s = sampleSpins(model, b, { rng: o.rng });
    energy.set(energiesOf(system, s.x, b), start);
    logProb.set(s.logProb, start);
    for (let k = 0; k < b; k++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += s.x[k * n + i];
      mag[start + k] = m / n;
      abs[start + k] = Math.abs(m) / n;
    }
    for (const [name, f] of Object.entries(extra)) {
      const out = observables[name];
      for (let k = 0; k < b; k++) out[start + k] = f(Float64Array.from(s.x.subarray(k * n, (k + 1) * n)));
    }
    if (x !== null) x.set(s.x, start * n);
    bar?.tick(b);
  }
  bar?.done();
  return { energy, logProb, observables, x };
}

export interface ImportanceSamplingOptions extends RandomOptions {
  /** The proposal q. */
  model: GenerativeModel;
  /** Inverse temperature β > 0. */
  beta: number;
  /** Number of samples drawn from q (≥ 2). */
  samples: number;
  /** Samples per model call (default 1024). */
  batchSize?: number;
  /** Extra observables O(s) of one configuration (±1 entries), estimated reweighted and under q. */
  observables?: Record<string, (s: Float64Array) => number>;
  /** Error method: "jackknife" (default) or "bootstrap". */
  errorMethod?: "jackknife" | "bootstrap";
  /** Jackknife/bootstrap blocks (default min(100, samples)). */
  blocks?: number;
  /** Keep the configurations (default false). */
  keepSamples?: boolean;
  /** Progress bar: true/false forces, undefined = automatic. */
  progress?: boolean;
}

/** An importance-sampling result (per spin) with the samples' energies and, when kept, the configurations. */
export interface ImportanceSamplingResult extends ImportanceEstimates {
  /** Energies per sample (float64, total not per spin). */
  energies: Float64Array;
  /** [samples × size] when keepSamples, else null. */
  samples: Float64Array | null;
  elapsedMs: number;
}

/**
 * Neural importance sampling of a spin system with proposal q: with
 * w = e^{−βE − ln q}, Z = ⟨w⟩_q and ⟨O⟩ = ⟨wO⟩_q/⟨w⟩_q. Observables
 * `magnetizationPerSpin`, `absMagnetizationPerSpin` and the caller's come
 * reweighted (`observables`) and under q (`observablesModel`). Read
 * `warnings` (and `essFraction`, `paretoK`) before trusting the error bars.
 */
export function importanceSampling(system: SpinSystem, options: ImportanceSamplingOptions): ImportanceSamplingResult {
  const where = "importanceSampling";
  if (system === null || typeof system !== "object" || system.kind !== "spin") throw new Error(`${where}: system must be a SpinSystem (kind "spin")`);
  if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
  checkKeys(options, ["model", "beta", "samples", "batchSize", "observables", "errorMethod", "blocks", "keepSamples", "progress", "seed", "rng"], where);
  const model = options.model;
  const m = model as Partial<GenerativeModel> | null;
  if (m === null || typeof m !== "object" || typeof m.sample !== "function" || typeof m.logProb !== "function") {
    throw new Error(`${where}: model must be a GenerativeModel (with sample and logProb)`);
  }
  if (m.size !== system.n) throw new Error(`${where}: model.size = ${m.size} does not match the system size ${system.n}`);
  const beta = checkPositive(options.beta, "beta", where);
  const N = checkInteger(options.samples, "samples", where, { min: 2 });
  const batch = options.batchSize === undefined ? 1024 : checkInteger(options.batchSize, "batchSize", where, { min: 1 });
  const blocks = options.blocks === undefined ? Math.min(100, N) : checkInteger(options.blocks, "blocks", where, { min: 2, max: N });
  const errorMethod = options.errorMethod;
  if (errorMethod !== undefined && errorMethod !== "jackknife" && errorMethod !== "bootstrap") throw new Error(`${where}: errorMethod must be one of jackknife, bootstrap, got ${String(errorMethod)}`);
  const extra = options.observables ?? {};
  for (const [k, f] of Object.entries(extra)) {
    if (typeof f !== "function") throw new Error(`${where}: observables.${k} must be a function of a configuration`);
    if ((SPIN_ESTIMATE_OBSERVABLES as readonly string[]).includes(k)) throw new Error(`${where}: observables.${k} is computed already; use another name`);
  }
  const rng = resolveRng(options, where);
  const t0 = performance.now();
  const d = drawSpinSamples(model, system, { samples: N, batch, rng, extra, keepSamples: options.keepSamples === true, progressLabel: where, progress: options.progress });
  const est = importanceEstimates({ energy: d.energy, logProb: d.logProb, beta, per: system.n, observables: d.observables, errorMethod, blocks, rng });
  return { ...est, energies: d.energy, samples: d.x, elapsedMs: performance.now() - t0 };
}
