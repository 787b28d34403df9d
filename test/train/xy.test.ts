import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { importanceEstimates } from "../../src/estimates/importance";
import { made } from "../../src/models/made";
import { xyMade, XyMade } from "../../src/models/xyMade";
import { curieWeiss } from "../../src/systems/lattices";
import { xyChain } from "../../src/systems/xy";
import type { XYSystem } from "../../src/systems/types";
import { loadCheckpoint, loadModel, saveCheckpoint, verifyCheckpoint } from "../../src/train/checkpoint";
import { runTraining } from "../../src/train/driver";
import { reinforceObjective } from "../../src/train/objectives";
import { trainVan } from "../../src/train/van";

ensureBackend();

/** I_n(x) for integer n ≥ 0 by its power series, float64. */
function besselI(n: number, x: number): number {
  let t = Math.pow(x / 2, n);
  for (let k = 1; k <= n; k++) t /= k;
  let s = t;
  for (let k = 1; k < 1000; k++) {
    t *= (x / 2) ** 2 / (k * (k + n));
    s += t;
    if (t < s * 1e-18) break;
  }
  return s;
}

/** Exact free energy per site of the XY chain (J = 1, h = 0): open Z = (2π)^N I₀(β)^{N−1}; ring Z = (2π)^N Σ_n I_n(β)^N. */
function exactXYChainF(n: number, beta: number, ring: boolean): number {
  let lnZ = n * Math.log(2 * Math.PI);
  if (ring) {
    let s = 0;
    for (let k = 0; k < 60; k++) s += (k === 0 ? 1 : 2) * besselI(k, beta) ** n;
    lnZ += Math.log(s);
  } else lnZ += (n - 1) * Math.log(besselI(0, beta));
  return -lnZ / (beta * n);
}

/** F_q (variational) and the importance-sampled F per site from `samples` fresh draws, float64. */
function estimate(model: XyMade, system: XYSystem, beta: number, samples: number, seed: number) {
  const n = system.n;
  const s = model.sampleAngles(samples, { seed });
  const e = new Float64Array(samples);
  for (let b = 0; b < samples; b++) e[b] = system.energyOf(s.x.subarray(b * n, (b + 1) * n));
  return importanceEstimates({ energy: e, logProb: s.logProb, beta, per: n });
}

test("the Bessel references themselves: the open chain's ln Z against a direct quadrature of a 3-site chain", () => {
  // ∫∫∫ e^{β cos(a−b) + β cos(b−c)} = (2π)³ I₀(β)²; midpoint rule on 64³ points (spectrally accurate for periodic integrands)
  const beta = 1.3;
  const g = 64;
  let z = 0;
  const cs = Array.from({ length: g }, (_, k) => (2 * Math.PI * (k + 0.5)) / g);
  for (const a of cs) for (const b of cs) for (const c of cs) z += Math.exp(beta * Math.cos(a - b) + beta * Math.cos(b - c));
  z *= ((2 * Math.PI) / g) ** 3;
  assert.ok(Math.abs(-Math.log(z) / (3 * beta) - exactXYChainF(3, beta, false)) < 1e-12);
});

test("REINFORCE through trainVan on an XY ring (N = 6, β = 1): F_q within 1e-3 (relative) of the Bessel-formula F, the importance-sampled F within 3σ of it", () => {
  const beta = 1;
  const system = xyChain({ n: 6, boundary: "periodic" });
  const model = xyMade({ size: 6, components: 3, depth: 2, width: 2, symmetry: "rotation", seed: 1 });
  const r = trainVan({ system, model, beta, steps: 300, batch: 256, lr: 1e-2, seed: 2, progress: false });
  assert.equal(r.rows.length, 300);
  for (const row of r.rows) {
    for (const k of ["freeEnergy", "freeEnergyError", "energy", "entropy", "absMagnetization", "gradNorm"]) assert.ok(Number.isFinite(row[k]), `${k} at step ${row.step}`);
    assert.ok(row.absMagnetization >= 0 && row.absMagnetization <= 1);
  }
  const f = exactXYChainF(6, beta, true);
  const est = estimate(model, system, beta, 20000, 3);
  const fq = est.freeEnergyVariational;
  const rel = (fq.mean - f) / Math.abs(f);
  // measured: 1.4e-4; F_q ≥ F up to its noise
  assert.ok(rel < 1e-3, `F_q = ${fq.mean} ± ${fq.error}, F = ${f}, relative error ${rel}`);
  assert.ok(fq.mean > f - 3 * fq.error, `F_q = ${fq.mean} ± ${fq.error} below F = ${f}`);
  const fis = est.freeEnergy;
  assert.ok(Math.abs(fis.mean - f) < 3 * fis.error, `importance-sampled F = ${fis.mean} ± ${fis.error}, exact ${f}`);
  // the last steps' training F_q agrees with the fresh estimate
  const tail = r.rows.slice(-30).reduce((a, row) => a + row.freeEnergy, 0) / 30;
  assert.ok(Math.abs(tail - fq.mean) < 2e-3, `training F_q ${tail} vs estimate ${fq.mean}`);
  model.dispose();
});

test("the driver (runTraining + reinforceObjective) on an open XY chain (N = 8, β = 1.5), exactly representable: F_q within 1e-3 of (2π)^N I₀(β)^{N−1}", () => {
  const beta = 1.5;
  const system = xyChain({ n: 8 });
  const model = xyMade({ size: 8, components: 2, depth: 2, width: 2, symmetry: "uniformFirst", seed: 4 });
  const r = runTraining({ model, objective: reinforceObjective({ system }), steps: 250, batch: 256, beta, lr: 1e-2, seed: 5, progress: false });
  assert.equal(r.steps, 250);
  const f = exactXYChainF(8, beta, false);
  const est = estimate(model, system, beta, 20000, 6);
  const rel = (est.freeEnergyVariational.mean - f) / Math.abs(f);
  assert.ok(rel < 1e-3 && est.freeEnergyVariational.mean > f - 3 * est.freeEnergyVariational.error, `F_q = ${est.freeEnergyVariational.mean}, F = ${f}, relative error ${rel}`);
  assert.ok(Math.abs(est.freeEnergy.mean - f) < 3 * est.freeEnergy.error, `importance-sampled F = ${est.freeEnergy.mean} ± ${est.freeEnergy.error}, exact ${f}`);
  model.dispose();
});

test("checkpoints: save/load round trip (weights, config, Adam), loadModel rebuilds an XY-MADE, and a resumed run replays the uninterrupted one exactly", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bz-xy-"));
  try {
    const system = xyChain({ n: 5, boundary: "periodic" });
    const opts = { components: 2, depth: 2, width: 2, symmetry: "rotation" as const };
    const a = xyMade({ size: 5, seed: 1, ...opts });
    const file = path.join(dir, "a.json");
    trainVan({ system, model: a, beta: 1, steps: 3, batch: 32, lr: 1e-2, seed: 2, checkpoint: file, progress: false });
    const v = verifyCheckpoint({ path: file });
    assert.deepEqual(v.config, a.config());
    assert.ok(v.checksummed && v.hasOptimizer);
    const { model: b } = loadModel({ path: file });
    assert.ok(b instanceof XyMade);
    const x = a.sampleAngles(16, { seed: 3 }).x;
    const [la, lb] = tf.tidy(() => [a.logProb(tf.tensor2d(x, [16, 5])).arraySync(), b.logProb(tf.tensor2d(x, [16, 5])).arraySync()]);
    assert.deepEqual(lb, la);
    // save and load by hand into a fresh model
    const file2 = path.join(dir, "b.json");
    saveCheckpoint({ path: file2, model: a, meta: { note: "x" } });
    const c = xyMade({ size: 5, seed: 99, ...opts });
    const info = loadCheckpoint({ path: file2, model: c });
    assert.deepEqual(info.meta, { note: "x" });
    c.trainableVariables.forEach((w, k) => assert.deepEqual(w.dataSync(), a.trainableVariables[k].dataSync()));
    // a model of another architecture is refused, naming what differs
    const d = xyMade({ size: 5, seed: 1, ...opts, components: 3 });
    assert.throws(() => loadCheckpoint({ path: file2, model: d }), /components/);
    // resume: 3 + 3 steps equal 6 straight (rejection sampling draws a variable number of uniforms; the stream still lines up)
    const straight = xyMade({ size: 5, seed: 1, ...opts });
    const rs = trainVan({ system, model: straight, beta: 1, steps: 6, batch: 32, lr: 1e-2, seed: 2, progress: false });
    const resumed = xyMade({ size: 5, seed: 7, ...opts });
    const rr = trainVan({ system, model: resumed, beta: 1, steps: 6, batch: 32, lr: 1e-2, resume: file, progress: false });
    assert.deepEqual(rr.rows.map((row) => row.freeEnergy), rs.rows.slice(3).map((row) => row.freeEnergy));
    resumed.trainableVariables.forEach((w, k) => assert.deepEqual(w.dataSync(), straight.trainableVariables[k].dataSync()));
    for (const m of [a, b, c, d, straight, resumed]) m.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("training leaks no tensors", () => {
  const system = xyChain({ n: 4, boundary: "periodic" });
  const model = xyMade({ size: 4, components: 2, seed: 1 });
  const before = tf.memory().numTensors;
  trainVan({ system, model, beta: 1, steps: 5, batch: 16, seed: 1, progress: false });
  runTraining({ model, objective: reinforceObjective({ system }), steps: 3, batch: 16, beta: 1, seed: 1, progress: false });
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test("bad input to XY training throws before any work, naming the argument", () => {
  const xy = xyChain({ n: 4, boundary: "periodic" });
  const spins = curieWeiss({ n: 4 });
  const angles = xyMade({ size: 4, seed: 1 });
  const angles5 = xyMade({ size: 5, seed: 1 });
  const spinModel = made({ size: 4, seed: 1 });
  const before = angles.trainableVariables.map((v) => Array.from(v.dataSync()));
  const base = { steps: 2, batch: 8, beta: 1, progress: false, seed: 1 };
  const cases: [() => unknown, RegExp][] = [
    [() => trainVan({ ...base, system: xy, model: angles5 }), /trainVan: the model has size 5 but the system has 4 sites/],
    [() => trainVan({ ...base, system: xy, model: spinModel }), /trainVan: an XY system needs a model of angles.*±1 spin model/],
    [() => trainVan({ ...base, system: spins, model: angles }), /trainVan: the model draws angles .* ±1 spin system/],
    [() => trainVan({ ...base, system: xy, model: angles, beta: 0 }), /trainVan: beta/],
    [() => trainVan({ ...base, system: xy, model: angles, batch: 1 }), /trainVan: batch/],
    [() => trainVan({ ...base, system: xy, model: angles, steps: 0 }), /steps/],
    [() => runTraining({ ...base, model: angles5, objective: reinforceObjective({ system: xy }) }), /reinforceObjective: the model has size 5/],
    [() => reinforceObjective({ system: null as unknown as XYSystem }), /reinforceObjective: system/],
  ];
  for (const [f, re] of cases) assert.throws(f, re);
  angles.trainableVariables.forEach((v, k) => assert.deepEqual(Array.from(v.dataSync()), before[k], "a refused call changed the weights"));
  for (const m of [angles, angles5, spinModel]) m.dispose();
});
