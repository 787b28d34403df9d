/**
 * Observables of XY configurations (angles θ_i):
 *
 * - the vector magnetisation per site m = (1/N) Σ_i (cos θ_i, sin θ_i) and |m|;
 * - the helicity modulus (spin stiffness) along x of a grid periodic in x,
 *     Υ = (1/N) [ ⟨Σ_{x-bonds} J_ij cos(θ_j − θ_i)⟩ − β ⟨(Σ_{x-bonds} J_ij sin(θ_j − θ_i))²⟩ ],
 *   the second derivative of the free energy per site under a uniform twist
 *   along x (the x-bonds join (r, c) → (r, c+1 mod cols); ⟨Σ sin⟩ = 0 by
 *   symmetry and is not subtracted). Since Υ is the mean of the
 *   per-configuration value C/N − β S²/N, `xyHelicityOf` returns that value
 *   and its average over samples is the estimator (the samplers record it);
 *   BKT: Υ jumps from 2/(πβ) to 0 at β_BKT in the L → ∞ limit;
 * - per-plaquette vorticity on a 2-D grid: the winding Σ wrap(θ_b − θ_a)/(2π)
 *   around the plaquette (r, c) → (r, c+1) → (r+1, c+1) → (r+1, c) → (r, c),
 *   each difference wrapped into (−π, π], so v ∈ {−1, 0, +1} (+1 a vortex,
 *   −1 an antivortex). Plaquettes are indexed p = r · pc + c with pc = cols
 *   (periodic in x) or cols − 1 (open); rows likewise. The vortex density is
 *   Σ_p |v_p| / N (vortices plus antivortices per site).
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { checkNumber } from "../core/validate";
import type { XYSystem } from "./types";

const TWO_PI = 2 * Math.PI;

/** The vector magnetisation per site of one configuration. */
export function xyMagnetizationOf(theta: ArrayLike<number>): { mx: number; my: number; abs: number } {
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < theta.length; i++) {
    cx += Math.cos(theta[i]);
    cy += Math.sin(theta[i]);
  }
  const mx = cx / theta.length;
  const my = cy / theta.length;
  return { mx, my, abs: Math.hypot(mx, my) };
}

function check2d(t: unknown, where: string, n?: number): tf.Tensor2D {
  if (!(t instanceof tf.Tensor) || t.rank !== 2 || (n !== undefined && t.shape[1] !== n)) {
    const shape = t instanceof tf.Tensor ? `[${t.shape.join(", ")}]` : String(t);
    throw new Error(`${where}: theta must be a [batch, ${n ?? "n"}] tensor of angles, got ${shape}`);
  }
  return t as tf.Tensor2D;
}

/** The vector magnetisation per site of each configuration of a batch, `[batch, 2]` (m_x, m_y). */
export function xyMagnetization(theta: tf.Tensor2D): tf.Tensor2D {
  ensureBackend();
  check2d(theta, "xyMagnetization");
  return tf.tidy(() => tf.stack([tf.mean(tf.cos(theta), 1), tf.mean(tf.sin(theta), 1)], 1) as tf.Tensor2D);
}

/** |m| per site of each configuration of a batch, `[batch]`. */
export function xyAbsMagnetization(theta: tf.Tensor2D): tf.Tensor1D {
  ensureBackend();
  check2d(theta, "xyAbsMagnetization");
  return tf.tidy(() => tf.sqrt(tf.add(tf.square(tf.mean(tf.cos(theta), 1)), tf.square(tf.mean(tf.sin(theta), 1)))) as tf.Tensor1D);
}

/** The x-bonds of a 2-D grid oriented (r, c) → (r, c+1): from, to, J. */
export interface XBonds {
  from: Int32Array;
  to: Int32Array;
  J: Float64Array;
}

const xBondCache = new WeakMap<object, XBonds>();

/**
 * The bonds along x (columns) of a 2-D grid system periodic in x with at
 * least 3 columns (the helicity modulus needs the twist to be well defined),
 * oriented towards +x. Throws naming the problem otherwise.
 */
export function xyXBonds(system: XYSystem, where = "xyXBonds"): XBonds {
  const cached = xBondCache.get(system);
  if (cached !== undefined) return cached;
  const g = system.geometry;
  if (g === null || g.grid.length !== 2) throw new Error(`${where}: the helicity modulus needs a 2-D grid system, ${system.name} has ${g === null ? "no geometry" : `a ${g.grid.length}-D grid`}`);
  const [rows, cols] = g.grid;
  if (!g.periodic[1] || cols < 3) throw new Error(`${where}: the helicity modulus needs a grid periodic along x (columns) with cols ≥ 3, ${system.name} has cols = ${cols}, ${g.periodic[1] ? "periodic" : "open"}`);
  void rows;
  const { i, j, J } = system.edges;
  const from: number[] = [];
  const to: number[] = [];
  const JJ: number[] = [];
  for (let k = 0; k < i.length; k++) {
    const a = i[k];
    const b = j[k];
    const ra = Math.floor(a / cols);
    const rb = Math.floor(b / cols);
    if (ra !== rb) continue;
    const ca = a - ra * cols;
    const cb = b - rb * cols;
    if (cb === (ca + 1) % cols) (from.push(a), to.push(b), JJ.push(J[k]));
    else if (ca === (cb + 1) % cols) (from.push(b), to.push(a), JJ.push(J[k]));
  }
  const out = { from: Int32Array.from(from), to: Int32Array.from(to), J: Float64Array.from(JJ) };
  xBondCache.set(system, out);
  return out;
}

/**
 * The two sums of the helicity estimator for one configuration:
 * C = Σ_{x-bonds} J cos(θ_j − θ_i), S = Σ_{x-bonds} J sin(θ_j − θ_i).
 */
export function xyHelicityTermsOf(system: XYSystem, theta: ArrayLike<number>): { cos: number; sin: number } {
  const b = xyXBonds(system, "xyHelicityTermsOf");
  let C = 0;
  let S = 0;
  for (let k = 0; k < b.from.length; k++) {
    const d = theta[b.to[k]] - theta[b.from[k]];
    C += b.J[k] * Math.cos(d);
    S += b.J[k] * Math.sin(d);
  }
  return { cos: C, sin: S };
}

/** The per-configuration helicity value C/N − β S²/N whose mean over Boltzmann samples is Υ (see the module doc). */
export function xyHelicityOf(system: XYSystem, theta: ArrayLike<number>, beta: number): number {
  checkNumber(beta, "beta", "xyHelicityOf", { above: 0 });
  const t = xyHelicityTermsOf(system, theta);
  return (t.cos - beta * t.sin * t.sin) / system.n;
}

/** Plaquette layout of a 2-D grid system: rows × cols of plaquettes and the four corners of each. */
export interface Plaquettes {
  rows: number;
  cols: number;
  /** Corners a, b, c, d of plaquette p at [4p .. 4p+4): (r,c), (r,c+1), (r+1,c+1), (r+1,c). */
  corners: Int32Array;
}

const plaquetteCache = new WeakMap<object, Plaquettes>();

/** The plaquettes of a 2-D grid system (see the module doc for the indexing). */
export function xyPlaquettes(system: XYSystem, where = "xyPlaquettes"): Plaquettes {
  const cached = plaquetteCache.get(system);
  if (cached !== undefined) return cached;
  const g = system.geometry;
  if (g === null || g.grid.length !== 2) throw new Error(`${where}: vorticity needs a 2-D grid system, ${system.name} has ${g === null ? "no geometry" : `a ${g.grid.length}-D grid`}`);
  const [R, C] = g.grid;
  if (R < 2 || C < 2) throw new Error(`${where}: vorticity needs a grid of at least 2×2, got ${R}×${C}`);
  const pr = g.periodic[0] ? R : R - 1;
  const pc = g.periodic[1] ? C : C - 1;
  const corners = new Int32Array(4 * pr * pc);
  for (let r = 0; r < pr; r++) {
    for (let c = 0; c < pc; c++) {
      const p = 4 * (r * pc + c);
      const r1 = (r + 1) % R;
      const c1 = (c + 1) % C;
      corners[p] = r * C + c;
      corners[p + 1] = r * C + c1;
      corners[p + 2] = r1 * C + c1;
      corners[p + 3] = r1 * C + c;
    }
  }
  const out = { rows: pr, cols: pc, corners };
  plaquetteCache.set(system, out);
  return out;
}

/** θ_b − θ_a wrapped into (−π, π]. */
export function wrapAngle(d: number): number {
  return d - TWO_PI * Math.ceil((d - Math.PI) / TWO_PI);
}

/** Per-plaquette vorticity v_p ∈ {−1, 0, +1} of one configuration (Int8Array of rows × cols plaquettes). */
export function xyVorticityOf(system: XYSystem, theta: ArrayLike<number>, out?: Int8Array): Int8Array {
  const P = xyPlaquettes(system, "xyVorticityOf");
  const np = P.rows * P.cols;
  const v = out ?? new Int8Array(np);
  if (v.length !== np) throw new Error(`xyVorticityOf: out must have length ${np}, got ${v.length}`);
  const cn = P.corners;
  for (let p = 0; p < np; p++) {
    const a = theta[cn[4 * p]];
    const b = theta[cn[4 * p + 1]];
    const c = theta[cn[4 * p + 2]];
    const d = theta[cn[4 * p + 3]];
    const w = wrapAngle(b - a) + wrapAngle(c - b) + wrapAngle(d - c) + wrapAngle(a - d);
    v[p] = Math.round(w / TWO_PI);
  }
  return v;
}

/** Vortex density Σ_p |v_p| / N of one configuration (vortices plus antivortices per site). */
export function xyVortexDensityOf(system: XYSystem, theta: ArrayLike<number>): number {
  const P = xyPlaquettes(system, "xyVortexDensityOf");
  const cn = P.corners;
  let count = 0;
  for (let p = 0, np = P.rows * P.cols; p < np; p++) {
    const a = theta[cn[4 * p]];
    const b = theta[cn[4 * p + 1]];
    const c = theta[cn[4 * p + 2]];
    const d = theta[cn[4 * p + 3]];
    const w = wrapAngle(b - a) + wrapAngle(c - b) + wrapAngle(d - c) + wrapAngle(a - d);
    if (Math.abs(w) > Math.PI) count++;
  }
  return count / system.n;
}

/** Vortex densities of a batch of configurations (a `[batch, n]` tensor, read once), float64 `[batch]`. */
export function xyVortexDensities(system: XYSystem, theta: tf.Tensor2D): Float64Array {
  ensureBackend();
  check2d(theta, "xyVortexDensities", system.n);
  xyPlaquettes(system, "xyVortexDensities");
  const x = theta.dataSync();
  const n = system.n;
  const batch = theta.shape[0];
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) out[b] = xyVortexDensityOf(system, x.subarray(b * n, (b + 1) * n));
  return out;
}
