import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { pixelcnn, type PixelCnnOptions } from "../../src/models/pixelcnn";
import { chiSquare } from "../../src/stats/chisquare";
import { loadModel, saveCheckpoint } from "../../src/train/checkpoint";
import { isingSquare, rrg } from "../../src/systems/lattices";

import { allStateArrays, checkFastSamplingMatchesFull, stateIndex } from "./helpers";

ensureBackend();

/** Grids of ≤ 12 spins, kernels that cross the edges, every option. */
const CONFIGS: PixelCnnOptions[] = [
  { L: 3, cols: 4, depth: 1, halfKernel: 1 },
  { L: 3, cols: 4, depth: 2, width: 3, halfKernel: 2 },
  { L: 4, cols: 3, depth: 3, width: 2, halfKernel: 1, residual: true },
  { L: 3, depth: 3, width: 3, halfKernel: 2, z2: true },
  { L: 3, cols: 4, depth: 3, width: 2, halfKernel: 1, z2: true, residual: true, biasFreeFirst: true },
  { L: 3, cols: 4, depth: 2, width: 2, halfKernel: 1, bias: false },
  { L: 2, cols: 5, depth: 3, width: 2, halfKernel: 3, convolution: "masked" },
  // periodic: wrapped rows below, wrapped centre-row taps (2k ≥ C: a site read by a left and a wrapped tap), wrapped columns
  { L: 3, cols: 4, depth: 2, width: 3, halfKernel: 1, periodic: true },
  { L: 4, cols: 3, depth: 3, width: 2, halfKernel: 2, periodic: true, residual: true },
  { L: 3, depth: 3, width: 2, halfKernel: 2, periodic: true, z2: true, biasFreeFirst: true },
  // Z2 by fixing the first spin: one network pass for ln q
  { L: 3, cols: 4, depth: 2, width: 3, halfKernel: 1, z2: true, z2Method: "first-spin", periodic: true },
  { L: 4, cols: 3, depth: 3, width: 2, halfKernel: 1, z2: true, z2Method: "first-spin", residual: true },
];

test("ln q is normalised over all 2^N states (N ≤ 12), with and without Z2, in tensors and in float64", () => {
  for (const [k, cfg] of CONFIGS.entries()) {
    const m = pixelcnn({ seed: 10 + k, ...cfg });
    const n = m.size;
    // sharpen so that normalisation is not trivially met by a near-uniform model
    tf.tidy(() => m.trainableVariables.forEach((v) => v.assign(tf.mul(v, 2))));
    const xs = allStateArrays(n);
    const lq = tf.tidy(() => m.logProb(tf.tensor2d(xs, [1 << n, n])).dataSync());
    let z = 0;
    for (const v of lq) z += Math.exp(v);
    assert.ok(Math.abs(z - 1) < 3e-5, `${JSON.stringify(cfg)}: Σ q = ${z}`);
    const js = m.logProbArrays(xs, 1 << n);
    let zj = 0;
    let spread = 0;
    for (const v of js) {
      zj += Math.exp(v);
      spread = Math.max(spread, Math.abs(v + n * Math.LN2));
    }
    assert.ok(Math.abs(zj - 1) < 1e-6, `${JSON.stringify(cfg)}: JS Σ q = ${zj}`);
    assert.ok(spread > 0.05, `${JSON.stringify(cfg)}: the model is not uniform (max |ln q + N ln 2| = ${spread})`);
    m.dispose();
  }
});

test("flipping spin j leaves the conditionals of sites ≤ j unchanged, and changes later ones", () => {
  for (const cfg of [CONFIGS[1], CONFIGS[2], CONFIGS[6], CONFIGS[7], CONFIGS[8], CONFIGS[9], { L: 3, cols: 4, depth: 4, width: 2, halfKernel: 2, residual: true }]) {
    const m = pixelcnn({ seed: 3, ...cfg });
    const n = m.size;
    const base = tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.greater(tf.randomUniform([4, n], 0, 1, "float32", 5), 0.5), "float32"), 2), 1)) as tf.Tensor2D;
    const zb = tf.tidy(() => m.logits(base).arraySync());
    let moved = 0;
    for (let j = 0; j < n; j++) {
      const zf = tf.tidy(() => m.logits(tf.mul(base, tf.sub(1, tf.mul(tf.oneHot([j], n).reshape([1, n]), 2))) as tf.Tensor2D).arraySync());
      for (let b = 0; b < 4; b++) {
        for (let i = 0; i <= j; i++) assert.ok(Math.abs(zf[b][i] - zb[b][i]) < 1e-6, `${JSON.stringify(cfg)} j=${j} i=${i}`);
        if (j === 0) for (let i = 1; i < n; i++) moved += Math.abs(zf[b][i] - zb[b][i]);
      }
    }
    assert.ok(moved > 1e-3, "later conditionals depend on spin 0");
    base.dispose();
    m.dispose();
  }
});

test("periodic: the first layer reads the neighbours across the boundary; the default follows the system's boundary", () => {
  // 4×4, one exclusive layer with k = 1: site (3, c) reads (0, c) (its neighbour across the bottom edge) and (3, 3) reads (3, 0)
  const m = pixelcnn({ L: 4, depth: 1, halfKernel: 1, periodic: true, seed: 2 });
  const open = pixelcnn({ L: 4, depth: 1, halfKernel: 1, periodic: false, seed: 2 });
  const n = 16;
  const base = tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.greater(tf.randomUniform([3, n], 0, 1, "float32", 4), 0.5), "float32"), 2), 1)) as tf.Tensor2D;
  const effect = (model: typeof m, j: number, i: number): number => {
    const flip = new Float32Array(n).fill(1);
    flip[j] = -1;
    const zb = tf.tidy(() => model.logits(base).arraySync());
    const zf = tf.tidy(() => model.logits(tf.mul(base, tf.tensor2d(flip, [1, n])) as tf.Tensor2D).arraySync());
    return zb.reduce((a, row, b) => a + Math.abs(row[i] - zf[b][i]), 0);
  };
  assert.ok(effect(m, 1, 13) > 1e-4, "(3,1) reads (0,1) across the edge");
  assert.ok(effect(m, 12, 15) > 1e-4, "(3,3) reads (3,0) across the edge");
  assert.ok(effect(m, 3, 4) > 1e-4, "(1,0) reads (0,3) through the wrapped columns above");
  assert.equal(effect(open, 1, 13), 0);
  assert.equal(effect(open, 12, 15), 0);
  base.dispose();
  m.dispose();
  open.dispose();
  const torus = pixelcnn({ system: isingSquare({ L: 8 }), depth: 1, halfKernel: 2, seed: 1 });
  assert.equal(torus.periodic, true);
  assert.equal(torus.config().periodic, true);
  torus.dispose();
  const openSys = pixelcnn({ system: isingSquare({ L: 8, boundary: "open" }), depth: 1, halfKernel: 2, seed: 1 });
  assert.equal(openSys.periodic, false);
  assert.equal("periodic" in openSys.config(), false); // defaults are not written: older checkpoints still match
  openSys.dispose();
  const wide = pixelcnn({ system: isingSquare({ L: 4 }), depth: 1, halfKernel: 6, seed: 1 }); // kernel wider than the grid: not periodic by default
  assert.equal(wide.periodic, false);
  wide.dispose();
  assert.throws(() => pixelcnn({ L: 4, halfKernel: 4, periodic: true }), /pixelcnn: a periodic PixelCNN needs halfKernel < rows and < cols/);
  assert.throws(() => pixelcnn({ L: 4, halfKernel: 1, periodic: true, convolution: "masked" }), /"masked" is not available with periodic/);
});

test("Z2 models give q(s) = q(−s) for every state, by the mixture and by fixing the first spin", () => {
  for (const z2Method of ["mixture", "first-spin"] as const) {
    const m = pixelcnn({ L: 3, cols: 4, depth: 3, width: 3, halfKernel: 1, z2: true, z2Method, seed: 8 });
    tf.tidy(() => m.trainableVariables.forEach((v) => v.assign(tf.mul(v, 2))));
    const n = m.size;
    const xs = allStateArrays(n);
    const neg = xs.map((v) => -v);
    const a = m.logProbArrays(xs, 1 << n);
    const b = m.logProbArrays(neg, 1 << n);
    const t = tf.tidy(() => m.logProb(tf.tensor2d(neg, [1 << n, n])).dataSync());
    for (let s = 0; s < 1 << n; s++) {
      assert.ok(Math.abs(a[s] - b[s]) < 1e-9, `${z2Method} state ${s}: ${a[s]} vs ${b[s]}`);
      assert.ok(Math.abs(t[s] - a[s]) < 2e-5 * Math.max(1, Math.abs(a[s])), `${z2Method} tensor vs float64 at ${s}`);
    }
    assert.equal(m.config().z2Method, z2Method === "mixture" ? undefined : z2Method); // defaults are not written
    m.dispose();
  }
  assert.throws(() => pixelcnn({ L: 3, z2Method: "first-spin" }), /pixelcnn: z2Method "first-spin" needs z2: true/);
  assert.throws(() => pixelcnn({ L: 3, z2: true, z2Method: "gauge" as "mixture" }), /pixelcnn: z2Method/);
});

test("split and masked convolutions give the same logits", () => {
  const a = pixelcnn({ L: 4, cols: 3, depth: 3, width: 3, halfKernel: 2, residual: true, seed: 7 });
  const b = pixelcnn({ L: 4, cols: 3, depth: 3, width: 3, halfKernel: 2, residual: true, seed: 7, convolution: "masked" });
  const x = tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.greater(tf.randomUniform([6, 12], 0, 1, "float32", 1), 0.5), "float32"), 2), 1)) as tf.Tensor2D;
  const za = tf.tidy(() => a.logits(x).dataSync());
  const zb = tf.tidy(() => b.logits(x).dataSync());
  for (let k = 0; k < za.length; k++) assert.ok(Math.abs(za[k] - zb[k]) < 1e-5, `entry ${k}: ${za[k]} vs ${zb[k]}`);
  tf.dispose(x);
  a.dispose();
  b.dispose();
});

test("fast sampling and full evaluation give the same ln q; the same seed gives the reference sampler's configurations", () => {
  for (const cfg of CONFIGS) {
    const m = pixelcnn({ seed: 4, sampleChunk: 16, ...cfg });
    const n = m.size;
    tf.tidy(() => m.trainableVariables.forEach((v) => v.assign(tf.mul(v, 2))));
    checkFastSamplingMatchesFull(m, 37, JSON.stringify(cfg)); // 37 > sampleChunk: more than one chunk
    m.dispose();
  }
});

test("sampled histograms match the model's own probabilities (chi-square, p > 1e-3)", () => {
  for (const cfg of [
    { L: 2, cols: 3, depth: 2, width: 3, halfKernel: 1 },
    { L: 3, cols: 2, depth: 3, width: 2, halfKernel: 1, z2: true },
    { L: 3, cols: 2, depth: 2, width: 3, halfKernel: 1, z2: true, z2Method: "first-spin" },
  ] as PixelCnnOptions[]) {
    const m = pixelcnn({ seed: 21, ...cfg });
    const n = m.size;
    tf.tidy(() => m.trainableVariables.forEach((v) => v.assign(tf.mul(v, 3))));
    const probs = Array.from(m.logProbArrays(allStateArrays(n), 1 << n), Math.exp);
    const s = m.sampleArrays(8000, { seed: 8 });
    const counts = new Array<number>(1 << n).fill(0);
    for (let b = 0; b < s.batch; b++) counts[stateIndex(s.x, b * n, n)]++;
    const r = chiSquare({ observed: counts, expected: probs });
    assert.ok(r.pValue > 1e-3, `${JSON.stringify(cfg)}: chi2 = ${r.chi2} on ${r.dof} dof, p = ${r.pValue}`);
    for (let b = 0; b < 50; b++) assert.ok(Math.abs(Math.log(probs[stateIndex(s.x, b * n, n)]) - s.logProb[b]) < 1e-5);
    m.dispose();
  }
});

test("the first conditional is ½ by default with biases and without Z2, and conditionals are clamped to [ε, 1−ε]", () => {
  const m = pixelcnn({ L: 3, depth: 2, width: 2, halfKernel: 1, seed: 1, epsilon: 1e-3 });
  assert.equal(m.biasFreeFirst, true);
  tf.tidy(() => m.trainableVariables.forEach((v) => v.assign(tf.mul(v, 1e4))));
  const z = tf.tidy(() => m.logits(tf.ones([2, 9]) as tf.Tensor2D).arraySync());
  assert.equal(Math.abs(z[0][0]), 0);
  const bound = Math.log((1 - 1e-3) / 1e-3);
  for (const row of z) for (const v of row) assert.ok(Math.abs(v) <= bound + 1e-4);
  const lq = m.logProbArrays(allStateArrays(9), 512);
  for (const v of lq) assert.ok(Number.isFinite(v) && v >= 9 * Math.log(1e-3) - 1e-6);
  assert.equal(pixelcnn({ L: 2, z2: true, depth: 1, halfKernel: 1, seed: 1 }).biasFreeFirst, false);
  m.dispose();
});

test("a PixelCNN on the system's grid; non-grid systems are refused with a clear Error", () => {
  const sys = isingSquare({ L: 3, cols: 4 });
  const m = pixelcnn({ system: sys, depth: 2, width: 2, halfKernel: 1, seed: 1 });
  assert.equal(m.size, 12);
  assert.equal(m.rows, 3);
  assert.equal(m.cols, 4);
  m.dispose();
  assert.throws(() => pixelcnn({ system: rrg({ n: 10, seed: 1 }) }), /pixelcnn: system "rrg.*has no grid geometry; PixelCNN needs a 2-D grid/);
});

test("parameter count: only unmasked taps", () => {
  const m = pixelcnn({ L: 4, depth: 3, width: 5, halfKernel: 2, seed: 1 });
  const excl = 2 * 5 + 2;
  const incl = excl + 1;
  const expected = excl * 1 * 5 + 5 + (incl * 5 * 5 + 5 + 5) + (incl * 5 * 1 + 1 + 5);
  assert.equal(m.parameterCount(), expected);
  assert.equal(m.config().type, "pixelcnn");
  assert.equal(m.variableNames.length, m.trainableVariables.length);
  m.dispose();
});

test("no tensor leaks over repeated sampling, evaluation and gradients; dispose frees the variables", () => {
  const before = tf.memory().numTensors;
  const m = pixelcnn({ L: 3, depth: 3, width: 2, halfKernel: 1, z2: true, residual: true, seed: 1 });
  for (let k = 0; k < 5; k++) {
    const s = m.sample(8, { seed: k });
    const lq = m.logProb(s.x);
    const g = tf.variableGrads(() => tf.mean(m.logProb(s.x)) as tf.Scalar, m.trainableVariables);
    tf.dispose([s.x, s.logProb, lq, g.value, ...Object.values(g.grads)]);
    m.sampleArrays(4, { seed: k });
    m.logProbArrays(new Float32Array(9).fill(1), 1);
  }
  const r = m.sampleReference(3, { seed: 1 });
  tf.dispose([r.x, r.logProb]);
  m.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("bad arguments throw Errors that name the argument", () => {
  assert.throws(() => pixelcnn({} as PixelCnnOptions), /pixelcnn: give exactly one of system .* or L/);
  assert.throws(() => pixelcnn({ L: 0 }), /pixelcnn: L/);
  assert.throws(() => pixelcnn({ L: 3, depth: 0 }), /pixelcnn: depth/);
  assert.throws(() => pixelcnn({ L: 3, halfKernel: 0 }), /pixelcnn: halfKernel/);
  assert.throws(() => pixelcnn({ L: 3, width: 2.5 }), /pixelcnn: width/);
  assert.throws(() => pixelcnn({ L: 3, z2: "yes" as unknown as boolean }), /pixelcnn: z2/);
  assert.throws(() => pixelcnn({ L: 3, convolution: "fft" as "split" }), /pixelcnn: convolution/);
  assert.throws(() => pixelcnn({ L: 3, widht: 3 } as unknown as PixelCnnOptions), /unknown option "widht"/);
  assert.throws(() => pixelcnn({ system: isingSquare({ L: 3 }), cols: 3 }), /pixelcnn: cols/);
  const m = pixelcnn({ L: 2, depth: 1, halfKernel: 1, seed: 1 });
  assert.throws(() => m.sampleArrays(0), /pixelcnn.sample: batch/);
  assert.throws(() => tf.tidy(() => m.logProb(tf.ones([2, 5]) as tf.Tensor2D)), /\[batch, 4\]/);
  assert.throws(() => m.logProbArrays([1, 1, 0, 1], 1), /±1/);
  m.dispose();
  assert.throws(() => m.sample(2), /disposed/);
});

test("a checkpoint alone rebuilds the PixelCNN (registry by config type): same ln q", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boltzlab-pixelcnn-"));
  const m = pixelcnn({ L: 3, cols: 4, depth: 3, width: 2, halfKernel: 1, residual: true, z2: true, periodic: true, seed: 5 });
  const file = saveCheckpoint({ path: path.join(dir, "ck.json"), model: m });
  const { model } = loadModel({ path: file });
  assert.equal((model as typeof m).periodic, true);
  const x = allStateArrays(12).subarray(0, 40 * 12);
  const a = m.logProbArrays(x, 40);
  const b = (model as typeof m).logProbArrays(x, 40);
  a.forEach((v, k) => assert.ok(Math.abs(v - b[k]) < 1e-9, `${v} vs ${b[k]}`));
  model.dispose();
  m.dispose();
  fs.rmSync(dir, { recursive: true });
});
