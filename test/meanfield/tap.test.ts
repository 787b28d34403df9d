import assert from "node:assert/strict";
import { test } from "node:test";
import { enumerate } from "../../src/exact";
import { nmf, tap, tapFreeEnergyOf } from "../../src/meanfield";
import { Rng } from "../../src/core/random";
import { sk, spinSystem } from "../../src/systems";

test("TAP is closer to the exact F than NMF on SK N = 12 at high temperature", () => {
  for (const seed of [1, 2, 3]) {
    const s = sk({ n: 12, seed });
    for (const beta of [0.1, 0.3, 0.5]) {
      const f = enumerate(s, beta).freeEnergyPerSpin;
      const t = tap(s, { beta, seed: 1 });
      const m = nmf(s, { beta, seed: 1 });
      assert.ok(Math.abs(t.freeEnergyPerSpin - f) < 0.1 * Math.abs(m.freeEnergyPerSpin - f), `seed ${seed} β=${beta}: TAP ${t.freeEnergyPerSpin}, NMF ${m.freeEnergyPerSpin}, exact ${f}`);
    }
  }
});

test("TAP: paramagnet βF = −N ln 2 − (β²/2) Σ J², the TAP equations hold at the solution, U = ∂(βF)/∂β", () => {
  const s = sk({ n: 12, seed: 2 });
  const beta = 0.3;
  const r = tap(s, { beta, seed: 4 });
  let q = 0;
  for (const Jij of s.edges.J) q += Jij * Jij;
  assert.ok(Math.abs(r.freeEnergyPerSpin * beta * 12 - (-12 * Math.LN2 - 0.5 * beta * beta * q)) < 1e-9);
  // with fields the solution is non-trivial: check m_i = tanh(β(h_i + Σ J m − β m_i Σ J²(1 − m²)))
  const rng = new Rng(8);
  const sf = spinSystem({ n: 12, edges: sk({ n: 12, seed: 3 }).edgeList(), fields: Array.from({ length: 12 }, () => 0.5 * rng.normal()) });
  const big = tap(sf, { beta: 0.9, seed: 2, damping: 0.7 });
  const m = big.magnetizations;
  assert.ok(big.overlapPerSpin > 0.05, `q = ${big.overlapPerSpin}`);
  const { offsets, index, J } = sf.neighbors;
  const hf = sf.fields as Float64Array;
  for (let i = 0; i < sf.n; i++) {
    let f = hf[i];
    let rr = 0;
    for (let p = offsets[i]; p < offsets[i + 1]; p++) {
      f += J[p] * m[index[p]];
      rr += J[p] * J[p] * (1 - m[index[p]] ** 2);
    }
    assert.ok(Math.abs(m[i] - Math.tanh(0.9 * (f - 0.9 * m[i] * rr))) < 1e-8, `site ${i}`);
  }
  // envelope: U = d(βF)/dβ at fixed m equals the reported energy
  const h = 1e-6;
  const d = (tapFreeEnergyOf(sf, 0.9 + h, m).betaF - tapFreeEnergyOf(sf, 0.9 - h, m).betaF) / (2 * h);
  assert.ok(Math.abs(d / 12 - big.energyPerSpin) < 1e-7);
});

test("TAP raises the documented Error when it does not converge (spin-glass phase, light damping)", () => {
  assert.throws(() => tap(sk({ n: 20, seed: 1 }), { beta: 2, seed: 3, maxIterations: 3000 }), /meanfield\.tap: did not converge within maxIterations = 3000 .*damping 0\.5/);
});
