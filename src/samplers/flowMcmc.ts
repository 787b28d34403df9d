/**
 * Flow-based MCMC (Albergo, Kanwar, Shanahan 2019): independence
 * Metropolis–Hastings on a continuous system with a normalised model q (a
 * trained Boltzmann generator) as the proposal. Every chain proposes
 * x′ ~ q, independent of its state x, and accepts with
 *
 *   min(1, e^{−β(E(x′) − E(x))} q(x) / q(x′)),
 *
 * which leaves e^{−βE} invariant for any q with full support; how fast it
 * mixes depends only on how close q is to the target (the acceptance rate and
 * τ_int measure it). Proposals do not depend on the state, so they are drawn
 * from the model in batches (x and ln q of the forward pass, never re-evaluated
 * by the inverse, so ln q of a state is exactly the one it was proposed with).
 * The chains start from model samples. Run by the Monte Carlo driver.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { checkInteger, checkKeys, checkPositive } from "../core/validate";
import { resolveRng, type Rng } from "../core/random";
import type { GenerativeModel } from "../models/types";
import type { ContinuousSystem } from "../systems/types";
import { runChains, sequence, type Move } from "./driver";
import { hmcMove, type HmcMoveOptions } from "./hmc";
import { FieldChainState, type PointState } from "./fieldState";
import { checkModel, modelLogProb } from "./modelAccess";
import type { SamplerOptions, SamplerResult } from "./types";

/** `batch` model samples as float64 arrays; frees every tensor of the sample (a Boltzmann generator's also carries z). */
function drawProposals(model: GenerativeModel, batch: number, rng: Rng): { x: Float64Array; logProb: Float64Array } {
  ensureBackend();
  const s = model.sample(batch, { rng }) as unknown as Record<string, unknown> & { x: tf.Tensor; logProb: tf.Tensor };
  try {
    return { x: Float64Array.from(s.x.dataSync()), logProb: Float64Array.from(s.logProb.dataSync()) };
  } finally {
    tf.dispose(Object.values(s).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
  }
}

export interface FlowProposalOptions {
  /** The proposal q: a normalised model of x ∈ R^dim (e.g. a BoltzmannGenerator). */
  model: GenerativeModel;
  /** Proposals drawn per call of the model (default max(chains, 256), rounded down to whole steps). */
  batchSize?: number;
}

export interface FlowProposalMove extends Move<PointState> {
  /** ln q of the chains' current points, when they were drawn from the model (so the first step need not evaluate it). */
  setLogProb(state: PointState, logProb: ArrayLike<number>): void;
}

/** Independence MH with proposal q on continuous chains; diagnostics: longest rejection run, proposals per second. */
export function flowProposalMove(options: FlowProposalOptions): FlowProposalMove {
  const where = "flowProposalMove";
  if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
  checkKeys(options, ["model", "batchSize"], where);
  const model = options.model;
  const batchOpt = options.batchSize === undefined ? undefined : checkInteger(options.batchSize, "batchSize", where, { min: 1 });
  let logq = new Float64Array(0);
  let run = new Int32Array(0);
  let seen = -1;
  let pool: { x: Float64Array; logProb: Float64Array } | null = null;
  let stepsPerBatch = 1;
  let used = 0;
  let accepted = 0, proposals = 0, maxRun = 0, modelMs = 0;
  const allocate = (state: PointState) => {
    if (logq.length === state.chains) return;
    logq = new Float64Array(state.chains);
    run = new Int32Array(state.chains);
    stepsPerBatch = Math.max(1, Math.floor((batchOpt ?? Math.max(state.chains, 256)) / state.chains));
    used = stepsPerBatch;
  };
  return {
    name: "flow",
    setLogProb(state, logProb) {
      allocate(state);
      logq.set(logProb);
      seen = state.version;
    },
    init(state, label) {
      checkModel(model, state.size, label);
      logq = new Float64Array(0);
      allocate(state);
      seen = -1;
      pool = null;
      accepted = proposals = maxRun = modelMs = 0;
    },
    cost: (state) => 0.01 * state.size * state.chains,
    step(state, rng: Rng) {
      const { x, energy, system, beta, chains } = state;
      const d = state.size;
      if (seen !== state.version) logq.set(modelLogProb(model, x, chains));
      if (used === stepsPerBatch) {
        const t0 = performance.now();
        pool = drawProposals(model, stepsPerBatch * chains, rng);
        modelMs += performance.now() - t0;
        used = 0;
      }
      const p = pool!;
      let changed = false;
      for (let c = 0; c < chains; c++) {
        const slot = used * chains + c;
        const xNew = p.x.subarray(slot * d, (slot + 1) * d);
        const eNew = system.energyOf(xNew);
        const logA = -beta * (eNew - energy[c]) + logq[c] - p.logProb[slot];
        if (Number.isFinite(logA) && (logA >= 0 || rng.uniform() < Math.exp(logA))) {
          x.set(xNew, c * d);
          energy[c] = eNew;
          logq[c] = p.logProb[slot];
          accepted++;
          run[c] = 0;
          changed = true;
        } else if (++run[c] > maxRun) maxRun = run[c];
      }
      used++;
      proposals += chains;
      if (changed) state.version++;
      seen = state.version;
    },
    status: () => `acc ${(accepted / Math.max(1, proposals)).toFixed(3)}`,
    report(_state, elapsedMs) {
      const acceptance = accepted / proposals;
      return {
        acceptance,
        updates: proposals,
        diagnostics: { kind: "flowMcmc", longestRejectionRun: maxRun, proposalsPerSecond: proposals / (elapsedMs / 1000), modelSeconds: modelMs / 1000 },
        summary: `acceptance ${acceptance.toFixed(3)}`,
      };
    },
  };
}

export interface FlowMcmcOptions extends Omit<SamplerOptions, "initial"> {
  /** The proposal: a normalised model with `size` = system.dim (a trained BoltzmannGenerator). */
  model: GenerativeModel;
  /** Proposals drawn per model call (default max(chains, 256)). */
  batchSize?: number;
  /**
   * Also one HMC trajectory per step after the flow proposal (options of `hmcMove`;
   * `tuneSteps` defaults to burnIn). Local moves reach what a mode-seeking flow
   * under-covers (e.g. φ⁴ fields near M = 0), which the independence chain alone
   * visits too rarely in a finite run. Default: none.
   */
  hmc?: HmcMoveOptions;
}

const KEYS = ["beta", "sweeps", "chains", "burnIn", "thin", "keepSamples", "progress", "seed", "rng", "model", "batchSize", "hmc"];

/**
 * Flow-based MCMC on a continuous system; `sweeps` counts proposals per chain,
 * burn-in included. Observables: `energy`, `x0` and the system's
 * `observables` (for φ⁴: action, magnetization, absMagnetization, phi2), with
 * τ_int in proposals. Diagnostics: longest rejection run, proposals/s, time in the model.
 */
export function flowMcmc(system: ContinuousSystem, options: FlowMcmcOptions): SamplerResult {
  const where = "flowMcmc";
  if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
  checkKeys(options, KEYS, where);
  if (system === undefined || system === null || typeof system.energyOf !== "function") throw new Error(`${where}: system must be a ContinuousSystem`);
  const model = checkModel(options.model, system.dim, where);
  const beta = checkPositive(options.beta, "beta", where);
  const steps = checkInteger(options.sweeps, "sweeps", where, { min: 1 });
  const chains = options.chains === undefined ? 1 : checkInteger(options.chains, "chains", where, { min: 1 });
  const burnIn = options.burnIn === undefined ? 0 : checkInteger(options.burnIn, "burnIn", where, { min: 0 });
  const thin = options.thin === undefined ? 1 : checkInteger(options.thin, "thin", where, { min: 1 });
  if (burnIn >= steps) throw new Error(`${where}: burnIn (${burnIn}) must be < sweeps (${steps})`);
  if (options.keepSamples !== undefined && typeof options.keepSamples !== "boolean") throw new Error(`${where}: keepSamples must be a boolean`);
  if (options.progress !== undefined && typeof options.progress !== "boolean") throw new Error(`${where}: progress must be a boolean`);
  if (options.hmc !== undefined && (options.hmc === null || typeof options.hmc !== "object")) throw new Error(`${where}: hmc must be an object of hmcMove options`);
  const move = flowProposalMove({ model, batchSize: options.batchSize });
  const local = options.hmc === undefined ? null : hmcMove({ tuneSteps: burnIn, ...options.hmc });
  const rng = resolveRng(options, where);
  // start every chain from a model sample, with its ln q
  const start = drawProposals(model, chains, rng);
  const state = new FieldChainState(system, beta, chains, start.x, where);
  return runChains(state, local === null ? move : sequence<typeof state>([move, local], { name: "flow+hmc" }), {
    label: where,
    total: steps,
    burnIn,
    thin,
    keepSamples: options.keepSamples === true,
    progress: options.progress,
    rng,
    prepare: () => move.setLogProb(state, start.logProb),
  });
}
