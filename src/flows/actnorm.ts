/**
 * ActNorm (Kingma & Dhariwal, Glow, 2018): a per-coordinate affine map
 * x = z·e^{logScale} + shift with learnable logScale and shift; ln|det| =
 * Σ logScale. `initialize(x)` sets them from data so that the inverse maps the
 * data to zero mean and unit variance per coordinate.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { checkInteger, checkKeys } from "../core/validate";
import { ownedVariable } from "./coupling";
import { checkFlowInput, type Flow } from "./types";

export interface ActNormOptions {
  dim: number;
}

export class ActNorm implements Flow {
  readonly dim: number;
  readonly logScale: tf.Variable;
  readonly shift: tf.Variable;
  /** True once initialised from data. */
  initialized = false;

  constructor(options: ActNormOptions) {
    checkKeys(options, ["dim"], "ActNorm");
    ensureBackend();
    this.dim = checkInteger(options?.dim, "dim", "ActNorm", { min: 1 });
    this.logScale = ownedVariable(tf.zeros([this.dim]));
    this.shift = ownedVariable(tf.zeros([this.dim]));
  }

  get trainableVariables(): tf.Variable[] {
    return [this.logScale, this.shift];
  }

  forward(z: tf.Tensor2D): { x: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(z, this.dim, "z", "ActNorm.forward");
    return tf.tidy(() => ({
      x: tf.add(tf.mul(z, tf.exp(this.logScale)), this.shift) as tf.Tensor2D,
      logDet: tf.broadcastTo(tf.sum(this.logScale), [z.shape[0]]) as tf.Tensor1D,
    }));
  }

  inverse(x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(x, this.dim, "x", "ActNorm.inverse");
    return tf.tidy(() => ({
      z: tf.mul(tf.sub(x, this.shift), tf.exp(tf.neg(this.logScale))) as tf.Tensor2D,
      logDet: tf.broadcastTo(tf.neg(tf.sum(this.logScale)), [x.shape[0]]) as tf.Tensor1D,
    }));
  }

  initialize(x: tf.Tensor2D): void {
    checkFlowInput(x, this.dim, "x", "ActNorm.initialize");
    tf.tidy(() => {
      const { mean, variance } = tf.moments(x, 0);
      this.shift.assign(mean);
      this.logScale.assign(tf.mul(tf.log(tf.add(variance, 1e-6)), 0.5));
    });
    this.initialized = true;
  }

  dispose(): void {
    tf.dispose([this.logScale, this.shift]);
  }
}

export function actNorm(options: ActNormOptions): ActNorm {
  return new ActNorm(options);
}
