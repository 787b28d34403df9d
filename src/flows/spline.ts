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
 * c = −sΔ, by the root ξ = 2c / (−b − √(b² − 4ac)) in [0, 1] (the paper's
 * eq. 29, as in nflows: this form does not cancel where the textbook one
 * would, at Δ → 0; b² − 4ac ≥ 0 for a monotone spline and is clamped at 0
 * against rounding), then x = x⁽ᵏ⁾ + ξ w_k, and ln|dx/dy| = −ln(dy/dx) at
 * that ξ. In float32 a round trip cannot beat ulp(y)/T'(x) where the spline
 * is flat; measured: within ~20 such units for raw θ ~ N(0, 1), up to ~10³
 * for extreme θ ~ N(0, 3²) (steep and flat bins side by side).
 *
 * Everything is tensor ops on the flattened elements [N, ·]: the bin is a
 * one-hot row from comparisons with the interior knots (k = #{j ≥ 1: x ≥ x⁽ʲ⁾}),
 * and the bin's six numbers (x⁽ᵏ⁾, y⁽ᵏ⁾, δ⁽ᵏ⁾, x⁽ᵏ⁺¹⁾, y⁽ᵏ⁺¹⁾, δ⁽ᵏ⁺¹⁾) are
 * gathered from one [N, 6, K] table by a multiply-and-sum over the last
 * axis, so the map is differentiable in x and θ (the comparisons carry no
 * gradient; inside a bin the formula does). Inputs are clamped to [−B, B]
 * before the spline formula, so the tails never evaluate it out of range and
 * the identity is selected there without NaN gradients.
 *
 * Gradients: the whole map (θ → knots → gather → in-bin formula → tails) is
 * one `tf.customGrad` op per direction with a hand-written backward: the
 * partials of y and ln y' in ξ, s, δ, δ' (forward), the implicit-function
 * derivative dξ = (dy − dy⁽ᵏ⁾ − R dh − h ∂R/∂θ dθ)/(h ∂R/∂ξ) with
 * R = (y − y⁽ᵏ⁾)/h (inverse), a scatter back to the six gathered knots, the
 * adjoint of the exclusive cumsum, and the softmax and softplus adjoints. In
 * that op the cumsum is a matmul with a triangular matrix and the bin's knots
 * one gather (tf.cumsum and one-hot multiply-and-sum tables cost several
 * times more on conv-sized batches). About 240 kernels per forward + backward
 * instead of about 450 by tfjs autodiff; `customGradient: false` runs the
 * one-hot form by autodiff, and the tests check that the two agree.
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
  /** Hand-written gradient of the whole map (default true; false: tfjs autodiff, slower, for checks). */
  customGradient?: boolean;
}

type Dir = "forward" | "inverse";

/** The rational-quadratic pieces at ξ in a bin (all [N, 1]): R = (y − y⁽ᵏ⁾)/h, its partials, and ln dy/dx with its partials. */
function pieces(xi: tf.Tensor, s: tf.Tensor, d0: tf.Tensor, d1: tf.Tensor) {
  const om = tf.sub(1, xi);
  const t = tf.mul(xi, om); // ξ(1−ξ)
  const xi2 = tf.square(xi), om2 = tf.square(om);
  const g = tf.sub(tf.add(d0, d1), tf.mul(s, 2)); // δ' + δ − 2s
  const num = tf.add(tf.mul(s, xi2), tf.mul(d0, t)); // s ξ² + δ ξ(1−ξ)
  const den = tf.add(s, tf.mul(g, t)); // s + (δ' + δ − 2s) ξ(1−ξ)
  const m = tf.add(tf.add(tf.mul(d1, xi2), tf.mul(tf.mul(s, 2), t)), tf.mul(d0, om2)); // δ' ξ² + 2s ξ(1−ξ) + δ (1−ξ)²
  const R = tf.div(num, den);
  const ld = tf.sub(tf.add(tf.mul(tf.log(s), 2), tf.log(m)), tf.mul(tf.log(den), 2)); // ln(s² m / den²)
  return { om, t, xi2, om2, g, num, den, m, R, ld };
}

/** The partial derivatives of R and ln dy/dx w.r.t. ξ, s, δ, δ' (for the hand-written gradients). */
function partials(xi: tf.Tensor, s: tf.Tensor, d0: tf.Tensor, d1: tf.Tensor, p: ReturnType<typeof pieces>) {
  const oneM2xi = tf.sub(1, tf.mul(xi, 2)); // 1 − 2ξ
  const iden = tf.reciprocal(p.den), im = tf.reciprocal(p.m);
  const t2den = tf.mul(tf.mul(p.t, 2), iden); // 2t/den
  const Dxi = tf.mul(p.g, oneM2xi);
  const Nxi = tf.add(tf.mul(tf.mul(s, 2), xi), tf.mul(d0, oneM2xi));
  const Mxi = tf.mul(tf.sub(tf.add(tf.mul(d1, xi), tf.mul(s, oneM2xi)), tf.mul(d0, p.om)), 2);
  const Ds = tf.sub(1, tf.mul(p.t, 2));
  return {
    Rxi: tf.mul(tf.sub(Nxi, tf.mul(p.R, Dxi)), iden),
    Rs: tf.mul(tf.sub(p.xi2, tf.mul(p.R, Ds)), iden),
    Rd0: tf.mul(tf.mul(p.t, tf.sub(1, p.R)), iden),
    Rd1: tf.neg(tf.mul(tf.mul(p.R, p.t), iden)),
    Lxi: tf.sub(tf.mul(Mxi, im), tf.mul(tf.mul(Dxi, 2), iden)),
    Ls: tf.sub(tf.add(tf.div(2, s), tf.mul(tf.mul(p.t, 2), im)), tf.mul(tf.mul(Ds, 2), iden)),
    Ld0: tf.sub(tf.mul(p.om2, im), t2den),
    Ld1: tf.sub(tf.mul(p.xi2, im), t2den),
  };
}

/**
 * The spline inside its bin. `q` = [v, x⁽ᵏ⁾, y⁽ᵏ⁾, δ, x⁽ᵏ⁺¹⁾, y⁽ᵏ⁺¹⁾, δ'] per element ([N, 7], v clamped
 * to [−B, B]); the result is [out, ln|d out/dv|], [N, 2]: forward out = y(v), inverse out = x(v).
 * Also returns its pieces (ξ, s, w, h, …) for the hand-written gradient.
 */
function binMap(dir: Dir, q: tf.Tensor2D): { value: tf.Tensor2D; parts: BinParts } {
  const [v, x0, y0, d0, x1, y1, d1] = tf.split(q, 7, 1);
  const w = tf.sub(x1, x0), h = tf.sub(y1, y0);
  const s = tf.div(h, w);
  if (dir === "forward") {
    const xi = tf.clipByValue(tf.div(tf.sub(v, x0), w), 0, 1);
    const p = pieces(xi, s, d0, d1);
    return { value: tf.concat([tf.add(y0, tf.mul(h, p.R)), p.ld], 1) as tf.Tensor2D, parts: { xi, s, w, h, d0, d1, p } };
  }
  const dy = tf.sub(v, y0);
  const g = tf.sub(tf.add(d0, d1), tf.mul(s, 2));
  const a = tf.add(tf.mul(h, tf.sub(s, d0)), tf.mul(dy, g));
  const b = tf.sub(tf.mul(h, d0), tf.mul(dy, g));
  const c = tf.neg(tf.mul(s, dy));
  const disc = tf.relu(tf.sub(tf.square(b), tf.mul(tf.mul(a, c), 4)));
  const xi = tf.clipByValue(tf.div(tf.mul(c, 2), tf.sub(tf.neg(b), tf.sqrt(disc))), 0, 1);
  const p = pieces(xi, s, d0, d1);
  return { value: tf.concat([tf.add(x0, tf.mul(xi, w)), tf.neg(p.ld)], 1) as tf.Tensor2D, parts: { xi, s, w, h, d0, d1, p } };
}

/** What the hand-written gradient reuses from `binMap`. */
interface BinParts {
  xi: tf.Tensor;
  s: tf.Tensor;
  w: tf.Tensor;
  h: tf.Tensor;
  d0: tf.Tensor;
  d1: tf.Tensor;
  p: ReturnType<typeof pieces>;
}

const PIECE_KEYS = ["om", "t", "xi2", "om2", "g", "num", "den", "m", "R", "ld"] as const;
const flattenParts = (b: BinParts): tf.Tensor[] => [b.xi, b.s, b.w, b.h, b.d0, b.d1, ...PIECE_KEYS.map((k) => b.p[k])];
function unflattenParts(t: tf.Tensor[]): BinParts {
  const [xi, s, w, h, d0, d1, ...rest] = t;
  const p = Object.fromEntries(PIECE_KEYS.map((k, i) => [k, rest[i]])) as ReturnType<typeof pieces>;
  return { xi, s, w, h, d0, d1, p };
}

/**
 * ∂L/∂q from ∂L/∂[out, ld] by the chain rule through ξ = (v − x⁽ᵏ⁾)/w, s = h/w
 * (forward), or through the implicit function y⁽ᵏ⁾ + h R(ξ, s, δ, δ') = v (inverse).
 */
function binMapGradient(dir: Dir, go: tf.Tensor, gl: tf.Tensor, parts: BinParts): tf.Tensor {
  const { xi, s, w, h, d0, d1, p } = parts;
  const iw = tf.reciprocal(w);
  const d = partials(xi, s, d0, d1, p);
  const hgo = tf.mul(h, go);
  let gv: tf.Tensor, gx0: tf.Tensor, gw: tf.Tensor, gy0: tf.Tensor, gh: tf.Tensor, gs: tf.Tensor, gd0: tf.Tensor, gd1: tf.Tensor;
  if (dir === "forward") {
    // y = y⁽ᵏ⁾ + h R, ld = L(ξ, s, δ, δ')
    const gxi = tf.add(tf.mul(hgo, d.Rxi), tf.mul(gl, d.Lxi));
    gs = tf.add(tf.mul(hgo, d.Rs), tf.mul(gl, d.Ls));
    gd0 = tf.add(tf.mul(hgo, d.Rd0), tf.mul(gl, d.Ld0));
    gd1 = tf.add(tf.mul(hgo, d.Rd1), tf.mul(gl, d.Ld1));
    gy0 = go;
    gh = tf.mul(go, p.R);
    gv = tf.mul(gxi, iw);
    gx0 = tf.neg(gv);
    gw = tf.neg(tf.mul(gv, xi));
  } else {
    // x = x⁽ᵏ⁾ + ξ w, ld = −L; ξ(v, y⁽ᵏ⁾, h, s, δ, δ') from v = y⁽ᵏ⁾ + h R: dξ = (dv − dy⁽ᵏ⁾ − R dh − h R_θ dθ)/(h R_ξ)
    const G = tf.div(tf.sub(tf.mul(go, w), tf.mul(gl, d.Lxi)), tf.mul(h, d.Rxi)); // ∂L/∂ξ · ∂ξ/∂v
    gv = G;
    gy0 = tf.neg(G);
    gh = tf.neg(tf.mul(G, p.R));
    const hG = tf.mul(h, G);
    gs = tf.neg(tf.add(tf.mul(hG, d.Rs), tf.mul(gl, d.Ls)));
    gd0 = tf.neg(tf.add(tf.mul(hG, d.Rd0), tf.mul(gl, d.Ld0)));
    gd1 = tf.neg(tf.add(tf.mul(hG, d.Rd1), tf.mul(gl, d.Ld1)));
    gx0 = go;
    gw = tf.mul(go, xi);
  }
  // s = h/w, w = x⁽ᵏ⁺¹⁾ − x⁽ᵏ⁾, h = y⁽ᵏ⁺¹⁾ − y⁽ᵏ⁾
  const gsw = tf.mul(gs, iw);
  const gwT = tf.sub(gw, tf.mul(gsw, s)), ghT = tf.add(gh, gsw);
  return tf.concat([gv, tf.sub(gx0, gwT), tf.sub(gy0, ghT), gd0, gwT, ghT, gd1], 1);
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
  readonly customGradient: boolean;
  /** c = ln(e^{1−m_δ} − 1): softplus(0 + c) + m_δ = 1. */
  private readonly shift: number;
  /** The whole map (v [N, 1], θ [N, P]) → [out, ld] [N, 2] with a hand-written gradient, per direction. */
  private readonly fused: Record<Dir, (v: tf.Tensor2D, params: tf.Tensor2D) => tf.Tensor2D>;

  constructor(options: RationalQuadraticSplineOptions = {}) {
    const where = "rationalQuadraticSpline";
    if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
    checkKeys(options, ["bins", "bound", "minBinWidth", "minBinHeight", "minDerivative", "customGradient"], where);
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
    if (options.customGradient !== undefined && typeof options.customGradient !== "boolean") throw new Error(`${where}: customGradient must be true or false`);
    this.customGradient = options.customGradient ?? true;
    const fused = (dir: Dir) =>
      tf.customGrad(((v: tf.Tensor2D, params: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
        const r = this.fusedForward(dir, v, params);
        save(r.saved);
        return { value: r.value, gradFunc: (dY: tf.Tensor, saved: tf.Tensor[]) => this.fusedGradient(dir, dY, saved) };
      }) as never) as (v: tf.Tensor2D, params: tf.Tensor2D) => tf.Tensor2D;
    this.fused = { forward: fused("forward"), inverse: fused("inverse") };
  }

  get config(): Record<string, unknown> {
    return { name: this.name, bins: this.bins, bound: this.bound, minBinWidth: this.minBinWidth, minBinHeight: this.minBinHeight, minDerivative: this.minDerivative };
  }

  /** All knots [N, 3, K + 1]: rows x⁽ᵏ⁾, y⁽ᵏ⁾, δ⁽ᵏ⁾. */
  private knots(params: tf.Tensor2D): tf.Tensor3D {
    const K = this.bins, B = this.bound;
    const n = params.shape[0];
    const [uwh, ud] = tf.split(params, [2 * K, K - 1], 1);
    const [scale, min] = this.sizeMap();
    const sizes = tf.add(tf.mul(tf.softmax(tf.reshape(uwh, [n, 2, K])), scale), min); // [N, 2, K], rows sum to 1
    const start = tf.sub(tf.mul(tf.cumsum(sizes, 2, true), 2 * B), B); // −B, −B + 2B w₀, …: the K left knots
    const xy = tf.concat([start, tf.fill([n, 2, 1], B)], 2); // the last knot exactly B
    const d = tf.pad(tf.add(tf.softplus(tf.add(ud, this.shift)), this.minDerivative), [[0, 0], [1, 1]], 1); // δ⁽⁰⁾ = δ⁽ᴷ⁾ = 1
    return tf.concat([xy, tf.expandDims(d, 1)], 1) as tf.Tensor3D;
  }

  /**
   * The bin of each value v [N, 1] along row `row` of the knots (0: x, 1: y):
   * [N, 6] = x⁽ᵏ⁾, y⁽ᵏ⁾, δ⁽ᵏ⁾, x⁽ᵏ⁺¹⁾, y⁽ᵏ⁺¹⁾, δ⁽ᵏ⁺¹⁾ of the bin k = #{1 ≤ j < K: v ≥ knot j}.
   */
  private bin(v: tf.Tensor2D, row: 0 | 1, k: tf.Tensor3D): tf.Tensor2D {
    const K = this.bins;
    const n = v.shape[0];
    const inner = tf.reshape(tf.slice(k, [0, row, 1], [n, 1, K - 1]), [n, K - 1]);
    const ge = tf.cast(tf.greaterEqual(v, inner), "float32");
    const oneHot = tf.sub(tf.pad(ge, [[0, 0], [1, 0]], 1), tf.pad(ge, [[0, 0], [0, 1]], 0)); // [N, K]
    const table = tf.concat([tf.slice(k, [0, 0, 0], [n, 3, K]), tf.slice(k, [0, 0, 1], [n, 3, K])], 1); // [N, 6, K]
    return tf.sum(tf.mul(table, tf.expandDims(oneHot, 1)), 2) as tf.Tensor2D;
  }

  /** Offsets of x⁽ᵏ⁾, y⁽ᵏ⁾, δ⁽ᵏ⁾, x⁽ᵏ⁺¹⁾, y⁽ᵏ⁺¹⁾, δ⁽ᵏ⁺¹⁾ from an element's knots [3, K + 1] (flattened) at bin k = 0. */
  private offsets(): Int32Array {
    const K1 = this.bins + 1;
    return Int32Array.from([0, K1, 2 * K1, 1, K1 + 1, 2 * K1 + 1]);
  }

  /** U [K, K] with U_jk = 1 for j < k: sizes·U is the exclusive cumulative sum. */
  private upper(): tf.Tensor2D {
    const K = this.bins;
    const u = new Float32Array(K * K);
    for (let j = 0; j < K; j++) for (let k = j + 1; k < K; k++) u[j * K + k] = 1;
    return tf.tensor2d(u, [K, K]);
  }

  /** The sizes' affine map m + (1 − K m)·softmax: scalars when the widths' and heights' minima agree, else [1, 2, 1]. */
  private sizeMap(): [number | tf.Tensor, number | tf.Tensor] {
    const K = this.bins, mw = this.minBinWidth, mh = this.minBinHeight;
    return mw === mh ? [1 - K * mw, mw] : [tf.tensor3d([1 - K * mw, 1 - K * mh], [1, 2, 1]), tf.tensor3d([mw, mh], [1, 2, 1])];
  }

  /**
   * The map with everything the gradient needs: knots from θ, the bin one-hot,
   * the gathered bin, the in-bin map, the identity tails.
   */
  private fusedForward(dir: Dir, v: tf.Tensor2D, theta: tf.Tensor2D): { value: tf.Tensor2D; saved: tf.Tensor[] } {
    const K = this.bins, B = this.bound;
    const n = v.shape[0];
    const [uwh, ud] = tf.split(theta, [2 * K, K - 1], 1);
    const [scale, min] = this.sizeMap();
    const sm = tf.softmax(tf.reshape(uwh, [n, 2, K]));
    // exclusive cumsum as a matmul with the strictly upper triangular U (tf.cumsum is several times slower here)
    const sizes = tf.reshape(tf.add(tf.mul(sm, scale), min), [2 * n, K]);
    const start = tf.sub(tf.mul(tf.reshape(tf.matMul(sizes, this.upper()), [n, 2, K]), 2 * B), B);
    const xy = tf.concat([start, tf.fill([n, 2, 1], B)], 2);
    const u = tf.add(ud, this.shift);
    const d = tf.pad(tf.add(tf.softplus(u), this.minDerivative), [[0, 0], [1, 1]], 1);
    const k = tf.concat([xy, tf.expandDims(d, 1)], 1) as tf.Tensor3D;
    const vc = tf.clipByValue(v, -B, B) as tf.Tensor2D;
    const row = dir === "forward" ? 0 : 1;
    const ge = tf.cast(tf.greaterEqual(vc, tf.reshape(tf.slice(k, [0, row, 1], [n, 1, K - 1]), [n, K - 1])), "float32");
    // the bin's six numbers by one gather from the flattened knots at n·3(K+1) + row·(K+1) + bin + (0 | 1)
    const bin = tf.cast(tf.sum(ge, 1, true), "int32"); // [N, 1]
    const base = tf.reshape(tf.mul(tf.range(0, n, 1, "int32"), tf.scalar(3 * (K + 1), "int32")), [n, 1]);
    const idx = tf.reshape(tf.add(tf.add(base, bin), tf.tensor2d(this.offsets(), [1, 6], "int32")), [-1]);
    const q = tf.concat([vc, tf.reshape(tf.gather(tf.reshape(k, [-1]), idx), [n, 6])], 1) as tf.Tensor2D;
    const r = binMap(dir, q);
    const inside = tf.cast(tf.greaterEqual(B, tf.abs(v)), "float32");
    const [outIn, ldIn] = tf.split(r.value, 2, 1);
    const value = tf.concat([tf.add(tf.mul(inside, tf.sub(outIn, v)), v), tf.mul(inside, ldIn)], 1) as tf.Tensor2D;
    return { value, saved: [inside, idx, sm, u, ...flattenParts(r.parts)] };
  }

  /** ∂L/∂v and ∂L/∂θ from ∂L/∂[out, ld], by hand through every stage of `fusedForward`. */
  private fusedGradient(dir: Dir, dY: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] {
    const K = this.bins, B = this.bound;
    const [inside, idx, sm, u, ...rest] = saved;
    const n = inside.shape[0];
    const [go, gl] = tf.split(dY, 2, 1);
    // tails: out = v; inside: through the bin (clipping is the identity there)
    const dq = binMapGradient(dir, tf.mul(go, inside), tf.mul(gl, inside), unflattenParts(rest));
    const [gvc, gPicked] = tf.split(dq, [1, 6], 1);
    const gv = tf.add(tf.mul(go, tf.sub(1, inside)), gvc);
    // gather: the bin's six numbers came from six distinct knots; scatter them back
    const gk = tf.reshape(tf.scatterND(tf.reshape(idx, [-1, 1]), tf.reshape(gPicked, [-1]), [n * 3 * (K + 1)]), [n, 3, K + 1]);
    const [gxy, gd] = tf.split(gk, [2, 1], 1);
    // derivatives: δ = m + softplus(u) on the interior knots
    const gud = tf.mul(tf.reshape(tf.slice(gd, [0, 0, 1], [n, 1, K - 1]), [n, K - 1]), tf.sigmoid(u));
    // knots: start = 2B·cumsum_exclusive(sizes) − B, the last knot fixed; cumsum's adjoint is the reversed one
    const gStart = tf.mul(tf.slice(gxy, [0, 0, 0], [n, 2, K]), 2 * B);
    const [scale] = this.sizeMap();
    const gsm = tf.mul(tf.reshape(tf.matMul(tf.reshape(gStart, [2 * n, K]), this.upper(), false, true), [n, 2, K]), scale);
    // softmax: ∂/∂logits = sm ⊙ (g − Σ g·sm)
    const glog = tf.mul(sm, tf.sub(gsm, tf.sum(tf.mul(gsm, sm), 2, true)));
    return [gv, tf.concat([tf.reshape(glog, [n, 2 * K]), gud], 1)];
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

  private apply(dir: Dir, input: tf.Tensor, params: tf.Tensor): { out: tf.Tensor; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      const B = this.bound;
      const shape = input.shape;
      const v = tf.reshape(input, [-1, 1]) as tf.Tensor2D;
      const theta = tf.reshape(params, [-1, this.paramsPerElement]) as tf.Tensor2D;
      let out: tf.Tensor, ld: tf.Tensor;
      if (this.customGradient) {
        [out, ld] = tf.split(this.fused[dir](v, theta), 2, 1);
      } else {
        // the same map by tfjs autodiff, for checks
        const k = this.knots(theta);
        const vc = tf.clipByValue(v, -B, B) as tf.Tensor2D;
        const q = tf.concat([vc, this.bin(vc, dir === "forward" ? 0 : 1, k)], 1) as tf.Tensor2D;
        const [outIn, ldIn] = tf.split(binMap(dir, q).value, 2, 1);
        const inside = tf.greaterEqual(B, tf.abs(v)); // (lessEqual has no registered gradient)
        out = tf.where(inside, outIn, v);
        ld = tf.where(inside, ldIn, tf.zerosLike(ldIn));
      }
      return { out: tf.reshape(out, shape), logDet: tf.sum(tf.reshape(ld, [shape[0], -1]), 1) as tf.Tensor1D };
    });
  }

  forward(x: tf.Tensor, params: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor1D } {
    this.check(x, params, ["x", "params"], "rationalQuadraticSpline.forward");
    const { out, logDet } = this.apply("forward", x, params);
    return { y: out, logDet };
  }

  inverse(y: tf.Tensor, params: tf.Tensor): { x: tf.Tensor; logDet: tf.Tensor1D } {
    this.check(y, params, ["y", "params"], "rationalQuadraticSpline.inverse");
    const { out, logDet } = this.apply("inverse", y, params);
    return { x: out, logDet };
  }

  /** The knots (x⁽ᵏ⁾, y⁽ᵏ⁾, δ⁽ᵏ⁾) of each element's spline, [..., K + 1] each (for plots and tests). */
  knotsOf(params: tf.Tensor): { x: tf.Tensor; y: tf.Tensor; derivative: tf.Tensor } {
    if (params === null || params === undefined || typeof (params as { rank?: unknown }).rank !== "number" || params.shape[params.rank - 1] !== this.paramsPerElement) {
      throw new Error(`rationalQuadraticSpline.knotsOf: params must be a tensor whose last axis has paramsPerElement = ${this.paramsPerElement}`);
    }
    return tf.tidy(() => {
      const shape = [...params.shape.slice(0, -1), this.bins + 1];
      const [x, y, d] = tf.unstack(this.knots(tf.reshape(params, [-1, this.paramsPerElement]) as tf.Tensor2D), 1);
      return { x: tf.reshape(x, shape), y: tf.reshape(y, shape), derivative: tf.reshape(d, shape) };
    });
  }
}

/** A rational-quadratic spline transform (factory); see `RationalQuadraticSpline`. */
export function rationalQuadraticSpline(options: RationalQuadraticSplineOptions = {}): RationalQuadraticSpline {
  return new RationalQuadraticSpline(options);
}
