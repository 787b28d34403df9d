import { test } from "node:test";
import assert from "node:assert/strict";
import { quadratureLogZ, marginalDensity, wellFreeEnergyDifference } from "../../src/exact/quadrature";
import { doubleWell, manyWell, gaussianMixture, mullerBrown } from "../../src/systems/continuous";
import type { FactorizedSystem } from "../../src/systems/continuous";

/** A 1-D Gaussian E = (x − m)²/(2σ²) given to quadrature without its closed form. */
function gaussian1d(m: number, s: number): FactorizedSystem {
  const e = (x: ArrayLike<number>) => (x[0] - m) ** 2 / (2 * s * s);
  return {
    kind: "continuous", dim: 1, name: "gauss1d",
    energy: () => { throw new Error("unused"); },
    energyOf: e,
    gradientOf: (x) => Float64Array.of((x[0] - m) / (s * s)),
    factors: [{ dims: [0], energyOf: e, range: [[m - 1, m + 1]] }],
  };
}

test("1-D Gaussian: ln Z = ½ ln(2πσ²/β) to 1e-10 (box widened automatically), marginal equals the normal density", () => {
  for (const beta of [0.3, 1, 7]) {
    const g = gaussian1d(0.7, 1.3);
    const r = quadratureLogZ(g, { beta });
    assert.ok(Math.abs(r.logZ - 0.5 * Math.log((2 * Math.PI * 1.69) / beta)) < 1e-10, `β=${beta}: ${r.logZ}`);
    assert.equal(r.blocks[0].analytic, false);
    const m = marginalDensity(g, { beta, at: [0.7, 2] });
    const sd2 = 1.69 / beta;
    const pdf = (x: number) => Math.exp(-((x - 0.7) ** 2) / (2 * sd2)) / Math.sqrt(2 * Math.PI * sd2);
    assert.ok(Math.abs(m.density[0] / pdf(0.7) - 1) < 1e-9 && Math.abs(m.density[1] / pdf(2) - 1) < 1e-9);
    assert.ok(Math.abs(m.freeEnergy[1] + Math.log(pdf(2))) < 1e-9);
  }
});

test("2-D Gaussian (one-mode mixture, numeric 2-D grid): ln Z = (d/2) ln(2πσ²/β) − β d ln(σ√2π)", () => {
  const s = 0.6;
  const g = gaussianMixture({ means: [[1, -2]], sigmas: [s], weights: [1] });
  for (const beta of [0.5, 1, 2]) {
    const exact = Math.log((2 * Math.PI * s * s) / beta) - beta * 2 * Math.log(s * Math.sqrt(2 * Math.PI));
    const r = quadratureLogZ(g, { beta, points: 401 });
    assert.ok(Math.abs(r.logZ - exact) < 1e-8, `β=${beta}: ${r.logZ} vs ${exact}`);
  }
  // the marginal along y of a 2-D block integrates over x
  const m = marginalDensity(g, { beta: 1, axis: 1, at: [-2], points: 401 });
  assert.ok(Math.abs(m.density[0] - 1 / Math.sqrt(2 * Math.PI * s * s)) < 1e-8);
});

test("the mixture density is normalised: ln Z = 0 at β = 1", () => {
  assert.ok(Math.abs(quadratureLogZ(gaussianMixture(), { beta: 1 }).logZ) < 1e-8);
});

test("double well at β = 1: ΔF = 3.38 kT and the right well holds 3.29 % (the paper's numbers); grid-converged", () => {
  const dw = doubleWell();
  const r = wellFreeEnergyDifference(dw, { beta: 1 });
  assert.ok(Math.abs(r.deltaF - 3.38) < 0.005, `ΔF ${r.deltaF}`);
  assert.ok(Math.abs(r.fractionRight - 0.0329) < 0.0001);
  assert.ok(Math.abs(r.fractionLeft + r.fractionRight - 1) < 1e-15);
  const coarse = wellFreeEnergyDifference(dw, { beta: 1, points: 801 });
  assert.ok(Math.abs(coarse.deltaF - r.deltaF) < 1e-9);
  const z = quadratureLogZ(dw, { beta: 1 });
  assert.ok(Math.abs(z.logZ - quadratureLogZ(dw, { beta: 1, points: 1001 }).logZ) < 1e-9);
  // separable: the harmonic y contributes ½ ln 2π in closed form
  assert.ok(z.blocks[1].analytic && Math.abs(z.blocks[1].logZ - 0.5 * Math.log(2 * Math.PI)) < 1e-12);
  // the x marginal integrates to 1 and its mass right of the barrier is fractionRight
  const m = marginalDensity(dw, { beta: 1, gridPoints: 4001 });
  const h = m.x[1] - m.x[0];
  let tot = 0, right = 0;
  for (let k = 0; k < m.x.length; k++) { tot += m.density[k] * h; if (m.x[k] > dw.wells.divide) right += m.density[k] * h; }
  assert.ok(Math.abs(tot - 1) < 1e-6 && Math.abs(right - r.fractionRight) < 1e-3);
});

test("symmetric double well (c = 0): ΔF = 0; many-well ln Z = (dim/2)·ln Z of the 2-D double well", () => {
  assert.ok(Math.abs(wellFreeEnergyDifference(doubleWell({ c: 0 }), { beta: 2, divide: 0 }).deltaF) < 1e-9);
  const two = quadratureLogZ(doubleWell(), { beta: 1 }).logZ;
  assert.ok(Math.abs(quadratureLogZ(manyWell({ dim: 32 }), { beta: 1 }).logZ - 16 * two) < 1e-8);
  // extra harmonic coordinates add ½ ln(2π/(βk)) each
  const d5 = quadratureLogZ(doubleWell({ dim: 5, k: 2 }), { beta: 0.5 }).logZ;
  const d2 = quadratureLogZ(doubleWell({ dim: 2, k: 2 }), { beta: 0.5 }).logZ;
  assert.ok(Math.abs(d5 - d2 - 3 * 0.5 * Math.log((2 * Math.PI) / (0.5 * 2))) < 1e-10);
});

test("Müller–Brown: a 2-D grid integral that converges with the grid", () => {
  const mb = mullerBrown({ scale: 0.1 });
  const a = quadratureLogZ(mb, { beta: 1, points: 601 }).logZ;
  const b = quadratureLogZ(mb, { beta: 1, points: 801 }).logZ;
  assert.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);
});

test("bad arguments are named", () => {
  assert.throws(() => quadratureLogZ(doubleWell(), { beta: -1 }), /quadratureLogZ: beta must be > 0/);
  assert.throws(() => quadratureLogZ(doubleWell(), { beta: 1, grid: 3 } as never), /quadratureLogZ: unknown option "grid"/);
  assert.throws(() => quadratureLogZ(gaussianMixture({ means: [[0, 0, 0]], sigmas: [1], weights: [1] }), { beta: 1 }), /no quadrature factors/);
  assert.throws(() => marginalDensity(doubleWell(), { beta: 1, axis: 2 }), /marginalDensity: axis must be ≤ 1/);
  assert.throws(() => wellFreeEnergyDifference(doubleWell(), { beta: 1, divide: 100 }), /divide 100 lies outside/);
});
