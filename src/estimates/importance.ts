/**
 * The importance-sampling layer: every importance-sampled result in
 * boltzlab — VANs on spin systems (`estimateVan`, `importanceSampling`) and
 * Boltzmann generators on continuous systems (`bg.reweight`) — is computed
 * here, from the energies E(x_k) and model log-densities ln q(x_k) of
 * independent samples x_k ~ q, with one convention.
 *
 * With log weights ln w = −βE − ln q (float64):
 *
 * - ln Z is the **plain log-mean-exp** ln((1/n) Σ w): ⟨w⟩_q is unbiased for
 *   Z, so ln Ẑ is biased low by ≈ Var(w)/(2n⟨w⟩²) and F̂ = −ln Ẑ/β high
 *   (F̂ is a stochastic upper bound on F, tighter than F_q). The estimate is
 *   not bias-corrected; `bias` reports the jackknife (or bootstrap) estimate
 *   of that bias for information.
 * - errors of every reweighted quantity (ln Z, F, ⟨E⟩, S, observables) are
 *   blocked-jackknife errors (default; or a seeded blocked bootstrap) of the
 *   plain estimate; model averages ⟨·⟩_q carry the standard error of a mean
 *   of independent samples.
 * - the Kish effective sample size (Σw)²/Σw² and the Pareto k̂ of the weights
 *   (stats/pareto.ts) come with every result, and `warnings` says in words
 *   when the error bars cannot be trusted: Kish ESS below 1 % of the samples,
 *   k̂ > 0.7, or an error of exactly 0 from more than one sample.
 *
 * Energies, free energies and entropies are divided by `per` (the number of
 * spins for spin systems, so they are per spin; 1 for continuous systems);
 * ln Z is never divided.
 */
import { resolveRng, type RandomOptions, type Rng } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkOneOf, checkPositive } from "../core/validate";
import { paretoK } from "../stats/pareto";
import { bootstrap, jackknife, type MeansEstimator } from "../stats/resampling";
import type { Stats } from "../stats/types";
import { scaleStats } from "../stats/value";

export type ErrorMethod = "jackknife" | "bootstrap";

export interface ImportanceOptions extends RandomOptions {
  /** E(x_k) of each sample (total, not per spin; +∞ allowed: zero weight). */
  energy: ArrayLike<number>;
  /** ln q(x_k) of each sample under the model that drew it. */
  logProb: ArrayLike<number>;
  /** Inverse temperature β > 0. */
  beta: number;
  /** Divide energies, free energies and entropies by this (default 1; the number of spins for per-spin values). */
  per?: number;
  /** Per-sample observables O(x_k), estimated both reweighted (Σ w O / Σ w) and under q. */
  observables?: Record<string, ArrayLike<number>>;
  /** Error method of reweighted quantities: "jackknife" (default) or "bootstrap" (seeded by `seed`/`rng`). */
  errorMethod?: ErrorMethod;
  /** Blocks of the jackknife/bootstrap (default min(100, n)). */
  blocks?: number;
  /** Bootstrap resamples (default 200). */
  resamples?: number;
}

/**
 * One importance-sampling result; the same fields mean the same thing for
 * every model and system. "Reweighted" is an average over the Boltzmann
 * distribution p = e^{−βE}/Z estimated with the weights; "model" an average
 * over q itself.
 */
export interface ImportanceEstimates {
  /** Number of samples given (those left out included; each Stats' `n` counts the samples it used). */
  n: number;
  beta: number;
  /** The divisor of energies, free energies and entropies (N for per-spin values, 1 for totals). */
  per: number;
  errorMethod: ErrorMethod;
  /** ln Z = ln((1/n) Σ w), plain (not per spin); `bias` estimates its O(1/n) bias (not subtracted). */
  logZ: Stats & { bias: number };
  /** Importance-sampled F/per = −ln Z/(β·per), plain; `bias` its estimated bias (not subtracted). */
  freeEnergy: Stats & { bias: number };
  /** Variational F_q/per = ⟨E + ln q/β⟩_q/per ≥ F/per (the VAN loss), mean of independent samples. */
  freeEnergyVariational: Stats;
  /** Reweighted ⟨E⟩/per = Σ w E / (per Σ w). */
  energy: Stats;
  /** Model ⟨E⟩_q/per. */
  energyModel: Stats;
  /** Reweighted S/per = β(⟨E⟩ − F)/per (units of k_B). */
  entropy: Stats;
  /** The model's entropy −⟨ln q⟩_q/per. */
  entropyModel: Stats;
  /** Each observable reweighted, Σ w O / Σ w. */
  observables: Record<string, Stats>;
  /** Each observable under q. */
  observablesModel: Record<string, Stats>;
  /** Kish effective sample size (Σw)²/Σw², and ESS/n. */
  ess: number;
  essFraction: number;
  /** Pareto k̂ of the weights (> 0.7: heavy tail, estimates and errors unreliable; −∞: constant weights; NaN: too few samples). */
  paretoK: number;
  /** Why the error bars may not be trusted, in words (empty when nothing was detected). */
  warnings: string[];
  /** ln w = −βE − ln q per sample (−∞, zero weight, for samples left out). */
  logWeights: Float64Array;
}

/** Mean of independent samples with its standard error (over the valid samples when a mask is given). */
function meanStats(x: ArrayLike<number>, valid: Uint8Array | null, count: number): Stats {
  let s = 0;
  for (let k = 0; k < x.length; k++) if (valid === null || valid[k] === 1) s += x[k];
  const m = s / count;
  let v = 0;
  if (Number.isFinite(m)) for (let k = 0; k < x.length; k++) if (valid === null || valid[k] === 1) v += (x[k] - m) ** 2;
  v = count > 1 && Number.isFinite(m) ? v / (count - 1) : NaN;
  const error = count > 1 ? (Number.isFinite(m) ? Math.sqrt(v / count) : NaN) : NaN;
  return { mean: m, error, variance: v, n: count };
}

function checkArray(x: unknown, name: string, where: string, n?: number): ArrayLike<number> {
  const a = x as ArrayLike<number> | null | undefined;
  if (a === null || a === undefined || typeof a !== "object" || typeof a.length !== "number") throw new Error(`${where}: ${name} must be an array of numbers`);
  if (n !== undefined && a.length !== n) throw new Error(`${where}: ${name} has length ${a.length}, energy has ${n}`);
  return a;
}

/** Importance-sampled estimates from per-sample energies and ln q; see the module doc for the convention. */
export function importanceEstimates(options: ImportanceOptions): ImportanceEstimates {
  const W = "importanceEstimates";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  checkKeys(options, ["energy", "logProb", "beta", "per", "observables", "errorMethod", "blocks", "resamples", "seed", "rng"], W);
  const energy = checkArray(options.energy, "energy", W);
  const n = energy.length;
  if (n < 2) throw new Error(`${W}: needs at least 2 samples, got ${n}`);
  const logProb = checkArray(options.logProb, "logProb", W, n);
  const beta = checkPositive(options.beta, "beta", W);
  const per = options.per === undefined ? 1 : checkNumber(options.per, "per", W, { above: 0 });
  const method = checkOneOf(options.errorMethod ?? "jackknife", ["jackknife", "bootstrap"] as const, "errorMethod", W);
  const blocks = options.blocks === undefined ? Math.min(100, n) : checkInteger(options.blocks, "blocks", W, { min: 2, max: n });
  const resamples = options.resamples === undefined ? 200 : checkInteger(options.resamples, "resamples", W, { min: 2 });
  const obsIn = options.observables ?? {};
  if (obsIn === null || typeof obsIn !== "object") throw new Error(`${W}: observables must be an object of arrays`);
  for (const [name, v] of Object.entries(obsIn)) {
    const a = checkArray(v, `observables.${name}`, W, n);
    for (let k = 0; k < n; k++) if (!Number.isFinite(a[k])) throw new Error(`${W}: observables.${name}[${k}] is not finite (${a[k]})`);
  }
  const rng: Rng | null = method === "bootstrap" ? resolveRng(options, W) : null;

  // log weights; NaN or +∞ (a NaN energy or ln q, E = −∞) leaves the sample out
  const logw = new Float64Array(n);
  const valid = new Uint8Array(n);
  let count = 0;
  let mx = -Infinity;
  for (let k = 0; k < n; k++) {
    const lw = -beta * energy[k] - logProb[k];
    logw[k] = lw;
    if (Number.isNaN(lw) || lw === Infinity || Number.isNaN(logProb[k])) {
      logw[k] = -Infinity;
      continue;
    }
    valid[k] = 1;
    count++;
    if (lw > mx) mx = lw;
  }
  const left = n - count;
  if (count < 2) throw new Error(`${W}: fewer than 2 of the ${n} samples have a finite ln w = −βE − ln q`);
  if (mx === -Infinity) throw new Error(`${W}: every sample has zero weight (E = +∞)`);
  const vmask = left > 0 ? valid : null;

  // shifted weights and weighted series (zero for zero or left-out weights)
  const w = new Float64Array(n);
  const we = new Float64Array(n);
  let s1 = 0, s2 = 0, swe = 0;
  for (let k = 0; k < n; k++) {
    if (valid[k] === 0) continue;
    const wk = Math.exp(logw[k] - mx);
    w[k] = wk;
    if (wk > 0) {
      we[k] = wk * energy[k];
      swe += we[k];
    }
    s1 += wk;
    s2 += wk * wk;
  }
  const ess = (s1 * s1) / s2;
  const lnZ = mx + Math.log(s1 / count);
  const uHat = swe / s1;

  const resampled = (series: Float64Array[], f: MeansEstimator): { error: number; bias: number } => {
    const r = rng === null ? jackknife({ series, estimator: f, blocks }) : bootstrap({ series, estimator: f, blocks, resamples, rng });
    return { error: Number.isFinite(r.error) ? r.error : Infinity, bias: Number.isFinite(r.bias) ? r.bias : NaN };
  };
  // the means below are over all n slots (left-out samples are zeros), so rescale to the valid count
  const toValid = n / count;
  const lz = resampled([w], (m) => mx + Math.log(m[0] * toValid));
  // a nonlinear estimate with its resampling error; `variance` is n·error² (the Stats convention)
  const estimate = (mean: number, error: number): Stats => ({ mean, error, variance: error * error * count, n: count });
  const logZ = { ...estimate(lnZ, lz.error), bias: lz.bias };
  const fs = -1 / (beta * per);
  const freeEnergy = { ...scaleStats(logZ, fs), bias: lz.bias * fs };
  const energyR = scaleStats(estimate(uHat, resampled([w, we], (m) => m[1] / m[0]).error), 1 / per);
  const se = resampled([w, we], (m) => beta * (m[1] / m[0]) + mx + Math.log(m[0] * toValid));
  const entropy = scaleStats(estimate(beta * uHat + lnZ, se.error), 1 / per);

  const lq = new Float64Array(n);
  const fq = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    lq[k] = -logProb[k];
    fq[k] = energy[k] + logProb[k] / beta;
  }
  const freeEnergyVariational = scaleStats(meanStats(fq, vmask, count), 1 / per);
  const energyModel = scaleStats(meanStats(energy, vmask, count), 1 / per);
  const entropyModel = scaleStats(meanStats(lq, vmask, count), 1 / per);

  const observables: Record<string, Stats> = {};
  const observablesModel: Record<string, Stats> = {};
  for (const [name, v] of Object.entries(obsIn)) {
    const wo = new Float64Array(n);
    let swo = 0;
    for (let k = 0; k < n; k++) {
      wo[k] = w[k] * v[k];
      swo += wo[k];
    }
    const r = resampled([w, wo], (m) => m[1] / m[0]);
    observables[name] = estimate(swo / s1, r.error);
    observablesModel[name] = meanStats(v, vmask, count);
  }

  const k = paretoK(left > 0 ? logw.filter((_, j) => valid[j] === 1) : logw).k;
  const warnings: string[] = [];
  if (left > 0) warnings.push(`${left} of ${n} samples have a non-finite ln w = −βE − ln q (NaN or +∞) and were left out`);
  if (ess < 0.01 * n) {
    warnings.push(
      `Kish ESS ${ess.toPrecision(3)} is ${((100 * ess) / n).toPrecision(2)} % of the ${n} samples (below 1 %): ` +
        "the importance-sampled estimates rest on a few samples and their error bars are not reliable",
    );
  }
  if (k > 0.7) {
    warnings.push(
      `Pareto k̂ = ${k.toFixed(2)} > 0.7: the importance weights are heavy-tailed (the model misses part of the Boltzmann distribution), ` +
        "so the importance-sampled estimates can be far off and their error bars are not reliable",
    );
  } else if (Number.isNaN(k)) warnings.push(`Pareto k̂ cannot be estimated from ${count} samples (at least 6 are needed)`);
  const zero = [
    ["energy", energyR],
    ["energyModel", energyModel],
    ["entropyModel", entropyModel],
    ...Object.entries(observables).map(([name, s]) => [`observables.${name}`, s] as const),
    ...Object.entries(observablesModel).map(([name, s]) => [`observablesModel.${name}`, s] as const),
  ].filter(([, s]) => (s as Stats).error === 0).map(([name]) => name as string);
  if (zero.length > 0) {
    warnings.push(
      `the error${zero.length > 1 ? "s" : ""} of ${zero.join(", ")} ${zero.length > 1 ? "are" : "is"} exactly 0 from ${count} samples: ` +
        "every sample has the same value, as when the model has collapsed onto one configuration; the error bars say nothing",
    );
  }
  return {
    n,
    beta,
    per,
    errorMethod: method,
    logZ,
    freeEnergy,
    freeEnergyVariational,
    energy: energyR,
    energyModel,
    entropy,
    entropyModel,
    observables,
    observablesModel,
    ess,
    essFraction: ess / n,
    paretoK: k,
    warnings,
    logWeights: logw,
  };
}
