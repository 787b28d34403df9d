/**
 * Pieces shared by the autoregressive models of q-state (Potts) variables
 * σ_i ∈ {0, …, q−1} (`PottsMade`, `PottsPixelCnn`): the q-way softmax
 * conditionals, the relabelling symmetries, and a common base class.
 *
 * A configuration travels as [batch, N] float32 states; the networks read it
 * one-hot ([batch, N·q], site-major) and give q logits per site,
 * q₀(σ_i = k | σ_<i) = softmax_k(z_i), each logit clamped to ±ln((1−ε)/ε).
 * ln q₀(σ) = Σ_i [z_{i,σ_i} − ln Σ_k e^{z_{i,k}}].
 *
 * q = 2 is the Ising family: with σ = (1 + s)/2, softmax(z_{i,0}, z_{i,1}) =
 * σ(z_{i,1} − z_{i,0}) and the one-hot input is an affine map of s (its
 * constant goes into the biases), so every Ising MADE/PixelCNN is a q = 2
 * model with mapped weights (the tests build one and compare ln q).
 *
 * Symmetry under relabellings σ ↦ g∘σ of the states (only for energies that
 * have it, `PottsSystem.permutationSymmetric`):
 * - "mixture": the S_q mixture q(σ) = (1/q!) Σ_g q₀(g∘σ) over all q!
 *   permutations (q ≤ 4: q! network passes per ln q); sampling draws τ ~ q₀
 *   and a uniform g, σ = g∘τ. The Z2 "mixture" of the Ising models at q = 2.
 * - "first-state": the network models configurations with σ₀ = 0 (the
 *   sampler fixes site 0, its conditional is not part of ln q̃), then a
 *   uniform cyclic relabelling c ∈ Z_q gives σ = τ + c mod q, so exactly
 *   ln q(σ) = ln q̃(σ − σ₀ mod q) − ln q (one pass). It is invariant under the
 *   cyclic relabellings and represents every S_q-symmetric distribution
 *   exactly (q̃ = q·p on σ₀ = 0). The Z2 "first-spin" gauge at q = 2.
 */
import * as tf from "@tensorflow/tfjs";
import { resolveRng, type RandomOptions, type Rng } from "../core/random";
import { checkInteger } from "../core/validate";
import { checkAliveModel, checkBatchInput, wantsLogProb, type ModelConfig, type SampleArraysOptions } from "./spin";
import type { Sample } from "./types";

/** How a q-state model is symmetrised under relabellings of the states (see the module doc). */
export type PottsSymmetry = "none" | "mixture" | "first-state";

/** The symmetries a q-state model may have. */
export const POTTS_SYMMETRIES = ["none", "mixture", "first-state"] as const;

/** Largest q for the S_q mixture (q! passes per ln q). */
export const MIXTURE_MAX_Q = 4;

/** Samples of a q-state model on the JS side: x is [batch × size] row-major states 0…q−1, logProb in float64. */
export interface PottsSamples {
  batch: number;
  size: number;
  x: Float32Array;
  logProb: Float64Array;
}

/** What a network's sampler returns: the base configurations τ and ln q₀(τ) (site 0 left out in the first-state gauge). */
export interface BaseSamples {
  states: Float32Array;
  logProb: Float64Array;
}

/** All q! permutations of 0…q−1 in lexicographic order (the identity first). */
export function permutations(q: number): number[][] {
  const out: number[][] = [];
  const rec = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      out.push(prefix);
      return;
    }
    rest.forEach((v, k) => rec([...prefix, v], [...rest.slice(0, k), ...rest.slice(k + 1)]));
  };
  rec([], Array.from({ length: q }, (_, k) => k));
  return out;
}

/** ln Σ_k e^{z_{o+k}} over q entries of z, in float64. */
export function logSumExpRow(z: ArrayLike<number>, o: number, q: number): number {
  let m = -Infinity;
  for (let k = 0; k < q; k++) if (z[o + k] > m) m = z[o + k];
  let s = 0;
  for (let k = 0; k < q; k++) s += Math.exp(z[o + k] - m);
  return m + Math.log(s);
}

/**
 * Draw a state from the softmax of q logits z[o..o+q) by inversion of the
 * cumulative probabilities with the uniform u (float64): the first k with
 * u < Σ_{j≤k} p_j (q − 1 when rounding leaves u above the total).
 */
export function drawCategorical(z: ArrayLike<number>, o: number, q: number, u: number): number {
  const lse = logSumExpRow(z, o, q);
  let cum = 0;
  for (let k = 0; k < q - 1; k++) {
    cum += Math.exp(z[o + k] - lse);
    if (u < cum) return k;
  }
  return q - 1;
}

/**
 * ln q₀(σ) = Σ_i [z_{i,σ_i} − logsumexp_k z_{i,k}] from logits [B, N·q] and the
 * one-hot configurations [B, N·q] (site-major); `siteMask` ([1, N], optional)
 * weights the sites (0 drops a site). Differentiable.
 */
export function categoricalLogProb(logits: tf.Tensor2D, onehot: tf.Tensor2D, q: number, siteMask: tf.Tensor2D | null = null): tf.Tensor1D {
  return tf.tidy(() => {
    const B = logits.shape[0];
    const n = logits.shape[1] / q;
    const ls = tf.logSoftmax(tf.reshape(logits, [B, n, q]));
    let perSite = tf.sum(tf.mul(ls, tf.reshape(onehot, [B, n, q])), 2) as tf.Tensor2D;
    if (siteMask !== null) perSite = tf.mul(perSite, siteMask) as tf.Tensor2D;
    return tf.sum(perSite, 1) as tf.Tensor1D;
  });
}

/**
 * What PottsMade and PottsPixelCnn share: the life cycle, input checks, the
 * full-pass `logProb` with its symmetrisation, `sample` as tensors of
 * `sampleArrays`, the symmetrised sampler around the network's base sampler,
 * float64 `logProbArrays` and the slow reference sampler.
 */
export abstract class AutoregressivePottsModel {
  /** Marks the variables as q-state (checked against the system by the trainer and estimators). */
  readonly domain = "potts" as const;
  abstract readonly size: number;
  abstract readonly q: number;
  abstract readonly symmetry: PottsSymmetry;
  abstract readonly trainableVariables: tf.Variable[];
  abstract readonly variableNames: string[];
  /** Prefix of error messages, e.g. "pottsMade". */
  protected abstract readonly kind: string;
  /** [1, N·q] ones with zeros on site 0's logits when its conditional is uniform (or null). */
  protected abstract readonly firstMask: tf.Tensor2D | null;
  protected disposed = false;
  private siteZero: tf.Tensor2D | null = null;
  private permMatrices: tf.Tensor2D[] | null = null;

  abstract config(): ModelConfig;
  /** Clamped conditional logits [B, N·q] of one-hot configurations [B, N·q] in one full pass (not checked). */
  protected abstract netLogits(onehot: tf.Tensor2D): tf.Tensor2D;
  /**
   * The network's own sampler: `batch` base configurations from uniforms u
   * ([batch × N] row-major); with `fixFirst` site 0 is state 0 and its term
   * is left out of ln q₀. ln q₀ in float64 (NaN entries when `withLq` is false).
   */
  protected abstract sampleBase(u: Float32Array, batch: number, fixFirst: boolean, withLq: boolean): BaseSamples;

  /** Conditional logits z [batch, N·q] (site-major, clamped) of states x [batch, N]; differentiable. Unsymmetrised. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    this.checkAlive("logits");
    this.checkInput(x, "logits");
    return tf.tidy(() => this.netLogits(this.oneHot(x)));
  }

  /** ln q(x) of states x [batch, N] → [batch], with the model's symmetrisation; differentiable. */
  logProb(x: tf.Tensor2D): tf.Tensor1D {
    this.checkAlive("logProb");
    this.checkInput(x, "logProb");
    return tf.tidy(() => {
      const q = this.q;
      if (this.symmetry === "first-state") {
        const tau = tf.mod(tf.add(tf.sub(x, tf.slice(x, [0, 0], [x.shape[0], 1])), q), q) as tf.Tensor2D;
        const oh = this.oneHot(tau);
        return tf.sub(categoricalLogProb(this.netLogits(oh), oh, q, this.siteZeroMask()), Math.log(q)) as tf.Tensor1D;
      }
      const oh = this.oneHot(x);
      if (this.symmetry === "none") return categoricalLogProb(this.netLogits(oh), oh, q);
      // S_q mixture: all relabellings g∘x in one batched pass, then logmeanexp over g
      const B = x.shape[0];
      const n = this.size;
      const perms = this.permutationMatrices();
      const oh3 = tf.reshape(oh, [B * n, q]) as tf.Tensor2D;
      const all = tf.concat(perms.map((P) => tf.reshape(tf.matMul(oh3, P), [B, n * q])), 0) as tf.Tensor2D;
      const lq = tf.reshape(categoricalLogProb(this.netLogits(all), all, q), [perms.length, B]);
      return tf.sub(tf.logSumExp(lq, 0), Math.log(perms.length)) as tf.Tensor1D;
    });
  }

  /**
   * Draw `batch` configurations into typed arrays: per sample its N uniforms,
   * then (symmetrised models) one uniform for its relabelling. `logProb: false`
   * skips ln q (the trainer takes it from its gradient pass).
   */
  sampleArrays(batch: number, options?: SampleArraysOptions): PottsSamples {
    this.checkAlive("sample");
    const W = `${this.kind}.sample`;
    checkInteger(batch, "batch", W, { min: 1 });
    const rng = resolveRng(options, W);
    const withLq = wantsLogProb(options, W);
    const { u, relabel } = this.drawUniforms(rng, batch);
    return this.finishSamples(u, relabel, batch, withLq, false);
  }

  sample(batch: number, options?: RandomOptions): Sample {
    const s = this.sampleArrays(batch, options);
    return { x: tf.tensor2d(s.x, [batch, this.size]), logProb: tf.tensor1d(Float32Array.from(s.logProb)) };
  }

  /** ln q of states [batch × N] (row-major, integers 0…q−1) in float64 from one full pass (q! with the mixture). */
  logProbArrays(x: ArrayLike<number>, batch: number): Float64Array {
    this.checkAlive("logProbArrays");
    const W = `${this.kind}.logProbArrays`;
    checkInteger(batch, "batch", W, { min: 1 });
    const n = this.size;
    const q = this.q;
    if (x.length !== batch * n) throw new Error(`${W}: x must have batch·size = ${batch * n} entries, got ${x.length}`);
    for (let k = 0; k < x.length; k++) {
      const v = x[k];
      if (!Number.isInteger(v) || v < 0 || v >= q) throw new Error(`${W}: x must hold states 0…${q - 1}, got ${v} at [${Math.floor(k / n)}, ${k % n}]`);
    }
    const perms = this.symmetry === "mixture" ? permutations(q) : [null];
    const terms = perms.map((g) => {
      const xs = new Float32Array(batch * n);
      for (let k = 0; k < xs.length; k++) {
        const v = x[k];
        xs[k] = this.symmetry === "first-state" ? (v - x[k - (k % n)] + q) % q : g !== null ? g[v] : v;
      }
      return this.baseLogProbArrays(xs, batch, this.symmetry === "first-state");
    });
    const out = new Float64Array(batch);
    for (let b = 0; b < batch; b++) {
      if (this.symmetry === "mixture") {
        let m = -Infinity;
        for (const t of terms) m = Math.max(m, t[b]);
        let s = 0;
        for (const t of terms) s += Math.exp(t[b] - m);
        out[b] = m + Math.log(s / terms.length);
      } else out[b] = terms[0][b] - (this.symmetry === "first-state" ? Math.log(q) : 0);
    }
    return out;
  }

  /**
   * The slow reference sampler: reruns the full network for every site and
   * draws each state in float64 from the read-back logits, with the same
   * random numbers in the same order as `sample`, so with the same seed both
   * give the same configurations (up to draws within rounding of a
   * cumulative probability). For tests and benchmarks.
   */
  sampleReference(batch: number, options?: RandomOptions): PottsSamples {
    this.checkAlive("sampleReference");
    const W = `${this.kind}.sampleReference`;
    checkInteger(batch, "batch", W, { min: 1 });
    const rng = resolveRng(options, W);
    const { u, relabel } = this.drawUniforms(rng, batch);
    return this.finishSamples(u, relabel, batch, true, true);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.trainableVariables) v.dispose();
    for (const t of this.ownedTensors()) t.dispose();
    this.firstMask?.dispose();
    this.siteZero?.dispose();
    if (this.permMatrices !== null) tf.dispose(this.permMatrices);
  }

  // ---------------------------------------------------------------- internals

  /** Tensors the model owns besides its variables and masks (freed by `dispose`). */
  protected ownedTensors(): tf.Tensor[] {
    return [];
  }

  protected checkAlive(where: string): void {
    checkAliveModel(this.disposed, `${this.kind}.${where}`);
  }

  protected checkInput(x: tf.Tensor2D, where: string): void {
    checkBatchInput(x, this.size, `${this.kind}.${where}`, "tensor of states");
  }

  /** One-hot [B, N·q] (site-major) of states [B, N]. */
  protected oneHot(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.reshape(tf.cast(tf.oneHot(tf.cast(x, "int32"), this.q), "float32"), [x.shape[0], this.size * this.q]) as tf.Tensor2D);
  }

  /** ln q₀ of base configurations in float64 from one full pass (site 0 left out with `dropFirst`). */
  protected baseLogProbArrays(xs: Float32Array, batch: number, dropFirst: boolean): Float64Array {
    const n = this.size;
    const q = this.q;
    const out = new Float64Array(batch);
    const chunk = 512;
    for (let b0 = 0; b0 < batch; b0 += chunk) {
      const count = Math.min(chunk, batch - b0);
      const rows = xs.subarray(b0 * n, (b0 + count) * n);
      const zt = tf.tidy(() => this.netLogits(this.oneHot(tf.tensor2d(rows, [count, n]))));
      const z = zt.dataSync();
      zt.dispose();
      for (let s = 0; s < count; s++) {
        let lq = 0;
        for (let i = dropFirst ? 1 : 0; i < n; i++) {
          const o = (s * n + i) * q;
          lq += z[o + rows[s * n + i]] - logSumExpRow(z, o, q);
        }
        out[b0 + s] = lq;
      }
    }
    return out;
  }

  /** The random numbers of `batch` samples in order: per sample its N uniforms, then its relabelling uniform. */
  private drawUniforms(rng: Rng, batch: number): { u: Float32Array; relabel: Float64Array } {
    const n = this.size;
    const u = new Float32Array(batch * n);
    const relabel = new Float64Array(batch);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++) u[b * n + i] = rng.uniform32();
      relabel[b] = this.symmetry === "none" ? 0 : rng.uniform();
    }
    return { u, relabel };
  }

  /** Base samples (fast or reference), relabelled by the symmetry, with ln q. */
  private finishSamples(u: Float32Array, relabel: Float64Array, batch: number, withLq: boolean, reference: boolean): PottsSamples {
    const n = this.size;
    const q = this.q;
    const fixFirst = this.symmetry === "first-state";
    const base = reference ? this.referenceBase(u, batch, fixFirst) : this.sampleBase(u, batch, fixFirst, withLq && this.symmetry !== "mixture");
    const x = base.states;
    const perms = this.symmetry === "mixture" ? permutations(q) : null;
    for (let b = 0; b < batch; b++) {
      if (this.symmetry === "none") continue;
      if (perms !== null) {
        const g = perms[Math.min(perms.length - 1, Math.floor(relabel[b] * perms.length))];
        for (let i = 0; i < n; i++) x[b * n + i] = g[x[b * n + i]];
      } else {
        const c = Math.min(q - 1, Math.floor(relabel[b] * q));
        for (let i = 0; i < n; i++) x[b * n + i] = (x[b * n + i] + c) % q;
      }
    }
    let logProb: Float64Array;
    if (!withLq) logProb = new Float64Array(batch).fill(NaN);
    else if (this.symmetry === "mixture") logProb = this.logProbArrays(x, batch);
    else {
      logProb = base.logProb;
      if (fixFirst) for (let b = 0; b < batch; b++) logProb[b] -= Math.log(q);
    }
    return { batch, size: n, x, logProb };
  }

  /** Site by site with a full pass per site (the reference for the fast samplers). */
  private referenceBase(u: Float32Array, batch: number, fixFirst: boolean): BaseSamples {
    const n = this.size;
    const q = this.q;
    const states = new Float32Array(batch * n);
    const logProb = new Float64Array(batch);
    for (let i = 0; i < n; i++) {
      const zt = tf.tidy(() => {
        const z = this.netLogits(this.oneHot(tf.tensor2d(states, [batch, n])));
        return tf.slice(z, [0, i * q], [batch, q]);
      });
      const z = zt.dataSync();
      zt.dispose();
      for (let b = 0; b < batch; b++) {
        if (i === 0 && fixFirst) continue;
        const k = drawCategorical(z, b * q, q, u[b * n + i]);
        states[b * n + i] = k;
        logProb[b] += z[b * q + k] - logSumExpRow(z, b * q, q);
      }
    }
    return { states, logProb };
  }

  /** [1, N] ones with a zero at site 0 (made once, freed by dispose). */
  private siteZeroMask(): tf.Tensor2D {
    if (this.siteZero === null) {
      const m = new Float32Array(this.size).fill(1);
      m[0] = 0;
      this.siteZero = tf.keep(tf.tensor2d(m, [1, this.size]));
    }
    return this.siteZero;
  }

  /** The q×q permutation matrices (one-hot rows k → g(k)) of all q! relabellings (made once). */
  private permutationMatrices(): tf.Tensor2D[] {
    if (this.permMatrices === null) {
      const q = this.q;
      this.permMatrices = permutations(q).map((g) => {
        const m = new Float32Array(q * q);
        for (let k = 0; k < q; k++) m[k * q + g[k]] = 1;
        return tf.keep(tf.tensor2d(m, [q, q]));
      });
    }
    return this.permMatrices;
  }
}

/** [1, N·q] ones with zeros on site 0's q logits: its conditional becomes uniform. */
export function firstSiteLogitMask(n: number, q: number): tf.Tensor2D {
  const m = new Float32Array(n * q).fill(1);
  for (let k = 0; k < q; k++) m[k] = 0;
  return tf.tensor2d(m, [1, n * q]);
}
