/**
 * MADE (masked autoencoder for distribution estimation) as the VAN paper's
 * dense autoregressive model of N ±1 spins (Wu, Wang, Zhang, PRL 122, 080602;
 * the layer layout follows stat-mech-van's made.py).
 *
 * Layers: an exclusive masked dense layer N → width·N (site i's hidden units
 * see spins j < i), then depth − 2 masked hidden layers width·N → width·N
 * (units of site i see units of sites ≤ i; optionally residual), then a masked
 * layer width·N → N giving the logit of q(s_i = +1 | s_<i). PReLU activations
 * (one learnable slope per unit, 0.5 at start) precede every layer after the
 * first. Depth 1 is the single exclusive layer N → N (a logistic model).
 *
 * Hidden units are stored site-major (unit k belongs to site ⌊k/width⌋), so
 * the units a conditional depends on are a prefix of each layer. Sampling
 * uses this: for site i it computes only site i's block of every layer from
 * the prefixes already computed, and keeps the first layer's pre-activations
 * up to date with one rank-1 update per sampled spin. That is O(N²·width²)
 * work per sample in all, the cost of one forward pass, where rerunning the
 * network for every site costs N times as much. The loop runs on the JS side
 * over typed arrays, with the weights pulled from the tensors once per call.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, Rng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkBoolean, checkOneOf } from "../core/validate";
import {
  AutoregressiveSpinModel, logitBound, logSigmoid, symmetrize, type ModelConfig, type SampleArraysOptions, type SpinSamples, uniqueVariableName,
  wantsLogProb,
} from "./spin";
import type { Sample } from "./types";

export interface MadeOptions extends RandomOptions {
  /** Number of spins N (≥ 1). */
  size: number;
  /** Number of masked dense layers (≥ 1; default 2). */
  depth?: number;
  /** Hidden units per site: each hidden layer has width·N units (default 4). */
  width?: number;
  /** Hidden-to-hidden layers as residual blocks h ← h + M(PReLU(h)) (default false). */
  residual?: boolean;
  /** Z2 symmetrisation q(s) = ½[q₀(s) + q₀(−s)] (default false). */
  z2?: boolean;
  /** Fix the first conditional q(s_0 = ±1) to ½ (no bias reaches it; default false). */
  biasFreeFirst?: boolean;
  /** Biases in the masked layers (default true). */
  bias?: boolean;
  /** Conditionals are clamped to [ε, 1 − ε] (default 1e-7). */
  epsilon?: number;
}

const KNOWN = ["size", "depth", "width", "residual", "z2", "biasFreeFirst", "bias", "epsilon", "seed", "rng"] as const;

/** The architecture of a MADE as stored in checkpoints. */
export interface MadeConfig extends ModelConfig {
  type: "made";
  depth: number;
  width: number;
  residual: boolean;
  z2: boolean;
  biasFreeFirst: boolean;
  bias: boolean;
  epsilon: number;
}

interface Layer {
  /** [in, out] weights and the constant 0/1 mask. */
  w: tf.Variable;
  mask: tf.Tensor2D;
  b: tf.Variable | null;
  /** PReLU slopes applied to this layer's input ([in]); null for the first layer. */
  alpha: tf.Variable | null;
  inSize: number;
  outSize: number;
  /** h ← h + layer(h) */
  residual: boolean;
}

/** Weights on the JS side for the sampling loop. */
interface Pulled {
  /** First layer, [N × out0] row-major (row j is spin j's column of the matrix). */
  w0: Float32Array;
  b0: Float32Array;
  /** Later layers, transposed: [out × in] row-major. */
  wt: Float32Array[];
  b: Float32Array[];
  alpha: Float32Array[];
}

export class Made extends AutoregressiveSpinModel {
  protected readonly kind = "made";
  readonly size: number;
  readonly depth: number;
  readonly width: number;
  readonly residual: boolean;
  readonly z2: boolean;
  readonly biasFreeFirst: boolean;
  readonly bias: boolean;
  readonly epsilon: number;
  readonly trainableVariables: tf.Variable[];
  readonly variableNames: string[];
  private readonly layers: Layer[];
  private readonly zmax: number;
  protected readonly firstMask: tf.Tensor2D | null;

  constructor(options: MadeOptions) {
    super();
    const where = "made";
    if (options === undefined || options === null || typeof options !== "object") {
      throw new Error(`${where}: options must be an object with at least { size }`);
    }
    checkKeys(options, KNOWN, where);
    this.size = checkInteger(options.size, "size", where, { min: 1 });
    this.depth = checkInteger(options.depth ?? 2, "depth", where, { min: 1, max: 64 });
    this.width = checkInteger(options.width ?? 4, "width", where, { min: 1 });
    this.residual = checkBoolean(options.residual ?? false, "residual", where);
    this.z2 = checkBoolean(options.z2 ?? false, "z2", where);
    this.biasFreeFirst = checkBoolean(options.biasFreeFirst ?? false, "biasFreeFirst", where);
    this.bias = checkBoolean(options.bias ?? true, "bias", where);
    this.epsilon = checkNumber(options.epsilon ?? 1e-7, "epsilon", where, { above: 0, max: 0.1 });
    this.zmax = logitBound(this.epsilon);
    const rng = resolveRng(options, where);
    ensureBackend();

    const n = this.size;
    const hidden = this.width * n;
    const layers: Layer[] = [];
    const vars: tf.Variable[] = [];
    const names: string[] = [];
    const sizes: number[] = [n];
    for (let l = 0; l < this.depth - 1; l++) sizes.push(hidden);
    sizes.push(n);
    for (let l = 0; l < this.depth; l++) {
      const inSize = sizes[l];
      const outSize = sizes[l + 1];
      const maskArr = buildMask(n, inSize, outSize, l === 0);
      const w = initWeights(rng, maskArr, inSize, outSize);
      const layer: Layer = {
        w: tf.tidy(() => tf.variable(tf.tensor2d(w, [inSize, outSize]), true, uniqueVariableName(`made_w${l}`))),
        mask: tf.tensor2d(maskArr, [inSize, outSize]),
        b: null,
        alpha: null,
        inSize,
        outSize,
        residual: this.residual && l > 0 && l < this.depth - 1,
      };
      vars.push(layer.w);
      names.push(`w${l}`);
      if (this.bias) {
        const bound = 1 / Math.sqrt(inSize);
        const b = new Float32Array(outSize);
        for (let k = 0; k < outSize; k++) b[k] = (2 * rng.uniform() - 1) * bound;
        layer.b = tf.tidy(() => tf.variable(tf.tensor1d(b), true, uniqueVariableName(`made_b${l}`)));
        vars.push(layer.b);
        names.push(`b${l}`);
      }
      if (l > 0) {
        layer.alpha = tf.tidy(() => tf.variable(tf.fill([inSize], 0.5), true, uniqueVariableName(`made_alpha${l}`)));
        vars.push(layer.alpha);
        names.push(`alpha${l}`);
      }
      layers.push(layer);
    }
    this.layers = layers;
    this.trainableVariables = vars;
    this.variableNames = names;
    if (this.biasFreeFirst) {
      const m = new Float32Array(n).fill(1);
      m[0] = 0;
      this.firstMask = tf.tensor2d(m, [1, n]);
    } else this.firstMask = null;
  }

  config(): MadeConfig {
    return {
      type: "made",
      size: this.size,
      depth: this.depth,
      width: this.width,
      residual: this.residual,
      z2: this.z2,
      biasFreeFirst: this.biasFreeFirst,
      bias: this.bias,
      epsilon: this.epsilon,
    };
  }

  /** Number of trainable parameters (masked-out weights not counted). */
  parameterCount(): number {
    let c = 0;
    for (const L of this.layers) {
      c += tf.tidy(() => tf.sum(L.mask).dataSync()[0]);
      if (L.b !== null) c += L.outSize;
      if (L.alpha !== null) c += L.inSize;
    }
    return c;
  }

  /** Conditional logits z_i = logit q₀(s_i = +1 | s_<i), clamped, [batch, N], in one full pass. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    this.checkAlive("logits");
    this.checkInput(x, "logits");
    return tf.tidy(() => {
      let h: tf.Tensor2D = x;
      for (const L of this.layers) {
        const inp = (L.alpha !== null ? tf.prelu(h, L.alpha as tf.Tensor) : h) as tf.Tensor2D;
        let y: tf.Tensor2D = tf.matMul(inp, tf.mul(L.w, L.mask) as tf.Tensor2D);
        if (L.b !== null) y = tf.add(y, L.b) as tf.Tensor2D;
        h = L.residual ? (tf.add(h, y) as tf.Tensor2D) : y;
      }
      if (this.firstMask !== null) h = tf.mul(h, this.firstMask) as tf.Tensor2D;
      return tf.clipByValue(h, -this.zmax, this.zmax) as tf.Tensor2D;
    });
  }


  sampleArrays(batch: number, options?: MadeSampleOptions): SpinSamples {
    this.checkAlive("sample");
    checkInteger(batch, "batch", "made.sample", { min: 1 });
    const path = options?.path === undefined ? "auto" : checkOneOf(options.path, ["auto", "js", "tensor"] as const, "options.path", "made.sample");
    const rng = resolveRng(options, "made.sample");
    const withLq = wantsLogProb(options, "made.sample");
    const useTensor = path === "tensor" || (path === "auto" && this.size * this.width * this.size >= TENSOR_PATH_MIN_WORK);
    return useTensor ? this.sampleTensorPath(batch, rng, withLq) : this.sampleJsPath(batch, rng, withLq);
  }

  /**
   * Sampling with tfjs matmuls, for large models. Sites are taken in chunks:
   * every layer keeps a pre-activation of all its units that holds the
   * contributions of the input blocks of finished chunks (added once per
   * chunk with one large matmul); inside a chunk, site i's block of each
   * layer adds the contributions of the chunk's own earlier (and, for hidden
   * layers, current) input blocks with one small matmul. The first layer's
   * input block of site j is the spin s_j. So each site costs a few small ops
   * per layer instead of a full pass. ln q comes from one full pass at the
   * end, so it is exactly `logProb`. Draws the same uniforms, in the same
   * order, as the JS path and the reference sampler.
   */
  private sampleTensorPath(batch: number, rng: Rng, withLq: boolean): SpinSamples {
    const n = this.size;
    const u = new Float32Array(batch * n);
    const flip = new Float32Array(batch);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++) u[b * n + i] = rng.uniform32();
      flip[b] = this.z2 && rng.uniform32() < 0.5 ? -1 : 1;
    }
    const D = this.layers.length;
    const inPer = this.layers.map((L) => L.inSize / n); // input units per site
    const outPer = this.layers.map((L) => L.outSize / n); // output units per site
    const weights = tf.tidy(() => this.layers.map((L) => tf.mul(L.w, L.mask) as tf.Tensor2D));
    const uCols = tf.tidy(() => tf.unstack(tf.transpose(tf.tensor2d(u, [batch, n]))).map((c) => tf.reshape(c, [batch, 1]) as tf.Tensor2D));
    let pre: tf.Tensor2D[] = tf.tidy(() =>
      this.layers.map((L) => (L.b !== null ? tf.tile(tf.reshape(L.b as tf.Tensor, [1, L.outSize]), [batch, 1]) : tf.zeros([batch, L.outSize])) as tf.Tensor2D),
    );
    const spins: tf.Tensor2D[] = [];
    const chunk = MADE_SAMPLE_CHUNK;
    const plusOne = tf.ones([batch, 1]);
    const minusOne = tf.fill([batch, 1], -1);
    try {
      for (let c0 = 0; c0 < n; c0 += chunk) {
        const c1 = Math.min(n, c0 + chunk);
        const m = c1 - c0;
        // Per chunk, split once: each layer's pre-activation into the chunk's site blocks, the
        // weights from the chunk's inputs into the chunk's output blocks, and the PReLU slopes.
        const parts = this.layers.map((L, l) => ({
          preBlocks: tf.tidy(() => tf.split(tf.slice(pre[l], [0, c0 * outPer[l]], [batch, m * outPer[l]]), m, 1)) as tf.Tensor2D[],
          wBlocks: tf.tidy(() => tf.split(tf.slice(weights[l], [c0 * inPer[l], c0 * outPer[l]], [m * inPer[l], m * outPer[l]]), m, 1)) as tf.Tensor2D[],
          alpha: L.alpha !== null ? (tf.tidy(() => tf.split(tf.slice(L.alpha as tf.Tensor1D, [c0 * inPer[l]], [m * inPer[l]]), m)) as tf.Tensor1D[]) : null,
        }));
        // this chunk's input blocks per layer, in site order
        const blocks: tf.Tensor2D[][] = this.layers.map(() => []);
        for (let i = c0; i < c1; i++) {
          const k = i - c0;
          const s = tf.tidy(() => {
            /** Block i of layer l's output: finished chunks plus this chunk's input blocks so far. */
            const outBlock = (l: number): tf.Tensor2D => {
              const local = blocks[l];
              if (local.length === 0) return parts[l].preBlocks[k];
              const inp = local.length === 1 ? local[0] : (tf.concat(local, 1) as tf.Tensor2D);
              const rows = tf.slice(parts[l].wBlocks[k], [0, 0], [local.length * inPer[l], outPer[l]]) as tf.Tensor2D;
              return tf.add(parts[l].preBlocks[k], tf.matMul(inp, rows)) as tf.Tensor2D;
            };
            let h: tf.Tensor2D | null = null;
            for (let l = 1; l < D; l++) {
              const blk = outBlock(l - 1);
              h = this.layers[l - 1].residual && h !== null ? (tf.add(h, blk) as tf.Tensor2D) : blk;
              const a = parts[l].alpha;
              const inp = a !== null ? (tf.prelu(h, a[k] as tf.Tensor) as tf.Tensor2D) : h;
              blocks[l].push(tf.keep(inp));
            }
            let z = outBlock(D - 1);
            if (this.firstMask !== null && i === 0) z = tf.zerosLike(z);
            z = tf.clipByValue(z, -this.zmax, this.zmax);
            return tf.where(tf.less(uCols[i], tf.sigmoid(z)), plusOne, minusOne) as tf.Tensor2D;
          });
          blocks[0].push(s);
          spins.push(s);
        }
        const folded = tf.tidy(() =>
          pre.map((p, l) => {
            const inp = blocks[l].length === 1 ? blocks[l][0] : tf.concat(blocks[l], 1);
            const rows = tf.slice(weights[l], [c0 * inPer[l], 0], [m * inPer[l], this.layers[l].outSize]);
            return tf.add(p, tf.matMul(inp, rows)) as tf.Tensor2D;
          }),
        ) as tf.Tensor2D[];
        tf.dispose(pre);
        for (const part of parts) tf.dispose([...part.preBlocks, ...part.wBlocks, ...(part.alpha ?? [])]);
        for (let l = 1; l < D; l++) tf.dispose(blocks[l]); // blocks[0] are the spins, kept in `spins`
        pre = folded;
      }
      const xt = tf.tidy(() => tf.mul(tf.concat(spins, 1), tf.tensor2d(flip, [batch, 1])) as tf.Tensor2D);
      const x = Float32Array.from(xt.dataSync());
      let logProb: Float64Array;
      if (withLq) {
        const lq = this.logProb(xt);
        logProb = Float64Array.from(lq.dataSync());
        lq.dispose();
      } else logProb = new Float64Array(batch).fill(NaN);
      xt.dispose();
      return { batch, size: n, x, logProb };
    } finally {
      tf.dispose([...weights, ...uCols, ...pre, ...spins, plusOne, minusOne]);
    }
  }

  private sampleJsPath(batch: number, rng: Rng, withLq: boolean): SpinSamples {
    const p = this.pull();
    const n = this.size;
    const x = new Float32Array(batch * n);
    const logProb = new Float64Array(batch);
    const sc = this.scratch();
    const xs = new Float32Array(G * n);
    const neg = new Float32Array(G * n);
    const u = new Float32Array(G * n);
    const flip = new Uint8Array(G);
    const lq = new Float64Array(G);
    const lqNeg = new Float64Array(G);
    for (let b0 = 0; b0 < batch; b0 += G) {
      const count = Math.min(G, batch - b0);
      // the random numbers of each sample in order: its N uniforms, then its Z2 flip
      for (let s = 0; s < count; s++) {
        for (let i = 0; i < n; i++) u[s * n + i] = rng.uniform32();
        flip[s] = this.z2 && rng.uniform32() < 0.5 ? 1 : 0;
      }
      this.runGroup(p, sc, xs, count, u, lq);
      if (this.z2) {
        for (let k = 0; k < G * n; k++) neg[k] = -xs[k];
        if (withLq) this.runGroup(p, sc, neg, count, null, lqNeg);
      }
      for (let s = 0; s < count; s++) {
        const row = (b0 + s) * n;
        const src = flip[s] === 1 ? neg : xs;
        for (let i = 0; i < n; i++) x[row + i] = src[s * n + i];
        logProb[b0 + s] = !withLq ? NaN : this.z2 ? symmetrize(lq[s], lqNeg[s]) : lq[s];
      }
    }
    return { batch, size: n, x, logProb };
  }

  logProbArrays(x: ArrayLike<number>, batch: number): Float64Array {
    this.checkAlive("logProbArrays");
    checkInteger(batch, "batch", "made.logProbArrays", { min: 1 });
    const n = this.size;
    if (x.length !== batch * n) {
      throw new Error(`made.logProbArrays: x must have batch·size = ${batch * n} entries, got ${x.length}`);
    }
    const p = this.pull();
    const sc = this.scratch();
    const xs = new Float32Array(G * n).fill(1);
    const neg = new Float32Array(G * n).fill(-1);
    const lq = new Float64Array(G);
    const lqNeg = new Float64Array(G);
    const out = new Float64Array(batch);
    for (let b0 = 0; b0 < batch; b0 += G) {
      const count = Math.min(G, batch - b0);
      for (let s = 0; s < count; s++) {
        for (let i = 0; i < n; i++) {
          const v = x[(b0 + s) * n + i];
          if (v !== 1 && v !== -1) throw new Error(`made.logProbArrays: x must hold ±1 spins, got ${v} at [${b0 + s}, ${i}]`);
          xs[s * n + i] = v;
          neg[s * n + i] = -v;
        }
      }
      this.runGroup(p, sc, xs, count, null, lq);
      if (this.z2) this.runGroup(p, sc, neg, count, null, lqNeg);
      for (let s = 0; s < count; s++) out[b0 + s] = this.z2 ? symmetrize(lq[s], lqNeg[s]) : lq[s];
    }
    return out;
  }

  /**
   * The slow reference sampler: reruns the full network for every site, as
   * the reference implementation does. Draws the same random numbers in the
   * same order as `sample`, so with the same seed both give the same
   * configurations. For tests and benchmarks.
   */
  sampleReference(batch: number, options?: RandomOptions): Sample {
    this.checkAlive("sampleReference");
    checkInteger(batch, "batch", "made.sampleReference", { min: 1 });
    const rng = resolveRng(options, "made.sampleReference");
    const n = this.size;
    const u = new Float32Array(batch * n);
    const flip = new Float32Array(batch);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++) u[b * n + i] = rng.uniform32();
      flip[b] = this.z2 && rng.uniform32() < 0.5 ? -1 : 1;
    }
    return tf.tidy(() => {
      const uT = tf.tensor2d(u, [batch, n]);
      let x = tf.zeros([batch, n]) as tf.Tensor2D;
      for (let i = 0; i < n; i++) {
        const next = tf.tidy(() => {
          const z = tf.slice(this.logits(x), [0, i], [batch, 1]);
          const s = tf.sub(tf.mul(tf.cast(tf.less(tf.slice(uT, [0, i], [batch, 1]), tf.sigmoid(z)), "float32"), 2), 1);
          const onehot = tf.oneHot([i], n).reshape([1, n]);
          return tf.add(x, tf.mul(onehot, s)) as tf.Tensor2D;
        });
        x.dispose();
        x = next;
      }
      x = tf.mul(x, tf.tensor2d(flip, [batch, 1])) as tf.Tensor2D;
      return { x, logProb: this.logProb(x) };
    });
  }

  /** The masks are not variables; `dispose` frees them with the weights. */
  protected override ownedTensors(): tf.Tensor[] {
    return this.layers.map((L) => L.mask);
  }


  private pull(): Pulled {
    const wt: Float32Array[] = [];
    const b: Float32Array[] = [];
    const alpha: Float32Array[] = [];
    let w0: Float32Array = new Float32Array(0);
    let b0: Float32Array = new Float32Array(0);
    this.layers.forEach((L, l) => {
      // (never return a large typed array from tf.tidy: it walks every entry looking for tensors)
      const masked = tf.mul(L.w, L.mask);
      const w = masked.dataSync() as Float32Array;
      masked.dispose();
      const bias = L.b !== null ? (L.b.dataSync() as Float32Array) : new Float32Array(L.outSize);
      if (l === 0) {
        w0 = w;
        b0 = bias;
      } else {
        const t = new Float32Array(L.inSize * L.outSize);
        for (let u = 0; u < L.inSize; u++) {
          const src = u * L.outSize;
          for (let k = 0; k < L.outSize; k++) t[k * L.inSize + u] = w[src + k];
        }
        wt[l] = t;
        b[l] = bias;
        alpha[l] = L.alpha!.dataSync() as Float32Array;
      }
    });
    return { w0, b0, wt, b, alpha };
  }

  private scratch(): Float64Array[] {
    const out: Float64Array[] = [new Float64Array(this.layers[0].outSize * G)];
    for (let l = 1; l < this.depth; l++) {
      out.push(new Float64Array(this.layers[l].inSize * G), new Float64Array(this.layers[l].outSize * G));
    }
    out.push(new Float64Array(G));
    return out;
  }

  /**
   * G configurations side by side (rows of `xs`, sample-major), site by site.
   * With uniforms `u` it samples into `xs`, else it evaluates the given `xs`;
   * ln q₀ (unsymmetrised) goes to `lq`. Rows ≥ count are padding. Scratch
   * arrays are unit-major with the G samples innermost, so every weight read
   * serves G multiply-adds: scratch[0] holds the first layer's running
   * pre-activations, scratch[2l−1] the activated input of layer l, scratch[2l]
   * its output, the last one the G logits (then spins) of the current site.
   */
  private runGroup(p: Pulled, sc: Float64Array[], xs: Float32Array, count: number, u: Float32Array | null, lq: Float64Array): void {
    const n = this.size;
    const depth = this.depth;
    const wUnits = depth === 1 ? 1 : this.width;
    const out0 = this.layers[0].outSize;
    const a0 = sc[0];
    const zs = sc[sc.length - 1];
    const b0 = p.b0;
    for (let k = 0; k < out0; k++) {
      const v = b0[k];
      for (let s = 0; s < G; s++) a0[k * G + s] = v;
    }
    if (u === null) for (let k = count * n; k < G * n; k++) xs[k] = 1;
    lq.fill(0);
    const zmax = this.zmax;
    for (let i = 0; i < n; i++) {
      if (depth === 1) {
        for (let s = 0; s < G; s++) zs[s] = a0[i * G + s];
      } else {
        const lo = i * wUnits;
        const hi = lo + wUnits;
        let prev = a0;
        for (let l = 1; l < depth; l++) {
          const g = sc[2 * l - 1];
          const al = p.alpha[l];
          for (let k = lo; k < hi; k++) {
            const a = al[k];
            for (let s = k * G, e = s + G; s < e; s++) {
              const v = prev[s];
              g[s] = v >= 0 ? v : a * v;
            }
          }
          const wt = p.wt[l];
          const bl = p.b[l];
          const inSize = this.layers[l].inSize;
          if (l < depth - 1) {
            const cur = sc[2 * l];
            for (let k = lo; k < hi; k++) dotG(wt, k * inSize, g, hi, bl[k], cur, k * G);
            if (this.layers[l].residual) for (let s = lo * G; s < hi * G; s++) cur[s] += prev[s];
            prev = cur;
          } else {
            dotG(wt, i * inSize, g, hi, bl[i], zs, 0);
          }
        }
      }
      for (let s = 0; s < G; s++) {
        let z = i === 0 && this.biasFreeFirst ? 0 : zs[s];
        if (z > zmax) z = zmax;
        else if (z < -zmax) z = -zmax;
        let sp: number;
        if (u !== null) {
          sp = s < count && u[s * n + i] * (1 + Math.exp(-z)) < 1 ? 1 : -1;
          xs[s * n + i] = sp;
        } else sp = xs[s * n + i];
        lq[s] += logSigmoid(sp * z);
        zs[s] = sp;
      }
      // rank-1 update of the first layer's pre-activations by spin i's column
      const start = (i + 1) * wUnits;
      const row = i * out0;
      const w0 = p.w0;
      const x0 = zs[0], x1 = zs[1], x2 = zs[2], x3 = zs[3], x4 = zs[4], x5 = zs[5], x6 = zs[6], x7 = zs[7];
      for (let k = start; k < out0; k++) {
        const w = w0[row + k];
        const o = k * G;
        a0[o] += w * x0;
        a0[o + 1] += w * x1;
        a0[o + 2] += w * x2;
        a0[o + 3] += w * x3;
        a0[o + 4] += w * x4;
        a0[o + 5] += w * x5;
        a0[o + 6] += w * x6;
        a0[o + 7] += w * x7;
      }
    }
  }
}

/** Samples processed side by side in the JS loops (the unrolling in runGroup and dotG assumes 8). */
const G = 8;
/** N²·width at which the tensor sampling path beats the JS one here (measured at width 4, batch 1000: JS 56 ms vs 105 ms at N = 64, 211 vs 254 at N = 128, 767 vs 480 at N = 256). */
const TENSOR_PATH_MIN_WORK = 160 * 160 * 4;
/** Sites per chunk of the tensor sampling path. */
const MADE_SAMPLE_CHUNK = 16;

/** Sampling options of MADE: the seed or generator, and which implementation to use. */
export interface MadeSampleOptions extends SampleArraysOptions {
  /** "js" (typed arrays, fastest for small models), "tensor" (tfjs matmuls, for large ones) or "auto" (default). */
  path?: "auto" | "js" | "tensor";
}

/**
 * out[o .. o+8) = bias + Σ_{u<len} w[off+u]·g[8u .. 8u+8), in two passes of
 * four samples (four accumulators keep V8's registers free; measured faster
 * than eight).
 */
function dotG(w: Float32Array, off: number, g: Float64Array, len: number, bias: number, out: Float64Array, o: number): void {
  for (let h = 0; h < 8; h += 4) {
    let a0 = bias, a1 = bias, a2 = bias, a3 = bias;
    for (let u = 0; u < len; u++) {
      const v = w[off + u];
      const b = u * 8 + h;
      a0 += v * g[b];
      a1 += v * g[b + 1];
      a2 += v * g[b + 2];
      a3 += v * g[b + 3];
    }
    out[o + h] = a0;
    out[o + h + 1] = a1;
    out[o + h + 2] = a2;
    out[o + h + 3] = a3;
  }
}


/** Site of unit k in a layer of `units` units over n sites (site-major blocks). */
function siteOf(k: number, units: number, n: number): number {
  return Math.floor(k / (units / n));
}

/** 0/1 mask [in, out]: exclusive (first layer) site(in) < site(out), else site(in) ≤ site(out). */
function buildMask(n: number, inSize: number, outSize: number, exclusive: boolean): Float32Array {
  const m = new Float32Array(inSize * outSize);
  for (let u = 0; u < inSize; u++) {
    const su = siteOf(u, inSize, n);
    for (let k = 0; k < outSize; k++) {
      const sk = siteOf(k, outSize, n);
      if (exclusive ? su < sk : su <= sk) m[u * outSize + k] = 1;
    }
  }
  return m;
}

/** stat-mech-van's init: U(±1/√in) on the kept entries, rescaled by √(entries/kept). */
function initWeights(rng: Rng, mask: Float32Array, inSize: number, outSize: number): Float32Array {
  let kept = 0;
  for (let k = 0; k < mask.length; k++) kept += mask[k];
  const scale = kept > 0 ? Math.sqrt(mask.length / kept) / Math.sqrt(inSize) : 0;
  const w = new Float32Array(inSize * outSize);
  for (let k = 0; k < w.length; k++) w[k] = mask[k] !== 0 ? (2 * rng.uniform() - 1) * scale : 0;
  return w;
}


/** A MADE over `size` spins; see `MadeOptions`. */
export function made(options: MadeOptions): Made {
  return new Made(options);
}
