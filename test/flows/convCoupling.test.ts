import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import { affineTransform } from "../../src/flows/affineTransform";
import { ConvCoupling, convCoupling, convFlow } from "../../src/flows/convCoupling";
import type { Flow } from "../../src/flows/types";
import { boltzmannGenerator } from "../../src/bg/generator";
import { trainBoltzmannGenerator } from "../../src/bg/train";
import { phi4 } from "../../src/systems/continuous/phi4";

ensureBackend();

/** Random weights everywhere (at initialisation the flow is the identity, which proves little). */
function randomize(flow: Flow, seed: number, scale = 0.1): void {
  const r = new Rng(seed);
  for (const v of flow.trainableVariables) tf.tidy(() => v.assign(tf.mul(r.normalTensor(v.shape), scale)));
}

/** ln|det J| of x = f(z) at one point from the full Jacobian by autodiff (one tf.grad per output), in float64 by LU. */
function autodiffLogDet(f: Flow, z: Float32Array): number {
  const d = f.dim;
  const J = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const row = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.gather(tf.reshape(f.forward(t as tf.Tensor2D).x, [d]), [i]).sum())(tf.tensor2d(z, [1, d])).dataSync());
    for (let j = 0; j < d; j++) J[i * d + j] = row[j];
  }
  // log|det| by Gaussian elimination with partial pivoting
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

test("convFlow: invertible to 1e-5, forward and inverse log-determinants cancel, and the flow is not the identity", () => {
  for (const [L, layers, kernel] of [[4, 4, 3], [6, 2, 5], [3, 2, 3]] as const) {
    const f = convFlow({ L, layers, hidden: [8, 8], kernel, seed: L });
    randomize(f, 10 + L);
    tf.tidy(() => {
      const z = new Rng(5).normalTensor([32, L * L]) as tf.Tensor2D;
      const fw = f.forward(z);
      const back = f.inverse(fw.x);
      const err = tf.max(tf.abs(tf.sub(back.z, z))).dataSync()[0];
      const ld = tf.max(tf.abs(tf.add(fw.logDet, back.logDet))).dataSync()[0];
      assert.ok(err < 1e-5, `L=${L}: round trip error ${err}`);
      assert.ok(ld < 1e-5 * (1 + tf.max(tf.abs(fw.logDet)).dataSync()[0]), `L=${L}: logDet sum ${ld}`);
      assert.ok(tf.max(tf.abs(fw.logDet)).dataSync()[0] > 0.05, `L=${L}: not the identity`);
      assert.ok(tf.max(tf.abs(tf.sub(fw.x, z))).dataSync()[0] > 0.05);
    });
    f.dispose();
  }
});

test("convCoupling: log-determinant equals ln|det| of the autodiff Jacobian (L = 4, both parities, whole stack)", () => {
  const L = 4;
  const z = new Float32Array(16);
  new Rng(7).fillNormal(z);
  const flows: [string, Flow][] = [
    ["coupling parity 0", convCoupling({ L, parity: 0, hidden: [6], seed: 1 })],
    ["coupling parity 1 tanh", convCoupling({ L, parity: 1, hidden: [6, 6], activation: "tanh", seed: 2 })],
    ["convFlow 4 layers", convFlow({ L, layers: 4, hidden: [8], seed: 3 })],
  ];
  for (const [name, f] of flows) {
    randomize(f, 20);
    const want = autodiffLogDet(f, z);
    const got = tf.tidy(() => f.forward(tf.tensor2d(z, [1, 16])).logDet.dataSync()[0]);
    assert.ok(Math.abs(got - want) < 1e-4 * (1 + Math.abs(want)), `${name}: logDet ${got} vs autodiff ${want}`);
    assert.ok(Math.abs(want) > 0.1, `${name}: the Jacobian is not trivial (${want})`);
    f.dispose();
  }
});

test("convCoupling: frozen sites pass through unchanged, and the active sites depend only on frozen ones", () => {
  const L = 4;
  const f = convCoupling({ L, parity: 1, hidden: [8], seed: 4 });
  randomize(f, 30);
  tf.tidy(() => {
    const z = new Rng(8).normalTensor([2, 16]) as tf.Tensor2D;
    const x = f.forward(z).x.arraySync() as number[][];
    const zz = z.arraySync() as number[][];
    for (let i = 0; i < 16; i++) {
      const r = Math.floor(i / L), c = i % L;
      if ((r + c) % 2 === 0) assert.equal(x[0][i], zz[0][i], `frozen site ${i} changed`);
    }
    // perturbing an active site changes only that site's output (the conditioner does not see it)
    const zp = zz.map((row) => row.slice());
    zp[0][1] += 0.5; // (0, 1) is active for parity 1
    const xp = f.forward(tf.tensor2d(zp)).x.arraySync() as number[][];
    for (let i = 0; i < 16; i++) if (i !== 1) assert.ok(Math.abs(xp[0][i] - x[0][i]) < 1e-6, `site ${i} moved`);
    assert.ok(Math.abs(xp[0][1] - x[0][1]) > 1e-3);
  });
  f.dispose();
});

test("convFlow: the parameter count does not depend on L, and translations by one lattice vector of even length commute with the flow", () => {
  const count = (L: number) => {
    const f = convFlow({ L, layers: 4, hidden: [8, 8], seed: 1 });
    const n = f.trainableVariables.reduce((a, v) => a + v.size, 0);
    f.dispose();
    return n;
  };
  assert.equal(count(4), count(16));
  assert.equal(count(4), count(32));
  // periodic CNN + checkerboard: shifting the field by (1, 1) (parity preserving) commutes with the flow
  const L = 6;
  const f = convFlow({ L, layers: 2, hidden: [4], seed: 2 });
  randomize(f, 40);
  tf.tidy(() => {
    const z = new Rng(9).normalTensor([1, L * L]) as tf.Tensor2D;
    const shift = (t: tf.Tensor2D) => {
      const idx = new Int32Array(L * L);
      for (let r = 0; r < L; r++) for (let c = 0; c < L; c++) idx[r * L + c] = ((r + 1) % L) * L + ((c + 1) % L);
      return tf.gather(t, tf.tensor1d(idx, "int32"), 1) as tf.Tensor2D;
    };
    const a = shift(f.forward(z).x);
    const b = f.forward(shift(z)).x;
    assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] < 1e-5);
  });
  f.dispose();
});

test("convFlow plugs into the Boltzmann generator and trains by energy through the driver: J_E drops for φ⁴ at L = 4", () => {
  const system = phi4({ L: 4, m2: -4, lambda: 8 });
  const model = boltzmannGenerator({ flow: convFlow({ L: 4, layers: 4, hidden: [8, 8], seed: 1 }) });
  const r = trainBoltzmannGenerator(model, { system, beta: 1, steps: 60, batch: 128, lr: 3e-3, seed: 2, progress: false, energyCut: false });
  const rows = r.history.toRecords() as { energyLoss: number }[];
  const first = rows.slice(0, 5).reduce((a, x) => a + x.energyLoss, 0) / 5;
  const last = rows.slice(-5).reduce((a, x) => a + x.energyLoss, 0) / 5;
  assert.ok(last < first - 1, `J_E ${first} → ${last}`);
  model.dispose();
});

test("convFlow and convCoupling bad input", () => {
  const cases: [() => unknown, string][] = [
    [() => convFlow({ L: 1 }), "convFlow: L must be ≥ 2"],
    [() => convFlow({ L: 4, layers: 0 }), "convFlow: layers must be ≥ 1"],
    [() => convFlow({ L: 4, kernel: 2 }), "convFlow: kernel must be odd"],
    [() => convFlow({ L: 2, kernel: 7 }), "wider than the lattice"],
    [() => convFlow({ L: 4, hidden: [0] }), "hidden[0] must be ≥ 1"],
    [() => convFlow({ L: 4, hidden: 8 as never }), "hidden must be an array"],
    [() => convFlow({ L: 4, activation: "gelu" as never }), "activation must be one of"],
    [() => convFlow({ L: 4, transform: {} as never }), "transform must be an ElementwiseTransform"],
    [() => convFlow({ L: 4, width: 3 } as never), 'unknown option "width"'],
    [() => convCoupling({ L: 4, parity: 2 as never }), "ConvCoupling: parity must be 0 or 1"],
    [() => affineTransform({ scaleBound: 0 }), "affineTransform: scaleBound must be > 0"],
  ];
  for (const [f, msg] of cases) assert.throws(f, (e: Error) => e.message.includes(msg), msg);
  const f = convFlow({ L: 4, layers: 2, seed: 1 });
  assert.throws(() => f.forward(tf.zeros([2, 15]) as tf.Tensor2D), /must have shape \[batch, 16\]/);
  const t = affineTransform();
  assert.throws(() => t.forward(tf.zeros([2, 3]), tf.zeros([2, 3, 3])), /AffineTransform.forward: params must have shape \[2, 3, 2\]/);
  f.dispose();
});

test("affineTransform: y = x·e^s + t with s = b·tanh(raw); inverse and log-determinant exact", () => {
  const t = affineTransform({ scaleBound: 1.5 });
  tf.tidy(() => {
    const x = tf.tensor2d([[0.3, -1.2]]);
    const p = tf.tensor3d([[[0.4, 0.1], [-2, 0.5]]]);
    const { y, logDet } = t.forward(x, p);
    const s = [1.5 * Math.tanh(0.4), 1.5 * Math.tanh(-2)];
    const want = [0.3 * Math.exp(s[0]) + 0.1, -1.2 * Math.exp(s[1]) + 0.5];
    const yy = y.dataSync();
    for (let k = 0; k < 2; k++) assert.ok(Math.abs(yy[k] - want[k]) < 1e-6);
    assert.ok(Math.abs(logDet.dataSync()[0] - (s[0] + s[1])) < 1e-6);
    const back = t.inverse(y, p);
    assert.ok(tf.max(tf.abs(tf.sub(back.x, x))).dataSync()[0] < 1e-6);
    assert.ok(Math.abs(back.logDet.dataSync()[0] + s[0] + s[1]) < 1e-6);
  });
  assert.deepEqual(t.config, { name: "affine", scaleBound: 1.5 });
});

test("convFlow frees its tensors: forward, inverse, gradients and dispose leave nothing behind", () => {
  // warm-up: the backend caches a few constants on the first call
  const w = convCoupling({ L: 4, seed: 1 });
  tf.tidy(() => void w.forward(tf.zeros([1, 16]) as tf.Tensor2D));
  w.dispose();
  const before = tf.memory().numTensors;
  const f = convFlow({ L: 4, layers: 2, hidden: [4], seed: 1 });
  const z = tf.randomNormal([8, 16]) as tf.Tensor2D;
  const once = () => {
    const fw = f.forward(z);
    const bw = f.inverse(fw.x);
    tf.dispose([fw.x, fw.logDet, bw.z, bw.logDet]);
    const g = tf.variableGrads(() => tf.tidy(() => tf.sum(f.forward(z).logDet) as tf.Scalar), f.trainableVariables);
    tf.dispose([g.value, ...Object.values(g.grads)]);
  };
  once(); // the first gradient caches backend constants too
  const made = tf.memory().numTensors;
  for (let k = 0; k < 3; k++) once();
  assert.equal(tf.memory().numTensors, made);
  z.dispose();
  // built inside a tidy, the coupling keeps its constants
  const built: ConvCoupling[] = [];
  tf.tidy(() => {
    built.push(new ConvCoupling({ L: 4, seed: 1 }));
  });
  const c = built[0];
  tf.tidy(() => void c.forward(tf.zeros([1, 16]) as tf.Tensor2D));
  c.dispose();
  f.dispose();
  assert.equal(tf.memory().numTensors, before);
});
