import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import { ActNorm, composeFlows, realNVP, type Flow } from "../../src/flows";
import {
  boltzmannGenerator, lossByEnergy, lossByExample, lossCombined, logLinearCut, trainBoltzmannGenerator, TrainingError,
  reweight, reweightedMean, wellFreeEnergy, freeEnergyProfile, combinedSchedule,
} from "../../src/bg";
import { doubleWell, gaussianMixture } from "../../src/systems/continuous";
import { quadratureLogZ, marginalDensity, wellFreeEnergyDifference } from "../../src/exact/quadrature";
import { weightedMean } from "../../src/stats";
import type { ContinuousSystem } from "../../src/systems/types";

ensureBackend();

/** An affine flow x = z·e^{logScale} + shift. */
function affine(logScale: number[], shift: number[]): ActNorm {
  const a = new ActNorm({ dim: logScale.length });
  tf.tidy(() => {
    a.logScale.assign(tf.tensor1d(logScale));
    a.shift.assign(tf.tensor1d(shift));
  });
  return a;
}

const lnN = (z: ArrayLike<number>, T = 1) => {
  let s = 0;
  for (let i = 0; i < z.length; i++) s += z[i] * z[i];
  return -0.5 * s / T - 0.5 * z.length * Math.log(2 * Math.PI * T);
};

test("an affine flow between two Gaussians gives uniform weights, ESS = 1 and ln Z exactly (also at β = 2 with latent temperature ½)", () => {
  const sigma = 0.6, mu = [1, -2];
  const target = gaussianMixture({ means: [mu], sigmas: [sigma], weights: [1] });
  for (const [beta, T] of [[1, 1], [2, 0.5]]) {
    const bg = boltzmannGenerator({ flow: affine([Math.log(sigma), Math.log(sigma)], mu), temperature: T });
    const rw = reweight(bg, { system: target, beta, samples: 5000, batch: 2000, seed: 3 });
    let lo = Infinity, hi = -Infinity;
    for (const v of rw.logWeights) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    assert.ok(hi - lo < 2e-4, `β=${beta}: log weights spread ${hi - lo}`);
    assert.ok(Math.abs(rw.essFraction - 1) < 1e-6, `ESS fraction ${rw.essFraction}`);
    const exact = quadratureLogZ(target, { beta, points: 401 }).logZ;
    assert.ok(Math.abs(rw.logZ.mean - exact) < 2e-4, `ln Z ${rw.logZ.mean} vs ${exact}`);
    bg.dispose();
  }
});

test("lossByEnergy equals the hand-computed mean of βE(x) + ln q(x) on a tiny affine case", () => {
  const s = [0.2, -0.1], b = [0.5, -0.3], beta = 1.5;
  const bg = boltzmannGenerator({ flow: affine(s, b) });
  const dw = doubleWell();
  const { loss, logWeights } = lossByEnergy(bg, { system: dw, beta, batch: 4, seed: 11 });
  const z = new Rng(11).fillNormal(new Float32Array(8));
  let ref = 0;
  const refW: number[] = [];
  for (let k = 0; k < 4; k++) {
    const zk = [z[2 * k], z[2 * k + 1]];
    const x = zk.map((v, i) => v * Math.exp(s[i]) + b[i]);
    const lq = lnN(zk) - (s[0] + s[1]);
    ref += (beta * dw.energyOf(x) + lq) / 4;
    refW.push(-beta * dw.energyOf(x) - lq);
  }
  assert.ok(Math.abs(loss.dataSync()[0] - ref) < 1e-4 * Math.max(1, Math.abs(ref)), `${loss.dataSync()[0]} vs ${ref}`);
  const lw = logWeights.dataSync();
  refW.forEach((v, k) => assert.ok(Math.abs(lw[k] - v) < 1e-4 * Math.max(1, Math.abs(v))));
  tf.dispose([loss, logWeights]);
  bg.dispose();
});

test("lossByExample is −mean ln q(data) by hand; lossCombined is the weighted sum", () => {
  const s = [0.3, 0.1], b = [-0.2, 0.4];
  const bg = boltzmannGenerator({ flow: affine(s, b) });
  const pts = [[0.1, 0.2], [-1, 2], [1.5, -0.5]];
  const data = tf.tensor2d(pts);
  let ref = 0;
  for (const p of pts) {
    const z = p.map((v, i) => (v - b[i]) * Math.exp(-s[i]));
    ref -= (lnN(z) - s[0] - s[1]) / pts.length;
  }
  const { loss } = lossByExample(bg, { data });
  assert.ok(Math.abs(loss.dataSync()[0] - ref) < 1e-5, `${loss.dataSync()[0]} vs ${ref}`);
  const dw = doubleWell();
  const e = lossByEnergy(bg, { system: dw, beta: 1, batch: 6, seed: 2 });
  const c = lossCombined(bg, { system: dw, beta: 1, batch: 6, seed: 2, data, weights: { energy: 0.3, example: 2 } });
  const want = 0.3 * e.loss.dataSync()[0] + 2 * ref;
  assert.ok(Math.abs(c.loss.dataSync()[0] - want) < 1e-4);
  assert.ok(Math.abs((c.exampleLoss as tf.Scalar).dataSync()[0] - ref) < 1e-5);
  const onlyX = lossCombined(bg, { system: dw, beta: 1, data, weights: { energy: 0, example: 1 } });
  assert.equal(onlyX.energyLoss, null);
  assert.equal(onlyX.logWeights, null);
  tf.dispose([loss, data, e.loss, e.logWeights, c.loss, c.energyLoss!, c.exampleLoss!, c.logWeights!, onlyX.loss, onlyX.exampleLoss!]);
  bg.dispose();
});

test("logLinearCut: identity below high, high + ln(1 + u − high) above, constant beyond max; finite gradients", () => {
  tf.tidy(() => {
    const u = tf.tensor1d([-5, 50, 150, 5000]);
    const v = logLinearCut(u, { high: 100, max: 1000 }).dataSync();
    const want = [-5, 50, 100 + Math.log(51), 100 + Math.log(901)];
    want.forEach((w, k) => assert.ok(Math.abs(v[k] - w) < 1e-4, `${k}: ${v[k]} vs ${w}`));
    const g = tf.grad((t: tf.Tensor) => tf.sum(logLinearCut(t as tf.Tensor1D, { high: 100, max: 1000 })))(u).dataSync();
    const gw = [1, 1, 1 / 51, 0];
    gw.forEach((w, k) => assert.ok(Math.abs(g[k] - w) < 1e-6, `grad ${k}: ${g[k]}`));
  });
});

test("sample's ln q equals logProb through the inverse, also at another latent temperature", () => {
  const flow = realNVP({ dim: 2, layers: 3, hidden: [8], seed: 1 });
  const r = new Rng(2);
  for (const v of flow.trainableVariables) tf.tidy(() => v.assign(tf.mul(r.normalTensor(v.shape), 0.3)));
  const bg = boltzmannGenerator({ flow });
  for (const T of [1, 0.4]) {
    tf.tidy(() => {
      const s = bg.sample(400, { seed: 5, temperature: T });
      const lp = bg.logProb(s.x, { temperature: T });
      assert.ok(tf.max(tf.abs(tf.sub(lp, s.logProb))).dataSync()[0] < 1e-4);
      const v = tf.moments(s.z).variance.dataSync()[0];
      assert.ok(Math.abs(v - T) < 5 * T * Math.sqrt(2 / 800), `latent variance ${v} at T=${T}`);
      assert.ok(tf.max(tf.abs(tf.sub(bg.encode(s.x), s.z))).dataSync()[0] < 1e-4);
    });
  }
  bg.dispose();
});

test("training by example learns a Gaussian: held-out NLL within 0.05 of its entropy", () => {
  const sigma = 0.5, mu = [1, -1];
  const target = gaussianMixture({ means: [mu], sigmas: [sigma], weights: [1] });
  const r = new Rng(7);
  const draw = (n: number) => Float64Array.from({ length: 2 * n }, (_, k) => mu[k % 2] + sigma * r.normal());
  const bg = boltzmannGenerator({ flow: realNVP({ dim: 2, layers: 2, hidden: [16], seed: 1 }) });
  const res = trainBoltzmannGenerator(bg, { system: target, beta: 1, steps: 250, loss: "example", data: draw(4000), dataBatch: 256, learningRate: 0.02, seed: 1 });
  assert.equal(res.history.height, 250);
  const test = tf.tensor2d(Float32Array.from(draw(4000)), [4000, 2]);
  const { loss } = lossByExample(bg, { data: test });
  const entropy = Math.log(2 * Math.PI * Math.E * sigma * sigma);
  assert.ok(Math.abs(loss.dataSync()[0] - entropy) < 0.05, `NLL ${loss.dataSync()[0]} vs entropy ${entropy}`);
  tf.dispose([test, loss]);
  bg.dispose();
});

test("training by energy matches a Gaussian target: ESS > 0.95 and J_E ≈ −ln Z", () => {
  const target = gaussianMixture({ means: [[2, 0.5]], sigmas: [0.3], weights: [1] });
  const bg = boltzmannGenerator({ flow: composeFlows([new ActNorm({ dim: 2 })]) });
  const res = trainBoltzmannGenerator(bg, { system: target, beta: 1, steps: 300, loss: "energy", batch: 256, learningRate: 0.05, seed: 2 });
  const recs = res.history.tail(20).toRecords() as { energyLoss: number; essFraction: number }[];
  const meanJ = recs.reduce((s, q) => s + q.energyLoss, 0) / recs.length;
  assert.ok(Math.abs(meanJ) < 0.05, `J_E ${meanJ}`);
  const rw = reweight(bg, { system: target, beta: 1, samples: 5000, seed: 1 });
  assert.ok(rw.essFraction > 0.95, `ESS ${rw.essFraction}`);
  bg.dispose();
});

/** A system whose energy turns NaN from the `bad`-th batched call on. */
function poisoned(base: ContinuousSystem, bad: number): ContinuousSystem {
  let calls = 0;
  return {
    kind: "continuous", dim: base.dim, name: "poisoned",
    energy: (x) => tf.tidy(() => (calls++ >= bad ? tf.mul(base.energy(x), NaN) : base.energy(x))) as tf.Tensor1D,
    energyOf: (x) => base.energyOf(x),
    gradientOf: (x, o) => base.gradientOf(x, o),
  };
}

test("a NaN loss stops training with an Error naming the step and keeps the weights of the last finite step", () => {
  const dw = doubleWell();
  const make = () => boltzmannGenerator({ flow: realNVP({ dim: 2, layers: 2, hidden: [8], seed: 3 }) });
  const a = make();
  const before = tf.memory().numTensors;
  let err: unknown = null;
  try {
    trainBoltzmannGenerator(a, { system: poisoned(dw, 5), beta: 1, steps: 10, loss: "energy", batch: 32, seed: 4, learningRate: 0.01 });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof TrainingError, "expected a TrainingError");
  assert.match((err as Error).message, /trainBoltzmannGenerator: the loss is NaN at step 5; the weights of step 4/);
  assert.equal((err as TrainingError).step, 5);
  assert.equal((err as TrainingError).history.height, 6);
  assert.equal(tf.memory().numTensors, before, "no leak on the error path");
  const b = make();
  trainBoltzmannGenerator(b, { system: dw, beta: 1, steps: 4, loss: "energy", batch: 32, seed: 4, learningRate: 0.01 });
  a.trainableVariables.forEach((v, k) => {
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(v, b.trainableVariables[k]))).dataSync()[0]);
    assert.ok(d < 1e-6, `variable ${k} differs by ${d}`);
    assert.ok(tf.tidy(() => tf.all(tf.isFinite(v)).dataSync()[0]) === 1);
  });
  a.dispose();
  b.dispose();
});

test("combinedSchedule: by example first, then a linear ramp to the final weights", () => {
  const s = combinedSchedule({ warmup: 0.2, ramp: 0.4, energy: 2, example: 0.5 });
  assert.deepEqual(s(0, 100), { energy: 0, example: 1 });
  assert.deepEqual(s(40, 100), { energy: 1, example: 0.75 });
  assert.deepEqual(s(99, 100), { energy: 2, example: 0.5 });
});

test("reweight carries the estimator layer's diagnostics: none for a broad Gaussian on the double well, k̂ and a warning for one stuck in the left well", () => {
  const dw = doubleWell();
  const broad = boltzmannGenerator({ flow: affine([Math.log(1.6), 0], [0, 0]) });
  const ok = reweight(broad, { system: dw, beta: 1, samples: 20000, seed: 21 });
  broad.dispose();
  assert.ok(ok.paretoK < 0.7, `broad: k̂ = ${ok.paretoK}`);
  assert.deepEqual(ok.warnings, []);
  assert.equal(ok.per, 1);
  assert.ok(Math.abs(ok.freeEnergy.mean + ok.logZ.mean) < 1e-12, "F = −ln Z/β at β = 1");
  assert.ok(ok.energy.mean < ok.energyModel.mean, "reweighting moves ⟨E⟩ down into the wells");
  // a narrow Gaussian in the left well never sees the right well (3.3 % of Z)
  const left = dw.wells.left;
  const stuck = boltzmannGenerator({ flow: affine([Math.log(0.25), 0], [left[0], left[1]]) });
  const bad = reweight(stuck, { system: dw, beta: 1, samples: 20000, seed: 22 });
  stuck.dispose();
  assert.ok(bad.paretoK > 0.7, `stuck: k̂ = ${bad.paretoK}`);
  assert.ok(bad.warnings.some((w) => w.includes("Pareto k̂") && w.includes("not reliable")), bad.warnings.join("; "));
});

test("reweighting a broad Gaussian to the double well recovers ΔF, ln Z and the free-energy profile within their errors", () => {
  const dw = doubleWell();
  const bg = boltzmannGenerator({ flow: affine([Math.log(1.6), 0], [0, 0]) });
  const rw = reweight(bg, { system: dw, beta: 1, samples: 100000, seed: 9 });
  const exact = wellFreeEnergyDifference(dw, { beta: 1 });
  const w = wellFreeEnergy({ x: rw.x, dim: 2, divide: dw.wells.divide, logWeights: rw.logWeights });
  assert.ok(w.deltaF.error > 0 && w.deltaF.error < 0.2, `error ${w.deltaF.error}`);
  assert.ok(Math.abs(w.deltaF.mean - exact.deltaF) < 4 * w.deltaF.error, `ΔF ${w.deltaF.mean} ± ${w.deltaF.error} vs ${exact.deltaF}`);
  assert.ok(Math.abs(w.fractionRight.mean - exact.fractionRight) < 4 * w.fractionRight.error);
  const logZ = quadratureLogZ(dw, { beta: 1 }).logZ;
  assert.ok(Math.abs(rw.logZ.mean - logZ) < 4 * rw.logZ.error, `ln Z ${rw.logZ.mean} ± ${rw.logZ.error} vs ${logZ}`);
  // profile: compare with bin-averaged exact densities where the estimate is informative
  const xs = Float64Array.from({ length: rw.n }, (_, k) => rw.x[2 * k]);
  const prof = freeEnergyProfile({ values: xs, logWeights: rw.logWeights, bins: 30, range: [-2.7, 2.7] });
  const fine = marginalDensity(dw, { beta: 1, at: Float64Array.from({ length: 30 * 40 }, (_, k) => -2.7 + (k + 0.5) * (5.4 / 1200)) });
  let checked = 0, bad = 0;
  for (let j = 0; j < 30; j++) {
    if (!(prof.error[j] < 0.3)) continue;
    let p = 0;
    for (let k = 0; k < 40; k++) p += fine.density[j * 40 + k] / 40;
    checked++;
    if (Math.abs(prof.freeEnergy[j] + Math.log(p)) > 4 * prof.error[j]) bad++;
  }
  assert.ok(checked >= 12 && bad <= 1, `${bad} of ${checked} bins off by more than 4σ`);
  // unweighted statistics describe the model itself
  const raw = wellFreeEnergy({ x: rw.x, dim: 2, divide: dw.wells.divide });
  assert.ok(raw.fractionRight.mean > 0.4);
  bg.dispose();
});

test("reweightedMean agrees with stats.weightedMean; wellFreeEnergy on a hand-made sample", () => {
  const r = new Rng(1);
  const v = Float64Array.from({ length: 2000 }, () => r.normal());
  const lw = Float64Array.from(v, (x) => 0.5 * x);
  const a = reweightedMean({ values: v, logWeights: lw });
  const b = weightedMean({ values: v, logWeights: lw });
  assert.ok(Math.abs(a.mean - b.mean) < 1e-12);
  assert.ok(Math.abs(a.error / b.error - 1) < 0.3, `${a.error} vs ${b.error}`);
  // tilting N(0,1) by e^{x/2} gives N(1/2, 1): mean 1/2 within 4σ
  assert.ok(Math.abs(a.mean - 0.5) < 4 * a.error);
  const x = Float64Array.from({ length: 400 }, (_, k) => (k % 4 === 0 ? 1 : -1)); // a quarter right
  const w = wellFreeEnergy({ x, blocks: 4 });
  assert.ok(Math.abs(w.deltaF.mean - Math.log(3)) < 1e-12 && w.deltaF.error < 1e-12);
  assert.ok(Math.abs(w.fractionRight.mean - 0.25) < 1e-12);
  const none = wellFreeEnergy({ x: [-1, -2, -3, -4] });
  assert.equal(none.deltaF.mean, Infinity);
});

test("no tensor leaks in sample, logProb, losses, training and reweighting", () => {
  const dw = doubleWell();
  const bg = boltzmannGenerator({ flow: realNVP({ dim: 2, layers: 2, hidden: [4], seed: 1 }) });
  const data = tf.tensor2d([[1, 0], [-1, 0.5]]);
  const before = tf.memory().numTensors;
  const s = bg.sample(8, { seed: 1 });
  tf.dispose([s.x, s.logProb, s.z]);
  bg.logProb(data).dispose();
  const e = lossByEnergy(bg, { system: dw, beta: 1, batch: 8, seed: 1 });
  tf.dispose([e.loss, e.logWeights]);
  lossByExample(bg, { data }).loss.dispose();
  trainBoltzmannGenerator(bg, { system: dw, beta: 1, steps: 3, data, batch: 8, dataBatch: 2, seed: 1, weights: { energy: 1, example: 1 } });
  trainBoltzmannGenerator(bg, { system: dw, beta: 1, steps: 2, data: [0, 0, 1, 1], loss: "example", seed: 1 });
  reweight(bg, { system: dw, beta: 1, samples: 50, batch: 20, seed: 1 });
  assert.equal(tf.memory().numTensors, before);
  data.dispose();
  bg.dispose();
});

test("bad arguments are named", () => {
  const dw = doubleWell();
  const bg = boltzmannGenerator({ flow: realNVP({ dim: 2, layers: 1, hidden: [2], seed: 1 }) });
  assert.throws(() => boltzmannGenerator({ flow: {} as Flow }), /boltzmannGenerator: flow must be a Flow/);
  assert.throws(() => bg.sample(0), /BoltzmannGenerator.sample: batch must be ≥ 1/);
  assert.throws(() => lossByEnergy(bg, { system: dw, beta: 0 }), /lossByEnergy: beta must be > 0/);
  assert.throws(() => lossByEnergy(bg, { system: doubleWell({ dim: 3 }), beta: 1 }), /system has dim 3, model has size 2/);
  assert.throws(() => trainBoltzmannGenerator(bg, { system: dw, beta: 1, steps: 1, loss: "example" }), /trainBoltzmannGenerator: loss "example" needs data/);
  assert.throws(() => trainBoltzmannGenerator(bg, { system: dw, beta: 1, steps: 1, data: [1, 2, 3] }), /data must hold n·2 numbers/);
  assert.throws(() => trainBoltzmannGenerator(bg, { system: dw, beta: 1, steps: 1, loss: "kl" as never }), /loss must be one of/);
  assert.throws(() => reweight(bg, { system: dw, beta: 1, samples: 1 }), /reweight: samples must be ≥ 2/);
  assert.throws(() => wellFreeEnergy({ x: [1, 2, 3], dim: 2 }), /wellFreeEnergy: x must hold n·2 numbers/);
  assert.throws(() => freeEnergyProfile({ values: [1, 2], range: [1, 0] }), /freeEnergyProfile: range\[1\] must be > 1/);
  bg.dispose();
});
