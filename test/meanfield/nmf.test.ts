import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../src/core/random";
import { enumerate } from "../../src/exact";
import { bethe, nmf, nmfFreeEnergy, tap } from "../../src/meanfield";
import { sk, spinSystem } from "../../src/systems";

test("NMF F ≥ exact F on SK N = 12 at several β (the variational bound), also at arbitrary m", () => {
  const rng = new Rng(11);
  for (const seed of [1, 2, 3]) {
    const s = sk({ n: 12, seed });
    for (const beta of [0.2, 0.5, 1, 2, 3]) {
      const e = enumerate(s, beta);
      const r = nmf(s, { beta, seed: 5 });
      assert.ok(r.freeEnergyPerSpin >= e.freeEnergyPerSpin, `seed ${seed} β=${beta}: ${r.freeEnergyPerSpin} < ${e.freeEnergyPerSpin}`);
      // the bound holds for every product distribution, not only at the fixed point
      const m = Float64Array.from({ length: 12 }, () => 2 * rng.uniform() - 1);
      assert.ok(nmfFreeEnergy(s, beta, m).betaF / (beta * 12) >= e.freeEnergyPerSpin);
      // U and S consistent with F = U − S/β
      assert.ok(Math.abs(r.freeEnergyPerSpin - (r.energyPerSpin - r.entropyPerSpin / beta)) < 1e-12);
    }
  }
});

test("NMF: a fixed point of m = tanh(β(h + Jm)), best F over seeded starts, reproducible", () => {
  const rng = new Rng(3);
  const s = spinSystem({ n: 12, edges: sk({ n: 12, seed: 4 }).edgeList(), fields: Array.from({ length: 12 }, () => 0.3 * rng.normal()) });
  const beta = 2;
  const r = nmf(s, { beta, seed: 9, restarts: 12 });
  for (let i = 0; i < s.n; i++) {
    const hi = s.localField(r.magnetizations, i);
    assert.ok(Math.abs(r.magnetizations[i] - Math.tanh(beta * hi)) < 1e-8, `site ${i}`);
  }
  assert.equal(r.starts, 12);
  assert.ok(r.convergedStarts >= 1 && r.convergedStarts <= 12);
  // each single start has F ≥ the best of 12 with the same generator stream's first start
  const one = nmf(s, { beta, seed: 9, restarts: 1 });
  assert.ok(r.freeEnergyPerSpin <= one.freeEnergyPerSpin + 1e-15);
  assert.deepEqual(nmf(s, { beta, seed: 9, restarts: 12 }).magnetizations, r.magnetizations);
  // at high temperature without fields the paramagnet m = 0: F = −ln 2 / β
  const p = nmf(sk({ n: 12, seed: 1 }), { beta: 0.2, seed: 1 });
  assert.ok(Math.abs(p.freeEnergyPerSpin + Math.LN2 / 0.2) < 1e-9);
});

test("NMF/TAP/Bethe reject bad input before any work (table)", () => {
  const s = sk({ n: 6, seed: 1 });
  const cases: Array<[unknown, unknown, RegExp]> = [
    [null, { beta: 1 }, /system must be a SpinSystem/],
    [{ kind: "continuous" }, { beta: 1 }, /system must be a SpinSystem/],
    [s, undefined, /options \{beta, \.\.\.\} are required/],
    [s, {}, /beta must be a finite number/],
    [s, { beta: 0 }, /beta must be > 0/],
    [s, { beta: -1 }, /beta must be > 0/],
    [s, { beta: NaN }, /beta must be a finite number/],
    [s, { beta: 1, damping: 1 }, /damping must be < 1/],
    [s, { beta: 1, damping: -0.1 }, /damping must be ≥ 0/],
    [s, { beta: 1, tolerance: 0 }, /tolerance must be > 0/],
    [s, { beta: 1, maxIterations: 0 }, /maxIterations must be ≥ 1/],
    [s, { beta: 1, maxIterations: 2.5 }, /maxIterations must be an integer/],
    [s, { beta: 1, restarts: 0 }, /restarts must be ≥ 1/],
    [s, { beta: 1, seed: -1 }, /seed must be ≥ 0/],
    [s, { beta: 1, rng: {} }, /options\.rng must be a boltzlab Rng/],
    [s, { beta: 1, dampning: 0.5 }, /unknown option "dampning"/],
  ];
  for (const [name, fn] of [["nmf", nmf], ["tap", tap], ["bethe", bethe]] as const) {
    for (const [sys, opts, re] of cases) {
      assert.throws(() => (fn as (a: unknown, b: unknown) => unknown)(sys, opts), (e: Error) => e.message.startsWith(`meanfield.${name}:`) && re.test(e.message), `${name} ${JSON.stringify(opts)}`);
    }
  }
});
