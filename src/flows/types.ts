/** The invertible-map contract of normalizing flows. */
import type * as tf from "@tensorflow/tfjs";

/**
 * An invertible map x = f(z) on R^dim with exact log-determinants.
 * `forward` returns ln|det ∂x/∂z| and `inverse` ln|det ∂z/∂x| per sample, so
 * that forward(z).logDet + inverse(x).logDet = 0. Both are differentiable
 * w.r.t. the inputs and the trainable variables; the caller disposes results.
 */
export interface Flow {
  readonly dim: number;
  forward(z: tf.Tensor2D): { x: tf.Tensor2D; logDet: tf.Tensor1D };
  inverse(x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D };
  readonly trainableVariables: tf.Variable[];
  /** Data-dependent initialisation (ActNorm) from samples on the x side; optional. */
  initialize?(x: tf.Tensor2D): void;
  dispose(): void;
}

export function checkFlowInput(t: tf.Tensor, dim: number, name: string, where: string): void {
  if (t === null || t === undefined || typeof (t as { rank?: unknown }).rank !== "number") {
    throw new Error(`${where}: ${name} must be a tensor of shape [batch, ${dim}]`);
  }
  if (t.rank !== 2 || t.shape[1] !== dim) {
    throw new Error(`${where}: ${name} must have shape [batch, ${dim}], got [${t.shape.join(", ")}]`);
  }
}
