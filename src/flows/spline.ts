/**
 * Monotone rational-quadratic splines (neural spline flows: Durkan, Bekasov,
 * Murray, Papamakarios, NeurIPS 2019, §3.1 and appendix A) as an
 * `ElementwiseTransform` for coupling layers.
 *
 * On [−B, B] the map is a monotone spline of K bins with knots
 * (x⁽ᵏ⁾, y⁽ᵏ⁾), k = 0..K, x⁽⁰⁾ = y⁽⁰⁾ = −B, x⁽ᴷ⁾ = y⁽ᴷ⁾ = B, and positive
 * derivatives δ⁽ᵏ⁾ at the knots, δ⁽⁰⁾ = δ⁽ᴷ⁾ = 1; outside it is the identity
 * (linear tails: value and slope are continuous at ±B). Each element takes
 * 3K − 1 raw numbers θ = (θʷ ∈ Rᴷ, θʰ ∈ Rᴷ, θᵈ ∈ Rᴷ⁻¹):
 *
 *   bin widths  w = 2B·[m_w + (1 − K m_w)·softmax(θʷ)], heights h likewise with m_h,
 *   knots       x⁽ᵏ⁾ = −B + Σ_{j<k} w_j (the last one set to B exactly), y⁽ᵏ⁾ likewise,
 *   derivatives δ⁽ᵏ⁾ = m_δ + softplus(θᵈ_k + c), c = ln(e^{1−m_δ} − 1), k = 1..K−1,
 *
 * so that θ = 0 gives equal bins and unit derivatives, which is exactly the
 * identity (nflows pads only the boundary derivatives this way; shifting the
 * interior ones too makes a zero-initialised conditioner an identity layer).
 *
 * In bin k, with s = h_k/w_k, ξ = (x − x⁽ᵏ⁾)/w_k ∈ [0, 1] and δ = δ⁽ᵏ⁾, δ' = δ⁽ᵏ⁺¹⁾:
 *
 *   y  = y⁽ᵏ⁾ + h_k [s ξ² + δ ξ(1−ξ)] / [s + (δ' + δ − 2s) ξ(1−ξ)]
 *   dy/dx = s² [δ' ξ² + 2s ξ(1−ξ) + δ (1−ξ)²] / [s + (δ' + δ − 2s) ξ(1−ξ)]²   (> 0)
 *
 * The inverse solves the quadratic a ξ² + b ξ + c = 0 in the bin of y, with
 * Δ = y − y⁽ᵏ⁾, a = h_k(s − δ) + Δ(δ' + δ − 2s), b = h_k δ − Δ(δ' + δ − 2s),
 * c = −sΔ, by the cancellation-free root ξ = 2c / (−b − √(b² − 4ac)) (the
 * paper's eq. 29; c ≤ 0 and b² − 4ac ≥ b² for monotone splines, so there is
 * no subtraction of nearly equal numbers), then x = x⁽ᵏ⁾ + ξ w_k, and
 * ln|dx/dy| = −ln(dy/dx) at that ξ.
 *
 * Everything is tensor ops on the flattened elements [N, ·]: the bin is a
 * one-hot row from comparisons with the interior knots (k = #{j ≥ 1: x ≥ x⁽ʲ⁾}),
 * and the bin's quantities are gathered by one multiply-and-sum over the
 * last axis, so the map is differentiable in x and θ (the comparisons carry
 * no gradient; inside a bin the formula does). Inputs are clamped to [−B, B]
 * before the spline formula, so the tails never evaluate it out of range and
 * `tf.where` picks the identity there without NaN gradients.
 */
import * as tf from "@tensorflow/tfjs";
import { checkInteger, checkKeys, checkNumber } from "../core/validate";
import type { ElementwiseTransform } from "./transforms";

export interface RationalQuadraticSplineOptions {
  /** Number of bins K (≥ 2; default 8). Parameters per element: 3K − 1. */
  bins?: number;
  /** Half-width B of the spline's interval [−B, B]; the identity outside (default 5). */
  bound?: number;
  /** Smallest bin width as a fraction of the interval, 0 < m_w < 1/K (default 1e-3). */
  minBinWidth?: number;
  /** Smallest bin height as a fraction of the interval, 0 < m_h < 1/K (default 1e-3). */
  minBinHeight?: number;
  /** Smallest knot derivative, 0 < m_δ < 1 (default 1e-3). */
  minDerivative?: number;
}

/** The spline's knots for every element: x and y knots and derivatives, each [N, K + 1]. */
interface Knots {
  xk: tf.Tensor2D;
  yk: tf.Tensor2D;
  dk: tf.Tensor2D;
}

/** A rational-quadratic spline transform with identity tails; see the module doc. */
export class RationalQuadraticSpline implements ElementwiseTransform {
  readonly name = "spline";
  readonly paramsPerElement: number;
  readonly bins: number;
  readonly bound: number;
  readonly minBinWidth: number;
  readonly minBinHeight: number;
  readonly minDerivative: number;
  /** c = ln(e^{1−m_δ} − 1): softplus(0 + c) + m_δ = 1. */
  private readonly shift: number;

  constructor(options: RationalQuadraticSplineOptions = {}) {
    const where = "rationalQuadraticSpline";
    if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
    checkKeys(options, ["bins", "bound", "minBinWidth", "minBinHeight", "minDerivative"], where);
    this.bins = options.bins === undefined ? 8 : checkInteger(options.bins, "bins", where, { min: 2, max: 1024 });
    this.bound = options.bound === undefined ? 5 : checkNumber(options.bound, "bound", where, { above: 0 });
    const K = this.bins;
    const frac = (v: number | undefined, name: string): number => {
      if (v === undefined) {
        if (1e-3 * K >= 1) throw new Error(`${where}: ${name} must be given with bins = ${K} (the default 1e-3 times bins is ≥ 1)`);
        return 1e-3;
      }
      checkNumber(v, name, where, { above: 0 });
      if (v * K >= 1) throw new Error(`${where}: ${name} must be < 1/bins = ${1 / K}, got ${v}`);
      return v;
    };
    this.minBinWidth = frac(options.minBinWidth, "minBinWidth");
    this.minBinHeight = frac(options.minBinHeight, "minBinHeight");
    this.minDerivative = options.minDerivative === undefined ? 1e-3 : checkNumber(options.minDerivative, "minDerivative", where, { above: 0 });
    if (this.minDerivative >= 1) throw new Error(`${where}: minDerivative must be < 1, got ${this.minDerivative}`);
    this.paramsPerElement = 3 * K - 1;
    this.shift = Math.log(Math.expm1(1 - this.minDerivative));
  }

  get config(): Record<string, unknown> {
    return { name: this.name, bins: this.bins, bound: this.bound, minBinWidth: this.minBinWidth, minBinHeight: this.minBinHeight, minDerivative: this.minDerivative };
  }

  /** Knot positions along one axis from raw sizes [N, K]: −B, −B + Σ w, …, B. */
  private knotsFrom(raw: tf.Tensor2D, minSize: number): tf.Tensor2D {
    const K = this.bins, B = this.bound;
    const n = raw.shape[0];
    const sizes = tf.add(tf.mul(tf.softmax(raw), 1 - minSize * K), minSize);
    const cum = tf.cumsum(sizes, 1);
    const inner = tf.sub(tf.mul(tf.slice(cum, [0, 0], [n, K - 1]), 2 * B), B);
    return tf.concat([tf.fill([n, 1], -B), inner, tf.fill([n, 1], B)], 1) as tf.Tensor2D;
  }

  private knots(params: tf.Tensor2D): Knots {
    const K = this.bins;
    const n = params.shape[0];
    const [uw, uh, ud] = tf.split(params, [K, K, K - 1], 1) as tf.Tensor2D[];
    const inner = tf.add(tf.softplus(tf.add(ud, this.shift)), this.minDerivative);
    const one = tf.ones([n, 1]);
    return { xk: this.knotsFrom(uw, this.minBinWidth), yk: this.knotsFrom(uh, this.minBinHeight), dk: tf.concat([one, inner, one], 1) as tf.Tensor2D };
  }

  /**
   * The bin of each value (along the given knots) and that bin's left knots,
   * width, height and end derivatives, each [N, 1].
   */
  private bin(v: tf.Tensor2D, along: tf.Tensor2D, k: Knots) {
    const K = this.bins;
    const n = v.shape[0];
    const ge = tf.cast(tf.greaterEqual(v, tf.slice(along, [0, 1], [n, K - 1])), "float32");
    const G = tf.concat([tf.ones([n, 1]), ge, tf.zeros([n, 1])], 1);
    const oneHot = tf.sub(tf.slice(G, [0, 0], [n, K]), tf.slice(G, [0, 1], [n, K])); // [N, K]
    const left = (t: tf.Tensor2D) => tf.slice(t, [0, 0], [n, K]);
    const right = (t: tf.Tensor2D) => tf.slice(t, [0, 1], [n, K]);
    const table = tf.stack([left(k.xk), tf.sub(right(k.xk), left(k.xk)), left(k.yk), tf.sub(right(k.yk), left(k.yk)), left(k.dk), right(k.dk)], 1); // [N, 6, K]
    const picked = tf.sum(tf.mul(table, tf.expandDims(oneHot, 1)), 2); // [N, 6]
    const [x0, w, y0, h, d0, d1] = tf.split(picked, 6, 1) as tf.Tensor2D[];
    return { x0, w, y0, h, d0, d1 };
  }

  /** ln dy/dx at ξ in a bin with slope s and end derivatives d0, d1 (all [N, 1]). */
  private static logDerivative(xi: tf.Tensor, s: tf.Tensor, d0: tf.Tensor, d1: tf.Tensor, den: tf.Tensor): tf.Tensor {
    const om = tf.sub(1, xi);
    const num = tf.mul(tf.square(s), tf.add(tf.add(tf.mul(d1, tf.square(xi)), tf.mul(tf.mul(s, 2), tf.mul(xi, om))), tf.mul(d0, tf.square(om))));
    return tf.sub(tf.log(num), tf.mul(tf.log(den), 2));
  }

  private check(v: tf.Tensor, params: tf.Tensor, names: [string, string], where: string): void {
    const isTensor = (t: unknown) => t !== null && t !== undefined && typeof (t as { rank?: unknown }).rank === "number";
    if (!isTensor(v) || v.rank < 1) throw new Error(`${where}: ${names[0]} must be a tensor of shape [batch, ...]`);
    const want = [...v.shape, this.paramsPerElement];
    if (!isTensor(params) || params.rank !== want.length || params.shape.some((s, i) => s !== want[i])) {
      const got = isTensor(params) ? `[${params.shape.join(", ")}]` : String(params);
      throw new Error(`${where}: ${names[1]} must have shape [${want.join(", ")}] (${names[0]}'s shape and paramsPerElement = ${this.paramsPerElement}), got ${got}`);
    }
  }

  forward(x: tf.Tensor, params: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor1D } {
    this.check(x, params, ["x", "params"], "rationalQuadraticSpline.forward");
    return tf.tidy(() => {
      const B = this.bound;
      const shape = x.shape;
      const v = tf.reshape(x, [-1, 1]) as tf.Tensor2D;
      const k = this.knots(tf.reshape(params, [-1, this.paramsPerElement]) as tf.Tensor2D);
      const vc = tf.clipByValue(v, -B, B) as tf.Tensor2D;
      const { x0, w, y0, h, d0, d1 } = this.bin(vc, k.xk, k);
      const s = tf.div(h, w);
      const xi = tf.clipByValue(tf.div(tf.sub(vc, x0), w), 0, 1);
      const t = tf.mul(xi, tf.sub(1, xi));
      const num = tf.mul(h, tf.add(tf.mul(s, tf.square(xi)), tf.mul(d0, t)));
      const den = tf.add(s, tf.mul(tf.sub(tf.add(d0, d1), tf.mul(s, 2)), t));
      const yIn = tf.add(y0, tf.div(num, den));
      const ldIn = RationalQuadraticSpline.logDerivative(xi, s, d0, d1, den);
      const inside = tf.greaterEqual(B, tf.abs(v)); // (lessEqual has no registered gradient)
      const y = tf.where(inside, yIn, v);
      const ld = tf.where(inside, ldIn, tf.zerosLike(ldIn));
      return { y: tf.reshape(y, shape), logDet: tf.sum(tf.reshape(ld, [shape[0], -1]), 1) as tf.Tensor1D };
    });
  }

  inverse(y: tf.Tensor, params: tf.Tensor): { x: tf.Tensor; logDet: tf.Tensor1D } {
    this.check(y, params, ["y", "params"], "rationalQuadraticSpline.inverse");
    return tf.tidy(() => {
      const B = this.bound;
      const shape = y.shape;
      const v = tf.reshape(y, [-1, 1]) as tf.Tensor2D;
      const k = this.knots(tf.reshape(params, [-1, this.paramsPerElement]) as tf.Tensor2D);
      const vc = tf.clipByValue(v, -B, B) as tf.Tensor2D;
      const { x0, w, y0, h, d0, d1 } = this.bin(vc, k.yk, k);
      const s = tf.div(h, w);
      const dy = tf.sub(vc, y0);
      const g = tf.sub(tf.add(d0, d1), tf.mul(s, 2)); // δ' + δ − 2s
      const a = tf.add(tf.mul(h, tf.sub(s, d0)), tf.mul(dy, g));
      const b = tf.sub(tf.mul(h, d0), tf.mul(dy, g));
      const c = tf.neg(tf.mul(s, dy));
      const disc = tf.relu(tf.sub(tf.square(b), tf.mul(tf.mul(a, c), 4)));
      const xi = tf.clipByValue(tf.div(tf.mul(c, 2), tf.sub(tf.neg(b), tf.sqrt(disc))), 0, 1);
      const xIn = tf.add(x0, tf.mul(xi, w));
      const den = tf.add(s, tf.mul(g, tf.mul(xi, tf.sub(1, xi))));
      const ldIn = tf.neg(RationalQuadraticSpline.logDerivative(xi, s, d0, d1, den));
      const inside = tf.greaterEqual(B, tf.abs(v)); // (lessEqual has no registered gradient)
      const out = tf.where(inside, xIn, v);
      const ld = tf.where(inside, ldIn, tf.zerosLike(ldIn));
      return { x: tf.reshape(out, shape), logDet: tf.sum(tf.reshape(ld, [shape[0], -1]), 1) as tf.Tensor1D };
    });
  }

  /** The knots (x⁽ᵏ⁾, y⁽ᵏ⁾, δ⁽ᵏ⁾) of each element's spline, [..., K + 1] each (for plots and tests). */
  knotsOf(params: tf.Tensor): { x: tf.Tensor; y: tf.Tensor; derivative: tf.Tensor } {
    if (params === null || params === undefined || typeof (params as { rank?: unknown }).rank !== "number" || params.shape[params.rank - 1] !== this.paramsPerElement) {
      throw new Error(`rationalQuadraticSpline.knotsOf: params must be a tensor whose last axis has paramsPerElement = ${this.paramsPerElement}`);
    }
    return tf.tidy(() => {
      const shape = [...params.shape.slice(0, -1), this.bins + 1];
      const k = this.knots(tf.reshape(params, [-1, this.paramsPerElement]) as tf.Tensor2D);
      return { x: tf.reshape(k.xk, shape), y: tf.reshape(k.yk, shape), derivative: tf.reshape(k.dk, shape) };
    });
  }
}

/** A rational-quadratic spline transform (factory); see `RationalQuadraticSpline`. */
export function rationalQuadraticSpline(options: RationalQuadraticSplineOptions = {}): RationalQuadraticSpline {
  return new RationalQuadraticSpline(options);
}
