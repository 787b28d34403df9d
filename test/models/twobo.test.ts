import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { twobo, type TwoBoOptions } from "../../src/models/twobo";
import { chiSquare } from "../../src/stats/chisquare";
import { loadModel, saveCheckpoint } from "../../src/train/checkpoint";
import { ea2d, isingSquare, rrg, sk, spinSystem } from "../../src/systems";
import { loadInstance } from "../../src/io/instance";

import { allStateArrays, checkSamplingWithoutLogProb, stateIndex } from "./helpers";

ensureBackend();

const INSTANCES = path.resolve(__dirname, "../../data/twobo");

/** Shake every weight so that the model is far from its initial (near heat-bath) state. */
function perturb(m: { trainableVariables: tf.Variable[] }, seed: number, scale = 0.7): void {
  tf.tidy(() => m.trainableVariables.forEach((v, k) => v.assign(tf.add(v, tf.mul(tf.randomNormal(v.shape, 0, scale, "float32", seed + k), tf.notEqual(v, 0))))));
}

const small = () => ea2d({ L: 3, seed: 2 });
const fielded = () => spinSystem({ n: 10, edges: [[0, 3, 1], [1, 3, -1], [2, 5, 0.5], [3, 7, 1], [4, 9, -1], [5, 8, 1], [6, 9, 1], [7, 8, -0.5], [0, 9, 1]], fields: [0.3, 0, -0.2, 0, 0.1, 0, 0, 0.4, 0, 0] });

const CASES: Array<{ label: string; sys: () => ReturnType<typeof small>; opts: Omit<TwoBoOptions, "system"> }> = [
  { label: "ea2d L=3", sys: small, opts: {} },
  { label: "ea2d L=3 z2", sys: small, opts: { z2: true, beta: 0.7 } },
  { label: "ea L=4 instance reach 1, two layers", sys: () => loadInstance(path.join(INSTANCES, "2D_EA_PM_L4_0.npz")) as ReturnType<typeof small>, opts: { reach: 1, hidden: [3, 2] } },
  { label: "rrg n=12 skip only, biasFreeFirst, z2", sys: () => rrg({ n: 12, seed: 3 }), opts: { hidden: [], z2: true, biasFreeFirst: true } },
  { label: "fields, full frontier", sys: fielded as () => ReturnType<typeof small>, opts: { reach: Infinity, hidden: [4], beta: 1.3 } },
];

test("ln q is normalised over all 2^N states (N ≤ 16), with and without Z2", () => {
  for (const [k, c] of CASES.entries()) {
    const sys = c.sys();
    const m = twobo({ system: sys, seed: 10 + k, ...c.opts });
    perturb(m, k);
    const n = m.size;
    const xs = allStateArrays(n);
    const lq = tf.tidy(() => m.logProb(tf.tensor2d(xs, [1 << n, n])).dataSync());
    let z = 0;
    for (const v of lq) z += Math.exp(v);
    assert.ok(Math.abs(z - 1) < 5e-5, `${c.label}: Σ q = ${z}`);
    const js = m.logProbArrays(xs, 1 << n);
    let zj = 0;
    let dev = 0;
    for (let s = 0; s < js.length; s++) {
      zj += Math.exp(js[s]);
      dev = Math.max(dev, Math.abs(js[s] - lq[s]) / Math.max(1, Math.abs(js[s])));
    }
    assert.ok(Math.abs(zj - 1) < 1e-9, `${c.label}: JS Σ q = ${zj}`);
    assert.ok(dev < 2e-5, `${c.label}: JS and tensor ln q differ by ${dev}`);
    m.dispose();
  }
});

test("flipping spin j leaves the conditionals of sites ≤ j unchanged, and changes later ones", () => {
  for (const c of CASES) {
    const m = twobo({ system: c.sys(), seed: 3, ...c.opts });
    perturb(m, 1);
    const n = m.size;
    const base = tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.greater(tf.randomUniform([3, n], 0, 1, "float32", 5), 0.5), "float32"), 2), 1)) as tf.Tensor2D;
    const zb = tf.tidy(() => m.logits(base).arraySync());
    let moved = 0;
    for (let j = 0; j < n; j++) {
      const zf = tf.tidy(() => m.logits(tf.mul(base, tf.sub(1, tf.mul(tf.oneHot([j], n).reshape([1, n]), 2))) as tf.Tensor2D).arraySync());
      for (let b = 0; b < 3; b++) {
        for (let i = 0; i <= j; i++) assert.ok(Math.abs(zf[b][i] - zb[b][i]) < 1e-6, `${c.label} j=${j} i=${i}`);
        for (let i = j + 1; i < n; i++) moved += Math.abs(zf[b][i] - zb[b][i]);
      }
    }
    assert.ok(moved > 1e-2, `${c.label}: later conditionals depend on earlier spins`);
    base.dispose();
    m.dispose();
  }
});

test("at initialisation the conditionals are the sequential heat bath σ(2β ξ_ii) up to the small weights", () => {
  const sys = ea2d({ L: 4, seed: 5 });
  const m = twobo({ system: sys, beta: 0.8, seed: 1 });
  const x = tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.greater(tf.randomUniform([5, 16], 0, 1, "float32", 2), 0.5), "float32"), 2), 1)) as tf.Tensor2D;
  const z = tf.tidy(() => m.logits(x).arraySync());
  const xv = x.arraySync();
  for (let b = 0; b < 5; b++) {
    for (let i = 0; i < 16; i++) {
      let xi = 0;
      for (let e = 0; e < sys.edges.i.length; e++) {
        if (sys.edges.j[e] === i && sys.edges.i[e] < i) xi += sys.edges.J[e] * xv[b][sys.edges.i[e]];
      }
      assert.ok(Math.abs(z[b][i] - 2 * 0.8 * xi) < 0.05 * (1 + Math.abs(xi)), `b=${b} i=${i}: ${z[b][i]} vs ${2 * 0.8 * xi}`);
    }
  }
  // and setBeta moves the skip connection
  m.setBeta(0.4);
  const z2 = tf.tidy(() => m.logits(x).arraySync());
  assert.ok(Math.abs(z2[1][5] - z[1][5] / 2) < 0.05);
  x.dispose();
  m.dispose();
});

test("fast (JS) sampling and full (tensor) evaluation give the same ln q; tensor and array APIs agree", () => {
  for (const c of CASES) {
    const m = twobo({ system: c.sys(), seed: 4, ...c.opts });
    perturb(m, 2);
    const n = m.size;
    const s = m.sampleArrays(41, { seed: 9 });
    const full = tf.tidy(() => m.logProb(tf.tensor2d(s.x, [41, n])).dataSync());
    for (let b = 0; b < 41; b++) assert.ok(Math.abs(full[b] - s.logProb[b]) < 2e-5 * Math.max(1, Math.abs(full[b])), `${c.label} row ${b}: ${full[b]} vs ${s.logProb[b]}`);
    const t = m.sample(5, { seed: 2 });
    const a = m.sampleArrays(5, { seed: 2 });
    assert.deepEqual(Array.from(t.x.dataSync()), Array.from(a.x));
    tf.dispose([t.x, t.logProb]);
    checkSamplingWithoutLogProb(m, c.label);
    m.dispose();
  }
});

test("sampled histograms match the model's own probabilities (chi-square, p > 1e-3)", () => {
  for (const c of [CASES[0], CASES[3]]) {
    const sysFull = c.sys();
    // N = 9 and 12: 2^N bins; enough samples for the chi-square's expected counts
    const m = twobo({ system: sysFull, seed: 21, ...c.opts });
    perturb(m, 3, 1);
    const n = m.size;
    const probs = Array.from(m.logProbArrays(allStateArrays(n), 1 << n), Math.exp);
    const s = m.sampleArrays(n <= 9 ? 20000 : 40000, { seed: 8 });
    const counts = new Array<number>(1 << n).fill(0);
    for (let b = 0; b < s.batch; b++) counts[stateIndex(s.x, b * n, n)]++;
    const r = chiSquare({ observed: counts, expected: probs });
    assert.ok(r.pValue > 1e-3, `${c.label}: chi2 = ${r.chi2} on ${r.dof} dof, p = ${r.pValue}`);
    for (let b = 0; b < 50; b++) assert.ok(Math.abs(Math.log(probs[stateIndex(s.x, b * n, n)]) - s.logProb[b]) < 1e-9);
    m.dispose();
  }
});

test("parameter count grows linearly with the number of couplings (grids and random graphs)", () => {
  const count = (sys: ReturnType<typeof small>, reach = 2) => {
    const m = twobo({ system: sys, reach, seed: 1 });
    const c = m.parameterCount();
    m.dispose();
    return c;
  };
  const grids = [8, 16, 32].map((L) => ({ E: ea2d({ L, seed: 1 }).edges.i.length, p: count(ea2d({ L, seed: 1 })) }));
  for (let k = 1; k < grids.length; k++) {
    const ratio = grids[k].p / grids[k - 1].p;
    const eRatio = grids[k].E / grids[k - 1].E;
    assert.ok(Math.abs(ratio / eRatio - 1) < 0.06, `grid: parameters ×${ratio.toFixed(3)} for couplings ×${eRatio}`);
  }
  const graphs = [128, 512].map((n) => ({ E: rrg({ n, seed: 2 }).edges.i.length, p: count(rrg({ n, seed: 2 })) }));
  const ratio = graphs[1].p / graphs[0].p;
  assert.ok(Math.abs(ratio / (graphs[1].E / graphs[0].E) - 1) < 0.1, `rrg: parameters ×${ratio.toFixed(3)} for couplings ×4`);
  // the reference's full frontier is not linear on grids (about N·L)
  const frontier = [8, 16].map((L) => count(ea2d({ L, seed: 1 }), Infinity));
  assert.ok(frontier[1] / frontier[0] > 6, `full frontier grows ×${(frontier[1] / frontier[0]).toFixed(2)}`);
  // the exact count for a skip-only model: Σ_i (k_i + 1) + N
  const m = twobo({ system: isingSquare({ L: 4 }), hidden: [], seed: 1 });
  assert.equal(m.parameterCount(), Array.from(m.featureCounts).reduce((a, b) => a + b, 0) + 16);
  m.dispose();
});

test("no tensor leaks over sampling, evaluation and gradients; dispose frees the variables", () => {
  const before = tf.memory().numTensors;
  const m = twobo({ system: small(), z2: true, hidden: [3, 2], seed: 1 });
  for (let k = 0; k < 5; k++) {
    const s = m.sample(8, { seed: k });
    const lq = m.logProb(s.x);
    const g = tf.variableGrads(() => tf.mean(m.logProb(s.x)) as tf.Scalar, m.trainableVariables);
    tf.dispose([s.x, s.logProb, lq, g.value, ...Object.values(g.grads)]);
    m.sampleArrays(4, { seed: k });
  }
  m.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("bad arguments throw Errors that name the argument", () => {
  const sys = small();
  assert.throws(() => twobo({} as TwoBoOptions), /twobo: system must be a SpinSystem/);
  assert.throws(() => twobo({ system: sys, beta: 0 }), /twobo: beta/);
  assert.throws(() => twobo({ system: sys, reach: 0 }), /twobo: reach/);
  assert.throws(() => twobo({ system: sys, hidden: [4, 0] }), /twobo: hidden\[1\]/);
  assert.throws(() => twobo({ system: sys, z2: 1 as unknown as boolean }), /twobo: z2/);
  assert.throws(() => twobo({ system: sys, hiden: [3] } as unknown as TwoBoOptions), /unknown option "hiden"/);
  const m = twobo({ system: sk({ n: 5, seed: 1 }), seed: 1 });
  assert.throws(() => m.setBeta(-1), /twobo.setBeta: beta/);
  assert.throws(() => m.sampleArrays(0), /twobo.sample: batch/);
  assert.throws(() => tf.tidy(() => m.logProb(tf.ones([2, 4]) as tf.Tensor2D)), /\[batch, 5\]/);
  assert.throws(() => m.logProbArrays([1, 1, 0, 1, 1], 1), /±1/);
  m.dispose();
  assert.throws(() => m.sample(2), /disposed/);
});

test("a checkpoint and its system rebuild the TwoBo (registry by config type); another system is refused", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boltzlab-twobo-"));
  const sys = small();
  const m = twobo({ system: sys, hidden: [3], z2: true, seed: 5 });
  perturb(m, 4);
  const file = saveCheckpoint({ path: path.join(dir, "ck.json"), model: m });
  assert.throws(() => loadModel({ path: file }), /a twobo model needs its system/);
  assert.throws(() => loadModel({ path: file, system: rrg({ n: 10, seed: 1 }) }), /was made for/);
  const { model } = loadModel({ path: file, system: sys });
  const x = allStateArrays(9).subarray(0, 60 * 9);
  const a = m.logProbArrays(x, 60);
  const b = (model as typeof m).logProbArrays(x, 60);
  a.forEach((v, k) => assert.ok(Math.abs(v - b[k]) < 1e-9, `${v} vs ${b[k]}`));
  model.dispose();
  m.dispose();
  fs.rmSync(dir, { recursive: true });
});
