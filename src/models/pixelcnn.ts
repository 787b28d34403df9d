/**
 * PixelCNN: the VAN paper's convolutional autoregressive model of ±1 spins on
 * a 2-D grid (Wu, Wang, Zhang, PRL 122, 080602, 2019; the layer layout
 * follows stat-mech-van's pixelcnn.py). Sites are ordered row-major, r·cols + c.
 *
 * Layers (k = `halfKernel`, kernels (2k+1)×(2k+1), zero padding at the grid's
 * edges whatever the system's boundary, as in the reference):
 * - an exclusive masked convolution 1 → width channels: site (r, c) sees the k
 *   rows above it (all 2k+1 columns) and the k sites to its left;
 * - depth − 2 inclusive masked convolutions width → width (the centre tap is
 *   kept), each preceded by a PReLU (one slope per channel, 0.5 at start), or,
 *   with `residual`, blocks h ← h + MConv(PReLU(Conv1×1(h)));
 * - a last inclusive masked convolution width → 1 preceded by a PReLU, whose
 *   output is the logit of q(s_i = +1 | s_<i) (σ of it is the reference's
 *   x̂). Depth 1 is the single exclusive convolution 1 → 1.
 * Periodic grids (`periodic`, the default on a torus): the convolutions wrap
 * around wherever that reads only spins already drawn. A tap of the kernel at
 * offset (dr, dc) reads site ((r+dr) mod R, (c+dc) mod C) when that site
 * precedes (r, c) in raster order and is zero otherwise: the rows above wrap
 * around in the columns; the centre row also reads, to its right, the sites
 * c+dc−C at the start of the row once c+dc ≥ C; and the last k rows read, as
 * their "rows below", the first rows of the grid (columns wrapped). So a
 * site's periodic neighbours across the boundary are direct taps of the first
 * layer instead of lying at the edge of the receptive field of a
 * zero-padded network (depth·k ≥ L − 1 rows away). Needs k < R and k < C.
 * Conditionals are clamped to [ε, 1 − ε] by clamping the logits. With Z2,
 * q(s) = ½[q₀(s) + q₀(−s)] (`z2Method: "mixture"`, the paper's), or, with
 * `z2Method: "first-spin"`, q(s) = ½ q̃(s₀·s): the network models the
 * configurations σ = s₀·s whose first spin is +1 (the sampler fixes it) and a
 * fair coin gives the overall sign. Both are exactly symmetric and can
 * represent any symmetric distribution; the first-spin form needs one pass of
 * the network for ln q instead of two, so a training step's gradient costs
 * half as much. By default the first site's conditional is fixed
 * at ½ when there are biases and no Z2 (the reference's rule: without biases
 * it is ½ anyway, and with Z2 the symmetrised marginal of every site is ½);
 * `biasFreeFirst` overrides the default.
 *
 * The code is in three parts: this file (options, config, the model class),
 * pixelcnnConv.ts (the variables, the masked and split convolutions, the full
 * pass) and pixelcnnSampler.ts (the fast sampler, which caches every layer's
 * inputs row by row: one forward pass of arithmetic per sample instead of N,
 * and ln q summed in float64 on the JS side).
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkOneOf, checkBoolean } from "../core/validate";
import type { SpinSystem } from "../systems/types";
import { buildPixelCnnStages, pixelcnnLogits, type PixelCnnNet, type PixelCnnStage } from "./pixelcnnConv";
import { samplePixelCnnChunk } from "./pixelcnnSampler";
import {
  AutoregressiveSpinModel, bernoulliLogProb, checkModelConfig, firstSiteMask, logitBound, logSigmoid, symmetrize, type ModelConfig, type SampleArraysOptions,
  type SpinSamples, wantsLogProb,
} from "./spin";
import type { Sample } from "./types";

export interface PixelCnnOptions extends RandomOptions {
  /** A spin system on a 2-D grid (its `geometry` gives rows × cols). Give this or `L`. */
  system?: SpinSystem;
  /** Rows of the grid (when no `system` is given). */
  L?: number;
  /** Columns of the grid (default `L`). */
  cols?: number;
  /** Number of masked convolutions (≥ 1; default 3). */
  depth?: number;
  /** Channels of the hidden layers (default 64). */
  width?: number;
  /** Kernel half-size k: kernels are (2k+1)×(2k+1) (≥ 1; default 6, the paper's 13×13). */
  halfKernel?: number;
  /** Middle layers as residual blocks h ← h + MConv(PReLU(Conv1×1(h))) (default false). */
  residual?: boolean;
  /** Z2 symmetrisation q(s) = ½[q₀(s) + q₀(−s)] (default false). */
  z2?: boolean;
  /** How Z2 is imposed: "mixture" ½[q₀(s) + q₀(−s)] (default) or "first-spin" ½ q̃(s₀·s), one network pass (see the class doc). */
  z2Method?: "mixture" | "first-spin";
  /** Biases in the convolutions (default true). */
  bias?: boolean;
  /** Fix the first conditional at ½ (default: `bias && !z2`, as in the reference). */
  biasFreeFirst?: boolean;
  /** Conditionals are clamped to [ε, 1 − ε] (default 1e-7). */
  epsilon?: number;
  /** Full-pass convolution: "split" (default; rows above + centre row) or "masked" (one masked (2k+1)² kernel). */
  convolution?: "split" | "masked";
  /** Samples per chunk in `sample` (bounds the activation cache; default 512). */
  sampleChunk?: number;
  /**
   * Wrap the convolutions around a torus where they read only drawn spins (see the class doc).
   * Default: true when `system` is periodic in both directions and k < rows, k < cols; else false.
   */
  periodic?: boolean;
}

const KNOWN = [
  "system", "L", "cols", "depth", "width", "halfKernel", "residual", "z2", "z2Method", "bias", "biasFreeFirst", "epsilon",
  "convolution", "sampleChunk", "periodic", "seed", "rng",
] as const;
/** The fields of `PixelCnnConfig`. */
const CONFIG_KEYS = [
  "type", "size", "rows", "cols", "depth", "width", "halfKernel", "residual", "z2", "bias", "biasFreeFirst", "epsilon", "periodic", "z2Method",
] as const;

/** The architecture of a PixelCNN as stored in checkpoints. */
export interface PixelCnnConfig extends ModelConfig {
  type: "pixelcnn";
  rows: number;
  cols: number;
  depth: number;
  width: number;
  halfKernel: number;
  residual: boolean;
  z2: boolean;
  bias: boolean;
  biasFreeFirst: boolean;
  epsilon: number;
  /** Absent in checkpoints written before periodic PixelCNNs existed (= false). */
  periodic?: boolean;
  /** Absent in older checkpoints (= "mixture"). */
  z2Method?: "mixture" | "first-spin";
}

export class PixelCnn extends AutoregressiveSpinModel {
  protected readonly kind = "pixelcnn";
  readonly size: number;
  readonly rows: number;
  readonly cols: number;
  readonly depth: number;
  readonly width: number;
  readonly halfKernel: number;
  readonly residual: boolean;
  readonly z2: boolean;
  readonly bias: boolean;
  readonly biasFreeFirst: boolean;
  readonly epsilon: number;
  readonly convolution: "split" | "masked";
  readonly periodic: boolean;
  readonly z2Method: "mixture" | "first-spin";
  readonly trainableVariables: tf.Variable[];
  readonly variableNames: string[];
  private readonly stages: PixelCnnStage[];
  /** What the full pass and the sampler read (grid, kernel, stages, first mask). */
  private readonly net: PixelCnnNet;
  private readonly zmax: number;
  private readonly sampleChunk: number;
  protected readonly firstMask: tf.Tensor2D | null;

  constructor(options: PixelCnnOptions) {
    super();
    const W = "pixelcnn";
    if (options === undefined || options === null || typeof options !== "object") {
      throw new Error(`${W}: options must be an object with { system } or { L }`);
    }
    checkKeys(options, KNOWN, W);
    if ((options.system === undefined) === (options.L === undefined)) {
      throw new Error(`${W}: give exactly one of system (a spin system on a 2-D grid) or L (grid rows)`);
    }
    if (options.system !== undefined) {
      const s = options.system;
      if (s === null || typeof s !== "object" || s.kind !== "spin") throw new Error(`${W}: system must be a SpinSystem`);
      const g = s.geometry;
      if (g === null || g === undefined || g.grid.length !== 2) {
        const what = g === null || g === undefined ? "no grid geometry" : `a ${g.grid.length}-D grid`;
        throw new Error(
          `${W}: system "${s.name}" has ${what}; PixelCNN needs a 2-D grid (use made or twobo for other systems)`,
        );
      }
      if (options.cols !== undefined) throw new Error(`${W}: cols comes from the system's geometry; do not give it with system`);
      this.rows = g.grid[0];
      this.cols = g.grid[1];
      if (this.rows * this.cols !== s.n) throw new Error(`${W}: system "${s.name}" has ${s.n} spins but a ${this.rows}×${this.cols} grid`);
    } else {
      this.rows = checkInteger(options.L, "L", W, { min: 1 });
      this.cols = checkInteger(options.cols ?? this.rows, "cols", W, { min: 1 });
    }
    this.size = this.rows * this.cols;
    this.depth = checkInteger(options.depth ?? 3, "depth", W, { min: 1, max: 64 });
    this.width = checkInteger(options.width ?? 64, "width", W, { min: 1 });
    this.halfKernel = checkInteger(options.halfKernel ?? 6, "halfKernel", W, { min: 1, max: 64 });
    this.residual = checkBoolean(options.residual ?? false, "residual", W);
    this.z2 = checkBoolean(options.z2 ?? false, "z2", W);
    this.z2Method = checkOneOf(options.z2Method ?? "mixture", ["mixture", "first-spin"] as const, "z2Method", W);
    if (this.z2Method !== "mixture" && !this.z2) throw new Error(`${W}: z2Method "${this.z2Method}" needs z2: true`);
    this.bias = checkBoolean(options.bias ?? true, "bias", W);
    this.biasFreeFirst = checkBoolean(options.biasFreeFirst ?? (this.bias && !this.z2), "biasFreeFirst", W);
    this.epsilon = checkNumber(options.epsilon ?? 1e-7, "epsilon", W, { above: 0, max: 0.1 });
    this.convolution = checkOneOf(options.convolution ?? "split", ["split", "masked"] as const, "convolution", W);
    this.sampleChunk = checkInteger(options.sampleChunk ?? 512, "sampleChunk", W, { min: 1 });
    this.zmax = logitBound(this.epsilon);
    const k0 = this.halfKernel;
    const fits = k0 < this.rows && k0 < this.cols;
    const torus = options.system?.geometry?.periodic.every((v) => v) ?? false;
    this.periodic = checkBoolean(options.periodic ?? (torus && fits), "periodic", W);
    if (this.periodic && !fits) {
      throw new Error(`${W}: a periodic PixelCNN needs halfKernel < rows and < cols; got halfKernel ${k0} on a ${this.rows}×${this.cols} grid`);
    }
    if (this.periodic && this.convolution === "masked") throw new Error(`${W}: convolution "masked" is not available with periodic: true`);
    const rng = resolveRng(options, W);
    ensureBackend();

    const built = buildPixelCnnStages({
      depth: this.depth, width: this.width, halfKernel: this.halfKernel, residual: this.residual, bias: this.bias, periodic: this.periodic, rng,
    });
    this.stages = built.stages;
    this.trainableVariables = built.variables.variables;
    this.variableNames = built.variables.names;
    this.firstMask = this.biasFreeFirst ? firstSiteMask(this.size) : null;
    this.net = {
      rows: this.rows, cols: this.cols, halfKernel: this.halfKernel, periodic: this.periodic, convolution: this.convolution,
      biasFreeFirst: this.biasFreeFirst, zmax: this.zmax, stages: this.stages, firstMask: this.firstMask,
    };
  }

  config(): PixelCnnConfig {
    return {
      type: "pixelcnn",
      size: this.size,
      rows: this.rows,
      cols: this.cols,
      depth: this.depth,
      width: this.width,
      halfKernel: this.halfKernel,
      residual: this.residual,
      z2: this.z2,
      bias: this.bias,
      biasFreeFirst: this.biasFreeFirst,
      epsilon: this.epsilon,
      // written only when not the default, so that checkpoints from before these options load as before
      ...(this.periodic ? { periodic: true } : {}),
      ...(this.z2Method !== "mixture" ? { z2Method: this.z2Method } : {}),
    };
  }

  /**
   * A fresh PixelCNN with the architecture of `config` (from `config()` or a
   * checkpoint); the weights are drawn anew, to be loaded afterwards. A config
   * without `periodic` or `z2Method` (older checkpoints) is an open-boundary
   * mixture-Z2 model.
   */
  static fromConfig(config: ModelConfig): PixelCnn {
    const W = "pixelcnn.fromConfig";
    const c = checkModelConfig<PixelCnnConfig>(config, "pixelcnn", CONFIG_KEYS, W);
    const rows = checkInteger(c.rows, "config.rows", W, { min: 1 });
    const cols = checkInteger(c.cols, "config.cols", W, { min: 1 });
    if (c.size !== rows * cols) throw new Error(`${W}: config.size ${c.size} is not rows·cols = ${rows}·${cols}`);
    return new PixelCnn({
      L: rows, cols, depth: c.depth, width: c.width, halfKernel: c.halfKernel, residual: c.residual, z2: c.z2, bias: c.bias,
      biasFreeFirst: c.biasFreeFirst, epsilon: c.epsilon, periodic: c.periodic ?? false, z2Method: c.z2Method ?? "mixture",
    });
  }

  /** Number of trainable parameters (only unmasked taps exist as variables). */
  parameterCount(): number {
    let c = 0;
    for (const v of this.trainableVariables) c += v.size;
    return c;
  }

  /** Conditional logits z_i = logit q₀(s_i = +1 | s_<i), clamped, [batch, N], in one full pass. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    this.checkAlive("logits");
    this.checkInput(x, "logits");
    return pixelcnnLogits(this.net, x);
  }

  sampleArrays(batch: number, options?: SampleArraysOptions): SpinSamples {
    this.checkAlive("sample");
    checkInteger(batch, "batch", "pixelcnn.sample", { min: 1 });
    const rng = resolveRng(options, "pixelcnn.sample");
    const withLq = wantsLogProb(options, "pixelcnn.sample");
    const n = this.size;
    const x = new Float32Array(batch * n);
    const logProb = new Float64Array(batch);
    for (let b0 = 0; b0 < batch; b0 += this.sampleChunk) {
      const count = Math.min(this.sampleChunk, batch - b0);
      // the random numbers of each sample in order: its N uniforms, then its Z2 flip
      const u = new Float32Array(count * n);
      const flip = new Uint8Array(count);
      for (let s = 0; s < count; s++) {
        for (let i = 0; i < n; i++) u[i * count + s] = rng.uniform32();
        flip[s] = this.z2 && rng.uniform32() < 0.5 ? 1 : 0;
      }
      const firstSpin = this.firstSpinGauge();
      const { spins, logits } = samplePixelCnnChunk(this.net, u, count, firstSpin);
      let lqNeg: Float64Array | null = null;
      if (this.z2 && !firstSpin && withLq) {
        const neg = new Float32Array(spins.length);
        for (let k = 0; k < neg.length; k++) neg[k] = -spins[k];
        lqNeg = this.logProbNoSym(neg, count);
      }
      for (let s = 0; s < count; s++) {
        const sign = flip[s] === 1 ? -1 : 1;
        const row = (b0 + s) * n;
        for (let i = 0; i < n; i++) x[row + i] = sign * spins[s * n + i];
        if (!withLq) {
          logProb[b0 + s] = NaN;
          continue;
        }
        // first-spin Z2: the drawn σ has σ₀ = +1, and ln q(±σ) = ln ½ + Σ_{i≥1} ln q̃(σ_i | σ_<i)
        let lq = firstSpin ? -Math.LN2 : 0;
        for (let i = firstSpin ? 1 : 0; i < n; i++) lq += logSigmoid(spins[s * n + i] * logits[s * n + i]);
        logProb[b0 + s] = lqNeg !== null ? symmetrize(lq, lqNeg[s]) : lq;
      }
    }
    return { batch, size: n, x, logProb };
  }

  logProbArrays(x: ArrayLike<number>, batch: number): Float64Array {
    this.checkAlive("logProbArrays");
    checkInteger(batch, "batch", "pixelcnn.logProbArrays", { min: 1 });
    const n = this.size;
    if (x.length !== batch * n) throw new Error(`pixelcnn.logProbArrays: x must have batch·size = ${batch * n} entries, got ${x.length}`);
    const xs = new Float32Array(batch * n);
    for (let k = 0; k < xs.length; k++) {
      const v = x[k];
      if (v !== 1 && v !== -1) throw new Error(`pixelcnn.logProbArrays: x must hold ±1 spins, got ${v} at [${Math.floor(k / n)}, ${k % n}]`);
      xs[k] = v;
    }
    if (this.firstSpinGauge()) {
      for (let b = 0; b < batch; b++) {
        if (xs[b * n] < 0) for (let i = 0; i < n; i++) xs[b * n + i] = -xs[b * n + i];
      }
      return this.logProbNoSym(xs, batch, true);
    }
    const a = this.logProbNoSym(xs, batch);
    if (!this.z2) return a;
    const neg = new Float32Array(xs.length);
    for (let k = 0; k < neg.length; k++) neg[k] = -xs[k];
    const b = this.logProbNoSym(neg, batch);
    for (let s = 0; s < batch; s++) a[s] = symmetrize(a[s], b[s]);
    return a;
  }

  /**
   * The slow reference sampler: reruns the full network for every site, as
   * the reference implementation does, with the same random numbers in the
   * same order as `sample`. For tests and benchmarks.
   */
  sampleReference(batch: number, options?: RandomOptions): Sample {
    this.checkAlive("sampleReference");
    checkInteger(batch, "batch", "pixelcnn.sampleReference", { min: 1 });
    const rng = resolveRng(options, "pixelcnn.sampleReference");
    const n = this.size;
    const spins = new Float32Array(batch * n);
    const flip = new Float32Array(batch);
    const u = new Float32Array(batch * n);
    for (let b0 = 0; b0 < batch; b0 += this.sampleChunk) {
      const count = Math.min(this.sampleChunk, batch - b0);
      for (let s = 0; s < count; s++) {
        for (let i = 0; i < n; i++) u[(b0 + s) * n + i] = rng.uniform32();
        flip[b0 + s] = this.z2 && rng.uniform32() < 0.5 ? -1 : 1;
      }
    }
    for (let i = 0; i < n; i++) {
      const z = tf.tidy(() => {
        const l = this.logits(tf.tensor2d(spins, [batch, n]));
        return tf.slice(l, [0, i], [batch, 1]);
      });
      const zv = z.dataSync();
      z.dispose();
      for (let b = 0; b < batch; b++) spins[b * n + i] = (i === 0 && this.firstSpinGauge()) || u[b * n + i] * (1 + Math.exp(-zv[b])) < 1 ? 1 : -1;
    }
    for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) spins[b * n + i] *= flip[b];
    return tf.tidy(() => {
      const xt = tf.tensor2d(spins, [batch, n]);
      return { x: xt, logProb: this.logProb(xt) };
    });
  }

  /** ln q(x), [batch]; differentiable. First-spin Z2: one pass over σ = s₀·s with the first conditional at ½. */
  override logProb(x: tf.Tensor2D): tf.Tensor1D {
    if (!this.firstSpinGauge()) return super.logProb(x);
    this.checkAlive("logProb");
    this.checkInput(x, "logProb");
    return tf.tidy(() => {
      const sigma = tf.mul(x, tf.slice(x, [0, 0], [x.shape[0], 1])) as tf.Tensor2D;
      // a zero logit at site 0 makes its term ln σ(0) = ln ½, the fair coin of the overall sign
      return bernoulliLogProb(tf.mul(this.logits(sigma), this.siteZeroMask()) as tf.Tensor2D, sigma);
    });
  }

  // ---------------------------------------------------------------- internals

  private firstSpinGauge(): boolean {
    return this.z2 && this.z2Method === "first-spin";
  }

  private zeroMask: tf.Tensor2D | null = null;

  /** [1, N] ones with a zero at site 0 (made once, freed by dispose). */
  private siteZeroMask(): tf.Tensor2D {
    if (this.zeroMask === null) this.zeroMask = tf.keep(firstSiteMask(this.size));
    return this.zeroMask;
  }

  protected override ownedTensors(): tf.Tensor[] {
    return this.zeroMask === null ? [] : [this.zeroMask];
  }

  /** ln q₀ (unsymmetrised) of ±1 rows in float64, from one full pass. */
  private logProbNoSym(xs: Float32Array, batch: number, firstAtHalf = false): Float64Array {
    const n = this.size;
    const out = new Float64Array(batch);
    for (let b0 = 0; b0 < batch; b0 += this.sampleChunk) {
      const count = Math.min(this.sampleChunk, batch - b0);
      const rows = xs.subarray(b0 * n, (b0 + count) * n);
      const zt = tf.tidy(() => this.logits(tf.tensor2d(rows, [count, n])));
      const z = zt.dataSync();
      zt.dispose();
      for (let s = 0; s < count; s++) {
        let lq = firstAtHalf ? -Math.LN2 : 0;
        for (let i = firstAtHalf ? 1 : 0; i < n; i++) lq += logSigmoid(rows[s * n + i] * z[s * n + i]);
        out[b0 + s] = lq;
      }
    }
    return out;
  }
}

/** A PixelCNN over a 2-D grid of spins; see `PixelCnnOptions`. */
export function pixelcnn(options: PixelCnnOptions): PixelCnn {
  return new PixelCnn(options);
}
