/**
 * The Pareto-k̂ diagnostic of importance weights (Vehtari, Simpson, Gelman,
 * Yao, Gabry, "Pareto smoothed importance sampling", JMLR 25(72), 2024).
 *
 * Fit a generalized Pareto distribution (GPD),
 * F(x) = 1 − (1 + k x/σ)^{−1/k}, to the exceedances of the largest
 * M = ⌈min(n/5, 3√n)⌉ weights over the next-largest weight. The shape k̂ says
 * how many moments of the weights exist (those of order < 1/k̂): for k̂ < ½
 * the variance is finite and the central limit theorem holds; for ½ < k̂ < 0.7
 * importance sampling still converges, slowly; above 0.7 the estimate of
 * ⟨w⟩ (hence of Z) is unreliable in practice and its error bar, which assumes
 * a finite variance, means nothing; above 1 even the mean does not exist.
 *
 * The fit is Zhang & Stephens (Technometrics 51, 316, 2009): a posterior mean
 * of θ = −k/σ over a quasi-grid of 30 + ⌊√M⌋ points, k̂ = mean ln(1 − θ̂x),
 * followed by the weakly informative prior of the PSIS paper (a Gaussian on k
 * centred on ½, worth 10 observations): k̂ ← (M k̂ + 5)/(M + 10). Signs follow
 * the PSIS paper (k > 0 for heavy tails), the negative of Zhang & Stephens'.
 */
import { checkKeys } from "../core/validate";

export interface GpdFit {
  /** Shape k (heavy tail for k > 0; infinite variance for k ≥ ½). */
  k: number;
  /** Scale σ > 0. */
  sigma: number;
}

export interface GpdFitOptions {
  /** Apply the weakly informative prior on k (default true, as PSIS does). */
  prior?: boolean;
}

function checkPositiveSample(x: ArrayLike<number>, where: string): Float64Array {
  if (x === null || x === undefined || typeof x.length !== "number") throw new Error(`${where}: x must be an array of numbers`);
  if (x.length < 5) throw new Error(`${where}: x needs at least 5 values, got ${x.length}`);
  const out = Float64Array.from(x as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]) || out[i] < 0) throw new Error(`${where}: x[${i}] must be a finite number ≥ 0, got ${out[i]}`);
  }
  out.sort();
  if (!(out[out.length - 1] > 0)) throw new Error(`${where}: x must have a positive value (all are 0)`);
  return out;
}

/**
 * Zhang–Stephens estimate of the GPD parameters from exceedances x ≥ 0 (at
 * least 5, not all 0), with the PSIS prior on k unless `prior: false`.
 */
export function gpdFit(x: ArrayLike<number>, options: GpdFitOptions = {}): GpdFit {
  const where = "gpdFit";
  checkKeys(options, ["prior"], where);
  const xs = checkPositiveSample(x, where);
  const n = xs.length;
  const grid = 30 + Math.floor(Math.sqrt(n));
  // the first quartile sets the grid's scale; a zero quartile (ties at the
  // threshold) falls back to the smallest positive exceedance
  let xstar = xs[Math.floor(n / 4 + 0.5) - 1];
  if (!(xstar > 0)) xstar = xs.find((v) => v > 0) as number;
  const xmax = xs[n - 1];
  const theta = new Float64Array(grid);
  const logLik = new Float64Array(grid);
  let lmax = -Infinity;
  for (let j = 0; j < grid; j++) {
    theta[j] = 1 / xmax + (1 - Math.sqrt(grid / (j + 0.5))) / (3 * xstar);
    // profile log-likelihood n·(ln(−θ/k) − k − 1) with k = mean ln(1 − θx) (Zhang–Stephens' sign)
    const a = -theta[j];
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.log1p(a * xs[i]);
    const kk = s / n;
    logLik[j] = a === 0 || kk === 0 ? -Infinity : n * (Math.log(a / kk) - kk - 1);
    if (logLik[j] > lmax) lmax = logLik[j];
  }
  let wsum = 0;
  let thetaHat = 0;
  for (let j = 0; j < grid; j++) {
    const w = Math.exp(logLik[j] - lmax);
    wsum += w;
    thetaHat += w * theta[j];
  }
  thetaHat /= wsum;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log1p(-thetaHat * xs[i]);
  let k = s / n;
  const sigma = -k / thetaHat;
  if (options.prior !== false) k = (k * n + 10 * 0.5) / (n + 10);
  return { k: Number.isNaN(k) ? Infinity : k, sigma };
}

export interface ParetoKResult {
  /**
   * k̂: NaN when there are too few samples (n ≤ 5: the tail of 5 would be everything),
   * −∞ when the largest weights are all equal (no tail at all, e.g. q = p).
   */
  k: number;
  /** Number of tail weights M the GPD was fitted to. */
  tail: number;
  /** GPD scale, in units of the largest weight (NaN when k̂ is not finite). */
  sigma: number;
}

/** Tail length ⌈min(n/5, 3√n)⌉ of PSIS for independent samples, at least 5. */
export function paretoTailLength(n: number): number {
  return Math.max(5, Math.ceil(Math.min(0.2 * n, 3 * Math.sqrt(n))));
}

/**
 * Pareto k̂ of importance weights given as ln w (unnormalised; −∞ for a zero
 * weight). Weights are shifted by their maximum before exponentiating.
 */
export function paretoK(logWeights: ArrayLike<number>): ParetoKResult {
  const where = "paretoK";
  if (logWeights === null || logWeights === undefined || typeof logWeights.length !== "number") throw new Error(`${where}: logWeights must be an array of numbers`);
  const n = logWeights.length;
  for (let i = 0; i < n; i++) {
    const v = logWeights[i];
    if (Number.isNaN(v) || v === Infinity) throw new Error(`${where}: logWeights[${i}] is ${v}`);
  }
  const tail = paretoTailLength(n);
  if (tail >= n) return { k: NaN, tail: 0, sigma: NaN };
  const sorted = Float64Array.from(logWeights as ArrayLike<number>).sort();
  const top = sorted[n - 1];
  if (top === -Infinity) throw new Error(`${where}: all logWeights are −∞`);
  const first = n - tail; // index of the smallest tail weight
  // the threshold is the largest weight below the tail (PSIS); ties with the
  // tail's smallest value move it down to the next distinct value when there is one
  let c = first - 1;
  while (c > 0 && sorted[c] === sorted[first]) c--;
  const cutoff = Math.exp(sorted[c] - top);
  const x = new Float64Array(tail);
  let any = false;
  for (let i = 0; i < tail; i++) {
    x[i] = Math.max(0, Math.exp(sorted[first + i] - top) - cutoff);
    if (x[i] > 0) any = true;
  }
  if (!any) return { k: -Infinity, tail, sigma: NaN };
  const fit = gpdFit(x);
  return { k: fit.k, tail, sigma: fit.sigma };
}
