/**
 * Result tables as nodejs-polars DataFrames. polars is a native module, so it
 * is loaded on first use, not on import.
 */
import type * as PolarsModule from "nodejs-polars";

export type Polars = typeof PolarsModule;
export type DataFrame = PolarsModule.DataFrame;

let cached: Polars | null = null;

/** The nodejs-polars module (loaded on first call). */
export function polars(): Polars {
  if (cached === null) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      cached = require("nodejs-polars") as Polars;
    } catch (e) {
      throw new Error(
        `nodejs-polars could not be loaded (${(e as Error).message.split("\n")[0]}). ` +
          "Its platform package (e.g. nodejs-polars-linux-x64-gnu) may be missing: run `npm ci` again.",
      );
    }
  }
  return cached;
}

export type Cell = number | string | boolean | null;

/** A DataFrame from row records (all rows should share keys; missing values become null). */
export function frameFromRows(rows: ReadonlyArray<Record<string, Cell>>): DataFrame {
  const pl = polars();
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); keys.push(k); }
  const cols: Record<string, Cell[]> = {};
  for (const k of keys) cols[k] = rows.map((r) => (r[k] === undefined ? null : r[k]));
  return pl.DataFrame(cols);
}

/** A DataFrame from columns (all of the same length). */
export function frameFromColumns(columns: Record<string, ArrayLike<Cell>>): DataFrame {
  const pl = polars();
  let len = -1;
  const cols: Record<string, Cell[]> = {};
  for (const [k, v] of Object.entries(columns)) {
    if (len >= 0 && v.length !== len) {
      throw new Error(`frameFromColumns: column "${k}" has length ${v.length}, expected ${len}`);
    }
    len = v.length;
    cols[k] = Array.from(v);
  }
  return pl.DataFrame(cols);
}

/** True for a nodejs-polars DataFrame (duck-typed, so polars need not be loaded). */
export function isDataFrame(x: unknown): x is DataFrame {
  return (
    typeof x === "object" && x !== null &&
    typeof (x as { toRecords?: unknown }).toRecords === "function" &&
    typeof (x as { getColumns?: unknown }).getColumns === "function"
  );
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function fmtCell(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(5) : v.toPrecision(7).replace(/\.?0+$/, "");
  }
  return String(v);
}

/** An HTML table of a DataFrame (first `maxRows` rows). */
export function frameToHtml(df: DataFrame, maxRows = 50): string {
  const names = df.columns;
  // polars prints a dtype as "DataType(Float64)"; its variant is the short name
  const dtypes = df.dtypes.map((d) => (d as { variant?: string }).variant ?? String(d).replace(/^DataType\((.*)\)$/, "$1"));
  const recs = df.head(maxRows).toRecords() as Record<string, unknown>[];
  const head = names.map((n, k) => `<th>${esc(n)}<br><small>${esc(dtypes[k] ?? "")}</small></th>`).join("");
  const body = recs.map((r) => `<tr>${names.map((n) => `<td>${esc(fmtCell(r[n]))}</td>`).join("")}</tr>`).join("\n");
  const more = df.height > maxRows ? `<p><small>${df.height - maxRows} more rows</small></p>` : "";
  return `<div><small>shape: (${df.height}, ${df.width})</small><table class="boltzlab-table">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>${more}</div>`;
}
