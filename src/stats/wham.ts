/**
 * The weighted histogram analysis method (Kumar, Rosenberg, Bouzida, Swendsen,
 * Kollman, J. Comput. Chem. 13, 1011, 1992) for K biased runs of one
 * coordinate x: window k samples p_k(x) ∝ p(x) e^{−u_k(x)} (u_k a reduced
 * bias, in kT). With n_j counts in bin j over all windows, N_k samples in
 * window k and c_kj = e^{−u_k(x_j)}, the unbiased bin probabilities P_j and
 * window free energies f_k solve
 *
 *   P_j = n_j / Σ_k N_k e^{f_k} c_kj,      e^{−f_k} = Σ_j c_kj P_j,
 *
 * iterated to self-consistency (linear space, f_k shifted so that Σ P = 1).
 * c_kj is the mean of e^{−u_k} over the samples that fall in bin j (the
 * bin-centre value for empty bins), which removes most of the discretisation
 * error of strong biases. Samples outside `range` are dropped.
 *
 * Errors: a block bootstrap. Each window's series is cut into `blocks`
 * contiguous blocks (choose blocks longer than τ_int); a replicate draws
 * `blocks` blocks per window with replacement and solves WHAM again (warm
 * started). The error of F_j and of ΔF is the standard deviation over the
 * replicates.
 *
 * ΔF = F(x > divide) − F(x < divide) = −ln(P_>/P_<), summing the bins by
 * their centres (put `divide` on a bin edge).
 */
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkNumber } from "../core/validate";
import type { Stats } from "./types";

export interface WhamOptions extends RandomOptions {
  /** Recorded coordinate values of every window (one array per window). */
  values: readonly ArrayLike<number>[];
  /** Harmonic windows u_k = κ_k/2 (x − c_k)²: the centres c_k (with `kappa`). */
  centers?: ArrayLike<number>;
  /** Reduced spring constant κ (kT per unit²), one for all windows or one per window. */
  kappa?: number | ArrayLike<number>;
  /** A general reduced bias u_k(x) instead of `centers`/`kappa`. */
  bias?: (k: number, x: number) => number;
  /** Number of bins (default 100). */
  bins?: number;
  /** [lo, hi] of the histogram (default: the range of all values). */
  range?: [number, number];
  /** Convergence: max |Δf_k| per iteration (default 1e-10). */
  tolerance?: number;
  /** Iteration cap (default 200000). */
  maxIterations?: number;
  /** Dividing value for ΔF (default: none, no ΔF). */
  divide?: number;
  /** Bootstrap replicates for the errors (default 100; 0 for none). */
  bootstrap?: number;
  /** Blocks per window for the bootstrap (default 10). */
  blocks?: number;
}

export interface WhamResult {
  /** Bin centres and width. */
  x: Float64Array;
  binWidth: number;
  /** Unbiased probability per bin (Σ = 1 over the range). */
  probability: Float64Array;
  /** F(x) = −ln(P_j/h) in kT, shifted to min 0 (Infinity for empty bins), and its bootstrap error (NaN without bootstrap). */
  freeEnergy: Float64Array;
  error: Float64Array;
  /** Window free energies f_k (kT), f_0 = 0. */
  windowFreeEnergies: Float64Array;
  /** Samples per window that fell in the range. */
  counts: Float64Array;
  iterations: number;
  converged: boolean;
  /** ΔF(x > divide) − F(x < divide) with the bootstrap error, when `divide` is given. */
  deltaF: Stats | null;
  /** P(x > divide) with its error, when `divide` is given. */
  fractionRight: Stats | null;
}

interface Solved {
  P: Float64Array;
  F: Float64Array; // e^{f_k}
  iterations: number;
  converged: boolean;
}

/** Self-consistent WHAM on bin counts nkj [K × J] with bias factors c [K × J]; warm start F0 (e^{f}). */
function solve(nkj: Float64Array, c: Float64Array, K: number, J: number, F0: Float64Array | null, tol: number, maxIt: number): Solved {
  const Nk = new Float64Array(K);
  const nj = new Float64Array(J);
  for (let k = 0; k < K; k++) for (let j = 0; j < J; j++) {
    Nk[k] += nkj[k * J + j];
    nj[j] += nkj[k * J + j];
  }
  const F = F0 === null ? new Float64Array(K).fill(1) : Float64Array.from(F0);
  const P = new Float64Array(J);
  const fNew = new Float64Array(K);
  let it = 0;
  let converged = false;
  while (it < maxIt) {
    it++;
    let total = 0;
    for (let j = 0; j < J; j++) {
      if (nj[j] === 0) { P[j] = 0; continue; }
      let den = 0;
      for (let k = 0; k < K; k++) den += Nk[k] * F[k] * c[k * J + j];
      P[j] = nj[j] / den;
      total += P[j];
    }
    for (let j = 0; j < J; j++) P[j] /= total;
    let delta = 0;
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let j = 0; j < J; j++) s += c[k * J + j] * P[j];
      fNew[k] = 1 / s;
    }
    // f_0 = 0 fixes the additive constant
    const ref = fNew[0];
    for (let k = 0; k < K; k++) {
      const v = fNew[k] / ref;
      delta = Math.max(delta, Math.abs(Math.log(v) - Math.log(F[k])));
      F[k] = v;
    }
    if (delta < tol) { converged = true; break; }
  }
  return { P, F, iterations: it, converged };
}

function summarize(P: Float64Array, x: Float64Array, divide: number | null): { left: number; right: number } | null {
  if (divide === null) return null;
  let left = 0, right = 0;
  for (let j = 0; j < P.length; j++) {
    if (x[j] > divide) right += P[j];
    else left += P[j];
  }
  return { left, right };
}

/** WHAM for harmonic (or general) biased windows, with block-bootstrap errors (see the module doc). */
export function wham(options: WhamOptions): WhamResult {
  const W = "wham";
  checkKeys(options, ["values", "centers", "kappa", "bias", "bins", "range", "tolerance", "maxIterations", "divide", "bootstrap", "blocks", "seed", "rng"], W);
  const values = options?.values;
  if (!Array.isArray(values) || values.length < 1) throw new Error(`${W}: values must be a non-empty array of per-window arrays`);
  const K = values.length;
  values.forEach((v, k) => {
    if (v === null || v === undefined || typeof v.length !== "number" || v.length < 1) throw new Error(`${W}: values[${k}] must be a non-empty array of numbers`);
  });
  let bias: (k: number, x: number) => number;
  if (options.bias !== undefined) {
    if (typeof options.bias !== "function") throw new Error(`${W}: bias must be a function (k, x) → reduced bias`);
    if (options.centers !== undefined || options.kappa !== undefined) throw new Error(`${W}: give either bias or centers with kappa, not both`);
    bias = options.bias;
  } else {
    const cen = options.centers;
    if (cen === undefined || cen === null || typeof cen.length !== "number" || cen.length !== K) throw new Error(`${W}: centers must have one entry per window (${K})`);
    const c = Float64Array.from({ length: K }, (_, k) => checkNumber(cen[k], `centers[${k}]`, W));
    const kap = options.kappa;
    let kv: Float64Array;
    if (typeof kap === "number") kv = new Float64Array(K).fill(checkNumber(kap, "kappa", W, { above: 0 }));
    else if (kap !== undefined && kap !== null && typeof kap.length === "number" && kap.length === K) kv = Float64Array.from({ length: K }, (_, k) => checkNumber(kap[k], `kappa[${k}]`, W, { above: 0 }));
    else throw new Error(`${W}: kappa must be a number > 0 or one per window (${K})`);
    bias = (k, x) => 0.5 * kv[k] * (x - c[k]) ** 2;
  }
  const J = options.bins === undefined ? 100 : checkInteger(options.bins, "bins", W, { min: 2 });
  const tol = options.tolerance === undefined ? 1e-10 : checkNumber(options.tolerance, "tolerance", W, { above: 0 });
  const maxIt = options.maxIterations === undefined ? 200000 : checkInteger(options.maxIterations, "maxIterations", W, { min: 1 });
  const divide = options.divide === undefined ? null : checkNumber(options.divide, "divide", W);
  const reps = options.bootstrap === undefined ? 100 : checkInteger(options.bootstrap, "bootstrap", W, { min: 0 });
  const B = options.blocks === undefined ? 10 : checkInteger(options.blocks, "blocks", W, { min: 2 });
  for (let k = 0; k < K; k++) if (reps > 0 && values[k].length < B) throw new Error(`${W}: values[${k}] has ${values[k].length} samples, fewer than blocks (${B})`);
  let lo: number, hi: number;
  if (options.range !== undefined) {
    if (!Array.isArray(options.range) || options.range.length !== 2) throw new Error(`${W}: range must be [lo, hi]`);
    lo = checkNumber(options.range[0], "range[0]", W);
    hi = checkNumber(options.range[1], "range[1]", W, { above: lo });
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (const v of values) for (let i = 0; i < v.length; i++) {
      const t = checkNumber(v[i], "values", W);
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    if (!(hi > lo)) hi = lo + 1;
  }
  const rng = resolveRng(options, W);
  const h = (hi - lo) / J;
  const x = Float64Array.from({ length: J }, (_, j) => lo + (j + 0.5) * h);
  const binOf = (v: number) => {
    if (!(v >= lo && v <= hi)) return -1;
    return v === hi ? J - 1 : Math.floor((v - lo) / h);
  };
  // counts per (window, block, bin) and the per-bin mean bias factor
  const blockCounts: Float64Array[] = [];
  const nkj = new Float64Array(K * J);
  const cSum = new Float64Array(K * J);
  const nAll = new Float64Array(J);
  const binned: Int32Array[] = values.map((v) => {
    const b = new Int32Array(v.length);
    for (let i = 0; i < v.length; i++) b[i] = binOf(v[i]);
    return b;
  });
  for (let k = 0; k < K; k++) {
    const b = binned[k];
    const n = b.length;
    const bc = new Float64Array(B * J);
    const len = Math.floor(n / B);
    for (let i = 0; i < n; i++) {
      const j = b[i];
      if (j < 0) continue;
      nkj[k * J + j]++;
      nAll[j]++;
      if (reps > 0) bc[Math.min(B - 1, Math.floor(i / Math.max(1, len))) * J + j]++;
    }
    blockCounts.push(bc);
  }
  for (let k = 0; k < K; k++) {
    const v = values[k];
    const b = binned[k];
    for (let i = 0; i < v.length; i++) {
      const j = b[i];
      if (j < 0) continue;
      for (let l = 0; l < K; l++) cSum[l * J + j] += Math.exp(-bias(l, v[i]));
    }
  }
  const c = new Float64Array(K * J);
  for (let l = 0; l < K; l++) for (let j = 0; j < J; j++) {
    const u = nAll[j] > 0 ? cSum[l * J + j] / nAll[j] : Math.exp(-bias(l, x[j]));
    if (!Number.isFinite(u)) throw new Error(`${W}: the bias of window ${l} at x = ${x[j]} is not finite`);
    c[l * J + j] = u;
  }
  const counts = new Float64Array(K);
  for (let k = 0; k < K; k++) for (let j = 0; j < J; j++) counts[k] += nkj[k * J + j];
  for (let k = 0; k < K; k++) if (counts[k] === 0) throw new Error(`${W}: window ${k} has no samples inside the range [${lo}, ${hi}]`);
  const sol = solve(nkj, c, K, J, null, tol, maxIt);
  const toF = (P: Float64Array): Float64Array => {
    const F = new Float64Array(J);
    let m = Infinity;
    for (let j = 0; j < J; j++) {
      F[j] = P[j] > 0 ? -Math.log(P[j] / h) : Infinity;
      if (F[j] < m) m = F[j];
    }
    for (let j = 0; j < J; j++) F[j] -= m;
    return F;
  };
  const freeEnergy = toF(sol.P);
  const windowFreeEnergies = Float64Array.from(sol.F, (v) => Math.log(v));
  const split = summarize(sol.P, x, divide);
  const error = new Float64Array(J).fill(NaN);
  let dfStats: Stats | null = null;
  let frStats: Stats | null = null;
  const dfOf = (s: { left: number; right: number }) => Math.log(s.left) - Math.log(s.right);
  if (reps > 0) {
    const s1 = new Float64Array(J), s2 = new Float64Array(J), nf = new Float64Array(J);
    let d1 = 0, d2 = 0, dn = 0, r1 = 0, r2 = 0;
    const rep = new Float64Array(K * J);
    for (let r = 0; r < reps; r++) {
      rep.fill(0);
      for (let k = 0; k < K; k++) {
        const bc = blockCounts[k];
        for (let t = 0; t < B; t++) {
          const b = rng.int(B);
          for (let j = 0; j < J; j++) rep[k * J + j] += bc[b * J + j];
        }
      }
      let ok = true;
      for (let k = 0; k < K && ok; k++) {
        let s = 0;
        for (let j = 0; j < J; j++) s += rep[k * J + j];
        if (s === 0) ok = false;
      }
      if (!ok) continue;
      const sr = solve(rep, c, K, J, sol.F, Math.max(tol, 1e-8), maxIt);
      const F = toF(sr.P);
      for (let j = 0; j < J; j++) if (Number.isFinite(F[j])) { s1[j] += F[j]; s2[j] += F[j] * F[j]; nf[j]++; }
      const sp = summarize(sr.P, x, divide);
      if (sp !== null) {
        const d = dfOf(sp);
        if (Number.isFinite(d)) { d1 += d; d2 += d * d; dn++; }
        const fr = sp.right / (sp.left + sp.right);
        r1 += fr;
        r2 += fr * fr;
      }
    }
    for (let j = 0; j < J; j++) error[j] = nf[j] >= 2 ? Math.sqrt(Math.max(0, (s2[j] - (s1[j] * s1[j]) / nf[j]) / (nf[j] - 1))) : NaN;
    if (split !== null) {
      const dv = dn >= 2 ? Math.max(0, (d2 - (d1 * d1) / dn) / (dn - 1)) : NaN;
      const rv = reps >= 2 ? Math.max(0, (r2 - (r1 * r1) / reps) / (reps - 1)) : NaN;
      const n = Array.from(counts).reduce((a, b) => a + b, 0);
      dfStats = { mean: dfOf(split), error: Math.sqrt(dv), variance: n * dv, n };
      frStats = { mean: split.right / (split.left + split.right), error: Math.sqrt(rv), variance: n * rv, n };
    }
  } else if (split !== null) {
    const n = Array.from(counts).reduce((a, b) => a + b, 0);
    dfStats = { mean: dfOf(split), error: NaN, variance: NaN, n };
    frStats = { mean: split.right / (split.left + split.right), error: NaN, variance: NaN, n };
  }
  return {
    x,
    binWidth: h,
    probability: sol.P,
    freeEnergy,
    error,
    windowFreeEnergies,
    counts,
    iterations: sol.iterations,
    converged: sol.converged,
    deltaF: dfStats,
    fractionRight: frStats,
  };
}
