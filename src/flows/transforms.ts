/**
 * Elementwise invertible transforms y = T(x; θ) for coupling layers: the
 * conditioner emits `paramsPerElement` numbers per transformed element, and
 * the coupling (flat or convolutional) applies the transform elementwise.
 * Affine (RealNVP) and rational-quadratic splines (Durkan et al. 2019)
 * implement this contract, so every coupling takes either.
 */
import type * as tf from "@tensorflow/tfjs";

export interface ElementwiseTransform {
  /** "affine", "spline", … (stored in checkpoints). */
  readonly name: string;
  /** Conditioner outputs per transformed element. */
  readonly paramsPerElement: number;
  /**
   * y = T(x; θ). `x` has shape [batch, ...rest]; `params` [batch, ...rest, paramsPerElement]
   * (raw conditioner outputs: the transform constrains them). `logDet` is
   * ln|∂y/∂x| summed over all but the batch axis, [batch]. Differentiable.
   */
  forward(x: tf.Tensor, params: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor1D };
  /** x = T⁻¹(y; θ) with ln|∂x/∂y| summed as above (= −forward's logDet at that point). */
  inverse(y: tf.Tensor, params: tf.Tensor): { x: tf.Tensor; logDet: tf.Tensor1D };
  /** The options that rebuild it (for checkpoints). */
  readonly config: Record<string, unknown>;
}
