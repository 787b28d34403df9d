/**
 * Drawing from and evaluating a GenerativeModel into typed arrays (internal).
 * Uses the model's array methods (`sampleArrays`, `logProbArrays`, float64
 * ln q) when it offers them, else the tensor contract; frees every tensor.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import type { RandomOptions, Rng } from "../core/random";
import type { GenerativeModel } from "../models/types";

interface ArrayModel {
  sampleArrays(batch: number, options?: RandomOptions): { x: ArrayLike<number>; logProb: ArrayLike<number> };
  logProbArrays(x: ArrayLike<number>, batch: number): ArrayLike<number>;
}

function hasArrays(m: GenerativeModel): m is GenerativeModel & ArrayModel {
  const a = m as Partial<ArrayModel>;
  return typeof a.sampleArrays === "function" && typeof a.logProbArrays === "function";
}

export function checkModel(model: unknown, size: number, where: string): GenerativeModel {
  const m = model as Partial<GenerativeModel> | null;
  if (m === null || typeof m !== "object" || typeof m.sample !== "function" || typeof m.logProb !== "function") {
    throw new Error(`${where}: model must be a GenerativeModel (with sample and logProb)`);
  }
  if (m.size !== size) throw new Error(`${where}: model.size = ${m.size} does not match the system size ${size}`);
  return m as GenerativeModel;
}

/** `batch` samples: x [batch × size] and ln q in float64. */
export function drawFromModel(model: GenerativeModel, batch: number, rng: Rng): { x: Float64Array; logProb: Float64Array } {
  if (hasArrays(model)) {
    const s = model.sampleArrays(batch, { rng });
    return { x: Float64Array.from(s.x), logProb: Float64Array.from(s.logProb) };
  }
  ensureBackend();
  const s = model.sample(batch, { rng });
  try {
    return { x: Float64Array.from(s.x.dataSync()), logProb: Float64Array.from(s.logProb.dataSync()) };
  } finally {
    // every tensor the sample carries (a Boltzmann generator's also holds its latent z)
    tf.dispose(Object.values(s).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
  }
}

/** ln q of configurations x [batch × size]. */
export function modelLogProb(model: GenerativeModel, x: ArrayLike<number>, batch: number): Float64Array {
  if (hasArrays(model)) return Float64Array.from(model.logProbArrays(x, batch));
  ensureBackend();
  const lq = tf.tidy(() => model.logProb(tf.tensor2d(Float32Array.from(x), [batch, model.size])));
  try {
    return Float64Array.from(lq.dataSync());
  } finally {
    lq.dispose();
  }
}
