/**
 * Coupling instances on disk.
 *
 * JSON: `{"n": N, "edges": [[i, j, J_ij], ...], "fields": [h_0, ...],
 *         "geometry": {"grid": [rows, cols], "periodic": [bool, bool]}, "name": "..."}`
 * with `fields`, `geometry` and `name` optional; grid sites are numbered
 * row-major (r·cols + c; a 3-D grid lists three sizes).
 *
 * NPZ: a `scipy.sparse.save_npz` CSR (or CSC) matrix holding the upper
 * triangle of J, as published with the TwoBo paper. The geometry is taken
 * from `options.geometry`, else inferred from TwoBo file names
 * (`2D_EA_PM_L{L}_k` → periodic L×L grid, `3D_EA_PM_L{L}_k` → periodic L³),
 * else none.
 *
 * Invalid instances throw an Error naming the file and what is wrong; nothing
 * is half-loaded.
 */
import fs from "node:fs";
import path from "node:path";
import { checkKeys } from "../core/validate";
import { SparseSpinSystem } from "../systems/spin";
import type { Geometry, SpinSystem } from "../systems/types";
import { parseNpz } from "./npz";

/** The JSON instance document. */
export interface InstanceJSON {
  n: number;
  edges: Array<[number, number, number]>;
  fields?: number[];
  geometry?: Geometry;
  name?: string;
}

/** Builds a system from a parsed JSON instance document (validated). */
export function instanceFromJSON(doc: unknown, where = "instanceFromJSON"): SparseSpinSystem {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new Error(`${where}: an instance must be a JSON object {n, edges, fields?, geometry?}`);
  const d = doc as Record<string, unknown>;
  const extra = Object.keys(d).filter((k) => !["n", "edges", "fields", "geometry", "name"].includes(k));
  if (extra.length > 0) throw new Error(`${where}: unknown key${extra.length > 1 ? "s" : ""} ${extra.map((k) => `"${k}"`).join(", ")} (known: n, edges, fields, geometry, name)`);
  if (d.n === undefined) throw new Error(`${where}: missing "n"`);
  if (d.edges === undefined) throw new Error(`${where}: missing "edges"`);
  if (!Array.isArray(d.edges)) throw new Error(`${where}: "edges" must be an array of [i, j, J] triples`);
  if (d.fields !== undefined && d.fields !== null && !Array.isArray(d.fields)) throw new Error(`${where}: "fields" must be an array of numbers`);
  if (d.name !== undefined && typeof d.name !== "string") throw new Error(`${where}: "name" must be a string`);
  try {
    return new SparseSpinSystem({
      n: d.n as number,
      edges: d.edges as Array<[number, number, number]>,
      fields: (d.fields as number[] | undefined) ?? null,
      geometry: (d.geometry as Geometry | undefined) ?? null,
      name: (d.name as string | undefined) ?? `instance n=${String(d.n)}`,
    });
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message.replace(/^spinSystem: /, "")}`);
  }
}

/** The JSON instance document of a system (edges i < j in stored order). */
export function instanceToJSON(system: SpinSystem): InstanceJSON {
  const edges: Array<[number, number, number]> = [];
  for (let k = 0; k < system.edges.i.length; k++) edges.push([system.edges.i[k], system.edges.j[k], system.edges.J[k]]);
  const doc: InstanceJSON = { n: system.n, edges };
  if (system.fields !== null) doc.fields = Array.from(system.fields);
  if (system.geometry !== null) doc.geometry = { grid: [...system.geometry.grid], periodic: [...system.geometry.periodic] };
  doc.name = system.name;
  return doc;
}

export interface SaveInstanceOptions {
  /** Pretty-print (default false: one line per edge is not attempted, compact JSON). */
  pretty?: boolean;
}

/** Writes a system as a JSON instance file. */
export function saveInstance(system: SpinSystem, file: string, options: SaveInstanceOptions = {}): void {
  checkKeys(options, ["pretty"], "saveInstance");
  if (typeof file !== "string" || file.length === 0) throw new Error("saveInstance: file must be a non-empty path");
  if (system === null || typeof system !== "object" || system.kind !== "spin") throw new Error("saveInstance: system must be a SpinSystem");
  const text = JSON.stringify(instanceToJSON(system), null, options.pretty === true ? 1 : undefined);
  fs.writeFileSync(file, text + "\n");
}

export interface LoadInstanceOptions {
  /** Geometry for an `.npz` instance (overrides the one inferred from a TwoBo file name). */
  geometry?: Geometry | null;
  /** Force the format instead of going by the extension. */
  format?: "json" | "npz";
}

/** TwoBo names: 2D_EA_PM_L{L}_k, 3D_EA_PM_L{L}_k (periodic grids). */
export function twoboGeometry(file: string, n: number): Geometry | null {
  const base = path.basename(file);
  const m = /^([23])D_EA_[A-Z]+_L(\d+)_/.exec(base);
  if (m === null) return null;
  const dim = Number(m[1]);
  const L = Number(m[2]);
  if (L ** dim !== n) return null;
  return { grid: new Array<number>(dim).fill(L), periodic: new Array<boolean>(dim).fill(true) };
}

/** Builds a system from the bytes of a scipy `save_npz` upper-triangular coupling matrix. */
export function instanceFromNpz(bytes: Uint8Array, options: { geometry?: Geometry | null; name?: string; where?: string } = {}): SparseSpinSystem {
  const where = options.where ?? "instanceFromNpz";
  const arrays = parseNpz(bytes, where);
  const get = (k: string) => {
    const a = arrays.get(k);
    if (a === undefined) throw new Error(`${where}: not a scipy sparse matrix (missing "${k}.npy"; members: ${[...arrays.keys()].join(", ")})`);
    return a;
  };
  const fmtArr = get("format");
  const format = Array.isArray(fmtArr.data) ? fmtArr.data[0] : undefined;
  if (format !== "csr" && format !== "csc") throw new Error(`${where}: sparse format ${JSON.stringify(format)} is not supported (csr or csc)`);
  const shape = get("shape").data;
  if (Array.isArray(shape) || shape.length !== 2) throw new Error(`${where}: "shape" must hold two integers`);
  const [rows, cols] = [shape[0], shape[1]];
  if (rows !== cols || rows < 1) throw new Error(`${where}: the coupling matrix must be square, got ${rows}×${cols}`);
  const n = rows;
  const indptr = get("indptr").data;
  const indices = get("indices").data;
  const data = get("data").data;
  if (Array.isArray(indptr) || Array.isArray(indices) || Array.isArray(data)) throw new Error(`${where}: indptr, indices and data must be numeric`);
  if (indptr.length !== n + 1) throw new Error(`${where}: indptr has length ${indptr.length}, expected ${n + 1}`);
  const nnz = indptr[n];
  if (indptr[0] !== 0 || nnz !== indices.length || nnz !== data.length) {
    throw new Error(`${where}: inconsistent CSR arrays (indptr[0] = ${indptr[0]}, indptr[n] = ${nnz}, ${indices.length} indices, ${data.length} values)`);
  }
  const I = new Int32Array(nnz);
  const Jn = new Int32Array(nnz);
  for (let r = 0; r < n; r++) {
    if (indptr[r + 1] < indptr[r]) throw new Error(`${where}: indptr decreases at row ${r}`);
    for (let p = indptr[r]; p < indptr[r + 1]; p++) {
      const c = indices[p];
      if (!Number.isInteger(c) || c < 0 || c >= n) throw new Error(`${where}: entry ${p}: column index ${c} out of range [0, ${n})`);
      I[p] = format === "csr" ? r : c;
      Jn[p] = format === "csr" ? c : r;
    }
  }
  const geometry = options.geometry ?? null;
  try {
    return new SparseSpinSystem({ n, edges: { i: I, j: Jn, J: data }, geometry, name: options.name ?? `instance n=${n}` });
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message.replace(/^spinSystem: /, "")}`);
  }
}

/** Loads an instance file: JSON (`.json`) or a TwoBo/scipy `.npz`, by extension. */
export function loadInstance(file: string, options: LoadInstanceOptions = {}): SparseSpinSystem {
  checkKeys(options, ["geometry", "format"], "loadInstance");
  if (typeof file !== "string" || file.length === 0) throw new Error("loadInstance: file must be a non-empty path");
  const ext = path.extname(file).toLowerCase();
  const format = options.format ?? (ext === ".npz" ? "npz" : ext === ".json" ? "json" : null);
  if (format === null) throw new Error(`loadInstance: cannot tell the format of ${file} (use a .json or .npz extension or options.format)`);
  if (format !== "json" && format !== "npz") throw new Error(`loadInstance: options.format must be "json" or "npz", got ${String(format)}`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`loadInstance: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const where = `loadInstance(${path.basename(file)})`;
  if (format === "json") {
    let doc: unknown;
    try {
      doc = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      throw new Error(`${where}: malformed JSON (${(e as Error).message})`);
    }
    if (options.geometry !== undefined && typeof doc === "object" && doc !== null) (doc as Record<string, unknown>).geometry = options.geometry ?? undefined;
    if (typeof doc === "object" && doc !== null && (doc as Record<string, unknown>).name === undefined) (doc as Record<string, unknown>).name = path.basename(file, ext);
    return instanceFromJSON(doc, where);
  }
  const probe = parseNpzShapeN(bytes);
  const geometry = options.geometry !== undefined ? options.geometry : probe === null ? null : twoboGeometry(file, probe);
  return instanceFromNpz(bytes, { geometry, name: path.basename(file, ext), where });
}

/** n of an npz coupling matrix, or null if it cannot be read (the full reader reports the error). */
function parseNpzShapeN(bytes: Uint8Array): number | null {
  try {
    const s = parseNpz(bytes).get("shape");
    return s !== undefined && !Array.isArray(s.data) ? s.data[0] : null;
  } catch {
    return null;
  }
}
