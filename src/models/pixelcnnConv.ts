/**
 * PixelCNN's network: the masked convolutions (their variables, their
 * initialisation) and the full forward pass that gives every conditional
 * logit at once, on open or periodic grids.
 *
 * Only the unmasked taps are variables: a masked convolution's weights are
 * [taps, in, out] with taps = k(2k+1) + k (+1 when inclusive), ordered row by
 * row (dr = −k..−1, dc = −k..k), then the centre row (dc = −k..−1, then 0);
 * periodic ones add the k centre-row taps to the right (dc = 1..k) and the
 * k(2k+1) taps of the rows below (dr = 1..k, dc = −k..k), in that order.
 *
 * The full pass (`convolution: "split"`, the default) splits each masked
 * convolution into a k×(2k+1) convolution over the rows above and a 1×(k+1)
 * (or 1×k) convolution over the centre row, with the input padded and shifted
 * so that both are plain "valid" convolutions: the same arithmetic as the
 * masked kernel without the multiply-adds by zero (about twice as fast as one
 * masked (2k+1)² kernel on the tensorflow backend; `convolution: "masked"`
 * keeps that variant for comparison). Periodic grids wrap the columns of the
 * rows above and add the centre row's wrapped right part and the wrapped rows
 * below (see pixelcnn.ts for which sites the taps read).
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/random";
import { ModelVariables, type LogitClamp } from "./spin";

/** One masked convolution with what precedes it. */
export interface PixelCnnStage {
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

/** What the full pass and the sampler read of a PixelCNN: the grid, the kernel and the stages. */
export interface PixelCnnNet extends LogitClamp {
  readonly rows: number;
  readonly cols: number;
  readonly halfKernel: number;
  readonly periodic: boolean;
  readonly convolution: "split" | "masked";
  readonly stages: readonly PixelCnnStage[];
}

/** The stages of a PixelCNN with their variables (in checkpoint order, named). */
export interface PixelCnnStages {
  stages: PixelCnnStage[];
  variables: ModelVariables;
}

function uniformArray(rng: Rng, n: number, bound: number): Float32Array {
  const a = new Float32Array(n);
  for (let k = 0; k < n; k++) a[k] = (2 * rng.uniform() - 1) * bound;
  return a;
}

/**
 * Build the `depth` masked convolutions 1 → width → … → 1 (depth 1: 1 → 1),
 * weights drawn from `rng` stage by stage (kernel, bias, residual 1×1 kernel
 * and bias), PReLU slopes at 0.5. Variables are named w{s}, b{s}, res_w{s},
 * res_b{s}, alpha{s}. `inChannels`/`outChannels` (default 1) are the
 * channels of the first stage's input and of the last stage's output (the
 * q-state models: a one-hot input and q logits per site).
 */
export function buildPixelCnnStages(options: {
  depth: number; width: number; halfKernel: number; residual: boolean; bias: boolean; periodic: boolean; rng: Rng;
  inChannels?: number; outChannels?: number; prefix?: string;
}): PixelCnnStages {
  const rng = options.rng;
  const k = options.halfKernel;
  const span = 2 * k + 1;
  const stages: PixelCnnStage[] = [];
  const vars = new ModelVariables(options.prefix ?? "pixelcnn");
  for (let s = 0; s < options.depth; s++) {
    const exclusive = s === 0;
    const inC = s === 0 ? (options.inChannels ?? 1) : options.width;
    const outC = s === options.depth - 1 ? (options.outChannels ?? 1) : options.width;
    const taps = k * span + k + (exclusive ? 0 : 1) + (options.periodic ? k + k * span : 0);
    const residual = options.residual && s > 0 && s < options.depth - 1;
    // PyTorch's default U(±1/√fan_in) over the full kernel, rescaled by √(kernel/kept) as in the reference
    const wBound = 1 / Math.sqrt(inC * taps);
    const bBound = 1 / Math.sqrt(inC * span * span);
    const stage: PixelCnnStage = {
      exclusive,
      inC,
      outC,
      taps,
      w: vars.add(`w${s}`, () => tf.tensor3d(uniformArray(rng, taps * inC * outC, wBound), [taps, inC, outC])),
      b: null,
      alpha: null,
      w1: null,
      b1: null,
      residual,
    };
    if (options.bias) {
      stage.b = vars.add(`b${s}`, () => tf.tensor1d(uniformArray(rng, outC, bBound)));
    }
    if (residual) {
      const bound = 1 / Math.sqrt(inC);
      stage.w1 = vars.add(`res_w${s}`, () => tf.tensor2d(uniformArray(rng, inC * inC, bound), [inC, inC]));
      if (options.bias) stage.b1 = vars.add(`res_b${s}`, () => tf.tensor1d(uniformArray(rng, inC, bound)));
    }
    if (s > 0) {
      stage.alpha = vars.add(`alpha${s}`, () => tf.fill([inC], 0.5));
    }
    stages.push(stage);
  }
  return { stages, variables: vars };
}

/**
 * Conditional logits z_i = logit q₀(s_i = +1 | s_<i), clamped, [batch, N], in one full pass (x is not checked).
 * With more channels in or out (q-state models), x is [batch, N·inC] and the result [batch, N·outC], site-major.
 */
export function pixelcnnLogits(net: PixelCnnNet, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const B = x.shape[0];
    const outC = net.stages[net.stages.length - 1].outC;
    let h = tf.reshape(x, [B, net.rows, net.cols, net.stages[0].inC]) as tf.Tensor4D;
    for (const st of net.stages) {
      let inp = h;
      if (st.w1 !== null) {
        const flat = tf.reshape(h, [-1, st.inC]) as tf.Tensor2D;
        let y = tf.matMul(flat, st.w1);
        if (st.b1 !== null) y = tf.add(y, st.b1);
        inp = tf.reshape(y, h.shape) as tf.Tensor4D;
      }
      if (st.alpha !== null) inp = tf.prelu(inp, st.alpha as tf.Tensor) as tf.Tensor4D;
      let out = net.convolution === "split" ? splitConv(net, st, inp) : maskedConv(net, st, inp);
      if (st.b !== null) out = tf.add(out, st.b);
      h = st.residual ? (tf.add(h, out) as tf.Tensor4D) : out;
    }
    let z = tf.reshape(h, [B, net.rows * net.cols * outC]) as tf.Tensor2D;
    if (net.firstMask !== null) z = tf.mul(z, net.firstMask);
    return tf.clipByValue(z, -net.zmax, net.zmax) as tf.Tensor2D;
  });
}

/**
 * The masked convolution as a k×(2k+1) convolution over the rows above plus a 1×(k(+1)) one over the centre row;
 * periodic ones wrap the columns of the rows above and add the centre row's wrapped right part and the wrapped rows below.
 */
function splitConv(net: PixelCnnNet, st: PixelCnnStage, h: tf.Tensor4D): tf.Tensor4D {
  const k = net.halfKernel;
  const span = 2 * k + 1;
  const [B, R, C, inC] = h.shape;
  const above = k * span;
  const centre = k + (st.exclusive ? 0 : 1);
  const parts: tf.Tensor4D[] = [];
  if (R > 1) {
    const wa = tf.reshape(tf.slice(st.w, [0, 0, 0], [above, inC, st.outC]), [k, span, inC, st.outC]) as tf.Tensor4D;
    const top = tf.pad(tf.slice(h, [0, 0, 0, 0], [B, R - 1, C, inC]), [[0, 0], [k, 0], [0, 0], [0, 0]]) as tf.Tensor4D;
    parts.push(tf.conv2d(padCols(top, k, net.periodic), wa, 1, "valid"));
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
  if (net.periodic) {
    // centre row, to the right: column c reads c + d − C (d = 1..k) once c + d ≥ C; only the last k columns read anything
    const wr = tf.reshape(tf.slice(st.w, [above + centre, 0, 0], [k, inC, st.outC]), [1, k, inC, st.outC]) as tf.Tensor4D;
    const rowExt = tf.concat([tf.zeros([B, R, k - 1, inC]), tf.slice(h, [0, 0, 0, 0], [B, R, k, inC])], 2) as tf.Tensor4D;
    const right = tf.conv2d(rowExt, wr, 1, "valid"); // [B, R, k, out]: columns C − k .. C − 1
    parts.push(tf.pad(right, [[0, 0], [0, 0], [C - k, 0], [0, 0]]) as tf.Tensor4D);
    // rows below: row r reads row r + d − R (d = 1..k) once r + d ≥ R; only the last k rows read anything
    const wb = tf.reshape(tf.slice(st.w, [above + centre + k, 0, 0], [above, inC, st.outC]), [k, span, inC, st.outC]) as tf.Tensor4D;
    const below = tf.concat([tf.zeros([B, k - 1, C, inC]), tf.slice(h, [0, 0, 0, 0], [B, k, C, inC])], 1) as tf.Tensor4D;
    const down = tf.conv2d(padCols(below, k, net.periodic), wb, 1, "valid"); // [B, k, C, out]: rows R − k .. R − 1
    parts.push(tf.pad(down, [[0, 0], [R - k, 0], [0, 0], [0, 0]]) as tf.Tensor4D);
  }
  if (parts.length === 0) return tf.zeros([B, R, C, st.outC]);
  return parts.length === 1 ? parts[0] : (tf.addN(parts) as tf.Tensor4D);
}

/** Pad k columns on each side: zeros, or the other end's columns on a periodic grid. */
export function padCols(x: tf.Tensor4D, k: number, periodic: boolean): tf.Tensor4D {
  if (!periodic) return tf.pad(x, [[0, 0], [0, 0], [k, k], [0, 0]]) as tf.Tensor4D;
  const [B, R, C, ch] = x.shape;
  return tf.concat([tf.slice(x, [0, 0, C - k, 0], [B, R, k, ch]), x, tf.slice(x, [0, 0, 0, 0], [B, R, k, ch])], 2) as tf.Tensor4D;
}

/** The masked convolution as one (2k+1)² kernel with zeros at the masked taps ("same" zero padding). */
function maskedConv(net: PixelCnnNet, st: PixelCnnStage, h: tf.Tensor4D): tf.Tensor4D {
  const k = net.halfKernel;
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
