/**
 * Observables on batches of spin configurations (`[batch, n]` tensors of ±1)
 * and on single configurations (typed arrays, float64).
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import type { SpinSystem } from "./types";

function check2d(s: unknown, name: string, where: string, n?: number): tf.Tensor2D {
  if (!(s instanceof tf.Tensor) || s.rank !== 2 || (n !== undefined && s.shape[1] !== n)) {
    const shape = s instanceof tf.Tensor ? `[${s.shape.join(", ")}]` : String(s);
    throw new Error(`${where}: ${name} must be a [batch, ${n ?? "n"}] tensor, got ${shape}`);
  }
  return s as tf.Tensor2D;
}

/** Energies E(s) of a batch, `[batch]` (the system's own batched energy). */
export function energies(system: SpinSystem, s: tf.Tensor2D): tf.Tensor1D {
  ensureBackend();
  return system.energy(check2d(s, "s", "energies", system.n));
}

/** Magnetisation per spin m = Σ_i s_i / n of each configuration, `[batch]`. */
export function magnetization(s: tf.Tensor2D): tf.Tensor1D {
  ensureBackend();
  check2d(s, "s", "magnetization");
  return tf.tidy(() => tf.mean(tf.cast(s, "float32"), 1) as tf.Tensor1D);
}

/** |m| per configuration, `[batch]`. */
export function absMagnetization(s: tf.Tensor2D): tf.Tensor1D {
  ensureBackend();
  check2d(s, "s", "absMagnetization");
  return tf.tidy(() => tf.abs(tf.mean(tf.cast(s, "float32"), 1)) as tf.Tensor1D);
}

/** Overlap q = Σ_i s_i^a s_i^b / n between paired rows of two replicas, `[batch]`. */
export function overlap(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  ensureBackend();
  check2d(a, "a", "overlap");
  check2d(b, "b", "overlap");
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new Error(`overlap: a [${a.shape.join(", ")}] and b [${b.shape.join(", ")}] must have the same shape`);
  }
  return tf.tidy(() => tf.mean(tf.mul(tf.cast(a, "float32"), tf.cast(b, "float32")), 1) as tf.Tensor1D);
}

/** Magnetisation per spin of one configuration (float64). */
export function magnetizationOf(s: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < s.length; k++) m += s[k];
  return m / s.length;
}

/** Overlap per spin of two configurations (float64). */
export function overlapOf(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`overlapOf: a has length ${a.length} but b has ${b.length}`);
  let q = 0;
  for (let k = 0; k < a.length; k++) q += a[k] * b[k];
  return q / a.length;
}

/**
 * State index ↔ configuration, the convention of `enumerate`'s probabilities:
 * bit k of the index is spin k, bit 1 ↔ s_k = +1, bit 0 ↔ s_k = −1.
 */
export function stateFromIndex(index: number, n: number, out?: Float32Array | Float64Array): Float32Array | Float64Array {
  if (!Number.isInteger(n) || n < 1 || n > 52) throw new Error(`stateFromIndex: n must be an integer in [1, 52], got ${n}`);
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** n) throw new Error(`stateFromIndex: index must be an integer in [0, 2^${n}), got ${index}`);
  const s = out ?? new Float32Array(n);
  let x = index;
  for (let k = 0; k < n; k++) {
    const bit = x % 2;
    s[k] = bit === 1 ? 1 : -1;
    x = (x - bit) / 2;
  }
  return s;
}

/** The index of a ±1 configuration (bit k set ↔ s_k = +1). */
export function indexOfState(s: ArrayLike<number>): number {
  if (s.length > 52) throw new Error(`indexOfState: at most 52 spins, got ${s.length}`);
  let idx = 0;
  for (let k = s.length - 1; k >= 0; k--) idx = idx * 2 + (s[k] > 0 ? 1 : 0);
  return idx;
}

/** All 2^n configurations as a `[2^n, n]` tensor in index order (n ≤ 20). */
export function allStates(n: number): tf.Tensor2D {
  ensureBackend();
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error(`allStates: n must be an integer in [1, 20], got ${n}`);
  const N = 2 ** n;
  const buf = new Float32Array(N * n);
  for (let x = 0; x < N; x++) for (let k = 0; k < n; k++) buf[x * n + k] = (x >> k) & 1 ? 1 : -1;
  return tf.tensor2d(buf, [N, n]);
}

/** Energies of row-major ±1 configurations in float64 (the system's `energyOf`). */
export function energiesOf(system: SpinSystem, x: Float32Array, batch: number): Float64Array {
  const n = system.n;
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) out[b] = system.energyOf(x.subarray(b * n, (b + 1) * n));
  return out;
}
