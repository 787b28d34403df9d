/**
 * Split-R̂ (potential scale reduction factor) of a multi-chain series: the
 * Gelman–Rubin diagnostic with every chain split into its first and second
 * half (Gelman et al., Bayesian Data Analysis, 3rd ed., §11.4), as netket
 * reports it (`netket.stats._split_R_hat`).
 *
 * With m = 2·chains half-chains of length h each, half-chain means x̄_j and
 * unbiased variances s_j²,
 *
 *   W = (1/m) Σ_j s_j²,   B/h = Var_j(x̄_j) (ddof 1),
 *   var⁺ = (h − 1)/h · W + B/h,   R̂ = sqrt(var⁺ / W).
 *
 * R̂ → 1 when all chains sample the same distribution; R̂ > 1 when chains
 * disagree (stuck in different modes, or drifting — the split catches a trend
 * inside one chain). Rules of thumb: R̂ < 1.01 (Vehtari et al. 2021) to 1.1
 * (BDA3) for converged chains. `rank: true` computes instead the
 * rank-normalised split-R̂ of Vehtari, Gelman, Simpson, Carpenter and Bürkner
 * (Bayesian Analysis 16, 667 (2021)): the maximum of the split-R̂ of the
 * normal scores of the pooled ranks ("bulk") and of the ranks of |x − median|
 * ("tail"), robust to heavy tails and infinite variances.
 *
 * The series is step-major, x[t·chains + c], the layout of
 * `SamplerResult.observables`. With an odd number of steps the middle step of
 * every chain is dropped. A series that is constant within every half-chain
 * has W = 0: R̂ = ∞ if the half-chains differ (each chain frozen in its own
 * state), NaN if everything is one constant (nothing to compare).
 */
import { checkBoolean, checkKeys } from "../core/validate";
import { checkSeries } from "./util";

export interface SplitRHatOptions {
  /** Number of chains interleaved in the series, step-major (default 1: its two halves are compared). */
  chains?: number;
  /** Rank-normalised bulk/tail R̂ of Vehtari et al. (2021) instead of the classic split-R̂ (default false). */
  rank?: boolean;
}

/** Classic split-R̂ of the half-chains [m × h] stored row-major in `y`. */
function rHatOfHalves(y: Float64Array, m: number, h: number): number {
  const means = new Float64Array(m);
  let W = 0;
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let t = 0; t < h; t++) s += y[j * h + t];
    const mu = s / h;
    let s2 = 0;
    for (let t = 0; t < h; t++) s2 += (y[j * h + t] - mu) ** 2;
    means[j] = mu;
    W += s2 / (h - 1);
  }
  W /= m;
  let grand = 0;
  for (let j = 0; j < m; j++) grand += means[j];
  grand /= m;
  let bOverH = 0;
  for (let j = 0; j < m; j++) bOverH += (means[j] - grand) ** 2;
  bOverH /= m - 1;
  if (!(W > 0)) return bOverH > 0 ? Infinity : NaN;
  return Math.sqrt(((h - 1) / h) * W + bOverH) / Math.sqrt(W);
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Normal scores Φ⁻¹((r − 3/8)/(S + 1/4)) of the pooled average ranks r (ties share their mean rank). */
function normalScores(y: Float64Array): Float64Array {
  const S = y.length;
  const order = Array.from({ length: S }, (_, k) => k).sort((p, q) => y[p] - y[q]);
  const z = new Float64Array(S);
  for (let i = 0; i < S; ) {
    let j = i;
    while (j + 1 < S && y[order[j + 1]] === y[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    const v = normalQuantile((rank - 0.375) / (S + 0.25));
    for (let k = i; k <= j; k++) z[order[k]] = v;
    i = j + 1;
  }
  return z;
}

/**
 * Split-R̂ of a (multi-chain) series; see the module doc for the definition
 * and conventions. Needs at least 4 steps per chain (two per half).
 */
export function splitRHat(x: ArrayLike<number>, options: SplitRHatOptions = {}): number {
  const where = "splitRHat";
  checkKeys(options, ["chains", "rank"], where);
  const chains = options.chains ?? 1;
  const rank = options.rank === undefined ? false : checkBoolean(options.rank, "rank", where);
  const steps = checkSeries(x, "x", where, chains, 4);
  const h = Math.floor(steps / 2);
  const m = 2 * chains;
  // half-chains, row-major [m × h]: chain c's first half is row 2c, its second half row 2c + 1
  const y = new Float64Array(m * h);
  for (let c = 0; c < chains; c++) {
    for (let t = 0; t < h; t++) {
      y[2 * c * h + t] = x[t * chains + c];
      y[(2 * c + 1) * h + t] = x[(steps - h + t) * chains + c];
    }
  }
  if (!rank) return rHatOfHalves(y, m, h);
  const bulk = rHatOfHalves(normalScores(y), m, h);
  const sorted = Float64Array.from(y).sort();
  const S = sorted.length;
  const median = S % 2 === 1 ? sorted[(S - 1) / 2] : 0.5 * (sorted[S / 2 - 1] + sorted[S / 2]);
  const tail = rHatOfHalves(normalScores(Float64Array.from(y, (v) => Math.abs(v - median))), m, h);
  if (Number.isNaN(bulk)) return tail;
  if (Number.isNaN(tail)) return bulk;
  return Math.max(bulk, tail);
}
