import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { wellFreeEnergyDifference } from "../../src/exact/quadrature";
import { particleMetropolis, type ParticleSystem } from "../../src/samplers/particleMoves";
import { umbrellaSampling, UmbrellaSystem } from "../../src/samplers/umbrella";
import { wham } from "../../src/stats/wham";
import { doubleWell } from "../../src/systems/continuous/quartic";
import { dimer } from "../../src/systems/continuous/dimer";

/** N independent particles in a 2-D harmonic trap E = (k/2) Σ |r_i|²: ⟨E⟩ = N·D/(2β) by equipartition. */
function trap(n: number, k: number): ParticleSystem {
  const e = (x: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += 0.5 * k * x[i] * x[i];
    return s;
  };
  return {
    kind: "continuous", dim: 2 * n, name: "trap", particles: n, spatialDim: 2,
    energyOf: e,
    particleEnergyOf: (x, i) => 0.5 * k * (x[2 * i] ** 2 + x[2 * i + 1] ** 2),
    gradientOf: (x, out) => { const g = out ?? new Float64Array(2 * n); for (let i = 0; i < 2 * n; i++) g[i] = k * x[i]; return g; },
    energy: (x) => tf.tidy(() => tf.mul(tf.sum(tf.square(x), 1), 0.5 * k) as tf.Tensor1D),
  };
}

/**
 * Two particles on a line, bond V(u) = 4u⁴ − 6u² + 0.5u with u = r − 1.5, r = x_1 − x_0, and a
 * harmonic restraint on the centre: p(r) ∝ e^{−βV(r − 1.5)} exactly (r < 0 costs > 18 kT at β = 2).
 */
const bond = doubleWell({ dim: 1, a: 4, b: -6, c: 0.5 });
function pairOnALine(): ParticleSystem {
  const e = (x: ArrayLike<number>) => bond.energyOf([x[1] - x[0] - 1.5]) + 5 * (x[0] + x[1]) ** 2;
  return {
    kind: "continuous", dim: 2, name: "pair", particles: 2, spatialDim: 1,
    energyOf: e,
    particleEnergyOf: (x) => e(x),
    gradientOf: () => { throw new Error("not used"); },
    energy: () => { throw new Error("not used"); },
  };
}

test("particleMetropolis: equipartition in a harmonic trap within 4σ, and the tracked energy equals E of the configuration", () => {
  const s = trap(3, 2);
  const r = particleMetropolis(s, { beta: 1.5, sweeps: 6000, burnIn: 200, chains: 4, initial: new Float64Array(6), stepSize: 0.8, seed: 1, keepSamples: true, progress: false });
  const expected = (3 * 2) / (2 * 1.5);
  assert.ok(Math.abs(r.stats.energy.mean - expected) < 4 * r.stats.energy.error, `${r.stats.energy.mean} ± ${r.stats.energy.error} vs ${expected}`);
  assert.ok(r.acceptance > 0.2 && r.acceptance < 0.9);
  const last = (r.recorded - 1) * 4;
  for (let c = 0; c < 4; c++) {
    const x = r.samples!.subarray((last + c) * 6, (last + c + 1) * 6);
    assert.ok(Math.abs(r.observables.energy[last + c] - s.energyOf(x)) < 1e-9);
  }
});

test("umbrella sampling + WHAM: ΔF of a two-particle bond against quadrature within 4σ", () => {
  const beta = 2;
  const centers = Array.from({ length: 12 }, (_, k) => 0.4 + (2.2 * k) / 11);
  const u = umbrellaSampling({ system: pairOnALine(), windows: centers, kappa: 80, beta, sweeps: 6000, burnIn: 500, initial: [-0.2, 0.2], stepSize: 0.15, seed: 3, progress: false });
  assert.equal(u.values.length, 12);
  assert.equal(u.values[0].length, 5500);
  const r = wham({ values: u.values, centers: u.centers, kappa: u.kappa, bins: 60, range: [0.3, 2.7], divide: 1.5, bootstrap: 50, seed: 4 });
  const exact = wellFreeEnergyDifference(bond, { beta, divide: 0 }).deltaF;
  assert.ok(Math.abs(r.deltaF!.mean - exact) < 4 * r.deltaF!.error, `ΔF ${r.deltaF!.mean} ± ${r.deltaF!.error} vs ${exact}`);
  assert.ok(r.deltaF!.error < 0.25);
});

test("umbrella sampling on the dimer: each window stays near its centre, seeded runs repeat exactly", () => {
  const s = dimer();
  const opts = { system: s, windows: [1.0, 1.5, 2.0], kappa: 500, sweeps: 300, thin: 2, seed: 9, progress: false };
  const a = umbrellaSampling(opts);
  const b = umbrellaSampling(opts);
  a.windows.forEach((w, k) => {
    let m = 0;
    for (const v of w.values) m += v / w.values.length;
    assert.ok(Math.abs(m - w.center) < 0.12, `window ${k}: mean ${m} vs centre ${w.center}`);
    assert.ok(w.acceptance > 0.3 && w.acceptance < 0.9);
    assert.equal(w.values.length, 120);
    assert.deepEqual(Array.from(w.values), Array.from(b.windows[k].values));
  });
  // the biased system's local energies and gradient are consistent with its energy
  const u = new UmbrellaSystem(s, [0, 1], 1.2, 300, 1);
  const x = s.start({ distance: 1, seed: 2 });
  const y = Float64Array.from(x);
  y[0] -= 0.05;
  assert.ok(Math.abs(u.energyOf(y) - u.energyOf(x) - (u.particleEnergyOf(y, 0) - u.particleEnergyOf(x, 0))) < 1e-9);
  const g = u.gradientOf(x);
  const h = 1e-6;
  const xp = Float64Array.from(x), xm = Float64Array.from(x);
  xp[0] += h;
  xm[0] -= h;
  assert.ok(Math.abs((u.energyOf(xp) - u.energyOf(xm)) / (2 * h) - g[0]) < 1e-4 * Math.max(1, Math.abs(g[0])));
  // the batched tensor energy of the biased system agrees with energyOf and frees its intermediates
  const before = tf.memory().numTensors;
  const e = tf.tidy(() => u.energy(tf.tensor2d(Float32Array.from([...x, ...y]), [2, 76])).dataSync());
  assert.equal(tf.memory().numTensors, before);
  assert.ok(Math.abs(e[0] - u.energyOf(x)) < 1e-3 * Math.abs(u.energyOf(x)) && Math.abs(e[1] - u.energyOf(y)) < 1e-3 * Math.abs(u.energyOf(y)));
});

test("umbrellaSampling and particleMetropolis: bad inputs are refused naming the argument", () => {
  const s = dimer();
  const ok = { system: s, windows: [1, 2], kappa: 100, sweeps: 10, progress: false };
  const cases: [() => unknown, RegExp][] = [
    [() => umbrellaSampling({ ...ok, system: doubleWell() as never }), /umbrellaSampling: system must be a particle system/],
    [() => umbrellaSampling({ ...ok, windows: [] }), /umbrellaSampling: windows must be a non-empty array/],
    [() => umbrellaSampling({ ...ok, system: dimer({ energyCut: { high: 100 } }) }), /umbrellaSampling: system must have the true energy/],
    [() => umbrellaSampling({ ...ok, windows: [1, -1] }), /umbrellaSampling: windows\[1\] must be ≥ 0/],
    [() => umbrellaSampling({ ...ok, kappa: 0 }), /umbrellaSampling: kappa must be > 0/],
    [() => umbrellaSampling({ ...ok, kappa: [1, 2, 3] }), /umbrellaSampling: kappa must be a number or one per window \(2\)/],
    [() => umbrellaSampling({ ...ok, sweeps: 1 }), /umbrellaSampling: sweeps must be ≥ 2/],
    [() => umbrellaSampling({ ...ok, thin: 20 }), /umbrellaSampling: \(sweeps − burnIn\)\/thin must leave at least 2 records/],
    [() => umbrellaSampling({ ...ok, pair: [0, 0] }), /umbrellaSampling: pair must name two different particles/],
    [() => umbrellaSampling({ ...ok, pair: [0, 38] }), /umbrellaSampling: pair\[1\] must be ≤ 37/],
    [() => umbrellaSampling({ ...ok, initial: [1, 2] }), /umbrellaSampling: initial must have 76/],
    [() => umbrellaSampling({ ...ok, kapa: 1 } as never), /umbrellaSampling: unknown option "kapa"/],
    [() => particleMetropolis(s, { beta: 1, sweeps: 10 }), /particleMetropolis: initial must be given/],
    [() => particleMetropolis(s, { beta: 0, sweeps: 10, initial: s.start({ distance: 1, seed: 1 }) }), /particleMetropolis: beta must be > 0/],
    [() => particleMetropolis(dimer({ energyCut: { high: 100 } }), { beta: 1, sweeps: 10, initial: s.start({ distance: 1, seed: 1 }), progress: false }), /particleMove needs the true energy/],
    [() => particleMetropolis(s, { beta: 1, sweeps: 10, initial: s.start({ distance: 1, seed: 1 }), stepSize: -1 }), /particleMetropolis: stepSize must be > 0/],
  ];
  for (const [f, re] of cases) assert.throws(f, re);
});
