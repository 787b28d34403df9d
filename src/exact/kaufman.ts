/**
 * Kaufman's exact partition function of the finite M×N Ising model on a torus
 * (periodic in both directions, uniform coupling J, zero field), B. Kaufman,
 * Phys. Rev. 76, 1232 (1949); form as in P. D. Beale, PRL 76, 78 (1996):
 *
 *   Z = ½ (2 sinh 2K)^{MN/2} [Π 2cosh(Mγ_{2r+1}/2) + Π 2sinh(Mγ_{2r+1}/2)
 *                            + Π 2cosh(Mγ_{2r}/2)   + Π 2sinh(Mγ_{2r}/2)],   r = 0..N−1,
 *   cosh γ_k = cosh 2K coth 2K − cos(πk/N)  (k ≥ 1),   γ_0 = 2K + ln tanh K  (signed),
 *
 * K = βJ, M rows, N columns. An antiferromagnet (J < 0) on a torus with even
 * M and N maps to the ferromagnet by flipping one sublattice.
 *
 * Numerics, stable at any K (tested to β = 1e3, the ground-state limit):
 * everything is written in z = e^{−2K} and w = 1 − z² = −expm1(−4K), which
 * neither overflow nor cancel: ln(2 sinh 2K) = 2K + ln w, and for k ≠ 0
 *
 *   γ_k = 2K − ln w + ln P_k + ρ_k,   P_k = (1 + z²)² − 2 z w cos θ_k,   θ_k = πk/N,
 *   ρ_k = ln((1 + tanh γ_k)/2) = log1p(−a²/(2(1 + r))),  a = 1/cosh γ_k = 2zw/P_k,  r = tanh γ_k,
 *
 * (near T_c, where a → 1, a and r come from x = cosh γ − 1 = (2z − w)²/(2zw) + 2 sin²(θ/2)).
 * ln Z is a log-sum-exp of the four signed products. The energy and specific
 * heat are analytic: γ′, γ″ by the chain rule through z(K) (so the linear 2K
 * drops out of γ″ exactly and nothing cancels at large K), the products'
 * logarithmic derivatives Σ x′ tanh x, Σ (x″ tanh x + x′² sech² x) (coth, −csch²
 * for the sinh products; the k = 0 factor of the even sinh product, which
 * vanishes at T_c, by the product rule where |x_0| < ½), and the four terms combined in the
 * centred form (ln Z)″ = Σ_a p_a [D2_a + (D_a − D̄)²], D̄ = Σ_a p_a D_a. What
 * cancellation remains (the base term's −8MN z² against the products at
 * large K) is tracked as a rounding bound; a C < 0 within that bound is
 * rounding and is reported as 0, a larger one throws.
 */
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import type { ExactResult, SpinSystem } from "../systems/types";

const EPS = Number.EPSILON;

function logCosh2(x: number): number {
  // ln(2 cosh x)
  const a = Math.abs(x);
  return a + Math.log1p(Math.exp(-2 * a));
}

function logAbsSinh2(x: number): number {
  // ln|2 sinh x|
  const a = Math.abs(x);
  return a + Math.log(-Math.expm1(-2 * a));
}

/** γ_k and its first two K-derivatives, with a magnitude bound on the terms of γ″ (for the rounding estimate). */
interface Gamma {
  g: number;
  g1: number;
  g2: number;
  g2abs: number;
}

function gammaOf(k: number, N: number, K: number, z: number, w: number): Gamma {
  if (k % (2 * N) === 0) {
    // γ_0 = 2K + ln tanh K, γ_0′ = 2 + 2/sinh 2K, γ_0″ = −4 cosh 2K / sinh² 2K
    const g = 2 * K + Math.log(-Math.expm1(-2 * K)) - Math.log1p(z);
    const g2 = (-8 * z * (1 + z * z)) / (w * w);
    return { g, g1: 2 + (4 * z) / w, g2, g2abs: Math.abs(g2) };
  }
  const th = (Math.PI * k) / N;
  const c = Math.cos(th);
  const sn = Math.sin(th / 2);
  const q = 2 * sn * sn;
  const z2 = z * z;
  const P = (1 + z2) * (1 + z2) - 2 * z * w * c;
  // derivatives of P in z, then in K (dz/dK = −2z)
  const Pz = 4 * z * (1 + z2) - 2 * c * (1 - 3 * z2);
  const Pzz = 4 + 12 * z2 + 12 * z * c;
  const PK = -2 * z * Pz;
  const PKK = 4 * z2 * Pzz + 4 * z * Pz;
  let a = (2 * z * w) / P;
  let r: number;
  if (a < 0.5) r = Math.sqrt((1 - a) * (1 + a));
  else {
    // near T_c: a and r from x = cosh γ − 1 without cancellation
    const d = 2 * z - w;
    const x = (d * d) / (2 * z * w) + q;
    a = 1 / (1 + x);
    r = Math.sqrt(x * (x + 2)) / (1 + x);
  }
  const rho = Math.log1p((-a * a) / (2 * (1 + r)));
  const lnwK = (4 * z2) / w;
  const lnwKK = (-16 * z2) / w - (16 * z2 * z2) / (w * w);
  const lnPK = PK / P;
  const lnPKK = PKK / P - lnPK * lnPK;
  // ln a = ln 2 + ln z + ln w − ln P
  const LK = -2 + lnwK - lnPK;
  const LKK = lnwKK - lnPKK;
  const aK = a * LK;
  const aKK = a * (LKK + LK * LK);
  const rhoA = -a / (r * (1 + r));
  const rhoAA = -1 / (r * (1 + r)) - (a * a * (1 + 2 * r)) / (r * r * r * (1 + r) * (1 + r));
  const g = 2 * K - Math.log(w) + Math.log(P) + rho;
  const g1 = 2 - lnwK + lnPK + rhoA * aK;
  const g2 = -lnwKK + lnPKK + rhoAA * aK * aK + rhoA * aKK;
  const g2abs = Math.abs(lnwKK) + Math.abs(PKK / P) + lnPK * lnPK + Math.abs(rhoAA * aK * aK) + Math.abs(rhoA * a) * (Math.abs(LKK) + LK * LK);
  return { g, g1, g2, g2abs };
}

/** ln Z of the M×N torus at K = βJ > 0 (ferromagnet) and its first two K-derivatives. */
export interface KaufmanTerms {
  logZ: number;
  /** ∂ ln Z / ∂K. */
  d1: number;
  /** ∂² ln Z / ∂K². */
  d2: number;
  /** A bound on the rounding error of d2. */
  d2err: number;
}

/** One of the four products: log magnitude, sign, and scaled derivatives v0, v1, v2 (T = sign·e^ℓ·v0, T′ = sign·e^ℓ·v1 ...), centred later. */
interface Term {
  l: number;
  sign: number;
  /** Regular product: D = (ln T)′, D2 = (ln T)″; special (k = 0 sinh factor split off): the factor's x0, x0′, x0″. */
  D: number;
  D2: number;
  D2abs: number;
  special: null | { t: number; x1: number; x2: number };
}

/** ln Z and its K-derivatives for the M×N torus (ferromagnet, K > 0). */
export function kaufmanTerms(M: number, N: number, K: number): KaufmanTerms {
  const z = Math.exp(-2 * K);
  const w = -Math.expm1(-4 * K);
  const MN = M * N;
  const base = MN * K + (MN / 2) * Math.log(w) - Math.LN2;
  const baseK = MN * (1 + (2 * z * z) / w);
  const baseKK = -8 * MN * ((z * z) / w + (z * z * z * z) / (w * w));
  const terms: Term[] = [];
  for (const parity of [1, 0]) {
    let lc = 0;
    let dc = 0;
    let d2c = 0;
    let d2cAbs = 0;
    let ls = 0;
    let ds = 0;
    let d2s = 0;
    let d2sAbs = 0;
    let sign = 1;
    let special: Term["special"] = null;
    for (let r = 0; r < N; r++) {
      const k = 2 * r + parity;
      const gm = gammaOf(k, N, K, z, w);
      const x = (M * gm.g) / 2;
      const x1 = (M * gm.g1) / 2;
      const x2 = (M * gm.g2) / 2;
      const x2abs = (M * gm.g2abs) / 2;
      const e = Math.exp(-2 * Math.abs(x));
      const th = Math.tanh(x);
      const sech2 = (4 * e) / ((1 + e) * (1 + e));
      lc += logCosh2(x);
      dc += x1 * th;
      d2c += x2 * th + x1 * x1 * sech2;
      d2cAbs += x2abs + x1 * x1 * sech2;
      if (k % (2 * N) === 0 && Math.abs(x) < 0.5) {
        // the factor 2 sinh x0 near its zero at T_c: kept apart, scaled by 2 cosh x0
        // (away from it the regular form is used: there tanh x0 ≈ ±1 would make the split cancel)
        special = { t: th, x1, x2 };
        ls += logCosh2(x);
        continue;
      }
      const em = -Math.expm1(-2 * Math.abs(x));
      const coth = (Math.sign(x) * (1 + e)) / em;
      const csch2 = (4 * e) / (em * em);
      ls += logAbsSinh2(x);
      if (x < 0) sign = -sign;
      ds += x1 * coth;
      d2s += x2 * coth - x1 * x1 * csch2;
      d2sAbs += x2abs * Math.abs(coth) + x1 * x1 * csch2;
    }
    terms.push({ l: lc, sign: 1, D: dc, D2: d2c, D2abs: d2cAbs, special: null });
    terms.push({ l: ls, sign, D: ds, D2: d2s, D2abs: d2sAbs, special });
  }
  let lmax = -Infinity;
  for (const t of terms) lmax = Math.max(lmax, t.l);
  // weights W_a v0_a of each term, and the mean log-derivative D̄ = Z′/Z
  let s0 = 0;
  let s1 = 0;
  const wts: number[] = [];
  for (const t of terms) {
    const W = t.sign * Math.exp(t.l - lmax);
    wts.push(W);
    if (t.special === null) {
      s0 += W;
      s1 += W * t.D;
    } else {
      s0 += W * t.special.t;
      s1 += W * (t.special.x1 + t.special.t * t.D);
    }
  }
  const Dbar = s1 / s0;
  // centred second derivative: Σ W ṽ2 / Z with ṽ2 the second derivative of T·e^{−D̄K}
  let s2 = 0;
  let s2abs = 0;
  for (let a = 0; a < terms.length; a++) {
    const t = terms[a];
    const W = wts[a];
    const dl = t.D - Dbar;
    if (t.special === null) {
      s2 += W * (t.D2 + dl * dl);
      s2abs += Math.abs(W) * (t.D2abs + dl * dl + 4 * EPS * Math.abs(t.D) * Math.abs(dl));
    } else {
      const { t: th, x1, x2 } = t.special;
      const v2 = x2 + x1 * x1 * th + 2 * x1 * dl + th * (t.D2 + dl * dl);
      s2 += W * v2;
      s2abs += Math.abs(W) * (Math.abs(x2) + x1 * x1 + 2 * Math.abs(x1 * dl) + t.D2abs + dl * dl);
    }
  }
  const logZ = base + lmax + Math.log(s0);
  const d2 = baseKK + s2 / s0;
  const d2err = 64 * EPS * (Math.abs(baseKK) + s2abs / Math.abs(s0) + Math.abs(d2));
  return { logZ, d1: baseK + Dbar, d2, d2err };
}

/** ln Z of the M×N torus at K = βJ > 0 (ferromagnet). */
export function kaufmanLogZ(M: number, N: number, K: number): number {
  return kaufmanTerms(M, N, K).logZ;
}

/** ExactResult from the analytic terms: U = −|J| ∂_K ln Z, C = K² ∂²_K ln Z, S = ln Z − K ∂_K ln Z (per spin). */
function kaufmanResult(M: number, N: number, beta: number, absJ: number, where: string): ExactResult {
  const K = beta * absJ;
  const t = kaufmanTerms(M, N, K);
  const n = M * N;
  let c = (K * K * t.d2) / n;
  const cErr = (K * K * t.d2err) / n;
  if (c < 0) {
    if (-c > cErr) throw new Error(`${where}: specific heat ${c} < 0 beyond its rounding bound ${cErr.toExponential(2)} at β = ${beta}`);
    c = 0; // within the rounding bound: the true value is below what float64 resolves here
  }
  const result: ExactResult = {
    method: "kaufman",
    n,
    beta,
    logZ: t.logZ,
    freeEnergyPerSpin: -t.logZ / (beta * n),
    energyPerSpin: (-absJ * t.d1) / n,
    entropyPerSpin: (t.logZ - K * t.d1) / n,
    specificHeatPerSpin: c,
    absMagnetizationPerSpin: null,
  };
  for (const [k, v] of Object.entries(result)) {
    if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`${where}: ${k} is not finite (${v}) at β = ${beta} for the ${M}×${N} torus`);
  }
  return result;
}

interface TorusInfo {
  M: number;
  N: number;
  J: number;
}

function torusOf(system: SpinSystem): { error: string; info: null } | { error: null; info: TorusInfo } {
  const g = system.geometry;
  if (system.fields !== null) return { error: "Kaufman's formula needs zero field", info: null };
  if (g === null || g.grid.length !== 2) return { error: "Kaufman's formula needs a 2-D grid geometry", info: null };
  if (!g.periodic[0] || !g.periodic[1]) return { error: "Kaufman's formula needs periodic boundaries in both directions", info: null };
  const [M, N] = g.grid;
  if (M < 3 || N < 3) return { error: `Kaufman's formula needs a torus of at least 3×3, got ${M}×${N}`, info: null };
  const { i, j, J } = system.edges;
  if (i.length !== 2 * M * N) return { error: `Kaufman's formula needs the ${2 * M * N} nearest-neighbour bonds of the ${M}×${N} torus, got ${i.length} edges`, info: null };
  const J0 = J[0];
  for (let k = 0; k < i.length; k++) {
    if (J[k] !== J0) return { error: "Kaufman's formula needs one uniform coupling J (this system has several values)", info: null };
    const [r1, c1] = [Math.floor(i[k] / N), i[k] % N];
    const [r2, c2] = [Math.floor(j[k] / N), j[k] % N];
    const dr = Math.min((r2 - r1 + M) % M, (r1 - r2 + M) % M);
    const dc = Math.min((c2 - c1 + N) % N, (c1 - c2 + N) % N);
    if (dr + dc !== 1) return { error: `Kaufman's formula needs nearest-neighbour bonds only; edge (${i[k]}, ${j[k]}) is not one`, info: null };
  }
  if (J0 === 0) return { error: "Kaufman's formula needs J ≠ 0", info: null };
  if (J0 < 0 && (M % 2 !== 0 || N % 2 !== 0)) return { error: `the antiferromagnet maps to Kaufman's ferromagnet only for even sizes, got ${M}×${N}`, info: null };
  return { error: null, info: { M, N, J: J0 } };
}

/** Why Kaufman's formula does not apply, or null. */
export function kaufmanRefusal(system: SpinSystem): string | null {
  return torusOf(system).error;
}

/** Exact result for the uniform periodic M×N Ising model (Kaufman). */
export function kaufman(system: SpinSystem, beta: number, options: Record<string, never> = {}): ExactResult {
  const W = "exact.kaufman";
  checkKeys(options, [], W);
  checkPositive(beta, "beta", W);
  const t = torusOf(system);
  if (t.error !== null) throw new Error(`${W}: ${t.error}`);
  const { M, N, J } = t.info;
  return kaufmanResult(M, N, beta, Math.abs(J), W);
}

export interface KaufmanLatticeOptions {
  /** Rows (linear size L of an L×L torus). */
  L: number;
  /** Columns (default L). */
  cols?: number;
  /** Inverse temperature. */
  beta: number;
  /** Coupling (default 1; negative needs even sizes). */
  J?: number;
}

/** Kaufman's result for an L×L (or L×cols) periodic Ising model without building the system. */
export function kaufmanLattice(options: KaufmanLatticeOptions): ExactResult {
  const W = "exact.kaufmanLattice";
  checkKeys(options, ["L", "cols", "beta", "J"], W);
  const M = checkInteger(options?.L, "L", W, { min: 3 });
  const N = checkInteger(options.cols ?? M, "cols", W, { min: 3 });
  const beta = checkPositive(options.beta, "beta", W);
  const J = checkNumber(options.J ?? 1, "J", W);
  if (J === 0) throw new Error(`${W}: J must be non-zero`);
  if (J < 0 && (M % 2 !== 0 || N % 2 !== 0)) throw new Error(`${W}: the antiferromagnet needs even sizes, got ${M}×${N}`);
  return kaufmanResult(M, N, beta, Math.abs(J), W);
}
