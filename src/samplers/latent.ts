/**
 * Latent-space Monte Carlo for normalizing flows / Boltzmann generators:
 * random-walk Metropolis in the latent variable z on
 *   E_eff(z) = β E(f(z)) − ln|det ∂f/∂z|,
 * whose Boltzmann factor e^{−E_eff} is the pull-back of e^{−βE(x)} through
 * x = f(z). A good flow makes E_eff nearly a standard quadratic, so simple
 * steps in z become large, well-accepted moves in x (e.g. between wells).
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { checkInteger, checkPositive } from "../core/validate";
import type { ContinuousSystem } from "../systems/types";
import { Recorder, resolveSamplerOptions, sweepProgress } from "./common";
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
  const beta = o.beta;
  const cur = forwardBatch(flow, z, C, dim);
  const x = cur.x;
  const energy = new Float64Array(C);
  const eEff = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    energy[c] = system.energyOf(x.subarray(c * dim, (c + 1) * dim));
    eEff[c] = beta * energy[c] - cur.logDet[c];
    if (!Number.isFinite(eEff[c])) throw new Error(`${where}: the starting point of chain ${c} has non-finite effective energy`);
  }
  const coordNames = dim <= MAX_COORD_OBSERVABLES ? Array.from({ length: dim }, (_, d) => `x${d}`) : [];
  const rec = new Recorder(["energy", ...coordNames], o.recorded, C, dim, o.keepSamples);
  const total = o.burnIn + o.sweeps;
  const bar = sweepProgress(total, where, o.progress, 50 * C);
  const zNew = new Float64Array(C * dim);
  let accepted = 0;
  const t0 = performance.now();
  for (let t = 1; t <= total; t++) {
    for (let k = 0; k < zNew.length; k++) zNew[k] = z[k] + step * rng.normal();
    const prop = forwardBatch(flow, zNew, C, dim);
    for (let c = 0; c < C; c++) {
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
      }
    }
    if (t > o.burnIn && (t - o.burnIn) % o.thin === 0 && rec.count < o.recorded) {
      for (let c = 0; c < C; c++) {
        const slot = rec.slot(c);
        rec.observables.energy[slot] = energy[c];
        for (let d = 0; d < coordNames.length; d++) rec.observables[coordNames[d]][slot] = x[c * dim + d];
        if (rec.samples !== null) rec.samples.set(x.subarray(c * dim, (c + 1) * dim), rec.sampleOffset(c));
      }
      rec.next();
    }
    bar.tick(t);
  }
  const elapsedMs = performance.now() - t0;
  const proposals = total * C;
  bar.done(`acceptance ${(accepted / proposals).toFixed(3)}`);
  return {
    final: Float64Array.from(x),
    chains: C,
    size: dim,
    samples: rec.samples,
    recorded: rec.count,
    observables: rec.observables,
    acceptance: accepted / proposals,
    diagnostics: { sampler: "latentMc", stepSize: step, finalLatent: Float64Array.from(z), sweepsPerStep: 1 },
    updatesPerSecond: proposals / (elapsedMs / 1000),
    elapsedMs,
  };
}
