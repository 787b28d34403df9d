/**
 * MADE's fast samplers and its float64 evaluation on the JS side.
 *
 * The units a conditional depends on are a prefix of each layer (the
 * site-major layout of madeLayers.ts). Sampling uses this: for site i it
 * computes only site i's block of every layer from the prefixes already
 * computed, and keeps the first layer's pre-activations up to date with one
 * rank-1 update per sampled spin. That is O(N²·width²) work per sample in
 * all, the cost of one forward pass, where rerunning the network for every
 * site costs N times as much. The JS path runs this loop over typed arrays,
 * eight samples side by side, with the weights pulled from the tensors once
 * per call. The hybrid path (the default for large models) takes sites in
 * chunks: typed-array loops inside a chunk, one tf.matMul per layer to add a
 * finished chunk to every later unit; the tensor path does everything with
 * tfjs ops. All draw the same uniforms in the same order as the reference
 * sampler (`Made.sampleReference`).
 */
import * as tf from "@tensorflow/tfjs";
import { resolveRng, type Rng } from "../core/random";
import { checkInteger, checkOneOf } from "../core/validate";
import { madeLogits, type MadeNet } from "./madeLayers";
import { autoregressiveLogProb, logSigmoid, symmetrize, type SampleArraysOptions, type SpinSamples, wantsLogProb } from "./spin";

/** Samples processed side by side in the JS loops (the unrolling in runGroup and dotG assumes 8). */
export const G = 8;
/**
 * N²·width from which "auto" takes the hybrid path (JS within chunks, tf.matMul across) instead of
 * the JS one. Measured at depth 3, width 4 (fastest of 9 runs, shared 2-core machine): N = 64
 * JS 4.8 vs hybrid 6.8 ms at batch 100, 38 vs 41 ms CPU at batch 1000; N = 128, batch 1000: 143 vs
 * 98 ms; N = 256: 70 vs 29 ms at batch 100, 550 vs 263 ms at batch 1000 (the all-tensor path: 163
 * and ≈ 480 ms). Chunks of 16 and 32 sites measured alike at N = 256, 64 slower.
 */
const HYBRID_PATH_MIN_WORK = 96 * 96 * 4;
/** Sites per chunk of the hybrid path. */
const HYBRID_CHUNK = 16;
/** Sites per chunk of the tensor sampling path. */
const MADE_SAMPLE_CHUNK = 16;

/** Sampling options of MADE: the seed or generator, and which implementation to use. */
export interface MadeSampleOptions extends SampleArraysOptions {
  /**
   * "js" (typed arrays, fastest for small models), "hybrid" (typed arrays within chunks of sites,
   * one tf.matMul per layer across chunks: for large ones), "tensor" (tfjs ops only; slower than
   * "hybrid" everywhere measured, kept for comparison) or "auto" (default: "js" or "hybrid" by size).
   */
  path?: "auto" | "js" | "tensor" | "hybrid";
}

/** Draw `batch` samples (see `MadeSampleOptions`); the caller has checked that the model is alive. */
export function sampleMadeArrays(net: MadeNet, batch: number, options?: MadeSampleOptions): SpinSamples {
  checkInteger(batch, "batch", "made.sample", { min: 1 });
  const path = options?.path === undefined ? "auto" : checkOneOf(options.path, ["auto", "js", "tensor", "hybrid"] as const, "options.path", "made.sample");
  const rng = resolveRng(options, "made.sample");
  const withLq = wantsLogProb(options, "made.sample");
  if (path === "tensor") return sampleTensorPath(net, batch, rng, withLq);
  const useHybrid = path === "hybrid" || (path === "auto" && net.size * net.width * net.size >= HYBRID_PATH_MIN_WORK);
  return useHybrid ? sampleHybridPath(net, batch, rng, withLq, HYBRID_CHUNK) : sampleJsPath(net, batch, rng, withLq);
}

/**
 * The random numbers of `batch` samples, in the order every MADE sampler
 * draws them: per sample its N uniforms (u, [batch × N] row-major), then,
 * with Z2, the uniform of its overall sign (flip = ±1).
 */
export function drawUniforms(rng: Rng, batch: number, n: number, z2: boolean): { u: Float32Array; flip: Float32Array } {
  const u = new Float32Array(batch * n);
  const flip = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) u[b * n + i] = rng.uniform32();
    flip[b] = z2 && rng.uniform32() < 0.5 ? -1 : 1;
  }
  return { u, flip };
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
function sampleTensorPath(net: MadeNet, batch: number, rng: Rng, withLq: boolean): SpinSamples {
  const n = net.size;
  const { u, flip } = drawUniforms(rng, batch, n, net.z2);
  const D = net.layers.length;
  const inPer = net.layers.map((L) => L.inSize / n); // input units per site
  const outPer = net.layers.map((L) => L.outSize / n); // output units per site
  const weights = tf.tidy(() => net.layers.map((L) => tf.mul(L.w, L.mask) as tf.Tensor2D));
  const uCols = tf.tidy(() => tf.unstack(tf.transpose(tf.tensor2d(u, [batch, n]))).map((c) => tf.reshape(c, [batch, 1]) as tf.Tensor2D));
  let pre: tf.Tensor2D[] = tf.tidy(() =>
    net.layers.map((L) => (L.b !== null ? tf.tile(tf.reshape(L.b as tf.Tensor, [1, L.outSize]), [batch, 1]) : tf.zeros([batch, L.outSize])) as tf.Tensor2D),
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
      const parts = net.layers.map((L, l) => ({
        preBlocks: tf.tidy(() => tf.split(tf.slice(pre[l], [0, c0 * outPer[l]], [batch, m * outPer[l]]), m, 1)) as tf.Tensor2D[],
        wBlocks: tf.tidy(() => tf.split(tf.slice(weights[l], [c0 * inPer[l], c0 * outPer[l]], [m * inPer[l], m * outPer[l]]), m, 1)) as tf.Tensor2D[],
        alpha: L.alpha !== null ? (tf.tidy(() => tf.split(tf.slice(L.alpha as tf.Tensor1D, [c0 * inPer[l]], [m * inPer[l]]), m)) as tf.Tensor1D[]) : null,
      }));
      // this chunk's input blocks per layer, in site order
      const blocks: tf.Tensor2D[][] = net.layers.map(() => []);
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
            h = net.layers[l - 1].residual && h !== null ? (tf.add(h, blk) as tf.Tensor2D) : blk;
            const a = parts[l].alpha;
            const inp = a !== null ? (tf.prelu(h, a[k] as tf.Tensor) as tf.Tensor2D) : h;
            blocks[l].push(tf.keep(inp));
          }
          let z = outBlock(D - 1);
          if (net.firstMask !== null && i === 0) z = tf.zerosLike(z);
          z = tf.clipByValue(z, -net.zmax, net.zmax);
          return tf.where(tf.less(uCols[i], tf.sigmoid(z)), plusOne, minusOne) as tf.Tensor2D;
        });
        blocks[0].push(s);
        spins.push(s);
      }
      const folded = tf.tidy(() =>
        pre.map((p, l) => {
          const inp = blocks[l].length === 1 ? blocks[l][0] : tf.concat(blocks[l], 1);
          const rows = tf.slice(weights[l], [c0 * inPer[l], 0], [m * inPer[l], net.layers[l].outSize]);
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
      const lq = autoregressiveLogProb((v) => madeLogits(net, v), xt, net.z2);
      logProb = Float64Array.from(lq.dataSync());
      lq.dispose();
    } else logProb = new Float64Array(batch).fill(NaN);
    xt.dispose();
    return { batch, size: n, x, logProb };
  } finally {
    tf.dispose([...weights, ...uCols, ...pre, ...spins, plusOne, minusOne]);
  }
}

/**
 * Sampling for large models, JS and tfjs together: sites in chunks of
 * `chunk`. Every layer keeps, on the JS side, the pre-activations of its
 * units ([units × batch], batch innermost) holding the bias and the
 * contributions of all input blocks of finished chunks; inside a chunk, site
 * i's block of each layer adds the contributions of the chunk's own earlier
 * (and, for hidden layers, current) input blocks in a typed-array loop (a
 * fan-in of at most `chunk` sites, not i), and after the chunk one tf.matMul
 * per layer adds the chunk's inputs to every later unit (the bulk of the
 * arithmetic, at matmul speed). So each unit is computed once, when its
 * site's spin is known to be needed, and the kernel count is a few per
 * layer per chunk instead of per site. Draws the same uniforms in the same
 * order as the other samplers; the pre-activations are summed in float32 in
 * a different order, so a spin whose uniform lies within rounding of its
 * conditional may come out differently. ln q comes from one full pass at the
 * end, so it is exactly `logProb`.
 */
function sampleHybridPath(net: MadeNet, batch: number, rng: Rng, withLq: boolean, chunk: number): SpinSamples {
  const n = net.size;
  const { u, flip } = drawUniforms(rng, batch, n, net.z2);
  const D = net.layers.length;
  const inPer = net.layers.map((L) => L.inSize / n);
  const outPer = net.layers.map((L) => L.outSize / n);
  // masked weights transposed, [out × in]: a unit's fan-in is contiguous, and the folds are plain matmuls
  const weights = net.layers.map((L) => tf.tidy(() => tf.transpose(tf.mul(L.w, L.mask)) as tf.Tensor2D));
  try {
    const w: Float32Array[] = weights.map((t) => t.dataSync() as Float32Array);
    const alpha: (Float32Array | null)[] = net.layers.map((L) => (L.alpha !== null ? (L.alpha.dataSync() as Float32Array) : null));
    // pre[l]: [outSize × batch], bias then finished chunks' contributions
    const pre: Float32Array[] = net.layers.map((L) => {
      const p = new Float32Array(L.outSize * batch);
      if (L.b !== null) {
        const b = L.b.dataSync() as Float32Array;
        for (let k = 0; k < L.outSize; k++) p.fill(b[k], k * batch, (k + 1) * batch);
      }
      return p;
    });
    // the chunk's input blocks of each layer, [chunk·inPer × batch]; layer 0's are the spins
    const inp: Float32Array[] = net.layers.map((_, l) => new Float32Array(chunk * inPer[l] * batch));
    // the current site's output block of each layer (and the stream h for residual layers)
    const out: Float32Array[] = net.layers.map((_, l) => new Float32Array(outPer[l] * batch));
    const spins = new Float32Array(batch * n);
    const zmax = net.zmax;
    for (let c0 = 0; c0 < n; c0 += chunk) {
      const c1 = Math.min(n, c0 + chunk);
      for (let i = c0; i < c1; i++) {
        const k = i - c0;
        let h: Float32Array | null = null;
        for (let l = 0; l < D; l++) {
          const a = inPer[l], c = outPer[l], is = net.layers[l].inSize;
          const wl = w[l], src = inp[l], dst = out[l], p = pre[l];
          // the chunk's input units this block sees: sites c0 … i−1 (first layer) or … i (later ones)
          const units = (l === 0 ? k : k + 1) * a;
          const rowBase = c0 * a;
          for (let o = 0; o < c; o++) {
            const unit = i * c + o;
            const d = o * batch;
            const pb = unit * batch;
            for (let b = 0; b < batch; b++) dst[d + b] = p[pb + b];
            const wr = unit * is + rowBase;
            for (let q = 0; q < units; q++) {
              const wv = wl[wr + q];
              const sb = q * batch;
              for (let b = 0; b < batch; b++) dst[d + b] += wv * src[sb + b];
            }
          }
          if (l === D - 1) break;
          if (net.layers[l].residual && h !== null) for (let t = 0; t < c * batch; t++) dst[t] += h[t];
          h = dst;
          // PReLU into layer l+1's chunk input block k
          const al = alpha[l + 1]!;
          const nxt = inp[l + 1];
          for (let o = 0; o < c; o++) {
            const av = al[i * c + o];
            const d = (k * c + o) * batch;
            const sb = o * batch;
            for (let b = 0; b < batch; b++) {
              const v = dst[sb + b];
              nxt[d + b] = v >= 0 ? v : av * v;
            }
          }
        }
        const z = out[D - 1];
        const s0 = inp[0];
        for (let b = 0; b < batch; b++) {
          let zv = i === 0 && net.biasFreeFirst ? 0 : z[b];
          if (zv > zmax) zv = zmax;
          else if (zv < -zmax) zv = -zmax;
          const sp = u[b * n + i] * (1 + Math.exp(-zv)) < 1 ? 1 : -1;
          s0[k * batch + b] = sp;
          spins[b * n + i] = sp * flip[b];
        }
      }
      if (c1 === n) break;
      // the chunk's inputs into every later unit: one matmul per layer
      const m = c1 - c0;
      for (let l = 0; l < D; l++) {
        const a = inPer[l], c = outPer[l];
        const rest = (n - c1) * c;
        const folded = tf.tidy(() => {
          const wCols = tf.slice(weights[l], [c1 * c, c0 * a], [rest, m * a]);
          const x = tf.tensor2d(inp[l].subarray(0, m * a * batch), [m * a, batch]);
          return tf.matMul(wCols, x);
        });
        const f = folded.dataSync() as Float32Array;
        folded.dispose();
        const p = pre[l];
        const off = c1 * c * batch;
        for (let t = 0; t < f.length; t++) p[off + t] += f[t];
      }
    }
    let logProb: Float64Array;
    if (withLq) {
      const lq = tf.tidy(() => autoregressiveLogProb((v) => madeLogits(net, v), tf.tensor2d(spins, [batch, n]), net.z2));
      logProb = Float64Array.from(lq.dataSync());
      lq.dispose();
    } else logProb = new Float64Array(batch).fill(NaN);
    return { batch, size: n, x: spins, logProb };
  } finally {
    tf.dispose(weights);
  }
}

function sampleJsPath(net: MadeNet, batch: number, rng: Rng, withLq: boolean): SpinSamples {
  const p = pull(net);
  const n = net.size;
  const x = new Float32Array(batch * n);
  const logProb = new Float64Array(batch);
  const sc = scratch(net);
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
      flip[s] = net.z2 && rng.uniform32() < 0.5 ? 1 : 0;
    }
    runGroup(net, p, sc, xs, count, u, withLq ? lq : null);
    if (net.z2) {
      for (let k = 0; k < G * n; k++) neg[k] = -xs[k];
      if (withLq) runGroup(net, p, sc, neg, count, null, lqNeg);
    }
    for (let s = 0; s < count; s++) {
      const row = (b0 + s) * n;
      const src = flip[s] === 1 ? neg : xs;
      for (let i = 0; i < n; i++) x[row + i] = src[s * n + i];
      logProb[b0 + s] = !withLq ? NaN : net.z2 ? symmetrize(lq[s], lqNeg[s]) : lq[s];
    }
  }
  return { batch, size: n, x, logProb };
}

/** ln q of ±1 configurations [batch × N] in float64, by the JS loop (checks x); the caller has checked that the model is alive. */
export function madeLogProbArrays(net: MadeNet, x: ArrayLike<number>, batch: number): Float64Array {
  checkInteger(batch, "batch", "made.logProbArrays", { min: 1 });
  const n = net.size;
  if (x.length !== batch * n) {
    throw new Error(`made.logProbArrays: x must have batch·size = ${batch * n} entries, got ${x.length}`);
  }
  const p = pull(net);
  const sc = scratch(net);
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
    runGroup(net, p, sc, xs, count, null, lq);
    if (net.z2) runGroup(net, p, sc, neg, count, null, lqNeg);
    for (let s = 0; s < count; s++) out[b0 + s] = net.z2 ? symmetrize(lq[s], lqNeg[s]) : lq[s];
  }
  return out;
}

/** Weights on the JS side for the sampling loop (also the q-state MADE's, pottsMadeSampler.ts). */
export interface Pulled {
  /** First layer, [N × out0] row-major (row j is spin j's column of the matrix). */
  w0: Float32Array;
  b0: Float32Array;
  /** Later layers, transposed: [out × in] row-major. */
  wt: Float32Array[];
  b: Float32Array[];
  alpha: Float32Array[];
}

export function pull(net: MadeNet): Pulled {
  const wt: Float32Array[] = [];
  const b: Float32Array[] = [];
  const alpha: Float32Array[] = [];
  let w0: Float32Array = new Float32Array(0);
  let b0: Float32Array = new Float32Array(0);
  net.layers.forEach((L, l) => {
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

/** The JS loops' scratch arrays (see runGroup), the last one for `logits` logits per sample of the current site. */
export function scratch(net: MadeNet, logits = 1): Float64Array[] {
  const out: Float64Array[] = [new Float64Array(net.layers[0].outSize * G)];
  for (let l = 1; l < net.depth; l++) {
    out.push(new Float64Array(net.layers[l].inSize * G), new Float64Array(net.layers[l].outSize * G));
  }
  out.push(new Float64Array(logits * G));
  return out;
}

/**
 * G configurations side by side (rows of `xs`, sample-major), site by site.
 * With uniforms `u` it samples into `xs`, else it evaluates the given `xs`;
 * ln q₀ (unsymmetrised) goes to `lq` (skipped when null). Rows ≥ count are padding. Scratch
 * arrays are unit-major with the G samples innermost, so every weight read
 * serves G multiply-adds: scratch[0] holds the first layer's running
 * pre-activations, scratch[2l−1] the activated input of layer l, scratch[2l]
 * its output, the last one the G logits (then spins) of the current site.
 */
function runGroup(net: MadeNet, p: Pulled, sc: Float64Array[], xs: Float32Array, count: number, u: Float32Array | null, lq: Float64Array | null): void {
  const n = net.size;
  const depth = net.depth;
  const wUnits = depth === 1 ? 1 : net.width;
  const out0 = net.layers[0].outSize;
  const a0 = sc[0];
  const zs = sc[sc.length - 1];
  const b0 = p.b0;
  for (let k = 0; k < out0; k++) {
    const v = b0[k];
    for (let s = 0; s < G; s++) a0[k * G + s] = v;
  }
  if (u === null) for (let k = count * n; k < G * n; k++) xs[k] = 1;
  lq?.fill(0);
  const zmax = net.zmax;
  for (let i = 0; i < n; i++) {
    if (depth === 1) {
      for (let s = 0; s < G; s++) zs[s] = a0[i * G + s];
    } else {
      const g = siteHidden(net, p, sc, i);
      dotG(p.wt[depth - 1], i * net.layers[depth - 1].inSize, g, (i + 1) * wUnits, p.b[depth - 1][i], zs, 0);
    }
    for (let s = 0; s < G; s++) {
      let z = i === 0 && net.biasFreeFirst ? 0 : zs[s];
      if (z > zmax) z = zmax;
      else if (z < -zmax) z = -zmax;
      let sp: number;
      if (u !== null) {
        sp = s < count && u[s * n + i] * (1 + Math.exp(-z)) < 1 ? 1 : -1;
        xs[s * n + i] = sp;
      } else sp = xs[s * n + i];
      if (lq !== null) lq[s] += logSigmoid(sp * z);
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

/**
 * Site i's block of every layer after the first (depth ≥ 2), for the G
 * samples of a group: PReLU of the previous layer's block into layer l's
 * activated input, then (hidden layers) the block's outputs from the prefix
 * of units of sites ≤ i. Returns the last layer's activated input (its
 * prefix up to site i is final), from which the caller computes site i's
 * logits. Shared by the spin and the q-state samplers (pottsMadeSampler.ts).
 */
export function siteHidden(net: MadeNet, p: Pulled, sc: Float64Array[], i: number): Float64Array {
  const depth = net.depth;
  const lo = i * net.width;
  const hi = lo + net.width;
  let prev = sc[0];
  let g = prev;
  for (let l = 1; l < depth; l++) {
    g = sc[2 * l - 1];
    const al = p.alpha[l];
    for (let k = lo; k < hi; k++) {
      const a = al[k];
      for (let s = k * G, e = s + G; s < e; s++) {
        const v = prev[s];
        g[s] = v >= 0 ? v : a * v;
      }
    }
    if (l === depth - 1) break;
    const wt = p.wt[l];
    const bl = p.b[l];
    const inSize = net.layers[l].inSize;
    const cur = sc[2 * l];
    for (let k = lo; k < hi; k++) dotG(wt, k * inSize, g, hi, bl[k], cur, k * G);
    if (net.layers[l].residual) for (let s = lo * G; s < hi * G; s++) cur[s] += prev[s];
    prev = cur;
  }
  return g;
}

/**
 * out[o .. o+8) = bias + Σ_{u<len} w[off+u]·g[8u .. 8u+8), in two passes of
 * four samples (four accumulators keep V8's registers free; measured faster
 * than eight).
 */
export function dotG(w: Float32Array, off: number, g: Float64Array, len: number, bias: number, out: Float64Array, o: number): void {
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
