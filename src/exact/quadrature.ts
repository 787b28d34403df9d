/**
 * Exact references for continuous systems by quadrature on a grid: ln Z,
 * the marginal density and free-energy profile along one coordinate, and the
 * free-energy difference between two wells. Works for 1-D and 2-D systems
 * and for separable ones (sums of independent 1-D/2-D blocks, e.g. the double
 * well with extra harmonic coordinates, or the many-well system): ln Z is the
 * sum of the blocks' ln Z.
 *
 * Integrals use composite Simpson weights in log space (log-sum-exp), so
 * Boltzmann factors far below 1 neither underflow nor lose precision. The box
 * starts at the system's range and widens until βE at its edges lies
 * `edgeGap` (default 40) above the minimum on the grid.
 */
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import type { ContinuousSystem } from "../systems/types";
import type { EnergyFactor, FactorizedSystem } from "../systems/continuous/types";

export interface QuadratureOptions {
  /** Inverse temperature β > 0. */
  beta: number;
  /** Grid points per coordinate (odd; default 2001 for 1-D blocks, 801 for 2-D blocks). */
  points?: number;
  /** Required rise of βE from its minimum to the box edges (default 40). */
  edgeGap?: number;
}

export interface QuadratureLogZResult {
  method: "quadrature";
  beta: number;
  dim: number;
  logZ: number;
  /** ln Z of each independent block. */
  blocks: { dims: number[]; logZ: number; analytic: boolean }[];
}

type Box = [number, number][];

function factorsOf(system: ContinuousSystem, where: string): readonly EnergyFactor[] {
  const f = (system as Partial<FactorizedSystem>).factors;
  if (!Array.isArray(f) || f.length === 0) {
    throw new Error(`${where}: system "${system?.name}" has no quadrature factors (only 1-D/2-D and separable systems are supported)`);
  }
  return f;
}

function simpsonWeights(n: number, h: number): Float64Array {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) w[k] = (h / 3) * (k === 0 || k === n - 1 ? 1 : k % 2 === 1 ? 4 : 2);
  return w;
}

function grid(lo: number, hi: number, n: number): Float64Array {
  const g = new Float64Array(n);
  for (let k = 0; k < n; k++) g[k] = lo + ((hi - lo) * k) / (n - 1);
  return g;
}

function lse(v: Float64Array): number {
  let m = -Infinity;
  for (let k = 0; k < v.length; k++) if (v[k] > m) m = v[k];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let k = 0; k < v.length; k++) s += Math.exp(v[k] - m);
  return m + Math.log(s);
}

/** The box of a factor widened until βE at the edges is `gap` above the grid minimum. */
function autoBox(f: EnergyFactor, beta: number, gap: number): Box {
  const box: Box = f.range.map((r) => [r[0], r[1]] as [number, number]);
  const d = f.dims.length;
  const probe = 101;
  const p = new Float64Array(d);
  for (let iter = 0; iter < 30; iter++) {
    // minimum over a coarse grid and minimum on each edge
    let emin = Infinity;
    const edgeMin: number[] = new Array(2 * d).fill(Infinity);
    if (d === 1) {
      const g = grid(box[0][0], box[0][1], probe);
      for (let k = 0; k < probe; k++) {
        p[0] = g[k];
        const e = beta * f.energyOf(p);
        emin = Math.min(emin, e);
      }
      p[0] = box[0][0];
      edgeMin[0] = beta * f.energyOf(p);
      p[0] = box[0][1];
      edgeMin[1] = beta * f.energyOf(p);
    } else {
      const gx = grid(box[0][0], box[0][1], probe), gy = grid(box[1][0], box[1][1], probe);
      for (let i = 0; i < probe; i++) {
        for (let j = 0; j < probe; j++) {
          p[0] = gx[i];
          p[1] = gy[j];
          const e = beta * f.energyOf(p);
          if (e < emin) emin = e;
          if (i === 0) edgeMin[0] = Math.min(edgeMin[0], e);
          if (i === probe - 1) edgeMin[1] = Math.min(edgeMin[1], e);
          if (j === 0) edgeMin[2] = Math.min(edgeMin[2], e);
          if (j === probe - 1) edgeMin[3] = Math.min(edgeMin[3], e);
        }
      }
    }
    let ok = true;
    for (let i = 0; i < d; i++) {
      const w = box[i][1] - box[i][0];
      if (!(edgeMin[2 * i] - emin >= gap)) { box[i][0] -= 0.25 * w; ok = false; }
      if (!(edgeMin[2 * i + 1] - emin >= gap)) { box[i][1] += 0.25 * w; ok = false; }
    }
    if (ok) return box;
  }
  throw new Error(`quadrature: could not find a box holding the density of block [${f.dims.join(", ")}] at β = ${beta}`);
}

/** ln ∫_box e^{−βE} by Simpson on an n-point (or n×n) grid. */
function logIntegral(f: EnergyFactor, beta: number, box: Box, n: number): number {
  const d = f.dims.length;
  const p = new Float64Array(d);
  if (d === 1) {
    const g = grid(box[0][0], box[0][1], n);
    const w = simpsonWeights(n, (box[0][1] - box[0][0]) / (n - 1));
    const t = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      p[0] = g[k];
      t[k] = Math.log(w[k]) - beta * f.energyOf(p);
    }
    return lse(t);
  }
  if (d !== 2) throw new Error(`quadrature: blocks of ${d} coordinates are not supported (1 or 2)`);
  const gx = grid(box[0][0], box[0][1], n), gy = grid(box[1][0], box[1][1], n);
  const wx = simpsonWeights(n, (box[0][1] - box[0][0]) / (n - 1));
  const wy = simpsonWeights(n, (box[1][1] - box[1][0]) / (n - 1));
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      p[0] = gx[i];
      p[1] = gy[j];
      t[i * n + j] = Math.log(wx[i] * wy[j]) - beta * f.energyOf(p);
    }
  }
  return lse(t);
}

function readOptions(options: QuadratureOptions, where: string, extra: string[] = []): { beta: number; points: number | undefined; gap: number } {
  if (options === undefined || options === null) throw new Error(`${where}: options with beta are required`);
  checkKeys(options, ["beta", "points", "edgeGap", ...extra], where);
  const beta = checkPositive(options.beta, "beta", where);
  let points: number | undefined;
  if (options.points !== undefined) {
    points = checkInteger(options.points, "points", where, { min: 5 });
    if (points % 2 === 0) points += 1;
  }
  const gap = options.edgeGap === undefined ? 40 : checkNumber(options.edgeGap, "edgeGap", where, { above: 0 });
  return { beta, points, gap };
}

const defaultPoints = (d: number) => (d === 1 ? 2001 : 801);

/** ln Z = ln ∫ e^{−βE(x)} dx by quadrature (sum over independent blocks). */
export function quadratureLogZ(system: ContinuousSystem, options: QuadratureOptions): QuadratureLogZResult {
  const where = "quadratureLogZ";
  const { beta, points, gap } = readOptions(options, where);
  const factors = factorsOf(system, where);
  const blocks = factors.map((f) => {
    if (f.analyticLogZ !== undefined) return { dims: [...f.dims], logZ: f.analyticLogZ(beta), analytic: true };
    const box = autoBox(f, beta, gap);
    return { dims: [...f.dims], logZ: logIntegral(f, beta, box, points ?? defaultPoints(f.dims.length)), analytic: false };
  });
  const covered = blocks.reduce((s, b) => s + b.dims.length, 0);
  if (covered !== system.dim) throw new Error(`${where}: the factors of "${system.name}" cover ${covered} of ${system.dim} coordinates`);
  return { method: "quadrature", beta, dim: system.dim, logZ: blocks.reduce((s, b) => s + b.logZ, 0), blocks };
}

function factorOfAxis(system: ContinuousSystem, axis: number, where: string): { f: EnergyFactor; pos: number } {
  checkInteger(axis, "axis", where, { min: 0, max: system.dim - 1 });
  for (const f of factorsOf(system, where)) {
    const pos = f.dims.indexOf(axis);
    if (pos >= 0) return { f, pos };
  }
  throw new Error(`${where}: no factor of "${system.name}" contains axis ${axis}`);
}

export interface MarginalOptions extends QuadratureOptions {
  /** The coordinate (default 0). */
  axis?: number;
  /** Points where the density is evaluated (default: an even grid of `gridPoints` over the density's box). */
  at?: ArrayLike<number>;
  /** Size of the default output grid (default 201). */
  gridPoints?: number;
}

export interface MarginalResult {
  axis: number;
  beta: number;
  /** Coordinate values. */
  x: Float64Array;
  /** Normalised marginal density p(x). */
  density: Float64Array;
  /** Free-energy profile F(x) = −ln p(x) in units of kT (not shifted). */
  freeEnergy: Float64Array;
}

/** ln of the unnormalised marginal ∫ e^{−βE} over the other coordinate of a 2-D block, at axis value v. */
function logMarginal2d(f: EnergyFactor, pos: number, v: number, beta: number, box: Box, n: number): number {
  const other = 1 - pos;
  const g = grid(box[other][0], box[other][1], n);
  const w = simpsonWeights(n, (box[other][1] - box[other][0]) / (n - 1));
  const p = new Float64Array(2);
  const t = new Float64Array(n);
  p[pos] = v;
  for (let k = 0; k < n; k++) {
    p[other] = g[k];
    t[k] = Math.log(w[k]) - beta * f.energyOf(p);
  }
  return lse(t);
}

/** The marginal density p(x_axis) and the free-energy profile F = −ln p (kT) by quadrature. */
export function marginalDensity(system: ContinuousSystem, options: MarginalOptions): MarginalResult {
  const where = "marginalDensity";
  const { beta, points, gap } = readOptions(options, where, ["axis", "at", "gridPoints"]);
  const axis = options.axis ?? 0;
  const { f, pos } = factorOfAxis(system, axis, where);
  const box = autoBox(f, beta, gap);
  const n = points ?? defaultPoints(f.dims.length);
  const logZf = logIntegral(f, beta, box, n);
  let xs: Float64Array;
  if (options.at !== undefined) {
    xs = Float64Array.from(options.at);
    xs.forEach((v, k) => checkNumber(v, `at[${k}]`, where));
  } else {
    const m = options.gridPoints === undefined ? 201 : checkInteger(options.gridPoints, "gridPoints", where, { min: 2 });
    xs = grid(box[pos][0], box[pos][1], m);
  }
  const density = new Float64Array(xs.length), freeEnergy = new Float64Array(xs.length);
  const p = new Float64Array(1);
  for (let k = 0; k < xs.length; k++) {
    let lp: number;
    if (f.dims.length === 1) {
      p[0] = xs[k];
      lp = -beta * f.energyOf(p) - logZf;
    } else {
      lp = logMarginal2d(f, pos, xs[k], beta, box, n) - logZf;
    }
    density[k] = Math.exp(lp);
    freeEnergy[k] = -lp;
  }
  return { axis, beta, x: xs, density, freeEnergy };
}

export interface WellDifferenceOptions extends QuadratureOptions {
  /** The coordinate that separates the wells (default: the system's `wells.axis`, else 0). */
  axis?: number;
  /** The dividing value (default: the system's `wells.divide`, else 0). */
  divide?: number;
}

export interface WellDifferenceResult {
  beta: number;
  axis: number;
  divide: number;
  /** ΔF = F_right − F_left = −ln(P(x > divide)/P(x < divide)) in kT. */
  deltaF: number;
  /** P(x_axis < divide) and P(x_axis > divide). */
  fractionLeft: number;
  fractionRight: number;
}

/** The free-energy difference between the states x_axis > divide and x_axis < divide, by quadrature. */
export function wellFreeEnergyDifference(system: ContinuousSystem, options: WellDifferenceOptions): WellDifferenceResult {
  const where = "wellFreeEnergyDifference";
  const { beta, points, gap } = readOptions(options, where, ["axis", "divide"]);
  const wells = (system as { wells?: { axis: number; divide: number } }).wells;
  const axis = options.axis ?? wells?.axis ?? 0;
  const divide = options.divide === undefined ? wells?.divide ?? 0 : checkNumber(options.divide, "divide", where);
  const { f, pos } = factorOfAxis(system, axis, where);
  const box = autoBox(f, beta, gap);
  if (!(divide > box[pos][0] && divide < box[pos][1])) {
    throw new Error(`${where}: divide ${divide} lies outside the density's box [${box[pos][0]}, ${box[pos][1]}]`);
  }
  const n = points ?? defaultPoints(f.dims.length);
  const left = box.map((r) => [r[0], r[1]] as [number, number]);
  const right = box.map((r) => [r[0], r[1]] as [number, number]);
  left[pos][1] = divide;
  right[pos][0] = divide;
  const lL = logIntegral(f, beta, left, n);
  const lR = logIntegral(f, beta, right, n);
  const deltaF = lL - lR;
  const fractionRight = 1 / (1 + Math.exp(deltaF));
  return { beta, axis, divide, deltaF, fractionLeft: 1 - fractionRight, fractionRight };
}
