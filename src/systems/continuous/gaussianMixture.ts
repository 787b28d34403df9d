/**
 * A Gaussian mixture as an energy: E(x) = −ln Σ_k π_k N(x; μ_k, σ_k² I), so
 * that e^{−E} is a normalised density (ln Z = 0 at β = 1). Modes of unequal
 * weight make mode collapse of reverse-KL training easy to see.
 */
import * as tf from "@tensorflow/tfjs";
import { checkKeys, checkNumber } from "../../core/validate";
import type { EnergyFactor, FactorizedSystem } from "./types";

export interface GaussianMixtureOptions {
  /** Mode centres, one array of `dim` numbers each (default three 2-D modes at (−4, 0), (4, 0), (0, 5), far enough apart for reverse-KL training to drop one). */
  means?: number[][];
  /** Standard deviation of each mode (default 0.5 each). */
  sigmas?: number[];
  /** Mixture weights, normalised here (default [0.6, 0.3, 0.1]). */
  weights?: number[];
}

export class GaussianMixtureSystem implements FactorizedSystem {
  readonly kind = "continuous" as const;
  readonly dim: number;
  readonly name: string;
  readonly means: readonly (readonly number[])[];
  readonly sigmas: readonly number[];
  /** Normalised mixture weights. */
  readonly weights: readonly number[];
  readonly factors: readonly EnergyFactor[];
  private readonly logc: number[];

  constructor(options: GaussianMixtureOptions = {}) {
    const where = "gaussianMixture";
    checkKeys(options, ["means", "sigmas", "weights"], where);
    const means = options.means ?? [[-4, 0], [4, 0], [0, 5]];
    if (!Array.isArray(means) || means.length === 0) throw new Error(`${where}: means must be a non-empty array of points`);
    const dim = means[0].length;
    means.forEach((m, k) => {
      if (!Array.isArray(m) || m.length !== dim) throw new Error(`${where}: means[${k}] must have ${dim} numbers`);
      m.forEach((v, i) => checkNumber(v, `means[${k}][${i}]`, where));
    });
    const K = means.length;
    const sigmas = options.sigmas ?? new Array(K).fill(0.5);
    const weights = options.weights ?? (K === 3 && options.means === undefined ? [0.6, 0.3, 0.1] : new Array(K).fill(1));
    if (sigmas.length !== K) throw new Error(`${where}: sigmas must have ${K} entries, got ${sigmas.length}`);
    if (weights.length !== K) throw new Error(`${where}: weights must have ${K} entries, got ${weights.length}`);
    sigmas.forEach((s, k) => checkNumber(s, `sigmas[${k}]`, where, { above: 0 }));
    weights.forEach((w, k) => checkNumber(w, `weights[${k}]`, where, { above: 0 }));
    const tot = weights.reduce((p, q) => p + q, 0);
    this.dim = dim;
    this.means = means.map((m) => m.slice());
    this.sigmas = sigmas.slice();
    this.weights = weights.map((w) => w / tot);
    this.logc = this.weights.map((w, k) => Math.log(w) - dim * Math.log(sigmas[k] * Math.sqrt(2 * Math.PI)));
    this.name = `gaussian-mixture dim=${dim} K=${K}`;
    const range: [number, number][] = [];
    for (let i = 0; i < dim; i++) {
      let lo = Infinity, hi = -Infinity;
      for (let k = 0; k < K; k++) {
        lo = Math.min(lo, means[k][i] - 9 * sigmas[k]);
        hi = Math.max(hi, means[k][i] + 9 * sigmas[k]);
      }
      range.push([lo, hi]);
    }
    const dims = Array.from({ length: dim }, (_, i) => i);
    this.factors = dim <= 2 ? [{ dims, energyOf: (x) => this.energyOf(x), range }] : [];
  }

  energy(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      if (x.rank !== 2 || x.shape[1] !== this.dim) throw new Error(`${this.name}.energy: x must have shape [batch, ${this.dim}], got [${x.shape.join(", ")}]`);
      const K = this.means.length;
      const mu = tf.tensor2d(this.means.flat(), [K, this.dim]);
      const d2 = tf.sum(tf.square(tf.sub(tf.expandDims(x, 1), mu)), 2);
      const logits = tf.add(tf.mul(d2, tf.tensor1d(this.sigmas.map((s) => -0.5 / (s * s)))), tf.tensor1d(this.logc));
      return tf.neg(tf.logSumExp(logits, 1)) as tf.Tensor1D;
    });
  }

  /** Per-mode log terms ln π_k N(x; μ_k, σ_k²) of one point. */
  private terms(x: ArrayLike<number>): number[] {
    return this.means.map((m, k) => {
      let d2 = 0;
      for (let i = 0; i < this.dim; i++) d2 += (x[i] - m[i]) ** 2;
      return this.logc[k] - d2 / (2 * this.sigmas[k] ** 2);
    });
  }

  energyOf(x: ArrayLike<number>): number {
    const t = this.terms(x);
    const m = Math.max(...t);
    let s = 0;
    for (const v of t) s += Math.exp(v - m);
    return -(m + Math.log(s));
  }

  gradientOf(x: ArrayLike<number>, out?: Float64Array): Float64Array {
    const g = out ?? new Float64Array(this.dim);
    const t = this.terms(x);
    const m = Math.max(...t);
    const r = t.map((v) => Math.exp(v - m));
    const s = r.reduce((p, q) => p + q, 0);
    g.fill(0);
    for (let k = 0; k < t.length; k++) {
      const p = r[k] / s;
      for (let i = 0; i < this.dim; i++) g[i] += (p * (x[i] - this.means[k][i])) / this.sigmas[k] ** 2;
    }
    return g;
  }

  /** The index of the most probable mode of each point (for mode-coverage counts), points [n × dim] row-major. */
  assignModes(points: ArrayLike<number>): Int32Array {
    const n = Math.floor(points.length / this.dim);
    const out = new Int32Array(n);
    const p = new Float64Array(this.dim);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < this.dim; i++) p[i] = points[j * this.dim + i];
      const t = this.terms(p);
      let best = 0;
      for (let k = 1; k < t.length; k++) if (t[k] > t[best]) best = k;
      out[j] = best;
    }
    return out;
  }
}

/** A Gaussian mixture energy (default: three 2-D modes with weights 0.6, 0.3, 0.1). */
export function gaussianMixture(options: GaussianMixtureOptions = {}): GaussianMixtureSystem {
  return new GaussianMixtureSystem(options);
}
