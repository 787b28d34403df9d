/**
 * Adam with its state held by the trainer (so checkpoints can save and
 * restore it), a learning rate given per step (schedules), and global-norm
 * gradient clipping as a free function.
 */
import * as tf from "@tensorflow/tfjs";
import { checkKeys, checkNumber } from "../core/validate";
import type { Optimizer } from "./optimizer";

export interface AdamOptions {
  /** First-moment decay (default 0.9). */
  beta1?: number;
  /** Second-moment decay (default 0.999). */
  beta2?: number;
  /** Denominator epsilon (default 1e-8). */
  epsilon?: number;
}

/** Adam's state on the JS side, as checkpoints store it. */
export interface AdamState {
  type: "adam";
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Number of updates applied so far. */
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class Adam implements Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Number of updates applied so far. */
  step = 0;
  private m: tf.Variable[];
  private v: tf.Variable[];
  private disposed = false;

  constructor(private readonly variables: tf.Variable[], options: AdamOptions = {}) {
    const W = "Adam";
    checkKeys(options, ["beta1", "beta2", "epsilon"], W);
    this.beta1 = checkNumber(options.beta1 ?? 0.9, "beta1", W, { min: 0, max: 0.999999 });
    this.beta2 = checkNumber(options.beta2 ?? 0.999, "beta2", W, { min: 0, max: 0.99999999 });
    this.epsilon = checkNumber(options.epsilon ?? 1e-8, "epsilon", W, { above: 0 });
    this.m = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  /** One update x ← x − lr·m̂/(√v̂ + ε) with the gradients in the variables' order. */
  apply(grads: tf.Tensor[], lr: number): void {
    if (this.disposed) throw new Error("Adam.apply: the optimizer has been disposed");
    if (grads.length !== this.variables.length) {
      throw new Error(`Adam.apply: got ${grads.length} gradients for ${this.variables.length} variables`);
    }
    this.step += 1;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    tf.tidy(() => {
      // the scalars once per update, not once per variable (the same float32 values either way)
      const sB1 = tf.scalar(b1), sB1c = tf.scalar(1 - b1), sB2 = tf.scalar(b2), sB2c = tf.scalar(1 - b2);
      const sLr = tf.scalar(lr / c1), sC2 = tf.scalar(c2), sEps = tf.scalar(this.epsilon);
      for (let k = 0; k < grads.length; k++) {
        const g = grads[k];
        const m = tf.add(tf.mul(this.m[k], sB1), tf.mul(g, sB1c));
        const v = tf.add(tf.mul(this.v[k], sB2), tf.mul(tf.square(g), sB2c));
        this.m[k].assign(m);
        this.v[k].assign(v);
        const upd = tf.div(tf.mul(m, sLr), tf.add(tf.sqrt(tf.div(v, sC2)), sEps));
        this.variables[k].assign(tf.sub(this.variables[k], upd));
      }
    });
  }

  /** `Optimizer.update`: the same as `apply` (Adam does not use the norm). */
  update(grads: tf.Tensor[], lr: number): void {
    this.apply(grads, lr);
  }

  getState(): AdamState {
    return {
      type: "adam",
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      step: this.step,
      m: this.m.map((t) => Float32Array.from(t.dataSync() as Float32Array)),
      v: this.v.map((t) => Float32Array.from(t.dataSync() as Float32Array)),
    };
  }

  setState(state: AdamState): void {
    const W = "Adam.setState";
    if (state.type !== "adam") throw new Error(`${W}: the state is for optimizer "${String(state.type)}", not adam`);
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new Error(`${W}: the state has ${state.m.length} moment tensors, the optimizer ${this.m.length}`);
    }
    for (let k = 0; k < this.m.length; k++) {
      if (state.m[k].length !== this.m[k].size || state.v[k].length !== this.v[k].size) {
        throw new Error(`${W}: moment ${k} has ${state.m[k].length} entries, expected ${this.m[k].size}`);
      }
    }
    tf.tidy(() => {
      for (let k = 0; k < this.m.length; k++) {
        this.m[k].assign(tf.tensor(state.m[k], this.m[k].shape));
        this.v[k].assign(tf.tensor(state.v[k], this.v[k].shape));
      }
    });
    this.step = state.step;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([...this.m, ...this.v]);
  }
}

/**
 * Global L2 norm of the gradients, and the gradients rescaled so that the
 * norm is at most `maxNorm` (unchanged when `maxNorm` is null or larger).
 * Returns new tensors; the caller disposes them.
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number | null): { grads: tf.Tensor[]; norm: number } {
  const norm = tf.tidy(() => Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
  const scale = maxNorm !== null && Number.isFinite(norm) && norm > maxNorm ? maxNorm / norm : 1;
  return { grads: grads.map((g) => (scale === 1 ? tf.clone(g) : tf.mul(g, scale))), norm };
}
