/**
 * Constructors of the standard Ising-type systems. Grid sites are numbered
 * row-major (r·cols + c; in 3-D (x·L + y)·L + z). On a periodic dimension of
 * size 2 the two wrap-around bonds join the same pair of sites; they are kept
 * as one bond (as in the TwoBo instances), and periodic dimensions of size 1
 * have no bond.
 */
import { resolveRng, type RandomOptions, type Rng } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkOneOf } from "../core/validate";
import { SparseSpinSystem } from "./spin";
import type { Geometry } from "./types";

export type Boundary = "periodic" | "open";
export type CouplingDistribution = "pm" | "gauss";

/** Accumulates unique undirected edges (first one wins for a repeated pair). */
class EdgeBuilder {
  readonly i: number[] = [];
  readonly j: number[] = [];
  readonly J: number[] = [];
  private seen = new Set<number>();
  constructor(private readonly n: number) {}
  /** Adds (a, b) unless a === b or the pair exists; `J` is called only for a new pair. */
  add(a: number, b: number, J: () => number): void {
    if (a === b) return;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const key = lo * this.n + hi;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.i.push(lo);
    this.j.push(hi);
    this.J.push(J());
  }
}

/** Nearest-neighbour bonds of a hyper-cubic grid, in a fixed order (site by site, dimension by dimension). */
function gridBonds(grid: number[], periodic: boolean[], J: () => number): EdgeBuilder {
  const n = grid.reduce((a, b) => a * b, 1);
  const b = new EdgeBuilder(n);
  const d = grid.length;
  const strides = new Array<number>(d);
  let st = 1;
  for (let k = d - 1; k >= 0; k--) {
    strides[k] = st;
    st *= grid[k];
  }
  const coord = new Array<number>(d).fill(0);
  for (let site = 0; site < n; site++) {
    let rem = site;
    for (let k = 0; k < d; k++) {
      coord[k] = Math.floor(rem / strides[k]);
      rem -= coord[k] * strides[k];
    }
    for (let k = 0; k < d; k++) {
      const c = coord[k] + 1;
      if (c < grid[k]) b.add(site, site + strides[k], J);
      else if (periodic[k] && grid[k] > 1) b.add(site, site - coord[k] * strides[k], J);
    }
  }
  return b;
}

function boundaryOf(v: unknown, where: string): Boundary {
  return checkOneOf(v ?? "periodic", ["periodic", "open"] as const, "boundary", where);
}

function couplingSampler(kind: CouplingDistribution, rng: Rng): () => number {
  return kind === "pm" ? () => (rng.uniform32() < 0.5 ? -1 : 1) : () => rng.normal();
}

export interface IsingOptions {
  /** Linear size (L×L sites). */
  L: number;
  /** Number of columns when not square (default L). */
  cols?: number;
  /** "periodic" (default) or "open". */
  boundary?: Boundary;
  /** Coupling: > 0 ferromagnet (default 1), < 0 antiferromagnet. */
  J?: number;
  /** Uniform field (default 0). */
  h?: number;
}

/** Square-lattice nearest-neighbour Ising model, L×L (or L×cols). */
export function isingSquare(options: IsingOptions): SparseSpinSystem {
  const W = "isingSquare";
  checkKeys(options, ["L", "cols", "boundary", "J", "h"], W);
  const L = checkInteger(options?.L, "L", W, { min: 1 });
  const C = checkInteger(options.cols ?? L, "cols", W, { min: 1 });
  const boundary = boundaryOf(options.boundary, W);
  const J = checkNumber(options.J ?? 1, "J", W);
  const h = checkNumber(options.h ?? 0, "h", W);
  const geometry: Geometry = { grid: [L, C], periodic: [boundary === "periodic", boundary === "periodic"] };
  const b = gridBonds(geometry.grid, geometry.periodic, () => J);
  const n = L * C;
  const size = C === L ? `L=${L}` : `${L}x${C}`;
  return new SparseSpinSystem({
    n,
    edges: b,
    fields: h === 0 ? null : new Float64Array(n).fill(h),
    geometry,
    name: `ising-2d ${size} ${boundary}${J < 0 ? " antiferro" : ""}${J !== 1 && J !== -1 ? ` J=${J}` : ""}${h !== 0 ? ` h=${h}` : ""}`,
  });
}

export interface TriangularOptions {
  L: number;
  boundary?: Boundary;
  /** Magnitude of the antiferromagnetic coupling (J_ij = −J), default 1. */
  J?: number;
}

/**
 * Triangular-lattice antiferromagnet on an L×L rhombus (square grid plus the
 * (r, c)–(r+1, c+1) diagonal), couplings −J. Periodic needs L divisible by 3
 * for an unfrustrated-by-boundary ground state (not enforced).
 */
export function triangularAF(options: TriangularOptions): SparseSpinSystem {
  const W = "triangularAF";
  checkKeys(options, ["L", "boundary", "J"], W);
  const L = checkInteger(options?.L, "L", W, { min: 2 });
  const boundary = boundaryOf(options.boundary, W);
  const J = checkNumber(options.J ?? 1, "J", W, { above: 0 });
  const per = boundary === "periodic";
  const b = gridBonds([L, L], [per, per], () => -J);
  for (let r = 0; r < L; r++) {
    for (let c = 0; c < L; c++) {
      const r2 = r + 1;
      const c2 = c + 1;
      if ((r2 < L || per) && (c2 < L || per)) b.add(r * L + c, (r2 % L) * L + (c2 % L), () => -J);
    }
  }
  return new SparseSpinSystem({ n: L * L, edges: b, geometry: { grid: [L, L], periodic: [per, per] }, name: `triangular-af L=${L} ${boundary}` });
}

export interface SKOptions extends RandomOptions {
  /** Number of spins. */
  n: number;
  /** Coupling scale: J_ij ~ N(0, 1)·J/√n (default J = 1). */
  J?: number;
}

/** Sherrington–Kirkpatrick model: all pairs, J_ij ~ N(0,1)/√N, seeded. */
export function sk(options: SKOptions): SparseSpinSystem {
  const W = "sk";
  checkKeys(options, ["n", "J", "seed", "rng"], W);
  const n = checkInteger(options?.n, "n", W, { min: 2 });
  const scale = checkNumber(options.J ?? 1, "J", W) / Math.sqrt(n);
  const rng = resolveRng(options, W);
  const m = (n * (n - 1)) / 2;
  const I = new Int32Array(m);
  const Jn = new Int32Array(m);
  const Jv = new Float64Array(m);
  let k = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++, k++) {
      I[k] = a;
      Jn[k] = b;
      Jv[k] = rng.normal() * scale;
    }
  }
  const seed = options.rng === undefined && options.seed !== undefined ? ` seed=${options.seed}` : "";
  return new SparseSpinSystem({ n, edges: { i: I, j: Jn, J: Jv }, name: `sk n=${n}${seed}` });
}

export interface EAOptions extends RandomOptions {
  /** Linear size: L×L (2-D) or L×L×L (3-D). */
  L: number;
  /** "periodic" (default) or "open". */
  boundary?: Boundary;
  /** "pm" (±1 with equal probability, default) or "gauss" (N(0, 1)). */
  couplings?: CouplingDistribution;
}

function ea(options: EAOptions, dim: 2 | 3): SparseSpinSystem {
  const W = dim === 2 ? "ea2d" : "ea3d";
  checkKeys(options, ["L", "boundary", "couplings", "seed", "rng"], W);
  const L = checkInteger(options?.L, "L", W, { min: 2 });
  const boundary = boundaryOf(options.boundary, W);
  const kind = checkOneOf(options.couplings ?? "pm", ["pm", "gauss"] as const, "couplings", W);
  const rng = resolveRng(options, W);
  const grid = new Array<number>(dim).fill(L);
  const periodic = grid.map(() => boundary === "periodic");
  const b = gridBonds(grid, periodic, couplingSampler(kind, rng));
  const seed = options.rng === undefined && options.seed !== undefined ? ` seed=${options.seed}` : "";
  return new SparseSpinSystem({ n: L ** dim, edges: b, geometry: { grid, periodic }, name: `ea-${dim}d L=${L} ${boundary} ${kind}${seed}` });
}

/** Edwards–Anderson spin glass on an L×L grid, ±J or Gaussian couplings, seeded. */
export function ea2d(options: EAOptions): SparseSpinSystem {
  return ea(options, 2);
}

/** Edwards–Anderson spin glass on an L×L×L grid, ±J or Gaussian couplings, seeded. */
export function ea3d(options: EAOptions): SparseSpinSystem {
  return ea(options, 3);
}

export interface RRGOptions extends RandomOptions {
  /** Number of spins (n·d must be even). */
  n: number;
  /** Degree (default 3). */
  d?: number;
  /** "pm" (default) or "gauss". */
  couplings?: CouplingDistribution;
}

/**
 * Spin glass on a random d-regular graph (pairing model that avoids loops and
 * multi-edges as it goes, restarting when stuck; close to uniform for small d),
 * ±J (default) or Gaussian couplings, seeded.
 */
export function rrg(options: RRGOptions): SparseSpinSystem {
  const W = "rrg";
  checkKeys(options, ["n", "d", "couplings", "seed", "rng"], W);
  const n = checkInteger(options?.n, "n", W, { min: 2 });
  const d = checkInteger(options.d ?? 3, "d", W, { min: 1, max: n - 1 });
  if ((n * d) % 2 !== 0) throw new Error(`${W}: n·d must be even, got n = ${n}, d = ${d}`);
  const kind = checkOneOf(options.couplings ?? "pm", ["pm", "gauss"] as const, "couplings", W);
  const rng = resolveRng(options, W);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const pairs = pairing(n, d, rng);
    if (pairs === null) continue;
    const J = couplingSampler(kind, rng);
    const b = new EdgeBuilder(n);
    for (const [a, c] of pairs) b.add(a, c, J);
    const seed = options.rng === undefined && options.seed !== undefined ? ` seed=${options.seed}` : "";
    return new SparseSpinSystem({ n, edges: b, name: `rrg n=${n} d=${d} ${kind}${seed}` });
  }
  throw new Error(`${W}: could not draw a simple ${d}-regular graph on ${n} vertices`);
}

/** Random pairing of n·d half-edges avoiding loops and multi-edges; null if stuck. */
function pairing(n: number, d: number, rng: Rng): Array<[number, number]> | null {
  const points: number[] = [];
  for (let v = 0; v < n; v++) for (let k = 0; k < d; k++) points.push(v);
  const adj = new Set<number>();
  const out: Array<[number, number]> = [];
  while (points.length > 0) {
    let ok = false;
    for (let tries = 0; tries < 100; tries++) {
      const p = rng.int(points.length);
      const q = rng.int(points.length);
      if (p === q) continue;
      const a = points[p];
      const b = points[q];
      if (a === b) continue;
      const key = Math.min(a, b) * n + Math.max(a, b);
      if (adj.has(key)) continue;
      adj.add(key);
      out.push([a, b]);
      // remove p and q (larger index first)
      const [hi, lo] = p > q ? [p, q] : [q, p];
      points[hi] = points[points.length - 1];
      points.pop();
      points[lo] = points[points.length - 1];
      points.pop();
      ok = true;
      break;
    }
    if (!ok) return null;
  }
  return out;
}

export interface CurieWeissOptions {
  /** Number of spins. */
  n: number;
  /** Coupling: J_ij = J/n for all pairs (default 1). */
  J?: number;
  /** Uniform field (default 0). */
  h?: number;
}

/** Curie–Weiss (fully connected ferromagnet): E = −(J/n) Σ_{i<j} s_i s_j − h Σ s_i. */
export function curieWeiss(options: CurieWeissOptions): SparseSpinSystem {
  const W = "curieWeiss";
  checkKeys(options, ["n", "J", "h"], W);
  const n = checkInteger(options?.n, "n", W, { min: 2 });
  const J = checkNumber(options.J ?? 1, "J", W) / n;
  const h = checkNumber(options.h ?? 0, "h", W);
  const m = (n * (n - 1)) / 2;
  const I = new Int32Array(m);
  const Jn = new Int32Array(m);
  const Jv = new Float64Array(m).fill(J);
  let k = 0;
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++, k++) {
    I[k] = a;
    Jn[k] = b;
  }
  return new SparseSpinSystem({ n, edges: { i: I, j: Jn, J: Jv }, fields: h === 0 ? null : new Float64Array(n).fill(h), name: `curie-weiss n=${n}` });
}

export interface HopfieldOptions extends RandomOptions {
  /** Number of spins N. */
  n: number;
  /** Number of stored patterns P (≥ 1). */
  patterns: number;
}

/** A Hopfield network: the spin system plus its stored patterns. */
export type HopfieldSystem = SparseSpinSystem & {
  /** The P stored patterns ξ^μ ∈ {±1}^N, one Int8Array each. */
  readonly patterns: ReadonlyArray<Int8Array>;
};

/**
 * Hopfield model (associative memory): P random patterns ξ^μ ∈ {±1}^N
 * (seeded) stored by the Hebb rule J_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ on all
 * pairs i < j (zero diagonal), E = −Σ_{i<j} J_ij s_i s_j. For P ≪ N and
 * β > 1 the Boltzmann distribution concentrates near the 2P retrieval
 * states ±ξ^μ, with overlap m = ξ^μ·s/N solving m = tanh(βm).
 */
export function hopfield(options: HopfieldOptions): HopfieldSystem {
  const W = "hopfield";
  checkKeys(options, ["n", "patterns", "seed", "rng"], W);
  const n = checkInteger(options?.n, "n", W, { min: 2 });
  const P = checkInteger(options.patterns, "patterns", W, { min: 1 });
  const rng = resolveRng(options, W);
  const xi: Int8Array[] = [];
  for (let mu = 0; mu < P; mu++) {
    const p = new Int8Array(n);
    for (let i = 0; i < n; i++) p[i] = rng.uniform32() < 0.5 ? -1 : 1;
    xi.push(p);
  }
  const m = (n * (n - 1)) / 2;
  const I = new Int32Array(m);
  const Jn = new Int32Array(m);
  const Jv = new Float64Array(m);
  let k = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++, k++) {
      I[k] = a;
      Jn[k] = b;
      let s = 0;
      for (let mu = 0; mu < P; mu++) s += xi[mu][a] * xi[mu][b];
      Jv[k] = s / n;
    }
  }
  const seed = options.rng === undefined && options.seed !== undefined ? ` seed=${options.seed}` : "";
  const system = new SparseSpinSystem({ n, edges: { i: I, j: Jn, J: Jv }, name: `hopfield n=${n} p=${P}${seed}` });
  return Object.assign(system, { patterns: xi as ReadonlyArray<Int8Array> });
}
