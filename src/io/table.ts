/**
 * Result tables to files: a polars DataFrame (or an array of row records) as
 * CSV or Parquet, chosen by the file's extension, through nodejs-polars.
 *
 * The write is atomic: the table goes to a temporary file in the target's
 * folder, which is then renamed over the target, so a reader never sees half a
 * file and an error leaves the previous file (or none) in place.
 */
import fs from "node:fs";
import path from "node:path";
import { frameFromRows, isDataFrame, type Cell, type DataFrame } from "../core/table";
import { checkKeys, checkOneOf } from "../core/validate";

/** The formats `writeTable` writes. */
export type TableFormat = "csv" | "parquet";

export interface WriteTableOptions {
  /** "csv" or "parquet" (default: from the file's extension, `.csv` or `.parquet`). */
  format?: TableFormat;
  /** Create the file's folder when it does not exist (default false: an Error). */
  mkdir?: boolean;
}

export interface WriteTableResult {
  /** Absolute path of the file written. */
  path: string;
  format: TableFormat;
  rows: number;
  columns: number;
  bytes: number;
}

const EXTENSIONS: Record<string, TableFormat> = { ".csv": "csv", ".parquet": "parquet" };

function isRecordArray(x: unknown): x is ReadonlyArray<Record<string, Cell>> {
  return Array.isArray(x) && x.every((r) => typeof r === "object" && r !== null && !Array.isArray(r));
}

/**
 * Write `table` (a DataFrame, or an array of records such as
 * `[{beta: 0.44, f: -2.11}, ...]`) to `file` as CSV or Parquet. Everything is
 * checked before anything is written; returns what was written.
 */
export function writeTable(
  table: DataFrame | ReadonlyArray<Record<string, Cell>>,
  file: string,
  options: WriteTableOptions = {},
): WriteTableResult {
  const W = "writeTable";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  checkKeys(options, ["format", "mkdir"], W);
  if (!isDataFrame(table) && !isRecordArray(table)) {
    const what = table === null ? "null" : Array.isArray(table) ? "an array that is not of records" : typeof table;
    throw new Error(`${W}: table must be a polars DataFrame or an array of row records, got ${what}`);
  }
  if (typeof file !== "string" || file === "") throw new Error(`${W}: file must be a path ending in .csv or .parquet`);
  const ext = path.extname(file).toLowerCase();
  let format: TableFormat;
  if (options.format !== undefined) format = checkOneOf(options.format, ["csv", "parquet"] as const, "format", W);
  else if (EXTENSIONS[ext] !== undefined) format = EXTENSIONS[ext];
  else throw new Error(`${W}: file "${file}" must end in .csv or .parquet (or give options.format)`);
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) throw new Error(`${W}: file "${file}" is a directory`);
  if (!fs.existsSync(dir)) {
    if (options.mkdir !== true) throw new Error(`${W}: the folder of file "${file}" does not exist (pass {mkdir: true} to create it)`);
  } else if (!fs.statSync(dir).isDirectory()) {
    throw new Error(`${W}: the folder of file "${file}" is not a directory`);
  }
  const frame = isDataFrame(table) ? table : frameFromRows(table);

  if (options.mkdir === true) fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(abs)}.tmp-${process.pid}-${Date.now()}`);
  try {
    if (format === "csv") frame.writeCSV(tmp);
    else frame.writeParquet(tmp);
    fs.renameSync(tmp, abs);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`${W}: could not write ${abs}: ${(e as Error).message}`);
  }
  return { path: abs, format, rows: frame.height, columns: frame.width, bytes: fs.statSync(abs).size };
}
