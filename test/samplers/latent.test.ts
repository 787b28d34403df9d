import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { latentMc, type LatentFlow } from "../../src/samplers/latent";
import { mcmcMean } from "../../src/stats";
import type { ContinuousSystem } from "../../src/systems/types";

ensureBackend();

/** Separable test energy Σ_d u(x_d) with a hand-written float64 version. */
function separable(dim: number, u: (x: number) => number, uT: (x: tf.Tensor) => tf.Tensor): ContinuousSystem {
  return {
    kind: "continuous",
    dim,
    name: "test",
    energy: (x) => tf.tidy(() => tf.sum(uT(x), 1) as tf.Tensor1D),
    energyOf: (x) => { let e = 0; for (let d = 0; d < dim; d++) e += u(x[d]); return e; },
    gradientOf: () => { throw new Error("not needed"); },
  };
}

/** x = m + s z elementwise, ln|det| = Σ ln s. */
function affineFlow(m: number[], s: number[]): LatentFlow & { dispose(): void } {
  const mt = tf.tensor1d(m), st = tf.tensor1d(s);
  const ld = s.reduce((a, v) => a + Math.log(v), 0);
  return {
    dim: m.length,
    forward: (z) => tf.tidy(() => ({ x: tf.add(mt, tf.mul(st, z)) as tf.Tensor2D, logDet: tf.fill([z.shape[0]], ld) as tf.Tensor1D })),
    inverse: (x) => tf.tidy(() => ({ z: tf.div(tf.sub(x, mt), st) as tf.Tensor2D, logDet: tf.fill([x.shape[0]], -ld) as tf.Tensor1D })),
    dispose: () => tf.dispose([mt, st]),
  };
}

function cubicFlow(m: number, sc: number, a: number): LatentFlow & { dispose(): void } {
  return {
    dim: 1,
    forward: (z) => tf.tidy(() => ({
      x: tf.add(m, tf.mul(sc, tf.add(z, tf.mul(a, tf.pow(z, 3))))) as tf.Tensor2D,
      logDet: tf.sum(tf.add(Math.log(sc), tf.log1p(tf.mul(3 * a, tf.square(z)))), 1) as tf.Tensor1D,
    })),
    dispose: () => {},
  };
}

test("latent-space MC through a mismatched nonlinear flow samples the double well exactly (⟨x²⟩ vs quadrature)", () => {
  const beta = 3;
  const u = (x: number) => (x * x - 1) ** 2;
  const system = separable(1, u, (x) => tf.square(tf.sub(tf.square(x), 1)));
  // quadrature of ⟨x²⟩ and ⟨x⟩ = 0
  let z = 0, x2 = 0;
  for (let k = -40000; k <= 40000; k++) { const x = k * 1e-4; const w = Math.exp(-beta * u(x)); z += w; x2 += w * x * x; }
  const exactX2 = x2 / z;
  // x = 0.3 + 1.5 (z + 0.3 z³): shifted, stretched and nonlinear, so the z-dependent
  // log-determinant ln 1.5 + ln(1 + 0.9 z²) matters (ignoring it or its sign fails this test)
  const flow = cubicFlow(0.3, 1.5, 0.3);
  const before = tf.memory().numTensors;
  const res = latentMc(system, { flow, beta, sweeps: 4000, burnIn: 200, chains: 16, stepSize: 0.8, seed: 1 });
  assert.equal(tf.memory().numTensors, before);
  const xs = res.observables.x0;
  const sq = Float64Array.from(xs, (v) => v * v);
  const m2 = mcmcMean(sq, { chains: 16 });
  const m1 = mcmcMean(xs, { chains: 16 });
  assert.ok(Math.abs(m2.mean - exactX2) < 4 * m2.error, `<x²> ${m2.mean} ± ${m2.error} vs ${exactX2}`);
  assert.ok(Math.abs(m1.mean) < 4 * m1.error, `<x> ${m1.mean} ± ${m1.error}`);
  assert.ok(res.acceptance > 0.1 && res.acceptance < 0.95);
  // energy observable consistent with the coordinates
  for (let k = 0; k < 50; k++) assert.ok(Math.abs(res.observables.energy[k] - u(xs[k])) < 1e-9);
  flow.dispose();
});

test("latent-space MC in 2-D: a Gaussian target's mean and variance through a wrong flow", () => {
  const beta = 1;
  const a = [1, -2], s2 = [0.25, 4];
  const system: ContinuousSystem = {
    kind: "continuous", dim: 2, name: "gauss",
    energy: (x) => tf.tidy(() => tf.sum(tf.div(tf.square(tf.sub(x, tf.tensor1d(a))), tf.tensor1d(s2.map((v) => 2 * v))), 1) as tf.Tensor1D),
    energyOf: (x) => (x[0] - a[0]) ** 2 / (2 * s2[0]) + (x[1] - a[1]) ** 2 / (2 * s2[1]),
    gradientOf: () => { throw new Error("not needed"); },
  };
  const flow = affineFlow([0, 0], [1, 1]);
  const res = latentMc(system, { flow, beta, sweeps: 3000, burnIn: 300, chains: 16, stepSize: 1, seed: 2, initial: new Float64Array(32).fill(0.1) });
  for (let d = 0; d < 2; d++) {
    const x = res.observables[`x${d}`];
    const m = mcmcMean(x, { chains: 16 });
    assert.ok(Math.abs(m.mean - a[d]) < 4 * m.error, `mean x${d} ${m.mean} ± ${m.error}`);
    const v = mcmcMean(Float64Array.from(x, (t) => (t - a[d]) ** 2), { chains: 16 });
    assert.ok(Math.abs(v.mean - s2[d]) < 4 * v.error, `var x${d} ${v.mean} ± ${v.error}`);
  }
  assert.throws(() => latentMc(system, { flow: affineFlow([0], [1]), beta: 1, sweeps: 5 }), /latentMc: flow.dim = 1 does not match system.dim = 2/);
  flow.dispose();
});
