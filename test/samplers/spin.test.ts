import { test } from "node:test";
import assert from "node:assert/strict";
import { metropolis, heatBath, wolff, parallelTempering } from "../../src/samplers/spin";
import { chiSquare, mcmcMean } from "../../src/stats";
import { countStates, exactProbabilities, ferro, floatFrustrated, intFrustrated, spinsOf, tinySystem } from "./helpers";
import type { SamplerResult } from "../../src/samplers/types";
import type { SpinSystem } from "../../src/systems/types";

const P_CUT = 1e-3;

function checkExact(system: SpinSystem, beta: number, res: SamplerResult, label: string): void {
  const { p } = exactProbabilities(system, beta);
  const counts = countStates(res.samples!, system.n);
  const chi = chiSquare({ observed: counts, expected: p });
  assert.ok(chi.pValue > P_CUT, `${label}: chi2 ${chi.chi2.toFixed(1)} dof ${chi.dof} p ${chi.pValue}`);
  // incremental energies agree with a fresh evaluation of the final configurations
  const last = (res.recorded - 1) * res.chains;
  for (let c = 0; c < res.chains; c += Math.max(1, Math.floor(res.chains / 7))) {
    const e = system.energyOf(res.final.subarray(c * system.n, (c + 1) * system.n));
    assert.ok(Math.abs(res.observables.energyPerSpin[last + c] - e / system.n) < 1e-9, `${label}: tracked energy drifted`);
  }
}

// 1000 chains × 20 records thinned by 10 sweeps: ~20000 nearly independent samples of a 5–6 spin system
const base = { chains: 1000, burnIn: 50, sweeps: 200, thin: 10, keepSamples: true, seed: 1 };

for (const [name, sys] of [["integer", intFrustrated], ["float", floatFrustrated]] as const) {
  test(`metropolis reproduces the exact distribution (${name} couplings, chi-square)`, () => {
    const system = sys();
    for (const beta of [0.3, 0.9]) {
      const res = metropolis(system, { ...base, beta });
      assert.equal(res.recorded, 20);
      assert.equal(res.diagnostics.integerPath, name === "integer");
      assert.ok(res.acceptance > 0 && res.acceptance < 1);
      checkExact(system, beta, res, `metropolis ${name} β=${beta}`);
    }
  });

  test(`heat bath reproduces the exact distribution (${name} couplings, chi-square)`, () => {
    const system = sys();
    const res = heatBath(system, { ...base, beta: 0.7, seed: 2 });
    checkExact(system, 0.7, res, `heatBath ${name}`);
  });
}

test("the chi-square check can fail: samples at the wrong β are rejected", () => {
  const system = intFrustrated();
  const res = metropolis(system, { ...base, beta: 0.5 });
  const { p } = exactProbabilities(system, 0.6);
  assert.ok(chiSquare({ observed: countStates(res.samples!, 5), expected: p }).pValue < P_CUT);
});

test("wolff reproduces the exact distribution of ferromagnets (integer and real couplings)", () => {
  for (const J of [1, 0.35]) {
    const system = ferro(J);
    const res = wolff(system, { ...base, beta: 0.4, seed: 3 });
    assert.ok((res.diagnostics.meanClusterSize as number) >= 1);
    assert.ok(Math.abs(res.acceptance - (res.diagnostics.meanClusterSize as number) / 6) < 1e-12);
    checkExact(system, 0.4, res, `wolff J=${J}`);
  }
});

test("wolff refuses antiferromagnetic couplings and fields, naming the problem", () => {
  assert.throws(() => wolff(intFrustrated(), { beta: 1, sweeps: 10 }), /wolff: Wolff cluster updates need ferromagnetic couplings .*J = -1 on edge \(1, 2\)/);
  const withField = tinySystem(2, [[0, 1, 1]], [0.5, 0]);
  assert.throws(() => wolff(withField, { beta: 1, sweeps: 10 }), /wolff: .*need zero fields/);
});

test("parallel tempering reproduces the exact distribution at the target β and reports swap rates", () => {
  const system = floatFrustrated();
  const res = parallelTempering(system, { ...base, betas: [0.2, 0.6, 1.2], seed: 4 });
  const rates = res.diagnostics.swapRates as number[];
  assert.equal(rates.length, 2);
  for (const r of rates) assert.ok(r > 0 && r <= 1, `swap rate ${r}`);
  assert.equal(res.diagnostics.targetBeta, 1.2);
  checkExact(system, 1.2, res, "pt β=1.2");
  // a middle rung as target
  const mid = parallelTempering(system, { ...base, betas: [0.2, 0.6, 1.2], beta: 0.6, seed: 5 });
  checkExact(system, 0.6, mid, "pt β=0.6");
  // per-rung mean energies match the exact ones within 5 naive errors (20000 samples)
  const eByBeta = res.diagnostics.energyPerSpinByBeta as number[];
  [0.2, 0.6, 1.2].forEach((b, k) => {
    const { p, energy } = exactProbabilities(system, b);
    let e = 0, e2 = 0;
    for (let s = 0; s < p.length; s++) { e += p[s] * energy[s] / 5; e2 += p[s] * (energy[s] / 5) ** 2; }
    const err = Math.sqrt((e2 - e * e) / 20000);
    assert.ok(Math.abs(eByBeta[k] - e) < 5 * err, `rung ${k}: ${eByBeta[k]} vs ${e}`);
  });
  assert.throws(() => parallelTempering(system, { betas: [0.5, 0.4], sweeps: 5 }), /parallelTempering: betas must be strictly increasing/);
  assert.throws(() => parallelTempering(system, { betas: [0.5, 0.6], beta: 0.7, sweeps: 5 }), /not on the ladder/);
});

test("seeded: same seed same chains; initial configurations are used; options are checked", () => {
  const system = intFrustrated();
  const a = metropolis(system, { beta: 0.5, sweeps: 30, chains: 3, seed: 9 });
  const b = metropolis(system, { beta: 0.5, sweeps: 30, chains: 3, seed: 9 });
  const c = metropolis(system, { beta: 0.5, sweeps: 30, chains: 3, seed: 10 });
  assert.deepEqual(a.final, b.final);
  assert.deepEqual(a.observables.energyPerSpin, b.observables.energyPerSpin);
  assert.notDeepEqual(a.observables.energyPerSpin, c.observables.energyPerSpin);
  // at very large β from the ground state nothing moves
  const { energy } = exactProbabilities(system, 1);
  let g = 0;
  for (let k = 1; k < energy.length; k++) if (energy[k] < energy[g]) g = k;
  const gs = spinsOf(g, 5);
  const frozen = metropolis(system, { beta: 50, sweeps: 5, initial: gs, seed: 1 });
  assert.deepEqual(Array.from(frozen.final), Array.from(gs));
  assert.ok(Math.abs(frozen.observables.energyPerSpin[0] - energy[g] / 5) < 1e-12);
  assert.throws(() => metropolis(system, { beta: -1, sweeps: 5 }), /metropolis: beta must be > 0/);
  assert.throws(() => metropolis(system, { beta: 1, sweeps: 5, initial: [1, 1] }), /metropolis: initial must have chains × size = 5/);
  assert.throws(() => heatBath(system, { beta: 1, sweeps: 5, sweep: 3 } as never), /heatBath: unknown option "sweep"/);
  assert.throws(() => metropolis({ kind: "continuous" } as never, { beta: 1, sweeps: 5 }), /metropolis: system must be a SpinSystem/);
});

test("magnetisation observables and τ_int are consistent on a small ferromagnet", () => {
  const system = ferro(1);
  const res = metropolis(system, { beta: 0.3, sweeps: 2000, chains: 4, seed: 11 });
  const m = res.observables.magnetizationPerSpin, am = res.observables.absMagnetizationPerSpin;
  for (let k = 0; k < m.length; k++) assert.equal(am[k], Math.abs(m[k]));
  const est = mcmcMean(res.observables.energyPerSpin, { chains: 4 });
  const { p, energy } = exactProbabilities(system, 0.3);
  let e = 0;
  for (let s = 0; s < p.length; s++) e += (p[s] * energy[s]) / 6;
  assert.ok(Math.abs(est.mean - e) < 4 * est.error, `E ${est.mean} ± ${est.error} vs ${e}`);
});
