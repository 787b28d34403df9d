/**
 * Separable quartic systems E(x) = Σ_i (a_i x_i⁴ + b_i x_i² + c_i x_i): the
 * double well of the Boltzmann-generator paper (Noé et al., Science 2019),
 * E(x, y) = x⁴ − 6x² + x + y²/2, with any number of extra harmonic
 * coordinates, and the many-well system (a sum of independent double wells).
 */
import * as tf from "@tensorflow/tfjs";
import { checkInteger, checkKeys, checkNumber } from "../../core/validate";
import type { EnergyFactor, FactorizedSystem, WellInfo } from "./types";

/** A system whose energy is a sum of one-dimensional quartic polynomials. */
export class QuarticSystem implements FactorizedSystem {
  readonly kind = "continuous" as const;
  readonly dim: number;
  readonly name: string;
  /** Per-coordinate coefficients of x⁴, x² and x. */
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
  readonly factors: readonly EnergyFactor[];
  /** Weights [3·dim, 1] of the features (x, x², x⁴), as float32 for the batched energy. */
  private readonly w: Float32Array;

  constructor(name: string, a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>) {
    this.dim = a.length;
    this.name = name;
    this.a = Float64Array.from(a);
    this.b = Float64Array.from(b);
    this.c = Float64Array.from(c);
    const d = this.dim;
    this.w = new Float32Array(3 * d);
    for (let i = 0; i < d; i++) {
      this.w[i] = this.c[i];
      this.w[d + i] = this.b[i];
      this.w[2 * d + i] = this.a[i];
    }
    const factors: EnergyFactor[] = [];
    for (let i = 0; i < d; i++) factors.push(quarticFactor(i, this.a[i], this.b[i], this.c[i]));
    this.factors = factors;
  }

  energy(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      if (x.rank !== 2 || x.shape[1] !== this.dim) {
        throw new Error(`${this.name}.energy: x must have shape [batch, ${this.dim}], got [${x.shape.join(", ")}]`);
      }
      const x2 = tf.square(x);
      const feats = tf.concat([x, x2, tf.square(x2)], 1);
      const e = tf.matMul(feats, tf.tensor2d(this.w, [3 * this.dim, 1]));
      return tf.reshape(e, [x.shape[0]]) as tf.Tensor1D;
    });
  }

  energyOf(x: ArrayLike<number>): number {
    let e = 0;
    for (let i = 0; i < this.dim; i++) {
      const v = x[i];
      const v2 = v * v;
      e += this.a[i] * v2 * v2 + this.b[i] * v2 + this.c[i] * v;
    }
    return e;
  }

  gradientOf(x: ArrayLike<number>, out?: Float64Array): Float64Array {
    const g = out ?? new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) {
      const v = x[i];
      g[i] = 4 * this.a[i] * v * v * v + 2 * this.b[i] * v + this.c[i];
    }
    return g;
  }
}

function quarticFactor(i: number, a: number, b: number, c: number): EnergyFactor {
  const f: EnergyFactor = {
    dims: [i],
    energyOf: (x) => {
      const v = x[0];
      const v2 = v * v;
      return a * v2 * v2 + b * v2 + c * v;
    },
    range: [quarticRange(a, b, c)],
  };
  if (a === 0 && b > 0) {
    // a Gaussian: ∫ exp(−β(b x² + c x)) dx = sqrt(π/(βb)) exp(βc²/(4b))
    f.analyticLogZ = (beta: number) => 0.5 * Math.log(Math.PI / (beta * b)) + (beta * c * c) / (4 * b);
  }
  return f;
}

/** A box around the minima that holds the density at β ≈ 1 (energy 40 above the minimum at the edges). */
function quarticRange(a: number, b: number, c: number): [number, number] {
  const e = (v: number) => a * v ** 4 + b * v * v + c * v;
  const crit = criticalPoints(a, b, c);
  const emin = Math.min(...crit.map(e));
  const center = crit.length > 0 ? crit : [0];
  let lo = Math.min(...center) - 1;
  let hi = Math.max(...center) + 1;
  while (e(lo) - emin < 40 && lo > -1e6) lo -= 0.5 * (hi - lo);
  while (e(hi) - emin < 40 && hi < 1e6) hi += 0.5 * (hi - lo);
  return [lo, hi];
}

/** Real roots of 4a x³ + 2b x + c = 0 (stationary points), by bracketing on a grid and bisection. */
function criticalPoints(a: number, b: number, c: number): number[] {
  const g = (v: number) => 4 * a * v ** 3 + 2 * b * v + c;
  if (a === 0) return b !== 0 ? [-c / (2 * b)] : [];
  const roots: number[] = [];
  const span = 2 + Math.sqrt(Math.abs(b / a)) * 2 + Math.cbrt(Math.abs(c / a));
  const n = 4000;
  let x0 = -span;
  let g0 = g(x0);
  for (let k = 1; k <= n; k++) {
    const x1 = -span + (2 * span * k) / n;
    const g1 = g(x1);
    if (g0 === 0) roots.push(x0);
    else if (g0 * g1 < 0) {
      let lo = x0, hi = x1;
      for (let it = 0; it < 80; it++) {
        const mid = 0.5 * (lo + hi);
        if (g(lo) * g(mid) <= 0) hi = mid; else lo = mid;
      }
      roots.push(0.5 * (lo + hi));
    }
    x0 = x1;
    g0 = g1;
  }
  return roots;
}

export interface DoubleWellOptions {
  /** Total dimension: coordinate 0 is the double-well coordinate, the rest are harmonic (default 2). */
  dim?: number;
  /** Coefficient of x⁴ (default 1, > 0). */
  a?: number;
  /** Coefficient of x² (default −6; negative for two wells). */
  b?: number;
  /** Coefficient of x, the tilt that makes the right well the minor one (default 1). */
  c?: number;
  /** Spring constant of the harmonic coordinates, E = k y²/2 (default 1). */
  k?: number;
}

/** The double well E = a x⁴ + b x² + c x + (k/2) Σ y² with the positions of its wells and barrier. */
export class DoubleWellSystem extends QuarticSystem {
  /** The two wells along x (coordinate 0) and the barrier between them. */
  readonly wells: WellInfo;
  constructor(options: DoubleWellOptions = {}) {
    const where = "doubleWell";
    checkKeys(options, ["dim", "a", "b", "c", "k"], where);
    const dim = options.dim === undefined ? 2 : checkInteger(options.dim, "dim", where, { min: 1 });
    const a = options.a === undefined ? 1 : checkNumber(options.a, "a", where, { above: 0 });
    const b = options.b === undefined ? -6 : checkNumber(options.b, "b", where);
    const c = options.c === undefined ? 1 : checkNumber(options.c, "c", where);
    const k = options.k === undefined ? 1 : checkNumber(options.k, "k", where, { above: 0 });
    const A = new Float64Array(dim), B = new Float64Array(dim).fill(k / 2), C = new Float64Array(dim);
    A[0] = a;
    B[0] = b;
    C[0] = c;
    super(`double-well dim=${dim} a=${a} b=${b} c=${c} k=${k}`, A, B, C);
    const crit = criticalPoints(a, b, c);
    const left = new Float64Array(dim), right = new Float64Array(dim);
    if (crit.length === 3) {
      left[0] = crit[0];
      right[0] = crit[2];
      this.wells = { axis: 0, divide: crit[1], left, right };
    } else {
      // one well only: the "wells" degenerate to the single minimum, split at it
      left[0] = right[0] = crit[0] ?? 0;
      this.wells = { axis: 0, divide: left[0], left, right };
    }
  }
}

/** The double well of the Boltzmann-generator paper, E = x⁴ − 6x² + x + y²/2 by default. */
export function doubleWell(options: DoubleWellOptions = {}): DoubleWellSystem {
  return new DoubleWellSystem(options);
}

export interface ManyWellOptions {
  /** Total dimension, even: dim/2 independent copies of the 2-D double well (default 32, 2¹⁶ wells). */
  dim?: number;
  a?: number;
  b?: number;
  c?: number;
  k?: number;
}

/** The many-well system: E = Σ_{i<dim/2} E_dw(x_{2i}, x_{2i+1}); the double-well coordinates are the even ones. */
export function manyWell(options: ManyWellOptions = {}): QuarticSystem {
  const where = "manyWell";
  checkKeys(options, ["dim", "a", "b", "c", "k"], where);
  const dim = options.dim === undefined ? 32 : checkInteger(options.dim, "dim", where, { min: 2 });
  if (dim % 2 !== 0) throw new Error(`${where}: dim must be even, got ${dim}`);
  const a = options.a === undefined ? 1 : checkNumber(options.a, "a", where, { above: 0 });
  const b = options.b === undefined ? -6 : checkNumber(options.b, "b", where);
  const c = options.c === undefined ? 1 : checkNumber(options.c, "c", where);
  const k = options.k === undefined ? 1 : checkNumber(options.k, "k", where, { above: 0 });
  const A = new Float64Array(dim), B = new Float64Array(dim), C = new Float64Array(dim);
  for (let i = 0; i < dim; i += 2) {
    A[i] = a;
    B[i] = b;
    C[i] = c;
    B[i + 1] = k / 2;
  }
  return new QuarticSystem(`many-well dim=${dim} a=${a} b=${b} c=${c} k=${k}`, A, B, C);
}
