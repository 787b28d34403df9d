/**
 * Exact enumeration of all 2^N states by a Gray code: each step flips one
 * spin, so the energy changes by the single-flip ΔE from maintained local
 * fields (O(degree) per state, not a fresh O(m) energy). Sums are kept in
 * float64 with a running shift (log space), energies are re-synchronised from
 * scratch every 2^16 steps so rounding cannot drift. The shift follows the
 * minimum energy, so the sums are weights e^{−β(E − E_min)} ≤ 1 and moments of
 * E − E_min: ln Z, ⟨E⟩, the entropy S = ln Σ e^{−β(E−E_min)} + β⟨E − E_min⟩ and
 * the specific heat stay finite and accurate at any β (β = 1e3: f = e = E₀/N,
 * S = ln(degeneracy)/N).
 *
 * State index convention (for `probabilities` / `energies`): bit k of the
 * index is spin k, bit 1 ↔ s_k = +1, bit 0 ↔ s_k = −1 (see
 * `stateFromIndex` / `indexOfState` in systems).
 */
import { checkInteger, checkKeys, checkPositive } from "../core/validate";
import type { ExactResult, SpinSystem } from "../systems/types";

/** Largest N that `enumerate` accepts (2^34 states is hours; raise with care). */
export const MAX_ENUMERATE_N = 34;

export interface EnumerateOptions {
  /**
   * Also return the probability and energy of every state (index convention in
   * the module doc). Default: true when n ≤ 16. Allowed up to n = 24.
   */
  probabilities?: boolean;
}

export interface EnumerationResult extends ExactResult {
  /** p(s) for every state index (bit k = spin k, 1 ↔ +1), or null when not requested. */
  probabilities: Float64Array | null;
  /** E(s) for every state index, or null when not requested. */
  energies: Float64Array | null;
  /** Mean magnetisation per spin ⟨m⟩ (zero by symmetry without fields). */
  magnetizationPerSpin: number;
}

const RESYNC = 1 << 16;

/** Why enumeration does not apply to `system`, or null when it does. */
export function enumerateRefusal(system: SpinSystem): string | null {
  if (system.n > MAX_ENUMERATE_N) return `enumeration needs n ≤ ${MAX_ENUMERATE_N}, got n = ${system.n}`;
  return null;
}

/** Exact enumeration (Gray code) of a spin system with n ≤ 34 (seconds up to n ≈ 24–26). */
export function enumerate(system: SpinSystem, beta: number, options: EnumerateOptions = {}): EnumerationResult {
  const W = "exact.enumerate";
  checkKeys(options, ["probabilities"], W);
  checkPositive(beta, "beta", W);
  const n = system.n;
  const refusal = enumerateRefusal(system);
  if (refusal !== null) throw new Error(`${W}: ${refusal}`);
  const wantP = options.probabilities ?? n <= 16;
  if (typeof wantP !== "boolean") throw new Error(`${W}: options.probabilities must be a boolean`);
  if (wantP && n > 24) throw new Error(`${W}: probabilities of every state need n ≤ 24, got n = ${n}`);
  checkInteger(n, "system.n", W, { min: 1 });

  const total = 2 ** n;
  const energies = wantP ? new Float64Array(total) : null;
  // Without fields E(s) = E(−s): enumerate the half with the last spin −1 and double.
  const symmetric = system.fields === null && n > 1;
  const acc = grayCodeSums(system, beta, symmetric ? n - 1 : n, energies);
  let { S0, S1, S2, SA, SM } = acc;
  const Eref = acc.Eref;
  if (symmetric) {
    S0 *= 2;
    S1 *= 2;
    S2 *= 2;
    SA *= 2;
    SM = 0;
    if (energies !== null) for (let x = 0; x < total / 2; x++) energies[total - 1 - x] = energies[x];
  }
  const logZ = Math.log(S0) - beta * Eref;
  const meanD = S1 / S0;
  // moments about Eref (the running minimum): S2/S0 − meanD² has no large cancellation,
  // and at large β both terms vanish together; a tiny negative is rounding
  const varE = Math.max(0, S2 / S0 - meanD * meanD);
  const meanE = Eref + meanD;
  let probabilities: Float64Array | null = null;
  if (energies !== null) {
    probabilities = new Float64Array(total);
    for (let x = 0; x < total; x++) probabilities[x] = Math.exp(-beta * energies[x] - logZ);
  }
  const u = meanE / n;
  return {
    method: "enumerate",
    n,
    beta,
    logZ,
    freeEnergyPerSpin: -logZ / (beta * n),
    energyPerSpin: u,
    // S = β⟨E⟩ + ln Z = ln S0 + β ⟨E − Eref⟩: two non-negative terms, no cancellation of βE at large β
    entropyPerSpin: (Math.log(S0) + beta * meanD) / n,
    specificHeatPerSpin: varE === 0 ? 0 : (beta * beta * varE) / n,
    absMagnetizationPerSpin: SA / S0 / n,
    magnetizationPerSpin: SM / S0 / n,
    probabilities,
    energies,
  };
}

interface Sums {
  Eref: number;
  S0: number;
  S1: number;
  S2: number;
  SA: number;
  SM: number;
}

/**
 * Gray-code sums over the 2^m states of spins 0..m−1 (spins m..n−1 held at −1):
 * Σ w, Σ w (E − Eref), Σ w (E − Eref)², Σ w |M|, Σ w M with w = exp(−β (E − Eref)).
 * One flat loop on locals (no closures over mutated variables: V8 keeps these in registers).
 */
function grayCodeSums(system: SpinSystem, beta: number, m: number, energies: Float64Array | null): Sums {
  const n = system.n;
  const { offsets, index, J } = system.neighbors;
  const h = system.fields;
  const s = new Float64Array(n).fill(-1);
  const field = new Float64Array(n);
  const recompute = (): number => {
    let e = 0;
    for (let i = 0; i < n; i++) {
      const hi = h === null ? 0 : h[i];
      let f = hi;
      for (let p = offsets[i]; p < offsets[i + 1]; p++) f += J[p] * s[index[p]];
      field[i] = f;
      // each edge is counted twice in Σ_i s_i Σ_j J_ij s_j
      e -= 0.5 * s[i] * (f - hi) + hi * s[i];
    }
    return e;
  };
  let E = recompute();
  let M = -n;
  let Eref = E;
  let S0 = 1;
  let S1 = 0;
  let S2 = 0;
  let SA = n;
  let SM = M;
  if (energies !== null) energies[0] = E;
  let idx = 0;
  const pow2 = new Float64Array(Math.max(m, 1));
  for (let k = 0; k < m; k++) pow2[k] = 2 ** k;
  const total = 2 ** m;
  const mask = RESYNC - 1;
  // sums in blocks of 4096 terms, added to the totals once per block: the
  // rounding error of 2^30 running float64 additions would reach ~1e−10 of ln Z
  let B0 = 0;
  let B1 = 0;
  let B2 = 0;
  let BA = 0;
  let BM = 0;
  for (let t = 1; t < total; t++) {
    // the spin to flip is the lowest set bit of t
    let k: number;
    if (t < 2147483648) k = 31 - Math.clz32(t & -t);
    else {
      const low = t % 4294967296;
      k = low === 0 ? 32 + ctz32(t / 4294967296) : ctz32(low);
    }
    const sk = s[k];
    E += 2 * sk * field[k];
    const sn = -sk;
    s[k] = sn;
    M += 2 * sn;
    const d2 = 2 * sn;
    for (let p = offsets[k], end = offsets[k + 1]; p < end; p++) field[index[p]] += d2 * J[p];
    if ((t & mask) === 0) E = recompute();
    let d = E - Eref;
    if (d < 0 && -beta * d > 30) {
      // a new minimum far below the reference: re-centre the sums on E
      const r = Math.exp(beta * d);
      S0 += B0;
      S1 += B1;
      S2 += B2;
      SA += BA;
      SM += BM;
      B0 = B1 = B2 = BA = BM = 0;
      S2 = r * (S2 - 2 * d * S1 + d * d * S0);
      S1 = r * (S1 - d * S0);
      S0 *= r;
      SA *= r;
      SM *= r;
      Eref = E;
      d = 0;
    }
    const w = Math.exp(-beta * d);
    B0 += w;
    const wd = w * d;
    B1 += wd;
    B2 += wd * d;
    BA += w * (M < 0 ? -M : M);
    BM += w * M;
    if ((t & BLOCK_MASK) === 0) {
      S0 += B0;
      S1 += B1;
      S2 += B2;
      SA += BA;
      SM += BM;
      B0 = B1 = B2 = BA = BM = 0;
    }
    if (energies !== null) {
      idx += sn > 0 ? pow2[k] : -pow2[k];
      energies[idx] = E;
    }
  }
  S0 += B0;
  S1 += B1;
  S2 += B2;
  SA += BA;
  SM += BM;
  return { Eref, S0, S1, S2, SA, SM };
}

const BLOCK_MASK = 4095;

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}
