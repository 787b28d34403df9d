/**
 * The dimer in a solvent bath of the Boltzmann-generator paper (Noé, Olsson,
 * Köhler, Wu, Science 365, eaaw1147, 2019, supplementary material; the
 * parameters are those of the paper's code, `ParticleDimer` in
 * deep_boltzmann): N = 2 + 36 particles in two dimensions, x ∈ ℝ^76 with
 * particle i at (x_{2i}, x_{2i+1}); particles 0 and 1 are the dimer.
 *
 *   E(x) = E_bond(d) + k_d [(x_0 + x_2)² + x_1² + x_3²] + E_box(x) + Σ_{i<j, (i,j) ≠ (0,1)} ε (r_m/r_ij)^12
 *
 * - bond, a double well in the dimer distance d = |r_0 − r_1|, with
 *   δ = 2(d − d_mid): E_bond = c δ − a δ² + b δ⁴, c = −0.5, a = 25, b = 10,
 *   d_mid = 1.5. Minima at δ ≈ ±1.12: closed d ≈ 0.94, open d ≈ 2.06; the
 *   bare barrier is a²/(4b) ≈ 15.6 kT at β = 1, and the slope c tilts the
 *   bare bond by ≈ 1.1 kT towards "open". The solvent changes both.
 * - dimer restraint k_d = 20: keeps the dimer centred on the x axis (its
 *   centre at x = 0, both particles at y = 0).
 * - solvent repulsion between every pair except the dimer's own bond: the
 *   purely repulsive ε (r_m/r)^12 with ε = 1, r_m = 1.1 (the paper calls it
 *   a WCA-type repulsion; the code uses this r⁻¹² form, and so do we).
 * - box restraint: every coordinate c outside [−L, L], L = 3, costs
 *   k_box (1 + sgn δ) δ² = 2 k_box δ², δ = |c| − L, k_box = 100.
 *
 * At β = 1 the dense solvent (38 particles of size ≈ 1.1 in a 6 × 6 box)
 * makes the open ↔ closed transition a rare event for local Monte Carlo. The
 * open/closed split is the bond's transition-state distance d_mid = 1.5
 * (`split`): "open" means d > 1.5.
 *
 * Optionally the paper's log-linear energy cut for overlapping particles:
 * E ↦ E below E_high, E_high + ln(1 + E − E_high) above, constant beyond
 * E_max (`energyCut: {high, max}`; off by default, so samplers see the true
 * energy; the training loss has its own cut of βE, src/bg/losses.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { resolveRng, type RandomOptions } from "../../core/random";
import { checkInteger, checkKeys, checkNumber } from "../../core/validate";
import type { ContinuousSystem } from "../types";

export interface DimerCut {
  /** Energy above which the energy grows only logarithmically. */
  high: number;
  /** Energy beyond which the cut energy is constant (default 1e8·high or 1e12, whichever is larger). */
  max?: number;
}

export interface DimerOptions {
  /** Number of solvent particles (default 36). */
  solvent?: number;
  /** Repulsion strength ε (default 1). */
  eps?: number;
  /** Repulsion size r_m (default 1.1). */
  rm?: number;
  /** Linear coefficient c of the bond (default −0.5). */
  slope?: number;
  /** Quadratic coefficient a of the bond, −a δ² (default 25). */
  a?: number;
  /** Quartic coefficient b of the bond, b δ⁴ (default 10). */
  b?: number;
  /** Transition-state distance d_mid of the bond (default 1.5). */
  dMid?: number;
  /** Restraint constant k_d of the dimer's centre and y coordinates (default 20). */
  dimerK?: number;
  /** Half size L of the box (default 3). */
  boxHalf?: number;
  /** Box restraint constant k_box (default 100). */
  boxK?: number;
  /** The log-linear energy cut {high, max} (default none). */
  energyCut?: DimerCut | false;
}

export interface DimerStartOptions extends RandomOptions {
  /** Dimer distance of the start (e.g. 0.94 closed, 2.06 open). */
  distance: number;
  /** Random jitter of the solvent grid (default 0.05). */
  jitter?: number;
  /** Steepest-descent steps that remove overlaps (default 300). */
  relax?: number;
}

/** The dimer-in-solvent system (see the module doc). */
export class DimerSystem implements ContinuousSystem {
  readonly kind = "continuous" as const;
  readonly dim: number;
  readonly name: string;
  /** Number of particles (2 + solvent) and the space dimension (2). */
  readonly particles: number;
  readonly spatialDim = 2;
  readonly solvent: number;
  readonly eps: number;
  readonly rm: number;
  readonly slope: number;
  readonly a: number;
  readonly b: number;
  readonly dMid: number;
  readonly dimerK: number;
  readonly boxHalf: number;
  readonly boxK: number;
  /** The energy cut, or null. */
  readonly energyCut: { high: number; max: number } | null;
  /** Open/closed split of the dimer distance (d_mid): open is d > split. */
  readonly split: number;
  /** The particles the dimer distance depends on. */
  readonly cvParticles: readonly number[] = [0, 1];
  /** Bond minima: closed and open distances. */
  readonly closed: number;
  readonly open: number;
  private readonly rm12: number;

  constructor(options: DimerOptions = {}) {
    const W = "dimer";
    checkKeys(options, ["solvent", "eps", "rm", "slope", "a", "b", "dMid", "dimerK", "boxHalf", "boxK", "energyCut"], W);
    this.solvent = options.solvent === undefined ? 36 : checkInteger(options.solvent, "solvent", W, { min: 0 });
    this.eps = options.eps === undefined ? 1 : checkNumber(options.eps, "eps", W, { min: 0 });
    this.rm = options.rm === undefined ? 1.1 : checkNumber(options.rm, "rm", W, { above: 0 });
    this.slope = options.slope === undefined ? -0.5 : checkNumber(options.slope, "slope", W);
    this.a = options.a === undefined ? 25 : checkNumber(options.a, "a", W, { min: 0 });
    this.b = options.b === undefined ? 10 : checkNumber(options.b, "b", W, { above: 0 });
    this.dMid = options.dMid === undefined ? 1.5 : checkNumber(options.dMid, "dMid", W, { above: 0 });
    this.dimerK = options.dimerK === undefined ? 20 : checkNumber(options.dimerK, "dimerK", W, { min: 0 });
    this.boxHalf = options.boxHalf === undefined ? 3 : checkNumber(options.boxHalf, "boxHalf", W, { above: 0 });
    this.boxK = options.boxK === undefined ? 100 : checkNumber(options.boxK, "boxK", W, { min: 0 });
    const cut = options.energyCut;
    if (cut === undefined || cut === false) this.energyCut = null;
    else {
      if (typeof cut !== "object" || cut === null) throw new Error(`${W}: energyCut must be {high, max?} or false`);
      checkKeys(cut, ["high", "max"], `${W}: energyCut`);
      const high = checkNumber(cut.high, "energyCut.high", W);
      const max = cut.max === undefined ? Math.max(1e12, high + 1e8 * Math.abs(high)) : checkNumber(cut.max, "energyCut.max", W, { above: high });
      this.energyCut = { high, max };
    }
    this.particles = 2 + this.solvent;
    this.dim = 2 * this.particles;
    this.rm12 = this.rm ** 12;
    this.split = this.dMid;
    // bond minima: roots of c − 2aδ + 4bδ³ = 0 on either side of 0, by Newton from ±sqrt(a/2b)
    const root = (d0: number) => {
      let d = d0;
      for (let k = 0; k < 60; k++) d -= (this.slope - 2 * this.a * d + 4 * this.b * d ** 3) / (-2 * this.a + 12 * this.b * d * d);
      return d;
    };
    const s = Math.sqrt(Math.max(this.a, 1e-12) / (2 * this.b));
    this.closed = this.dMid + root(-s) / 2;
    this.open = this.dMid + root(s) / 2;
    this.name = `dimer solvent=${this.solvent}` + (this.energyCut === null ? "" : ` cut=${this.energyCut.high}`);
  }

  /** Bond energy E_bond(d). */
  bondEnergy(d: number): number {
    const x = 2 * (d - this.dMid);
    const x2 = x * x;
    return this.slope * x - this.a * x2 + this.b * x2 * x2;
  }

  /** dE_bond/dd. */
  private bondDerivative(d: number): number {
    const x = 2 * (d - this.dMid);
    return 2 * (this.slope - 2 * this.a * x + 4 * this.b * x * x * x);
  }

  /** The dimer distance |r_0 − r_1| of one configuration. */
  distance(x: ArrayLike<number>): number {
    return Math.hypot(x[0] - x[2], x[1] - x[3]);
  }

  /** Dimer distances of n configurations stored row-major [n × dim]. */
  distances(x: ArrayLike<number>): Float64Array {
    const n = Math.floor(x.length / this.dim);
    if (n * this.dim !== x.length) throw new Error(`${this.name}.distances: x must hold n·${this.dim} numbers, got ${x.length}`);
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const o = k * this.dim;
      out[k] = Math.hypot(x[o] - x[o + 2], x[o + 1] - x[o + 3]);
    }
    return out;
  }

  /** Dimer distances of a [batch, dim] tensor → [batch] (differentiable). */
  distanceTensor(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const p = tf.slice(x, [0, 0], [-1, 4]);
      const [x0, y0, x1, y1] = tf.split(p, 4, 1);
      return tf.reshape(tf.sqrt(tf.add(tf.square(tf.sub(x0, x1)), tf.square(tf.sub(y0, y1)))), [x.shape[0]]) as tf.Tensor1D;
    });
  }

  /** The energy without the cut, in float64. */
  rawEnergyOf(x: ArrayLike<number>): number {
    const n = this.particles;
    const L = this.boxHalf;
    let e = this.bondEnergy(this.distance(x)) + this.dimerK * ((x[0] + x[2]) ** 2 + x[1] * x[1] + x[3] * x[3]);
    let box = 0;
    for (let k = 0; k < 2 * n; k++) {
      const over = Math.abs(x[k]) - L;
      if (over > 0) box += over * over;
    }
    e += 2 * this.boxK * box;
    let pair = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[2 * i], yi = x[2 * i + 1];
      for (let j = i === 0 ? 2 : i + 1; j < n; j++) {
        const dx = xi - x[2 * j], dy = yi - x[2 * j + 1];
        const r2 = dx * dx + dy * dy;
        const r6 = r2 * r2 * r2;
        pair += 1 / (r6 * r6);
      }
    }
    return e + this.eps * this.rm12 * pair;
  }

  /**
   * The terms of the energy that involve particle i (its pair repulsions, its
   * box term and, for a dimer particle, the bond and the restraint): moving
   * particle i changes the energy by the change of this.
   */
  particleEnergyOf(x: ArrayLike<number>, i: number): number {
    const n = this.particles;
    const L = this.boxHalf;
    const xi = x[2 * i], yi = x[2 * i + 1];
    let e = 0;
    const ox = Math.abs(xi) - L, oy = Math.abs(yi) - L;
    if (ox > 0) e += 2 * this.boxK * ox * ox;
    if (oy > 0) e += 2 * this.boxK * oy * oy;
    if (i < 2) e += this.bondEnergy(this.distance(x)) + this.dimerK * ((x[0] + x[2]) ** 2 + x[1] * x[1] + x[3] * x[3]);
    let pair = 0;
    for (let j = 0; j < n; j++) {
      if (j === i || (i < 2 && j < 2)) continue;
      const dx = xi - x[2 * j], dy = yi - x[2 * j + 1];
      const r2 = dx * dx + dy * dy;
      const r6 = r2 * r2 * r2;
      pair += 1 / (r6 * r6);
    }
    return e + this.eps * this.rm12 * pair;
  }

  /** The cut applied to a raw energy (identity without a cut). */
  cutEnergy(e: number): number {
    const c = this.energyCut;
    if (c === null || !(e > c.high)) return e;
    return c.high + Math.log1p(Math.min(e, c.max) - c.high);
  }

  energyOf(x: ArrayLike<number>): number {
    return this.cutEnergy(this.rawEnergyOf(x));
  }

  gradientOf(x: ArrayLike<number>, out?: Float64Array): Float64Array {
    const n = this.particles;
    const g = out ?? new Float64Array(this.dim);
    g.fill(0);
    const L = this.boxHalf;
    for (let k = 0; k < 2 * n; k++) {
      const over = Math.abs(x[k]) - L;
      if (over > 0) g[k] += 4 * this.boxK * over * Math.sign(x[k]);
    }
    const kd = this.dimerK;
    const cx = x[0] + x[2];
    g[0] += 2 * kd * cx;
    g[2] += 2 * kd * cx;
    g[1] += 2 * kd * x[1];
    g[3] += 2 * kd * x[3];
    const dx = x[0] - x[2], dy = x[1] - x[3];
    const d = Math.hypot(dx, dy);
    if (d > 0) {
      const f = this.bondDerivative(d) / d;
      g[0] += f * dx;
      g[1] += f * dy;
      g[2] -= f * dx;
      g[3] -= f * dy;
    }
    const c12 = this.eps * this.rm12;
    for (let i = 0; i < n; i++) {
      const xi = x[2 * i], yi = x[2 * i + 1];
      for (let j = i === 0 ? 2 : i + 1; j < n; j++) {
        const ex = xi - x[2 * j], ey = yi - x[2 * j + 1];
        const r2 = ex * ex + ey * ey;
        const r6 = r2 * r2 * r2;
        // e = c12 r2^-6, de/dr2 = −6 e / r2, ∂r2/∂x_i = 2 (x_i − x_j)
        const f = (-12 * c12) / (r6 * r6 * r2);
        g[2 * i] += f * ex;
        g[2 * i + 1] += f * ey;
        g[2 * j] -= f * ex;
        g[2 * j + 1] -= f * ey;
      }
    }
    const c = this.energyCut;
    if (c !== null) {
      const e = this.rawEnergyOf(x);
      if (e > c.high) {
        const s = e >= c.max ? 0 : 1 / (1 + e - c.high);
        for (let k = 0; k < g.length; k++) g[k] *= s;
      }
    }
    return g;
  }

  /** Batched energies of a [batch, dim] tensor → [batch], differentiable (batched pair distances, float32). */
  energy(x: tf.Tensor2D): tf.Tensor1D {
    if (x === null || x === undefined || (x as tf.Tensor).rank !== 2 || x.shape[1] !== this.dim) {
      throw new Error(`${this.name}.energy: x must have shape [batch, ${this.dim}], got [${(x as tf.Tensor | undefined)?.shape?.join(", ") ?? "?"}]`);
    }
    const n = this.particles;
    return tf.tidy(() => {
      const B = x.shape[0];
      const p = tf.reshape(x, [B, n, 2]);
      const [px, py] = tf.split(p, 2, 2);
      // px, py: [B, n, 1]; differences [B, n, n]
      const dxm = tf.sub(px, tf.transpose(px, [0, 2, 1]));
      const dym = tf.sub(py, tf.transpose(py, [0, 2, 1]));
      const mask = new Float32Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) mask[i * n + j] = i === j || (i < 2 && j < 2) ? 0 : 1;
      const m = tf.tensor3d(mask, [1, n, n]);
      // (1 − mask) on the excluded pairs avoids 1/0; their terms are masked out
      const r2 = tf.add(tf.add(tf.square(dxm), tf.square(dym)), tf.sub(1, m));
      const rel = tf.div(this.rm * this.rm, r2);
      const rel3 = tf.mul(tf.mul(rel, rel), rel);
      const pair = tf.mul(tf.sum(tf.mul(tf.square(rel3), m), [1, 2]), 0.5 * this.eps);
      const over = tf.relu(tf.sub(tf.abs(x), this.boxHalf));
      const box = tf.mul(tf.sum(tf.square(over), 1), 2 * this.boxK);
      const first = tf.slice(x, [0, 0], [-1, 4]);
      const [x0, y0, x1, y1] = tf.split(first, 4, 1).map((t) => tf.reshape(t, [B]));
      const d = tf.sqrt(tf.add(tf.square(tf.sub(x0, x1)), tf.square(tf.sub(y0, y1))));
      const del = tf.mul(tf.sub(d, this.dMid), 2);
      const del2 = tf.square(del);
      const bond = tf.addN([tf.mul(del, this.slope), tf.mul(del2, -this.a), tf.mul(tf.square(del2), this.b)]);
      const restraint = tf.mul(tf.addN([tf.square(tf.add(x0, x1)), tf.square(y0), tf.square(y1)]), this.dimerK);
      const e = tf.addN([pair, box, bond, restraint]) as tf.Tensor1D;
      const c = this.energyCut;
      if (c === null) return e;
      const excess = tf.relu(tf.sub(tf.minimum(e, c.max), c.high));
      return tf.add(tf.minimum(e, c.high), tf.log1p(excess)) as tf.Tensor1D;
    });
  }

  /**
   * A starting configuration with the dimer at `distance` along the x axis and
   * the solvent on a jittered 6 × 6-like grid, relaxed by steepest descent
   * (steps capped at 0.02 per coordinate) to remove overlaps; the dimer's
   * distance is held fixed during the descent.
   */
  start(options: DimerStartOptions): Float64Array {
    const W = "dimer.start";
    checkKeys(options, ["distance", "jitter", "relax", "seed", "rng"], W);
    const distance = checkNumber(options?.distance, "distance", W, { above: 0 });
    const jitter = options.jitter === undefined ? 0.05 : checkNumber(options.jitter, "jitter", W, { min: 0 });
    const relax = options.relax === undefined ? 300 : checkInteger(options.relax, "relax", W, { min: 0 });
    const rng = resolveRng(options, W);
    const x = new Float64Array(this.dim);
    x[0] = -distance / 2;
    x[2] = distance / 2;
    const side = Math.max(1, Math.ceil(Math.sqrt(this.solvent)));
    const span = 2 * this.boxHalf - 0.6;
    for (let k = 0; k < this.solvent; k++) {
      const r = Math.floor(k / side), c = k % side;
      const h = side === 1 ? 0 : span / (side - 1);
      x[4 + 2 * k] = -span / 2 + c * h + jitter * rng.normal();
      x[5 + 2 * k] = -span / 2 + r * h + jitter * rng.normal();
    }
    const g = new Float64Array(this.dim);
    for (let it = 0; it < relax; it++) {
      this.gradientOf(x, g);
      let gmax = 0;
      for (let k = 4; k < this.dim; k++) gmax = Math.max(gmax, Math.abs(g[k]));
      if (gmax === 0) break;
      const step = Math.min(1e-3, 0.02 / gmax);
      for (let k = 4; k < this.dim; k++) x[k] -= step * g[k];
    }
    return x;
  }
}

/** The dimer in a solvent bath (the Boltzmann-generator paper's 76-dimensional system). */
export function dimer(options: DimerOptions = {}): DimerSystem {
  return new DimerSystem(options);
}
