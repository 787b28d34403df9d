/**
 * Classical Monte Carlo for spin systems on typed arrays, many chains at once:
 * single-spin-flip Metropolis and heat bath with incremental local fields,
 * Wolff cluster updates for ferromagnets, and parallel tempering over a β
 * ladder. Each is a move (src/samplers/spinMoves.ts) run by the one loop
 * (`runChains`, src/samplers/driver.ts); `runSpinMove` runs any spin move,
 * including your own. All share `SamplerOptions` → `SamplerResult`;
 * observables per recorded step are energyPerSpin, magnetizationPerSpin and
 * absMagnetizationPerSpin, each [recorded × chains].
 */
import { checkInteger, checkNumber, checkPositive } from "../core/validate";
import type { SpinSystem } from "../systems/types";
import { resolveSamplerOptions, type ResolvedSamplerOptions } from "./common";
import { every, runResolved, sequence, type Move } from "./driver";
import { heatBathMove, metropolisMove, replicaSwapMove, wolffMove } from "./spinMoves";
import { SpinChainState, type SpinLadder } from "./spinState";
import type { SamplerOptions, SamplerResult } from "./types";

export { SPIN_OBSERVABLES } from "./spinState";

export function checkSpinSystem(system: SpinSystem, where: string): void {
  if (system === null || typeof system !== "object" || system.kind !== "spin") {
    throw new Error(`${where}: system must be a SpinSystem (kind "spin")`);
  }
  checkInteger(system.n, "system.n", where, { min: 1 });
}

/** Build the chains (not yet initialised), let the move check them, start them from `initial` or at random, and run the loop. */
function runOnLadder(system: SpinSystem, move: Move<SpinChainState>, o: ResolvedSamplerOptions, ladder: SpinLadder, label: string): SamplerResult {
  const state = new SpinChainState(system, o.chains, ladder);
  // the move's own checks (e.g. Wolff's ferromagnet test) run first, then the chains draw their starting points
  return runResolved(state, move, o, label);
}

/**
 * Run any move on spin chains at one β, with the shared `SamplerOptions`
 * (chains, burn-in, thinning, recording, progress, seed, `initial`). This is
 * how a new spin Monte Carlo move is used: write one `Move<SpinChainState>`
 * and pass it here. `label` names the sampler in errors, the progress bar and
 * `diagnostics.sampler` (default "runSpinMove").
 */
export function runSpinMove(system: SpinSystem, move: Move<SpinChainState>, options: SamplerOptions, label = "runSpinMove"): SamplerResult {
  checkSpinSystem(system, label);
  if (move === null || typeof move !== "object" || typeof move.step !== "function" || typeof move.report !== "function") {
    throw new Error(`${label}: move must be a Move (with step, cost and report)`);
  }
  const o = resolveSamplerOptions(options, system.n, label);
  return runOnLadder(system, move, o, { betas: Float64Array.of(o.beta), target: 0 }, label);
}

/**
 * Single-spin-flip Metropolis: each sweep visits the n sites in order and
 * flips s_i with probability min(1, e^{−βΔE}). `acceptance` is the fraction of
 * accepted flips. Integer couplings and fields use precomputed tables.
 */
export function metropolis(system: SpinSystem, options: SamplerOptions): SamplerResult {
  return runSpinMove(system, metropolisMove(), options, "metropolis");
}

/**
 * Heat bath (Gibbs): each sweep redraws every s_i in order from its
 * conditional P(s_i = +1) = 1/(1 + e^{−2β h_i}). `acceptance` is the fraction
 * of updates that changed the spin.
 */
export function heatBath(system: SpinSystem, options: SamplerOptions): SamplerResult {
  return runSpinMove(system, heatBathMove(), options, "heatBath");
}

/**
 * Wolff single-cluster updates for ferromagnets (all J_ij ≥ 0, no fields).
 * Here one "sweep" of `SamplerOptions` is one cluster flip; `acceptance` is
 * the mean cluster size / n, and `diagnostics.sweepsPerStep` (= the same
 * number) converts times in cluster steps to single-spin sweeps.
 */
export function wolff(system: SpinSystem, options: SamplerOptions): SamplerResult {
  return runSpinMove(system, wolffMove(), options, "wolff");
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
 * the mean energy per spin at every rung over the recorded sweeps. The move is
 * `sequence([metropolisMove(), every(replicaSwapMove(), swapEvery)])`.
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
  const move = sequence([metropolisMove(), every(replicaSwapMove(), swapEvery)], { name: "parallelTempering" });
  return runOnLadder(system, move, o, { betas, target }, where);
}
