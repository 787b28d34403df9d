import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/random";
import * as st from "../../src/stats";

/** AR(1) series x_t = φ x_{t−1} + sqrt(1−φ²) ε_t (unit stationary variance), `chains` interleaved step-major. */
function ar1(phi: number, steps: number, chains: number, seed: number): Float64Array {
  const r = new Rng(seed);
  const out = new Float64Array(steps * chains);
  const s = Math.sqrt(1 - phi * phi);
  for (let c = 0; c < chains; c++) {
    let x = r.normal();
    for (let t = 0; t < steps; t++) {
      x = phi * x + s * r.normal();
      out[t * chains + c] = x;
    }
  }
  return out;
}

test("mean: hand-computed values", () => {
  const s = st.mean([1, 2, 3, 4]);
  assert.equal(s.mean, 2.5);
  assert.ok(Math.abs(s.variance - 5 / 3) < 1e-12);
  assert.ok(Math.abs(s.error - Math.sqrt(5 / 12)) < 1e-12);
  assert.equal(s.n, 4);
  assert.throws(() => st.mean([1, NaN]), /mean: x\[1\] is not finite/);
});

test("autocorrelation of AR(1) is φ^t, and τ_int = (1+φ)/(2(1−φ)) is recovered within its error", () => {
  const phi = 0.9;
  const x = ar1(phi, 200000, 1, 1);
  const rho = st.autocorrelation(x, { maxLag: 10 });
  assert.equal(rho.length, 11);
  assert.equal(rho[0], 1);
  for (let t = 1; t <= 10; t++) assert.ok(Math.abs(rho[t] - phi ** t) < 0.03, `rho(${t}) = ${rho[t]}`);
  const exact = (1 + phi) / (2 * (1 - phi)); // 9.5
  const tau = st.integratedAutocorrelationTime(x);
  assert.ok(tau.converged);
  assert.ok(Math.abs(tau.tauInt - exact) < 4 * tau.error, `tau ${tau.tauInt} ± ${tau.error}, exact ${exact}`);
  assert.ok(tau.error < 0.1 * exact);
  assert.ok(Math.abs(tau.effectiveSamples - 200000 / (2 * tau.tauInt)) < 1e-6);
});

test("multi-chain τ_int and mcmcMean: error matches the true spread of chain means", () => {
  const phi = 0.8;
  const chains = 8;
  const x = ar1(phi, 20000, chains, 2);
  const exact = (1 + phi) / (2 * (1 - phi)); // 4.5
  const tau = st.integratedAutocorrelationTime(x, { chains });
  assert.ok(Math.abs(tau.tauInt - exact) < 4 * tau.error, `tau ${tau.tauInt} ± ${tau.error}`);
  const m = st.mcmcMean(x, { chains });
  assert.equal(m.n, x.length);
  // exact standard error of the mean of n AR(1) samples with unit variance ≈ sqrt(2τ/n)
  const trueErr = Math.sqrt((2 * exact) / x.length);
  assert.ok(Math.abs(m.error / trueErr - 1) < 0.1, `error ${m.error} vs ${trueErr}`);
  assert.ok(Math.abs(m.mean) < 4 * trueErr);
  // naive error is too small by sqrt(2τ)
  assert.ok(st.mean(x).error < m.error / 2.5);
});

test("uncorrelated data: τ_int ≈ 1/2; constant data: τ_int = 1/2, N_eff = n", () => {
  const r = new Rng(3);
  const x = new Float64Array(50000).map(() => r.normal());
  const tau = st.integratedAutocorrelationTime(x);
  assert.ok(Math.abs(tau.tauInt - 0.5) < 4 * tau.error + 0.01, `tau ${tau.tauInt}`);
  const c = st.integratedAutocorrelationTime(new Float64Array(100).fill(3));
  assert.equal(c.tauInt, 0.5);
  assert.equal(c.effectiveSamples, 100);
  assert.throws(() => st.integratedAutocorrelationTime(new Float64Array(9), { chains: 2 }), /not a multiple of chains/);
  assert.throws(() => st.autocorrelation([1, 2], { lags: 3 } as never), /unknown option "lags"/);
});

test("binning: the error plateau gives τ_int of AR(1)", () => {
  const phi = 0.7;
  const x = ar1(phi, 1 << 17, 1, 4);
  const b = st.binning(x);
  const exact = (1 + phi) / (2 * (1 - phi)); // 2.833
  assert.equal(b.levels[0].binSize, 1);
  assert.ok(b.levels.length > 8);
  assert.ok(Math.abs(b.tauInt - exact) / exact < 0.35, `binning tau ${b.tauInt}`);
  assert.ok(b.levels[b.levels.length - 1].bins >= 32);
});

test("jackknife: linear estimator has no bias and the naive error; ratio estimator has the delta-method error", () => {
  const r = new Rng(5);
  const n = 4000;
  const a = new Float64Array(n).map(() => 2 + r.normal());
  const j = st.jackknife({ series: a, estimator: (m) => m[0], blocks: n });
  const naive = st.mean(a);
  assert.ok(Math.abs(j.mean - naive.mean) < 1e-10);
  assert.ok(Math.abs(j.error - naive.error) < 1e-10);
  assert.ok(Math.abs(j.bias) < 1e-10);
  // ratio ⟨a⟩/⟨b⟩ with independent a, b: delta method error
  const b = new Float64Array(n).map(() => 4 + 0.5 * r.normal());
  const jr = st.jackknife({ series: [a, b], estimator: (m) => m[0] / m[1], blocks: 200 });
  const ma = st.mean(a), mb = st.mean(b);
  const ratio = ma.mean / mb.mean;
  const delta = ratio * Math.sqrt((ma.error / ma.mean) ** 2 + (mb.error / mb.mean) ** 2);
  assert.ok(Math.abs(jr.estimate - ratio) < 1e-12);
  assert.ok(Math.abs(jr.error / delta - 1) < 0.15, `jackknife ${jr.error} delta ${delta}`);
  assert.throws(() => st.jackknife({ series: [a, b.subarray(1)], estimator: (m) => m[0] }), /series\[1\] has length/);
});

test("bootstrap is seeded and agrees with the jackknife", () => {
  const r = new Rng(6);
  const x = new Float64Array(2000).map(() => r.normal() ** 2);
  const est = (m: Float64Array) => Math.log(m[0]);
  const b1 = st.bootstrap({ series: x, estimator: est, seed: 1, resamples: 400 });
  const b2 = st.bootstrap({ series: x, estimator: est, seed: 1, resamples: 400 });
  const b3 = st.bootstrap({ series: x, estimator: est, seed: 2, resamples: 400 });
  assert.equal(b1.error, b2.error);
  assert.notEqual(b1.error, b3.error);
  const j = st.jackknife({ series: x, estimator: est });
  assert.ok(Math.abs(b1.error / j.error - 1) < 0.2, `bootstrap ${b1.error} jackknife ${j.error}`);
});

test("logMeanExp: Gaussian log weights give ln E e^X = μ + σ²/2 within errors; jackknife and delta agree", () => {
  const r = new Rng(8);
  const n = 100000;
  const mu = -50, sigma = 1;
  const lw = new Float64Array(n).map(() => mu + sigma * r.normal());
  const d = st.logMeanExp(lw);
  const j = st.logMeanExp(lw, { method: "jackknife" });
  const exact = mu + sigma * sigma / 2;
  assert.ok(Math.abs(d.mean - exact) < 4 * d.error, `${d.mean} ± ${d.error} vs ${exact}`);
  assert.equal(d.mean, j.mean);
  assert.ok(Math.abs(j.error / d.error - 1) < 0.2);
  // exact relative error of the mean of lognormal weights: sqrt((e^{σ²} − 1)/n)
  assert.ok(Math.abs(d.error / Math.sqrt((Math.E - 1) / n) - 1) < 0.1);
  // ESS of lognormal weights ≈ n e^{−σ²}
  assert.ok(Math.abs(d.ess / (n * Math.exp(-1)) - 1) < 0.1);
  // huge log weights do not overflow
  const big = st.logMeanExp([1000, 1000 + Math.log(3)]);
  assert.ok(Math.abs(big.mean - (1000 + Math.log(2))) < 1e-12);
  assert.throws(() => st.logMeanExp([NaN]), /logMeanExp: logWeights\[0\] is NaN/);
});

test("kishEss, normalizedWeights, logSumExp, weightedMean", () => {
  assert.ok(Math.abs(st.kishEss([5, 5, 5, 5]) - 4) < 1e-12);
  assert.ok(Math.abs(st.kishEss([0, -Infinity, -Infinity]) - 1) < 1e-12);
  // weights 1 and 3: (4)²/(1+9) = 1.6
  assert.ok(Math.abs(st.kishEss([0, Math.log(3)]) - 1.6) < 1e-12);
  const w = st.normalizedWeights([0, Math.log(3)]);
  assert.ok(Math.abs(w[0] - 0.25) < 1e-15 && Math.abs(w[1] - 0.75) < 1e-15);
  assert.ok(Math.abs(st.logSumExp([800, 800]) - (800 + Math.log(2))) < 1e-12);
  const wm = st.weightedMean({ values: [1, 2], logWeights: [0, Math.log(3)] });
  assert.ok(Math.abs(wm.mean - 1.75) < 1e-15);
  // equal weights reduce to the mean with the (biased, 1/n) standard error
  const r = new Rng(9);
  const v = new Float64Array(1000).map(() => r.normal());
  const eq = st.weightedMean({ values: v, logWeights: new Float64Array(1000) });
  const m = st.mean(v);
  assert.ok(Math.abs(eq.mean - m.mean) < 1e-12);
  assert.ok(Math.abs(eq.error - m.error * Math.sqrt(999 / 1000)) < 1e-12);
});

test("chiSquare: p-values of known quantiles; rejects a wrong distribution", () => {
  // P(χ²_1 ≥ 3.841) = 0.05, P(χ²_10 ≥ 18.307) = 0.05, P(χ²_4 ≥ 4) = e^{-2}(1+2)
  assert.ok(Math.abs(st.gammaQ(0.5, 3.841459 / 2) - 0.05) < 1e-6);
  assert.ok(Math.abs(st.gammaQ(5, 18.307038 / 2) - 0.05) < 1e-6);
  assert.ok(Math.abs(st.gammaQ(2, 2) - 3 * Math.exp(-2)) < 1e-12);
  const r = new Rng(10);
  const p = [0.1, 0.2, 0.3, 0.4];
  const counts = [0, 0, 0, 0];
  for (let k = 0; k < 10000; k++) {
    const u = r.uniform();
    counts[u < 0.1 ? 0 : u < 0.3 ? 1 : u < 0.6 ? 2 : 3]++;
  }
  const good = st.chiSquare({ observed: counts, expected: p });
  assert.equal(good.dof, 3);
  assert.ok(good.pValue > 1e-3, `p ${good.pValue}`);
  const bad = st.chiSquare({ observed: counts, expected: [0.12, 0.2, 0.28, 0.4] });
  assert.ok(bad.pValue < 1e-3, `p ${bad.pValue}`);
  assert.equal(st.chiSquare({ observed: [5, 1], expected: [1, 0] }).pValue, 0);
});
