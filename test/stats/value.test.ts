import { test } from "node:test";
import assert from "node:assert/strict";
import { formatStats, scaleStats, shiftStats } from "../../src/stats/value";
import { mcmcMean } from "../../src/stats/autocorr";
import type { Stats } from "../../src/stats/types";

const s: Stats = { mean: -2.11432, error: 0.00041, variance: 0.17, tauInt: 1.3, n: 1000 };

test("scaleStats and shiftStats map a·X + b and keep τ, n and R̂", () => {
  const a = scaleStats({ ...s, rHat: 1.01 }, -3);
  assert.deepEqual(a, { mean: -2.11432 * -3, error: 0.00041 * 3, variance: 0.17 * 9, n: 1000, tauInt: 1.3, rHat: 1.01 });
  const b = shiftStats(s, 2);
  assert.ok(Math.abs(b.mean - (-0.11432)) < 1e-15);
  assert.equal(b.error, s.error);
  assert.equal(b.variance, s.variance);
  assert.equal(b.tauInt, 1.3);
  assert.equal("rHat" in b, false);
  // the error of a per-spin value from a total, checked against the series itself
  const x = Float64Array.from({ length: 400 }, (_, k) => Math.sin(k) * 10);
  const total = mcmcMean(x);
  const perSpin = mcmcMean(x.map((v) => v / 10));
  const scaled = scaleStats(total, 0.1);
  assert.ok(Math.abs(scaled.mean - perSpin.mean) < 1e-12 && Math.abs(scaled.error - perSpin.error) < 1e-12 && Math.abs(scaled.variance - perSpin.variance) < 1e-12);
});

test("formatStats rounds the mean to the error's last significant digit", () => {
  assert.equal(formatStats(s), "−2.1143 ± 0.0004 (τ=1.3, n=1000)");
  assert.equal(formatStats({ mean: -2.11432, error: 0.00014, variance: 0, n: 10 }), "−2.11432 ± 0.00014 (n=10)");
  assert.equal(formatStats({ mean: 0.5123, error: 0.096, variance: 0, n: 5 }), "0.5 ± 0.1 (n=5)");
  assert.equal(formatStats({ mean: 12345.6, error: 350, variance: 0, n: 5 }, { details: false }), "12300 ± 400");
  assert.equal(formatStats({ mean: -0.00001, error: 0.003, variance: 0, n: 5 }, { details: false }), "0.000 ± 0.003");
  assert.equal(formatStats({ mean: 1.5, error: 0.0123, variance: 0, n: 7, rHat: 1.0042 }, { errorDigits: 3 }), "1.5000 ± 0.0123 (n=7, R̂=1.004)");
  assert.equal(formatStats({ mean: -1.25, error: 0, variance: 0, n: 3 }, { details: false }), "−1.25 ± 0");
  assert.equal(formatStats({ mean: 1, error: Infinity, variance: 0, n: 3 }, { details: false }), "1 ± ∞");
});

test("bad input to the Stats helpers", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => scaleStats(null as never, 2), /scaleStats: s must be a Stats/],
    [() => scaleStats(s, NaN), /scaleStats: a must be a finite number/],
    [() => shiftStats(s, Infinity), /shiftStats: b must be a finite number/],
    [() => formatStats({} as never), /formatStats: s must be a Stats/],
    [() => formatStats(s, { errorDigits: 0 }), /formatStats: errorDigits must be ≥ 1/],
    [() => formatStats(s, { digits: 2 } as never), /formatStats: unknown option "digits"/],
  ];
  for (const [f, msg] of cases) assert.throws(f, msg);
});
