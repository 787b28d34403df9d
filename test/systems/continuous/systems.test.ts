import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../../src/core/backend";
import { Rng } from "../../../src/core/random";
import { doubleWell, manyWell, mullerBrown, gaussianMixture } from "../../../src/systems/continuous";
import type { ContinuousSystem } from "../../../src/systems/types";

ensureBackend();

function points(dim: number, n: number, scale: number, seed: number): Float64Array {
  const r = new Rng(seed);
  const p = new Float64Array(n * dim);
  for (let k = 0; k < p.length; k++) p[k] = scale * r.normal();
  return p;
}

const cases: [string, ContinuousSystem, number][] = [
  ["double well 2-D", doubleWell(), 1.5],
  ["double well 5-D, custom parameters", doubleWell({ dim: 5, a: 2, b: -3, c: 0.5, k: 3 }), 1.2],
  ["many-well 8-D", manyWell({ dim: 8 }), 1.5],
  ["Müller–Brown", mullerBrown({ scale: 0.1 }), 0.7],
  ["Gaussian mixture", gaussianMixture(), 2],
];

for (const [name, sys, scale] of cases) {
  test(`${name}: batched energy equals energyOf, gradientOf equals central differences`, () => {
    const n = 50;
    const p = points(sys.dim, n, scale, 7);
    const e = tf.tidy(() => sys.energy(tf.tensor2d(Float32Array.from(p), [n, sys.dim])).dataSync());
    for (let k = 0; k < n; k++) {
      const x = Float32Array.from(p.subarray(k * sys.dim, (k + 1) * sys.dim)); // same float32 point
      const ref = sys.energyOf(x);
      assert.ok(Math.abs(e[k] - ref) <= 1e-4 * Math.max(1, Math.abs(ref)), `${name} point ${k}: ${e[k]} vs ${ref}`);
      const g = sys.gradientOf(x);
      const h = 1e-5;
      for (let i = 0; i < sys.dim; i++) {
        const xp = Float64Array.from(x), xm = Float64Array.from(x);
        xp[i] += h;
        xm[i] -= h;
        const fd = (sys.energyOf(xp) - sys.energyOf(xm)) / (2 * h);
        assert.ok(Math.abs(fd - g[i]) <= 1e-5 * Math.max(1, Math.abs(fd)), `${name} ∂${i}: ${g[i]} vs ${fd}`);
      }
    }
  });

  test(`${name}: batched energy is differentiable (tf gradient equals gradientOf) and leaks nothing`, () => {
    const n = 5;
    const p = points(sys.dim, n, scale, 3);
    const before = tf.memory().numTensors;
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(sys.energy(x as tf.Tensor2D)))(tf.tensor2d(Float32Array.from(p), [n, sys.dim])).dataSync());
    assert.equal(tf.memory().numTensors, before);
    for (let k = 0; k < n; k++) {
      const ref = sys.gradientOf(Float32Array.from(p.subarray(k * sys.dim, (k + 1) * sys.dim)));
      for (let i = 0; i < sys.dim; i++) assert.ok(Math.abs(g[k * sys.dim + i] - ref[i]) <= 1e-3 * Math.max(1, Math.abs(ref[i])), `${name}`);
    }
  });
}

test("double well: default is the paper's x⁴ − 6x² + x + y²/2 with wells near ∓1.7 and the barrier near 0.08", () => {
  const dw = doubleWell();
  assert.equal(dw.dim, 2);
  assert.equal(dw.energyOf([1, 2]), 1 - 6 + 1 + 2);
  const { left, right, divide } = dw.wells;
  for (const x of [left[0], right[0], divide]) assert.ok(Math.abs(4 * x ** 3 - 12 * x + 1) < 1e-9);
  assert.ok(left[0] < -1.7 && left[0] > -1.8 && right[0] > 1.6 && right[0] < 1.7 && divide > 0.08 && divide < 0.09);
  assert.ok(dw.energyOf(left) < dw.energyOf(right));
});

test("many-well is a sum of independent double wells on (even, odd) pairs", () => {
  const mw = manyWell({ dim: 6 });
  const dw = doubleWell();
  const x = [0.3, -1, 1.7, 0.2, -1.1, 0.5];
  assert.ok(Math.abs(mw.energyOf(x) - (dw.energyOf([0.3, -1]) + dw.energyOf([1.7, 0.2]) + dw.energyOf([-1.1, 0.5]))) < 1e-12);
});

test("Müller–Brown: the three minima are stationary points with energies near −146.7, −108.2, −80.8", () => {
  const mb = mullerBrown();
  const expected = [-146.7, -108.2, -80.8];
  mb.minima.forEach((m, k) => {
    const g = mb.gradientOf(m);
    assert.ok(Math.hypot(g[0], g[1]) < 1, `gradient at minimum ${k}: ${g}`);
    assert.ok(Math.abs(mb.energyOf(m) - expected[k]) < 0.2, `energy ${mb.energyOf(m)}`);
  });
  assert.ok(Math.abs(mullerBrown({ scale: 0.1 }).energyOf([0, 0]) - 0.1 * mb.energyOf([0, 0])) < 1e-12);
});

test("Gaussian mixture: energy is −ln of the mixture density; modes are assigned to the nearest centre", () => {
  const g = gaussianMixture({ means: [[0, 0], [4, 0]], sigmas: [1, 1], weights: [3, 1] });
  const dens = 0.75 * Math.exp(-0.5) / (2 * Math.PI) + 0.25 * Math.exp(-0.5 * 9) / (2 * Math.PI);
  assert.ok(Math.abs(g.energyOf([1, 0]) + Math.log(dens)) < 1e-12);
  assert.deepEqual(Array.from(g.assignModes([0.1, 0, 3.9, 0.2])), [0, 1]);
});

test("bad arguments are named", () => {
  assert.throws(() => doubleWell({ dim: 0 }), /doubleWell: dim must be ≥ 1/);
  assert.throws(() => doubleWell({ a: -1 }), /doubleWell: a must be > 0/);
  assert.throws(() => doubleWell({ sigma: 1 } as never), /doubleWell: unknown option "sigma"/);
  assert.throws(() => manyWell({ dim: 5 }), /manyWell: dim must be even/);
  assert.throws(() => mullerBrown({ scale: 0 }), /mullerBrown: scale must be > 0/);
  assert.throws(() => gaussianMixture({ means: [[0, 0]], sigmas: [1, 2] }), /gaussianMixture: sigmas must have 1 entries/);
  assert.throws(() => tf.tidy(() => doubleWell().energy(tf.zeros([3, 3]) as tf.Tensor2D)), /must have shape \[batch, 2\]/);
});
