import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import { realNVP, ActNorm, AffineCoupling, Permutation, composeFlows, type Flow } from "../../src/flows";

ensureBackend();

/** Give every variable random values (the flow is the identity at initialisation, which proves little). */
function randomize(flow: Flow, seed: number, scale = 0.4): void {
  const r = new Rng(seed);
  for (const v of flow.trainableVariables) tf.tidy(() => v.assign(tf.mul(r.normalTensor(v.shape), scale)));
}

function flows(): [string, Flow][] {
  const out: [string, Flow][] = [
    ["realNVP dim 2", realNVP({ dim: 2, layers: 4, hidden: [16, 16], seed: 1 })],
    ["realNVP dim 3 tanh, random permutations, ActNorm", realNVP({ dim: 3, layers: 3, hidden: [8], activation: "tanh", permutation: "random", actNorm: true, seed: 2 })],
    ["realNVP dim 4", realNVP({ dim: 4, layers: 5, hidden: [8, 8], seed: 3 })],
    ["realNVP dim 7 (odd halves)", realNVP({ dim: 7, layers: 4, hidden: [12], seed: 4 })],
  ];
  out.forEach(([, f], k) => randomize(f, 10 + k));
  return out;
}

test("round trip: |f⁻¹(f(z)) − z| and |f(f⁻¹(x)) − x| are small; forward and inverse log-determinants sum to zero", () => {
  for (const [name, f] of flows()) {
    tf.tidy(() => {
      const z = new Rng(5).normalTensor([64, f.dim]) as tf.Tensor2D;
      const fw = f.forward(z);
      const back = f.inverse(fw.x);
      const err = tf.max(tf.abs(tf.sub(back.z, z))).dataSync()[0];
      const ld = tf.max(tf.abs(tf.add(fw.logDet, back.logDet))).dataSync()[0];
      assert.ok(err < 1e-4, `${name}: round trip error ${err}`);
      assert.ok(ld < 1e-4, `${name}: logDet sum ${ld}`);
      const ldSpread = tf.max(tf.abs(fw.logDet)).dataSync()[0];
      assert.ok(ldSpread > 1e-2, `${name}: the flow is not the identity (|logDet| ${ldSpread})`);
      const x = tf.mul(z, 1.5) as tf.Tensor2D;
      const err2 = tf.max(tf.abs(tf.sub(f.forward(f.inverse(x).z).x, x))).dataSync()[0];
      assert.ok(err2 < 1e-4, `${name}: inverse round trip ${err2}`);
    });
    f.dispose();
  }
});

/** ln|det| of a small matrix (row-major) by Gaussian elimination with partial pivoting, float64. */
function logAbsDet(a: Float64Array, n: number): number {
  const m = Float64Array.from(a);
  let s = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    if (p !== c) for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k], m[c * n + k]];
    const d = m[c * n + c];
    s += Math.log(Math.abs(d));
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / d;
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
    }
  }
  return s;
}

/** Output rows of `run` for the points and their ±h perturbations along every input coordinate. */
function jacobianByDifferences(run: (t: tf.Tensor2D) => tf.Tensor2D, z0: Float64Array, d: number, h: number): Float64Array[] {
  const pts = z0.length / d;
  const batch = new Float32Array(pts * d * 2 * d);
  for (let p = 0; p < pts; p++) for (let i = 0; i < d; i++) for (let sgn = 0; sgn < 2; sgn++) {
    const row = ((p * d + i) * 2 + sgn) * d;
    for (let j = 0; j < d; j++) batch[row + j] = z0[p * d + j];
    batch[row + i] += sgn === 0 ? h : -h;
  }
  const out = tf.tidy(() => run(tf.tensor2d(batch, [pts * d * 2, d])).dataSync());
  const Js: Float64Array[] = [];
  for (let p = 0; p < pts; p++) {
    const J = new Float64Array(d * d); // J[j][i] = ∂out_j/∂in_i
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      J[j * d + i] = (out[((p * d + i) * 2) * d + j] - out[((p * d + i) * 2 + 1) * d + j]) / (2 * h);
    }
    Js.push(J);
  }
  return Js;
}

/** The Jacobian at one point by reverse-mode autodiff, one output coordinate at a time. */
function jacobianByAutodiff(run: (t: tf.Tensor2D) => tf.Tensor2D, z: Float64Array, d: number): Float64Array {
  const J = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.slice(run(t as tf.Tensor2D), [0, j], [1, 1])))(tf.tensor2d(Float32Array.from(z), [1, d])).dataSync());
    for (let i = 0; i < d; i++) J[j * d + i] = g[i];
  }
  return J;
}

test("log-determinant equals ln|det J| of a numerically computed Jacobian (dim ≤ 4), forward and inverse", () => {
  // central differences need smooth maps: tanh conditioners; the default ReLU ones are checked with an autodiff Jacobian
  const smooth: [string, Flow][] = [
    ["tanh dim 2", realNVP({ dim: 2, layers: 4, hidden: [16, 16], activation: "tanh", seed: 1 })],
    ["tanh dim 3 + ActNorm + permutations", realNVP({ dim: 3, layers: 3, hidden: [8], activation: "tanh", permutation: "random", actNorm: true, seed: 2 })],
    ["tanh dim 4", realNVP({ dim: 4, layers: 5, hidden: [8, 8], activation: "tanh", seed: 3 })],
  ];
  smooth.forEach(([, f], k) => randomize(f, 20 + k));
  const all = [...smooth.map(([n, f]) => [n, f, true] as const), ...flows().filter(([, f]) => f.dim <= 4).map(([n, f]) => [n, f, false] as const)];
  for (const [name, f, useDifferences] of all) {
    const d = f.dim;
    const pts = 5;
    const z0 = new Rng(9).fillNormal(new Float64Array(pts * d));
    for (const dir of ["forward", "inverse"] as const) {
      const run = (t: tf.Tensor2D) => (dir === "forward" ? f.forward(t).x : f.inverse(t).z);
      const ld = tf.tidy(() => (dir === "forward" ? f.forward(tf.tensor2d(Float32Array.from(z0), [pts, d])).logDet : f.inverse(tf.tensor2d(Float32Array.from(z0), [pts, d])).logDet).dataSync());
      const Js = useDifferences ? jacobianByDifferences(run, z0, d, 2e-3) : null;
      for (let p = 0; p < pts; p++) {
        const J = Js !== null ? Js[p] : jacobianByAutodiff(run, z0.subarray(p * d, (p + 1) * d), d);
        const ref = logAbsDet(J, d);
        const tol = (useDifferences ? 3e-3 : 1e-4) * Math.max(1, Math.abs(ref));
        assert.ok(Math.abs(ref - ld[p]) < tol, `${name} ${dir} point ${p}: logDet ${ld[p]} vs numerical ${ref}`);
      }
    }
    f.dispose();
  }
});

test("hand-written coupling gradients equal tfjs autodiff (w.r.t. inputs and weights, both directions)", () => {
  for (const activation of ["relu", "tanh"] as const) {
    const a = realNVP({ dim: 3, layers: 3, hidden: [8, 8], seed: 1, activation });
    const b = realNVP({ dim: 3, layers: 3, hidden: [8, 8], seed: 1, activation, customGradient: false });
    randomize(a, 4);
    randomize(b, 4);
    tf.tidy(() => {
      const z = new Rng(6).normalTensor([9, 3]) as tf.Tensor2D;
      const w = tf.tensor1d([1, -2, 0.5]);
      for (const dir of ["forward", "inverse"] as const) {
        const loss = (f: Flow) => (t: tf.Tensor) => {
          const r = dir === "forward" ? f.forward(t as tf.Tensor2D) : f.inverse(t as tf.Tensor2D);
          const o = "x" in r ? r.x : r.z;
          return tf.add(tf.sum(tf.mul(tf.sin(o), w)), tf.sum(tf.mul(r.logDet, 0.7))) as tf.Scalar;
        };
        const ga = tf.variableGrads(() => loss(a)(z), a.trainableVariables);
        const gb = tf.variableGrads(() => loss(b)(z), b.trainableVariables);
        const ka = Object.keys(ga.grads), kb = Object.keys(gb.grads);
        assert.equal(ka.length, a.trainableVariables.length);
        ka.forEach((k, i) => {
          const diff = tf.max(tf.abs(tf.sub(ga.grads[k], gb.grads[kb[i]]))).dataSync()[0];
          const size = tf.max(tf.abs(gb.grads[kb[i]])).dataSync()[0];
          assert.ok(diff <= 1e-4 * Math.max(1, size), `${activation} ${dir} variable ${i}: ${diff}`);
        });
        const dx = tf.max(tf.abs(tf.sub(tf.grad(loss(a))(z), tf.grad(loss(b))(z)))).dataSync()[0];
        assert.ok(dx < 1e-4, `${activation} ${dir} input gradient ${dx}`);
      }
    });
    a.dispose();
    b.dispose();
  }
});

test("a fresh realNVP is the identity with zero log-determinant", () => {
  const f = realNVP({ dim: 3, seed: 0 });
  tf.tidy(() => {
    const z = new Rng(1).normalTensor([5, 3]) as tf.Tensor2D;
    const { x, logDet } = f.forward(z);
    assert.equal(tf.max(tf.abs(tf.sub(x, z))).dataSync()[0], 0);
    assert.equal(tf.max(tf.abs(logDet)).dataSync()[0], 0);
  });
  f.dispose();
});

test("tanh bounds the scale: |logDet| ≤ scaleBound · (transformed coordinates) per layer", () => {
  const c = new AffineCoupling({ dim: 2, hidden: [4], scaleBound: 0.5, seed: 1 });
  randomize(c, 2, 50);
  tf.tidy(() => {
    const { logDet } = c.forward(new Rng(3).normalTensor([200, 2]).mul(10) as tf.Tensor2D);
    assert.ok(tf.max(tf.abs(logDet)).dataSync()[0] <= 0.5 + 1e-6);
  });
  c.dispose();
});

test("ActNorm initialised from data maps it to zero mean and unit variance; permutation has logDet 0", () => {
  const flow = composeFlows([new Permutation({ perm: [1, 0] }), new ActNorm({ dim: 2 })]);
  tf.tidy(() => {
    const r = new Rng(4);
    const x = tf.add(tf.mul(r.normalTensor([500, 2]), tf.tensor1d([3, 0.2])), tf.tensor1d([5, -1])) as tf.Tensor2D;
    flow.initialize(x);
    const { z, logDet } = flow.inverse(x);
    const { mean, variance } = tf.moments(z, 0);
    assert.ok(tf.max(tf.abs(mean)).dataSync()[0] < 1e-4);
    assert.ok(tf.max(tf.abs(tf.sub(variance, 1))).dataSync()[0] < 1e-3);
    // ln|det ∂z/∂x| = −ln(std_x · std_y)
    const { variance: vx } = tf.moments(x, 0);
    const ref = -0.5 * Math.log(vx.dataSync()[0] * vx.dataSync()[1]);
    assert.ok(Math.abs(logDet.dataSync()[0] - ref) < 1e-3);
  });
  flow.dispose();
});

test("no tensor leaks: construction aside, forward, inverse, gradients and dispose leave the count unchanged", () => {
  const before = tf.memory().numTensors;
  const f = realNVP({ dim: 3, layers: 2, hidden: [4], actNorm: true, permutation: "random", seed: 1 });
  const nVars = f.trainableVariables.length;
  assert.equal(tf.memory().numTensors, before + nVars);
  const z = tf.ones([4, 3]) as tf.Tensor2D;
  const mid = tf.memory().numTensors;
  const r = f.forward(z);
  const s = f.inverse(r.x);
  tf.dispose([r.x, r.logDet, s.z, s.logDet]);
  tf.tidy(() => { tf.variableGrads(() => tf.sum(f.forward(z).logDet) as tf.Scalar, f.trainableVariables); });
  f.initialize!(z);
  assert.equal(tf.memory().numTensors, mid);
  z.dispose();
  f.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("bad arguments are named", () => {
  assert.throws(() => realNVP({ dim: 1 }), /realNVP: dim must be ≥ 2/);
  assert.throws(() => realNVP({ dim: 2, permutation: "shuffle" as never }), /realNVP: permutation must be one of/);
  assert.throws(() => realNVP({ dim: 2, width: 3 } as never), /realNVP: unknown option "width"/);
  assert.throws(() => new AffineCoupling({ dim: 2, hidden: [0] }), /AffineCoupling: hidden\[0\] must be ≥ 1/);
  assert.throws(() => new Permutation({ perm: [0, 0] }), /Permutation: perm must be a permutation/);
  const f = realNVP({ dim: 2, layers: 1, seed: 0 });
  assert.throws(() => f.forward(tf.zeros([2, 3]) as tf.Tensor2D), /CompositeFlow.forward: z must have shape \[batch, 2\]/);
  f.dispose();
});
