import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../../src/core/random";
import { dimer } from "../../../src/systems/continuous/dimer";

/** The energy written out directly: a double loop over all pairs, the bond, the restraint and the box (paper parameters). */
function directEnergy(x: ArrayLike<number>): number {
  const n = x.length / 2;
  let e = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j || (i < 2 && j < 2)) continue;
      const r = Math.hypot(x[2 * i] - x[2 * j], x[2 * i + 1] - x[2 * j + 1]);
      e += 0.5 * (1.1 / r) ** 12;
    }
  }
  const d = Math.hypot(x[0] - x[2], x[1] - x[3]);
  const del = 2 * (d - 1.5);
  e += -0.5 * del - 25 * del ** 2 + 10 * del ** 4;
  e += 20 * ((x[0] + x[2]) ** 2 + x[1] ** 2 + x[3] ** 2);
  for (let k = 0; k < x.length; k++) {
    for (const dd of [x[k] - 3, -x[k] - 3]) e += (Math.sign(dd) + 1) * 100 * dd * dd;
  }
  return e;
}

/** Configurations near equilibrium, some with particles pushed out of the box. */
function configs(count: number, seed: number): Float64Array[] {
  const s = dimer();
  const rng = new Rng(seed);
  const out: Float64Array[] = [];
  for (let k = 0; k < count; k++) {
    const x = s.start({ distance: k % 2 === 0 ? s.closed : s.open, rng, relax: 100 });
    for (let i = 0; i < x.length; i++) x[i] += 0.03 * rng.normal();
    if (k % 3 === 0) x[14] += 0.4; // solvent particle 3 (grid column 5, x ≈ 2.7) pushed out of the box
    out.push(x);
  }
  return out;
}

test("dimer: 76 dimensions, the bond minima and the open/closed split of the paper's parameters", () => {
  const s = dimer();
  assert.equal(s.dim, 76);
  assert.equal(s.particles, 38);
  assert.equal(s.split, 1.5);
  // minima of −0.5δ − 25δ² + 10δ⁴ at δ = ±1.118…, d = 1.5 + δ/2
  assert.ok(Math.abs(s.closed - 0.9435) < 1e-3 && Math.abs(s.open - 2.0615) < 1e-3);
  for (const d of [s.closed, s.open]) assert.ok(Math.abs(2 * (-0.5 - 50 * (2 * (d - 1.5)) + 40 * (2 * (d - 1.5)) ** 3)) < 1e-9);
  assert.ok(Math.abs(s.bondEnergy(1.5)) < 1e-12);
});

test("dimer: energyOf equals a direct double loop over pairs (float64) and the tensor energy agrees in float32", () => {
  const s = dimer();
  const xs = configs(6, 1);
  for (const x of xs) {
    const e = s.energyOf(x);
    assert.ok(Math.abs(e - directEnergy(x)) <= 1e-10 * Math.max(1, Math.abs(e)), `${e} vs ${directEnergy(x)}`);
  }
  const before = tf.memory().numTensors;
  const flat = new Float32Array(xs.length * 76);
  xs.forEach((x, k) => flat.set(x, k * 76));
  const t = tf.tensor2d(flat, [xs.length, 76]);
  const e = s.energy(t);
  const ev = e.dataSync();
  xs.forEach((x, k) => {
    const ref = s.energyOf(Float64Array.from(flat.subarray(k * 76, (k + 1) * 76)));
    assert.ok(Math.abs(ev[k] - ref) <= 2e-4 * Math.max(1, Math.abs(ref)), `tensor ${ev[k]} vs ${ref}`);
  });
  const dt = s.distanceTensor(t);
  const dd = dt.dataSync();
  xs.forEach((x, k) => assert.ok(Math.abs(dd[k] - s.distance(x)) < 1e-5));
  tf.dispose([t, e, dt]);
  assert.equal(tf.memory().numTensors, before);
});

test("dimer: gradientOf against central finite differences, and the tensor energy's autodiff gradient", () => {
  const s = dimer();
  const x = configs(1, 2)[0];
  const g = s.gradientOf(x);
  const h = 1e-6;
  for (let k = 0; k < 76; k++) {
    const xp = Float64Array.from(x), xm = Float64Array.from(x);
    xp[k] += h;
    xm[k] -= h;
    const fd = (s.energyOf(xp) - s.energyOf(xm)) / (2 * h);
    assert.ok(Math.abs(fd - g[k]) <= 1e-5 * Math.max(1, Math.abs(g[k])), `coordinate ${k}: ${g[k]} vs ${fd}`);
  }
  const before = tf.memory().numTensors;
  const gt = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(s.energy(t as tf.Tensor2D)))(tf.tensor2d(Float32Array.from(x), [1, 76])).dataSync());
  assert.equal(tf.memory().numTensors, before);
  let scale = 0;
  for (let k = 0; k < 76; k++) scale = Math.max(scale, Math.abs(g[k]));
  for (let k = 0; k < 76; k++) assert.ok(Math.abs(gt[k] - g[k]) <= 1e-3 * Math.max(1, scale), `autodiff ${k}: ${gt[k]} vs ${g[k]}`);
});

test("dimer: moving one particle changes the energy by the change of its particleEnergyOf", () => {
  const s = dimer();
  const rng = new Rng(3);
  const x = configs(1, 3)[0];
  for (const i of [0, 1, 2, 17, 37]) {
    const y = Float64Array.from(x);
    y[2 * i] += 0.05 * rng.normal();
    y[2 * i + 1] += 0.05 * rng.normal();
    const dE = s.energyOf(y) - s.energyOf(x);
    const dP = s.particleEnergyOf(y, i) - s.particleEnergyOf(x, i);
    assert.ok(Math.abs(dE - dP) <= 1e-9 * Math.max(1, Math.abs(dE)), `particle ${i}: ${dE} vs ${dP}`);
  }
});

test("dimer: the log-linear energy cut in energyOf, gradientOf and the tensor energy", () => {
  const plain = dimer();
  const cut = dimer({ energyCut: { high: 100, max: 1e9 } });
  const x = configs(1, 4)[0];
  // squeeze two solvent particles together: raw energy far above E_high
  x[8] = x[6] + 0.5;
  x[9] = x[7];
  const raw = plain.energyOf(x);
  assert.ok(raw > 1000);
  assert.ok(Math.abs(cut.energyOf(x) - (100 + Math.log(1 + raw - 100))) < 1e-9);
  const y = configs(1, 5)[0];
  assert.equal(cut.energyOf(y), plain.energyOf(y), "below E_high the cut does nothing");
  const g = cut.gradientOf(x);
  const h = 1e-7;
  for (const k of [6, 7, 8, 9, 0]) {
    const xp = Float64Array.from(x), xm = Float64Array.from(x);
    xp[k] += h;
    xm[k] -= h;
    const fd = (cut.energyOf(xp) - cut.energyOf(xm)) / (2 * h);
    assert.ok(Math.abs(fd - g[k]) <= 1e-4 * Math.max(1, Math.abs(g[k])), `cut gradient ${k}: ${g[k]} vs ${fd}`);
  }
  const e = tf.tidy(() => cut.energy(tf.tensor2d(Float32Array.from(x), [1, 76])).dataSync()[0]);
  assert.ok(Math.abs(e - cut.energyOf(x)) < 1e-3 * cut.energyOf(x));
});

test("dimer: start() places the dimer at the requested distance without overlaps", () => {
  const s = dimer();
  for (const d of [s.closed, s.open]) {
    const x = s.start({ distance: d, seed: 7 });
    assert.ok(Math.abs(s.distance(x) - d) < 1e-12);
    assert.ok(s.energyOf(x) < 60, `start energy ${s.energyOf(x)}`);
  }
});

test("dimer: bad inputs are refused naming the argument", () => {
  const s = dimer();
  const cases: [() => unknown, RegExp][] = [
    [() => dimer({ solvent: -1 }), /dimer: solvent must be ≥ 0/],
    [() => dimer({ solvent: 1.5 }), /dimer: solvent must be an integer/],
    [() => dimer({ rm: 0 }), /dimer: rm must be > 0/],
    [() => dimer({ b: -1 }), /dimer: b must be > 0/],
    [() => dimer({ energyCut: { high: Number.NaN } }), /energyCut.high must be a finite number/],
    [() => dimer({ energyCut: { high: 10, max: 5 } }), /energyCut.max must be > 10/],
    [() => dimer({ boxes: 2 } as never), /dimer: unknown option "boxes"/],
    [() => s.start({ distance: -1 }), /dimer.start: distance must be > 0/],
    [() => s.start({ distance: 1, relax: 0.5 }), /dimer.start: relax must be an integer/],
    [() => s.distances(new Float64Array(75)), /distances: x must hold n·76 numbers/],
    [() => tf.tidy(() => s.energy(tf.zeros([2, 4]) as tf.Tensor2D)), /energy: x must have shape \[batch, 76\]/],
  ];
  for (const [f, re] of cases) assert.throws(f, re);
});
