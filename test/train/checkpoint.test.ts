import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { made } from "../../src/models/made";
import { Adam } from "../../src/train/adam";
import { loadCheckpoint, loadModel, saveCheckpoint, verifyCheckpoint } from "../../src/train/checkpoint";
import { alteredCheckpoint, f32, nonFiniteCheckpoint, rewriteCheckpoint, truncatedCheckpoint } from "./helpers";

ensureBackend();
const root = path.resolve(__dirname, "..", "..");

const tmpdir = (tag: string) => fs.mkdtempSync(path.join(os.tmpdir(), `bz-ckpt-${tag}-`));
const weights = (m: { trainableVariables: tf.Variable[] }) => m.trainableVariables.map((v) => Array.from(v.dataSync()));
const temps = (dir: string) => fs.readdirSync(dir).filter((f) => f.includes(".tmp-"));

/** A small MADE with a few Adam steps taken, so its moments are non-trivial. */
function trained(seed: number) {
  const m = made({ size: 8, depth: 2, width: 2, seed });
  const opt = new Adam(m.trainableVariables);
  for (let k = 0; k < 2; k++) {
    const { grads } = tf.variableGrads(() => tf.tidy(() => tf.sum(tf.square(tf.addN(m.trainableVariables.map((v) => tf.sum(v)))))) as tf.Scalar, m.trainableVariables);
    opt.apply(m.trainableVariables.map((v) => grads[v.name]), 1e-2);
    tf.dispose(Object.values(grads));
  }
  return { m, opt };
}

test("a saved checkpoint carries a SHA-256 checksum, verifies, and round-trips weights and Adam state exactly", () => {
  const dir = tmpdir("ok");
  const { m, opt } = trained(1);
  const file = saveCheckpoint({ path: path.join(dir, "c.json"), model: m, optimizer: opt, meta: { step: 2, note: "x" } });
  const raw = JSON.parse(fs.readFileSync(file, "utf8"));
  assert.equal(raw.version, 2);
  assert.equal(raw.checksum.algorithm, "sha256");
  assert.match(raw.checksum.value, /^[0-9a-f]{64}$/);
  const v = verifyCheckpoint({ path: file });
  assert.equal(v.checksummed, true);
  assert.equal(v.hasOptimizer, true);
  assert.deepEqual(v.meta, { step: 2, note: "x" });
  assert.deepEqual(v.variables.map((x) => x.name), ["w0", "b0", "w1", "b1", "alpha1"]);
  const m2 = made({ size: 8, depth: 2, width: 2, seed: 7 });
  const opt2 = new Adam(m2.trainableVariables);
  const tensors = tf.memory().numTensors;
  const info = loadCheckpoint({ path: file, model: m2, optimizer: opt2 });
  assert.equal(tf.memory().numTensors, tensors, "loading leaves no tensors behind");
  assert.ok(info.optimizerRestored);
  assert.deepEqual(weights(m2), weights(m));
  const [s1, s2] = [opt.getState(), opt2.getState()];
  assert.equal(s2.step, s1.step);
  s1.m.forEach((a, k) => assert.deepEqual(Array.from(s2.m[k]), Array.from(a)));
  s1.v.forEach((a, k) => assert.deepEqual(Array.from(s2.v[k]), Array.from(a)));
  assert.deepEqual(temps(dir), []);
  [m, m2].forEach((x) => x.dispose());
  [opt, opt2].forEach((x) => x.dispose());
  fs.rmSync(dir, { recursive: true });
});

test("damaged checkpoints are refused on load, naming the file and what is wrong, and leave the model unchanged", () => {
  const dir = tmpdir("bad");
  const { m, opt } = trained(2);
  const good = saveCheckpoint({ path: path.join(dir, "good.json"), model: m, optimizer: opt, meta: { step: 2 } });
  const p = (name: string) => path.join(dir, name);
  // [file, expected message]
  const table: [string, RegExp][] = [
    [alteredCheckpoint(good, p("altered.json")), /altered\.json fails its SHA-256 checksum: the file was altered or corrupted/],
    [truncatedCheckpoint(good, p("half.json")), /half\.json is not complete JSON \(truncated or corrupted/],
    [truncatedCheckpoint(good, p("cut1.json"), 0.999), /cut1\.json is not complete JSON \(truncated/],
    [(fs.writeFileSync(p("empty.json"), ""), p("empty.json")), /empty\.json is not complete JSON/],
    [nonFiniteCheckpoint(good, p("nan.json"), 0), /nan\.json: variable w0 has a non-finite value \(NaN at index 0\)/],
    [nonFiniteCheckpoint(good, p("inf.json"), 3, Infinity), /inf\.json: variable b1 has a non-finite value \(Infinity/],
    [rewriteCheckpoint(good, p("nanm.json"), (f) => { f.optimizer.m[1] = f32(new Array<number>(m.trainableVariables[1].size).fill(NaN)); }), /nanm\.json: optimizer moment m\[1\] has a non-finite value/],
    [rewriteCheckpoint(good, p("meta.json"), (f) => { f.meta.step = 3; }, false), /meta\.json fails its SHA-256 checksum/],
    [rewriteCheckpoint(good, p("nosum.json"), (f) => { delete f.checksum; }), /nosum\.json has no SHA-256 checksum/],
    [rewriteCheckpoint(good, p("b64.json"), (f) => { f.variables[0].data = "!" + (f.variables[0].data as string).slice(1); }), /b64\.json: the data of w0 is not valid base64/],
    [rewriteCheckpoint(good, p("short.json"), (f) => { f.variables[2].data = (f.variables[2].data as string).slice(0, 16); }), /short\.json: w1 has 3 values for shape .* the file is truncated or corrupted/],
    [rewriteCheckpoint(good, p("v3.json"), (f) => { f.version = 3; }), /v3\.json has checkpoint version 3, this boltzlab reads 1 and 2/],
    [(fs.writeFileSync(p("junk.json"), "{}"), p("junk.json")), /junk\.json is not a boltzlab checkpoint/],
    [p("missing.json"), /could not read .*missing\.json: no such file/],
  ];
  const m2 = made({ size: 8, depth: 2, width: 2, seed: 9 });
  const opt2 = new Adam(m2.trainableVariables);
  const before = weights(m2);
  const stepBefore = opt2.step;
  const tensors = tf.memory().numTensors;
  for (const [file, re] of table) {
    assert.throws(() => verifyCheckpoint({ path: file }), (e: Error) => re.test(e.message) && e.message.startsWith("verifyCheckpoint: "), `verify ${file}`);
    assert.throws(() => loadCheckpoint({ path: file, model: m2, optimizer: opt2 }), (e: Error) => re.test(e.message) && e.message.startsWith("loadCheckpoint: "), `load ${file}`);
    assert.throws(() => loadModel({ path: file }), (e: Error) => re.test(e.message) && e.message.startsWith("loadModel: "), `loadModel ${file}`);
  }
  assert.equal(tf.memory().numTensors, tensors, "refused loads leave no tensors behind");
  assert.deepEqual(weights(m2), before, "a refused file changes no weight");
  assert.equal(opt2.step, stepBefore);
  [m, m2].forEach((x) => x.dispose());
  [opt, opt2].forEach((x) => x.dispose());
  fs.rmSync(dir, { recursive: true });
});

test("non-finite weights or moments are refused on save, naming the variable, and nothing is written", () => {
  const dir = tmpdir("save");
  const { m, opt } = trained(3);
  const target = path.join(dir, "sub", "c.json");
  const keep = m.trainableVariables[2].clone();
  m.trainableVariables[2].assign(tf.fill(m.trainableVariables[2].shape, NaN));
  assert.throws(() => saveCheckpoint({ path: target, model: m }), /saveCheckpoint: variable w1 has a non-finite value \(NaN at index 0\); refusing to write .*c\.json/);
  assert.equal(fs.existsSync(path.join(dir, "sub")), false, "not even the folder is created");
  m.trainableVariables[2].assign(keep);
  keep.dispose();
  // a diverged optimizer: a moment holding Infinity
  const st = opt.getState();
  st.v[4] = Float32Array.from(st.v[4], () => Infinity);
  opt.setState(st);
  assert.throws(() => saveCheckpoint({ path: target, model: m, optimizer: opt }), /saveCheckpoint: optimizer moment v\[4\] \(of alpha1\) has a non-finite value \(Infinity/);
  assert.equal(fs.existsSync(path.join(dir, "sub")), false);
  saveCheckpoint({ path: target, model: m });
  assert.deepEqual(fs.readdirSync(path.join(dir, "sub")), ["c.json"]);
  m.dispose();
  opt.dispose();
  fs.rmSync(dir, { recursive: true });
});

test("a failed write removes its temporary file; stale temporary files of dead runs are removed at the next save, live ones kept", () => {
  const dir = tmpdir("tmp");
  const m = made({ size: 8, depth: 2, width: 2, seed: 4 });
  // the rename over a non-empty directory fails after the temporary file was written
  const blocked = path.join(dir, "blocked.json");
  fs.mkdirSync(blocked);
  fs.writeFileSync(path.join(blocked, "x"), "x");
  assert.throws(() => saveCheckpoint({ path: blocked, model: m }), /saveCheckpoint: could not write .*blocked\.json/);
  assert.deepEqual(temps(dir), []);
  // stale files: a dead pid (a child that has exited), a live one (our parent), our own pid (not in flight), and look-alikes
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
  assert.ok(dead > 0);
  const names = [`c.json.tmp-${dead}-1700000000000`, `c.json.tmp-${process.ppid}-1700000000000`, `c.json.tmp-${process.pid}-1`, "c.json.tmp-notapid", `d.json.tmp-${dead}-1`];
  for (const n of names) fs.writeFileSync(path.join(dir, n), "{partial");
  // a load ignores them
  const target = path.join(dir, "c.json");
  saveCheckpoint({ path: target, model: m });
  assert.deepEqual(
    fs.readdirSync(dir).sort(),
    ["blocked.json", "c.json", `c.json.tmp-${process.ppid}-1700000000000`, "c.json.tmp-notapid", `d.json.tmp-${dead}-1`].sort(),
  );
  const { model } = loadModel({ path: target });
  assert.deepEqual(weights(model), weights(m));
  model.dispose();
  m.dispose();
  fs.rmSync(dir, { recursive: true });
});

test("a process that exits or is signalled while writing leaves no temporary file", () => {
  const dir = tmpdir("exit");
  // the child replaces one fs step by an exit / a SIGTERM to itself, as if it came during the write
  const child = (hook: string, file: string) =>
    spawnSync(
      process.execPath,
      ["--import", "tsx", "-e",
        `const fs = require("node:fs"); const { made } = require("./src/models/made"); const { saveCheckpoint } = require("./src/train/checkpoint");
         const m = made({ size: 4, depth: 1, width: 1, seed: 0 });
         ${hook}
         saveCheckpoint({ path: ${JSON.stringify(file)}, model: m });
         setTimeout(() => { process.stdout.write("survived"); }, 2000);`],
      { cwd: root, encoding: "utf8", env: { ...process.env, BOLTZLAB_BACKEND: "cpu", BOLTZLAB_QUIET: "1" } },
    );
  const a = child(`fs.renameSync = () => process.exit(3);`, path.join(dir, "a.json"));
  assert.equal(a.status, 3, a.stderr);
  assert.deepEqual(fs.readdirSync(dir), [], "the exit handler removed the temporary file; no checkpoint was written");
  const b = child(`const fsync = fs.fsyncSync; fs.fsyncSync = (fd) => { process.kill(process.pid, "SIGTERM"); fsync(fd); };`, path.join(dir, "b.json"));
  assert.equal(b.signal, "SIGTERM", `status ${b.status}, stdout ${b.stdout}, stderr ${b.stderr}`);
  assert.equal(b.stdout, "", "SIGTERM still terminates the process");
  assert.deepEqual(fs.readdirSync(dir), ["b.json"], "the write under way completed atomically before the signal was acted on");
  verifyCheckpoint({ path: path.join(dir, "b.json") });
  fs.rmSync(dir, { recursive: true });
});

test("version-1 checkpoints without a checksum still load (the shipped model among them); their weights are still checked", () => {
  const shipped = path.join(root, "data", "models", "ising-L16-beta0.44-pixelcnn.json");
  const v = verifyCheckpoint({ path: shipped });
  assert.equal(v.version, 1);
  assert.equal(v.checksummed, false);
  assert.equal(v.config?.type, "pixelcnn");
  const dir = tmpdir("v1");
  const m = made({ size: 8, depth: 2, width: 2, seed: 5 });
  const good = saveCheckpoint({ path: path.join(dir, "v2.json"), model: m, meta: { beta: 1 } });
  const old = rewriteCheckpoint(good, path.join(dir, "v1.json"), (f) => { f.version = 1; delete f.checksum; });
  const { model, info } = loadModel({ path: old });
  assert.deepEqual(weights(model), weights(m));
  assert.deepEqual(info.meta, { beta: 1 });
  model.dispose();
  const nan = nonFiniteCheckpoint(old, path.join(dir, "v1nan.json"), 1);
  assert.throws(() => loadModel({ path: nan }), /v1nan\.json: variable b0 has a non-finite value/);
  m.dispose();
  fs.rmSync(dir, { recursive: true });
});
