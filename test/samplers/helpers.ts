/**
 * Test fixtures: a tiny hand-made SpinSystem (no dependency on src/systems)
 * and exact Boltzmann probabilities by enumeration.
 */
import * as tf from "@tensorflow/tfjs";
import type { SpinSystem } from "../../src/systems/types";
import type { GenerativeModel, Sample } from "../../src/models/types";
import { resolveRng, type RandomOptions } from "../../src/core/random";

export function tinySystem(n: number, edges: Array<[number, number, number]>, fields: number[] | null = null, name = "tiny"): SpinSystem {
  const ei = Int32Array.from(edges, (e) => Math.min(e[0], e[1]));
  const ej = Int32Array.from(edges, (e) => Math.max(e[0], e[1]));
  const eJ = Float64Array.from(edges, (e) => e[2]);
  const deg = new Int32Array(n);
  for (const [i, j] of edges) { deg[i]++; deg[j]++; }
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + deg[i];
  const fill = offsets.slice(0, n);
  const index = new Int32Array(offsets[n]);
  const J = new Float64Array(offsets[n]);
  for (const [i, j, c] of edges) {
    index[fill[i]] = j; J[fill[i]++] = c;
    index[fill[j]] = i; J[fill[j]++] = c;
  }
  const h = fields === null ? null : Float64Array.from(fields);
  const localField = (s: ArrayLike<number>, i: number) => {
    let f = h === null ? 0 : h[i];
    for (let k = offsets[i]; k < offsets[i + 1]; k++) f += J[k] * s[index[k]];
    return f;
  };
  const energyOf = (s: ArrayLike<number>) => {
    let e = 0;
    for (let k = 0; k < eJ.length; k++) e -= eJ[k] * s[ei[k]] * s[ej[k]];
    if (h !== null) for (let i = 0; i < n; i++) e -= h[i] * s[i];
    return e;
  };
  return {
    kind: "spin",
    n,
    name,
    edges: { i: ei, j: ej, J: eJ },
    fields: h,
    geometry: null,
    neighbors: { offsets, index, J },
    energy(s: tf.Tensor2D): tf.Tensor1D {
      return tf.tidy(() => {
        const si = tf.gather(s, Array.from(ei), 1);
        const sj = tf.gather(s, Array.from(ej), 1);
        let e = tf.neg(tf.sum(tf.mul(tf.mul(si, sj), tf.tensor1d(Array.from(eJ))), 1));
        if (h !== null) e = tf.sub(e, tf.sum(tf.mul(s, tf.tensor1d(Array.from(h))), 1));
        return e as tf.Tensor1D;
      });
    },
    energyOf,
    localField,
    deltaE: (s, i) => 2 * s[i] * localField(s, i),
  };
}

/** Spins of state index k: bit i set → s_i = +1. */
export function spinsOf(k: number, n: number): Float64Array {
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = (k >> i) & 1 ? 1 : -1;
  return s;
}

export function stateIndex(x: ArrayLike<number>, offset: number, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (x[offset + i] > 0) k |= 1 << i;
  return k;
}

export function exactProbabilities(system: SpinSystem, beta: number): { p: Float64Array; logZ: number; energy: Float64Array } {
  const n = system.n;
  const N = 1 << n;
  const energy = new Float64Array(N);
  let emin = Infinity;
  for (let k = 0; k < N; k++) { energy[k] = system.energyOf(spinsOf(k, n)); emin = Math.min(emin, energy[k]); }
  const p = new Float64Array(N);
  let z = 0;
  for (let k = 0; k < N; k++) { p[k] = Math.exp(-beta * (energy[k] - emin)); z += p[k]; }
  for (let k = 0; k < N; k++) p[k] /= z;
  return { p, logZ: Math.log(z) - beta * emin, energy };
}

/** State counts of all recorded samples [recorded × chains × n]. */
export function countStates(samples: Float64Array, n: number): Float64Array {
  const counts = new Float64Array(1 << n);
  for (let off = 0; off < samples.length; off += n) counts[stateIndex(samples, off, n)]++;
  return counts;
}

/** A frustrated 5-spin system with integer couplings and fields (fast table path). */
export const intFrustrated = () =>
  tinySystem(5, [[0, 1, 1], [1, 2, -1], [2, 3, 1], [3, 4, 1], [0, 4, -1], [0, 2, 2], [1, 3, 1]], [1, 0, 0, -1, 0], "int-frustrated");
/** A 5-spin system with real couplings and fields (float path). */
export const floatFrustrated = () =>
  tinySystem(5, [[0, 1, 0.7], [1, 2, -0.3], [2, 3, 1.1], [3, 4, 0.5], [0, 4, -0.9], [1, 4, 0.25]], [0.2, -0.4, 0, 0.1, 0.3], "float-frustrated");
/** A 6-spin ferromagnet (2×3 torus-like graph, mixed strengths) without fields. */
export const ferro = (J = 1) =>
  tinySystem(6, [[0, 1, J], [1, 2, J], [0, 2, J], [3, 4, J], [4, 5, J], [3, 5, J], [0, 3, 0.5 * J], [1, 4, J], [2, 5, 2 * J]], null, "ferro");

/**
 * An exact tabulated model q(s) = table[state index] implementing
 * GenerativeModel through tensors only (no array fast path), for testing the
 * neural samplers without a trained network.
 */
export function tabulatedModel(n: number, probs: Float64Array): GenerativeModel {
  let z = 0;
  for (const p of probs) z += p;
  const cdf = new Float64Array(probs.length);
  let acc = 0;
  for (let k = 0; k < probs.length; k++) { acc += probs[k] / z; cdf[k] = acc; }
  const logp = Float64Array.from(probs, (p) => Math.log(p / z));
  return {
    size: n,
    trainableVariables: [],
    sample(batch: number, options?: RandomOptions): Sample {
      const rng = resolveRng(options, "tabulated.sample");
      const x = new Float32Array(batch * n);
      const lq = new Float32Array(batch);
      for (let b = 0; b < batch; b++) {
        const u = rng.uniform();
        let lo = 0, hi = cdf.length - 1;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid] > u) hi = mid; else lo = mid + 1; }
        for (let i = 0; i < n; i++) x[b * n + i] = (lo >> i) & 1 ? 1 : -1;
        lq[b] = logp[lo];
      }
      return { x: tf.tensor2d(x, [batch, n]), logProb: tf.tensor1d(lq) };
    },
    logProb(x: tf.Tensor2D): tf.Tensor1D {
      const d = x.dataSync();
      const b = x.shape[0];
      const out = new Float32Array(b);
      for (let r = 0; r < b; r++) out[r] = logp[stateIndex(d, r * n, n)];
      return tf.tensor1d(out);
    },
    dispose() {},
  };
}

/** Independent spins with q(s_i = +1) = σ(θ_i): a crude but full-support proposal. */
export function productModel(theta: number[]): GenerativeModel {
  const n = theta.length;
  const th = tf.tensor1d(theta);
  return {
    size: n,
    trainableVariables: [],
    sample(batch: number, options?: RandomOptions): Sample {
      const rng = resolveRng(options, "product.sample");
      const x = new Float32Array(batch * n);
      for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) x[b * n + i] = rng.uniform() < 1 / (1 + Math.exp(-theta[i])) ? 1 : -1;
      const xt = tf.tensor2d(x, [batch, n]);
      return { x: xt, logProb: this.logProb(xt) };
    },
    logProb(x: tf.Tensor2D): tf.Tensor1D {
      return tf.tidy(() => tf.neg(tf.sum(tf.softplus(tf.neg(tf.mul(x, th))), 1)) as tf.Tensor1D);
    },
    dispose() { th.dispose(); },
  };
}
