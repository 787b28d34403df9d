/**
 * Pieces shared by the autoregressive spin models (MADE now, PixelCNN and
 * TwoBo next): the extended model contract the VAN trainer and estimators
 * use when a model offers it, and the numerics of ±1 Bernoulli conditionals
 * and of Z2 symmetrisation, in tfjs (differentiable) and in float64 on the JS
 * side.
 */
import * as tf from "@tensorflow/tfjs";
import type { RandomOptions } from "../core/random";
import type { GenerativeModel } from "./types";

/** Samples on the JS side: x is [batch × size] row-major ±1, logProb in float64. */
export interface SpinSamples {
  batch: number;
  size: number;
  x: Float32Array;
  logProb: Float64Array;
}

/**
 * An autoregressive model of ±1 spins. Everything beyond `GenerativeModel` is
 * what the trainer, the estimators and checkpoints use when present; a model
 * that implements only `GenerativeModel` still trains (through tensors).
 */
export interface SpinModel extends GenerativeModel {
  /** Draw samples straight into typed arrays (no tensors), as `sample` would. */
  sampleArrays(batch: number, options?: RandomOptions): SpinSamples;
  /** ln q of given ±1 configurations [batch × size] in float64 on the JS side. */
  logProbArrays(x: ArrayLike<number>, batch: number): Float64Array;
  /** The architecture as JSON (type, size and every option that fixes the variables' shapes). */
  config(): ModelConfig;
  /** Names of `trainableVariables`, in the same order (checkpoints match them by name). */
  readonly variableNames: string[];
}

/** A model's architecture as stored in checkpoints. */
export interface ModelConfig {
  type: string;
  size: number;
  [key: string]: unknown;
}

/** True when `m` offers the `SpinModel` extras. */
export function isSpinModel(m: GenerativeModel): m is SpinModel {
  const s = m as Partial<SpinModel>;
  return typeof s.sampleArrays === "function" && typeof s.config === "function" && Array.isArray(s.variableNames);
}

/** Logit bound so that conditionals stay in [ε, 1−ε]: ln((1−ε)/ε). */
export function logitBound(epsilon: number): number {
  return Math.log((1 - epsilon) / epsilon);
}

/**
 * ln q(x) = Σ_i ln σ(x_i z_i) for ±1 spins x and conditional logits z
 * (z_i = logit q(s_i = +1 | s_<i)), [batch, n] → [batch]. Differentiable.
 */
export function bernoulliLogProb(logits: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.softplus(tf.neg(tf.mul(x, logits))), 1)) as tf.Tensor1D);
}

/** ln σ(y) in float64, stable for large |y|. */
export function logSigmoid(y: number): number {
  return y >= 0 ? -Math.log1p(Math.exp(-y)) : y - Math.log1p(Math.exp(y));
}

/** Z2 symmetrisation of log-probabilities: ln ½[q(s) + q(−s)] from ln q(s) and ln q(−s). Differentiable. */
export function symmetrizeLogProb(a: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const m = tf.maximum(a, b);
    const s = tf.add(tf.exp(tf.sub(a, m)), tf.exp(tf.sub(b, m)));
    return tf.sub(tf.add(m, tf.log(s)), Math.LN2) as tf.Tensor1D;
  });
}

/**
 * ln q(x) of an autoregressive spin model from its logits, with optional Z2
 * symmetrisation (both x and −x in one batched pass). Differentiable; the
 * shared full-pass `logProb` of MADE, PixelCNN and TwoBo.
 */
export function autoregressiveLogProb(logits: (x: tf.Tensor2D) => tf.Tensor2D, x: tf.Tensor2D, z2: boolean): tf.Tensor1D {
  return tf.tidy(() => {
    if (!z2) return bernoulliLogProb(logits(x), x);
    const both = tf.concat([x, tf.neg(x)], 0) as tf.Tensor2D;
    const lq = bernoulliLogProb(logits(both), both);
    const batch = x.shape[0];
    const [a, b] = tf.split(lq, [batch, batch]) as [tf.Tensor1D, tf.Tensor1D];
    return symmetrizeLogProb(a, b);
  });
}

/** Tensors of samples drawn on the JS side (the caller disposes them). */
export function samplesToTensors(s: SpinSamples): { x: tf.Tensor2D; logProb: tf.Tensor1D } {
  return { x: tf.tensor2d(s.x, [s.batch, s.size]), logProb: tf.tensor1d(Float32Array.from(s.logProb)) };
}

/** ln ½[e^a + e^b] in float64. */
export function symmetrize(a: number, b: number): number {
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m)) - Math.LN2;
}

/**
 * Draw spin samples into typed arrays from any model: through `sampleArrays`
 * when the model has it, else through `sample` (tensors read back and freed).
 */
export function sampleSpins(model: GenerativeModel, batch: number, options?: RandomOptions): SpinSamples {
  if (isSpinModel(model)) return model.sampleArrays(batch, options);
  const s = model.sample(batch, options);
  try {
    const x = Float32Array.from(s.x.dataSync() as Float32Array);
    const logProb = Float64Array.from(s.logProb.dataSync());
    return { batch, size: model.size, x, logProb };
  } finally {
    tf.dispose([s.x, s.logProb]);
  }
}
