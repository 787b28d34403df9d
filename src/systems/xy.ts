/**
 * XY (planar rotor) systems: n angles θ_i ∈ [0, 2π) with
 *
 *   E(θ) = −Σ_{(i,j)} J_ij cos(θ_i − θ_j) − h Σ_i cos θ_i
 *
 * (uniform field h along θ = 0). Angles travel as numbers (typed arrays,
 * float64 scalar path; any real value, the energy is 2π-periodic) or as
 * `[batch, n]` float32 tensors (batched energy, differentiable w.r.t. θ).
 * The bonds, CSR lists and geometry are those of the spin systems: `xySquare`
 * uses the bonds of `isingSquare`, `xyChain` an open chain or a ring, and
 * `xyOnGraph` edge arrays or any SpinSystem's graph.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { checkInteger, checkKeys, checkNumber, checkOneOf } from "../core/validate";
import { isingSquare, type Boundary } from "./lattices";
import { SparseSpinSystem, type EdgeArrays, type EdgeTriple } from "./spin";
import type { Geometry, SpinSystem, XYSystem } from "./types";

export interface XYSystemOptions {
  /** Number of rotors. */
  n: number;
  /** Couplings J_ij, as `[[i, j, J], ...]` or `{i, j, J}`; each pair at most once, i ≠ j. */
  edges: ReadonlyArray<EdgeTriple> | EdgeArrays;
  /** Uniform field along θ = 0 (default 0). */
  h?: number;
  /** Grid geometry (sizes per dimension, periodic per dimension). */
  geometry?: Geometry | null;
  /** A short human-readable name. */
  name?: string;
}

const WHERE = "xySystem";

function relabel<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message.replace(/^(spinSystem|ea2d|isingSquare): /, "")}`);
  }
}

/** The general sparse XY system. Construct with `xySystem({...})` or the constructors below. */
export class SparseXYSystem implements XYSystem {
  readonly kind = "xy" as const;
  readonly n: number;
  readonly name: string;
  readonly edges: { readonly i: Int32Array; readonly j: Int32Array; readonly J: Float64Array };
  readonly h: number;
  readonly geometry: Geometry | null;
  readonly neighbors: { readonly offsets: Int32Array; readonly index: Int32Array; readonly J: Float64Array };
  private readonly J32: Float32Array;

  constructor(options: XYSystemOptions) {
    if (options === undefined || options === null || typeof options !== "object") throw new Error(`${WHERE}: options {n, edges} are required`);
    checkKeys(options, ["n", "edges", "h", "geometry", "name"], WHERE);
    const h = checkNumber(options.h ?? 0, "h", WHERE);
    if (options.name !== undefined && typeof options.name !== "string") throw new Error(`${WHERE}: name must be a string`);
    const base = relabel(WHERE, () => new SparseSpinSystem({ n: options.n, edges: options.edges, geometry: options.geometry ?? null, energyPath: "sparse", name: "xy" }));
    this.n = base.n;
    this.h = h;
    this.edges = base.edges;
    this.geometry = base.geometry;
    this.neighbors = base.neighbors;
    this.name = options.name ?? `xy n=${this.n} m=${this.edges.i.length}${h !== 0 ? ` h=${h}` : ""}`;
    this.J32 = Float32Array.from(this.edges.J);
  }

  /** Number of couplings. */
  get numEdges(): number {
    return this.edges.i.length;
  }

  /** Batched energies of a `[batch, n]` tensor of angles → `[batch]`; differentiable w.r.t. θ. */
  energy(theta: tf.Tensor2D): tf.Tensor1D {
    ensureBackend();
    if (!(theta instanceof tf.Tensor) || theta.rank !== 2 || theta.shape[1] !== this.n) {
      const shape = theta instanceof tf.Tensor ? `[${theta.shape.join(", ")}]` : String(theta);
      throw new Error(`${this.name}.energy: theta must be a [batch, ${this.n}] tensor, got ${shape}`);
    }
    const { i, j } = this.edges;
    return tf.tidy(() => {
      const x = theta.dtype === "float32" ? theta : tf.cast(theta, "float32");
      const batch = x.shape[0];
      let e: tf.Tensor1D;
      if (i.length === 0) e = tf.zeros([batch]);
      else {
        const d = tf.sub(tf.gather(x, tf.tensor1d(i, "int32"), 1), tf.gather(x, tf.tensor1d(j, "int32"), 1));
        e = tf.neg(tf.squeeze(tf.matMul(tf.cos(d), tf.tensor2d(this.J32, [this.J32.length, 1])), [1])) as tf.Tensor1D;
      }
      if (this.h !== 0) e = tf.sub(e, tf.mul(tf.sum(tf.cos(x), 1), this.h)) as tf.Tensor1D;
      return e;
    });
  }

  /** Energy of one configuration of angles, in float64. */
  energyOf(theta: ArrayLike<number>): number {
    if (theta.length !== this.n) throw new Error(`${this.name}.energyOf: theta has length ${theta.length}, expected ${this.n}`);
    const { i, j, J } = this.edges;
    let e = 0;
    for (let k = 0; k < i.length; k++) e -= J[k] * Math.cos(theta[i[k]] - theta[j[k]]);
    if (this.h !== 0) for (let k = 0; k < this.n; k++) e -= this.h * Math.cos(theta[k]);
    return e;
  }

  /** Energy change of setting θ_i to `angle`: −Σ_j J_ij [cos(angle − θ_j) − cos(θ_i − θ_j)] − h [cos angle − cos θ_i]. */
  deltaE(theta: ArrayLike<number>, i: number, angle: number): number {
    const a = theta[i];
    const { offsets, index, J } = this.neighbors;
    let d = 0;
    for (let p = offsets[i], end = offsets[i + 1]; p < end; p++) {
      const b = theta[index[p]];
      d -= J[p] * (Math.cos(angle - b) - Math.cos(a - b));
    }
    if (this.h !== 0) d -= this.h * (Math.cos(angle) - Math.cos(a));
    return d;
  }

  /** The couplings as `[[i, j, J], ...]` (i < j). */
  edgeList(): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    for (let k = 0; k < this.edges.i.length; k++) out.push([this.edges.i[k], this.edges.j[k], this.edges.J[k]]);
    return out;
  }
}

/** The general sparse XY system from a coupling list, a uniform field and optional geometry. */
export function xySystem(options: XYSystemOptions): SparseXYSystem {
  return new SparseXYSystem(options);
}

export interface XYSquareOptions {
  /** Linear size (L×L sites). */
  L: number;
  /** Number of columns when not square (default L). */
  cols?: number;
  /** "periodic" (default) or "open". */
  boundary?: Boundary;
  /** Coupling (default 1; < 0 antiferromagnet). */
  J?: number;
  /** Uniform field along θ = 0 (default 0). */
  h?: number;
}

/** The square-lattice XY model on L×L (or L×cols) sites, row-major, with the bonds of `isingSquare`. */
export function xySquare(options: XYSquareOptions): SparseXYSystem {
  const W = "xySquare";
  if (options === undefined || options === null || typeof options !== "object") throw new Error(`${W}: options {L} are required`);
  checkKeys(options, ["L", "cols", "boundary", "J", "h"], W);
  const L = checkInteger(options.L, "L", W, { min: 1 });
  const C = checkInteger(options.cols ?? L, "cols", W, { min: 1 });
  const boundary = checkOneOf(options.boundary ?? "periodic", ["periodic", "open"] as const, "boundary", W);
  const J = checkNumber(options.J ?? 1, "J", W);
  const h = checkNumber(options.h ?? 0, "h", W);
  const grid = isingSquare({ L, cols: C, boundary, J });
  const size = C === L ? `L=${L}` : `${L}x${C}`;
  return new SparseXYSystem({
    n: grid.n,
    edges: grid.edges,
    h,
    geometry: grid.geometry,
    name: `xy-2d ${size} ${boundary}${J !== 1 ? ` J=${J}` : ""}${h !== 0 ? ` h=${h}` : ""}`,
  });
}

export interface XYChainOptions {
  /** Number of rotors (≥ 2; a ring needs ≥ 3). */
  n: number;
  /** "open" (default: free ends, n − 1 bonds) or "periodic" (a ring of n bonds). */
  boundary?: Boundary;
  /** Coupling (default 1). */
  J?: number;
  /** Uniform field along θ = 0 (default 0). */
  h?: number;
}

/** The XY chain (open, free ends) or ring (periodic): bonds (k, k+1), and (n−1, 0) on a ring; geometry [n]. */
export function xyChain(options: XYChainOptions): SparseXYSystem {
  const W = "xyChain";
  if (options === undefined || options === null || typeof options !== "object") throw new Error(`${W}: options {n} are required`);
  checkKeys(options, ["n", "boundary", "J", "h"], W);
  const n = checkInteger(options.n, "n", W, { min: 2 });
  const boundary = checkOneOf(options.boundary ?? "open", ["periodic", "open"] as const, "boundary", W);
  if (boundary === "periodic" && n < 3) throw new Error(`${W}: a ring (boundary "periodic") needs n ≥ 3, got n = ${n}`);
  const J = checkNumber(options.J ?? 1, "J", W);
  const h = checkNumber(options.h ?? 0, "h", W);
  const m = boundary === "periodic" ? n : n - 1;
  const I = new Int32Array(m);
  const Jn = new Int32Array(m);
  for (let k = 0; k < n - 1; k++) {
    I[k] = k;
    Jn[k] = k + 1;
  }
  if (boundary === "periodic") {
    I[n - 1] = 0;
    Jn[n - 1] = n - 1;
  }
  return new SparseXYSystem({
    n,
    edges: { i: I, j: Jn, J: new Float64Array(m).fill(J) },
    h,
    geometry: { grid: [n], periodic: [boundary === "periodic"] },
    name: `xy-${boundary === "periodic" ? "ring" : "chain"} n=${n}${J !== 1 ? ` J=${J}` : ""}${h !== 0 ? ` h=${h}` : ""}`,
  });
}

export interface XYOnGraphOptions {
  /** Take the graph, couplings and geometry of this spin system; exclusive with `edges`. */
  system?: SpinSystem;
  /** Number of rotors (with `edges`). */
  n?: number;
  /** Couplings `[[i, j, J], ...]` or `{i, j, J}` (with `n`). */
  edges?: ReadonlyArray<EdgeTriple> | EdgeArrays;
  /** Multiplies every coupling (default 1). */
  scale?: number;
  /** Uniform field along θ = 0 (default 0). */
  h?: number;
  /** A short human-readable name. */
  name?: string;
}

/** An XY model on any graph: from edge arrays (`n`, `edges`) or on a spin system's graph (couplings J_ij·scale). */
export function xyOnGraph(options: XYOnGraphOptions): SparseXYSystem {
  const W = "xyOnGraph";
  if (options === undefined || options === null || typeof options !== "object") throw new Error(`${W}: options {system | n + edges} are required`);
  checkKeys(options, ["system", "n", "edges", "scale", "h", "name"], W);
  const scale = checkNumber(options.scale ?? 1, "scale", W);
  const h = checkNumber(options.h ?? 0, "h", W);
  if ((options.system === undefined) === (options.edges === undefined)) throw new Error(`${W}: give exactly one of system or edges`);
  if (options.system !== undefined) {
    const s = options.system;
    if (s === null || typeof s !== "object" || s.kind !== "spin") throw new Error(`${W}: system must be a SpinSystem (kind "spin")`);
    const J = Float64Array.from(s.edges.J, (v) => v * scale);
    return relabel(W, () => new SparseXYSystem({ n: s.n, edges: { i: s.edges.i, j: s.edges.j, J }, h, geometry: s.geometry, name: options.name ?? `xy on ${s.name}` }));
  }
  const n = checkInteger(options.n, "n", W, { min: 1 });
  return relabel(W, () => {
    const base = new SparseSpinSystem({ n, edges: options.edges!, energyPath: "sparse" });
    const J = Float64Array.from(base.edges.J, (v) => v * scale);
    return new SparseXYSystem({ n, edges: { i: base.edges.i, j: base.edges.j, J }, h, name: options.name });
  });
}

/** Checks that `system` is an XYSystem (kind "xy"); for the functions taking one. */
export function checkXYSystem(system: unknown, where: string): XYSystem {
  if (system === null || typeof system !== "object" || (system as { kind?: unknown }).kind !== "xy") throw new Error(`${where}: system must be an XYSystem (kind "xy")`);
  return system as XYSystem;
}
