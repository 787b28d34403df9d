/**
 * `run(name, options)`: compute a figure's points (all, one shard, or only
 * those not yet on disk) and write NAME.csv (tidy rows), NAME.svg and
 * NAME.png (the chart) and NAME.json (provenance) once every point is there;
 * `run(name, {merge: [dirs]})` combines shards' per-point results into the
 * same files. `list()` describes every figure. See ./store.ts for seeds,
 * shards and point files.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { backendInfo } from "../core/backend";
import { UsageError } from "../core/errors";
import { progress as progressBar } from "../core/progress";
import { Rng } from "../core/random";
import { frameFromRows, polars } from "../core/table";
import { loadPlotting } from "../plot/render";
import { savePlot } from "../plot/show";
import { version } from "../version";
import { FIGURES, UNAVAILABLE } from "./registry";
import {
  canonical, checkOutDir, checkPoints, describeMismatch, gitCommit, gitDirty, hashSeed, inShard, parseShard, readPoints, resolveSettings, tidyRows,
  writeAtomic, writePoint, type ComputedBy, type Fingerprint, type PointRecord, type Shard,
} from "./store";
import type { Cell, FigureDefinition, FigurePoint, Row, Settings } from "./types";

export interface FigureRunOptions {
  /** The paper's (or largest practical) setting instead of the quick one (default false). */
  full?: boolean;
  /** Output directory (default "."). With it given, each point's result is kept in OUT/NAME.points/ as it finishes, and a rerun computes only the missing points. */
  out?: string;
  /** Figure seed (default 0): every point's seed is derived from it and the point's id. */
  seed?: number;
  /** "K/N": compute only shard K of N (needs `out`); the figure files are written once all points are in `out`. */
  shard?: string;
  /** Progress bar: true/false forces, undefined = automatic. */
  progress?: boolean;
  /** Overrides of single settings (e.g. fewer β values or steps for a test); the keys must be the figure's settings. */
  settings?: Record<string, unknown>;
  /** Compute at most this many points, then stop (a time-limited job; the next run resumes). Needs `out`. */
  maxPoints?: number;
  /** Directories of per-point results (shards) to combine into the figure files in `out`; excludes full, seed, shard, settings and maxPoints (they come from the results). */
  merge?: string[];
  /** The command recorded in the provenance (default: this call as JSON). */
  command?: string;
}

export interface FigureRunResult {
  figure: string;
  /** True when every point is there and the figure files were written. */
  complete: boolean;
  /** Paths of NAME.csv, .svg, .png and .json (null until complete). */
  files: { csv: string; svg: string; png: string; json: string } | null;
  /** Points of the figure, computed in this run, reused from `out`, still missing (ids). */
  points: number;
  computed: number;
  reused: number;
  missing: string[];
  /** The figure's headline numbers (null until complete). */
  headline: Record<string, Cell> | null;
  /** The tidy rows written to the CSV (of the points present). */
  rows: Row[];
  /** Seconds for the whole call. */
  wallSeconds: number;
}

/** One figure as `list()` describes it. */
export interface FigureInfo {
  name: string;
  title: string;
  paper: string;
  summary: string;
  available: boolean;
  /** Why not, for a figure that is not available yet. */
  reason: string | null;
  /** Points and expected minutes on 2 cores in the quick and full settings (null when unavailable). */
  quick: { points: number; minutes: number } | null;
  full: { points: number; minutes: number } | null;
}

/** Every figure: the implemented ones, then those not yet available (with why). */
export function list(): FigureInfo[] {
  const out: FigureInfo[] = FIGURES.map((f) => ({
    name: f.name, title: f.title, paper: f.paper, summary: f.summary, available: true, reason: null,
    quick: { points: f.points(f.quick).length, minutes: f.minutes.quick },
    full: { points: f.points(f.full).length, minutes: f.minutes.full },
  }));
  for (const u of UNAVAILABLE) out.push({ ...u, available: false, quick: null, full: null });
  return out;
}

const KNOWN = ["full", "out", "seed", "shard", "progress", "settings", "maxPoints", "merge", "command"];

function figureOf(name: unknown, where: string): FigureDefinition {
  const def = FIGURES.find((f) => f.name === name);
  if (def !== undefined) return def;
  const u = UNAVAILABLE.find((f) => f.name === name);
  if (u !== undefined) throw new UsageError(`${where}: figure "${u.name}" is not available yet: ${u.reason}`);
  throw new UsageError(`${where}: unknown figure ${JSON.stringify(name)} (figures: ${FIGURES.map((f) => f.name).join(", ")})`);
}

function computedBy(): ComputedBy {
  const b = backendInfo();
  return { version, gitCommit: gitCommit(), backend: b.name, threads: b.threads, host: os.hostname() };
}

function missingMessage(where: string, def: FigureDefinition, ids: string[], dirs: string[]): string {
  const shown = ids.slice(0, 8).join(", ");
  return `${where}: ${def.name}: ${ids.length} of the figure's points are missing from ${dirs.join(", ")}: ${shown}${ids.length > 8 ? `, … (${ids.length - 8} more)` : ""}`;
}

/**
 * Run a figure (see the module doc). Every argument is checked before any
 * work: an unknown figure, a bad shard, an override of an unknown setting,
 * an output directory holding points of other settings, merge directories
 * missing points — each a `UsageError` naming what is wrong, nothing written.
 */
export async function run(name: string, options: FigureRunOptions = {}): Promise<FigureRunResult> {
  const t0 = performance.now();
  const W = "figures.run";
  if (options === null || typeof options !== "object") throw new UsageError(`${W}: options must be an object`);
  const unknown = Object.keys(options).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) throw new UsageError(`${W}: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")} (known: ${KNOWN.join(", ")})`);
  const def = figureOf(name, W);
  if (options.full !== undefined && typeof options.full !== "boolean") throw new UsageError(`${W}: full must be true or false, got ${JSON.stringify(options.full)}`);
  if (options.progress !== undefined && typeof options.progress !== "boolean") throw new UsageError(`${W}: progress must be true or false, got ${JSON.stringify(options.progress)}`);
  const out = options.out === undefined ? "." : checkOutDir(options.out, W);
  const keep = options.out !== undefined;
  const command = options.command ?? `bz.figures.run(${JSON.stringify(name)}, ${JSON.stringify(options)})`;
  if (options.merge !== undefined) {
    for (const k of ["full", "seed", "shard", "settings", "maxPoints"] as const) {
      if (options[k] !== undefined) throw new UsageError(`${W}: merge takes the setting and seed from the results; do not combine it with ${k}`);
    }
    return merge(def, options.merge, out, command, t0);
  }
  const seed = options.seed ?? 0;
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) throw new UsageError(`${W}: seed must be an integer in [0, 2^31), got ${JSON.stringify(options.seed)}`);
  const shard: Shard | null = options.shard === undefined ? null : parseShard(options.shard, W);
  if (shard !== null && !keep) throw new UsageError(`${W}: shard needs out (the shards' point results are merged from there)`);
  let maxPoints = Infinity;
  if (options.maxPoints !== undefined) {
    if (typeof options.maxPoints !== "number" || !Number.isInteger(options.maxPoints) || options.maxPoints < 0) throw new UsageError(`${W}: maxPoints must be an integer ≥ 0, got ${JSON.stringify(options.maxPoints)}`);
    if (!keep) throw new UsageError(`${W}: maxPoints needs out (the finished points are kept there for the next run)`);
    maxPoints = options.maxPoints;
  }
  const full = options.full ?? false;
  const settings = resolveSettings(def, full, options.settings, W);
  const points = pointsOf(def, settings, W);
  const fingerprint: Fingerprint = { figure: def.name, full, seed, settings };
  const done = new Map<string, PointRecord>();
  if (keep) {
    for (const r of readPoints(out, def.name, W)) {
      if (canonical(r.fingerprint) !== canonical(fingerprint)) {
        throw new UsageError(`${W}: ${path.join(out, `${def.name}.points`)} holds results of another run of ${def.name} (${describeMismatch(r.fingerprint, fingerprint)}); use another out directory or delete it`);
      }
      done.set(r.id, r);
    }
  }
  const tValidated = performance.now();

  const todo = points.filter((p, k) => inShard(k, shard) && !done.has(p.id)).slice(0, maxPoints);
  const reused = points.filter((p, k) => inShard(k, shard) && done.has(p.id)).length;
  const by = computedBy();
  const bar = progressBar({ total: todo.length, label: `figure ${def.name}`, enabled: options.progress });
  for (const p of todo) {
    const record = computeOne(def, settings, fingerprint, p, by);
    done.set(p.id, record);
    if (keep) writePoint(out, record);
    bar.tick(1, `${p.id} (${record.seconds.toFixed(1)} s)`);
    // let a notebook's front end draw the bar between points
    await new Promise((resolve) => setImmediate(resolve));
  }
  bar.done();
  const tPoints = performance.now();

  const present = points.filter((p) => done.has(p.id)).map((p) => done.get(p.id) as PointRecord);
  const rows = tidyRows(def, present);
  const missing = points.filter((p) => !done.has(p.id)).map((p) => p.id);
  const result: FigureRunResult = {
    figure: def.name, complete: false, files: null, points: points.length, computed: todo.length, reused, missing, headline: null, rows, wallSeconds: 0,
  };
  if (missing.length === 0) {
    const stages = { validate: (tValidated - t0) / 1000, points: (tPoints - tValidated) / 1000 };
    const written = await writeFigure(def, settings, fingerprint, present, rows, out, command, stages, [], t0, new Set(todo.map((p) => p.id)));
    result.complete = true;
    result.files = written.files;
    result.headline = written.headline;
  }
  result.wallSeconds = (performance.now() - t0) / 1000;
  return result;
}

/** The figure's points of a setting; a setting the figure refuses (a β ≤ 0, an unknown method) is a usage error. */
function pointsOf(def: FigureDefinition, settings: Settings, where: string): FigurePoint[] {
  let points: FigurePoint[];
  try {
    points = def.points(settings);
  } catch (e) {
    throw new UsageError(`${where}: ${(e as Error).message}`);
  }
  checkPoints(def, points);
  return points;
}

function computeOne(def: FigureDefinition, settings: Settings, fp: Fingerprint, p: FigurePoint, by: ComputedBy): PointRecord {
  const seed = hashSeed(fp.seed, def.name, p.id);
  const t = performance.now();
  const rows = def.computePoint(p, settings, { seed, rng: new Rng(seed), sharedSeed: (tag) => hashSeed(fp.seed, def.name, `shared:${tag}`) });
  return { format: "boltzlab-figure-point-1", fingerprint: fp, id: p.id, point: p, seed, rows, seconds: (performance.now() - t) / 1000, computedBy: by };
}

async function merge(def: FigureDefinition, dirs: unknown, out: string, command: string, t0: number): Promise<FigureRunResult> {
  const W = "figures.run";
  if (!Array.isArray(dirs) || dirs.length === 0 || dirs.some((d) => typeof d !== "string" || d === "")) throw new UsageError(`${W}: merge must be a non-empty list of directories`);
  const records = new Map<string, PointRecord>();
  let fingerprint: Fingerprint | null = null;
  let from = "";
  for (const d of dirs as string[]) {
    if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new UsageError(`${W}: merge directory ${d} does not exist`);
    const rs = readPoints(d, def.name, W);
    if (rs.length === 0) throw new UsageError(`${W}: merge directory ${d} holds no point results of ${def.name} (no ${path.join(d, `${def.name}.points`)})`);
    for (const r of rs) {
      if (fingerprint === null) { fingerprint = r.fingerprint; from = d; }
      else if (canonical(r.fingerprint) !== canonical(fingerprint)) {
        throw new UsageError(`${W}: ${d} and ${from} hold results of different runs of ${def.name} (${describeMismatch(r.fingerprint, fingerprint)})`);
      }
      if (!records.has(r.id)) records.set(r.id, r);
    }
  }
  const fp = fingerprint as Fingerprint;
  const settings = resolveSettings(def, fp.full, fp.settings, W);
  const points = pointsOf(def, settings, W);
  const missing = points.filter((p) => !records.has(p.id)).map((p) => p.id);
  if (missing.length > 0) throw new UsageError(missingMessage(W, def, missing, dirs as string[]));
  const tValidated = performance.now();
  const present = points.map((p) => records.get(p.id) as PointRecord);
  const rows = tidyRows(def, present);
  const stages = { validate: (tValidated - t0) / 1000, points: 0 };
  const written = await writeFigure(def, settings, fp, present, rows, out, command, stages, dirs as string[], t0, new Set());
  return {
    figure: def.name, complete: true, files: written.files, points: points.length, computed: 0, reused: points.length, missing: [],
    headline: written.headline, rows, wallSeconds: (performance.now() - t0) / 1000,
  };
}

/** The CSV of tidy rows; a column of whole numbers only (sizes, steps) is written as integers. */
function csvBytes(rows: Row[]): Uint8Array {
  const pl = polars();
  let df = frameFromRows(rows);
  for (const c of df.columns) {
    const vals = rows.map((r) => r[c]).filter((v) => v !== null);
    if (vals.length > 0 && vals.every((v) => typeof v === "number" && Number.isSafeInteger(v))) df = df.withColumns(pl.col(c).cast(pl.Int64));
  }
  return df.writeCSV() as unknown as Uint8Array;
}

async function writeFigure(
  def: FigureDefinition, settings: Settings, fp: Fingerprint, records: PointRecord[], rows: Row[], out: string, command: string,
  stages: Record<string, number>, mergedFrom: string[], t0: number, computedNow: Set<string>,
): Promise<{ files: { csv: string; svg: string; png: string; json: string }; headline: Record<string, Cell> }> {
  const tFiles = performance.now();
  await loadPlotting();
  const base = path.resolve(out, def.name);
  const files = { csv: `${base}.csv`, svg: `${base}.svg`, png: `${base}.png`, json: `${base}.json` };
  fs.mkdirSync(path.resolve(out), { recursive: true });
  writeAtomic(files.csv, csvBytes(rows));
  const spec = def.chart(rows, settings);
  savePlot(spec, files.svg);
  savePlot(spec, files.png);
  const headline = def.headline(rows, settings);
  const b = backendInfo();
  const allStages = { ...stages, files: (performance.now() - tFiles) / 1000 };
  const provenance = {
    figure: def.name,
    title: def.title,
    paper: def.paper,
    command,
    version,
    gitCommit: gitCommit(),
    gitDirty: gitDirty(),
    seed: fp.seed,
    full: fp.full,
    settings,
    backend: { name: b.name, fallbackReason: b.fallbackReason, tfjsVersion: b.tfjsVersion },
    threads: b.threads,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    host: os.hostname(),
    mergedFrom: mergedFrom.length > 0 ? mergedFrom : null,
    headline,
    stages: allStages,
    pointSeconds: records.reduce((a, r) => a + r.seconds, 0),
    wallSeconds: (performance.now() - t0) / 1000,
    points: records.map((r) => ({ id: r.id, seed: r.seed, seconds: r.seconds, computedNow: computedNow.has(r.id), computedBy: r.computedBy })),
    files: { csv: path.basename(files.csv), svg: path.basename(files.svg), png: path.basename(files.png) },
  };
  writeAtomic(files.json, JSON.stringify(provenance, null, 2) + "\n");
  return { files, headline };
}
