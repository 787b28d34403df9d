/**
 * Pearson chi-square goodness of fit of observed counts against exact
 * probabilities, with the p-value from the regularised upper incomplete gamma
 * function. Used by the sampler tests against enumerated distributions.
 */
import { checkKeys, checkNumber } from "../core/validate";

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), relative error < 1e-13 for x > 0
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let k = 1; k < 9; k++) a += c[k] / (x + k);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a). */
export function gammaQ(a: number, x: number): number {
  checkNumber(a, "a", "gammaQ", { above: 0 });
  checkNumber(x, "x", "gammaQ", { min: 0 });
  if (x === 0) return 1;
  const gln = logGamma(a);
  if (x < a + 1) {
    // series for P
    let ap = a;
    let sum = 1 / a;
    let del = sum;
    for (let n = 0; n < 10000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(-x + a * Math.log(x) - gln));
  }
  // continued fraction for Q (modified Lentz)
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - gln) * h;
}

export interface ChiSquareOptions {
  /** Observed counts per category. */
  observed: ArrayLike<number>;
  /** Exact probabilities per category (normalised to 1 here). */
  expected: ArrayLike<number>;
  /** Categories with expected count below this are pooled into one (default 5). */
  minExpected?: number;
  /**
   * Effective sample size when the counts come from correlated samples: the
   * statistic is scaled by effectiveSamples / total (default: the total, i.e.
   * independent samples).
   */
  effectiveSamples?: number;
}

export interface ChiSquareResult {
  chi2: number;
  dof: number;
  /** P(χ²_dof ≥ chi2): small values reject the expected distribution. */
  pValue: number;
  total: number;
}

/** Pearson chi-square test of counts against exact probabilities. */
export function chiSquare(options: ChiSquareOptions): ChiSquareResult {
  const where = "chiSquare";
  checkKeys(options, ["observed", "expected", "minExpected", "effectiveSamples"], where);
  const { observed, expected } = options;
  if (observed.length !== expected.length || observed.length < 2) {
    throw new Error(`${where}: observed and expected must have the same length ≥ 2 (got ${observed.length}, ${expected.length})`);
  }
  const minExpected = options.minExpected === undefined ? 5 : checkNumber(options.minExpected, "minExpected", where, { min: 0 });
  let total = 0;
  let psum = 0;
  for (let k = 0; k < observed.length; k++) {
    checkNumber(observed[k], `observed[${k}]`, where, { min: 0 });
    checkNumber(expected[k], `expected[${k}]`, where, { min: 0 });
    total += observed[k];
    psum += expected[k];
  }
  if (!(total > 0) || !(psum > 0)) throw new Error(`${where}: observed and expected must have positive totals`);
  let chi2 = 0;
  let cats = 0;
  let poolO = 0;
  let poolE = 0;
  for (let k = 0; k < observed.length; k++) {
    const e = (expected[k] / psum) * total;
    if (e < minExpected) {
      poolO += observed[k];
      poolE += e;
      continue;
    }
    chi2 += (observed[k] - e) ** 2 / e;
    cats++;
  }
  if (poolE > 0) {
    chi2 += (poolO - poolE) ** 2 / poolE;
    cats++;
  } else if (poolO > 0) {
    chi2 = Infinity; // counts where the exact probability is zero
  }
  if (options.effectiveSamples !== undefined) {
    const neff = checkNumber(options.effectiveSamples, "effectiveSamples", where, { above: 0 });
    chi2 *= Math.min(1, neff / total);
  }
  const dof = Math.max(1, cats - 1);
  return { chi2, dof, pValue: chi2 === Infinity ? 0 : gammaQ(dof / 2, chi2 / 2), total };
}
