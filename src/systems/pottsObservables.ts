/**
 * Observables of Potts configurations (integer states 0…q−1), on single
 * configurations (typed arrays, float64) and on batches (`[batch, n]` tensors):
 *
 * - state counts n_k = #{i : σ_i = k};
 * - the Potts order parameter m = (q · max_k n_k / N − 1)/(q − 1): 0 for an
 *   equal occupation of the q states, 1 when all variables agree (for q = 2
 *   it is the Ising |m|);
 * - the state ↔ index convention of `exact/potts.ts`'s probabilities: the
 *   index is Σ_k σ_k q^k (digit k in base q is σ_k), and
 *   `allPottsStates(n, q)` lists the q^n configurations in that order.
 *
 * The Ising correspondence used throughout: s = +1 ↔ σ = 0, s = −1 ↔ σ = 1.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { checkInteger } from "../core/validate";
import type { PottsSystem } from "./types";

/** Counts n_k of each state k in one configuration (length q). */
export function pottsStateCounts(s: ArrayLike<number>, q: number, out?: Int32Array): Int32Array {
  const W = "pottsStateCounts";
  checkInteger(q, "q", W, { min: 2 });
  const c = out ?? new Int32Array(q);
  if (c.length !== q) throw new Error(`${W}: out must have length q = ${q}, got ${c.length}`);
  c.fill(0);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    if (!(v >= 0 && v < q) || !Number.isInteger(v)) throw new Error(`${W}: s[${i}] = ${v} is not a state in 0…${q - 1}`);
    c[v]++;
  }
  return c;
}

/** The Potts order parameter (q · max_k n_k / N − 1)/(q − 1) of one configuration, in [0, 1]. */
export function pottsOrderParameterOf(s: ArrayLike<number>, q: number): number {
  const c = pottsStateCounts(s, q);
  let max = 0;
  for (let k = 0; k < q; k++) if (c[k] > max) max = c[k];
  return (q * max / s.length - 1) / (q - 1);
}

function check2d(s: unknown, where: string, n?: number): tf.Tensor2D {
  if (!(s instanceof tf.Tensor) || s.rank !== 2 || (n !== undefined && s.shape[1] !== n)) {
    const shape = s instanceof tf.Tensor ? `[${s.shape.join(", ")}]` : String(s);
    throw new Error(`${where}: s must be a [batch, ${n ?? "n"}] tensor of states, got ${shape}`);
  }
  return s as tf.Tensor2D;
}

/** State counts of a batch, `[batch, q]` float32. */
export function pottsStateCountsBatch(s: tf.Tensor2D, q: number): tf.Tensor2D {
  ensureBackend();
  const W = "pottsStateCountsBatch";
  check2d(s, W);
  checkInteger(q, "q", W, { min: 2 });
  return tf.tidy(() => tf.sum(tf.oneHot(tf.cast(s, "int32"), q), 1).toFloat() as tf.Tensor2D);
}

/** The Potts order parameter of each configuration of a batch, `[batch]` float32. */
export function pottsOrderParameter(s: tf.Tensor2D, q: number): tf.Tensor1D {
  ensureBackend();
  const W = "pottsOrderParameter";
  check2d(s, W);
  checkInteger(q, "q", W, { min: 2 });
  const n = s.shape[1];
  return tf.tidy(() => {
    const max = tf.max(tf.sum(tf.oneHot(tf.cast(s, "int32"), q), 1).toFloat(), 1);
    return tf.div(tf.sub(tf.mul(max, q / n), 1), q - 1) as tf.Tensor1D;
  });
}

/** Batched energies through the system (checks the shape). */
export function pottsEnergies(system: PottsSystem, s: tf.Tensor2D): tf.Tensor1D {
  ensureBackend();
  return system.energy(check2d(s, "pottsEnergies", system.n));
}

/** The configuration of index x = Σ_k σ_k q^k (digit k in base q is σ_k). */
export function pottsStateFromIndex(index: number, n: number, q: number, out?: Float32Array | Float64Array): Float32Array | Float64Array {
  const W = "pottsStateFromIndex";
  checkInteger(q, "q", W, { min: 2 });
  checkInteger(n, "n", W, { min: 1 });
  if (q ** n > 2 ** 53) throw new Error(`${W}: q^n = ${q}^${n} exceeds 2^53`);
  checkInteger(index, "index", W, { min: 0, max: q ** n - 1 });
  const s = out ?? new Float32Array(n);
  let x = index;
  for (let k = 0; k < n; k++) {
    const d = x % q;
    s[k] = d;
    x = (x - d) / q;
  }
  return s;
}

/** The index Σ_k σ_k q^k of a configuration. */
export function pottsIndexOfState(s: ArrayLike<number>, q: number): number {
  const W = "pottsIndexOfState";
  checkInteger(q, "q", W, { min: 2 });
  if (q ** s.length > 2 ** 53) throw new Error(`${W}: q^n = ${q}^${s.length} exceeds 2^53`);
  let idx = 0;
  for (let k = s.length - 1; k >= 0; k--) idx = idx * q + s[k];
  return idx;
}

/** All q^n configurations as a `[q^n, n]` float32 tensor in index order (q^n ≤ 2^20). */
export function allPottsStates(n: number, q: number): tf.Tensor2D {
  ensureBackend();
  const W = "allPottsStates";
  checkInteger(n, "n", W, { min: 1 });
  checkInteger(q, "q", W, { min: 2 });
  if (q ** n > 2 ** 20) throw new Error(`${W}: q^n = ${q}^${n} exceeds 2^20 configurations`);
  const N = q ** n;
  const buf = new Float32Array(N * n);
  for (let x = 0; x < N; x++) {
    let r = x;
    for (let k = 0; k < n; k++) {
      const d = r % q;
      buf[x * n + k] = d;
      r = (r - d) / q;
    }
  }
  return tf.tensor2d(buf, [N, n]);
}

/** Ising spins → q = 2 Potts states (s = +1 → 0, s = −1 → 1). */
export function isingToPotts(s: ArrayLike<number>, out?: Float32Array | Float64Array): Float32Array | Float64Array {
  const o = out ?? new Float32Array(s.length);
  for (let i = 0; i < s.length; i++) o[i] = s[i] > 0 ? 0 : 1;
  return o;
}
