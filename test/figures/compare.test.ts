/**
 * `compare`: z = Δ/√(σ_ref² + σ_new²) value by value on runs made up for the
 * test (rows matched by their key columns, rows in one run only listed,
 * deterministic values equal or not, values without an error bar not
 * compared), the pass/fail threshold, the files it writes, the CSV reader,
 * and bad input refused before any work. (The CLI test reruns van-2b's quick
 * setting against the committed quick reference.)
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../tempdir";
import { compare, DEFAULT_THRESHOLD, parseCsv, referenceRoot } from "../../src/figures/index";

const tmp = tempDir("bz-figures-compare-");
const HEADER = "L,beta,method,entropy,entropyError,entropyModel,entropyModelError,energy,essFraction,status";
function write(dir: string, lines: string[]): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "van-2b.csv"), [HEADER, ...lines].join("\n") + "\n");
  return dir;
}

test("parseCsv reads the runner's CSV: quoted strings with commas, empty cells as null, numbers, booleans", () => {
  const rows = parseCsv('a,b,c,d\n"x, y",1.5e-3,,true\nplain,-2,3,false\n');
  assert.deepEqual(rows, [{ a: "x, y", b: 1.5e-3, c: null, d: true }, { a: "plain", b: -2, c: 3, d: false }]);
});

test("values compared by z with matched keys; one-run rows listed; exact values equal → z = 0; threshold decides", async () => {
  const ref = write(path.join(tmp, "ref"), [
    "4,1.0,VAN,1.0,0.1,,,-1,0.5,ok",
    "4,2.0,VAN,0.5,0.03,,,-1,0.5,ok",
    "4,1.0,exact (enumerate),0.9,0.0,,,-1,,ok",
    "4,3.0,VAN,0.4,0.1,,,-1,0.5,ok", // only in the reference
    "4,1.0,trace,0.2,,,,-1,,ok", // no error bar: not compared
  ]);
  const cur = write(path.join(tmp, "cur"), [
    "4,2.0,VAN,0.54,0.04,,,-1,0.5,ok", // order differs from the reference's
    "4,1.0,VAN,1.5,0.1,,,-1,0.5,ok",
    "4,1.0,exact (enumerate),0.9,0.0,,,-1,,ok",
    "8,1.0,VAN,1.0,0.1,,,-1,0.5,ok", // only in the current run
    "4,1.0,trace,0.3,,,,-1,,ok",
  ]);
  const r = await compare("van-2b", { reference: ref, current: cur, out: path.join(tmp, "out1") });
  assert.deepEqual(r.keys, ["L", "method", "beta"]);
  const z = (method: string, beta: number) => r.rows.find((x) => x.method === method && x.beta === beta && x.match === "shared")?.z as number;
  assert.ok(Math.abs(z("VAN", 1) - 0.5 / Math.sqrt(0.02)) < 1e-12);
  assert.ok(Math.abs(z("VAN", 2) - 0.04 / 0.05) < 1e-12);
  assert.equal(z("exact (enumerate)", 1), 0);
  assert.equal(r.compared, 3);
  assert.equal(r.onlyInReference, 1);
  assert.equal(r.onlyInCurrent, 1);
  assert.equal(r.notComparable, 1);
  assert.equal(r.threshold, DEFAULT_THRESHOLD);
  assert.ok(Math.abs((r.maxAbsZ as number) - 3.5355339) < 1e-6);
  assert.equal(r.over3, 1);
  assert.equal(r.overThreshold, 0);
  assert.equal(r.passed, true);
  assert.equal(r.worst[0].beta, 1);
  for (const f of Object.values(r.files)) assert.ok(fs.existsSync(f), f);
  const csv = parseCsv(fs.readFileSync(r.files.csv, "utf8"));
  assert.equal(csv.length, r.rows.length);
  assert.deepEqual(Object.keys(csv[0]), ["L", "method", "beta", "match", "column", "reference", "referenceError", "current", "currentError", "z"]);
  // a stricter threshold fails on the |z| = 3.5 value
  const strict = await compare("van-2b", { reference: ref, current: cur, out: path.join(tmp, "out2"), threshold: 3 });
  assert.equal(strict.passed, false);
  assert.equal(strict.overThreshold, 1);
});

test("a deterministic value (error 0) that changed is z = ±∞ and fails", async () => {
  const ref = write(path.join(tmp, "ref3"), ["4,1.0,exact (enumerate),0.9,0.0,,,-1,,ok"]);
  const cur = write(path.join(tmp, "cur3"), ["4,1.0,exact (enumerate),0.90001,0.0,,,-1,,ok"]);
  const r = await compare("van-2b", { reference: ref, current: cur, out: path.join(tmp, "out3") });
  assert.equal(r.rows[0].z, Infinity);
  assert.equal(r.passed, false);
  const json = JSON.parse(fs.readFileSync(r.files.json, "utf8"));
  assert.equal(json.maxAbsZ, "Infinity");
});

test("the default reference is the committed one: data/figures/NAME.csv, else data/figures/quick/NAME.csv", async () => {
  const quick = path.join(referenceRoot(), "quick", "van-2b.csv");
  assert.ok(fs.existsSync(quick), quick);
  const r = await compare("van-2b", { current: path.dirname(quick), out: path.join(tmp, "out4") });
  assert.equal(r.reference, fs.existsSync(path.join(referenceRoot(), "van-2b.csv")) ? path.join(referenceRoot(), "van-2b.csv") : quick);
  if (r.reference === quick) {
    assert.equal(r.maxAbsZ, 0);
    assert.equal(r.passed, true);
  }
});

test("bad input is refused before any work, writing nothing", async () => {
  const never = path.join(tmp, "never");
  const ref = path.join(tmp, "ref");
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["van-9z", {}, /figures\.compare: unknown figure "van-9z"/],
    ["van-2b", { reference: path.join(tmp, "nope") }, /reference .*nope.*van-2b\.csv does not exist/],
    ["van-2b", { reference: ref, threshold: 0, out: never }, /threshold must be a number > 0/],
    ["van-2b", { reference: ref, current: ref, seed: 1, out: never }, /current compares an existing run; do not combine it with seed/],
    ["van-2b", { reference: ref, current: path.join(tmp, "nope") }, /current run .* does not exist/],
    ["van-2b", { reference: ref, sharrd: "1/2" }, /unknown option "sharrd"/],
    ["van-2b", { reference: ref, shard: "1/2" }, /unknown option "shard"/],
    ["van-2b", { reference: ref, seed: -1, out: never }, /figures\.compare: seed must be an integer/],
  ];
  for (const [name, o, re] of cases) await assert.rejects(compare(name, o as never), re);
  assert.equal(fs.existsSync(never), false);
});
