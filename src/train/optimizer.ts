/**
 * One optimizer interface for every training loop, with explicit state (so a
 * checkpoint can save it and a resumed run continue exactly), and gradient
 * transformations chained in front of it, as in optax:
 *
 *   const opt = chain(clipGlobalNorm(1), new Adam(model.trainableVariables));
 *   opt.update(grads, lr, norm);   // clip to global norm ≤ 1, then Adam
 *
 * `Adam` (./adam.ts) implements `Optimizer`; `chain(...transforms, optimizer)`
 * is an `Optimizer` too, whose state is its optimizer's (transforms are
 * stateless). The training driver builds `chain(clipGlobalNorm(clip), adam)`
 * from its `clip` option.
 */
import * as tf from "@tensorflow/tfjs";
import { checkPositive } from "../core/validate";
import type { AdamState } from "./adam";

/** What a training loop needs of an optimizer. */
export interface Optimizer {
  /**
   * One update of the variables with `grads` (in the variables' order) at
   * learning rate `lr`. `norm` is their global L2 norm when the caller has
   * computed it (transforms that need it compute it otherwise).
   */
  update(grads: tf.Tensor[], lr: number, norm?: number): void;
  /** The state a checkpoint stores. */
  getState(): AdamState;
  /** Restore a state from `getState`. */
  setState(state: AdamState): void;
  dispose(): void;
}

/** A stateless map of gradients applied before an optimizer's update. */
export interface GradientTransform {
  readonly name: string;
  /**
   * The transformed gradients and whether they are new tensors (the chain
   * disposes those after the update).
   */
  transform(grads: tf.Tensor[], norm: number): { grads: tf.Tensor[]; created: boolean };
}

function globalNorm(grads: tf.Tensor[]): number {
  return tf.tidy(() => Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
}

/** Rescale the gradients so that their global L2 norm is at most `maxNorm` (unchanged below it). */
export function clipGlobalNorm(maxNorm: number): GradientTransform {
  const c = checkPositive(maxNorm, "maxNorm", "clipGlobalNorm");
  return {
    name: `clipGlobalNorm(${c})`,
    transform(grads, norm) {
      if (!(norm > c)) return { grads, created: false };
      const scale = c / norm;
      return { grads: grads.map((g) => tf.mul(g, scale)), created: true };
    },
  };
}

/**
 * Rescale the gradients to global L2 norm exactly `norm` at every step (a
 * normalised-gradient step; zero gradients stay zero). This is what the VAN
 * reference code's `--clip_grad` does in effect (src_hop_sk/main.py rescales
 * by max_norm/‖g‖ whether or not ‖g‖ exceeds it); with Adam it weights late,
 * small gradients as much as early, large ones (bench/README.md, "Accuracy").
 */
export function normalizeGlobalNorm(norm: number): GradientTransform {
  const c = checkPositive(norm, "norm", "normalizeGlobalNorm");
  return {
    name: `normalizeGlobalNorm(${c})`,
    transform(grads, n) {
      if (!(n > 0) || !Number.isFinite(n)) return { grads, created: false };
      const scale = c / n;
      return { grads: grads.map((g) => tf.mul(g, scale)), created: true };
    },
  };
}

/** Transforms applied in order, then `optimizer`; the result is an Optimizer with the optimizer's state. */
export function chain(...parts: [...GradientTransform[], Optimizer]): Optimizer {
  const W = "chain";
  if (parts.length === 0) throw new Error(`${W}: give at least an optimizer`);
  const inner = parts[parts.length - 1] as Optimizer;
  if (inner === null || typeof inner !== "object" || typeof inner.update !== "function") throw new Error(`${W}: the last argument must be an Optimizer`);
  const transforms = parts.slice(0, -1) as GradientTransform[];
  transforms.forEach((t, k) => {
    if (t === null || typeof t !== "object" || typeof t.transform !== "function") throw new Error(`${W}: argument ${k + 1} is not a GradientTransform`);
  });
  if (transforms.length === 0) return inner;
  return {
    update(grads, lr, norm) {
      let g = grads;
      const made: tf.Tensor[][] = [];
      try {
        for (const t of transforms) {
          const r = t.transform(g, norm ?? globalNorm(g));
          if (r.created) made.push(r.grads);
          // a transform may change the norm; later ones measure again
          if (r.created) norm = undefined;
          g = r.grads;
        }
        inner.update(g, lr, norm);
      } finally {
        for (const m of made) tf.dispose(m);
      }
    },
    getState: () => inner.getState(),
    setState: (s) => inner.setState(s),
    dispose: () => inner.dispose(),
  };
}
