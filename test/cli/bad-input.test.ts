/**
 * The CLI's bad-input table: each row runs `main(argv)` in-process in a fresh
 * temporary directory and must exit non-zero (2 for usage errors) with exactly
 * one stderr line naming the argument, print nothing on stdout, and write
 * nothing (no file, no directory, no temporary file) — neither in the row's
 * directory nor beside the checkpoints it reads.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { alteredCheckpoint, nonFiniteCheckpoint, truncatedCheckpoint } from "../train/helpers";
import { runMain } from "./capture";

process.env.BOLTZLAB_PROGRESS = "0";
const root = path.resolve(__dirname, "..", "..");

const run = runMain;

/** Every path under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(path.relative(dir, p) + (e.isDirectory() ? "/" : ""));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

interface Row {
  /** Arguments; $DIR is the row's fresh directory, $FIX the checkpoint fixtures. */
  argv: string[];
  exit: number;
  /** A substring the one stderr line must contain (it names the argument). */
  message: string;
  /** Files created in $DIR before the run (they must be all that is there afterwards). */
  files?: string[];
}

const TRAIN = ["train", "--system", "sk:n=8", "--beta", "1", "--steps", "5", "--batch", "16", "--samples", "100", "--depth", "2", "--width", "2"];
const SAMPLE = ["sample", "--system", "sk:n=8", "--beta", "1", "--sweeps", "100"];

const rows: Row[] = [
  // train: output, sample counts, schedule bounds
  { argv: [...TRAIN, "--out", "$DIR/file"], files: ["file"], exit: 2, message: "--out $DIR/file is an existing file" },
  { argv: [...TRAIN, "--out", "$DIR/file/sub"], files: ["file"], exit: 2, message: "--out $DIR/file/sub cannot be created: $DIR/file is a file" },
  { argv: [...TRAIN, "--samples", "1", "--out", "$DIR/out"], exit: 2, message: "--samples must be ≥ 2" },
  { argv: [...TRAIN, "--lr-min", "5", "--out", "$DIR/out"], exit: 2, message: "--lr-min must be in (0, --lr = 0.001], got 5" },
  { argv: [...TRAIN, "--lr-min", "-1", "--schedule", "cosine"], exit: 2, message: "--lr-min must be in (0, --lr = 0.001], got -1" },
  { argv: [...TRAIN, "--lr", "0"], exit: 2, message: "--lr must be > 0, got 0" },
  { argv: [...TRAIN, "--lr", "-1e-3"], exit: 2, message: "--lr must be > 0" },
  { argv: [...TRAIN, "--anneal", "1"], exit: 2, message: "--anneal must be in (0, 1), got 1" },
  { argv: [...TRAIN, "--anneal", "0"], exit: 2, message: "--anneal must be in (0, 1), got 0" },
  { argv: [...TRAIN, "--clip", "0"], exit: 2, message: "--clip must be > 0, got 0" },
  { argv: [...TRAIN, "--clip", "1", "--clip-mode", "scale"], exit: 2, message: "--clip-mode must be clip or normalize, got \"scale\"" },
  { argv: [...TRAIN, "--clip-mode", "normalize"], exit: 2, message: "--clip-mode normalize needs --clip C" },
  { argv: [...TRAIN, "--minutes", "0", "--out", "$DIR/out"], exit: 2, message: "--minutes must be > 0, got 0" },
  { argv: [...TRAIN, "--checkpoint-every", "0", "--out", "$DIR/out"], exit: 2, message: "--checkpoint-every must be ≥ 1, got 0" },
  { argv: [...TRAIN, "--checkpoint-every", "1"], exit: 2, message: "--checkpoint-every needs --out DIR" },
  { argv: [...TRAIN, "--steps", "0"], exit: 2, message: "--steps must be ≥ 1" },
  { argv: [...TRAIN, "--batch", "1"], exit: 2, message: "--batch must be ≥ 2" },
  { argv: [...TRAIN, "--beta", "0"], exit: 2, message: "--beta must be > 0" },
  { argv: [...TRAIN, "--steps", "2.5"], exit: 2, message: "--steps must be an integer" },
  { argv: [...TRAIN, "--lr", "fast"], exit: 2, message: '--lr must be a number, got "fast"' },
  { argv: [...TRAIN, "--schedule", "linear"], exit: 2, message: "--schedule must be constant or cosine" },
  { argv: [...TRAIN, "--model", "nade"], exit: 2, message: "--model must be one of made, pixelcnn, twobo" },
  { argv: [...TRAIN, "--half-kernel", "2"], exit: 2, message: "--half-kernel applies to --model pixelcnn only" },
  { argv: [...TRAIN, "--model", "pixelcnn"], exit: 2, message: "--model pixelcnn: pixelcnn: system \"sk n=8 seed=0\" has no grid geometry" },
  { argv: ["train", "--system", "bogus:n=3", "--beta", "1", "--steps", "2"], exit: 2, message: "--system bogus:n=3: parseSystemSpec: unknown system family" },
  { argv: ["train", "--instance", "$DIR/none.json", "--beta", "1", "--steps", "2"], exit: 2, message: "--instance $DIR/none.json" },
  { argv: ["train", "--system", "sk:n=8", "--instance", "$DIR/none.json", "--beta", "1", "--steps", "2"], exit: 2, message: "exactly one of --system or --instance" },
  // train: checkpoints to resume from
  { argv: [...TRAIN, "--resume", "$FIX/nan.json", "--out", "$DIR/out"], exit: 2, message: "--resume $FIX/nan.json: variable w0 has a non-finite value (NaN" },
  { argv: [...TRAIN, "--resume", "$FIX/altered.json", "--out", "$DIR/out"], exit: 2, message: "--resume $FIX/altered.json fails its SHA-256 checksum" },
  { argv: [...TRAIN, "--resume", "$FIX/truncated.json", "--out", "$DIR/out"], exit: 2, message: "--resume $FIX/truncated.json is not complete JSON (truncated" },
  { argv: [...TRAIN, "--resume", "$FIX/missing.json", "--out", "$DIR/out"], exit: 2, message: "--resume $FIX/missing.json does not exist" },
  { argv: [...TRAIN, "--resume", "$FIX"], exit: 2, message: "--resume $FIX is not a file" },
  { argv: [...TRAIN, "--steps", "3", "--resume", "$FIX/good.json", "--out", "$DIR/out"], exit: 2, message: "--steps (3) is the total and --resume $FIX/good.json is already at step 3: nothing to do (give --steps > 3)" },
  // contradictory resume: another system, model architecture, model family, size, β
  { argv: [...TRAIN.map((a) => (a === "sk:n=8" ? "sk:n=8,seed=1" : a)), "--resume", "$FIX/good.json", "--out", "$DIR/out"], exit: 2, message: "was trained on system \"sk n=8 seed=0\", not \"sk n=8 seed=1\"" },
  { argv: [...TRAIN.map((a) => (a === "sk:n=8" ? "sk:n=9" : a)), "--resume", "$FIX/good.json"], exit: 2, message: "holds a model of 8 spins, the system sk n=9 seed=0 has 9" },
  { argv: [...TRAIN.map((a, k) => (TRAIN[k - 1] === "--depth" ? "3" : a)), "--resume", "$FIX/good.json", "--out", "$DIR/out"], exit: 2, message: "--resume $FIX/good.json holds a model that differs from the one asked for in depth (2 vs 3)" },
  { argv: [...TRAIN, "--z2", "--resume", "$FIX/good.json"], exit: 2, message: "differs from the one asked for in z2 (false vs true)" },
  { argv: [...TRAIN, "--model", "twobo", "--resume", "$FIX/good.json"], exit: 2, message: "--resume $FIX/good.json holds a made model, not --model twobo" },
  // train: unknown and missing options
  { argv: [...TRAIN, "--bogus", "1"], exit: 2, message: "unknown option --bogus" },
  { argv: [...TRAIN, "--stepz", "3", "--lr-mn", "1"], exit: 2, message: "unknown options --stepz, --lr-mn" },
  { argv: ["train", "--system", "sk:n=8", "--steps", "2"], exit: 2, message: "boltzlab train: --beta is required" },
  { argv: ["train", "--system", "sk:n=8", "--beta", "1"], exit: 2, message: "boltzlab train: --steps is required" },
  { argv: ["train", "--beta", "1", "--steps", "2"], exit: 2, message: "exactly one of --system or --instance is required" },
  { argv: [...TRAIN, "--out"], exit: 2, message: "--out needs a value" },
  // sample
  { argv: [...SAMPLE.slice(0, -2), "--sweeps", "1"], exit: 2, message: "boltzlab sample: --sweeps must be ≥ 4" },
  { argv: [...SAMPLE.slice(0, -2), "--sweeps", "6", "--thin", "2"], exit: 2, message: "--sweeps must be ≥ 8" },
  { argv: [...SAMPLE, "--thin", "0"], exit: 2, message: "--thin must be ≥ 1" },
  { argv: [...SAMPLE, "--chains", "0"], exit: 2, message: "--chains must be ≥ 1" },
  { argv: [...SAMPLE, "--burn-in", "-1"], exit: 2, message: "--burn-in must be ≥ 0" },
  { argv: [...SAMPLE, "--beta", "-1"], exit: 2, message: "--beta must be > 0" },
  { argv: [...SAMPLE, "--sampler", "gibbs"], exit: 2, message: "--sampler must be one of" },
  { argv: [...SAMPLE, "--sampler", "nmcmc", "--model", "$FIX/nan.json"], exit: 2, message: "--model $FIX/nan.json: variable w0 has a non-finite value (NaN" },
  { argv: [...SAMPLE, "--sampler", "nmcmc", "--model", "$FIX/altered.json"], exit: 2, message: "--model $FIX/altered.json fails its SHA-256 checksum" },
  { argv: [...SAMPLE, "--sampler", "nmcmc", "--model", "$FIX/truncated.json"], exit: 2, message: "--model $FIX/truncated.json is not complete JSON" },
  { argv: [...SAMPLE, "--sampler", "nmcmc", "--model", "$FIX/missing.json"], exit: 2, message: "--model $FIX/missing.json does not exist" },
  { argv: [...SAMPLE, "--sampler", "nmcmc"], exit: 2, message: "--sampler nmcmc --model CHECKPOINT is required" },
  { argv: ["sample", "--system", "ising:L=3", "--beta", "1", "--sampler", "nmcmc", "--model", "$FIX/good.json"], exit: 2, message: "--model $FIX/good.json holds a model of 8 spins, the system" },
  { argv: [...SAMPLE, "--model", "$FIX/good.json"], exit: 2, message: "--model/--local-sweeps must be used with --sampler nmcmc only" },
  { argv: [...SAMPLE, "--sampler", "pt", "--betas", "0.5,2"], exit: 2, message: "--beta 1 must be one of --betas" },
  { argv: [...SAMPLE, "--sampler", "pt", "--replicas", "1"], exit: 2, message: "--replicas must be an integer ≥ 2" },
  { argv: [...SAMPLE, "--frob"], exit: 2, message: "unknown option --frob" },
  { argv: ["sample", "--system", "sk:n=8"], exit: 2, message: "boltzlab sample: --beta is required" },
  { argv: ["sample", "--beta", "1"], exit: 2, message: "one of --system SPEC or --instance FILE is required" },
  // flow
  { argv: ["flow", "--lr", "0"], exit: 2, message: "boltzlab flow: --lr must be > 0" },
  { argv: ["flow", "--samples", "1"], exit: 2, message: "boltzlab flow: --samples must be ≥ 2" },
  { argv: ["flow", "--steps", "0"], exit: 2, message: "boltzlab flow: --steps must be ≥ 1" },
  { argv: ["flow", "--batch", "1"], exit: 2, message: "boltzlab flow: --batch must be ≥ 2" },
  { argv: ["flow", "--hidden", "8,0"], exit: 2, message: "--hidden must be comma-separated positive integers" },
  { argv: ["flow", "--loss", "kl"], exit: 2, message: "--loss must be one of" },
  { argv: ["flow", "--out", "$DIR/file"], files: ["file"], exit: 2, message: "boltzlab flow: --out $DIR/file is an existing file" },
  // exact
  { argv: ["exact", "--system", "ising:L=4"], exit: 2, message: "boltzlab exact: --beta is required" },
  { argv: ["exact", "--beta", "1"], exit: 2, message: "exactly one of --system or --instance is required" },
  { argv: ["exact", "--system", "sk:n=8", "--beta", "1", "--method", "kaufman"], exit: 2, message: "--method kaufman does not apply to sk n=8" },
  { argv: ["exact", "--system", "sk:n=8", "--beta", "1", "--method", "magic"], exit: 2, message: "--method must be one of auto" },
  { argv: ["exact", "--system", "sk:n=40", "--beta", "1"], exit: 2, message: "no exact method applies to --system sk n=40" },
  { argv: ["exact", "--system", "ising:L=x", "--beta", "1"], exit: 2, message: "--system ising:L=x" },
  // commands
  { argv: ["frobnicate"], exit: 2, message: 'unknown command "frobnicate"' },
  { argv: ["info", "--bogus", "1"], exit: 2, message: "boltzlab info: unknown option --bogus" },
];

/** Fixture checkpoints: a MADE trained 3 steps on sk:n=8 by the CLI, and damaged copies of it. */
async function fixtures(): Promise<string> {
  const fix = fs.mkdtempSync(path.join(os.tmpdir(), "bz-bad-fix-"));
  const r = await run(["train", "--system", "sk:n=8", "--beta", "1", "--steps", "3", "--batch", "16", "--samples", "100", "--depth", "2", "--width", "2", "--seed", "1", "--out", fix]);
  assert.equal(r.code, 0, r.stderr);
  const good = path.join(fix, "good.json");
  fs.renameSync(path.join(fix, "checkpoint.json"), good);
  for (const f of ["history.csv", "summary.json"]) fs.rmSync(path.join(fix, f));
  nonFiniteCheckpoint(good, path.join(fix, "nan.json"));
  alteredCheckpoint(good, path.join(fix, "altered.json"));
  truncatedCheckpoint(good, path.join(fix, "truncated.json"));
  return fix;
}

/** Run one row in a fresh directory; returns what is wrong (empty when the row passes). */
async function check(row: Row, fix: string, fixBefore: string[]): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bz-bad-"));
  for (const f of row.files ?? []) fs.writeFileSync(path.join(dir, f), "not a directory\n");
  const sub = (s: string) => s.replaceAll("$DIR", dir).replaceAll("$FIX", fix);
  const cwd = process.cwd();
  process.chdir(dir);
  let r: Awaited<ReturnType<typeof run>>;
  try {
    r = await run(row.argv.map(sub));
  } finally {
    process.chdir(cwd);
  }
  const problems: string[] = [];
  if (r.code !== row.exit) problems.push(`exit ${r.code}, expected ${row.exit}`);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  if (lines.length !== 1) problems.push(`${lines.length} stderr lines: ${JSON.stringify(r.stderr.slice(0, 300))}`);
  if (!r.stderr.includes(sub(row.message))) problems.push(`stderr ${JSON.stringify(r.stderr.trim())} lacks ${JSON.stringify(sub(row.message))}`);
  if (r.stdout !== "") problems.push(`stdout not empty: ${JSON.stringify(r.stdout.slice(0, 100))}`);
  const left = tree(dir);
  const expected = [...(row.files ?? [])].sort();
  if (JSON.stringify(left) !== JSON.stringify(expected)) problems.push(`wrote ${JSON.stringify(left.filter((f) => !expected.includes(f)))}`);
  if (JSON.stringify(tree(fix)) !== JSON.stringify(fixBefore)) problems.push(`changed the fixtures: ${JSON.stringify(tree(fix))}`);
  fs.rmSync(dir, { recursive: true, force: true });
  return problems;
}

let fix = "";
let fixBefore: string[] = [];
before(async () => {
  fix = await fixtures();
  fixBefore = tree(fix);
});
after(() => fs.rmSync(fix, { recursive: true, force: true }));

test(`bad input: ${rows.length} rows exit non-zero with one line naming the argument and write nothing`, async () => {
  const failures: string[] = [];
  for (const row of rows) {
    const problems = await check(row, fix, fixBefore);
    if (problems.length > 0) failures.push(`${row.argv.join(" ")}: ${problems.join("; ")}`);
  }
  assert.deepEqual(failures, [], `${rows.length - failures.length}/${rows.length} rows pass`);
});

test("bad input: a resume at another β is refused before the first step (by trainVan's resume-compatibility check)", async () => {
  const argv = TRAIN.map((a, k) => (TRAIN[k - 1] === "--beta" ? "2" : a));
  const row: Row = { argv: [...argv, "--resume", "$FIX/good.json", "--out", "$DIR/out"], exit: 2, message: "beta" };
  assert.deepEqual(await check(row, fix, fixBefore), []);
});

test("usage errors are reported before TensorFlow starts: one stderr line in a fresh process", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bz-bad-fresh-"));
  fs.writeFileSync(path.join(dir, "cut.json"), '{"format":"boltzlab-checkpoint","version":2,"checks');
  for (const argv of [
    ["train", "--system", "sk:n=8", "--beta", "1", "--steps", "2", "--resume", path.join(dir, "cut.json"), "--out", path.join(dir, "out")],
    ["sample", "--system", "ising:L=3", "--beta", "1", "--sweeps", "1"],
  ]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", `require("./src/cli/main").main(process.argv.slice(1)).then(c => process.exit(c))`, ...argv], {
      cwd: root, encoding: "utf8", env: { ...process.env, BOLTZLAB_PROGRESS: "0" },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.split("\n").filter((l) => l !== "").length, 1, `one line, no TensorFlow start-up lines, no stack trace: ${r.stderr}`);
    assert.match(r.stderr, argv[0] === "train" ? /^boltzlab train: --resume .*cut\.json is not complete JSON/ : /^boltzlab sample: --sweeps must be/);
    assert.equal(r.stdout, "");
  }
  assert.deepEqual(fs.readdirSync(dir), ["cut.json"]);
  fs.rmSync(dir, { recursive: true });
});
