import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import { made, type MadeOptions } from "../../src/models/made";
import { hasReinforceGradients } from "../../src/models/spin";

ensureBackend();

const CONFIGS: Omit<MadeOptions, "size">[] = [
  { depth: 1, width: 1, z2: true }, // the SK configuration of the VAN paper
  { depth: 1 },
  { depth: 2, width: 3 },
  { depth: 3, width: 4, z2: true },
  { depth: 3, width: 2, residual: true },
  { depth: 4, width: 2, residual: true, z2: true },
  { depth: 2, width: 2, biasFreeFirst: true, z2: true },
  { depth: 2, width: 2, bias: false },
  { depth: 2, width: 2, epsilon: 0.05 }, // the clamp is active on some logits
];

/** Random ±1 rows [batch × n] and a signal L = βE-like term + ln q. */
function data(n: number, batch: number, seed: number): { x: Float32Array; e: Float64Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(batch * n);
  for (let k = 0; k < x.length; k++) x[k] = rng.uniform() < 0.5 ? -1 : 1;
  const e = new Float64Array(batch);
  for (let b = 0; b < batch; b++) e[b] = 3 * rng.uniform() - 1.5;
  return { x, e };
}

/** The tensor path: tf.variableGrads of mean((L − mean L)·ln q), L = e + ln q read from the tape (as the VAN trainer does). */
function tensorGradients(m: ReturnType<typeof made>, x: Float32Array, batch: number, e: Float64Array): { lq: Float32Array; loss: number; grads: Float32Array[] } {
  const xT = tf.tensor2d(x, [batch, m.size]);
  let lqv = new Float32Array(0);
  const { value, grads } = tf.variableGrads(() => {
    const lq = m.logProb(xT);
    lqv = Float32Array.from(lq.dataSync());
    let mean = 0;
    for (let b = 0; b < batch; b++) mean += e[b] + lqv[b];
    mean /= batch;
    const adv = new Float32Array(batch);
    for (let b = 0; b < batch; b++) adv[b] = e[b] + lqv[b] - mean;
    return tf.mean(tf.mul(tf.tensor1d(adv), lq)) as tf.Scalar;
  }, m.trainableVariables);
  const out = m.trainableVariables.map((v) => (grads[v.name] !== undefined ? Float32Array.from(grads[v.name].dataSync()) : new Float32Array(v.size)));
  const loss = value.dataSync()[0];
  tf.dispose([xT, value, ...Object.values(grads)]);
  return { lq: lqv, loss, grads: out };
}

test("the fused REINFORCE gradient equals tf.variableGrads of the surrogate to float32 rounding (Z2, residual, clamp, no bias)", () => {
  for (const cfg of CONFIGS) {
    const n = 9, batch = 50;
    const m = made({ size: n, seed: 3, ...cfg });
    // larger weights: conditionals far from ½, and the clamp bites with epsilon 0.05
    tf.tidy(() => m.trainableVariables.forEach((v, k) => v.assign(tf.add(tf.mul(v, 2.5), tf.mul(tf.randomUniform(v.shape, -0.3, 0.3, "float32", k), v.name.includes("alpha") ? 1 : 0)))));
    const { x, e } = data(n, batch, 7);
    if (cfg.epsilon !== undefined) {
      const zmax = Math.log((1 - cfg.epsilon) / cfg.epsilon);
      const z = tf.tidy(() => m.logits(tf.tensor2d(x, [batch, n])).dataSync());
      assert.ok(z.some((v) => Math.abs(Math.abs(v) - zmax) < 1e-5), "some logits are clamped");
    }
    const ref = tensorGradients(m, x, batch, e);
    let calls = 0;
    const fused = m.reinforceGradients(x, batch, (lq) => {
      calls++;
      return Float64Array.from(lq, (v, b) => e[b] + v);
    });
    const label = JSON.stringify(cfg);
    assert.equal(calls, 1, `${label}: signal called once`);
    for (let b = 0; b < batch; b++) assert.ok(Math.abs(fused.logProb[b] - ref.lq[b]) < 2e-5 * Math.max(1, Math.abs(ref.lq[b])), `${label}: ln q row ${b}`);
    assert.ok(Math.abs(fused.loss - ref.loss) < 1e-4 * Math.max(1, Math.abs(ref.loss)), `${label}: loss ${fused.loss} vs ${ref.loss}`);
    assert.equal(fused.grads.length, m.trainableVariables.length);
    let scale = 0;
    for (const g of ref.grads) for (const v of g) scale = Math.max(scale, Math.abs(v));
    assert.ok(scale > 1e-3, `${label}: a gradient that can be compared (max ${scale})`);
    fused.grads.forEach((gT, k) => {
      const v = m.trainableVariables[k];
      assert.deepEqual(gT.shape, v.shape, `${label}: shape of ${m.variableNames[k]}`);
      const g = gT.dataSync();
      for (let t = 0; t < g.length; t++) {
        assert.ok(Math.abs(g[t] - ref.grads[k][t]) <= 2e-5 * scale + 1e-7, `${label}: ${m.variableNames[k]}[${t}] fused ${g[t]} vs tensor ${ref.grads[k][t]}`);
      }
    });
    tf.dispose(fused.grads);
    // a second call of the same shape (work arrays reused) on other configurations matches too
    const other = data(n, batch, 8);
    const ref2 = tensorGradients(m, other.x, batch, other.e);
    const again = m.reinforceGradients(other.x, batch, (lq) => Float64Array.from(lq, (v, b) => other.e[b] + v));
    let scale2 = 0;
    for (const g of ref2.grads) for (const v of g) scale2 = Math.max(scale2, Math.abs(v));
    again.grads.forEach((gT, k) => {
      const g = gT.dataSync();
      for (let t = 0; t < g.length; t++) assert.ok(Math.abs(g[t] - ref2.grads[k][t]) <= 2e-5 * scale2 + 1e-7, `${label} (second call): ${m.variableNames[k]}[${t}]`);
    });
    for (let b = 0; b < batch; b++) assert.ok(Math.abs(again.logProb[b] - ref2.lq[b]) < 2e-5 * Math.max(1, Math.abs(ref2.lq[b])), `${label} (second call): ln q row ${b}`);
    tf.dispose(again.grads);
    m.dispose();
  }
});

test("the fused gradient creates exactly its gradient tensors, and the preference follows the network's size", () => {
  const m = made({ size: 20, depth: 1, width: 1, z2: true, seed: 1 });
  assert.ok(hasReinforceGradients(m));
  const { x, e } = data(20, 30, 2);
  const before = tf.memory().numTensors;
  const r = m.reinforceGradients(x, 30, (lq) => Float64Array.from(lq, (v, b) => e[b] + v));
  assert.equal(tf.memory().numTensors, before + m.trainableVariables.length);
  tf.dispose(r.grads);
  assert.equal(tf.memory().numTensors, before);
  assert.ok(m.prefersReinforceGradients(1000), "SK N = 20 depth 1 at batch 1000: fused");
  m.dispose();
  const big = made({ size: 20, depth: 3, width: 4, seed: 1 });
  assert.ok(!big.prefersReinforceGradients(100), "N = 20 depth 3 width 4: tensors");
  big.dispose();
});

test("reinforceGradients refuses bad input before any work", () => {
  const m = made({ size: 3, depth: 2, width: 2, seed: 1 });
  const ok = new Float32Array([1, -1, 1, -1, -1, 1]);
  const sig = (lq: Float64Array) => lq;
  const cases: [() => unknown, RegExp][] = [
    [() => m.reinforceGradients(ok, 0, sig), /made\.reinforceGradients: batch/],
    [() => m.reinforceGradients(ok, 3, sig), /made\.reinforceGradients: x must have batch·size = 9 entries, got 6/],
    [() => m.reinforceGradients(null as never, 2, sig), /made\.reinforceGradients: x must have/],
    [() => m.reinforceGradients(new Float32Array([1, 0, 1, 1, 1, 1]), 2, sig), /x must hold ±1 spins, got 0 at \[0, 1\]/],
    [() => m.reinforceGradients(ok, 2, 3 as never), /made\.reinforceGradients: signal must be a function/],
    [() => m.reinforceGradients(ok, 2, () => [1]), /made\.reinforceGradients: signal must return 2 values/],
  ];
  const before = tf.memory().numTensors;
  for (const [f, re] of cases) assert.throws(f, re);
  assert.equal(tf.memory().numTensors, before, "nothing left behind");
  m.dispose();
  assert.throws(() => m.reinforceGradients(ok, 2, sig), /made\.reinforceGradients: the model has been disposed/);
});
