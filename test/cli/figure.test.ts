/**
 * `boltzlab figure` through `main(argv)`: --list, a shard run and a merge
 * on van-2b, and the usage errors (exit 2, one line naming the option,
 * nothing written). The figure runs themselves are tested in test/figures.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../tempdir";
import { Options, parseArgs } from "../../src/cli/args";
import { figureCommand } from "../../src/cli/figure";
import { runMain } from "./capture";

/** The command in-process (no output captured: the test runner's own output would be caught too). */
async function cli(argv: string[]): Promise<Record<string, unknown>> {
  const parsed = parseArgs(["figure", ...argv]);
  return JSON.parse(JSON.stringify(await figureCommand.run(new Options(parsed, "figure"), parsed.positional.slice(1)))) as Record<string, unknown>;
}

const mainCaptured = async (argv: string[]) => {
  const r = await runMain(argv);
  return { code: r.code, out: r.stdout, err: r.stderr };
};

const tmp = tempDir("bz-cli-figure-");

test("boltzlab figure --list: every figure with its quick and full times, unavailable ones with why", async () => {
  const r = await mainCaptured(["figure", "--list"]);
  assert.equal(r.code, 0, r.err);
  const figs = JSON.parse(r.out) as Array<{ name: string; available: boolean; quick: { minutes: number } | null; full: { minutes: number } | null; reason: string | null }>;
  const names = figs.map((f) => f.name);
  for (const n of ["van-2a", "van-2b", "van-3", "van-4a", "van-4b", "twobo-2d", "twobo-sparse", "bg-doublewell", "bg-mullerbrown"]) assert.ok(names.includes(n), n);
  for (const f of figs) {
    if (f.available) assert.ok(f.quick !== null && f.full !== null && f.quick.minutes <= 2, f.name);
    else assert.ok(f.reason !== null && f.reason.length > 0, f.name);
  }
});

test("boltzlab figure: shards 1/2 and 2/2 then --merge give the figure files", async () => {
  // van-2b is the cheapest figure (≈ 15 s for its quick setting, split over the two shards)
  const a = path.join(tmp, "a");
  const b = path.join(tmp, "b");
  const m = path.join(tmp, "merged");
  const j1 = await cli(["van-2b", "--shard", "1/2", "--out", a, "--seed", "2"]);
  assert.equal(j1.complete, false);
  assert.equal(j1.files, null);
  const j2 = await cli(["van-2b", "--shard", "2/2", "--out", b, "--seed", "2"]);
  assert.equal((j1.computed as number) + (j2.computed as number), 23);
  const jm = await cli(["van-2b", "--merge", a, b, "--out", m]);
  assert.equal(jm.complete, true);
  for (const ext of ["csv", "svg", "png", "json"]) assert.ok(fs.existsSync(path.join(m, `van-2b.${ext}`)), ext);
  const prov = JSON.parse(fs.readFileSync(path.join(m, "van-2b.json"), "utf8"));
  assert.equal(prov.seed, 2);
  assert.equal(prov.command, `boltzlab figure van-2b --merge ${a} ${b} --out ${m}`);
});

test("boltzlab figure: usage errors exit 2 with one line naming the problem, nothing written", async () => {
  const never = path.join(tmp, "never");
  const partial = path.join(tmp, "partial");
  assert.equal((await cli(["van-2b", "--shard", "1/40", "--out", partial, "--max-points", "1"])).computed, 1);
  const cases: Array<[string[], RegExp]> = [
    [["figure"], /boltzlab figure: give a figure NAME or --list/],
    [["figure", "nope"], /boltzlab figure: unknown figure "nope"/],
    [["figure", "van-4b", "--merge", never], /boltzlab figure: merge directory .* does not exist/],
    [["figure", "van-2b", "--shard", "3/2", "--out", never], /boltzlab figure: --shard "3\/2": K must be between 1 and N = 2/],
    [["figure", "van-2b", "--shard", "x", "--out", never], /boltzlab figure: --shard must be "K\/N"/],
    [["figure", "van-2b", "--shard", "1/2"], /--shard needs --out/],
    [["figure", "van-2b", "--seed", "-3", "--out", never], /boltzlab figure: --seed must be an integer in \[0, 2\^31\)/],
    [["figure", "van-2b", "--seed", "x"], /--seed must be a number/],
    [["figure", "van-2b", "--max-points", "2"], /--max-points needs --out/],
    [["figure", "van-2b", "extra", "--out", never], /unexpected argument extra/],
    [["figure", "van-2b", "--fulll"], /unknown option --fulll/],
    [["figure", "--list", "van-2b"], /--list takes no figure name/],
    [["figure", "van-2b", "--merge", partial, "--seed", "1"], /do not combine it with --seed/],
    [["figure", "van-2b", "--merge", partial, "--out", never], /22 of the figure's points are missing from .*partial: exact_L=3_beta=0.25, /],
    [["figure", "van-2b", "--merge", path.join(tmp, "nowhere"), "--out", never], /merge directory .*nowhere does not exist/],
    [["figure", "van-2b", "--reference", partial, "--out", never], /boltzlab figure: --reference needs --compare/],
    [["figure", "van-2b", "--compare", "--shard", "1/2", "--out", never], /--compare runs the whole figure; do not combine it with --shard/],
    [["figure", "van-2b", "--compare", "--threshold", "0", "--out", never], /boltzlab figure: --threshold must be a number > 0/],
    [["figure", "van-2b", "--compare", "--reference", path.join(tmp, "nowhere"), "--out", never], /boltzlab figure: --reference .*nowhere.*does not exist/],
    [["figure", "--list", "--compare"], /--list takes no figure name/],
  ];
  for (const [argv, re] of cases) {
    const r = await mainCaptured(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.err}`);
    assert.match(r.err, re, argv.join(" "));
    assert.equal(r.err.trim().split("\n").length, 1, r.err);
  }
  assert.ok(!fs.existsSync(never));
});

test("boltzlab figure van-2b --compare: the quick setting rerun matches the committed quick reference (|z| ≤ 4); a changed reference fails with exit 1", async () => {
  // let the test runner report the previous test first: its report goes to stdout, which mainCaptured would catch
  await new Promise((resolve) => setTimeout(resolve, 200));
  const out = path.join(tmp, "compare");
  const quick = path.join(__dirname, "..", "..", "data", "figures", "quick");
  const r = await mainCaptured(["figure", "van-2b", "--compare", "--reference", quick, "--out", out]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { passed: boolean; maxAbsZ: number; compared: number; overThreshold: number; onlyInReference: number; onlyInCurrent: number; threshold: number; files: { csv: string } };
  assert.equal(j.passed, true);
  assert.equal(j.threshold, 4);
  assert.ok(j.compared >= 20 && j.maxAbsZ <= 4 && j.overThreshold === 0, JSON.stringify(j));
  assert.equal(j.onlyInReference + j.onlyInCurrent, 0);
  for (const ext of ["csv", "svg", "png", "json"]) assert.ok(fs.existsSync(path.join(out, `van-2b-compare.${ext}`)), ext);
  // a reference whose VAN entropy at the largest β is shifted by 1: the rerun (points reused from --out) fails
  const bad = path.join(tmp, "bad-reference");
  fs.mkdirSync(bad, { recursive: true });
  const lines = fs.readFileSync(path.join(quick, "van-2b.csv"), "utf8").trim().split("\n");
  const k = lines.findIndex((l) => /VAN|MADE|PixelCNN/.test(l) && /,ok$/.test(l));
  assert.ok(k > 0);
  const cells = lines[k].split(",");
  cells[3] = String(Number(cells[3]) + 1);
  lines[k] = cells.join(",");
  fs.writeFileSync(path.join(bad, "van-2b.csv"), lines.join("\n") + "\n");
  const f = await mainCaptured(["figure", "van-2b", "--compare", "--reference", bad, "--out", out]);
  assert.equal(f.code, 1, f.err);
  assert.match(f.err, /boltzlab figure van-2b --compare: 1 of \d+ shared values deviate by more than 4 combined errors/);
  assert.equal(f.err.trim().split("\n").length, 1);
  assert.equal((JSON.parse(f.out) as { passed: boolean }).passed, false);
});
