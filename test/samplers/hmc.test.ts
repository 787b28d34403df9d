import { test } from "node:test";
import assert from "node:assert/strict";
import { hmc, hmcMove } from "../../src/samplers/hmc";
import { ContinuousChainState } from "../../src/samplers/continuousMoves";
import { runChains } from "../../src/samplers/driver";
import { independentSampleCost } from "../../src/samplers/fieldState";
import { Rng } from "../../src/core/random";
import { doubleWell } from "../../src/systems/continuous/quartic";
import { freePhi4, phi4 } from "../../src/systems/continuous/phi4";

test("hmc reproduces the free theory (λ = 0, m² = 1, L = 4): ⟨φ²⟩, ⟨|M|⟩/V and ⟨S⟩ = V/2 within 4σ", () => {
  const s = phi4({ L: 4, m2: 1, lambda: 0 });
  const ex = freePhi4({ L: 4, m2: 1 });
  const r = hmc(s, { beta: 1, sweeps: 6000, burnIn: 500, chains: 4, seed: 11 });
  for (const [k, want] of [["phi2", ex.phi2], ["absMagnetization", ex.absMagnetization], ["action", ex.action]] as const) {
    const st = r.stats[k];
    assert.ok(Math.abs(st.mean - want) < 4 * st.error, `${k}: ${st.mean} ± ${st.error} vs exact ${want}`);
    assert.ok(st.error < 0.05 * want, `${k}: error ${st.error} too large to test anything`);
  }
  // tuned during burn-in towards 0.8, then frozen
  assert.ok(r.acceptance > 0.65 && r.acceptance < 0.95, `acceptance ${r.acceptance}`);
  assert.equal(r.diagnostics.tuneSteps, 500);
  const cost = independentSampleCost(r, { observable: "absMagnetization", steps: 6000 });
  assert.ok(cost.msPerIndependentSample > 0 && Number.isFinite(cost.tauInt));
});

test("hmc on the double well (β = 2): the harmonic coordinate has ⟨y²⟩ = 1/β", () => {
  // E = x⁴ − 6x² + x + y²/2: the harmonic coordinate y has ⟨y²⟩ = 1/β exactly
  const s = doubleWell();
  const r = hmc(s, { beta: 2, sweeps: 6000, burnIn: 500, chains: 2, seed: 3, keepSamples: true, thin: 2 });
  const x = r.samples as Float64Array;
  const n = x.length / 2;
  let y2 = 0;
  for (let k = 0; k < n; k++) y2 += x[2 * k + 1] ** 2;
  y2 /= n;
  assert.ok(Math.abs(y2 - 0.5) < 0.05, `⟨y²⟩ = ${y2}, exact 0.5`);
});

test("hmcMove: the step size is tuned during tuneSteps only, then frozen; a fixed leapfrog count is honoured; runs on plain ContinuousChainState", () => {
  const s = phi4({ L: 4, m2: 1, lambda: 0.5 });
  const move = hmcMove({ stepSize: 0.01, leapfrogSteps: 5, tuneSteps: 200 });
  const x = new Float64Array(16);
  new Rng(1).fillNormal(x);
  const state = new ContinuousChainState(s, 1, 1, x, "test");
  const seen: number[] = [];
  const rng = new Rng(2);
  move.init!(state, "test");
  for (let t = 1; t <= 400; t++) {
    move.step(state, rng, t);
    seen.push(move.stepSize);
  }
  assert.ok(seen[199] > 0.05, `tuned up from 0.01: ${seen[199]}`);
  for (let t = 200; t < 400; t++) assert.equal(seen[t], seen[199]);
  assert.equal(move.leapfrogSteps, 5);
  // through the driver as well, with acceptance counted after tuning only
  const r = runChains(new ContinuousChainState(s, 1, 2, new Float64Array(32), "test"), hmcMove({ stepSize: 0.2, tuneSteps: 0 }), { label: "t", total: 50, burnIn: 0, thin: 1, keepSamples: false, progress: false, rng: new Rng(3) });
  assert.ok(r.acceptance > 0 && r.acceptance <= 1);
});

test("hmc is seeded: the same seed gives the same chain", () => {
  const s = phi4({ L: 4, m2: -1, lambda: 1 });
  const a = hmc(s, { beta: 1, sweeps: 50, burnIn: 10, seed: 5 });
  const b = hmc(s, { beta: 1, sweeps: 50, burnIn: 10, seed: 5 });
  assert.deepEqual(Array.from(a.final), Array.from(b.final));
  assert.deepEqual(Array.from(a.observables.absMagnetization), Array.from(b.observables.absMagnetization));
});

test("hmc bad input", () => {
  const s = phi4({ L: 4, m2: 1, lambda: 0 });
  const cases: [() => unknown, string][] = [
    [() => hmc(s, { beta: 0, sweeps: 10 }), "hmc: beta must be > 0"],
    [() => hmc(s, { beta: 1, sweeps: 0 }), "hmc: sweeps must be ≥ 1"],
    [() => hmc(s, { beta: 1, sweeps: 10, burnIn: 10 }), "hmc: burnIn (10) must be < sweeps (10)"],
    [() => hmc(s, { beta: 1, sweeps: 10, stepSize: -1 }), "hmcMove: stepSize must be > 0"],
    [() => hmc(s, { beta: 1, sweeps: 10, leapfrogSteps: 0 }), "hmcMove: leapfrogSteps must be ≥ 1"],
    [() => hmc(s, { beta: 1, sweeps: 10, leapfrogSteps: 3, trajectoryLength: 1 }), "give trajectoryLength or leapfrogSteps, not both"],
    [() => hmc(s, { beta: 1, sweeps: 10, targetAcceptance: 1 }), "targetAcceptance must be < 1"],
    [() => hmc(s, { beta: 1, sweeps: 10, tune: 1 as never }), "hmc: tune must be a boolean"],
    [() => hmc(s, { beta: 1, sweeps: 10, initial: [1, 2] }), "hmc: initial must have 16"],
    [() => hmc(s, { beta: 1, sweeps: 10, steps: 3 } as never), 'hmc: unknown option "steps"'],
    [() => hmc({} as never, { beta: 1, sweeps: 10 }), "hmc: system must be a ContinuousSystem"],
  ];
  for (const [f, msg] of cases) assert.throws(f, (e: Error) => e.message.includes(msg), msg);
});
