import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { estimateVan, overlapDistribution } from "../../src/estimates/van";
import { exact } from "../../src/exact/exact";
import { made } from "../../src/models/made";
import { sk } from "../../src/systems/lattices";
import { energiesOf, trainVan } from "../../src/train/van";

ensureBackend();

function allStates(n: number): Float32Array {
  const out = new Float32Array((1 << n) * n);
  for (let s = 0; s < 1 << n; s++) for (let i = 0; i < n; i++) out[s * n + i] = (s >> i) & 1 ? 1 : -1;
  return out;
}

test("estimates agree with their exact twins by enumeration: F_q, ⟨E⟩_q, S_q and the importance-sampled F", () => {
  const n = 8;
  const beta = 1;
  const system = sk({ n, seed: 6 });
  const m = made({ size: n, depth: 2, width: 2, z2: true, seed: 2 });
  trainVan({ model: m, system, beta, steps: 60, batch: 200, lr: 1e-2, anneal: 0.9, seed: 1, progress: false });
  const xs = allStates(n);
  const lq = m.logProbArrays(xs, 1 << n);
  const e = energiesOf(system, xs, 1 << n);
  let fq = 0, eq = 0, sq = 0;
  for (let k = 0; k < lq.length; k++) {
    const q = Math.exp(lq[k]);
    fq += q * (beta * e[k] + lq[k]);
    eq += q * e[k];
    sq -= q * lq[k];
  }
  fq /= beta * n;
  const ex = exact(system, beta);
  for (const errorMethod of ["jackknife", "bootstrap"] as const) {
    const est = estimateVan({ model: m, system, beta, samples: 20000, seed: 4, errorMethod });
    assert.ok(Math.abs(est.fVariational.mean - fq) < 4 * est.fVariational.error, `F_q ${est.fVariational.mean} ± ${est.fVariational.error} vs ${fq}`);
    assert.ok(Math.abs(est.energyModel.mean - eq / n) < 4 * est.energyModel.error);
    assert.ok(Math.abs(est.entropyModel.mean - sq / n) < 4 * est.entropyModel.error);
    assert.ok(fq >= ex.freeEnergyPerSpin, "F_q ≥ F exactly");
    assert.ok(Math.abs(est.fImportance.mean - ex.freeEnergyPerSpin) < 4 * est.fImportance.error, `F_IS ${est.fImportance.mean} ± ${est.fImportance.error} vs ${ex.freeEnergyPerSpin}`);
    assert.ok(est.fImportance.error > 0 && est.fImportance.error < 0.01);
    assert.ok(Math.abs(est.energy.mean - ex.energyPerSpin!) < 4 * est.energy.error + 1e-3);
    assert.ok(Math.abs(est.entropy.mean - ex.entropyPerSpin!) < 0.02);
    assert.ok(est.essFraction > 0.3 && est.essFraction <= 1);
  }
  m.dispose();
});

test("P(q) from independent pairs matches the exact pair distribution of the model (chi-square), and its reweighting", () => {
  const n = 5;
  const system = sk({ n, seed: 2 });
  const m = made({ size: n, depth: 2, width: 2, seed: 3 });
  tf.tidy(() => m.trainableVariables.forEach((v) => v.assign(tf.mul(v, 2))));
  const xs = allStates(n);
  const q = Array.from(m.logProbArrays(xs, 1 << n), Math.exp);
  const e = energiesOf(system, xs, 1 << n);
  const exactP = new Array<number>(n + 1).fill(0);
  const boltz = e.map((v) => Math.exp(-v));
  const zb = boltz.reduce((a, v) => a + v, 0);
  const exactBoltzP = new Array<number>(n + 1).fill(0);
  for (let a = 0; a < 1 << n; a++) for (let b = 0; b < 1 << n; b++) {
    let d = 0;
    for (let i = 0; i < n; i++) d += xs[a * n + i] * xs[b * n + i];
    exactP[(d + n) / 2] += q[a] * q[b];
    exactBoltzP[(d + n) / 2] += (boltz[a] * boltz[b]) / (zb * zb);
  }
  const pairs = 20000;
  const r = overlapDistribution({ model: m, pairs, seed: 5 });
  assert.equal(r.q.length, pairs);
  assert.deepEqual(r.histogram.value, [-1, -0.6, -0.2, 0.2, 0.6, 1]);
  let chi2 = 0;
  for (let j = 0; j <= n; j++) chi2 += (r.histogram.probability[j] * pairs - exactP[j] * pairs) ** 2 / (exactP[j] * pairs);
  assert.ok(chi2 < 20.5, `chi2 = ${chi2} on 5 dof`); // p ≈ 1e-3
  // reweighting to Boltzmann, from a model close to uniform (good overlap with p)
  const flat = made({ size: n, depth: 2, width: 2, seed: 4 });
  const rw = overlapDistribution({ model: flat, pairs, seed: 6, system, beta: 1 });
  flat.dispose();
  const p = rw.histogram.reweighted!;
  for (let j = 0; j <= n; j++) assert.ok(Math.abs(p[j] - exactBoltzP[j]) < 0.03, `reweighted P(q=${rw.histogram.value[j]}) = ${p[j]} vs ${exactBoltzP[j]}`);
  assert.ok(Math.abs(rw.weights.reduce((a, v) => a + v, 0) - 1) < 1e-9);
  // the weights' diagnostics come with the reweighted P(q), and not without a system
  assert.ok(rw.paretoK !== null && rw.paretoK < 0.7 && rw.essFraction !== null && rw.essFraction > 0.1, `k̂ ${rw.paretoK}, ESS ${rw.essFraction}`);
  assert.deepEqual(rw.warnings, []);
  assert.equal(r.paretoK, null);
  m.dispose();
});

test("bad arguments throw and nothing leaks", () => {
  const system = sk({ n: 5, seed: 1 });
  const m = made({ size: 5, seed: 1 });
  const before = tf.memory().numTensors;
  estimateVan({ model: m, system, beta: 1, samples: 100, seed: 1 });
  overlapDistribution({ model: m, pairs: 50, seed: 1 });
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => estimateVan({ model: m, system, beta: 0 }), /estimateVan: beta must be > 0/);
  assert.throws(() => estimateVan({ model: m, system, beta: 1, samples: 1 }), /samples/);
  assert.throws(() => estimateVan({ model: m, system, beta: 1, errorMethod: "x" as never }), /errorMethod/);
  const other = made({ size: 6, seed: 1 });
  assert.throws(() => estimateVan({ model: other, system, beta: 1 }), /size 6 but the system has 5/);
  assert.throws(() => overlapDistribution({ model: m, system }), /both system and beta/);
  m.dispose();
  other.dispose();
});
