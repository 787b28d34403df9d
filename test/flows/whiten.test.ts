import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/core/random";
import { composeFlows, realNVP } from "../../src/flows/composite";
import { symmetricEigen, whiten } from "../../src/flows/whiten";

/** n correlated Gaussian samples x = μ + L ξ in d dimensions (L lower triangular, fixed). */
function correlated(n: number, d: number, seed: number): { data: Float64Array; L: Float64Array; mu: Float64Array } {
  const rng = new Rng(seed);
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) L[i * d + j] = i === j ? 0.5 + i * 0.3 : 0.4 * rng.normal();
  const mu = Float64Array.from({ length: d }, (_, i) => i - 1);
  const data = new Float64Array(n * d);
  const xi = new Float64Array(d);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < d; i++) xi[i] = rng.normal();
    for (let i = 0; i < d; i++) {
      let s = mu[i];
      for (let j = 0; j <= i; j++) s += L[i * d + j] * xi[j];
      data[k * d + i] = s;
    }
  }
  return { data, L, mu };
}

test("symmetricEigen: V diag(λ) Vᵀ reproduces the matrix, V is orthogonal, λ decreasing", () => {
  const d = 6;
  const rng = new Rng(1);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) a[i * d + j] = a[j * d + i] = rng.normal();
  const { values, vectors } = symmetricEigen(a, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let s = 0, o = 0;
    for (let k = 0; k < d; k++) {
      s += vectors[i * d + k] * values[k] * vectors[j * d + k];
      o += vectors[k * d + i] * vectors[k * d + j];
    }
    assert.ok(Math.abs(s - a[i * d + j]) < 1e-10);
    assert.ok(Math.abs(o - (i === j ? 1 : 0)) < 1e-10);
  }
  for (let k = 1; k < d; k++) assert.ok(values[k] <= values[k - 1]);
  assert.throws(() => symmetricEigen([1, 2, 3], 2), /symmetricEigen: matrix must hold d·d = 4 numbers/);
});

test("whiten: maps the data to zero mean and unit covariance; invertible; log-determinant ½ Σ ln λ = ln|det L| of the generating map", () => {
  const d = 5;
  const n = 20000;
  const { data, L } = correlated(n, d, 2);
  const before = tf.memory().numTensors;
  const w = whiten({ data, dim: d });
  assert.equal(w.trainableVariables.length, 0);
  // ln|det Σ|/2 of the sample covariance ≈ Σ ln L_ii (sampling error ~ sqrt(d/n))
  let ld = 0;
  for (let i = 0; i < d; i++) ld += Math.log(L[i * d + i]);
  assert.ok(Math.abs(w.logDet - ld) < 0.05, `${w.logDet} vs ${ld}`);
  const x = tf.tensor2d(Float32Array.from(data), [n, d]);
  const { z, logDet: li } = w.inverse(x);
  const zs = z.dataSync();
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let m = 0, c = 0;
    for (let k = 0; k < n; k++) {
      m += zs[k * d + i] / n;
      c += (zs[k * d + i] * zs[k * d + j]) / n;
    }
    if (i === j) assert.ok(Math.abs(m) < 1e-3 && Math.abs(c - 1) < 1e-3, `z[${i}] mean ${m} var ${c}`);
    else assert.ok(Math.abs(c) < 1e-3, `cov ${i},${j} = ${c}`);
  }
  const { x: back, logDet: lf } = w.forward(z);
  const xb = back.dataSync();
  let err = 0;
  for (let k = 0; k < n * d; k++) err = Math.max(err, Math.abs(xb[k] - data[k]));
  assert.ok(err < 1e-4, `round trip ${err}`);
  const lfv = lf.dataSync(), liv = li.dataSync();
  for (let k = 0; k < 10; k++) {
    assert.ok(Math.abs(lfv[k] + liv[k]) < 1e-6);
    assert.ok(Math.abs(lfv[k] - w.logDet) < 1e-4);
  }
  tf.dispose([x, z, li, back, lf]);
  w.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("whiten: the log-determinant equals ln|det| of the brute-force Jacobian, and composes with RealNVP", () => {
  const d = 4;
  const { data } = correlated(500, d, 3);
  const before = tf.memory().numTensors;
  const t = tf.tensor2d(Float32Array.from(data), [500, d]);
  const w = whiten({ data: t, dim: d });
  t.dispose();
  // Jacobian ∂x/∂z column by column (linear map)
  const J = tf.tidy(() => {
    const eye = tf.eye(d) as tf.Tensor2D;
    const zero = tf.zeros([1, d]) as tf.Tensor2D;
    return tf.sub(w.forward(eye).x, w.forward(zero).x).arraySync() as number[][];
  });
  // det by Gaussian elimination in float64
  const m = J.map((r) => r.slice());
  let det = 1;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (p !== c) { [m[p], m[c]] = [m[c], m[p]]; det = -det; }
    det *= m[c][c];
    for (let r = c + 1; r < d; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k < d; k++) m[r][k] -= f * m[c][k];
    }
  }
  assert.ok(Math.abs(Math.log(Math.abs(det)) - w.logDet) < 1e-4, `${Math.log(Math.abs(det))} vs ${w.logDet}`);
  const flow = composeFlows([realNVP({ dim: d, layers: 2, hidden: [8], seed: 1 }), w]);
  tf.tidy(() => {
    const z = tf.randomNormal([7, d], 0, 1, "float32", 3) as tf.Tensor2D;
    const f = flow.forward(z);
    const i = flow.inverse(f.x);
    const zb = i.z.dataSync(), z0 = z.dataSync();
    for (let k = 0; k < z0.length; k++) assert.ok(Math.abs(zb[k] - z0[k]) < 1e-4);
    const a = f.logDet.dataSync(), b = i.logDet.dataSync();
    for (let k = 0; k < 7; k++) assert.ok(Math.abs(a[k] + b[k]) < 1e-4);
  });
  flow.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("whiten: bad inputs are refused naming the argument", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => whiten({ data: [1, 2, 3, 4] }), /Whiten: dim must be an integer/],
    [() => whiten({ data: [1, 2, 3], dim: 2 }), /Whiten: data must hold n·2 numbers with n ≥ 2, got 3/],
    [() => whiten({ data: [1, 2], dim: 2 }), /Whiten: data must hold n·2 numbers with n ≥ 2/],
    [() => whiten({ data: [1, 1, 1, 1], dim: 2 }), /Whiten: the data have zero variance/],
    [() => whiten({ data: [1, 2, Number.NaN, 4], dim: 2 }), /Whiten: data\[2\] is NaN/],
    [() => whiten({ data: [1, 2, 3, 4], dim: 2, epsilon: 0 }), /Whiten: epsilon must be > 0/],
    [() => whiten({ data: [1, 2, 3, 5], dim: 2, eps: 1 } as never), /Whiten: unknown option "eps"/],
    [() => whiten(undefined as never), /Whiten: data must be an array/],
  ];
  for (const [f, re] of cases) assert.throws(f, re);
  const w = whiten({ data: [0, 0, 1, 2, 2, 1, 3, 3], dim: 2 });
  assert.throws(() => tf.tidy(() => w.forward(tf.zeros([2, 3]) as tf.Tensor2D)), /Whiten.forward: z must have shape \[batch, 2\]/);
  w.dispose();
});
