import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { writeTable } from "../../src/io";
import { frameFromRows, polars, type DataFrame } from "../../src/core/table";

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "boltzlab-table-"));
}

const rows = [
  { beta: 0.1, f: -6.9314718055994531, method: "exact", steps: 10, converged: true },
  { beta: 0.44, f: -2.1096066046, method: "van", steps: 2000, converged: false },
  { beta: 1, f: -2.0000000001234, method: "van, z2", steps: 3, converged: true },
];

function assertSameFrame(got: DataFrame, want: DataFrame): void {
  assert.deepEqual(got.columns, want.columns);
  assert.equal(got.height, want.height);
  const g = got.toRecords() as Record<string, unknown>[];
  const w = want.toRecords() as Record<string, unknown>[];
  for (let k = 0; k < w.length; k++) {
    for (const c of want.columns) {
      const a = g[k][c];
      const b = w[k][c];
      if (typeof b === "number") assert.ok(Math.abs((a as number) - b) <= 1e-15 * Math.max(1, Math.abs(b)), `row ${k} ${c}: ${String(a)} vs ${b}`);
      else assert.equal(a, b, `row ${k} ${c}`);
    }
  }
}

test("writeTable: a DataFrame round-trips through CSV and Parquet (read back with pl.readCSV / pl.readParquet)", () => {
  const pl = polars();
  const dir = tmpDir();
  const df = frameFromRows(rows);
  const csv = writeTable(df, path.join(dir, "results.csv"));
  const pq = writeTable(df, path.join(dir, "results.parquet"));
  assert.equal(csv.format, "csv");
  assert.equal(pq.format, "parquet");
  assert.equal(csv.rows, 3);
  assert.equal(pq.columns, 5);
  assert.ok(csv.bytes > 0 && pq.bytes > 0);
  assertSameFrame(pl.readParquet(pq.path), df);
  assertSameFrame(pl.readCSV(csv.path), df);
  // Parquet keeps the dtypes exactly
  assert.deepEqual(pl.readParquet(pq.path).dtypes.map(String), df.dtypes.map(String));
  // only the two files: no temporary files left behind
  assert.deepEqual(fs.readdirSync(dir).sort(), ["results.csv", "results.parquet"]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("writeTable: arrays of records are written like the frame made from them; an existing file is replaced", () => {
  const pl = polars();
  const dir = tmpDir();
  const file = path.join(dir, "r.parquet");
  writeTable([{ a: 1 }], file);
  const r = writeTable(rows, file);
  assert.equal(r.rows, 3);
  assertSameFrame(pl.readParquet(file), frameFromRows(rows));
  const c = writeTable(rows, path.join(dir, "sub", "r.CSV"), { mkdir: true });
  assert.equal(c.format, "csv");
  // (pl.readCSV takes a string not ending in .csv for CSV text, so read the bytes)
  assertSameFrame(pl.readCSV(fs.readFileSync(c.path)), frameFromRows(rows));
  // an explicit format overrides the extension
  const t = writeTable(rows, path.join(dir, "r.tsv.data"), { format: "parquet" });
  assertSameFrame(pl.readParquet(fs.readFileSync(t.path)), frameFromRows(rows));
  fs.rmSync(dir, { recursive: true, force: true });
});

test("writeTable: bad input names the argument and writes nothing", () => {
  const dir = tmpDir();
  const df = frameFromRows(rows);
  const cases: [unknown, unknown, unknown, string][] = [
    [df, path.join(dir, "results.json"), undefined, 'writeTable: file "'],
    [df, path.join(dir, "results"), undefined, "must end in .csv or .parquet"],
    [df, "", undefined, "writeTable: file must be a path"],
    [df, 42, undefined, "writeTable: file must be a path"],
    [{ a: 1 }, path.join(dir, "x.csv"), undefined, "writeTable: table must be a polars DataFrame or an array of row records, got object"],
    [null, path.join(dir, "x.csv"), undefined, "got null"],
    [[1, 2, 3], path.join(dir, "x.csv"), undefined, "an array that is not of records"],
    ["a,b\n1,2", path.join(dir, "x.csv"), undefined, "got string"],
    [df, path.join(dir, "x.csv"), { format: "xlsx" }, "writeTable: format"],
    [df, path.join(dir, "x.csv"), { sep: ";" }, "writeTable"],
    [df, path.join(dir, "missing", "x.csv"), undefined, "does not exist"],
    [df, dir, { format: "csv" }, "is a directory"],
  ];
  for (const [table, file, options, message] of cases) {
    assert.throws(
      () => writeTable(table as DataFrame, file as string, options as object),
      (e: Error) => e.message.includes(message),
      `${String(file)} ${JSON.stringify(options)}: expected "${message}"`,
    );
  }
  assert.deepEqual(fs.readdirSync(dir), []);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("writeTable: a write that fails leaves the previous file as it was and no temporary file", () => {
  const pl = polars();
  const dir = tmpDir();
  const file = path.join(dir, "results.csv");
  writeTable(rows, file);
  const before = fs.readFileSync(file, "utf8");
  // CSV cannot hold nested lists: polars refuses while writing, after the checks passed
  const nested = pl.DataFrame({ a: [[1, 2], [3]] });
  assert.throws(() => writeTable(nested, file), (e: Error) => e.message.startsWith(`writeTable: could not write ${file}`));
  assert.equal(fs.readFileSync(file, "utf8"), before);
  assert.deepEqual(fs.readdirSync(dir), ["results.csv"]);
  fs.rmSync(dir, { recursive: true, force: true });
});
