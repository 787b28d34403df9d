/**
 * The runner's bookkeeping, free of any physics: point seeds, shard
 * assignment, settings overrides, per-point result files (one small JSON per
 * point, written atomically, so a figure interrupted at any moment resumes
 * from the points it finished), and provenance (version, git commit, backend).
 *
 * Seeds. The point with id `p` of figure `F` run with seed `s` gets the seed
 * hash(s, F, p) and draws nothing else: its numbers are the same whether it is
 * computed alone, in any shard, or after a resume. Draws that all points must
 * share (the SK instance, the MCMC data set) use hash(s, F, "shared:" + tag).
 *
 * Shards. Shard K of N (1 ≤ K ≤ N) holds the points whose index in the
 * figure's fixed point order is ≡ K − 1 (mod N).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../core/errors";
import type { Cell, FigureDefinition, FigurePoint, Row, Settings } from "./types";

/** A 31-bit seed from strings (FNV-1a, then a splitmix finaliser). */
export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  const text = parts.map(String).join("\u0000");
  for (let k = 0; k < text.length; k++) {
    h ^= text.charCodeAt(k);
    h = Math.imul(h, 0x01000193);
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) & 0x7fffffff;
}

/** A shard: `index` of `count`, both 1-based. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses "K/N" (1 ≤ K ≤ N). */
export function parseShard(text: unknown, where: string): Shard {
  const m = typeof text === "string" ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text) : null;
  if (m === null) throw new UsageError(`${where}: shard must be "K/N" with whole numbers 1 ≤ K ≤ N, got ${JSON.stringify(text)}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UsageError(`${where}: shard "${text as string}": N must be ≥ 1`);
  if (index < 1 || index > count) throw new UsageError(`${where}: shard "${text as string}": K must be between 1 and N = ${count}, got ${index}`);
  return { index, count };
}

/** True when the point at `position` of the figure's order belongs to `shard`. */
export function inShard(position: number, shard: Shard | null): boolean {
  return shard === null || position % shard.count === shard.index - 1;
}

function sameShape(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && b.every((v) => typeof v === typeof (a[0] ?? v));
  return typeof a === typeof b;
}

/**
 * The figure's settings: `base` (quick or full) with `overrides` applied.
 * An override must name a known setting and keep its type (a number for a
 * number, an array for an array).
 */
export function resolveSettings<S extends Settings>(def: FigureDefinition<S>, full: boolean, overrides: unknown, where: string): S {
  const base = full ? def.full : def.quick;
  if (overrides === undefined) return { ...base };
  if (overrides === null || typeof overrides !== "object" || Array.isArray(overrides)) throw new UsageError(`${where}: settings must be an object`);
  const out: Settings = { ...base };
  for (const [k, v] of Object.entries(overrides as Record<string, unknown>)) {
    if (!(k in base)) throw new UsageError(`${where}: unknown setting "${k}" of ${def.name} (known: ${Object.keys(base).join(", ")})`);
    if (!sameShape(base[k], v)) {
      throw new UsageError(`${where}: setting "${k}" of ${def.name} must be ${Array.isArray(base[k]) ? "an array" : `a ${typeof base[k]}`} like ${JSON.stringify(base[k])}, got ${JSON.stringify(v)}`);
    }
    out[k] = v as Settings[string];
  }
  return out as S;
}

/** What makes two runs' points interchangeable: figure, setting and seed. */
export interface Fingerprint {
  figure: string;
  full: boolean;
  seed: number;
  settings: Settings;
}

/** Canonical JSON (sorted keys), for comparing fingerprints. */
export function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(",")}]`;
  if (x !== null && typeof x === "object") {
    const o = x as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(x);
}

/** Where a point's provenance came from. */
export interface ComputedBy {
  version: string;
  gitCommit: string | null;
  backend: string;
  threads: number;
  host: string;
}

/** One point's result file. */
export interface PointRecord {
  format: "boltzlab-figure-point-1";
  fingerprint: Fingerprint;
  id: string;
  point: FigurePoint;
  seed: number;
  rows: Row[];
  seconds: number;
  computedBy: ComputedBy;
}

/** The folder of a figure's per-point files inside an output directory. */
export function pointsDir(out: string, figure: string): string {
  return path.join(out, `${figure}.points`);
}

/** A file name for a point id (ids are checked to map to distinct names). */
export function pointFileName(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._=+-]/g, "_")}.json`;
}

/** Checks a figure's points: unique ids that give distinct file names. */
export function checkPoints(def: FigureDefinition, points: FigurePoint[]): void {
  const names = new Set<string>();
  for (const p of points) {
    const f = pointFileName(p.id);
    if (names.has(f)) throw new Error(`figures: ${def.name} has two points named "${p.id}" (file ${f})`);
    names.add(f);
  }
}

/** Writes `data` to `file` atomically (a temporary file renamed into place). */
export function writeAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Writes one point's result file. */
export function writePoint(out: string, record: PointRecord): void {
  writeAtomic(path.join(pointsDir(out, record.fingerprint.figure), pointFileName(record.id)), JSON.stringify(record, null, 1) + "\n");
}

/**
 * Reads a directory's point files of `figure` (none: an empty list). A file
 * that is not a point record of this figure is an error naming it.
 */
export function readPoints(out: string, figure: string, where: string): PointRecord[] {
  const dir = pointsDir(out, figure);
  if (!fs.existsSync(dir)) return [];
  const records: PointRecord[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith(".json")) continue; // temporary files of an interrupted write
    const file = path.join(dir, f);
    let r: PointRecord;
    try {
      r = JSON.parse(fs.readFileSync(file, "utf8")) as PointRecord;
    } catch (e) {
      throw new UsageError(`${where}: ${file} is not a point result (${(e as Error).message.split("\n")[0]})`);
    }
    if (r === null || typeof r !== "object" || r.format !== "boltzlab-figure-point-1" || r.fingerprint?.figure !== figure || !Array.isArray(r.rows)) {
      throw new UsageError(`${where}: ${file} is not a point result of ${figure}`);
    }
    records.push(r);
  }
  return records;
}

/** The difference between two fingerprints, in words (for error messages). */
export function describeMismatch(a: Fingerprint, b: Fingerprint): string {
  const parts: string[] = [];
  if (a.full !== b.full) parts.push(`${a.full ? "--full" : "quick"} vs ${b.full ? "--full" : "quick"}`);
  if (a.seed !== b.seed) parts.push(`seed ${a.seed} vs ${b.seed}`);
  for (const k of new Set([...Object.keys(a.settings), ...Object.keys(b.settings)])) {
    if (canonical(a.settings[k]) !== canonical(b.settings[k])) parts.push(`${k} ${JSON.stringify(a.settings[k])} vs ${JSON.stringify(b.settings[k])}`);
  }
  return parts.join(", ") || "different settings";
}

/** Throws unless `dir` is a directory we may write in or can create. Creates nothing. */
export function checkOutDir(dir: unknown, where: string): string {
  if (typeof dir !== "string" || dir.trim() === "") throw new UsageError(`${where}: out must be a directory path, got ${JSON.stringify(dir)}`);
  let probe = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(probe)) {
      if (!fs.statSync(probe).isDirectory()) throw new UsageError(`${where}: out ${dir} ${probe === path.resolve(dir) ? "is an existing file, not a directory" : `cannot be created: ${probe} is a file`}`);
      try {
        fs.accessSync(probe, fs.constants.W_OK | fs.constants.X_OK);
      } catch {
        throw new UsageError(`${where}: out ${dir} is not writable (${probe})`);
      }
      return dir;
    }
    const up = path.dirname(probe);
    if (up === probe) throw new UsageError(`${where}: out ${dir} cannot be created`);
    probe = up;
  }
}

let commit: string | null | undefined;
let dirty: boolean | null | undefined;

/**
 * The git commit of the boltzlab checkout this code runs from, or null when
 * it does not run from a checkout (an installed package) or git is missing.
 */
export function gitCommit(): string | null {
  if (commit !== undefined) return commit;
  const root = path.resolve(__dirname, "..", "..");
  try {
    const top = execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    commit = path.resolve(top) === root ? execFileSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() : null;
  } catch {
    commit = null;
  }
  return commit;
}

/** Whether the checkout of `gitCommit()` has uncommitted changes to tracked files (null outside a checkout). */
export function gitDirty(): boolean | null {
  if (dirty !== undefined) return dirty;
  if (gitCommit() === null) return (dirty = null);
  try {
    const out = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: path.resolve(__dirname, "..", ".."), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    dirty = out.trim() !== "";
  } catch {
    dirty = null;
  }
  return dirty;
}

/** The rows of all points in the figure's order, each row completed to the figure's columns (missing → null). */
export function tidyRows(def: FigureDefinition, records: PointRecord[]): Row[] {
  const rows: Row[] = [];
  for (const r of records) {
    for (const row of r.rows) {
      const extra = Object.keys(row).filter((k) => !def.columns.includes(k));
      if (extra.length > 0) throw new Error(`figures: ${def.name} point "${r.id}" has columns ${extra.join(", ")} outside its declared columns`);
      const out: Row = {};
      for (const c of def.columns) out[c] = (row[c] ?? null) as Cell;
      rows.push(out);
    }
  }
  return rows;
}

/** For a figure's `points`: throws unless every value is a number > 0 (inverse temperatures). */
export function checkBetas(values: ReadonlyArray<number>, name: string, figure: string): void {
  for (const b of values) if (typeof b !== "number" || !(b > 0) || !Number.isFinite(b)) throw new Error(`${figure}: ${name} must be numbers > 0, got ${JSON.stringify(b)}`);
}

/** For a figure's `points`: throws unless `v` is an integer ≥ `min`. */
export function checkCount(v: number, name: string, figure: string, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${figure}: ${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
}
