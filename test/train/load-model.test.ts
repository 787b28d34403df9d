import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { made } from "../../src/models/made";
import { modelFromConfig, registerModelType } from "../../src/models/registry";
import { loadModel, saveCheckpoint } from "../../src/train/checkpoint";
import { estimateVan } from "../../src/estimates/van";
import { kaufman } from "../../src/exact/kaufman";
import { isingSquare } from "../../src/systems/lattices";

ensureBackend();
const root = path.resolve(__dirname, "..", "..");

test("loadModel rebuilds a MADE from its checkpoint alone: same ln q on every input", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boltzlab-load-"));
  const m = made({ size: 6, depth: 2, width: 2, z2: true, seed: 11 });
  const file = saveCheckpoint({ path: path.join(dir, "ck.json"), model: m, meta: { beta: 1 } });
  const before = tf.memory().numTensors;
  const { model, info } = loadModel({ path: file });
  assert.deepEqual(info.meta, { beta: 1 });
  const x = tf.tensor2d([[1, -1, 1, 1, -1, -1], [-1, -1, -1, 1, 1, 1]]);
  const a = tf.tidy(() => m.logProb(x).arraySync() as number[]);
  const b = tf.tidy(() => model.logProb(x).arraySync() as number[]);
  a.forEach((v, k) => assert.ok(Math.abs(v - b[k]) < 1e-5, `${v} vs ${b[k]}`));
  x.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, before, "loadModel and the disposed model leave no tensors behind");
  m.dispose();
  fs.rmSync(dir, { recursive: true });
});

test("loadModel and modelFromConfig say what is wrong", () => {
  assert.throws(() => loadModel({ path: "/nonexistent/ck.json" }), /loadModel: could not read/);
  assert.throws(() => modelFromConfig({ type: "bogus", size: 3 }), /unknown model type "bogus" \(known: .*made/);
  assert.throws(() => registerModelType("", () => { throw new Error(); }), /type must be a non-empty string/);
});

test("`boltzlab sample --sampler nmcmc --model CHECKPOINT` runs an exact chain from a saved model", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boltzlab-nmcmc-"));
  const m = made({ size: 9, depth: 2, width: 2, z2: true, seed: 5 });
  const file = saveCheckpoint({ path: path.join(dir, "ck.json"), model: m });
  m.dispose();
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", `require("./src/cli/main").main(process.argv.slice(1)).then(c => process.exit(c))`,
    "sample", "--system", "ising:L=3", "--beta", "0.3", "--sampler", "nmcmc", "--model", file, "--sweeps", "400", "--seed", "1"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { energyPerSpin: { mean: number; error: number }; energyPerSpinExact: number; acceptance: number };
  assert.ok(out.acceptance > 0 && out.acceptance <= 1);
  assert.ok(Math.abs(out.energyPerSpin.mean - out.energyPerSpinExact) < 5 * out.energyPerSpin.error + 1e-9,
    `E ${out.energyPerSpin.mean} ± ${out.energyPerSpin.error} vs exact ${out.energyPerSpinExact}`);
  fs.rmSync(dir, { recursive: true });
});

test("the shipped 16×16 β = 0.44 PixelCNN (data/models) loads and has the quality its README states", () => {
  // README: F_q/N relative error 7.1e-4 (20 000 samples), importance-sampled F within 0.15 errors
  const { model, info } = loadModel({ path: path.join(root, "data", "models", "ising-L16-beta0.44-pixelcnn.json") });
  assert.equal(info.meta.beta, 0.44);
  const system = isingSquare({ L: 16 });
  const est = estimateVan({ model, system, beta: 0.44, samples: 2000, batch: 500, seed: 3 });
  const f = kaufman(system, 0.44).freeEnergyPerSpin;
  const rel = (est.fVariational.mean - f) / Math.abs(f);
  assert.ok(rel > 0 && rel < 1e-3, `F_q relative error ${rel} (± ${est.fVariational.error / Math.abs(f)})`);
  assert.ok(Math.abs(est.fImportance.mean - f) < 4 * est.fImportance.error, `importance-sampled F ${est.fImportance.mean} ± ${est.fImportance.error} vs ${f}`);
  model.dispose();
});
