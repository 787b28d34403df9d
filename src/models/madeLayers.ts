/**
 * MADE's network: the masked dense layers, their masks and initialisation,
 * and the full forward pass that gives every conditional logit at once.
 *
 * Hidden units are stored site-major (unit k of a layer of `units` units over
 * N sites belongs to site ⌊k/(units/N)⌋). The first layer is exclusive (site
 * i's units see spins j < i), the later ones inclusive (units of site i see
 * units of sites ≤ i), so the logit of site i depends on spins j < i only.
 * The fast samplers (madeSampler.ts) rely on this layout: the units a
 * conditional depends on are a prefix of each layer.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/random";
import { ModelVariables, type LogitClamp } from "./spin";

/** One masked dense layer with the PReLU before it. */
export interface MadeLayer {
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

/** What the full pass and the samplers read of a MADE: its shape and its layers. */
export interface MadeNet extends LogitClamp {
  readonly size: number;
  readonly depth: number;
  readonly width: number;
  readonly z2: boolean;
  readonly layers: readonly MadeLayer[];
}

/** The layers of a MADE with their variables (in checkpoint order, named). */
export interface MadeLayers {
  layers: MadeLayer[];
  variables: ModelVariables;
}

/**
 * Build the `depth` masked layers N → width·N → … → N (depth 1: N → N), with
 * weights and biases drawn from `rng` in layer order (weights, then biases)
 * and PReLU slopes at 0.5. Variables are named w{l}, b{l}, alpha{l}.
 * `inPerSite`/`outPerSite` (default 1) give several input/output units per
 * site, still site-major (the q-state models' one-hot inputs and q logits, the
 * XY model's (cos θ_j, sin θ_j) inputs and its mixture parameters per site);
 * the masks follow the same site-of-unit rule; `prefix` names the tfjs
 * variables (default "made").
 */
export function buildMadeLayers(options: {
  size: number; depth: number; width: number; residual: boolean; bias: boolean; rng: Rng; inPerSite?: number; outPerSite?: number; prefix?: string;
}): MadeLayers {
  const { size: n, depth, width, rng } = options;
  const hidden = width * n;
  const layers: MadeLayer[] = [];
  const vars = new ModelVariables(options.prefix ?? "made");
  const sizes: number[] = [n * (options.inPerSite ?? 1)];
  for (let l = 0; l < depth - 1; l++) sizes.push(hidden);
  sizes.push(n * (options.outPerSite ?? 1));
  for (let l = 0; l < depth; l++) {
    const inSize = sizes[l];
    const outSize = sizes[l + 1];
    const maskArr = buildMask(n, inSize, outSize, l === 0);
    const w = initWeights(rng, maskArr, inSize, outSize);
    const layer: MadeLayer = {
      w: vars.add(`w${l}`, () => tf.tensor2d(w, [inSize, outSize])),
      mask: tf.tensor2d(maskArr, [inSize, outSize]),
      b: null,
      alpha: null,
      inSize,
      outSize,
      residual: options.residual && l > 0 && l < depth - 1,
    };
    if (options.bias) {
      const bound = 1 / Math.sqrt(inSize);
      const b = new Float32Array(outSize);
      for (let k = 0; k < outSize; k++) b[k] = (2 * rng.uniform() - 1) * bound;
      layer.b = vars.add(`b${l}`, () => tf.tensor1d(b));
    }
    if (l > 0) {
      layer.alpha = vars.add(`alpha${l}`, () => tf.fill([inSize], 0.5));
    }
    layers.push(layer);
  }
  return { layers, variables: vars };
}

/** Conditional logits z_i = logit q₀(s_i = +1 | s_<i), clamped, [batch, N], in one full pass (x is not checked). */
export function madeLogits(net: MadeNet, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let h: tf.Tensor2D = x;
    for (const L of net.layers) {
      const inp = (L.alpha !== null ? tf.prelu(h, L.alpha as tf.Tensor) : h) as tf.Tensor2D;
      let y: tf.Tensor2D = tf.matMul(inp, tf.mul(L.w, L.mask) as tf.Tensor2D);
      if (L.b !== null) y = tf.add(y, L.b) as tf.Tensor2D;
      h = L.residual ? (tf.add(h, y) as tf.Tensor2D) : y;
    }
    if (net.firstMask !== null) h = tf.mul(h, net.firstMask) as tf.Tensor2D;
    return tf.clipByValue(h, -net.zmax, net.zmax) as tf.Tensor2D;
  });
}

/** Number of trainable parameters of masked layers (masked-out weights not counted). */
export function maskedParameterCount(layers: readonly MadeLayer[]): number {
  let c = 0;
  for (const L of layers) {
    c += tf.tidy(() => tf.sum(L.mask).dataSync()[0]);
    if (L.b !== null) c += L.outSize;
    if (L.alpha !== null) c += L.inSize;
  }
  return c;
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
