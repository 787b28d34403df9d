/** Normalising plot inputs (records, column objects, polars frames) into validated records. */
import { isDataFrame } from "../core/table";

export type Row = Record<string, unknown>;
/** Records, a column object of equal-length arrays, or a polars DataFrame. */
export type PlotData = ReadonlyArray<Row> | Readonly<Record<string, ArrayLike<unknown>>> | { toRecords(): Row[] };

/** Convert `data` to an array of records, checking it is non-empty and columns have equal lengths. */
export function toRecords(data: unknown, where: string): Row[] {
  if (data === null || data === undefined) throw new Error(`${where}: data is required`);
  let rows: Row[];
  if (Array.isArray(data)) {
    rows = data as Row[];
    if (rows.some((r) => typeof r !== "object" || r === null)) {
      throw new Error(`${where}: data must be an array of records (objects); use a column object {x: [...], y: [...]} for arrays`);
    }
  } else if (isDataFrame(data)) {
    rows = (data as { toRecords(): Row[] }).toRecords();
  } else if (typeof data === "object") {
    const cols = Object.entries(data as Record<string, unknown>);
    if (cols.length === 0) throw new Error(`${where}: data has no columns`);
    let len = -1;
    let first = "";
    for (const [k, v] of cols) {
      if (v === null || typeof v !== "object" || typeof (v as ArrayLike<unknown>).length !== "number") {
        throw new Error(`${where}: data column "${k}" is not an array`);
      }
      const l = (v as ArrayLike<unknown>).length;
      if (len >= 0 && l !== len) {
        throw new Error(`${where}: data columns have mismatched lengths ("${first}" has ${len}, "${k}" has ${l})`);
      }
      if (len < 0) { len = l; first = k; }
    }
    rows = [];
    for (let r = 0; r < len; r++) {
      const row: Row = {};
      for (const [k, v] of cols) row[k] = toPlain((v as ArrayLike<unknown>)[r]);
      rows.push(row);
    }
  } else {
    throw new Error(`${where}: data must be records, a column object or a polars DataFrame, got ${typeof data}`);
  }
  if (rows.length === 0) throw new Error(`${where}: data is empty`);
  return rows;
}

function toPlain(v: unknown): unknown {
  return typeof v === "bigint" ? Number(v) : v;
}

/** Throws unless `field` is a key of the records. */
export function checkField(rows: Row[], field: unknown, option: string, where: string): string {
  if (typeof field !== "string" || field === "") {
    throw new Error(`${where}: ${option} must name a field of data, got ${String(field)}`);
  }
  if (!(field in rows[0])) {
    throw new Error(`${where}: ${option} field "${field}" is not in data (fields: ${Object.keys(rows[0]).join(", ")})`);
  }
  return field;
}

/** Clean numeric values for JSON (NaN/±Infinity become null, which vega-lite skips). */
export function sanitize(rows: Row[]): Row[] {
  return rows.map((r) => {
    const o: Row = {};
    for (const [k, v] of Object.entries(r)) {
      o[k] = typeof v === "number" && !Number.isFinite(v) ? null : typeof v === "bigint" ? Number(v) : v;
    }
    return o;
  });
}

/** Numbers from a plain array or typed array, checked finite-or-skipped and non-empty. */
export function toNumbers(values: unknown, name: string, where: string): number[] {
  if (values === null || typeof values !== "object" || typeof (values as ArrayLike<unknown>).length !== "number") {
    throw new Error(`${where}: ${name} must be an array of numbers`);
  }
  const a = Array.from(values as ArrayLike<unknown>, (v) => (typeof v === "bigint" ? Number(v) : v));
  if (a.length === 0) throw new Error(`${where}: ${name} is empty`);
  if (a.some((v) => typeof v !== "number")) throw new Error(`${where}: ${name} must contain only numbers`);
  return a as number[];
}
