/**
 * q-state Potts systems: n variables σ_i ∈ {0, …, q−1} with
 *
 *   E(σ) = −Σ_{(i,j)} J_ij δ(σ_i, σ_j) − Σ_i h_i δ(σ_i, 0)
 *
 * (J > 0 ferromagnet, J < 0 antiferromagnet, random ±J a Potts glass; the
 * field favours the state 0). Configurations are integer states carried as
 * numbers (typed arrays, float64 scalar path) or as `[batch, n]` float32
 * tensors (batched energy). q = 2 with J_Potts = 2 J_Ising and h_Potts = 2 h_Ising
 * is the Ising model with s = 1 − 2σ up to a constant:
 * δ(a, b) = (1 + s_a s_b)/2, so E_Potts = E_Ising − Σ J_I − Σ h_I.
 *
 * The couplings, CSR neighbour lists and grid geometry are those of the spin
 * systems (`SparseSpinSystem` validates them), so a Potts model can live on
 * any graph the Ising constructors build: `pottsSquare` uses the bonds of
 * `isingSquare`, `pottsGlass` those of `ea2d`, and `pottsOnGraph` takes edge
 * arrays or any SpinSystem (EA, RRG, TwoBo instances).
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import type { RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkOneOf } from "../core/validate";
import { ea2d, isingSquare, type Boundary, type CouplingDistribution } from "./lattices";
import { SparseSpinSystem, type EdgeArrays, type EdgeTriple } from "./spin";
import type { Geometry, PottsSystem, SpinSystem } from "./types";

/** Largest q accepted (states are stored in Uint8Array by the samplers). */
export const MAX_POTTS_Q = 255;

export interface PottsSystemOptions {
  /** Number of variables. */
  n: number;
  /** Number of states per variable, 2 ≤ q ≤ 255. */
  q: number;
  /** Couplings J_ij, as `[[i, j, J], ...]` or parallel arrays `{i, j, J}`; each pair at most once, i ≠ j. */
  edges: ReadonlyArray<EdgeTriple> | EdgeArrays;
  /** Fields h_i on the state 0 (length n); omitted, null or all zero means no field. */
  fields?: ArrayLike<number> | null;
  /** Grid geometry (sizes per dimension, periodic per dimension). */
  geometry?: Geometry | null;
  /** A short human-readable name. */
  name?: string;
}

const WHERE = "pottsSystem";

/** Re-labels an Error of the spin-system validation as this function's. */
function relabel<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const msg = (e as Error).message.replace(/^(spinSystem|ea2d|isingSquare): /, "");
    throw new Error(`${where}: ${msg}`);
  }
}

/** The general sparse Potts system. Construct with `pottsSystem({...})` or the lattice constructors below. */
export class SparsePottsSystem implements PottsSystem {
  readonly kind = "potts" as const;
  readonly n: number;
  readonly q: number;
  readonly name: string;
  readonly edges: { readonly i: Int32Array; readonly j: Int32Array; readonly J: Float64Array };
  readonly fields: Float64Array | null;
  readonly geometry: Geometry | null;
  readonly neighbors: { readonly offsets: Int32Array; readonly index: Int32Array; readonly J: Float64Array };
  readonly permutationSymmetric: boolean;
  private readonly f32: { J: Float32Array; h: Float32Array | null };

  constructor(options: PottsSystemOptions) {
    if (options === undefined || options === null || typeof options !== "object") throw new Error(`${WHERE}: options {n, q, edges} are required`);
    checkKeys(options, ["n", "q", "edges", "fields", "geometry", "name"], WHERE);
    const q = checkInteger(options.q, "q", WHERE, { min: 2, max: MAX_POTTS_Q });
    if (options.name !== undefined && typeof options.name !== "string") throw new Error(`${WHERE}: name must be a string`);
    // the spin system validates n, the edges, the fields and the geometry and builds the CSR lists
    const base = relabel(
      WHERE,
      () => new SparseSpinSystem({ n: options.n, edges: options.edges, fields: options.fields ?? null, geometry: options.geometry ?? null, energyPath: "sparse", name: "potts" }),
    );
    this.n = base.n;
    this.q = q;
    this.edges = base.edges;
    this.fields = base.fields;
    this.geometry = base.geometry;
    this.neighbors = base.neighbors;
    this.permutationSymmetric = this.fields === null;
    this.name = options.name ?? `potts q=${q} n=${this.n} m=${this.edges.i.length}`;
    this.f32 = { J: Float32Array.from(this.edges.J), h: this.fields === null ? null : Float32Array.from(this.fields) };
  }

  /** Number of couplings. */
  get numEdges(): number {
    return this.edges.i.length;
  }

  /** Batched energies of a `[batch, n]` tensor of states 0…q−1 → `[batch]` (float32; not differentiable: the states are discrete). */
  energy(s: tf.Tensor2D): tf.Tensor1D {
    ensureBackend();
    if (!(s instanceof tf.Tensor) || s.rank !== 2 || s.shape[1] !== this.n) {
      const shape = s instanceof tf.Tensor ? `[${s.shape.join(", ")}]` : String(s);
      throw new Error(`${this.name}.energy: s must be a [batch, ${this.n}] tensor, got ${shape}`);
    }
    const { i, j } = this.edges;
    const f = this.f32;
    return tf.tidy(() => {
      const x = s.dtype === "float32" ? s : tf.cast(s, "float32");
      const batch = x.shape[0];
      let e: tf.Tensor1D;
      if (i.length === 0) e = tf.zeros([batch]);
      else {
        const si = tf.gather(x, tf.tensor1d(i, "int32"), 1);
        const sj = tf.gather(x, tf.tensor1d(j, "int32"), 1);
        const same = tf.cast(tf.equal(si, sj), "float32");
        e = tf.neg(tf.squeeze(tf.matMul(same, tf.tensor2d(f.J, [f.J.length, 1])), [1])) as tf.Tensor1D;
      }
      if (f.h !== null) {
        const zero = tf.cast(tf.equal(x, 0), "float32");
        e = tf.sub(e, tf.squeeze(tf.matMul(zero, tf.tensor2d(f.h, [this.n, 1])), [1])) as tf.Tensor1D;
      }
      return e;
    });
  }

  /** Energy of one configuration (integer states), in float64. */
  energyOf(s: ArrayLike<number>): number {
    if (s.length !== this.n) throw new Error(`${this.name}.energyOf: s has length ${s.length}, expected ${this.n}`);
    const { i, j, J } = this.edges;
    let e = 0;
    for (let k = 0; k < i.length; k++) if (s[i[k]] === s[j[k]]) e -= J[k];
    const h = this.fields;
    if (h !== null) for (let k = 0; k < this.n; k++) if (s[k] === 0) e -= h[k];
    return e;
  }

  /**
   * Energy change of setting σ_i to the state k:
   * ΔE = −Σ_j J_ij [δ(k, σ_j) − δ(σ_i, σ_j)] − h_i [δ(k, 0) − δ(σ_i, 0)].
   */
  deltaE(s: ArrayLike<number>, i: number, k: number): number {
    const a = s[i];
    if (a === k) return 0;
    const { offsets, index, J } = this.neighbors;
    let d = 0;
    for (let p = offsets[i], end = offsets[i + 1]; p < end; p++) {
      const b = s[index[p]];
      if (b === k) d -= J[p];
      else if (b === a) d += J[p];
    }
    const h = this.fields;
    if (h !== null) {
      if (k === 0) d -= h[i];
      else if (a === 0) d += h[i];
    }
    return d;
  }

  /** The couplings as `[[i, j, J], ...]` (i < j). */
  edgeList(): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    for (let k = 0; k < this.edges.i.length; k++) out.push([this.edges.i[k], this.edges.j[k], this.edges.J[k]]);
    return out;
  }
}

/** The general sparse Potts system from a coupling list, optional fields on state 0 and optional geometry. */
export function pottsSystem(options: PottsSystemOptions): SparsePottsSystem {
  return new SparsePottsSystem(options);
}

export interface PottsSquareOptions {
  /** Linear size (L×L sites). */
  L: number;
  /** Number of columns when not square (default L). */
  cols?: number;
  /** Number of states, 2 ≤ q ≤ 255. */
  q: number;
  /** "periodic" (default) or "open". */
  boundary?: Boundary;
  /** Coupling: > 0 ferromagnet (default 1), < 0 antiferromagnet. */
  J?: number;
  /** Uniform field on the state 0 (default 0). */
  h?: number;
}

/**
 * The square-lattice nearest-neighbour q-state Potts model on L×L (or L×cols)
 * sites, row-major, with the bonds of `isingSquare` (a periodic dimension of
 * size 2 has one bond per pair).
 */
export function pottsSquare(options: PottsSquareOptions): SparsePottsSystem {
  const W = "pottsSquare";
  if (options === undefined || options === null || typeof options !== "object") throw new Error(`${W}: options {L, q} are required`);
  checkKeys(options, ["L", "cols", "q", "boundary", "J", "h"], W);
  const L = checkInteger(options.L, "L", W, { min: 1 });
  const C = checkInteger(options.cols ?? L, "cols", W, { min: 1 });
  const q = checkInteger(options.q, "q", W, { min: 2, max: MAX_POTTS_Q });
  const boundary = checkOneOf(options.boundary ?? "periodic", ["periodic", "open"] as const, "boundary", W);
  const J = checkNumber(options.J ?? 1, "J", W);
  const h = checkNumber(options.h ?? 0, "h", W);
  const grid = isingSquare({ L, cols: C, boundary, J });
  const size = C === L ? `L=${L}` : `${L}x${C}`;
  return new SparsePottsSystem({
    n: grid.n,
    q,
    edges: grid.edges,
    fields: h === 0 ? null : new Float64Array(grid.n).fill(h),
    geometry: grid.geometry,
    name: `potts-2d q=${q} ${size} ${boundary}${J < 0 ? " antiferro" : ""}${J !== 1 && J !== -1 ? ` J=${J}` : ""}${h !== 0 ? ` h=${h}` : ""}`,
  });
}

export interface PottsGlassOptions extends RandomOptions {
  /** Linear size (L×L sites). */
  L: number;
  /** Number of states, 2 ≤ q ≤ 255. */
  q: number;
  /** "periodic" (default) or "open". */
  boundary?: Boundary;
  /** "pm" (J_ij = ±1 with equal probability, default) or "gauss" (N(0, 1)). */
  couplings?: CouplingDistribution;
}

/**
 * The ±J (or Gaussian) Potts glass on an L×L grid: the bonds and the seeded
 * couplings of `ea2d` with the same options, so `pottsGlass({L, q: 2, seed})`
 * with doubled couplings is the EA instance `ea2d({L, seed})`.
 */
export function pottsGlass(options: PottsGlassOptions): SparsePottsSystem {
  const W = "pottsGlass";
  if (options === undefined || options === null || typeof options !== "object") throw new Error(`${W}: options {L, q, seed} are required`);
  checkKeys(options, ["L", "q", "boundary", "couplings", "seed", "rng"], W);
  const L = checkInteger(options.L, "L", W, { min: 2 });
  const q = checkInteger(options.q, "q", W, { min: 2, max: MAX_POTTS_Q });
  const boundary = checkOneOf(options.boundary ?? "periodic", ["periodic", "open"] as const, "boundary", W);
  const couplings = checkOneOf(options.couplings ?? "pm", ["pm", "gauss"] as const, "couplings", W);
  const sys = relabel(W, () => ea2d({ L, boundary, couplings, seed: options.seed, rng: options.rng }));
  const seed = options.rng === undefined && options.seed !== undefined ? ` seed=${options.seed}` : "";
  return new SparsePottsSystem({ n: sys.n, q, edges: sys.edges, geometry: sys.geometry, name: `potts-glass q=${q} L=${L} ${boundary} ${couplings}${seed}` });
}

export interface PottsOnGraphOptions {
  /** Number of states, 2 ≤ q ≤ 255. */
  q: number;
  /** Take the graph, couplings and geometry of this spin system (EA, RRG, an instance file's system); exclusive with `edges`. */
  system?: SpinSystem;
  /** Number of variables (with `edges`). */
  n?: number;
  /** Couplings `[[i, j, J], ...]` or `{i, j, J}` (with `n`); exclusive with `system`. */
  edges?: ReadonlyArray<EdgeTriple> | EdgeArrays;
  /** Multiplies every coupling (default 1; 2 with a spin system gives the Ising-equivalent q = 2 Potts model). */
  scale?: number;
  /** Fields on the state 0 (length n); with `system` the default is none (its Ising fields are not carried over). */
  fields?: ArrayLike<number> | null;
  /** A short human-readable name (default from the system's). */
  name?: string;
}

/**
 * A Potts model on any graph: from edge arrays (`n`, `edges`) or on the graph
 * of a spin system (`system`, couplings J_ij·scale), e.g. the EA, RRG or
 * TwoBo instances.
 */
export function pottsOnGraph(options: PottsOnGraphOptions): SparsePottsSystem {
  const W = "pottsOnGraph";
  if (options === undefined || options === null || typeof options !== "object") throw new Error(`${W}: options {q, system | n + edges} are required`);
  checkKeys(options, ["q", "system", "n", "edges", "scale", "fields", "name"], W);
  const q = checkInteger(options.q, "q", W, { min: 2, max: MAX_POTTS_Q });
  const scale = checkNumber(options.scale ?? 1, "scale", W);
  if ((options.system === undefined) === (options.edges === undefined)) throw new Error(`${W}: give exactly one of system or edges`);
  if (options.system !== undefined) {
    const s = options.system;
    if (s === null || typeof s !== "object" || s.kind !== "spin") throw new Error(`${W}: system must be a SpinSystem (kind "spin")`);
    if (options.n !== undefined && options.n !== s.n) throw new Error(`${W}: n = ${String(options.n)} but system has n = ${s.n}`);
    const J = Float64Array.from(s.edges.J, (v) => v * scale);
    return relabel(W, () => new SparsePottsSystem({ n: s.n, q, edges: { i: s.edges.i, j: s.edges.j, J }, fields: options.fields ?? null, geometry: s.geometry, name: options.name ?? `potts q=${q} on ${s.name}${scale !== 1 ? ` scale=${scale}` : ""}` }));
  }
  const n = checkInteger(options.n, "n", W, { min: 1 });
  return relabel(W, () => {
    const base = new SparseSpinSystem({ n, edges: options.edges!, energyPath: "sparse" });
    const J = Float64Array.from(base.edges.J, (v) => v * scale);
    return new SparsePottsSystem({ n, q, edges: { i: base.edges.i, j: base.edges.j, J }, fields: options.fields ?? null, name: options.name });
  });
}

/** Checks that `system` is a PottsSystem (kind "potts"); for the functions taking one. */
export function checkPottsSystem(system: unknown, where: string): PottsSystem {
  if (system === null || typeof system !== "object" || (system as { kind?: unknown }).kind !== "potts") throw new Error(`${where}: system must be a PottsSystem (kind "potts")`);
  return system as PottsSystem;
}
