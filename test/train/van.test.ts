import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../tempdir";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { made } from "../../src/models/made";
import { sk } from "../../src/systems/lattices";
import { exact } from "../../src/exact/exact";
import type { SpinSystem } from "../../src/systems/types";
import { loadCheckpoint, saveCheckpoint } from "../../src/train/checkpoint";
import { Adam } from "../../src/train/adam";
import { annealedBeta, learningRate } from "../../src/train/schedule";
import { energiesOf, reinforceLoss, saveHistory, trainVan, VanDivergenceError } from "../../src/train/van";
import { sweepVan } from "../../src/train/sweep";

ensureBackend();

function allStates(n: number): Float32Array {
  const out = new Float32Array((1 << n) * n);
  for (let s = 0; s < 1 << n; s++) for (let i = 0; i < n; i++) out[s * n + i] = (s >> i) & 1 ? 1 : -1;
  return out;
}

/** The gradient of f w.r.t. vars as one flat float64 array (tensors freed). */
function gradOf(f: () => tf.Scalar, vars: tf.Variable[]): Float64Array {
  const { value, grads } = tf.variableGrads(f, vars);
  const out = flat(vars.map((v) => grads[v.name]));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

function flat(grads: tf.Tensor[]): Float64Array {
  const parts = grads.map((g) => g.dataSync());
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

test("the REINFORCE gradient agrees with the exact gradient of β F_q (enumeration, N = 8) within its Monte Carlo error", () => {
  const n = 8;
  const beta = 0.7;
  const system = sk({ n, seed: 3 });
  for (const z2 of [false, true]) {
    const m = made({ size: n, depth: 2, width: 2, z2, seed: 5 });
    const vars = m.trainableVariables;
    const xs = allStates(n);
    const e = energiesOf(system, xs, 1 << n);
    // exact: ∇ Σ_s q(s) (βE(s) + ln q(s)) = Σ_s q ∇ln q (βE + ln q + 1), and Σ q ∇ln q = 0
    const allX = tf.tensor2d(xs, [1 << n, n]);
    const eT = tf.tensor1d(Float32Array.from(e));
    const exactGrad = gradOf(() => {
      const lq = m.logProb(allX);
      return tf.sum(tf.mul(tf.exp(lq), tf.add(tf.mul(eT, beta), lq))) as tf.Scalar;
    }, vars);
    tf.dispose([allX, eT]);
    const reps = 24;
    const batch = 400;
    const perRep: Float64Array[] = [];
    for (let r = 0; r < reps; r++) {
      const s = m.sampleArrays(batch, { seed: 100 + r });
      const en = energiesOf(system, s.x, batch);
      const L = en.map((v, k) => beta * v + s.logProb[k]);
      const xT = tf.tensor2d(s.x, [batch, n]);
      perRep.push(gradOf(() => reinforceLoss(m.logProb(xT), L), vars));
      xT.dispose();
    }
    // project on the exact gradient and on two fixed random directions: each within 4σ of the
    // exact projection (σ from the spread over independent repetitions)
    const dirs: Float64Array[] = [exactGrad];
    let seed = 1;
    for (let d = 0; d < 2; d++) dirs.push(exactGrad.map(() => { seed = (seed * 48271) % 2147483647; return seed / 2147483647 - 0.5; }));
    for (const [d, dir] of dirs.entries()) {
      const proj = perRep.map((g) => g.reduce((a, v, k) => a + v * dir[k], 0));
      const est = proj.reduce((a, v) => a + v, 0) / reps;
      const se = Math.sqrt(proj.reduce((a, v) => a + (v - est) ** 2, 0) / (reps - 1) / reps);
      // the batch-mean baseline scales the expected gradient by (B − 1)/B
      const target = (exactGrad.reduce((a, v, k) => a + v * dir[k], 0) * (batch - 1)) / batch;
      assert.ok(Math.abs(est - target) < 4 * se, `z2=${z2} direction ${d}: REINFORCE ${est} vs exact ${target} (σ = ${se})`);
      if (d === 0) assert.ok(Math.abs(est - target) < 0.1 * Math.abs(target), `z2=${z2}: the projection on the exact gradient is within 10% (${est} vs ${target})`);
    }
    m.dispose();
  }
});

test("training lowers F_q towards the exact F on a small SK glass, F_q ≥ F; history has every column", () => {
  const n = 8;
  const system = sk({ n, seed: 2 });
  const ex = exact(system, 1);
  const m = made({ size: n, depth: 2, width: 2, z2: true, seed: 1 });
  const r = trainVan({ model: m, system, beta: 1, steps: 120, batch: 200, lr: 1e-2, anneal: 0.9, seed: 3, progress: false });
  assert.equal(r.rows.length, 120);
  assert.deepEqual(r.history.columns.sort(), ["absMagnetization", "beta", "energy", "entropy", "freeEnergy", "freeEnergyError", "gradNorm", "lr", "step", "wallTime"].sort());
  const last = r.rows.slice(-10);
  const f = last.reduce((a, row) => a + row.freeEnergy, 0) / last.length;
  const err = Math.sqrt(last.reduce((a, row) => a + row.freeEnergyError ** 2, 0)) / last.length;
  assert.ok(f > ex.freeEnergyPerSpin - 4 * err, `F_q ${f} ≥ F ${ex.freeEnergyPerSpin}`);
  assert.ok((f - ex.freeEnergyPerSpin) / Math.abs(ex.freeEnergyPerSpin) < 0.02, `relative error ${(f - ex.freeEnergyPerSpin) / Math.abs(ex.freeEnergyPerSpin)}`);
  assert.ok(Math.abs(r.rows[119].beta - (1 - 0.9 ** 120)) < 1e-12);
  const dir = tempDir("van-");
  saveHistory(r.history, path.join(dir, "h.csv"));
  saveHistory(r.history, path.join(dir, "h.parquet"));
  assert.equal(fs.readFileSync(path.join(dir, "h.csv"), "utf8").trim().split("\n").length, 121);
  assert.ok(fs.statSync(path.join(dir, "h.parquet")).size > 0);
  assert.throws(() => saveHistory(r.history, path.join(dir, "h.txt")), /\.csv or \.parquet/);
  m.dispose();
});

test("divergence stops with an Error naming the step and restores the last good weights", () => {
  const n = 6;
  const base = sk({ n, seed: 1 });
  let calls = 0;
  const batch = 16;
  // the energy turns NaN from the 4th step on
  const bad: SpinSystem = Object.assign(Object.create(Object.getPrototypeOf(base)), base, {
    energyOf(s: ArrayLike<number>) {
      calls++;
      return calls > 3 * batch ? NaN : base.energyOf(s);
    },
  });
  const m = made({ size: n, depth: 2, width: 2, seed: 1 });
  let atStep2: Float32Array[] = [];
  assert.throws(
    () => trainVan({ model: m, system: bad, beta: 1, steps: 10, batch, lr: 0.05, seed: 1, progress: false, onStep: (row) => {
      if (row.step === 2) atStep2 = m.trainableVariables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    } }),
    (e: unknown) => e instanceof VanDivergenceError && e.step === 4 && /diverged at step 4/.test(e.message) && e.rows.length === 3,
  );
  m.trainableVariables.forEach((v, k) => assert.deepEqual(Array.from(v.dataSync()), Array.from(atStep2[k])));
  m.dispose();
});

test("checkpoints round-trip weights and Adam state atomically, resume continues the step count, and refuse another architecture", () => {
  const n = 6;
  const system = sk({ n, seed: 1 });
  const dir = tempDir("van-ckpt-");
  const file = path.join(dir, "sub", "c.json");
  const m = made({ size: n, depth: 2, width: 2, seed: 1 });
  const r = trainVan({ model: m, system, beta: 1, steps: 5, batch: 32, seed: 1, checkpoint: file, progress: false });
  assert.equal(r.checkpoint, path.resolve(file));
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ["c.json"]);
  const saved = m.trainableVariables.map((v) => Array.from(v.dataSync()));
  const opt = new Adam(m.trainableVariables);
  const m2 = made({ size: n, depth: 2, width: 2, seed: 99 });
  const opt2 = new Adam(m2.trainableVariables);
  const info = loadCheckpoint({ path: file, model: m2, optimizer: opt2 });
  assert.equal(info.meta.step, 5);
  assert.ok(info.optimizerRestored);
  assert.equal(opt2.step, 5);
  m2.trainableVariables.forEach((v, k) => assert.deepEqual(Array.from(v.dataSync()), saved[k]));
  // resume: steps continue from 5 (steps is the run's total)
  const r2 = trainVan({ model: m2, system, beta: 1, steps: 7, batch: 32, seed: 2, resume: file, progress: false });
  assert.deepEqual(r2.rows.map((x) => x.step), [6, 7]);
  // save/load through the free functions, then mismatches
  saveCheckpoint({ path: file, model: m, optimizer: opt, meta: { note: "x" } });
  const other = made({ size: n, depth: 3, width: 2, seed: 1 });
  assert.throws(() => loadCheckpoint({ path: file, model: other }), /holds made .*depth=2.* but the model is made .*depth=3.*differs in depth/);
  const bigger = made({ size: n + 1, depth: 2, width: 2, seed: 1 });
  assert.throws(() => loadCheckpoint({ path: file, model: bigger }), /differs in size/);
  fs.writeFileSync(path.join(dir, "junk.json"), "{}");
  assert.throws(() => loadCheckpoint({ path: path.join(dir, "junk.json"), model: m }), /not a boltzlab checkpoint/);
  assert.throws(() => loadCheckpoint({ path: path.join(dir, "missing.json"), model: m }), /could not read/);
  tf.dispose([]);
  [m, m2, other, bigger].forEach((x) => x.dispose());
  opt.dispose();
  opt2.dispose();
});

test("schedules and annealing", () => {
  assert.equal(learningRate(1, 100, { lr: 0.1 }), 0.1);
  assert.ok(Math.abs(learningRate(100, 100, { lr: 0.1, schedule: "cosine" }) - 0.001) < 1e-12);
  assert.ok(Math.abs(learningRate(3, 100, { lr: 0.1, schedule: "exponential", decay: 0.5 }) - 0.025) < 1e-12);
  assert.equal(learningRate(7, 10, { lr: 1, schedule: (t) => 1 / t }), 1 / 7);
  assert.equal(annealedBeta(10, 2, null), 2);
  assert.ok(Math.abs(annealedBeta(2, 2, 0.5) - 1.5) < 1e-12);
  assert.ok(Math.abs(annealedBeta(1, 2, 0.5, 1) - 1.5) < 1e-12);
});

test("a β-sweep warm-starts each stage and reports estimates and exact values", () => {
  const n = 6;
  const system = sk({ n, seed: 4 });
  const m = made({ size: n, depth: 2, width: 2, z2: true, seed: 1 });
  const r = sweepVan({ model: m, system, betas: [0.3, 0.6], steps: 30, batch: 100, lr: 1e-2, anneal: 0.9, estimateSamples: 2000, exact: true, seed: 1, progress: false });
  assert.equal(r.results.height, 2);
  assert.equal(r.history.height, 60);
  const rows = r.results.toRecords() as Record<string, number>[];
  assert.ok(Math.abs(rows[1].beta - 0.6) < 1e-12);
  const hist = r.history.toRecords() as Record<string, number>[];
  assert.ok(hist[30].beta > 0.3 && hist[30].beta < 0.6, "stage 2 anneals from the previous β");
  for (const row of rows) assert.ok(Math.abs(row.relativeError) < 0.05 && row.fVariational > row.fExact - 4 * row.fVariationalError);
  m.dispose();
});

test("F_q in the history comes from the gradient pass's ln q and equals the sampler's own ln q (Z2 MADE)", () => {
  const n = 8;
  const system = sk({ n, seed: 2 });
  const m = made({ size: n, depth: 2, width: 3, z2: true, seed: 5 });
  tf.tidy(() => m.trainableVariables.forEach((v) => v.assign(tf.mul(v, 3))));
  // the same seed draws the same batch as the first training step
  const s = m.sampleArrays(64, { seed: 11 });
  const e = energiesOf(system, s.x, 64);
  let mean = 0;
  for (let b = 0; b < 64; b++) mean += (0.7 * e[b] + s.logProb[b]) / 64;
  const r = trainVan({ model: m, system, beta: 0.7, steps: 1, batch: 64, seed: 11, progress: false });
  const f = mean / (0.7 * n);
  assert.ok(Math.abs(r.rows[0].freeEnergy - f) < 1e-6 * Math.abs(f), `${r.rows[0].freeEnergy} vs ${f}`);
  m.dispose();
});

test("a time budget stops training early and runs the learning-rate schedule over the budget", () => {
  const system = sk({ n: 6, seed: 1 });
  const m = made({ size: 6, depth: 2, width: 2, seed: 1 });
  const r = trainVan({ model: m, system, beta: 1, steps: 1_000_000, minutes: 0.005, batch: 16, lr: 1e-2, schedule: "cosine", lrMin: 1e-4, seed: 1, progress: false });
  assert.ok(r.steps > 1 && r.steps < 1_000_000, `${r.steps} steps`);
  assert.equal(r.rows.length, r.steps);
  const last = r.rows[r.rows.length - 1];
  assert.ok(last.wallTime >= 0.3, `stopped at ${last.wallTime} s`);
  // by steps alone the cosine would still be at lr; over the budget it has come down towards lrMin
  assert.ok(last.lr < 2e-3, `last lr ${last.lr}`);
  assert.throws(() => trainVan({ model: m, system, beta: 1, steps: 5, minutes: 0, progress: false }), /trainVan: minutes must be > 0/);
  m.dispose();
});

test("no tensor leaks over many training steps", () => {
  const system = sk({ n: 6, seed: 1 });
  const m = made({ size: 6, depth: 3, width: 2, z2: true, seed: 1 });
  trainVan({ model: m, system, beta: 1, steps: 2, batch: 16, seed: 1, progress: false, clip: 1 });
  const before = tf.memory().numTensors;
  trainVan({ model: m, system, beta: 1, steps: 40, batch: 16, seed: 1, progress: false, clip: 0.5 });
  assert.equal(tf.memory().numTensors, before);
  m.dispose();
});

test("bad arguments throw: β ≤ 0, batch < 2, a model of another size, unknown options", () => {
  const system = sk({ n: 6, seed: 1 });
  const m = made({ size: 6, seed: 1 });
  const ok = { model: m, system, beta: 1, steps: 1, batch: 8, progress: false };
  assert.throws(() => trainVan({ ...ok, beta: 0 }), /trainVan: beta must be > 0/);
  assert.throws(() => trainVan({ ...ok, beta: -1 }), /beta/);
  assert.throws(() => trainVan({ ...ok, batch: 1 }), /trainVan: batch must be ≥ 2/);
  assert.throws(() => trainVan({ ...ok, steps: 0 }), /steps/);
  assert.throws(() => trainVan({ ...ok, anneal: 1 }), /anneal/);
  const small = made({ size: 5, seed: 1 });
  assert.throws(() => trainVan({ ...ok, model: small }), /model has size 5 but the system has 6 spins/);
  assert.throws(() => trainVan({ ...ok, lrr: 1 } as never), /unknown option "lrr"/);
  assert.throws(() => reinforceLoss(tf.zeros([3]) as tf.Tensor1D, [1, 2]), /signal has 2 entries/);
  m.dispose();
  small.dispose();
});
