import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/random";
import { bar } from "../../src/stats/bar";

/**
 * Two 1-D Gaussians: u₀ = x²/2 (Z₀ = √(2π)), u₁ = (x − μ)²/(2s²) (Z₁ = √(2π)·s),
 * so Δf = f₁ − f₀ = −ln(Z₁/Z₀) = −ln s exactly.
 */
function gaussianWork(mu: number, s: number, nF: number, nR: number, seed: number): { forward: Float64Array; reverse: Float64Array } {
  const r = new Rng(seed);
  const u0 = (x: number) => 0.5 * x * x, u1 = (x: number) => (0.5 * (x - mu) ** 2) / (s * s);
  const forward = Float64Array.from({ length: nF }, () => { const x = r.normal(); return u1(x) - u0(x); });
  const reverse = Float64Array.from({ length: nR }, () => { const x = mu + s * r.normal(); return u0(x) - u1(x); });
  return { forward, reverse };
}

test("BAR between two Gaussians recovers −ln(Z₁/Z₀) within 4σ, with calibrated errors over 40 seeds, also for n_F ≠ n_R", () => {
  for (const [mu, s, nF, nR] of [[1, 0.7, 2000, 2000], [2, 1.3, 3000, 500]]) {
    const exact = -Math.log(s);
    let z2 = 0;
    const seeds = 40;
    for (let seed = 0; seed < seeds; seed++) {
      const r = bar(gaussianWork(mu, s, nF, nR, seed));
      const z = (r.mean - exact) / r.error;
      assert.ok(Math.abs(z) < 4.5, `μ=${mu} s=${s} seed ${seed}: ${r.mean} ± ${r.error} vs ${exact}`);
      z2 += z * z;
    }
    // the RMS z-score of a calibrated error is 1; over 40 seeds its 99.9 % band is about 0.7–1.3
    const rms = Math.sqrt(z2 / seeds);
    assert.ok(rms > 0.65 && rms < 1.35, `μ=${mu}: RMS z-score ${rms}`);
  }
});

test("with little overlap BAR stays within its error while the one-sided (exponential) estimates are off by many of theirs", () => {
  // μ = 4: q and p overlap in their tails only
  const mu = 4, s = 0.8, exact = -Math.log(s);
  const w = gaussianWork(mu, s, 5000, 5000, 7);
  const r = bar(w);
  assert.ok(Math.abs(r.mean - exact) < 4 * r.error, `BAR ${r.mean} ± ${r.error} vs ${exact}`);
  assert.ok(r.error < 0.25, `BAR error ${r.error}`);
  // symmetrised KL of N(0, 1) and N(μ, s²): (s² + μ² − 1)/2 − ln s + (1 + μ²)/(2s²) − 1/2 + ln s
  const jeffreys = 0.5 * (s * s + mu * mu - 1) + 0.5 * (1 + mu * mu) / (s * s) - 0.5;
  assert.ok(Math.abs(r.jeffreys - jeffreys) < 0.05 * jeffreys, `Jeffreys divergence ${r.jeffreys} vs ${jeffreys}`);
  // the forward exponential average −ln⟨e^{−W_F}⟩ is biased upwards (the samples that matter are rare)
  assert.ok(r.forwardExp - exact > 0.3, `forward EXP ${r.forwardExp} vs ${exact}`);
  assert.ok(Math.abs(r.forwardExp - exact) > 3 * Math.abs(r.mean - exact));
});

test("the block jackknife agrees with the asymptotic error on independent samples, and grows on correlated ones", () => {
  const w = gaussianWork(1, 0.7, 4000, 4000, 3);
  const a = bar(w), j = bar({ ...w, blocks: 40 });
  assert.equal(a.mean, j.mean);
  assert.ok(j.error / a.error > 0.7 && j.error / a.error < 1.4, `jackknife ${j.error} vs asymptotic ${a.error}`);
  // each sample repeated 20 times in a row: 20× fewer independent samples, √20 ≈ 4.5× the error
  const rep = (x: Float64Array) => Float64Array.from({ length: x.length }, (_, k) => x[Math.floor(k / 20) * 20]);
  const c = bar({ forward: rep(w.forward), reverse: rep(w.reverse), blocks: 40 });
  const ci = bar({ forward: rep(w.forward), reverse: rep(w.reverse) });
  assert.ok(c.error / ci.error > 2.5, `correlated: jackknife ${c.error} vs asymptotic ${ci.error}`);
});

test("+Infinity work (a sample the other side cannot produce) counts as weight 0", () => {
  const w = gaussianWork(1, 0.7, 2000, 2000, 5);
  const r0 = bar(w);
  const f = Float64Array.from([...w.forward, Infinity, Infinity]);
  const r1 = bar({ forward: f, reverse: w.reverse });
  // two more forward samples of weight 0 change M only: Δf moves by about ln(2002/2000)
  assert.ok(Math.abs(r1.mean - r0.mean) < 0.01, `${r1.mean} vs ${r0.mean}`);
});

test("bar: bad input is named before any work", () => {
  const ok = [0.1, 0.2, 0.3];
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ reverse: ok }, /bar: forward must be an array of work values/],
    [{ forward: ok }, /bar: reverse must be an array of work values/],
    [{ forward: [1], reverse: ok }, /bar: forward needs at least 2 values, got 1/],
    [{ forward: ok, reverse: [0, NaN, 1] }, /bar: reverse\[1\] is NaN/],
    [{ forward: [0, -Infinity, 1], reverse: ok }, /bar: forward\[1\] is -Infinity/],
    [{ forward: [0, Infinity, Infinity], reverse: ok }, /bar: forward needs at least 2 finite values, got 1/],
    [{ forward: ok, reverse: ok, blocks: 4 }, /bar: blocks must be ≤ 3/],
    [{ forward: ok, reverse: ok, blocks: 2.5 }, /bar: blocks must be an integer/],
    [{ forward: ok, reverse: ok, samples: 3 }, /bar: unknown option "samples"/],
  ];
  for (const [o, re] of cases) assert.throws(() => bar(o as never), re, JSON.stringify(o));
});
