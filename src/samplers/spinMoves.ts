/**
 * Moves on spin chains (`SpinChainState`), each one `Move` for the driver:
 *
 * - `metropolisMove`: single-spin-flip Metropolis sweeps, sites in order,
 *   flip with probability min(1, e^{−βΔE});
 * - `heatBathMove`: heat-bath (Gibbs) sweeps, s_i redrawn from
 *   P(s_i = +1) = 1/(1 + e^{−2β h_i});
 * - `wolffMove`: one Wolff cluster flip (ferromagnetic couplings, no fields);
 * - `replicaSwapMove`: parallel-tempering exchange of neighbouring rungs k,
 *   k+1 with probability min(1, e^{(β_{k+1} − β_k)(E_{k+1} − E_k)}).
 *
 * Local moves and Wolff act on every replica at the β of its rung. The
 * kernels are the typed-array loops of `SpinChains`.
 */
import type { Rng } from "../core/random";
import { checkInteger } from "../core/validate";
import type { Move, MoveReport } from "./driver";
import type { SpinChainState } from "./spinState";

export interface LocalMoveOptions {
  /** Sweeps of every replica per step (default 1). */
  sweeps?: number;
}

function localMove(kind: "metropolis" | "heatBath", options: LocalMoveOptions = {}): Move<SpinChainState> {
  const where = `${kind}Move`;
  const per = options.sweeps === undefined ? 1 : checkInteger(options.sweeps, "sweeps", where, { min: 1 });
  let acc = new Float64Array(1);
  let steps = 0;
  return {
    name: kind,
    init(state) {
      acc = new Float64Array(state.R);
      steps = 0;
    },
    cost: (state) => state.size * state.chains * state.R * per,
    step(state, rng: Rng) {
      const { spins, betas, rung, R, chains } = state;
      let changed = 0;
      if (R === 1) {
        const beta = betas[0];
        for (let c = 0; c < chains; c++) {
          for (let s = 0; s < per; s++) changed += kind === "metropolis" ? spins.metropolisSweep(c, beta, rng) : spins.heatBathSweep(c, beta, rng);
        }
        acc[0] += changed;
      } else {
        for (let c = 0; c < chains; c++) {
          for (let k = 0; k < R; k++) {
            const r = rung[c * R + k];
            let a = 0;
            for (let s = 0; s < per; s++) a += kind === "metropolis" ? spins.metropolisSweep(r, betas[k], rng) : spins.heatBathSweep(r, betas[k], rng);
            acc[k] += a;
            changed += a;
          }
        }
      }
      if (changed > 0) state.version++;
      steps++;
    },
    report(state): MoveReport {
      const perRung = steps * state.chains * state.size * per;
      const acceptance = perRung > 0 ? acc[state.target] / perRung : NaN;
      const diagnostics: Record<string, unknown> = { integerPath: state.spins.info.integer, sweepsPerStep: per };
      if (state.R > 1) diagnostics.acceptanceByBeta = Array.from(acc, (a) => (perRung > 0 ? a / perRung : NaN));
      return { acceptance, updates: perRung * state.R, diagnostics, summary: `acceptance ${acceptance.toFixed(3)}` };
    },
  };
}

/** Single-spin-flip Metropolis sweeps (n attempts, sites in order); `acceptance` is the fraction of accepted flips at the target rung. */
export function metropolisMove(options: LocalMoveOptions = {}): Move<SpinChainState> {
  return localMove("metropolis", options);
}

/** Heat-bath sweeps; `acceptance` is the fraction of updates that changed the spin. */
export function heatBathMove(options: LocalMoveOptions = {}): Move<SpinChainState> {
  return localMove("heatBath", options);
}

/**
 * One Wolff cluster flip per replica and step. `init` refuses
 * antiferromagnetic couplings and fields, naming the offending edge.
 * `acceptance` is the mean cluster size / n, and `sweepsPerStep` the same
 * number (a cluster flip of |C| spins is worth |C|/n sweeps).
 */
export function wolffMove(): Move<SpinChainState> {
  let flipped = 0;
  let clusters = 0;
  return {
    name: "wolff",
    init(state, where) {
      const info = state.spins.info;
      const system = state.system;
      if (info.firstNegative !== null) {
        const e = info.firstNegative;
        throw new Error(`${where}: Wolff cluster updates need ferromagnetic couplings (all J_ij ≥ 0); ${system.name} has J = ${e.J} on edge (${e.i}, ${e.j}). Use metropolis, heatBath or parallelTempering instead.`);
      }
      if (info.hasFields) {
        throw new Error(`${where}: Wolff cluster updates need zero fields; ${system.name} has nonzero fields h_i. Use metropolis or heatBath instead.`);
      }
      flipped = 0;
      clusters = 0;
    },
    cost: (state) => 0.1 * state.size * state.chains * state.R,
    step(state, rng) {
      const { spins, betas, rung, R, chains } = state;
      for (let c = 0; c < chains; c++) for (let k = 0; k < R; k++) flipped += spins.wolffStep(R === 1 ? c : rung[c * R + k], betas[k], rng);
      clusters += chains * R;
      state.version++;
    },
    report(state, elapsedMs) {
      const meanClusterSize = flipped / clusters;
      return {
        acceptance: meanClusterSize / state.size,
        updates: flipped,
        diagnostics: { meanClusterSize, sweepsPerStep: meanClusterSize / state.size, clustersPerSecond: clusters / (elapsedMs / 1000) },
        summary: `mean cluster ${meanClusterSize.toFixed(1)}`,
      };
    },
  };
}

/**
 * Replica exchange between neighbouring rungs of every chain's ladder (the
 * state needs R ≥ 2). Swaps move rung labels, not spins. `acceptance` is the
 * mean swap rate; `diagnostics.swapRates[k]` that of rungs k, k+1.
 */
export function replicaSwapMove(): Move<SpinChainState> {
  let tried = new Float64Array(0);
  let done = new Float64Array(0);
  return {
    name: "replicaSwap",
    init(state, where) {
      if (state.R < 2) throw new Error(`${where}: replica swaps need a β ladder of at least 2 rungs`);
      tried = new Float64Array(state.R - 1);
      done = new Float64Array(state.R - 1);
    },
    cost: (state) => state.chains * state.R,
    step(state, rng) {
      const { spins, betas, rung, R, chains } = state;
      const energy = spins.energy;
      for (let c = 0; c < chains; c++) {
        const base = c * R;
        for (let k = 0; k < R - 1; k++) {
          const a = rung[base + k];
          const b = rung[base + k + 1];
          const delta = (betas[k + 1] - betas[k]) * (energy[b] - energy[a]);
          tried[k]++;
          if (delta >= 0 || rng.uniform() < Math.exp(delta)) {
            rung[base + k] = b;
            rung[base + k + 1] = a;
            done[k]++;
          }
        }
      }
    },
    report() {
      const swapRates = Array.from(tried, (v, k) => (v > 0 ? done[k] / v : NaN));
      let t = 0;
      let d = 0;
      for (let k = 0; k < tried.length; k++) (t += tried[k]), (d += done[k]);
      return {
        acceptance: t > 0 ? d / t : NaN,
        updates: 0,
        diagnostics: { swapRates, sweepsPerStep: 0 },
        summary: `min swap rate ${Math.min(...swapRates).toFixed(3)}`,
      };
    },
  };
}
