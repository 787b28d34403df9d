/**
 * hopfield({n, patterns, seed}): Hebb couplings J_ij = Σ_μ ξ_i^μ ξ_j^μ / N on
 * all pairs (zero diagonal), so E(s) = −(1/2N) Σ_μ [(ξ^μ·s)² − N] exactly;
 * seeded patterns; bad input named.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { hopfield } from "../../src/systems/lattices";
import { energiesOf } from "../../src/systems/observables";
import { Rng } from "../../src/core/random";

test("hopfield: couplings ξᵀξ/N on all pairs, energies −(1/2N)Σ_μ[(ξ^μ·s)² − N], patterns seeded", () => {
  const n = 30;
  const P = 3;
  const h = hopfield({ n, patterns: P, seed: 5 });
  assert.equal(h.n, n);
  assert.equal(h.patterns.length, P);
  assert.equal(h.edges.i.length, (n * (n - 1)) / 2);
  for (let k = 0; k < h.edges.i.length; k++) {
    const a = h.edges.i[k];
    const b = h.edges.j[k];
    assert.ok(a < b);
    let s = 0;
    for (const p of h.patterns) s += p[a] * p[b];
    assert.ok(Math.abs(h.edges.J[k] - s / n) < 1e-15);
  }
  const rng = new Rng(1);
  const count = 20;
  const x = new Float32Array(count * n);
  for (let k = 0; k < x.length; k++) x[k] = rng.uniform32() < 0.5 ? -1 : 1;
  x.set(Float32Array.from(h.patterns[0]), 0); // a stored pattern among the states
  const e = energiesOf(h, x, count);
  for (let c = 0; c < count; c++) {
    let want = 0;
    for (const p of h.patterns) {
      let d = 0;
      for (let i = 0; i < n; i++) d += p[i] * x[c * n + i];
      want += d * d - n;
    }
    want *= -1 / (2 * n);
    assert.ok(Math.abs(e[c] - want) < 1e-9, `state ${c}: ${e[c]} vs ${want}`);
  }
  assert.deepEqual(hopfield({ n, patterns: P, seed: 5 }).patterns, h.patterns);
  assert.notDeepEqual(hopfield({ n, patterns: P, seed: 6 }).patterns, h.patterns);
  for (const p of h.patterns) assert.ok(p.every((v) => v === 1 || v === -1));
});

test("hopfield: bad input is named", () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ n: 1, patterns: 1 }, /hopfield: n must be ≥ 2/],
    [{ n: 10, patterns: 0 }, /hopfield: patterns must be ≥ 1/],
    [{ n: 10 }, /hopfield: patterns must be an integer/],
    [{ n: 10, patterns: 2, pattern: 3 }, /hopfield: unknown option "pattern"/],
  ];
  for (const [o, re] of cases) assert.throws(() => hopfield(o as never), re);
});
