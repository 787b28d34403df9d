/**
 * `compare(name, options)`: a fresh run of a figure (or an existing one, with
 * `current`) against a committed reference (data/figures/NAME.csv, or
 * data/figures/quick/NAME.csv where no full run is committed), point by point.
 *
 * Rows are matched by their key columns (those of KEY_COLUMNS the figure has:
 * panel, instance, L, n, model, method, beta, quantity, x, y, m1, m2); each
 * value with an error column (X with XError, value with error,
 * referenceFreeEnergy with referenceError) is compared by
 *
 *   z = (x_new − x_ref) / √(σ_ref² + σ_new²).
 *
 * A value whose error is missing (null) in either run is not compared (an MCMC
 * trace, a sample); one whose combined error is 0 (exact or deterministic:
 * enumeration, a mean-field inversion) counts as z = 0 when the two agree to
 * 1e-9 relative, else z = ±∞. Rows present in one run only are listed as
 * such. The comparison passes when no shared value has |z| > `threshold`
 * (default 4: for Gaussian errors a false alarm in 1 of ~16000 values; the
 * summary also counts |z| > 3). It writes NAME-compare.csv (one row per value),
 * NAME-compare.svg/.png (z per value with the ±threshold lines; the reference
 * as a band ±σ and the fresh values as points) and NAME-compare.json.
 */
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../core/errors";
import { loadPlotting } from "../plot/render";
import { savePlot } from "../plot/show";
import { hconcat, layer, line, rule, scatter } from "../plot/specs";
import { FIGURES } from "./registry";
import { run, type FigureRunOptions } from "./run";
import { writeAtomic } from "./store";
import type { Cell, Row } from "./types";

/** Columns that identify a row (a point of the figure), in this order, where the figure has them. */
export const KEY_COLUMNS = ["panel", "instance", "L", "n", "model", "method", "beta", "quantity", "x", "y", "m1", "m2"] as const;

/** Default |z| above which a shared value fails the comparison. */
export const DEFAULT_THRESHOLD = 4;

/** The package's data/figures directory (committed references). */
export function referenceRoot(): string {
  return path.resolve(__dirname, "..", "..", "data", "figures");
}

export interface CompareOptions {
  /** The reference: a directory holding NAME.csv (and NAME.json), or the CSV itself. Default: data/figures/NAME.csv if committed, else data/figures/quick/NAME.csv. */
  reference?: string;
  /** A directory holding an existing run's NAME.csv to compare instead of running the figure now. */
  current?: string;
  /** Fail when a shared value deviates by more than this many combined errors (default 4). */
  threshold?: number;
  /** Options of the fresh run (`run`): full, out (default "."), seed, settings, progress, command. */
  full?: boolean;
  out?: string;
  seed?: number;
  settings?: Record<string, unknown>;
  progress?: boolean;
  command?: string;
}

/** One compared value (or a row found in one run only). */
export interface ComparisonRow {
  [key: string]: Cell;
  /** "shared", "only in reference", "only in current", or "not comparable" (no error bar in a run). */
  match: string;
  /** The value column compared (null for a row in one run only). */
  column: string | null;
  reference: number | null;
  referenceError: number | null;
  current: number | null;
  currentError: number | null;
  /** (current − reference)/√(σ_ref² + σ_cur²); null when not compared. */
  z: number | null;
}

export interface CompareResult {
  figure: string;
  /** Paths of the reference CSV and of the compared run's CSV. */
  reference: string;
  current: string;
  /** The reference's and this run's setting (from their NAME.json; null where there is none). */
  referenceSetting: { full: boolean | null; seed: number | null };
  currentSetting: { full: boolean | null; seed: number | null };
  threshold: number;
  keys: string[];
  /** Values compared (shared, with error bars in both runs). */
  compared: number;
  onlyInReference: number;
  onlyInCurrent: number;
  notComparable: number;
  maxAbsZ: number | null;
  /** Shared values with |z| > 3 and with |z| > threshold. */
  over3: number;
  overThreshold: number;
  /** True when no shared value exceeds the threshold and at least one value was compared. */
  passed: boolean;
  /** The worst values (largest |z|, at most 20). */
  worst: ComparisonRow[];
  rows: ComparisonRow[];
  files: { csv: string; svg: string; png: string; json: string };
  wallSeconds: number;
}

/** Parse the CSV the runner writes (polars: comma-separated, strings with commas or quotes in double quotes, empty = null). */
export function parseCsv(text: string): Row[] {
  const records: string[][] = [];
  let field = "";
  let rec: string[] = [];
  let quoted = false;
  let wasQuoted = false;
  const push = () => { rec.push(wasQuoted ? `\u0000${field}` : field); field = ""; wasQuoted = false; };
  for (let k = 0; k < text.length; k++) {
    const ch = text[k];
    if (quoted) {
      if (ch === '"') {
        if (text[k + 1] === '"') { field += '"'; k++; } else quoted = false;
      } else field += ch;
    } else if (ch === '"') { quoted = true; wasQuoted = true; }
    else if (ch === ",") push();
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[k + 1] === "\n") k++;
      push();
      records.push(rec);
      rec = [];
    } else field += ch;
  }
  if (field !== "" || rec.length > 0) { push(); records.push(rec); }
  if (records.length === 0) return [];
  const header = records[0].map((h) => h.replace(/^\u0000/, ""));
  const cell = (v: string): Cell => {
    if (v.startsWith("\u0000")) return v.slice(1);
    if (v === "") return null;
    if (v === "true") return true;
    if (v === "false") return false;
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) || v === "NaN" || v === "inf" || v === "-inf") return v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v);
    return v;
  };
  return records.slice(1).filter((r) => !(r.length === 1 && r[0] === "")).map((r) => Object.fromEntries(header.map((h, k) => [h, cell(r[k] ?? "")])));
}

/** The value columns of a header and their error columns. */
function valuePairs(columns: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const c of columns) {
    if (columns.includes(`${c}Error`)) out.push([c, `${c}Error`]);
    else if (c === "value" && columns.includes("error")) out.push([c, "error"]);
    else if (c === "referenceFreeEnergy" && columns.includes("referenceError")) out.push([c, "referenceError"]);
  }
  return out;
}

function settingOf(csv: string): { full: boolean | null; seed: number | null } {
  const json = csv.replace(/\.csv$/, ".json");
  if (!fs.existsSync(json)) return { full: null, seed: null };
  try {
    const p = JSON.parse(fs.readFileSync(json, "utf8")) as { full?: unknown; seed?: unknown };
    return { full: typeof p.full === "boolean" ? p.full : null, seed: typeof p.seed === "number" ? p.seed : null };
  } catch {
    return { full: null, seed: null };
  }
}

function resolveReference(name: string, reference: string | undefined, W: string): string {
  if (reference !== undefined) {
    if (typeof reference !== "string" || reference === "") throw new UsageError(`${W}: reference must be a directory or a CSV file`);
    const file = reference.endsWith(".csv") ? reference : path.join(reference, `${name}.csv`);
    if (!fs.existsSync(file)) throw new UsageError(`${W}: reference ${file} does not exist`);
    return path.resolve(file);
  }
  const root = referenceRoot();
  for (const file of [path.join(root, `${name}.csv`), path.join(root, "quick", `${name}.csv`)]) if (fs.existsSync(file)) return file;
  throw new UsageError(`${W}: no committed reference for ${name} (neither ${path.join(root, `${name}.csv`)} nor ${path.join(root, "quick", `${name}.csv`)}); give reference`);
}

const KNOWN = ["reference", "current", "threshold", "full", "out", "seed", "settings", "progress", "command"];

/** Compare a fresh (or existing) run of figure `name` with a reference, value by value (see the module doc). */
export async function compare(name: string, options: CompareOptions = {}): Promise<CompareResult> {
  const t0 = performance.now();
  const W = "figures.compare";
  if (options === null || typeof options !== "object") throw new UsageError(`${W}: options must be an object`);
  const unknown = Object.keys(options).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) throw new UsageError(`${W}: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")} (known: ${KNOWN.join(", ")})`);
  const def = FIGURES.find((f) => f.name === name);
  if (def === undefined) throw new UsageError(`${W}: unknown figure ${JSON.stringify(name)} (figures: ${FIGURES.map((f) => f.name).join(", ")})`);
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (typeof threshold !== "number" || !(threshold > 0) || !Number.isFinite(threshold)) throw new UsageError(`${W}: threshold must be a number > 0, got ${JSON.stringify(options.threshold)}`);
  const refFile = resolveReference(name, options.reference, W);
  let curFile: string;
  let outDir: string;
  if (options.current !== undefined) {
    for (const k of ["full", "seed", "settings", "progress"] as const) {
      if (options[k] !== undefined) throw new UsageError(`${W}: current compares an existing run; do not combine it with ${k}`);
    }
    if (typeof options.current !== "string" || options.current === "") throw new UsageError(`${W}: current must be a directory`);
    curFile = path.resolve(options.current, `${name}.csv`);
    if (!fs.existsSync(curFile)) throw new UsageError(`${W}: current run ${curFile} does not exist`);
    outDir = path.resolve(options.out ?? options.current);
  } else {
    const ro: FigureRunOptions = {};
    for (const k of ["full", "out", "seed", "settings", "progress", "command"] as const) if (options[k] !== undefined) (ro as Record<string, unknown>)[k] = options[k];
    let r;
    try {
      r = await run(name, ro);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(e.message.replace(/^figures\.run: /, `${W}: `));
      throw e;
    }
    if (!r.complete || r.files === null) throw new Error(`${W}: the run of ${name} did not complete (${r.missing.length} points missing)`);
    curFile = r.files.csv;
    outDir = path.dirname(curFile);
  }
  const ref = parseCsv(fs.readFileSync(refFile, "utf8"));
  const cur = parseCsv(fs.readFileSync(curFile, "utf8"));
  const columns = [...new Set([...Object.keys(ref[0] ?? {}), ...Object.keys(cur[0] ?? {})])];
  const keys = KEY_COLUMNS.filter((k) => columns.includes(k)) as string[];
  const pairs = valuePairs(columns);
  const keyOf = (r: Row) => JSON.stringify(keys.map((k) => r[k] ?? null));
  // rows with the same key matched in order of appearance
  const index = new Map<string, Row[]>();
  for (const r of cur) {
    const k = keyOf(r);
    const list = index.get(k);
    if (list === undefined) index.set(k, [r]);
    else list.push(r);
  }
  const rows: ComparisonRow[] = [];
  const keyCells = (r: Row) => Object.fromEntries(keys.map((k) => [k, r[k] ?? null]));
  const blank = { column: null, reference: null, referenceError: null, current: null, currentError: null, z: null };
  const hasValue = (r: Row) => pairs.some(([v]) => typeof r[v] === "number");
  for (const a of ref) {
    const list = index.get(keyOf(a));
    const b = list !== undefined && list.length > 0 ? (list.shift() as Row) : null;
    if (b === null) {
      if (hasValue(a)) rows.push({ ...keyCells(a), match: "only in reference", ...blank, reference: null });
      continue;
    }
    for (const [v, e] of pairs) {
      const x = a[v];
      const y = b[v];
      if (typeof x !== "number" && typeof y !== "number") continue;
      const sx = a[e];
      const sy = b[e];
      const row: ComparisonRow = {
        ...keyCells(a), match: "shared", column: v,
        reference: typeof x === "number" ? x : null, referenceError: typeof sx === "number" ? sx : null,
        current: typeof y === "number" ? y : null, currentError: typeof sy === "number" ? sy : null, z: null,
      };
      if (row.reference === null || row.current === null || row.referenceError === null || row.currentError === null) row.match = "not comparable";
      else {
        const s = Math.sqrt(row.referenceError ** 2 + row.currentError ** 2);
        const d = row.current - row.reference;
        if (s > 0) row.z = d / s;
        else row.z = Math.abs(d) <= 1e-9 * Math.max(1, Math.abs(row.reference)) ? 0 : d > 0 ? Infinity : -Infinity;
      }
      rows.push(row);
    }
  }
  for (const list of index.values()) for (const b of list) if (hasValue(b)) rows.push({ ...keyCells(b), match: "only in current", ...blank });
  const shared = rows.filter((r) => r.match === "shared");
  const absZ = shared.map((r) => Math.abs(r.z as number));
  const maxAbsZ = absZ.length > 0 ? Math.max(...absZ) : null;
  const overThreshold = absZ.filter((z) => z > threshold).length;
  const worst = [...shared].sort((p, q) => Math.abs(q.z as number) - Math.abs(p.z as number)).slice(0, 20);

  await loadPlotting();
  fs.mkdirSync(outDir, { recursive: true });
  const base = path.join(outDir, `${name}-compare`);
  const files = { csv: `${base}.csv`, svg: `${base}.svg`, png: `${base}.png`, json: `${base}.json` };
  writeAtomic(files.csv, toCsv(rows, [...keys, "match", "column", "reference", "referenceError", "current", "currentError", "z"]));
  const spec = chart(shared, keys, threshold);
  savePlot(spec, files.svg);
  savePlot(spec, files.png);
  const result: CompareResult = {
    figure: name, reference: refFile, current: curFile, referenceSetting: settingOf(refFile), currentSetting: settingOf(curFile), threshold, keys,
    compared: shared.length,
    onlyInReference: rows.filter((r) => r.match === "only in reference").length,
    onlyInCurrent: rows.filter((r) => r.match === "only in current").length,
    notComparable: rows.filter((r) => r.match === "not comparable").length,
    maxAbsZ, over3: absZ.filter((z) => z > 3).length, overThreshold,
    passed: shared.length > 0 && overThreshold === 0,
    worst, rows, files, wallSeconds: 0,
  };
  result.wallSeconds = (performance.now() - t0) / 1000;
  const { rows: _rows, ...summary } = result;
  writeAtomic(files.json, JSON.stringify({ ...summary, command: options.command ?? null }, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 2) + "\n");
  return result;
}

function toCsv(rows: ComparisonRow[], columns: string[]): string {
  const esc = (v: Cell | undefined): string => {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") return Number.isFinite(v) ? String(v) : v > 0 ? "inf" : v < 0 ? "-inf" : "NaN";
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.join(","), ...rows.map((r) => columns.map((c) => esc(r[c])).join(","))].join("\n") + "\n";
}

/** z per value (±threshold rules) and the values: the reference as a band ±σ, the current run as points. */
function chart(shared: ComparisonRow[], keys: string[], threshold: number) {
  // x of the value panel: beta or x where rows have it; series: the string-valued keys that vary (method, panel, …) and the value column
  const numericKey = ["beta", "x"].find((k) => keys.includes(k) && shared.filter((r) => typeof r[k] === "number").length * 2 > shared.length) ?? null;
  const labelKeys = keys.filter((k) => k !== numericKey && shared.some((r) => typeof r[k] === "string") && new Set(shared.map((r) => r[k])).size > 1);
  const several = new Set(shared.map((x) => x.column)).size > 1;
  const series = (r: ComparisonRow) => [...labelKeys.map((k) => String(r[k] ?? "")), ...(several ? [String(r.column)] : [])].join(" · ") || "value";
  const zData = shared.map((r, k) => ({ point: k, series: series(r), z: Math.max(-10, Math.min(10, r.z as number)) }));
  if (zData.length === 0) zData.push({ point: 0, series: "nothing compared", z: 0 });
  const vData = shared
    .filter((r) => numericKey === null || typeof r[numericKey] === "number")
    .map((r, k) => ({ x: numericKey === null ? k : (r[numericKey] as number), series: series(r), reference: r.reference, referenceError: r.referenceError, current: r.current }));
  if (vData.length === 0) vData.push({ x: 0, series: "nothing compared", reference: 0, referenceError: 0, current: 0 });
  const xTitle = numericKey ?? "value #";
  const pos = vData.map((d) => d.reference as number).filter((v) => v > 0);
  const logY = pos.length === vData.length && Math.max(...pos) / Math.min(...pos) > 100;
  const zPanel = layer(
    scatter(zData, { x: "point", y: "z", color: "series", size: 30, title: `z = Δ/√(σ_ref² + σ_new²), |z| ≤ ${threshold} passes`, xTitle: "value #", yTitle: "z (clipped to ±10)", width: 330, height: 260 }),
    rule({ y: threshold, dashed: true, color: "#c00" }),
    rule({ y: -threshold, dashed: true, color: "#c00" }),
  );
  const valuePanel = layer(
    line(vData, { x: "x", y: "reference", error: "referenceError", color: "series", title: "reference (band ±σ) and this run (points)", xTitle, yTitle: "value", logY, width: 330, height: 260 }),
    scatter(vData, { x: "x", y: "current", color: "series", size: 30, logY, xTitle, yTitle: "value" }),
  );
  return hconcat(zPanel, valuePanel);
}
