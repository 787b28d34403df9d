/**
 * The neural independence proposal as a move on spin chains: every replica
 * proposes x′ ~ q, independent of its current state x, and accepts with the
 * Metropolis–Hastings probability min(1, e^{−β(E(x′) − E(x))} q(x) / q(x′)).
 * Exact for any q with full support, however poor (it then only mixes
 * slowly). Proposals do not depend on the state, so they are drawn from the
 * model in batches ahead of use. The move caches ln q of every replica's
 * configuration; when another move changed the configurations (the state's
 * `version` moved, e.g. after local sweeps) it re-evaluates ln q before its
 * next proposal.
 */
import type { Rng } from "../core/random";
import { checkInteger } from "../core/validate";
import type { GenerativeModel } from "../models/types";
import type { Move } from "./driver";
import { drawFromModel, modelLogProb } from "./modelAccess";
import type { SpinChainState } from "./spinState";

export interface NeuralProposalOptions {
  /** The proposal q (a trained VAN, or any normalised model of ±1 spins with `size` = n). */
  model: GenerativeModel;
  /** Proposals drawn per call of the model (default max(replicas, 256), rounded down to whole steps). */
  batchSize?: number;
}

export interface NeuralProposalMove extends Move<SpinChainState> {
  /** Give ln q of the current configurations (e.g. from the model sample they were drawn as), so the first step need not evaluate it. */
  setLogProb(state: SpinChainState, logProb: ArrayLike<number>): void;
}

/**
 * Independence Metropolis–Hastings with proposal q. `acceptance` is the
 * fraction of accepted proposals; diagnostics: the longest run of rejections
 * of any replica, proposals per second, and `sweepsPerStep` 1 (a proposal of
 * a whole configuration counts as one sweep).
 */
export function neuralProposalMove(options: NeuralProposalOptions): NeuralProposalMove {
  const where = "neuralProposalMove";
  const model = options.model;
  const batchOpt = options.batchSize === undefined ? undefined : checkInteger(options.batchSize, "batchSize", where, { min: 1 });
  let logq = new Float64Array(0);
  let seen = -1;
  let current = new Float64Array(0);
  let run = new Int32Array(0);
  let pool: { x: Float64Array; logProb: Float64Array } | null = null;
  let stepsPerBatch = 1;
  let used = 0;
  let accepted = 0;
  let proposals = 0;
  let maxRun = 0;
  const allocate = (state: SpinChainState) => {
    const Q = state.chains * state.R;
    if (logq.length === Q) return;
    logq = new Float64Array(Q);
    current = new Float64Array(Q * state.size);
    run = new Int32Array(Q);
    stepsPerBatch = Math.max(1, Math.floor((batchOpt ?? Math.max(Q, 256)) / Q));
    used = stepsPerBatch;
  };
  return {
    name: "neural",
    setLogProb(state, logProb) {
      allocate(state);
      logq.set(logProb);
      seen = state.version;
    },
    init(state, label) {
      if (model.size !== state.size) throw new Error(`${label}: model.size = ${model.size} does not match the system size ${state.size}`);
      // a move object may be reused for another run: start from nothing
      logq = new Float64Array(0);
      allocate(state);
      seen = -1;
      pool = null;
      accepted = 0;
      proposals = 0;
      maxRun = 0;
    },
    cost: (state) => 0.01 * state.size * state.chains * state.R,
    step(state, rng: Rng) {
      const { spins, betas, rung, R, chains, system } = state;
      const n = state.size;
      const Q = chains * R;
      if (seen !== state.version) {
        // another move changed the configurations: their ln q is needed for the acceptance ratio
        for (let r = 0; r < Q; r++) spins.copyOut(r, current, r * n);
        logq.set(modelLogProb(model, current, Q));
      }
      if (used === stepsPerBatch) {
        pool = drawFromModel(model, stepsPerBatch * Q, rng);
        used = 0;
      }
      const p = pool!;
      let changed = false;
      for (let c = 0; c < chains; c++) {
        for (let k = 0; k < R; k++) {
          const r = rung[c * R + k];
          const slot = used * Q + c * R + k;
          const row = slot * n;
          const eNew = system.energyOf(p.x.subarray(row, row + n));
          const logA = -betas[k] * (eNew - spins.energy[r]) + logq[r] - p.logProb[slot];
          if (logA >= 0 || rng.uniform() < Math.exp(logA)) {
            spins.set(r, p.x, row);
            logq[r] = p.logProb[slot];
            accepted++;
            run[r] = 0;
            changed = true;
          } else if (++run[r] > maxRun) maxRun = run[r];
        }
      }
      used++;
      proposals += Q;
      if (changed) state.version++;
      seen = state.version;
    },
    status: () => `acc ${(accepted / proposals).toFixed(3)}`,
    report(_state, elapsedMs) {
      const acceptance = accepted / proposals;
      return {
        acceptance,
        updates: proposals,
        diagnostics: { longestRejectionRun: maxRun, proposalsPerSecond: proposals / (elapsedMs / 1000), sweepsPerStep: 1 },
        summary: `acceptance ${acceptance.toFixed(3)}`,
      };
    },
  };
}
