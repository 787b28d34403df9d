/**
 * A whitening layer (the Boltzmann-generator paper's normalisation of the
 * input, Noé et al. 2019): a fixed linear map built from samples of the
 * target (MCMC data), x = μ + A z with A = V Λ^{1/2} from the eigen-
 * decomposition of the sample covariance C = V Λ Vᵀ (PCA whitening), so that
 * the data's inverse image z = Λ^{−1/2} Vᵀ (x − μ) has zero mean and unit
 * covariance. ln|det ∂x/∂z| = ½ Σ_k ln λ_k, the same for every sample.
 * Components are ordered by decreasing variance. Eigenvalues below
 * `epsilon`·λ_max are raised to that floor (a direction the data never
 * moved in would otherwise make A singular). Mean, covariance and the
 * Jacobi eigen-decomposition are computed in float64; the layer has no
 * trainable variables. Put it at the x end of a flow: composeFlows([couplings…, whiten]).
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { checkInteger, checkKeys, checkNumber } from "../core/validate";
import { checkFlowInput, type Flow } from "./types";

export interface WhitenOptions {
  /** Samples [n × dim] row-major (n ≥ 2), or a [n, dim] tensor (not disposed). */
  data: ArrayLike<number> | tf.Tensor2D;
  /** Coordinates per sample (required with a flat array; taken from the tensor otherwise). */
  dim?: number;
  /** Relative eigenvalue floor (default 1e-6). */
  epsilon?: number;
}

/**
 * Eigen-decomposition of a symmetric d × d matrix (row-major, float64) by
 * cyclic Jacobi rotations: returns the eigenvalues in decreasing order and
 * the eigenvectors as the columns of V (row-major), A = V diag(λ) Vᵀ.
 */
export function symmetricEigen(matrix: ArrayLike<number>, d: number): { values: Float64Array; vectors: Float64Array } {
  const W = "symmetricEigen";
  checkInteger(d, "d", W, { min: 1 });
  if (matrix === null || matrix === undefined || matrix.length !== d * d) throw new Error(`${W}: matrix must hold d·d = ${d * d} numbers`);
  const a = Float64Array.from(matrix);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] ** 2;
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => a[j * d + j] - a[i * d + i]);
  const values = Float64Array.from(order, (i) => a[i * d + i]);
  const vectors = new Float64Array(d * d);
  for (let r = 0; r < d; r++) for (let k = 0; k < d; k++) vectors[r * d + k] = v[r * d + order[k]];
  return { values, vectors };
}

/** The fixed PCA-whitening flow x = μ + V Λ^{1/2} z (see the module doc). */
export class Whiten implements Flow {
  readonly dim: number;
  readonly trainableVariables: tf.Variable[] = [];
  /** Data mean μ, eigenvalues λ (decreasing, floored) and eigenvectors (columns of V, row-major), float64. */
  readonly mean: Float64Array;
  readonly eigenvalues: Float64Array;
  readonly eigenvectors: Float64Array;
  /** ln|det ∂x/∂z| = ½ Σ ln λ. */
  readonly logDet: number;
  private readonly mu: tf.Tensor2D;
  /** Aᵀ = Λ^{1/2} Vᵀ and (A⁻¹)ᵀ = V Λ^{−1/2}, for row vectors: x = μ + z Aᵀ, z = (x − μ) (A⁻¹)ᵀ. */
  private readonly fwd: tf.Tensor2D;
  private readonly inv: tf.Tensor2D;

  constructor(options: WhitenOptions) {
    const W = "Whiten";
    checkKeys(options, ["data", "dim", "epsilon"], W);
    const data = options?.data;
    let flat: ArrayLike<number>;
    let d: number;
    if (data instanceof tf.Tensor) {
      if (data.rank !== 2) throw new Error(`${W}: data must be a [n, dim] tensor, got rank ${data.rank}`);
      d = data.shape[1];
      if (options.dim !== undefined && options.dim !== d) throw new Error(`${W}: dim ${options.dim} does not match the data's ${d} columns`);
      flat = data.dataSync();
    } else {
      if (data === undefined || data === null || typeof data.length !== "number") throw new Error(`${W}: data must be an array of n·dim numbers or a [n, dim] tensor`);
      d = checkInteger(options.dim, "dim", W, { min: 1 });
      flat = data;
    }
    const n = Math.floor(flat.length / d);
    if (n < 2 || n * d !== flat.length) throw new Error(`${W}: data must hold n·${d} numbers with n ≥ 2, got ${flat.length}`);
    const eps = options.epsilon === undefined ? 1e-6 : checkNumber(options.epsilon, "epsilon", W, { above: 0, max: 1 });
    ensureBackend();
    this.dim = d;
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) {
      const v = flat[i * d + k];
      if (!Number.isFinite(v)) throw new Error(`${W}: data[${i * d + k}] is ${v}`);
      mean[k] += v;
    }
    for (let k = 0; k < d; k++) mean[k] /= n;
    const cov = new Float64Array(d * d);
    const row = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) row[k] = flat[i * d + k] - mean[k];
      for (let p = 0; p < d; p++) {
        const rp = row[p];
        for (let q = p; q < d; q++) cov[p * d + q] += rp * row[q];
      }
    }
    for (let p = 0; p < d; p++) for (let q = p; q < d; q++) {
      cov[p * d + q] /= n - 1;
      cov[q * d + p] = cov[p * d + q];
    }
    const { values, vectors } = symmetricEigen(cov, d);
    const floor = Math.max(eps * Math.max(values[0], 0), Number.MIN_VALUE);
    if (!(values[0] > 0)) throw new Error(`${W}: the data have zero variance`);
    for (let k = 0; k < d; k++) values[k] = Math.max(values[k], floor);
    this.mean = mean;
    this.eigenvalues = values;
    this.eigenvectors = vectors;
    let ld = 0;
    for (let k = 0; k < d; k++) ld += 0.5 * Math.log(values[k]);
    this.logDet = ld;
    // Aᵀ[k][r] = sqrt(λ_k) V[r][k]; (A⁻¹)ᵀ[r][k] = V[r][k] / sqrt(λ_k)
    const at = new Float32Array(d * d), ait = new Float32Array(d * d);
    for (let r = 0; r < d; r++) for (let k = 0; k < d; k++) {
      const s = Math.sqrt(values[k]);
      at[k * d + r] = s * vectors[r * d + k];
      ait[r * d + k] = vectors[r * d + k] / s;
    }
    this.mu = tf.tensor2d(Float32Array.from(mean), [1, d]);
    this.fwd = tf.tensor2d(at, [d, d]);
    this.inv = tf.tensor2d(ait, [d, d]);
  }

  forward(z: tf.Tensor2D): { x: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(z, this.dim, "z", "Whiten.forward");
    return tf.tidy(() => ({
      x: tf.add(tf.matMul(z, this.fwd), this.mu) as tf.Tensor2D,
      logDet: tf.fill([z.shape[0]], this.logDet) as tf.Tensor1D,
    }));
  }

  inverse(x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    checkFlowInput(x, this.dim, "x", "Whiten.inverse");
    return tf.tidy(() => ({
      z: tf.matMul(tf.sub(x, this.mu), this.inv) as tf.Tensor2D,
      logDet: tf.fill([x.shape[0]], -this.logDet) as tf.Tensor1D,
    }));
  }

  dispose(): void {
    tf.dispose([this.mu, this.fwd, this.inv]);
  }
}

/** A PCA-whitening flow from data (see the module doc). */
export function whiten(options: WhitenOptions): Whiten {
  return new Whiten(options);
}
