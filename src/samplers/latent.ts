/**
 * Latent-space Monte Carlo for normalizing flows / Boltzmann generators:
 * random-walk Metropolis in the latent variable z on
 *   E_eff(z) = β E(f(z)) − ln|det ∂f/∂z|,
 * whose Boltzmann factor e^{−E_eff} is the pull-back of e^{−βE(x)} through
 * x = f(z). A good flow makes E_eff nearly a standard quadratic, so simple
 * steps in z become large, well-accepted moves in x (e.g. between wells).
 * `LatentChainState` holds z, x = f(z), E and E_eff of every chain;
 * `latentRandomWalkMove` is the move, run by the one Monte Carlo loop.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import type { Rng } from "../core/random";
import { checkInteger, checkPositive } from "../core/validate";
import type { ContinuousSystem } from "../systems/types";
import { resolveSamplerOptions, type Recorder } from "./common";
import { runChains, type ChainState, type Move } from "./driver";
import type { SamplerOptions, SamplerResult } from "./types";

/**
 * The part of the flow contract (src/flows `Flow`) latent MC needs:
 * x = f(z) with ln|det ∂x/∂z|, and optionally the inverse for `initial`.
 */
export interface LatentFlow {
  readonly dim: number;
  forward(z: tf.Tensor2D): { x: tf.Tensor2D; logDet: tf.Tensor1D };
  inverse?(x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D };
}

export interface LatentMcOptions extends SamplerOptions {
  /** The trained flow x = f(z). */
  flow: LatentFlow;
  /** Gaussian random-walk step in z (default 0.5). */
  stepSize?: number;
  /** Starting latent points [chains × dim] (default: standard normal; `initial` gives x-space points, mapped by the inverse). */
  initialLatent?: ArrayLike<number>;
}

/** Record coordinates as observables x0, x1, ... up to this dimension. */
const MAX_COORD_OBSERVABLES = 8;

/** x = f(z) and ln|det ∂x/∂z| of a batch of latent points, in float64 (tensors freed). */
function forwardBatch(flow: LatentFlow, z: Float64Array, chains: number, dim: number): { x: Float64Array; logDet: Float64Array } {
  const out = tf.tidy(() => {
    const r = flow.forward(tf.tensor2d(Float32Array.from(z), [chains, dim]));
    return [r.x, r.logDet] as [tf.Tensor2D, tf.Tensor1D];
  });
  try {
    return { x: Float64Array.from(out[0].dataSync()), logDet: Float64Array.from(out[1].dataSync()) };
  } finally {
    tf.dispose(out);
  }
}

/** Chains in latent space. Observables: `energy` E(x) (not per degree of freedom) and the coordinates x0, x1, ... (dim ≤ 8); samples are x-space points. */
export class LatentChainState implements ChainState {
  readonly chains: number;
  readonly size: number;
  readonly observableNames: readonly string[];
  version = 0;
  readonly z: Float64Array;
  readonly x: Float64Array;
  readonly energy: Float64Array;
  /** E_eff = βE(x) − ln|det ∂f/∂z| per chain. */
  readonly eEff: Float64Array;

  /** Start from latent points z [chains × dim] (taken over); throws naming a chain whose E_eff is not finite. */
  constructor(readonly system: ContinuousSystem, readonly flow: LatentFlow, readonly beta: number, chains: number, z: Float64Array, where: string) {
    this.chains = chains;
    const dim = system.dim;
    this.size = dim;
    this.z = z;
    const cur = forwardBatch(flow, z, chains, dim);
    this.x = cur.x;
    this.energy = new Float64Array(chains);
    this.eEff = new Float64Array(chains);
    for (let c = 0; c < chains; c++) {
      this.energy[c] = system.energyOf(this.x.subarray(c * dim, (c + 1) * dim));
      this.eEff[c] = beta * this.energy[c] - cur.logDet[c];
      if (!Number.isFinite(this.eEff[c])) throw new Error(`${where}: the starting point of chain ${c} has non-finite effective energy`);
    }
    this.observableNames = ["energy", ...(dim <= MAX_COORD_OBSERVABLES ? Array.from({ length: dim }, (_, d) => `x${d}`) : [])];
  }

  record(rec: Recorder): void {
    const dim = this.size;
    const coords = this.observableNames.length - 1;
    for (let c = 0; c < this.chains; c++) {
      const slot = rec.slot(c);
      rec.observables.energy[slot] = this.energy[c];
      for (let d = 0; d < coords; d++) rec.observables[this.observableNames[d + 1]][slot] = this.x[c * dim + d];
      if (rec.samples !== null) rec.samples.set(this.x.subarray(c * dim, (c + 1) * dim), rec.sampleOffset(c));
    }
  }

  final(): Float64Array {
    return Float64Array.from(this.x);
  }

  diagnostics(): Record<string, unknown> {
    return { finalLatent: Float64Array.from(this.z) };
  }
}

/**
 * Random-walk Metropolis in z: one proposal z′ = z + σξ per chain, all
 * chains through the flow in one batch, accepted with min(1, e^{E_eff(z) − E_eff(z′)}).
 */
export function latentRandomWalkMove(options: { stepSize: number }): Move<LatentChainState> {
  const step = options.stepSize;
  let zNew = new Float64Array(0);
  let accepted = 0;
  let proposals = 0;
  return {
    name: "latentRandomWalk",
    init(state) {
      zNew = new Float64Array(state.chains * state.size);
      accepted = 0;
      proposals = 0;
    },
    cost: (state) => 50 * state.chains,
    step(state, rng: Rng) {
      const { z, x, energy, eEff, system, flow, beta, chains } = state;
      const dim = state.size;
      for (let k = 0; k < zNew.length; k++) zNew[k] = z[k] + step * rng.normal();
      const prop = forwardBatch(flow, zNew, chains, dim);
      let changed = false;
      for (let c = 0; c < chains; c++) {
        const e = system.energyOf(prop.x.subarray(c * dim, (c + 1) * dim));
        const eff = beta * e - prop.logDet[c];
        const logA = eEff[c] - eff;
        if (Number.isFinite(eff) && (logA >= 0 || rng.uniform() < Math.exp(logA))) {
          for (let d = 0; d < dim; d++) {
            z[c * dim + d] = zNew[c * dim + d];
            x[c * dim + d] = prop.x[c * dim + d];
          }
          energy[c] = e;
          eEff[c] = eff;
          accepted++;
          changed = true;
        }
      }
      proposals += chains;
      if (changed) state.version++;
    },
    report() {
      const acceptance = accepted / proposals;
      return { acceptance, updates: proposals, diagnostics: { stepSize: step, sweepsPerStep: 1 }, summary: `acceptance ${acceptance.toFixed(3)}` };
    },
  };
}

/**
 * Latent-space Metropolis. One step ("sweep") is one proposal z′ = z + σξ
 * per chain, all chains through the flow in one batch. Observables per
 * record: `energy` E(x) (not per degree of freedom) and the coordinates
 * x0, x1, ... (dim ≤ 8); samples are x-space points.
 */
export function latentMc(system: ContinuousSystem, options: LatentMcOptions): SamplerResult {
  const where = "latentMc";
  if (system === null || typeof system !== "object" || system.kind !== "continuous") throw new Error(`${where}: system must be a ContinuousSystem (kind "continuous")`);
  const dim = system.dim;
  const o = resolveSamplerOptions(options, dim, where, ["flow", "stepSize", "initialLatent"]);
  const flow = options.flow;
  if (flow === null || typeof flow !== "object" || typeof flow.forward !== "function") throw new Error(`${where}: flow must be a Flow with forward(z) → {x, logDet}`);
  checkInteger(flow.dim, "flow.dim", where);
  if (flow.dim !== dim) throw new Error(`${where}: flow.dim = ${flow.dim} does not match system.dim = ${dim}`);
  const step = options.stepSize === undefined ? 0.5 : checkPositive(options.stepSize, "stepSize", where);
  ensureBackend();
  const C = o.chains;
  const rng = o.rng;
  const z = new Float64Array(C * dim);
  if (options.initialLatent !== undefined) {
    if (o.initial !== null) throw new Error(`${where}: give either initial (x) or initialLatent (z), not both`);
    if (options.initialLatent === null || options.initialLatent.length !== C * dim) throw new Error(`${where}: initialLatent must have chains × dim = ${C * dim} entries`);
    z.set(Array.from(options.initialLatent));
  } else if (o.initial !== null) {
    if (typeof flow.inverse !== "function") throw new Error(`${where}: initial (x-space) needs flow.inverse; give initialLatent instead`);
    const zt = tf.tidy(() => flow.inverse!(tf.tensor2d(Float32Array.from(o.initial!), [C, dim])).z);
    z.set(zt.dataSync());
    zt.dispose();
  } else {
    for (let k = 0; k < z.length; k++) z[k] = rng.normal();
  }
  const state = new LatentChainState(system, flow, o.beta, C, z, where);
  return runChains(state, latentRandomWalkMove({ stepSize: step }), {
    label: where,
    total: o.burnIn + o.sweeps,
    burnIn: o.burnIn,
    thin: o.thin,
    keepSamples: o.keepSamples,
    progress: o.progress,
    rng,
  });
}
