/**
 * Exact references for XY systems, Z = ∫_{[0,2π)^N} dθ e^{−βE(θ)},
 * E = −Σ J_ij cos(θ_i − θ_j) − h Σ cos θ_i:
 *
 * - open chains (any couplings J_k, h = 0): integrating the free end rotor by
 *   rotor gives Z = (2π)^N Π_k I₀(βJ_k), i.e. (2π)^N I₀(βJ)^{N−1} for a
 *   uniform chain;
 * - rings (h = 0): the character expansion e^{K cos φ} = Σ_n I_n(K) e^{inφ}
 *   gives Z = (2π)^N Σ_{n∈ℤ} Π_k I_n(βJ_k), (2π)^N Σ_n I_n(βJ)^N uniform;
 *   the sum runs until the terms are below 10⁻¹⁸ of the total.
 *   Energies and specific heats are exact derivatives (I₀' = I₁,
 *   I_n' = (I_{n−1} + I_{n+1})/2, I_n'' = (I_{n−2} + 2I_n + I_{n+2})/4), so
 *   accurate to rounding (≈ 1e−14 relative);
 * - `xyQuadrature`: a numerical reference for tiny graphs (N ≤ 4) on an
 *   M-point grid per angle. The integrand is smooth and 2π-periodic, so the
 *   rectangle rule converges exponentially in M (M = 64 is ~1e−15 at βJ ≤ 2);
 *   with h = 0 the global rotation symmetry fixes θ₀ = 0 (× 2π). Gives ln Z,
 *   ⟨E⟩, C and ⟨|m|⟩ and, for probes, ⟨f(θ)⟩ of any function.
 *
 * `logBesselI(n, x)` is ln I_n(x) for integer n and real x ≥ 0 (I_n(−x) =
 * (−1)^n I_n(x)): the power series Σ_k (x/2)^{2k+n}/(k!(n+k)!) summed in
 * scaled form (all terms positive: no cancellation; ≈ x/2 + 10√x + 30 terms)
 * for x ≤ 700, and the large-x asymptotic expansion e^x/√(2πx) Σ_k (−1)^k
 * a_k(n)/x^k beyond (n² ≪ x there, else the series).
 */
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import type { ExactResult, XYSystem } from "../systems/types";

const LN_2PI = Math.log(2 * Math.PI);

function lnFactorial(n: number): number {
  let s = 0;
  for (let k = 2; k <= n; k++) s += Math.log(k);
  return s;
}

/** ln I_n(x) for integer n (any sign: I_{−n} = I_n) and real x ≥ 0 (−∞ at x = 0 for n ≠ 0). Accurate to ≈ 1e−14 relative in I_n. */
export function logBesselI(n: number, x: number): number {
  const W = "logBesselI";
  checkInteger(n, "n", W);
  checkNumber(x, "x", W, { min: 0 });
  n = Math.abs(n);
  if (x === 0) return n === 0 ? 0 : -Infinity;
  if (x > 700 && n * n < x / 20) {
    // asymptotic: I_n(x) ≈ e^x/√(2πx) Σ_k (−1)^k Π_{j=1..k} (μ − (2j−1)²) / (k! (8x)^k), μ = 4n²
    const mu = 4 * n * n;
    let term = 1;
    let sum = 1;
    for (let k = 1; k < 60; k++) {
      const next = (-term * (mu - (2 * k - 1) ** 2)) / (k * 8 * x);
      if (Math.abs(next) > Math.abs(term)) break;
      term = next;
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return x - 0.5 * Math.log(2 * Math.PI * x) + Math.log(sum);
  }
  // series: t_0 = (x/2)^n / n!, t_{k+1} = t_k (x/2)² / ((k+1)(n+k+1)); summed relative to the largest term so far
  const y = (x * x) / 4;
  const ln0 = n * Math.log(x / 2) - lnFactorial(n);
  let lnScale = 0; // sum and term are relative to e^{ln0 + lnScale}
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 100000; k++) {
    term *= y / ((k + 1) * (n + k + 1));
    sum += term;
    if (sum > 1e250) {
      lnScale += Math.log(sum);
      term /= sum;
      sum = 1;
    }
    if (term < 1e-17 * sum && (k + 1) * (n + k + 1) > y) break;
  }
  return ln0 + lnScale + Math.log(sum);
}

/** I_n(x) (may overflow to ∞ for x ≳ 713; use `logBesselI`). */
export function besselI(n: number, x: number): number {
  if (x < 0) return (Math.abs(n) % 2 === 1 ? -1 : 1) * Math.exp(logBesselI(n, -x));
  return Math.exp(logBesselI(n, x));
}

/** ρ_n = I_n(|K|)/I_0(|K|) for n = 0..nmax (float64, ≤ 1). */
function besselRatios(K: number, nmax: number): Float64Array {
  const a = Math.abs(K);
  const l0 = logBesselI(0, a);
  const r = new Float64Array(nmax + 1);
  for (let k = 0; k <= nmax; k++) r[k] = a === 0 ? (k === 0 ? 1 : 0) : Math.exp(logBesselI(k, a) - l0);
  return r;
}

export interface XYChainResult extends ExactResult {
  /** "open" (free ends) or "ring". */
  topology: "open" | "ring";
}

interface ChainPlan {
  topology: "open" | "ring";
  /** Couplings along the path/cycle, in order. */
  J: Float64Array;
}

function chainPlan(system: XYSystem): ChainPlan | string {
  if (system.h !== 0) return `the chain formulas need h = 0, ${system.name} has h = ${system.h}`;
  const n = system.n;
  const m = system.edges.i.length;
  const { offsets, index, J } = system.neighbors;
  for (let v = 0; v < n; v++) if (offsets[v + 1] - offsets[v] > 2) return `the chain formulas need a path or a ring, site ${v} of ${system.name} has ${offsets[v + 1] - offsets[v]} neighbours`;
  if (m !== n - 1 && m !== n) return `the chain formulas need a path (n − 1 bonds) or a ring (n bonds), ${system.name} has ${m} bonds on ${n} sites`;
  if (m === n && n < 3) return `a ring needs n ≥ 3`;
  // walk the graph from an end (path) or from 0 (ring)
  let start = 0;
  if (m === n - 1) {
    start = -1;
    for (let v = 0; v < n; v++) if (offsets[v + 1] - offsets[v] <= 1) { start = v; break; }
    if (start < 0) return `${system.name} is not a path`;
  }
  const seen = new Uint8Array(n);
  const Js: number[] = [];
  let prev = -1;
  let cur = start;
  seen[cur] = 1;
  for (let step = 1; step < n; step++) {
    let next = -1;
    let Jn = 0;
    for (let p = offsets[cur]; p < offsets[cur + 1]; p++) if (index[p] !== prev && seen[index[p]] === 0) { next = index[p]; Jn = J[p]; break; }
    if (next < 0) return `${system.name} is not connected (a path or ring through all ${n} sites is needed)`;
    Js.push(Jn);
    seen[next] = 1;
    prev = cur;
    cur = next;
  }
  if (m === n) {
    let closing = NaN;
    for (let p = offsets[cur]; p < offsets[cur + 1]; p++) if (index[p] === start) closing = J[p];
    if (Number.isNaN(closing)) return `${system.name} is not a ring`;
    Js.push(closing);
  }
  return { topology: m === n ? "ring" : "open", J: Float64Array.from(Js) };
}

/** Why the chain/ring formulas do not apply, or null when they do. */
export function xyChainRefusal(system: XYSystem): string | null {
  const p = chainPlan(system);
  return typeof p === "string" ? p : null;
}

/**
 * Exact ln Z, energy, entropy and specific heat per site of an XY open chain
 * or ring with h = 0 (any couplings; see the module doc). |m| is not given (null).
 */
export function xyChainExact(system: XYSystem, beta: number): XYChainResult {
  const Wh = "exact.xyChainExact";
  if (system === null || typeof system !== "object" || system.kind !== "xy") throw new Error(`${Wh}: system must be an XYSystem (kind "xy")`);
  checkPositive(beta, "beta", Wh);
  const plan = chainPlan(system);
  if (typeof plan === "string") throw new Error(`${Wh}: ${plan}`);
  const n = system.n;
  const Js = plan.J;
  const m = Js.length;
  let logZ = n * LN_2PI;
  let d1 = 0; // ∂_β ln Z
  let d2 = 0; // ∂²_β ln Z
  if (plan.topology === "open") {
    // ln Z = N ln 2π + Σ_k ln I₀(βJ_k); ∂_β = J I₁/I₀; ∂²_β = J² [(1 + I₂/I₀)/2 − (I₁/I₀)²]
    for (let k = 0; k < m; k++) {
      const K = beta * Js[k];
      const r = besselRatios(K, 2);
      logZ += logBesselI(0, Math.abs(K));
      const s = K < 0 ? -1 : 1;
      const r1 = s * r[1];
      d1 += Js[k] * r1;
      d2 += Js[k] * Js[k] * ((1 + r[2]) / 2 - r1 * r1);
    }
  } else {
    // Z = (2π)^N Π_k I₀(|K_k|) Σ_n Π_k s_k^n ρ_n(K_k); derivatives of Π_k I_n(K_k) by the product rule
    let l0 = 0;
    for (let k = 0; k < m; k++) l0 += logBesselI(0, Math.abs(beta * Js[k]));
    const Kmax = Math.max(...Array.from(Js, (J) => Math.abs(beta * J)));
    let nmax = Math.ceil(Math.sqrt(2 * Math.max(Kmax, 1) * 45 * 2 / Math.max(1, Math.min(m, 40))) + 10);
    nmax = Math.max(nmax, 12);
    const ratios = Array.from(Js, (J) => besselRatios(beta * J, nmax + 2));
    let S0 = 0, S1 = 0, S2 = 0;
    for (let nn = -nmax; nn <= nmax; nn++) {
      const a = Math.abs(nn);
      // per bond: value f = I_n(K)/I₀(|K|), f' = J I_n'(K)/I₀, f'' = J² I_n''(K)/I₀ (signed for K < 0)
      let P = 1;
      let sumL = 0; // Σ f'/f
      let sumL2 = 0; // Σ (f'/f)²
      let sumQ = 0; // Σ f''/f
      let zero = false;
      for (let k = 0; k < m; k++) {
        const K = beta * Js[k];
        const s = K < 0 ? -1 : 1;
        const r = ratios[k];
        const rn = (i: number) => r[Math.abs(i)];
        const sign = s ** a;
        const f = sign * rn(a);
        const f1 = Js[k] * s ** (a + 1) * (rn(a - 1) + rn(a + 1)) / 2;
        const f2 = Js[k] * Js[k] * sign * (rn(a - 2) + 2 * rn(a) + rn(a + 2)) / 4;
        if (f === 0) { zero = true; break; }
        P *= f;
        const lf = f1 / f;
        sumL += lf;
        sumL2 += lf * lf;
        sumQ += f2 / f;
      }
      if (zero) continue;
      S0 += P;
      S1 += P * sumL;
      S2 += P * (sumL * sumL - sumL2 + sumQ);
    }
    if (!(S0 > 0)) throw new Error(`${Wh}: the character sum is not positive at β = ${beta} (rounding)`);
    logZ += l0 + Math.log(S0);
    d1 = S1 / S0;
    d2 = S2 / S0 - d1 * d1;
  }
  const u = -d1 / n;
  return {
    method: plan.topology === "open" ? "xy-chain" : "xy-ring",
    topology: plan.topology,
    n,
    beta,
    logZ,
    freeEnergyPerSpin: -logZ / (beta * n),
    energyPerSpin: u,
    entropyPerSpin: beta * u + logZ / n,
    specificHeatPerSpin: Math.max(0, beta * beta * d2 / n),
    absMagnetizationPerSpin: null,
  };
}

export interface XYQuadratureOptions {
  /** Grid points per angle (default 64; the integrand is smooth and periodic, so the error falls like e^{−cM}). */
  points?: number;
  /** Extra observables: ⟨f(θ)⟩ for each named function of the configuration. */
  observables?: Record<string, (theta: Float64Array) => number>;
}

export interface XYQuadratureResult extends ExactResult {
  /** ⟨f⟩ for each function of `options.observables`. */
  means: Record<string, number>;
  points: number;
}

/** Largest number of grid evaluations `xyQuadrature` accepts. */
export const MAX_XY_QUADRATURE_POINTS = 2 ** 26;

/**
 * Numerical ln Z, ⟨E⟩/N, C/N and ⟨|m|⟩ of a tiny XY system (N ≤ 4) by the
 * rectangle rule on an M-point grid per angle (see the module doc).
 */
export function xyQuadrature(system: XYSystem, beta: number, options: XYQuadratureOptions = {}): XYQuadratureResult {
  const Wh = "exact.xyQuadrature";
  if (system === null || typeof system !== "object" || system.kind !== "xy") throw new Error(`${Wh}: system must be an XYSystem (kind "xy")`);
  checkKeys(options, ["points", "observables"], Wh);
  checkPositive(beta, "beta", Wh);
  const M = checkInteger(options.points ?? 64, "points", Wh, { min: 4 });
  const n = system.n;
  if (n > 4) throw new Error(`${Wh}: quadrature is for tiny systems (n ≤ 4), got n = ${n}`);
  const fixFirst = system.h === 0 && n > 1;
  const free = fixFirst ? n - 1 : n;
  if (M ** free > MAX_XY_QUADRATURE_POINTS) throw new Error(`${Wh}: points^${free} = ${M ** free} exceeds ${MAX_XY_QUADRATURE_POINTS}`);
  const obs = options.observables ?? {};
  if (typeof obs !== "object" || obs === null) throw new Error(`${Wh}: observables must be an object of functions`);
  const names = Object.keys(obs);
  for (const k of names) if (typeof obs[k] !== "function") throw new Error(`${Wh}: observables.${k} must be a function of the angles`);
  const theta = new Float64Array(n);
  const total = M ** free;
  const dA = (2 * Math.PI) / M;
  // first pass: minimum energy for the shift
  const energies = new Float64Array(total);
  let Emin = Infinity;
  for (let t = 0; t < total; t++) {
    let x = t;
    for (let k = fixFirst ? 1 : 0; k < n; k++) {
      theta[k] = (x % M) * dA;
      x = Math.floor(x / M);
    }
    const e = system.energyOf(theta);
    energies[t] = e;
    if (e < Emin) Emin = e;
  }
  let S0 = 0, S1 = 0, S2 = 0, SA = 0;
  const SO = new Float64Array(names.length);
  for (let t = 0; t < total; t++) {
    let x = t;
    for (let k = fixFirst ? 1 : 0; k < n; k++) {
      theta[k] = (x % M) * dA;
      x = Math.floor(x / M);
    }
    const d = energies[t] - Emin;
    const w = Math.exp(-beta * d);
    S0 += w;
    S1 += w * d;
    S2 += w * d * d;
    let cx = 0, cy = 0;
    for (let k = 0; k < n; k++) (cx += Math.cos(theta[k])), (cy += Math.sin(theta[k]));
    SA += w * Math.hypot(cx, cy) / n;
    for (let o = 0; o < names.length; o++) SO[o] += w * obs[names[o]](theta);
  }
  const logZ = Math.log(S0) + free * Math.log(dA) + (fixFirst ? LN_2PI : 0) - beta * Emin;
  const mD = S1 / S0;
  const varE = Math.max(0, S2 / S0 - mD * mD);
  const u = (Emin + mD) / n;
  const means: Record<string, number> = {};
  names.forEach((k, o) => (means[k] = SO[o] / S0));
  return {
    method: "xy-quadrature",
    n,
    beta,
    logZ,
    freeEnergyPerSpin: -logZ / (beta * n),
    energyPerSpin: u,
    entropyPerSpin: beta * u + logZ / n,
    specificHeatPerSpin: (beta * beta * varE) / n,
    absMagnetizationPerSpin: SA / S0,
    means,
    points: M,
  };
}

export type XYExactMethod = "chain" | "quadrature";
export const XY_EXACT_METHODS: readonly XYExactMethod[] = ["chain", "quadrature"];

/** For each XY method, null where it applies, else why not. */
export function xyApplicableMethods(system: XYSystem): Record<XYExactMethod, string | null> {
  return { chain: xyChainRefusal(system), quadrature: system.n <= 3 ? null : `quadrature is used for n ≤ 3 here, got n = ${system.n}` };
}

/** The exact reference for an XY system: the chain/ring formulas where they apply, else quadrature for n ≤ 3. */
export function xyExact(system: XYSystem, beta: number, options: { method?: XYExactMethod | "auto" } = {}): ExactResult {
  const Wh = "exact.xyExact";
  if (system === null || typeof system !== "object" || system.kind !== "xy") throw new Error(`${Wh}: system must be an XYSystem (kind "xy")`);
  checkKeys(options, ["method"], Wh);
  checkPositive(beta, "beta", Wh);
  const method = options.method ?? "auto";
  if (method !== "auto" && !(XY_EXACT_METHODS as readonly string[]).includes(method)) throw new Error(`${Wh}: unknown method "${String(method)}" (known: ${XY_EXACT_METHODS.join(", ")}, auto)`);
  const ok = xyApplicableMethods(system);
  const use: XYExactMethod | null = method !== "auto" ? method : ok.chain === null ? "chain" : ok.quadrature === null ? "quadrature" : null;
  if (use === null) throw new Error(`${Wh}: no exact method applies to ${system.name} (chain: ${ok.chain}; quadrature: ${ok.quadrature})`);
  if (ok[use] !== null) throw new Error(`${Wh}: method "${use}" does not apply to ${system.name}: ${ok[use]}`);
  return use === "chain" ? xyChainExact(system, beta) : xyQuadrature(system, beta, { points: 96 });
}

/**
 * The exact helicity modulus of a uniform XY ring (h = 0) for a twist along
 * the ring, the mean of the estimator C/N − βS²/N of systems/xyObservables.ts:
 * Υ = F''(δ)/N = (N/β) Σ_n n² I_n(βJ)^N / Σ_n I_n(βJ)^N (δ the twist per bond).
 */
export function xyRingHelicity(system: XYSystem, beta: number): number {
  const Wh = "exact.xyRingHelicity";
  if (system === null || typeof system !== "object" || system.kind !== "xy") throw new Error(`${Wh}: system must be an XYSystem (kind "xy")`);
  checkPositive(beta, "beta", Wh);
  const plan = chainPlan(system);
  if (typeof plan === "string") throw new Error(`${Wh}: ${plan}`);
  if (plan.topology !== "ring") throw new Error(`${Wh}: ${system.name} is an open chain, not a ring`);
  const J = plan.J[0];
  if (!plan.J.every((v) => v === J)) throw new Error(`${Wh}: the couplings of ${system.name} are not uniform`);
  const N = system.n;
  const K = beta * J;
  const nmax = Math.max(12, Math.ceil(Math.sqrt(200 * Math.max(Math.abs(K), 1) / Math.min(N, 40))) + 10);
  const r = besselRatios(K, nmax);
  const s = K < 0 ? -1 : 1;
  let S0 = 1, S2 = 0;
  for (let k = 1; k <= nmax; k++) {
    const t = 2 * Math.pow(s ** k * r[k], N);
    S0 += t;
    S2 += k * k * t;
  }
  return (N / beta) * (S2 / S0);
}
