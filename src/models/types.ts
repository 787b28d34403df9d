/**
 * The model contract shared by VAN models (MADE, PixelCNN, TwoBo), Boltzmann
 * generators, neural MCMC and importance sampling.
 */
import type * as tf from "@tensorflow/tfjs";
import type { RandomOptions } from "../core/random";

/** Configurations with their exact log-probabilities under the model. */
export interface Sample {
  /** [batch, size]; ±1 float32 for spin models, coordinates for continuous ones. */
  x: tf.Tensor2D;
  /** ln q(x), [batch]. */
  logProb: tf.Tensor1D;
}

/** A normalised generative model q(x) that samples directly and evaluates ln q. */
export interface GenerativeModel {
  /** Number of degrees of freedom (spins or coordinates). */
  readonly size: number;
  /** Draw `batch` configurations with their ln q. The caller disposes the tensors. */
  sample(batch: number, options?: RandomOptions): Sample;
  /** ln q(x) of given configurations, [batch]; differentiable w.r.t. the trainable variables. */
  logProb(x: tf.Tensor2D): tf.Tensor1D;
  readonly trainableVariables: tf.Variable[];
  /** Models whose network uses β (TwoBo's β-scaled skip connection) take the trainer's current β here; others leave it out. */
  setBeta?(beta: number): void;
  /** Free the model's variables. */
  dispose(): void;
}
