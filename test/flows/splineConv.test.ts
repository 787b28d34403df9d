import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { boltzmannGenerator } from "../../src/bg/generator";
import { trainBoltzmannGenerator } from "../../src/bg/train";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import { convCoupling, convFlow } from "../../src/flows/convCoupling";
import { rationalQuadraticSpline } from "../../src/flows/spline";
import type { Flow } from "../../src/flows/types";
import { phi4 } from "../../src/systems/continuous/phi4";

ensureBackend();

/**
 * Random weights (a fresh flow is the identity): filters [k, k, cin, cout] ~ N(0, scale²/(k²·cin)),
 * biases ~ N(0, 0.1²), so that the raw spline parameters are of order `scale` whatever the kernel.
 */
function randomize(flow: Flow, seed: number, scale: number): void {
  const r = new Rng(seed);
  for (const v of flow.trainableVariables) {
    const s = v.shape as number[];
    const fanIn = v.rank === 4 ? s[0] * s[1] * s[2] : 0;
    tf.tidy(() => v.assign(tf.mul(r.normalTensor(v.shape), fanIn > 0 ? scale / Math.sqrt(fanIn) : 0.1)));
  }
}

/** ln|det J| at one point from the full autodiff Jacobian of `run` (one tf.grad per output), float64 LU. */
function autodiffLogDet(run: (t: tf.Tensor2D) => tf.Tensor2D, z: Float32Array): number {
  const d = z.length;
  const J = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const row = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.slice(run(t as tf.Tensor2D), [0, i], [1, 1])))(tf.tensor2d(z, [1, d])).dataSync());
    for (let j = 0; j < d; j++) J[i * d + j] = row[j];
  }
  let logDet = 0;
  for (let p = 0; p < d; p++) {
    let best = p;
    for (let q = p + 1; q < d; q++) if (Math.abs(J[q * d + p]) > Math.abs(J[best * d + p])) best = q;
    if (best !== p) for (let j = 0; j < d; j++) [J[p * d + j], J[best * d + j]] = [J[best * d + j], J[p * d + j]];
    const piv = J[p * d + p];
    logDet += Math.log(Math.abs(piv));
    for (let q = p + 1; q < d; q++) {
      const m = J[q * d + p] / piv;
      if (m !== 0) for (let j = p; j < d; j++) J[q * d + j] -= m * J[p * d + j];
    }
  }
  return logDet;
}

const spline = (bins = 6, bound = 3) => rationalQuadraticSpline({ bins, bound });

test("a fresh convolutional spline flow is the identity with zero log-determinant (fields inside the interval and in the tails)", () => {
  const f = convFlow({ L: 4, layers: 4, hidden: [8], transform: spline(), seed: 1 });
  tf.tidy(() => {
    const z = tf.mul(new Rng(2).normalTensor([64, 16]), 2) as tf.Tensor2D;
    const { x, logDet } = f.forward(z);
    assert.ok(tf.max(tf.abs(tf.sub(x, z))).dataSync()[0] < 1e-5);
    assert.ok(tf.max(tf.abs(logDet)).dataSync()[0] < 1e-5);
  });
  f.dispose();
});

test("conv spline couplings: invertible to 1e-5 both ways, log-determinants cancel, and the flow is not the identity (L = 4, 6)", () => {
  for (const [L, layers, kernel] of [[4, 4, 3], [6, 2, 5]] as const) {
    const f = convFlow({ L, layers, hidden: [8, 8], kernel, transform: spline(8, 3), seed: L });
    randomize(f, 10 + L, 0.5);
    tf.tidy(() => {
      const z = tf.mul(new Rng(5).normalTensor([64, L * L]), 1.5) as tf.Tensor2D;
      const fw = f.forward(z);
      const back = f.inverse(fw.x);
      const err = tf.max(tf.abs(tf.sub(back.z, z))).dataSync()[0];
      assert.ok(err < 1e-5, `L=${L}: forward→inverse error ${err}`);
      const ld = tf.max(tf.abs(tf.add(fw.logDet, back.logDet))).dataSync()[0];
      assert.ok(ld < 1e-4 * (1 + tf.max(tf.abs(fw.logDet)).dataSync()[0]), `L=${L}: logDet sum ${ld}`);
      assert.ok(tf.max(tf.abs(fw.logDet)).dataSync()[0] > 0.05, `L=${L}: not the identity`);
      const err2 = tf.max(tf.abs(tf.sub(f.forward(f.inverse(z).z).x, z))).dataSync()[0];
      assert.ok(err2 < 1e-5, `L=${L}: inverse→forward error ${err2}`);
    });
    f.dispose();
  }
});

test("conv spline couplings: log-determinant equals ln|det| of the full 16×16 autodiff Jacobian (L = 4), forward and inverse", () => {
  const L = 4;
  const flows: [string, Flow][] = [
    ["coupling parity 0", convCoupling({ L, parity: 0, hidden: [6], transform: spline(), seed: 1 })],
    ["coupling parity 1 tanh", convCoupling({ L, parity: 1, hidden: [6, 6], activation: "tanh", transform: spline(4, 2), seed: 2 })],
    ["convFlow 4 layers", convFlow({ L, layers: 4, hidden: [8], transform: spline(), seed: 3 })],
  ];
  const r = new Rng(7);
  for (const [name, f] of flows) {
    randomize(f, 20, 0.7);
    for (let p = 0; p < 2; p++) {
      const z = new Float32Array(16);
      r.fillNormal(z);
      for (const dir of ["forward", "inverse"] as const) {
        const run = (t: tf.Tensor2D) => (dir === "forward" ? f.forward(t).x : f.inverse(t).z);
        const want = autodiffLogDet(run, z);
        const got = tf.tidy(() => {
          const t = tf.tensor2d(z, [1, 16]);
          return (dir === "forward" ? f.forward(t).logDet : f.inverse(t).logDet).dataSync()[0];
        });
        assert.ok(Math.abs(got - want) < 1e-4 * (1 + Math.abs(want)), `${name} ${dir} point ${p}: logDet ${got} vs autodiff ${want}`);
        const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(run(tf.tensor2d(z, [1, 16])), tf.tensor2d(z, [1, 16])))).dataSync()[0]);
        assert.ok(moved > 0.05, `${name}: the randomised layer is not the identity (moves by ${moved})`);
      }
    }
    f.dispose();
  }
});

test("a convolutional spline flow trains by energy through the driver: J_E drops for φ⁴ at L = 4", () => {
  const system = phi4({ L: 4, m2: -4, lambda: 8 });
  const model = boltzmannGenerator({ flow: convFlow({ L: 4, layers: 4, hidden: [8, 8], transform: spline(8, 4), seed: 1 }) });
  const r = trainBoltzmannGenerator(model, { system, beta: 1, steps: 40, batch: 128, lr: 3e-3, seed: 2, progress: false });
  const rows = r.history.toRecords() as { energyLoss: number }[];
  const first = rows.slice(0, 5).reduce((a, x) => a + x.energyLoss, 0) / 5;
  const last = rows.slice(-5).reduce((a, x) => a + x.energyLoss, 0) / 5;
  assert.ok(Number.isFinite(last) && last < first - 1, `J_E ${first} → ${last}`);
  model.dispose();
});

test("conv spline flows free their tensors: forward, inverse, gradients and dispose leave nothing behind", () => {
  const before = tf.memory().numTensors;
  const f = convFlow({ L: 4, layers: 2, hidden: [4], transform: spline(), seed: 1 });
  const z = tf.ones([3, 16]) as tf.Tensor2D;
  const mid = tf.memory().numTensors;
  const a = f.forward(z);
  const b = f.inverse(a.x);
  tf.dispose([a.x, a.logDet, b.z, b.logDet]);
  tf.tidy(() => {
    tf.variableGrads(() => tf.add(tf.sum(f.forward(z).logDet), tf.sum(f.inverse(z).z)) as tf.Scalar, f.trainableVariables);
  });
  assert.equal(tf.memory().numTensors, mid);
  z.dispose();
  f.dispose();
  assert.equal(tf.memory().numTensors, before);
});
