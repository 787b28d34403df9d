import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/random";
import { splitRHat } from "../../src/stats/rhat";

/** `chains` series of `steps` values, chain c drawn by gen(c, rng), interleaved step-major x[t·chains + c]. */
function series(chains: number, steps: number, seed: number, gen: (c: number, t: number, r: Rng, prev: number) => number): Float64Array {
  const r = new Rng(seed);
  const out = new Float64Array(chains * steps);
  for (let c = 0; c < chains; c++) {
    let prev = 0;
    for (let t = 0; t < steps; t++) out[t * chains + c] = prev = gen(c, t, r, prev);
  }
  return out;
}

test("split-R̂: hand-computed values (two chains of 4; an odd length drops the middle step)", () => {
  // halves [1,2] [3,4] [2,2] [4,4]: W = 1/4, Var(means) = 17/12, var⁺ = W/2 + 17/12, R̂ = sqrt(var⁺/W)
  const x = [1, 2, 2, 2, 3, 4, 4, 4]; // step-major: chain 0 = 1,2,3,4; chain 1 = 2,2,4,4
  assert.ok(Math.abs(splitRHat(x, { chains: 2 }) - Math.sqrt((0.125 + 17 / 12) / 0.25)) < 1e-12);
  // one chain [1, 2, 100, 3, 4]: halves [1,2] and [3,4] (the middle 100 is dropped): W = 1/2, Var(means) = 2
  assert.ok(Math.abs(splitRHat([1, 2, 100, 3, 4]) - Math.sqrt((0.25 + 2) / 0.5)) < 1e-12);
  // W = 0: frozen chains in different states → ∞; one constant everywhere → NaN (nothing to compare)
  assert.equal(splitRHat([1, -1, 1, -1, 1, -1, 1, -1], { chains: 2 }), Infinity);
  assert.ok(Number.isNaN(splitRHat([3, 3, 3, 3, 3, 3, 3, 3], { chains: 2 })));
});

test("split-R̂ ≈ 1 for independent chains of one distribution (iid and AR(1) φ = 0.9), classic and rank-normalised", () => {
  const iid = series(8, 2000, 1, (_c, _t, r) => r.normal());
  const ar = series(8, 4000, 2, (_c, t, r, prev) => (t === 0 ? r.normal() : 0.9 * prev + Math.sqrt(1 - 0.81) * r.normal()));
  for (const rank of [false, true]) {
    const a = splitRHat(iid, { chains: 8, rank });
    const b = splitRHat(ar, { chains: 8, rank });
    // iid: R̂² − 1 fluctuates like sqrt(2/15)/1000 ≈ 4e-4; AR(1) ~19 times more
    assert.ok(Math.abs(a - 1) < 0.005, `iid rank=${rank}: ${a}`);
    assert.ok(Math.abs(b - 1) < 0.03, `AR(1) rank=${rank}: ${b}`);
  }
  // heavy tails (Cauchy, infinite variance): the rank version stays ≈ 1
  const cauchy = series(8, 2000, 3, (_c, _t, r) => Math.tan(Math.PI * (r.uniform() - 0.5)));
  assert.ok(Math.abs(splitRHat(cauchy, { chains: 8, rank: true }) - 1) < 0.01);
});

test("split-R̂ is clearly > 1 for chains stuck in different modes, for a drifting chain, and (rank only) for different scales", () => {
  // half the chains in the well at −2, half at +2 (unit width): R̂ ≈ sqrt(1 + 4·m/(m−1)) ≈ 2.3
  const modes = series(8, 1000, 4, (c, _t, r) => (c < 4 ? -2 : 2) + r.normal());
  for (const rank of [false, true]) assert.ok(splitRHat(modes, { chains: 8, rank }) > 1.5, `modes rank=${rank}`);
  // one chain only, but with a trend: its two halves disagree
  const drift = series(1, 2000, 5, (_c, t, r) => t / 500 + r.normal());
  assert.ok(splitRHat(drift) > 1.2, `drift ${splitRHat(drift)}`);
  // same mean, widths 1 and 3: the classic R̂ (means only) sees nothing, the tail R̂ does
  const scales = series(4, 2000, 6, (c, _t, r) => (c % 2 === 0 ? 1 : 3) * r.normal());
  assert.ok(splitRHat(scales, { chains: 4 }) < 1.02, `classic ${splitRHat(scales, { chains: 4 })}`);
  assert.ok(splitRHat(scales, { chains: 4, rank: true }) > 1.1, `rank ${splitRHat(scales, { chains: 4, rank: true })}`);
});

test("split-R̂ rejects bad input, naming the argument", () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [() => splitRHat([1, 2, 3], { chains: 2 }), /splitRHat: x has length 3, not a multiple of chains = 2/],
    [() => splitRHat([1, 2, 3, 4, 5, 6], { chains: 2 }), /splitRHat: x needs at least 4 steps per chain, got 3/],
    [() => splitRHat([1, 2, NaN, 4]), /splitRHat: x\[2\] is not finite/],
    [() => splitRHat([1, 2, 3, 4], { chain: 2 } as never), /splitRHat: unknown option "chain"/],
    [() => splitRHat([1, 2, 3, 4], { rank: 1 } as never), /splitRHat: rank must be true or false/],
    [() => splitRHat([1, 2, 3, 4], { chains: 0 }), /splitRHat: chains must be/],
    [() => splitRHat(null as never), /splitRHat: x must be an array of numbers/],
  ];
  for (const [f, re] of cases) assert.throws(f, re);
});
