/**
 * `--format csv|parquet` of `boltzlab train --out` and `boltzlab flow --out`:
 * parquet writes history.parquet beside history.csv with the same table; a
 * bad value (or --format without --out) is a usage error before any work,
 * with one stderr line naming the option and nothing written.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { polars } from "../../src/core/table";
import { runMain } from "./capture";

process.env.BOLTZLAB_PROGRESS = "0";

const run = runMain;

const TRAIN = ["train", "--system", "sk:n=8", "--beta", "1", "--steps", "4", "--batch", "16", "--samples", "100", "--depth", "2", "--width", "2", "--seed", "1"];
const FLOW = ["flow", "--loss", "energy", "--steps", "4", "--samples", "500", "--layers", "1", "--hidden", "4", "--batch", "32", "--seed", "1"];

function sameTable(dir: string, steps: number): void {
  const pl = polars();
  const csv = pl.readCSV(path.join(dir, "history.csv"));
  const pq = pl.readParquet(path.join(dir, "history.parquet"));
  assert.equal(pq.height, steps);
  assert.deepEqual(pq.columns, csv.columns);
  const a = csv.toRecords() as Record<string, unknown>[];
  const b = pq.toRecords() as Record<string, unknown>[];
  for (let k = 0; k < steps; k++) {
    for (const c of csv.columns) {
      const x = a[k][c], y = b[k][c];
      if (typeof y === "number" && Number.isFinite(y)) assert.ok(Math.abs((x as number) - y) <= 1e-12 * Math.max(1, Math.abs(y)), `${c}[${k}]: csv ${String(x)} vs parquet ${y}`);
      else if (typeof y === "number") assert.ok(x === null || Number.isNaN(x as number) || x === y, `${c}[${k}]: csv ${String(x)} vs parquet ${y}`);
      else assert.equal(x, y);
    }
  }
}

for (const [name, argv] of [["train", TRAIN], ["flow", FLOW]] as const) {
  test(`boltzlab ${name} --out DIR --format parquet writes history.parquet beside history.csv`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bz-format-${name}-`));
    const r = await run([...argv, "--out", dir, "--format", "parquet"]);
    assert.equal(r.code, 0, r.stderr);
    const files = fs.readdirSync(dir).sort();
    for (const f of ["history.csv", "history.parquet", "summary.json"]) assert.ok(files.includes(f), `${f} missing: ${files.join(", ")}`);
    assert.ok(!files.some((f) => f.includes(".tmp")), `temporary files left: ${files.join(", ")}`);
    sameTable(dir, 4);
    // the default (and --format csv) write no parquet
    const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), `bz-format-${name}-`));
    const r2 = await run([...argv, "--out", dir2, "--format", "csv"]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.ok(!fs.readdirSync(dir2).includes("history.parquet"));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(dir2, { recursive: true, force: true });
  });
}

test("--format: a bad value or a missing --out is a usage error (exit 2, one line naming --format, nothing written)", async () => {
  const cases: [string[], string][] = [
    [[...TRAIN, "--out", "$DIR/out", "--format", "xlsx"], 'boltzlab train: --format must be csv or parquet, got "xlsx"'],
    [[...TRAIN, "--format", "parquet"], "boltzlab train: --format needs --out DIR"],
    [[...FLOW, "--out", "$DIR/out", "--format", "json"], 'boltzlab flow: --format must be csv or parquet, got "json"'],
    [[...FLOW, "--format", "csv"], "boltzlab flow: --format needs --out DIR"],
    [[...FLOW, "--out", "$DIR/out", "--format"], "--format needs a value"],
  ];
  for (const [argv, message] of cases) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bz-format-bad-"));
    const r = await run(argv.map((a) => a.replaceAll("$DIR", dir)));
    assert.equal(r.code, 2, `${argv.join(" ")}: exit ${r.code} (${r.stderr})`);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0].includes(message), `${lines[0]} lacks ${message}`);
    assert.equal(r.stdout, "");
    assert.deepEqual(fs.readdirSync(dir), [], `${argv.join(" ")} wrote something`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
