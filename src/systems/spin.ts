/**
 * The general sparse Ising-type system: E(s) = −Σ_{(i,j)} J_ij s_i s_j − Σ_i h_i s_i, s_i = ±1.
 *
 * Built from a coupling list (each undirected edge once), optional fields and
 * optional grid geometry. Holds CSR neighbour lists for the scalar Monte Carlo
 * path (`energyOf`, `localField`, `deltaE` in float64 on typed arrays) and a
 * batched tfjs energy on `[batch, n]` tensors: sparse gathers for sparse
 * couplings, a dense matrix product when the couplings are dense (SK,
 * Curie–Weiss). Nothing is cached on the tensor side, so a system owns no
 * tensors and needs no `dispose()`.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { checkKeys } from "../core/validate";
import type { Geometry, SpinSystem } from "./types";

/** One coupling: `[i, j, J_ij]`. */
export type EdgeTriple = readonly [number, number, number];

/** Couplings as parallel arrays (each undirected edge once). */
export interface EdgeArrays {
  i: ArrayLike<number>;
  j: ArrayLike<number>;
  J: ArrayLike<number>;
}

export interface SpinSystemOptions {
  /** Number of spins. */
  n: number;
  /** Couplings, as `[[i, j, J], ...]` or parallel arrays `{i, j, J}`; each pair at most once, i ≠ j. */
  edges: ReadonlyArray<EdgeTriple> | EdgeArrays;
  /** Fields h_i (length n); omitted, null or all zero means no field. */
  fields?: ArrayLike<number> | null;
  /** Grid geometry (sizes per dimension, periodic per dimension); the product of sizes must be n. */
  geometry?: Geometry | null;
  /** A short human-readable name. */
  name?: string;
  /**
   * Batched-energy path: "sparse" (gathers), "dense" (matrix product) or "auto"
   * (dense when the couplings fill more than a quarter of the pairs). Default "auto".
   */
  energyPath?: "auto" | "sparse" | "dense";
}

const WHERE = "spinSystem";

function isEdgeArrays(e: unknown): e is EdgeArrays {
  return typeof e === "object" && e !== null && !Array.isArray(e) && "i" in e && "j" in e && "J" in e;
}

/** Validates a geometry object against n; returns a frozen copy. */
export function checkGeometry(g: unknown, n: number, where: string): Geometry {
  if (typeof g !== "object" || g === null) throw new Error(`${where}: geometry must be an object {grid, periodic}, got ${String(g)}`);
  const obj = g as { grid?: unknown; periodic?: unknown };
  if (!Array.isArray(obj.grid) || obj.grid.length === 0) throw new Error(`${where}: geometry.grid must be a non-empty array of sizes`);
  const grid = obj.grid.map((x, k) => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < 1) throw new Error(`${where}: geometry.grid[${k}] must be a positive integer, got ${String(x)}`);
    return x;
  });
  const per = obj.periodic === undefined ? grid.map(() => false) : obj.periodic;
  if (!Array.isArray(per) || per.length !== grid.length) throw new Error(`${where}: geometry.periodic must be an array of ${grid.length} booleans`);
  const periodic = per.map((x, k) => {
    if (typeof x !== "boolean") throw new Error(`${where}: geometry.periodic[${k}] must be a boolean, got ${String(x)}`);
    return x;
  });
  const prod = grid.reduce((a, b) => a * b, 1);
  if (prod !== n) throw new Error(`${where}: geometry.grid [${grid.join(", ")}] has ${prod} sites but n = ${n}`);
  return Object.freeze({ grid: Object.freeze(grid) as number[], periodic: Object.freeze(periodic) as boolean[] });
}

/** The general sparse spin system. Construct with `spinSystem({...})` or `new SparseSpinSystem({...})`. */
export class SparseSpinSystem implements SpinSystem {
  readonly kind = "spin" as const;
  readonly n: number;
  readonly name: string;
  readonly edges: { readonly i: Int32Array; readonly j: Int32Array; readonly J: Float64Array };
  readonly fields: Float64Array | null;
  readonly geometry: Geometry | null;
  readonly neighbors: { readonly offsets: Int32Array; readonly index: Int32Array; readonly J: Float64Array };
  /** Which batched-energy path `energy` uses. */
  readonly energyPath: "sparse" | "dense";
  private f32: { i: Int32Array; j: Int32Array; J: Float32Array; h: Float32Array | null; W: Float32Array | null };

  constructor(options: SpinSystemOptions) {
    checkKeys(options, ["n", "edges", "fields", "geometry", "name", "energyPath"], WHERE);
    if (options === undefined || options === null) throw new Error(`${WHERE}: options {n, edges} are required`);
    const n = options.n;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw new Error(`${WHERE}: n must be a positive integer, got ${String(n)}`);
    if (n > 2 ** 26) throw new Error(`${WHERE}: n = ${n} is too large`);
    this.n = n;
    // ---- edges
    const e = options.edges;
    let m: number;
    let get: (k: number) => [unknown, unknown, unknown];
    if (Array.isArray(e)) {
      m = e.length;
      get = (k) => {
        const t = e[k] as unknown;
        if (!Array.isArray(t) || t.length !== 3) throw new Error(`${WHERE}: edges[${k}] must be a triple [i, j, J], got ${JSON.stringify(t)}`);
        return [t[0], t[1], t[2]];
      };
    } else if (isEdgeArrays(e)) {
      m = e.i.length;
      if (e.j.length !== m || e.J.length !== m) throw new Error(`${WHERE}: edges.i, edges.j and edges.J must have equal lengths (${e.i.length}, ${e.j.length}, ${e.J.length})`);
      get = (k) => [e.i[k], e.j[k], e.J[k]];
    } else {
      throw new Error(`${WHERE}: edges must be an array of [i, j, J] triples or {i, j, J} arrays`);
    }
    const I = new Int32Array(m);
    const Jn = new Int32Array(m);
    const Jv = new Float64Array(m);
    const seen = new Map<number, number>();
    for (let k = 0; k < m; k++) {
      const [a, b, c] = get(k);
      if (typeof a !== "number" || !Number.isInteger(a) || a < 0 || a >= n) throw new Error(`${WHERE}: edge ${k}: index i = ${String(a)} out of range [0, ${n})`);
      if (typeof b !== "number" || !Number.isInteger(b) || b < 0 || b >= n) throw new Error(`${WHERE}: edge ${k}: index j = ${String(b)} out of range [0, ${n})`);
      if (a === b) throw new Error(`${WHERE}: edge ${k}: self-loop on site ${a}`);
      if (typeof c !== "number" || !Number.isFinite(c)) throw new Error(`${WHERE}: edge ${k} (${a}, ${b}): coupling must be a finite number, got ${String(c)}`);
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      const key = lo * n + hi;
      const prev = seen.get(key);
      if (prev !== undefined) throw new Error(`${WHERE}: edge ${k}: duplicated edge (${lo}, ${hi}), first given as edge ${prev}`);
      seen.set(key, k);
      I[k] = lo;
      Jn[k] = hi;
      Jv[k] = c;
    }
    this.edges = { i: I, j: Jn, J: Jv };
    // ---- fields
    let h: Float64Array | null = null;
    if (options.fields !== undefined && options.fields !== null) {
      const f = options.fields;
      if (typeof f !== "object" || typeof (f as ArrayLike<number>).length !== "number") throw new Error(`${WHERE}: fields must be an array of ${n} numbers`);
      if (f.length !== n) throw new Error(`${WHERE}: fields has length ${f.length}, expected n = ${n}`);
      h = new Float64Array(n);
      let any = false;
      for (let k = 0; k < n; k++) {
        const v = f[k];
        if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${WHERE}: fields[${k}] must be a finite number, got ${String(v)}`);
        h[k] = v;
        if (v !== 0) any = true;
      }
      if (!any) h = null;
    }
    this.fields = h;
    this.geometry = options.geometry === undefined || options.geometry === null ? null : checkGeometry(options.geometry, n, WHERE);
    this.name = options.name ?? `spin-system n=${n} m=${m}`;
    if (typeof this.name !== "string") throw new Error(`${WHERE}: name must be a string`);
    // ---- CSR neighbour lists (neighbours of each site sorted by index)
    const deg = new Int32Array(n + 1);
    for (let k = 0; k < m; k++) {
      deg[I[k] + 1]++;
      deg[Jn[k] + 1]++;
    }
    for (let v = 0; v < n; v++) deg[v + 1] += deg[v];
    const offsets = deg;
    const fill = offsets.slice(0, n);
    const index = new Int32Array(2 * m);
    const NJ = new Float64Array(2 * m);
    for (let k = 0; k < m; k++) {
      const a = I[k];
      const b = Jn[k];
      index[fill[a]] = b;
      NJ[fill[a]++] = Jv[k];
      index[fill[b]] = a;
      NJ[fill[b]++] = Jv[k];
    }
    for (let v = 0; v < n; v++) {
      // insertion sort of each (short) row by neighbour index
      const lo = offsets[v];
      const hi = offsets[v + 1];
      for (let p = lo + 1; p < hi; p++) {
        const x = index[p];
        const y = NJ[p];
        let q = p - 1;
        while (q >= lo && index[q] > x) {
          index[q + 1] = index[q];
          NJ[q + 1] = NJ[q];
          q--;
        }
        index[q + 1] = x;
        NJ[q + 1] = y;
      }
    }
    this.neighbors = { offsets, index, J: NJ };
    // ---- batched-energy path
    const path = options.energyPath ?? "auto";
    if (path !== "auto" && path !== "sparse" && path !== "dense") throw new Error(`${WHERE}: energyPath must be "auto", "sparse" or "dense", got ${String(path)}`);
    const dense = path === "dense" || (path === "auto" && n >= 2 && m > (n * (n - 1)) / 8 && n <= 8192);
    this.energyPath = dense ? "dense" : "sparse";
    this.f32 = { i: I, j: Jn, J: Float32Array.from(Jv), h: h === null ? null : Float32Array.from(h), W: null };
    if (dense) {
      const W = new Float32Array(n * n);
      for (let k = 0; k < m; k++) {
        W[I[k] * n + Jn[k]] = Jv[k];
        W[Jn[k] * n + I[k]] = Jv[k];
      }
      this.f32.W = W;
    }
  }

  /** Number of couplings. */
  get numEdges(): number {
    return this.edges.i.length;
  }

  /** Batched energies of a `[batch, n]` float32 tensor of ±1 → `[batch]`; differentiable w.r.t. s. */
  energy(s: tf.Tensor2D): tf.Tensor1D {
    ensureBackend();
    if (!(s instanceof tf.Tensor) || s.rank !== 2 || s.shape[1] !== this.n) {
      const shape = s instanceof tf.Tensor ? `[${s.shape.join(", ")}]` : String(s);
      throw new Error(`${this.name}.energy: s must be a [batch, ${this.n}] tensor, got ${shape}`);
    }
    const f = this.f32;
    const n = this.n;
    return tf.tidy(() => {
      const x = s.dtype === "float32" ? s : tf.cast(s, "float32");
      const batch = x.shape[0];
      let e: tf.Tensor1D;
      if (f.i.length === 0) e = tf.zeros([batch]);
      else if (f.W !== null) {
        const W = tf.tensor2d(f.W, [n, n]);
        // E = −½ s W sᵀ (W symmetric with both triangles filled)
        e = tf.mul(tf.sum(tf.mul(tf.matMul(x, W), x), 1), -0.5) as tf.Tensor1D;
      } else {
        const si = tf.gather(x, tf.tensor1d(f.i, "int32"), 1);
        const sj = tf.gather(x, tf.tensor1d(f.j, "int32"), 1);
        e = tf.neg(tf.squeeze(tf.matMul(tf.mul(si, sj), tf.tensor2d(f.J, [f.J.length, 1])), [1])) as tf.Tensor1D;
      }
      if (f.h !== null) e = tf.sub(e, tf.squeeze(tf.matMul(x, tf.tensor2d(f.h, [n, 1])), [1])) as tf.Tensor1D;
      return e;
    });
  }

  /** Energy of one configuration (±1 entries), in float64. */
  energyOf(s: ArrayLike<number>): number {
    if (s.length !== this.n) throw new Error(`${this.name}.energyOf: s has length ${s.length}, expected ${this.n}`);
    const { i, j, J } = this.edges;
    let e = 0;
    for (let k = 0; k < i.length; k++) e -= J[k] * s[i[k]] * s[j[k]];
    const h = this.fields;
    if (h !== null) for (let k = 0; k < this.n; k++) e -= h[k] * s[k];
    return e;
  }

  /** Local field h_i + Σ_j J_ij s_j of site i. */
  localField(s: ArrayLike<number>, i: number): number {
    const { offsets, index, J } = this.neighbors;
    let f = this.fields === null ? 0 : this.fields[i];
    for (let p = offsets[i], end = offsets[i + 1]; p < end; p++) f += J[p] * s[index[p]];
    return f;
  }

  /** Energy change of flipping spin i: 2 s_i (h_i + Σ_j J_ij s_j). */
  deltaE(s: ArrayLike<number>, i: number): number {
    return 2 * s[i] * this.localField(s, i);
  }

  /** The couplings as `[[i, j, J], ...]` (i < j). */
  edgeList(): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    for (let k = 0; k < this.edges.i.length; k++) out.push([this.edges.i[k], this.edges.j[k], this.edges.J[k]]);
    return out;
  }
}

/** The general sparse spin system from a coupling list, optional fields and optional geometry. */
export function spinSystem(options: SpinSystemOptions): SparseSpinSystem {
  return new SparseSpinSystem(options);
}
