/**
 * Classical Monte Carlo for spin systems on typed arrays, many chains at once:
 * single-spin-flip Metropolis and heat bath with incremental local fields,
 * Wolff cluster updates for ferromagnets, and parallel tempering over a β
 * ladder. All share `SamplerOptions` → `SamplerResult`; observables per
 * recorded step are energyPerSpin, magnetizationPerSpin and
 * absMagnetizationPerSpin, each [recorded × chains].
 */
import { checkInteger, checkNumber, checkPositive } from "../core/validate";
import type { SpinSystem } from "../systems/types";
import { Recorder, resolveSamplerOptions, sweepProgress, type ResolvedSamplerOptions } from "./common";
import { SpinChains } from "./spinChains";
import type { SamplerOptions, SamplerResult } from "./types";

export const SPIN_OBSERVABLES = ["energyPerSpin", "magnetizationPerSpin", "absMagnetizationPerSpin"] as const;

export function checkSpinSystem(system: SpinSystem, where: string): void {
  if (system === null || typeof system !== "object" || system.kind !== "spin") {
    throw new Error(`${where}: system must be a SpinSystem (kind "spin")`);
  }
  checkInteger(system.n, "system.n", where, { min: 1 });
}

/** Fill replicas 0..chains−1 (or the replica map) from `initial` or at random. */
function initChains(state: SpinChains, o: ResolvedSamplerOptions, replicaOf: (c: number) => number[]): void {
  for (let c = 0; c < o.chains; c++) {
    for (const r of replicaOf(c)) {
      if (o.initial !== null) state.set(r, o.initial, c * state.n);
      else state.randomize(r, o.rng);
    }
  }
}

function record(state: SpinChains, rec: Recorder, c: number, r: number): void {
  const n = state.n;
  const slot = rec.slot(c);
  rec.observables.energyPerSpin[slot] = state.energy[r] / n;
  const m = state.magnetization[r] / n;
  rec.observables.magnetizationPerSpin[slot] = m;
  rec.observables.absMagnetizationPerSpin[slot] = Math.abs(m);
  if (rec.samples !== null) state.copyOut(r, rec.samples, rec.sampleOffset(c));
}

function finalOf(state: SpinChains, chains: number, replicaOf: (c: number) => number): Float64Array {
  const out = new Float64Array(chains * state.n);
  for (let c = 0; c < chains; c++) state.copyOut(replicaOf(c), out, c * state.n);
  return out;
}

type LocalMove = "metropolis" | "heatBath";

function localSampler(system: SpinSystem, options: SamplerOptions, move: LocalMove): SamplerResult {
  const where = move;
  checkSpinSystem(system, where);
  const o = resolveSamplerOptions(options, system.n, where);
  const state = new SpinChains(system, o.chains);
  initChains(state, o, (c) => [c]);
  const rec = new Recorder(SPIN_OBSERVABLES, o.recorded, o.chains, system.n, o.keepSamples);
  const total = o.burnIn + o.sweeps;
  const bar = sweepProgress(total, move, o.progress, system.n * o.chains);
  const rng = o.rng;
  const beta = o.beta;
  let accepted = 0;
  const t0 = performance.now();
  for (let t = 1; t <= total; t++) {
    for (let c = 0; c < o.chains; c++) {
      accepted += move === "metropolis" ? state.metropolisSweep(c, beta, rng) : state.heatBathSweep(c, beta, rng);
    }
    if (t > o.burnIn && (t - o.burnIn) % o.thin === 0 && rec.count < o.recorded) {
      for (let c = 0; c < o.chains; c++) record(state, rec, c, c);
      rec.next();
    }
    bar.tick(t);
  }
  const elapsedMs = performance.now() - t0;
  const attempts = total * o.chains * system.n;
  bar.done(`acceptance ${(accepted / attempts).toFixed(3)}`);
  return {
    final: finalOf(state, o.chains, (c) => c),
    chains: o.chains,
    size: system.n,
    samples: rec.samples,
    recorded: rec.count,
    observables: rec.observables,
    acceptance: accepted / attempts,
    diagnostics: { sampler: move, integerPath: state.info.integer, sweepsPerStep: 1 },
    updatesPerSecond: attempts / (elapsedMs / 1000),
    elapsedMs,
  };
}

/**
 * Single-spin-flip Metropolis: each sweep visits the n sites in order and
 * flips s_i with probability min(1, e^{−βΔE}). `acceptance` is the fraction of
 * accepted flips. Integer couplings and fields use precomputed tables.
 */
export function metropolis(system: SpinSystem, options: SamplerOptions): SamplerResult {
  return localSampler(system, options, "metropolis");
}

/**
 * Heat bath (Gibbs): each sweep redraws every s_i in order from its
 * conditional P(s_i = +1) = 1/(1 + e^{−2β h_i}). `acceptance` is the fraction
 * of updates that changed the spin.
 */
export function heatBath(system: SpinSystem, options: SamplerOptions): SamplerResult {
  return localSampler(system, options, "heatBath");
}

/**
 * Wolff single-cluster updates for ferromagnets (all J_ij ≥ 0, no fields).
 * Here one "sweep" of `SamplerOptions` is one cluster flip; `acceptance` is
 * the mean cluster size / n, and `diagnostics.sweepsPerStep` (= the same
 * number) converts times in cluster steps to single-spin sweeps.
 */
export function wolff(system: SpinSystem, options: SamplerOptions): SamplerResult {
  const where = "wolff";
  checkSpinSystem(system, where);
  const o = resolveSamplerOptions(options, system.n, where);
  const state = new SpinChains(system, o.chains);
  const info = state.info;
  if (info.firstNegative !== null) {
    const e = info.firstNegative;
    throw new Error(`${where}: Wolff cluster updates need ferromagnetic couplings (all J_ij ≥ 0); ${system.name} has J = ${e.J} on edge (${e.i}, ${e.j}). Use metropolis, heatBath or parallelTempering instead.`);
  }
  if (info.hasFields) {
    throw new Error(`${where}: Wolff cluster updates need zero fields; ${system.name} has nonzero fields h_i. Use metropolis or heatBath instead.`);
  }
  initChains(state, o, (c) => [c]);
  const rec = new Recorder(SPIN_OBSERVABLES, o.recorded, o.chains, system.n, o.keepSamples);
  const total = o.burnIn + o.sweeps;
  const bar = sweepProgress(total, where, o.progress, 0.1 * system.n * o.chains);
  const rng = o.rng;
  let flipped = 0;
  const t0 = performance.now();
  for (let t = 1; t <= total; t++) {
    for (let c = 0; c < o.chains; c++) flipped += state.wolffStep(c, o.beta, rng);
    if (t > o.burnIn && (t - o.burnIn) % o.thin === 0 && rec.count < o.recorded) {
      for (let c = 0; c < o.chains; c++) record(state, rec, c, c);
      rec.next();
    }
    bar.tick(t);
  }
  const elapsedMs = performance.now() - t0;
  const clusters = total * o.chains;
  const meanClusterSize = flipped / clusters;
  bar.done(`mean cluster ${meanClusterSize.toFixed(1)}`);
  return {
    final: finalOf(state, o.chains, (c) => c),
    chains: o.chains,
    size: system.n,
    samples: rec.samples,
    recorded: rec.count,
    observables: rec.observables,
    acceptance: meanClusterSize / system.n,
    diagnostics: { sampler: "wolff", meanClusterSize, sweepsPerStep: meanClusterSize / system.n, clustersPerSecond: clusters / (elapsedMs / 1000) },
    updatesPerSecond: flipped / (elapsedMs / 1000),
    elapsedMs,
  };
}

export interface ParallelTemperingOptions extends Omit<SamplerOptions, "beta"> {
  /** The β ladder, strictly increasing, at least 2 rungs. */
  betas: ArrayLike<number>;
  /** The β whose chain is recorded in `observables`/`samples`/`final` (must be on the ladder; default the largest). */
  beta?: number;
  /** Metropolis sweeps of every replica between swap rounds (default 1). */
  swapEvery?: number;
}

/**
 * Parallel tempering (replica exchange): every chain holds one replica per
 * rung of the β ladder, each updated by Metropolis sweeps; after every
 * `swapEvery` sweeps neighbouring rungs k, k+1 exchange configurations with
 * probability min(1, e^{(β_{k+1} − β_k)(E_{k+1} − E_k)}). Observables are those
 * of the replica currently at the target β. `diagnostics.swapRates[k]` is the
 * acceptance of swaps between rungs k and k+1; `diagnostics.energyPerSpinByBeta`
 * the mean energy per spin at every rung over the recorded sweeps.
 */
export function parallelTempering(system: SpinSystem, options: ParallelTemperingOptions): SamplerResult {
  const where = "parallelTempering";
  checkSpinSystem(system, where);
  const o = resolveSamplerOptions(options as SamplerOptions, system.n, where, ["betas", "swapEvery"], false);
  if (options.betas === undefined || options.betas === null || typeof options.betas.length !== "number" || options.betas.length < 2) {
    throw new Error(`${where}: betas must be an array of at least 2 inverse temperatures`);
  }
  const betas = Float64Array.from(options.betas);
  const R = betas.length;
  for (let k = 0; k < R; k++) {
    checkPositive(betas[k], `betas[${k}]`, where);
    if (k > 0 && !(betas[k] > betas[k - 1])) throw new Error(`${where}: betas must be strictly increasing (betas[${k}] = ${betas[k]} ≤ ${betas[k - 1]})`);
  }
  const target = options.beta === undefined ? R - 1 : betas.indexOf(checkNumber(options.beta, "beta", where));
  if (target < 0) throw new Error(`${where}: beta = ${options.beta} is not on the ladder betas`);
  const swapEvery = options.swapEvery === undefined ? 1 : checkInteger(options.swapEvery, "swapEvery", where, { min: 1 });
  const state = new SpinChains(system, o.chains * R);
  // rung[c·R + k] = replica currently at rung k of chain c
  const rung = new Int32Array(o.chains * R);
  for (let q = 0; q < rung.length; q++) rung[q] = q;
  initChains(state, o, (c) => Array.from({ length: R }, (_, k) => c * R + k));
  const rec = new Recorder(SPIN_OBSERVABLES, o.recorded, o.chains, system.n, o.keepSamples);
  const total = o.burnIn + o.sweeps;
  const bar = sweepProgress(total, where, o.progress, system.n * o.chains * R);
  const rng = o.rng;
  const swapTried = new Float64Array(R - 1);
  const swapDone = new Float64Array(R - 1);
  const accByRung = new Float64Array(R);
  const eSum = new Float64Array(R);
  let eCount = 0;
  const t0 = performance.now();
  for (let t = 1; t <= total; t++) {
    for (let c = 0; c < o.chains; c++) {
      const base = c * R;
      for (let k = 0; k < R; k++) accByRung[k] += state.metropolisSweep(rung[base + k], betas[k], rng);
      if (t % swapEvery === 0) {
        for (let k = 0; k < R - 1; k++) {
          const a = rung[base + k];
          const b = rung[base + k + 1];
          const delta = (betas[k + 1] - betas[k]) * (state.energy[b] - state.energy[a]);
          swapTried[k]++;
          if (delta >= 0 || rng.uniform() < Math.exp(delta)) {
            rung[base + k] = b;
            rung[base + k + 1] = a;
            swapDone[k]++;
          }
        }
      }
    }
    if (t > o.burnIn && (t - o.burnIn) % o.thin === 0 && rec.count < o.recorded) {
      for (let c = 0; c < o.chains; c++) {
        record(state, rec, c, rung[c * R + target]);
        for (let k = 0; k < R; k++) eSum[k] += state.energy[rung[c * R + k]] / system.n;
      }
      eCount += o.chains;
      rec.next();
    }
    bar.tick(t);
  }
  const elapsedMs = performance.now() - t0;
  const attempts = total * o.chains * R * system.n;
  const swapRates = Array.from(swapTried, (v, k) => (v > 0 ? swapDone[k] / v : NaN));
  bar.done(`min swap rate ${Math.min(...swapRates).toFixed(3)}`);
  return {
    final: finalOf(state, o.chains, (c) => rung[c * R + target]),
    chains: o.chains,
    size: system.n,
    samples: rec.samples,
    recorded: rec.count,
    observables: rec.observables,
    acceptance: accByRung[target] / (total * o.chains * system.n),
    diagnostics: {
      sampler: "parallelTempering",
      betas: Array.from(betas),
      targetBeta: betas[target],
      swapRates,
      acceptanceByBeta: Array.from(accByRung, (a) => a / (total * o.chains * system.n)),
      energyPerSpinByBeta: Array.from(eSum, (e) => (eCount > 0 ? e / eCount : NaN)),
      sweepsPerStep: 1,
    },
    updatesPerSecond: attempts / (elapsedMs / 1000),
    elapsedMs,
  };
}
