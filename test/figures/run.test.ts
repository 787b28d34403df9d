/**
 * The figure runner on a tiny van-2b (settings overridden so a run takes a
 * few seconds: L = 3 exact at four β and one short VAN point): files and
 * provenance, resume after a stop and after deleted point files, two shards
 * merged equal one unsharded run, and the bad-input table.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { list, run, type FigureRunOptions } from "../../src/figures/index";
import { hashSeed, parseShard } from "../../src/figures/store";

const TINY = { sizes: [3], betas: [0.5, 1, 2, 5], vanSizes: [3], vanBetas: [1], steps: 20, batch: 100, samples: 500 };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bz-figures-run-"));
const dir = (name: string) => path.join(tmp, name);
const read = (file: string) => fs.readFileSync(file);
const quiet = (o: FigureRunOptions): FigureRunOptions => ({ progress: false, settings: TINY, ...o });

test("list() names the available figures with quick and full times, and the others with why not", () => {
  const all = list();
  const names = all.map((f) => f.name);
  for (const n of ["van-2b", "van-4a", "van-4b", "bg-doublewell"]) {
    const f = all.find((x) => x.name === n);
    assert.ok(f !== undefined && f.available, n);
    assert.ok(f.quick !== null && f.quick.points > 0 && f.quick.minutes <= 2, `${n} quick`);
    assert.ok(f.full !== null && f.full.points >= f.quick.points && f.full.minutes > f.quick.minutes, `${n} full`);
  }
  // every figure of issue 14 is implemented now (van-4b was the last)
  assert.deepEqual(all.filter((f) => !f.available).map((f) => f.name), []);
  assert.equal(new Set(names).size, names.length);
});

test("a run writes NAME.csv, .svg, .png and .json with provenance", async () => {
  const out = dir("one");
  const r = await run("van-2b", quiet({ out, seed: 7 }));
  assert.equal(r.complete, true);
  assert.equal(r.points, 5);
  assert.equal(r.computed, 5);
  for (const ext of ["csv", "svg", "png", "json"]) assert.ok(fs.statSync(path.join(out, `van-2b.${ext}`)).size > 100, ext);
  assert.equal(fs.readdirSync(path.join(out, "van-2b.points")).length, 5);
  const csv = fs.readFileSync(path.join(out, "van-2b.csv"), "utf8").trim().split("\n");
  assert.equal(csv[0], "L,beta,method,entropy,entropyError,entropyModel,entropyModelError,energy,essFraction,status");
  assert.equal(csv.length, 1 + 5);
  assert.ok(read(path.join(out, "van-2b.png")).subarray(1, 4).toString() === "PNG");
  assert.ok(fs.readFileSync(path.join(out, "van-2b.svg"), "utf8").includes("entropy per site"));
  const p = JSON.parse(fs.readFileSync(path.join(out, "van-2b.json"), "utf8"));
  for (const k of ["command", "version", "gitCommit", "seed", "backend", "threads", "settings", "stages", "points", "wallSeconds", "headline"]) assert.ok(k in p, k);
  assert.equal(p.seed, 7);
  assert.ok(p.gitCommit === null || /^[0-9a-f]{40}$/.test(p.gitCommit));
  assert.ok(p.gitCommit === null ? p.gitDirty === null : typeof p.gitDirty === "boolean");
  assert.equal(typeof p.version, "string");
  assert.ok(["tensorflow", "wasm", "cpu"].includes(p.backend.name));
  assert.ok(p.threads >= 1);
  assert.deepEqual(p.settings.betas, TINY.betas);
  assert.equal(p.settings.depth, 2); // not overridden: the quick setting's
  assert.ok(p.stages.points >= 0 && p.stages.files > 0);
  assert.equal(p.points.length, 5);
  for (const q of p.points) assert.ok(q.seconds >= 0 && Number.isInteger(q.seed) && q.computedNow === true);
  assert.match(p.command, /van-2b/);
});

test("resume: a run stopped after k points, or with point files deleted, computes only the missing points and gives the same files", async () => {
  const ref = dir("ref");
  await run("van-2b", quiet({ out: ref }));
  const out = dir("resume");
  const first = await run("van-2b", quiet({ out, maxPoints: 2 }));
  assert.equal(first.complete, false);
  assert.equal(first.computed, 2);
  assert.equal(first.missing.length, 3);
  assert.equal(first.files, null);
  assert.ok(!fs.existsSync(path.join(out, "van-2b.csv")));
  assert.equal(fs.readdirSync(path.join(out, "van-2b.points")).length, 2);
  const second = await run("van-2b", quiet({ out }));
  assert.equal(second.complete, true);
  assert.equal(second.computed, 3);
  assert.equal(second.reused, 2);
  assert.deepEqual(read(path.join(out, "van-2b.csv")), read(path.join(ref, "van-2b.csv")));
  // delete two point files (one of them the VAN point) of a finished run: only they are recomputed
  const pts = path.join(out, "van-2b.points");
  fs.rmSync(path.join(pts, "exact_L=3_beta=2.json"));
  fs.rmSync(path.join(pts, "van_L=3_beta=1.json"));
  const third = await run("van-2b", quiet({ out }));
  assert.equal(third.computed, 2);
  assert.equal(third.reused, 3);
  assert.deepEqual(read(path.join(out, "van-2b.csv")), read(path.join(ref, "van-2b.csv")));
  assert.deepEqual(read(path.join(out, "van-2b.svg")), read(path.join(ref, "van-2b.svg")));
  const p = JSON.parse(fs.readFileSync(path.join(out, "van-2b.json"), "utf8"));
  assert.deepEqual(p.points.filter((q: { computedNow: boolean }) => q.computedNow).map((q: { id: string }) => q.id).sort(), ["exact_L=3_beta=2", "van_L=3_beta=1"]);
});

test("two shards merged equal one unsharded run (CSV byte-identical)", async () => {
  const ref = dir("ref");
  const a = dir("shard1");
  const b = dir("shard2");
  const ra = await run("van-2b", quiet({ out: a, shard: "1/2" }));
  const rb = await run("van-2b", quiet({ out: b, shard: "2/2" }));
  assert.equal(ra.computed + rb.computed, 5);
  assert.equal(ra.complete, false);
  assert.equal(ra.computed, 3); // points 0, 2, 4 of the fixed order
  const merged = dir("merged");
  const m = await run("van-2b", { merge: [a, b], out: merged, progress: false });
  assert.equal(m.complete, true);
  assert.deepEqual(read(path.join(merged, "van-2b.csv")), read(path.join(ref, "van-2b.csv")));
  assert.deepEqual(read(path.join(merged, "van-2b.svg")), read(path.join(ref, "van-2b.svg")));
  const p = JSON.parse(fs.readFileSync(path.join(merged, "van-2b.json"), "utf8"));
  assert.deepEqual(p.mergedFrom, [a, b]);
  const q = JSON.parse(fs.readFileSync(path.join(ref, "van-2b.json"), "utf8"));
  assert.deepEqual(p.points.map((x: { seed: number }) => x.seed), q.points.map((x: { seed: number }) => x.seed));
  // shards written into one directory complete the figure there
  const shared = dir("shared");
  await run("van-2b", quiet({ out: shared, shard: "2/2" }));
  const last = await run("van-2b", quiet({ out: shared, shard: "1/2" }));
  assert.equal(last.complete, true);
  assert.deepEqual(read(path.join(shared, "van-2b.csv")), read(path.join(ref, "van-2b.csv")));
});

test("point seeds depend on the figure seed and the point id only; shards are a fixed partition", () => {
  assert.equal(hashSeed(0, "van-2b", "exact_L=3_beta=1"), hashSeed(0, "van-2b", "exact_L=3_beta=1"));
  assert.notEqual(hashSeed(0, "van-2b", "exact_L=3_beta=1"), hashSeed(1, "van-2b", "exact_L=3_beta=1"));
  assert.deepEqual(parseShard("2/5", "t"), { index: 2, count: 5 });
});

test("bad input is refused before any work, naming what is wrong, writing nothing", async () => {
  const file = path.join(tmp, "a-file");
  fs.writeFileSync(file, "x");
  const other = dir("other-seed");
  await run("van-2b", quiet({ out: other, seed: 3, maxPoints: 1 }));
  const partial = dir("partial");
  await run("van-2b", quiet({ out: partial, shard: "1/2" }));
  const nothing = dir("never-written");
  const cases: Array<[string, FigureRunOptions, RegExp]> = [
    ["van-9z", {}, /unknown figure "van-9z" \(figures: van-2a, van-2b, van-3, van-4a, van-4b, twobo-2d, twobo-sparse, bg-doublewell, bg-mullerbrown\)/],
    ["van-4b", { settings: { update: "sgd" } }, /van-4b: update must be "adam" or "preconditioned"/],
    ["van-2b", { shard: "3/2", out: nothing }, /K must be between 1 and N = 2, got 3/],
    ["van-2b", { shard: "0/2", out: nothing }, /K must be between 1 and N = 2, got 0/],
    ["van-2b", { shard: "1-2", out: nothing }, /shard must be "K\/N"/],
    ["van-2b", { shard: "1/0", out: nothing }, /N must be ≥ 1/],
    ["van-2b", { shard: "1/2" }, /shard needs out/],
    ["van-2b", { maxPoints: 1 }, /maxPoints needs out/],
    ["van-2b", { maxPoints: -1, out: nothing }, /maxPoints must be an integer ≥ 0/],
    ["van-2b", { seed: -1, out: nothing }, /seed must be an integer in \[0, 2\^31\)/],
    ["van-2b", { seed: 1.5, out: nothing }, /seed must be an integer/],
    ["van-2b", { settings: { sizez: [3] }, out: nothing }, /unknown setting "sizez" of van-2b/],
    ["van-2b", { settings: { steps: "many" }, out: nothing }, /setting "steps" of van-2b must be a number/],
    ["van-2b", { settings: { betas: 2 }, out: nothing }, /setting "betas" of van-2b must be an array/],
    ["van-2b", { settings: { betas: [0, 1] }, out: nothing }, /van-2b: betas and vanBetas must be numbers > 0, got 0/],
    ["van-2b", { settings: { sizes: [2.5] }, out: nothing }, /van-2b: sizes and vanSizes must be an integer ≥ 2, got 2.5/],
    ["van-4a", { settings: { methods: ["exact"] }, out: nothing }, /van-4a: unknown method "exact" \(known: van, nmf, tap, bethe\)/],
    ["van-2b", { full: "yes" as unknown as boolean, out: nothing }, /full must be true or false/],
    ["van-2b", { fulll: true } as FigureRunOptions, /unknown option "fulll"/],
    ["van-2b", { out: file }, /out .* is an existing file, not a directory/],
    ["van-2b", { out: other, seed: 4, settings: TINY }, /holds results of another run of van-2b \(seed 3 vs 4\)/],
    ["van-2b", { merge: [partial], out: nothing }, /van-2b: 2 of the figure's points are missing from .*partial: exact_L=3_beta=1, exact_L=3_beta=5/],
    ["van-2b", { merge: [dir("no-such")], out: nothing }, /merge directory .*no-such does not exist/],
    ["van-2b", { merge: [tmp], out: nothing }, /holds no point results of van-2b/],
    ["van-2b", { merge: [partial, other], out: nothing }, /hold results of different runs of van-2b \(seed 3 vs 0\)|\(seed 0 vs 3\)/],
    ["van-2b", { merge: [partial], seed: 1, out: nothing }, /do not combine it with seed/],
    ["van-2b", { merge: [], out: nothing }, /merge must be a non-empty list/],
  ];
  for (const [name, options, re] of cases) {
    await assert.rejects(run(name, { progress: false, ...options }), (e: Error) => {
      assert.equal(e.name, "UsageError", `${JSON.stringify(options)}: ${e.message}`);
      assert.match(e.message, /^figures\.run: /);
      assert.match(e.message, re);
      return true;
    }, JSON.stringify(options));
  }
  assert.ok(!fs.existsSync(nothing));
  assert.equal(fs.readdirSync(path.join(other, "van-2b.points")).length, 1);
});

test("a run frees its tensors (VAN point included)", async () => {
  await run("van-2b", quiet({ out: dir("warm") })); // backend and kernels warmed up
  const before = tf.memory().numTensors;
  await run("van-2b", quiet({ out: dir("leak"), seed: 11 }));
  assert.equal(tf.memory().numTensors, before);
});
