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
 * Only the unmasked taps are variables: a masked convolution's weights are
 * [taps, in, out] with taps = k(2k+1) + k (+1 when inclusive), ordered row by
 * row (dr = −k..−1, dc = −k..k), then the centre row (dc = −k..−1, then 0);
 * periodic ones add the k centre-row taps to the right (dc = 1..k) and the
 * k(2k+1) taps of the rows below (dr = 1..k, dc = −k..k), in that order.
 *
 * Full evaluation (`logits`, `logProb`) splits each masked convolution into a
 * k×(2k+1) convolution over the rows above and a 1×(k+1) (or 1×k) convolution
 * over the centre row, with the input padded and shifted so that both are
 * plain "valid" convolutions: the same arithmetic as the masked kernel without
 * the multiply-adds by zero (about twice as fast as one masked (2k+1)² kernel
 * on the tensorflow backend; `convolution: "masked"` keeps that variant for
 * comparison).
 *
 * Sampling does not rerun the network per site. With raster-order masks every
 * layer's activation at site i depends only on spins at sites < i, so once
 * spin i − 1 is drawn the activations of site i are final in every layer.
 * The sampler caches every layer's inputs, row by row. When row r starts, the
 * k rows above it are final in every layer, so each layer's contribution from
 * them (the k×(2k+1) part of its kernel) is one convolution over the cached
 * rows, for the whole row at once. Then, site by site along the row, each
 * layer adds its centre-row part: one concat of the ≤ k+1 cached inputs to
 * the left, one [taps·in, out] matMul and one add. That is one forward pass of
 * arithmetic in all instead of N, in about 4·depth small ops per site plus a
 * few per row. The logits are read back once at the end, and ln q is summed
 * in float64 on the JS side.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions, type Rng } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkOneOf, checkBoolean } from "../core/validate";
import type { SpinSystem } from "../systems/types";
import {
  AutoregressiveSpinModel, bernoulliLogProb, logitBound, logSigmoid, symmetrize, type ModelConfig, type SampleArraysOptions, type SpinSamples, uniqueVariableName,
  wantsLogProb,
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

/** One masked convolution with what precedes it. */
interface Stage {
  exclusive: boolean;
  inC: number;
  outC: number;
  taps: number;
  /** [taps, in, out] */
  w: tf.Variable;
  b: tf.Variable | null;
  /** PReLU slopes before the convolution ([in]); null for the first stage. */
  alpha: tf.Variable | null;
  /** Residual block: 1×1 convolution [in, in] (+ bias) before the PReLU; the output is added to the stream. */
  w1: tf.Variable | null;
  b1: tf.Variable | null;
  residual: boolean;
}



function uniformArray(rng: Rng, n: number, bound: number): Float32Array {
  const a = new Float32Array(n);
  for (let k = 0; k < n; k++) a[k] = (2 * rng.uniform() - 1) * bound;
  return a;
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
  private readonly stages: Stage[];
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

    const k = this.halfKernel;
    const span = 2 * k + 1;
    const stages: Stage[] = [];
    const vars: tf.Variable[] = [];
    const names: string[] = [];
    for (let s = 0; s < this.depth; s++) {
      const exclusive = s === 0;
      const inC = s === 0 ? 1 : this.width;
      const outC = s === this.depth - 1 ? 1 : this.width;
      const taps = k * span + k + (exclusive ? 0 : 1) + (this.periodic ? k + k * span : 0);
      const residual = this.residual && s > 0 && s < this.depth - 1;
      // PyTorch's default U(±1/√fan_in) over the full kernel, rescaled by √(kernel/kept) as in the reference
      const wBound = 1 / Math.sqrt(inC * taps);
      const bBound = 1 / Math.sqrt(inC * span * span);
      const stage: Stage = {
        exclusive,
        inC,
        outC,
        taps,
        w: tf.tidy(() => tf.variable(tf.tensor3d(uniformArray(rng, taps * inC * outC, wBound), [taps, inC, outC]), true, uniqueVariableName(`pixelcnn_w${s}`))),
        b: null,
        alpha: null,
        w1: null,
        b1: null,
        residual,
      };
      vars.push(stage.w);
      names.push(`w${s}`);
      if (this.bias) {
        stage.b = tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(rng, outC, bBound)), true, uniqueVariableName(`pixelcnn_b${s}`)));
        vars.push(stage.b);
        names.push(`b${s}`);
      }
      if (residual) {
        const bound = 1 / Math.sqrt(inC);
        stage.w1 = tf.tidy(() => tf.variable(tf.tensor2d(uniformArray(rng, inC * inC, bound), [inC, inC]), true, uniqueVariableName(`pixelcnn_res_w${s}`)));
        vars.push(stage.w1);
        names.push(`res_w${s}`);
        if (this.bias) {
          stage.b1 = tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(rng, inC, bound)), true, uniqueVariableName(`pixelcnn_res_b${s}`)));
          vars.push(stage.b1);
          names.push(`res_b${s}`);
        }
      }
      if (s > 0) {
        stage.alpha = tf.tidy(() => tf.variable(tf.fill([inC], 0.5), true, uniqueVariableName(`pixelcnn_alpha${s}`)));
        vars.push(stage.alpha);
        names.push(`alpha${s}`);
      }
      stages.push(stage);
    }
    this.stages = stages;
    this.trainableVariables = vars;
    this.variableNames = names;
    if (this.biasFreeFirst) {
      const m = new Float32Array(this.size).fill(1);
      m[0] = 0;
      this.firstMask = tf.tensor2d(m, [1, this.size]);
    } else this.firstMask = null;
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
    return tf.tidy(() => {
      const B = x.shape[0];
      let h = tf.reshape(x, [B, this.rows, this.cols, 1]) as tf.Tensor4D;
      for (const st of this.stages) {
        let inp = h;
        if (st.w1 !== null) {
          const flat = tf.reshape(h, [-1, st.inC]) as tf.Tensor2D;
          let y = tf.matMul(flat, st.w1);
          if (st.b1 !== null) y = tf.add(y, st.b1);
          inp = tf.reshape(y, h.shape) as tf.Tensor4D;
        }
        if (st.alpha !== null) inp = tf.prelu(inp, st.alpha as tf.Tensor) as tf.Tensor4D;
        let out = this.convolution === "split" ? this.splitConv(st, inp) : this.maskedConv(st, inp);
        if (st.b !== null) out = tf.add(out, st.b);
        h = st.residual ? (tf.add(h, out) as tf.Tensor4D) : out;
      }
      let z = tf.reshape(h, [B, this.size]) as tf.Tensor2D;
      if (this.firstMask !== null) z = tf.mul(z, this.firstMask);
      return tf.clipByValue(z, -this.zmax, this.zmax) as tf.Tensor2D;
    });
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
      const { spins, logits } = this.sampleChunkFast(u, count, firstSpin);
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
    if (this.zeroMask === null) {
      const m = new Float32Array(this.size).fill(1);
      m[0] = 0;
      this.zeroMask = tf.keep(tf.tensor2d(m, [1, this.size]));
    }
    return this.zeroMask;
  }

  protected override ownedTensors(): tf.Tensor[] {
    return this.zeroMask === null ? [] : [this.zeroMask];
  }


  /**
   * The masked convolution as a k×(2k+1) convolution over the rows above plus a 1×(k(+1)) one over the centre row;
   * periodic ones wrap the columns of the rows above and add the centre row's wrapped right part and the wrapped rows below.
   */
  private splitConv(st: Stage, h: tf.Tensor4D): tf.Tensor4D {
    const k = this.halfKernel;
    const span = 2 * k + 1;
    const [B, R, C, inC] = h.shape;
    const above = k * span;
    const centre = k + (st.exclusive ? 0 : 1);
    const parts: tf.Tensor4D[] = [];
    if (R > 1) {
      const wa = tf.reshape(tf.slice(st.w, [0, 0, 0], [above, inC, st.outC]), [k, span, inC, st.outC]) as tf.Tensor4D;
      const top = tf.pad(tf.slice(h, [0, 0, 0, 0], [B, R - 1, C, inC]), [[0, 0], [k, 0], [0, 0], [0, 0]]) as tf.Tensor4D;
      parts.push(tf.conv2d(this.padCols(top, k), wa, 1, "valid"));
    }
    const wc = tf.reshape(tf.slice(st.w, [above, 0, 0], [centre, inC, st.outC]), [1, centre, inC, st.outC]) as tf.Tensor4D;
    if (st.exclusive) {
      if (C > 1) {
        const left = tf.slice(h, [0, 0, 0, 0], [B, R, C - 1, inC]);
        parts.push(tf.conv2d(tf.pad(left, [[0, 0], [0, 0], [k, 0], [0, 0]]) as tf.Tensor4D, wc, 1, "valid"));
      }
    } else {
      parts.push(tf.conv2d(tf.pad(h, [[0, 0], [0, 0], [k, 0], [0, 0]]) as tf.Tensor4D, wc, 1, "valid"));
    }
    if (this.periodic) {
      // centre row, to the right: column c reads c + d − C (d = 1..k) once c + d ≥ C; only the last k columns read anything
      const wr = tf.reshape(tf.slice(st.w, [above + centre, 0, 0], [k, inC, st.outC]), [1, k, inC, st.outC]) as tf.Tensor4D;
      const rowExt = tf.concat([tf.zeros([B, R, k - 1, inC]), tf.slice(h, [0, 0, 0, 0], [B, R, k, inC])], 2) as tf.Tensor4D;
      const right = tf.conv2d(rowExt, wr, 1, "valid"); // [B, R, k, out]: columns C − k .. C − 1
      parts.push(tf.pad(right, [[0, 0], [0, 0], [C - k, 0], [0, 0]]) as tf.Tensor4D);
      // rows below: row r reads row r + d − R (d = 1..k) once r + d ≥ R; only the last k rows read anything
      const wb = tf.reshape(tf.slice(st.w, [above + centre + k, 0, 0], [above, inC, st.outC]), [k, span, inC, st.outC]) as tf.Tensor4D;
      const below = tf.concat([tf.zeros([B, k - 1, C, inC]), tf.slice(h, [0, 0, 0, 0], [B, k, C, inC])], 1) as tf.Tensor4D;
      const down = tf.conv2d(this.padCols(below, k), wb, 1, "valid"); // [B, k, C, out]: rows R − k .. R − 1
      parts.push(tf.pad(down, [[0, 0], [R - k, 0], [0, 0], [0, 0]]) as tf.Tensor4D);
    }
    if (parts.length === 0) return tf.zeros([B, R, C, st.outC]);
    return parts.length === 1 ? parts[0] : (tf.addN(parts) as tf.Tensor4D);
  }

  /** Pad k columns on each side: zeros, or the other end's columns on a periodic grid. */
  private padCols(x: tf.Tensor4D, k: number): tf.Tensor4D {
    if (!this.periodic) return tf.pad(x, [[0, 0], [0, 0], [k, k], [0, 0]]) as tf.Tensor4D;
    const [B, R, C, ch] = x.shape;
    return tf.concat([tf.slice(x, [0, 0, C - k, 0], [B, R, k, ch]), x, tf.slice(x, [0, 0, 0, 0], [B, R, k, ch])], 2) as tf.Tensor4D;
  }

  /** The masked convolution as one (2k+1)² kernel with zeros at the masked taps ("same" zero padding). */
  private maskedConv(st: Stage, h: tf.Tensor4D): tf.Tensor4D {
    const k = this.halfKernel;
    const span = 2 * k + 1;
    const inC = st.inC;
    const above = k * span;
    const centre = st.taps - above;
    const wa = tf.reshape(tf.slice(st.w, [0, 0, 0], [above, inC, st.outC]), [k, span, inC, st.outC]);
    const wc = tf.reshape(tf.slice(st.w, [above, 0, 0], [centre, inC, st.outC]), [1, centre, inC, st.outC]);
    const row = tf.concat([wc, tf.zeros([1, span - centre, inC, st.outC])], 1);
    const kernel = tf.concat([wa, row, tf.zeros([k, span, inC, st.outC])], 0) as tf.Tensor4D;
    return tf.conv2d(h, kernel, 1, "same");
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

  /**
   * Site-by-site sampling of `count` configurations from uniforms u
   * (site-major, u[i·count + s]). Row by row: when row r starts, the rows
   * above it are final in every layer, so each layer's contribution from the
   * k rows above (the k×(2k+1) part of the kernel) is one convolution over
   * the cached rows for the whole row. Then, site by site along the row, each
   * layer adds its centre-row part: one concat of the ≤ k+1 cached inputs to
   * the left, one matMul, one add. Returns spins and clamped logits,
   * sample-major.
   */
  private sampleChunkFast(u: Float32Array, count: number, firstPlus = false): { spins: Float32Array; logits: Float32Array } {
    const R = this.rows;
    const C = this.cols;
    const k = this.halfKernel;
    const span = 2 * k + 1;
    const above = k * span;
    const depth = this.depth;
    const stages = this.stages;
    const zmax = this.zmax;
    const owned: tf.Tensor[] = [];
    // per stage: the above-rows kernel [k, 2k+1, in, out] (and, periodic, the wrapped rows-below kernel);
    // centre-row weights of column c, flattened [taps·in, out] (null when there are none): the last
    // min(k, c) (+1) centre taps, then (periodic, c ≥ C − k) the right taps that wrap to columns 0..c+k−C
    const wAbove: tf.Tensor4D[] = [];
    const wBelow: tf.Tensor4D[] = [];
    const wCentre: (tf.Tensor2D | null)[][] = [];
    for (const st of stages) {
      const wa = tf.tidy(() => tf.reshape(tf.slice(st.w, [0, 0, 0], [above, st.inC, st.outC]), [k, span, st.inC, st.outC]) as tf.Tensor4D);
      owned.push(wa);
      wAbove.push(wa);
      const centre = k + (st.exclusive ? 0 : 1);
      if (this.periodic) {
        const wb = tf.tidy(() => tf.reshape(tf.slice(st.w, [above + centre + k, 0, 0], [above, st.inC, st.outC]), [k, span, st.inC, st.outC]) as tf.Tensor4D);
        owned.push(wb);
        wBelow.push(wb);
      }
      const list: (tf.Tensor2D | null)[] = [];
      for (let c = 0; c < C; c++) {
        const m = Math.min(k, c);
        const t = st.exclusive ? m : m + 1;
        const nr = this.periodic && c >= C - k ? c + k - C + 1 : 0;
        if (t + nr === 0) {
          list.push(null);
          continue;
        }
        const w = tf.tidy(() => {
          const pieces: tf.Tensor[] = [];
          if (t > 0) pieces.push(tf.slice(st.w, [above + centre - t, 0, 0], [t, st.inC, st.outC]));
          if (nr > 0) pieces.push(tf.slice(st.w, [above + centre + (C - c - 1), 0, 0], [nr, st.inC, st.outC]));
          const all = pieces.length === 1 ? pieces[0] : tf.concat(pieces, 0);
          return tf.reshape(all, [(t + nr) * st.inC, st.outC]) as tf.Tensor2D;
        });
        owned.push(w);
        list.push(w);
      }
      wCentre.push(list);
    }
    // rows[s][r]: stage s's input on row r ([count, C, in]; stage 0's input is the spins)
    const rows: tf.Tensor3D[][] = stages.map(() => []);
    const logitRows: tf.Tensor2D[] = [];
    const plusOne = tf.ones([count, 1]);
    const minusOne = tf.fill([count, 1], -1);
    owned.push(plusOne, minusOne);
    try {
      for (let r = 0; r < R; r++) {
        // each stage's contribution from the rows above, plus its bias: C tensors [count, out]
        const aboveParts: tf.Tensor2D[][] = stages.map((st, s) =>
          tf.tidy(() => {
            const m = Math.min(k, r);
            let a: tf.Tensor;
            if (m === 0) a = tf.zeros([count, C, st.outC]);
            else {
              const stacked = tf.stack(rows[s].slice(r - m, r), 1) as tf.Tensor4D; // [count, m, C, in]
              const kernel = m === k ? wAbove[s] : (tf.slice(wAbove[s], [k - m, 0, 0, 0], [m, span, st.inC, st.outC]) as tf.Tensor4D);
              a = tf.reshape(tf.conv2d(this.padCols(stacked, k), kernel, 1, "valid"), [count, C, st.outC]);
            }
            const nb = this.periodic ? r + k - R + 1 : 0; // periodic: the first nb rows are this row's wrapped rows below
            if (nb > 0) {
              const stacked = tf.stack(rows[s].slice(0, nb), 1) as tf.Tensor4D; // [count, nb, C, in]
              const kernel = nb === k ? wBelow[s] : (tf.slice(wBelow[s], [k - nb, 0, 0, 0], [nb, span, st.inC, st.outC]) as tf.Tensor4D);
              a = tf.add(a, tf.reshape(tf.conv2d(this.padCols(stacked, k), kernel, 1, "valid"), [count, C, st.outC]));
            }
            if (st.b !== null) a = tf.add(a, st.b);
            return tf.unstack(a, 1) as tf.Tensor2D[];
          }),
        );
        // u < σ(z) ⇔ logit(u) < z: the draw of site c is one comparison with its threshold column
        const thresholds = new Float32Array(C * count);
        for (let k2 = 0; k2 < C * count; k2++) {
          const v = u[r * C * count + k2];
          thresholds[k2] = Math.log(v) - Math.log1p(-v);
        }
        // first-spin Z2: site 0 is +1 whatever its logit
        if (firstPlus && r === 0) thresholds.fill(-Infinity, 0, count);
        const uCols = tf.tidy(() => tf.split(tf.transpose(tf.tensor2d(thresholds, [C, count])), C, 1) as tf.Tensor2D[]);
        // site inputs along this row, per stage
        const site: tf.Tensor2D[][] = stages.map(() => []);
        const zRow: tf.Tensor2D[] = [];
        try {
          for (let c = 0; c < C; c++) {
            const fixHalf = r === 0 && c === 0 && this.biasFreeFirst;
            const m = Math.min(k, c);
            const kept = tf.tidy(() => {
              const inputs: tf.Tensor2D[] = [];
              let h = null as unknown as tf.Tensor2D;
              for (let s = 0; s < depth; s++) {
                const st = stages[s];
                if (s > 0) {
                  let inp = h;
                  if (st.w1 !== null) {
                    inp = tf.matMul(inp, st.w1);
                    if (st.b1 !== null) inp = tf.add(inp, st.b1);
                  }
                  inp = tf.prelu(inp, st.alpha as tf.Tensor) as tf.Tensor2D;
                  inputs.push(inp);
                }
                const parts = site[s].slice(c - m, c);
                if (!st.exclusive) parts.push(inputs[s - 1]);
                if (this.periodic && c >= C - k) parts.push(...site[s].slice(0, c + k - C + 1));
                let out = aboveParts[s][c];
                const w = wCentre[s][c];
                if (w !== null) out = tf.add(tf.matMul(parts.length === 1 ? parts[0] : tf.concat(parts, 1), w), out);
                h = st.residual ? (tf.add(h, out) as tf.Tensor2D) : out;
              }
              const z = fixHalf ? tf.zeros([count, 1]) : tf.clipByValue(h, -zmax, zmax);
              const spin = tf.where(tf.less(uCols[c], z), plusOne, minusOne) as tf.Tensor2D;
              return [spin, z as tf.Tensor2D, ...inputs];
            });
            site[0].push(kept[0]);
            zRow.push(kept[1]);
            for (let s = 1; s < depth; s++) site[s].push(kept[s + 1]);
          }
          for (let s = 0; s < depth; s++) rows[s].push(tf.stack(site[s], 1) as tf.Tensor3D);
          logitRows.push(tf.concat(zRow, 1) as tf.Tensor2D);
        } finally {
          tf.dispose(uCols);
          for (const list of site) tf.dispose(list);
          tf.dispose(zRow);
          for (const list of aboveParts) tf.dispose(list);
        }
      }
      const spinsT = tf.tidy(() => tf.reshape(tf.concat(rows[0], 1), [count, R * C]));
      const logitsT = tf.concat(logitRows, 1);
      const spins = spinsT.dataSync() as Float32Array;
      const logits = logitsT.dataSync() as Float32Array;
      tf.dispose([spinsT, logitsT]);
      return { spins, logits };
    } finally {
      for (const list of rows) tf.dispose(list);
      tf.dispose(logitRows);
      tf.dispose(owned);
    }
  }
}

/** A PixelCNN over a 2-D grid of spins; see `PixelCnnOptions`. */
export function pixelcnn(options: PixelCnnOptions): PixelCnn {
  return new PixelCnn(options);
}
