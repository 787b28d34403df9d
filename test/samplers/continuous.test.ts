import { test } from "node:test";
import assert from "node:assert/strict";
import { continuousMetropolis, mala } from "../../src/samplers/continuous";
import { doubleWell, gaussianMixture } from "../../src/systems/continuous";
import { wellFreeEnergyDifference } from "../../src/exact/quadrature";
import { mcmcMean } from "../../src/stats";

// [name, sampler, step for the Gaussian, step for the double well]
const samplers = [["random-walk Metropolis", continuousMetropolis, 0.6, 0.3], ["MALA", mala, 0.05, 0.01]] as const;

for (const [name, run, step, dwStep] of samplers) {
  test(`${name}: mean and variance of a 2-D Gaussian at β = 2 within 4σ (autocorrelation-aware errors)`, () => {
    const sigma = 0.7, mu = [0.5, -1];
    const g = gaussianMixture({ means: [mu], sigmas: [sigma], weights: [1] });
    const beta = 2;
    const r = run(g, { beta, sweeps: 40000, burnIn: 1000, chains: 2, stepSize: step, keepSamples: true, seed: 3 });
    assert.equal(r.recorded, 39000);
    assert.ok(r.acceptance > 0.3 && r.acceptance < 0.99, `acceptance ${r.acceptance}`);
    const s = r.samples as Float64Array;
    const v2 = sigma * sigma / beta;
    for (let i = 0; i < 2; i++) {
      const xi = Float64Array.from({ length: r.recorded * 2 }, (_, k) => s[k * 2 + i]);
      const m = mcmcMean(xi, { chains: 2 });
      assert.ok(Math.abs(m.mean - mu[i]) < 4 * m.error, `${name} mean[${i}] ${m.mean} ± ${m.error}`);
      const sq = mcmcMean(Float64Array.from(xi, (x) => (x - mu[i]) ** 2), { chains: 2 });
      assert.ok(Math.abs(sq.mean - v2) < 4 * sq.error, `${name} var[${i}] ${sq.mean} ± ${sq.error} vs ${v2}`);
    }
    // observables: energy and x0 per recorded step and chain
    assert.equal(r.observables.energy.length, r.recorded * 2);
    assert.equal(r.observables.x0[5], s[5 * 2]);
  });

  test(`${name}: started in the left well of the double well, chains stay there (barrier ≈ 10 kT)`, () => {
    const dw = doubleWell();
    // Kramers: ≈ 3·e^{−10.8} ≈ 6e-5 crossings per unit of Langevin time, ~0.01 expected here
    const r = run(dw, { beta: 1, sweeps: 5000, chains: 4, initial: dw.wells.left, stepSize: dwStep, seed: 1 });
    let right = 0;
    for (const x of r.observables.x0) if (x > dw.wells.divide) right++;
    assert.ok(right / r.observables.x0.length < 0.005, `fraction right ${right / r.observables.x0.length}`);
    assert.ok(wellFreeEnergyDifference(dw, { beta: 1 }).fractionRight > 0.03, "the exact fraction is not small");
  });

  test(`${name}: same seed, same chain; initial points broadcast; bad options are named`, () => {
    const dw = doubleWell();
    const a = run(dw, { beta: 1, sweeps: 100, chains: 3, initial: [1, 0], seed: 5, stepSize: step });
    const b = run(dw, { beta: 1, sweeps: 100, chains: 3, initial: [1, 0, 1, 0, 1, 0], seed: 5, stepSize: step });
    assert.deepEqual(Array.from(a.final), Array.from(b.final));
    assert.throws(() => run(dw, { beta: 1, sweeps: 10, initial: [1, 2, 3] }), /initial must have 2 .* numbers, got 3/);
    assert.throws(() => run(dw, { beta: -1, sweeps: 10 }), /beta must be > 0/);
    assert.throws(() => run(dw, { beta: 1, sweeps: 10, step: 1 } as never), /unknown option "step"/);
  });
}
