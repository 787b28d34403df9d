/**
 * The inverse Ising problem by closed-form mean-field inversions: given the
 * magnetisations m_i = ⟨s_i⟩ and the correlations c_ij = ⟨s_i s_j⟩ of a
 * Boltzmann distribution p(s) ∝ exp(β Σ_{i<j} J_ij s_i s_j + β Σ_i h_i s_i),
 * infer the couplings J. Everything is in float64 on the JS side; C is the
 * connected correlation matrix C_ij = c_ij − m_i m_j (C_ii = 1 − m_i²) and
 * K = βJ the effective couplings (the methods give K; `couplings` is K/β).
 *
 *  - "nmf" (naive mean field, the linear response of m_i = tanh(Σ_j K_ij m_j + βh_i)):
 *        K_ij = −(C⁻¹)_ij;
 *  - "tap" (Thouless–Anderson–Palmer, second order in K, the Onsager term):
 *        K_ij = −2 (C⁻¹)_ij / (1 + √(1 − 8 (C⁻¹)_ij m_i m_j)),
 *    which is NMF at zero field (m = 0, e.g. the Z2-symmetric SK model of the
 *    VAN paper); where the root's argument is negative (no real TAP solution)
 *    it is taken as 0 and the pair counted in `clamped`;
 *  - "ip" (independent pairs: each pair alone fitted exactly to its four joint probabilities):
 *        K_ij = ¼ ln[(1+m_i+m_j+c_ij)(1−m_i−m_j+c_ij) / ((1+m_i−m_j−c_ij)(1−m_i+m_j−c_ij))],
 *    at m = 0: atanh(c_ij);
 *  - "sm" (Sessak & Monasson's small-correlation expansion, J. Phys. A 42, 055001 (2009)):
 *        K_ij = −(C⁻¹)_ij + K^IP_ij − C_ij / ((1 − m_i²)(1 − m_j²) − C_ij²).
 *
 * Weak coupling (K = O(ε)): IP misses the indirect paths i–k–j, an error
 * O(ε²) in K (relative error ∝ β); NMF and TAP err by O(ε³) (relative ∝ β²;
 * TAP's fields are better than NMF's by one order); SM by O(ε⁵) at zero field.
 * IP and SM are exact for a single pair. The VAN paper (Wu, Wang & Zhang,
 * PRL 122, 080602 (2019),
 * Fig. 4b; its code `main_inv_ising.py`) compares its likelihood-maximising
 * VAN (../train/inverseIsing.ts) with NMF, IP and SM on SK N = 20 at zero
 * field, measuring the RMS difference √(mean_{i,j}(J_ij − J*_ij)²) over all
 * N² entries (`couplingError`).
 *
 * `exactCorrelations` gives m and c of a small system by enumeration.
 */
import { checkKeys, checkNumber, checkOneOf, checkPositive } from "../core/validate";
import { invertMatrix } from "../core/linalg";
import { enumerate } from "../exact/enumerate";
import type { SpinSystem } from "../systems/types";

/** Magnetisations and correlations of a spin distribution (row-major n×n matrices). */
export interface Correlations {
  n: number;
  beta: number;
  /** m_i = ⟨s_i⟩. */
  magnetizations: Float64Array;
  /** c_ij = ⟨s_i s_j⟩ (c_ii = 1), n×n row-major. */
  correlations: Float64Array;
}

/** Largest n `exactCorrelations` accepts (it holds the 2^n probabilities). */
export const MAX_CORRELATIONS_N = 24;

/** Exact ⟨s_i⟩ and ⟨s_i s_j⟩ of `system` at `beta` by enumeration of the 2^n states (n ≤ 24; n = 20 takes about a second). */
export function exactCorrelations(system: SpinSystem, options: { beta: number }): Correlations {
  const W = "meanfield.exactCorrelations";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  checkKeys(options, ["beta"], W);
  const beta = checkPositive(options.beta, "beta", W);
  if (system === null || typeof system !== "object" || system.kind !== "spin") throw new Error(`${W}: system must be a spin system`);
  const n = system.n;
  if (n > MAX_CORRELATIONS_N) throw new Error(`${W}: system.n must be ≤ ${MAX_CORRELATIONS_N} (2^n probabilities are held), got ${n}`);
  const p = enumerate(system, beta, { probabilities: true }).probabilities as Float64Array;
  const m = new Float64Array(n);
  const c = new Float64Array(n * n);
  const s = new Float64Array(n);
  // pair sums in a packed upper triangle, then mirrored
  const acc = new Float64Array((n * (n - 1)) / 2);
  for (let x = 0; x < p.length; x++) {
    const w = p[x];
    if (w === 0) continue;
    for (let k = 0; k < n; k++) {
      s[k] = (x >>> k) & 1 ? 1 : -1;
      m[k] += w * s[k];
    }
    let q = 0;
    for (let a = 0; a < n; a++) {
      const wa = w * s[a];
      for (let b = a + 1; b < n; b++, q++) acc[q] += wa * s[b];
    }
  }
  let q = 0;
  for (let a = 0; a < n; a++) {
    c[a * n + a] = 1;
    for (let b = a + 1; b < n; b++, q++) {
      c[a * n + b] = acc[q];
      c[b * n + a] = acc[q];
    }
  }
  if (system.fields === null) m.fill(0); // exactly zero by symmetry (rounding aside)
  return { n, beta, magnetizations: m, correlations: c };
}

/** The inversions `inverseIsing` knows. */
export const INVERSE_METHODS = ["nmf", "tap", "ip", "sm"] as const;
export type InverseMethod = (typeof INVERSE_METHODS)[number];

export interface InverseIsingOptions {
  /** "nmf", "tap", "ip" or "sm" (see the module doc). */
  method: InverseMethod;
  /** c_ij = ⟨s_i s_j⟩, n×n row-major (symmetric, c_ii = 1), e.g. from `exactCorrelations`. */
  correlations: ArrayLike<number>;
  /** m_i = ⟨s_i⟩ (default all zero: no field). */
  magnetizations?: ArrayLike<number>;
  /** The inverse temperature of the data: the couplings are K/β (default 1: the effective couplings K). */
  beta?: number;
}

export interface InverseIsingResult {
  method: InverseMethod;
  n: number;
  beta: number;
  /** Inferred J_ij = K_ij/β, n×n row-major, symmetric, zero diagonal. */
  couplings: Float64Array;
  /** Inferred h_i = (atanh m_i − Σ_j K_ij m_j [+ TAP's reaction m_i Σ_j K_ij²(1 − m_j²)])/β (NMF and TAP; IP and SM use the NMF expression). */
  fields: Float64Array;
  /** Pairs whose TAP root had a negative argument (taken as 0); 0 for the other methods. */
  clamped: number;
}

/** Infer the couplings from magnetisations and correlations by a closed-form inversion (see the module doc). */
export function inverseIsing(options: InverseIsingOptions): InverseIsingResult {
  const W = "meanfield.inverseIsing";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  checkKeys(options, ["method", "correlations", "magnetizations", "beta"], W);
  const method = checkOneOf(options.method, INVERSE_METHODS, "method", W);
  const beta = checkPositive(options.beta ?? 1, "beta", W);
  const c = options.correlations;
  if (c === null || typeof c !== "object" || typeof c.length !== "number") throw new Error(`${W}: correlations must be an n×n array of numbers`);
  const n = Math.round(Math.sqrt(c.length));
  if (n < 2 || n * n !== c.length) throw new Error(`${W}: correlations must be an n×n matrix (n ≥ 2), got ${c.length} entries`);
  const m = options.magnetizations === undefined ? new Float64Array(n) : Float64Array.from(options.magnetizations);
  if (m.length !== n) throw new Error(`${W}: magnetizations has length ${m.length}, expected ${n}`);
  for (let a = 0; a < n; a++) {
    checkNumber(m[a], `magnetizations[${a}]`, W, { min: -1, max: 1 });
    if (Math.abs(m[a]) >= 1) throw new Error(`${W}: magnetizations[${a}] must be in (−1, 1), got ${m[a]}`);
    for (let b = 0; b < n; b++) {
      const v = checkNumber(c[a * n + b], `correlations[${a * n + b}]`, W, { min: -1, max: 1 });
      if (Math.abs(v - c[b * n + a]) > 1e-9) throw new Error(`${W}: correlations must be symmetric (entries ${a},${b} and ${b},${a} differ)`);
    }
    if (Math.abs(c[a * n + a] - 1) > 1e-9) throw new Error(`${W}: correlations must have c_ii = ⟨s_i²⟩ = 1, got ${c[a * n + a]} at ${a}`);
  }
  const C = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) C[a * n + b] = c[a * n + b] - m[a] * m[b];
  const P = invertMatrix(C, n, W);
  const K = new Float64Array(n * n);
  let clamped = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const pab = P[a * n + b];
      let k: number;
      if (method === "nmf") k = -pab;
      else if (method === "tap") {
        let d = 1 - 8 * pab * m[a] * m[b];
        if (d < 0) { d = 0; clamped += 1; }
        k = (-2 * pab) / (1 + Math.sqrt(d));
      } else {
        const cab = c[a * n + b];
        const ip = 0.25 * Math.log(((1 + m[a] + m[b] + cab) * (1 - m[a] - m[b] + cab)) / ((1 + m[a] - m[b] - cab) * (1 - m[a] + m[b] - cab)));
        if (!Number.isFinite(ip)) throw new Error(`${W}: pair ${a},${b} has a joint probability 0 (|c_ij| = 1?): the ${method} inversion is infinite`);
        if (method === "ip") k = ip;
        else {
          const Cab = C[a * n + b];
          k = -pab + ip - Cab / ((1 - m[a] * m[a]) * (1 - m[b] * m[b]) - Cab * Cab);
        }
      }
      K[a * n + b] = k;
      K[b * n + a] = k;
    }
  }
  const h = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    let f = Math.atanh(m[a]);
    let reaction = 0;
    for (let b = 0; b < n; b++) {
      f -= K[a * n + b] * m[b];
      reaction += K[a * n + b] ** 2 * (1 - m[b] * m[b]);
    }
    if (method === "tap") f += m[a] * reaction;
    h[a] = f / beta;
  }
  const J = K.map((k) => k / beta);
  return { method, n, beta, couplings: J, fields: h, clamped };
}

/** The couplings of a spin system as an n×n symmetric matrix (zero diagonal). */
export function couplingMatrix(system: SpinSystem): Float64Array {
  const n = system.n;
  const J = new Float64Array(n * n);
  const { i, j, J: v } = system.edges;
  for (let k = 0; k < i.length; k++) {
    J[i[k] * n + j[k]] += v[k];
    J[j[k] * n + i[k]] += v[k];
  }
  return J;
}

/** Reconstruction errors of inferred couplings against the true ones (both n×n). */
export interface CouplingError {
  /** √(mean over all n² entries of (J − J*)²): the VAN paper's measure (its code's `J_diff`). */
  rms: number;
  /** √(Σ (J − J*)² / Σ J*²): the error relative to the couplings' size. */
  relative: number;
}

/** The RMS and the relative error of `inferred` against `truth` (n×n matrices). */
export function couplingError(options: { inferred: ArrayLike<number>; truth: ArrayLike<number> }): CouplingError {
  const W = "meanfield.couplingError";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  checkKeys(options, ["inferred", "truth"], W);
  const { inferred, truth } = options;
  if (inferred?.length === undefined || truth?.length === undefined) throw new Error(`${W}: inferred and truth must be arrays of numbers`);
  if (inferred.length !== truth.length) throw new Error(`${W}: inferred has ${inferred.length} entries, truth ${truth.length}`);
  let d2 = 0;
  let t2 = 0;
  for (let k = 0; k < truth.length; k++) {
    d2 += (inferred[k] - truth[k]) ** 2;
    t2 += truth[k] ** 2;
  }
  return { rms: Math.sqrt(d2 / truth.length), relative: t2 === 0 ? (d2 === 0 ? 0 : Infinity) : Math.sqrt(d2 / t2) };
}
