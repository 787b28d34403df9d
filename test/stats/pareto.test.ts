import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/random";
import { gpdFit, paretoK, paretoTailLength } from "../../src/stats/pareto";

/** GPD(k, σ) draws by inversion: x = σ(U^{−k} − 1)/k. */
function gpdSample(k: number, sigma: number, n: number, rng: Rng): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = (sigma * (Math.pow(1 - rng.uniform(), -k) - 1)) / k;
  return x;
}

test("the Zhang–Stephens fit recovers the GPD shape and scale (n = 2000, within 3 asymptotic standard errors)", () => {
  const n = 2000;
  for (const [k, seed] of [[-0.3, 1], [0.2, 2], [0.5, 3], [0.9, 4], [1.5, 5]] as const) {
    const x = gpdSample(k, 2, n, new Rng(seed));
    const fit = gpdFit(x, { prior: false });
    // the MLE of k has asymptotic standard deviation (1 + k)/√n
    const tol = (3 * (1 + k)) / Math.sqrt(n);
    assert.ok(Math.abs(fit.k - k) < tol, `k = ${k}: k̂ = ${fit.k} (tolerance ${tol})`);
    assert.ok(Math.abs(fit.sigma / 2 - 1) < 0.15, `k = ${k}: σ̂ = ${fit.sigma} vs 2`);
    // the prior pulls k̂ towards ½ by the weight of 10 observations
    const withPrior = gpdFit(x).k;
    assert.ok(Math.abs(withPrior - (fit.k * n + 5) / (n + 10)) < 1e-12);
  }
});

test("paretoK of Pareto-tailed weights recovers the tail index; bounded weights give k̂ < 0", () => {
  const n = 20000;
  const M = paretoTailLength(n);
  assert.equal(M, Math.ceil(3 * Math.sqrt(n)));
  assert.equal(paretoTailLength(100), 20);
  for (const [k, seed] of [[0.3, 11], [0.6, 12], [1.2, 13]] as const) {
    const rng = new Rng(seed);
    // w = U^{−k}: a Pareto tail with P(w > t) = t^{−1/k}
    const logw = Float64Array.from({ length: n }, () => -k * Math.log(1 - rng.uniform()));
    const r = paretoK(logw);
    assert.equal(r.tail, M);
    const tol = (3 * (1 + k)) / Math.sqrt(M);
    assert.ok(Math.abs(r.k - k) < tol, `k = ${k}: k̂ = ${r.k} (tolerance ${tol})`);
  }
  const rng = new Rng(14);
  const uniform = Float64Array.from({ length: n }, () => Math.log(rng.uniform() + 1e-300));
  assert.ok(paretoK(uniform).k < 0, `uniform weights: k̂ = ${paretoK(uniform).k}`);
});

test("degenerate weights: constant → k̂ = −∞, too few samples → NaN, zero weights allowed", () => {
  assert.equal(paretoK(new Float64Array(1000).fill(-3.5)).k, -Infinity);
  assert.ok(Number.isNaN(paretoK([0, 1, 2, 3, 4]).k));
  assert.ok(Number.isFinite(paretoK([0, 1, 2, 3, 4, 5]).k));
  assert.ok(Number.isFinite(paretoK([-Infinity, 0, 1, 2, 3, 4, 5, 6, 7, 8]).k));
  // ties at the threshold: the cutoff moves to the next distinct value
  const tied = Float64Array.from({ length: 200 }, (_, i) => (i < 150 ? 0 : 0.001 * (i - 150)));
  assert.ok(Number.isFinite(paretoK(tied).k));
});

test("bad input to the Pareto diagnostics", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => gpdFit([1, 2, 3]), /gpdFit: x needs at least 5 values/],
    [() => gpdFit([1, 2, 3, -1, 5]), /gpdFit: x\[3\] must be a finite number ≥ 0/],
    [() => gpdFit([0, 0, 0, 0, 0]), /gpdFit: x must have a positive value/],
    [() => gpdFit([1, 2, 3, 4, 5], { prior: true, extra: 1 } as never), /gpdFit: unknown option/],
    [() => paretoK([0, NaN, 1]), /paretoK: logWeights\[1\] is NaN/],
    [() => paretoK([0, Infinity, 1]), /paretoK: logWeights\[1\] is Infinity/],
    [() => paretoK(new Float64Array(10).fill(-Infinity)), /paretoK: all logWeights are −∞/],
    [() => paretoK(null as never), /paretoK: logWeights must be an array/],
  ];
  for (const [f, msg] of cases) assert.throws(f, msg);
});
