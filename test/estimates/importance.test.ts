import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/random";
import { importanceEstimates } from "../../src/estimates/importance";

const s = 0.5;
const lnNormal = (x: number, mu: number, sd = s) => -((x - mu) ** 2) / (2 * sd * sd) - Math.log(Math.sqrt(2 * Math.PI) * sd);
const lse = (u: number, v: number) => {
  const m = Math.max(u, v);
  return m + Math.log(Math.exp(u - m) + Math.exp(v - m));
};
/** E(x) = −ln p(x) for p = 0.7 N(−2, ½²) + 0.3 N(2, ½²): at β = 1, Z = 1 exactly (ln Z = 0). */
const mixtureEnergy = (x: number) => -lse(Math.log(0.7) + lnNormal(x, -2), Math.log(0.3) + lnNormal(x, 2));

function draw(n: number, mu: number, sd: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => mu + sd * rng.normal());
}

test("one convention: ln Z is the plain log-mean-exp for both error methods; bias is reported, not subtracted", () => {
  // q = N(0, 2²) covers both wells of the mixture
  const x = draw(20000, 0, 2, 1);
  const energy = x.map(mixtureEnergy);
  const logProb = x.map((v) => lnNormal(v, 0, 2));
  let mx = -Infinity;
  const logw = energy.map((e, k) => -e - logProb[k]);
  for (const v of logw) mx = Math.max(mx, v);
  let sw = 0;
  for (const v of logw) sw += Math.exp(v - mx);
  const plain = mx + Math.log(sw / x.length);
  const jk = importanceEstimates({ energy, logProb, beta: 1 });
  const bs = importanceEstimates({ energy, logProb, beta: 1, errorMethod: "bootstrap", seed: 3 });
  for (const r of [jk, bs]) {
    assert.ok(Math.abs(r.logZ.mean - plain) < 1e-12, `${r.errorMethod}: ${r.logZ.mean} vs plain ${plain}`);
    assert.ok(Math.abs(r.freeEnergy.mean + plain) < 1e-12);
    assert.ok(Number.isFinite(r.logZ.bias) && Math.abs(r.logZ.bias) < r.logZ.error, `bias ${r.logZ.bias} vs error ${r.logZ.error}`);
    // the exact ln Z = 0 within 4 error bars; the weights are well behaved
    assert.ok(Math.abs(r.logZ.mean) < 4 * r.logZ.error, `ln Z ${r.logZ.mean} ± ${r.logZ.error}`);
    assert.ok(r.paretoK < 0.5, `k̂ ${r.paretoK}`);
    assert.deepEqual(r.warnings, []);
  }
  // the reweighted energy against quadrature of the mixture: ⟨E⟩_p = ∫ p E
  let eExact = 0;
  const h = 1e-3;
  for (let t = -8; t <= 8; t += h) eExact += Math.exp(-mixtureEnergy(t)) * mixtureEnergy(t) * h;
  assert.ok(Math.abs(jk.energy.mean - eExact) < 4 * jk.energy.error, `⟨E⟩ ${jk.energy.mean} ± ${jk.energy.error} vs ${eExact}`);
  // S = β⟨E⟩ + ln Z, and F_q ≥ F
  assert.ok(Math.abs(jk.entropy.mean - (jk.energy.mean + jk.logZ.mean)) < 1e-12);
  assert.ok(jk.freeEnergyVariational.mean > jk.freeEnergy.mean);
  // the jackknife bias of ln Ẑ is −Var(w)/(2n⟨w⟩²) to leading order: negative
  assert.ok(jk.logZ.bias < 0);
});

test("a model that misses a mode: k̂ large and a warning, while the ESS looks perfect and the error bar lies", () => {
  // q = N(−2, ½²) sits on the left well only: the right well (30 % of Z) is never sampled
  const x = draw(20000, -2, s, 2);
  const r = importanceEstimates({ energy: x.map(mixtureEnergy), logProb: x.map((v) => lnNormal(v, -2)), beta: 1 });
  assert.ok(r.essFraction > 0.99, `ESS fraction ${r.essFraction}`);
  assert.ok(Math.abs(r.logZ.mean - Math.log(0.7)) < 1e-3, `ln Z ${r.logZ.mean} ≈ ln 0.7`);
  assert.ok(Math.abs(r.logZ.mean) > 1000 * r.logZ.error, "the jackknife error says nothing about the missing mode");
  assert.ok(r.paretoK > 0.7, `k̂ = ${r.paretoK}`);
  const w = r.warnings.find((t) => t.includes("Pareto k̂"));
  assert.ok(w !== undefined && /> 0\.7/.test(w) && /error bars are not reliable/.test(w), r.warnings.join("; "));
});

test("an exact model (q = p): k̂ small or −∞ for constant weights, ln Z exact, no warnings", () => {
  // continuous: p = N(0, 1.3²) at β = 1 with E = x²/(2·1.3²), Z = √(2π)·1.3
  const sd = 1.3;
  const x = draw(5000, 0, sd, 4);
  const r = importanceEstimates({ energy: x.map((v) => (v * v) / (2 * sd * sd)), logProb: x.map((v) => lnNormal(v, 0, sd)), beta: 1 });
  assert.ok(Math.abs(r.logZ.mean - Math.log(Math.sqrt(2 * Math.PI) * sd)) < 1e-12);
  assert.ok(r.logZ.error < 1e-12 && r.essFraction > 1 - 1e-12);
  assert.ok(!(r.paretoK > 0.7), `k̂ = ${r.paretoK}`);
  assert.ok(r.energy.error > 0 && Math.abs(r.energy.mean - 0.5) < 4 * r.energy.error);
  assert.deepEqual(r.warnings, []);
  // discrete, weights exactly constant: E integer, ln q = −βE − ln Z exactly representable
  const e = Float64Array.from({ length: 1000 }, (_, k) => k % 7);
  const exact = importanceEstimates({ energy: e, logProb: e.map((v) => -0.5 * v - 3), beta: 0.5, per: 4 });
  assert.equal(exact.paretoK, -Infinity);
  assert.equal(exact.logZ.mean, 3);
  assert.equal(exact.logZ.error, 0);
  assert.equal(exact.freeEnergy.mean, -3 / (0.5 * 4));
  assert.deepEqual(exact.warnings, []);
});

test("Kish ESS below 1 % of the samples, errors of exactly 0, and left-out samples each raise a warning", () => {
  const n = 1000;
  const energy = new Float64Array(n).fill(1);
  const logProb = new Float64Array(n).fill(-1);
  logProb[17] = -30; // one weight e^29 times the others
  const r = importanceEstimates({ energy, logProb, beta: 1 });
  assert.ok(r.ess < 1.01);
  assert.ok(r.warnings.some((t) => /Kish ESS 1\.00 is 0\.10 % of the 1000 samples \(below 1 %\)/.test(t)), r.warnings.join("; "));
  // a collapsed model: every sample the same configuration, ln q = 0
  const c = importanceEstimates({ energy: new Float64Array(50).fill(-8), logProb: new Float64Array(50), beta: 2, per: 4, observables: { m: new Float64Array(50).fill(1) } });
  assert.equal(c.freeEnergy.error, 0);
  assert.equal(c.essFraction, 1);
  const z = c.warnings.find((t) => t.includes("exactly 0"));
  assert.ok(z !== undefined && /energy, energyModel, entropyModel, observables\.m, observablesModel\.m are exactly 0 from 50 samples/.test(z), c.warnings.join("; "));
  // NaN energies (a flow that overflowed) get zero weight and are named
  const e2 = Float64Array.from({ length: 100 }, (_, k) => (k === 5 ? NaN : k % 3));
  const l = importanceEstimates({ energy: e2, logProb: e2.map((v) => -v - 1), beta: 1 });
  assert.equal(l.n, 100);
  assert.equal(l.logWeights[5], -Infinity);
  assert.equal(l.logZ.n, 99);
  assert.ok(Math.abs(l.logZ.mean - 1) < 1e-12);
  assert.ok(l.warnings.some((t) => t.startsWith("1 of 100 samples have a non-finite ln w")), l.warnings.join("; "));
});

test("bad input to importanceEstimates", () => {
  const e = [1, 2, 3];
  const lq = [-1, -2, -3];
  const cases: [unknown, RegExp][] = [
    [null, /importanceEstimates: options must be an object/],
    [{ energy: e, logProb: lq }, /importanceEstimates: beta must be a finite number/],
    [{ energy: e, logProb: lq, beta: 0 }, /importanceEstimates: beta must be > 0/],
    [{ energy: [1], logProb: [1], beta: 1 }, /needs at least 2 samples, got 1/],
    [{ energy: e, logProb: [1, 2], beta: 1 }, /logProb has length 2, energy has 3/],
    [{ energy: "x", logProb: lq, beta: 1 }, /energy must be an array of numbers/],
    [{ energy: e, logProb: lq, beta: 1, per: 0 }, /per must be > 0/],
    [{ energy: e, logProb: lq, beta: 1, errorMethod: "delta" }, /errorMethod must be one of/],
    [{ energy: e, logProb: lq, beta: 1, blocks: 4 }, /blocks must be ≤ 3/],
    [{ energy: e, logProb: lq, beta: 1, observables: { m: [1, 2] } }, /observables\.m has length 2/],
    [{ energy: e, logProb: lq, beta: 1, observables: { m: [1, NaN, 2] } }, /observables\.m\[1\] is not finite/],
    [{ energy: e, logProb: lq, beta: 1, weights: [] }, /unknown option "weights"/],
    [{ energy: [NaN, NaN, 1], logProb: lq, beta: 1 }, /fewer than 2 of the 3 samples have a finite ln w/],
    [{ energy: [Infinity, Infinity, Infinity], logProb: lq, beta: 1 }, /every sample has zero weight/],
  ];
  for (const [o, msg] of cases) assert.throws(() => importanceEstimates(o as never), msg);
});
