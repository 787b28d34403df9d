/**
 * Exact enumeration of all 2^N states by a Gray code: each step flips one
 * spin, so the energy changes by the single-flip ΔE from maintained local
 * fields (O(degree) per state, not a fresh O(m) energy). Sums are kept in
 * float64 with a running shift (log space), energies are re-synchronised from
 * scratch every 2^16 steps so rounding cannot drift.
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

  const { offsets, index, J } = system.neighbors;
  const h = system.fields;
  const s = new Float64Array(n).fill(-1);
  const field = new Float64Array(n);
  const recompute = (): number => {
    let e = 0;
    for (let i = 0; i < n; i++) {
      let f = h === null ? 0 : h[i];
      for (let p = offsets[i]; p < offsets[i + 1]; p++) f += J[p] * s[index[p]];
      field[i] = f;
      // each edge counted twice in Σ_i s_i Σ_j J_ij s_j
      e -= 0.5 * s[i] * (f - (h === null ? 0 : h[i])) + (h === null ? 0 : h[i] * s[i]);
    }
    return e;
  };
  let E = recompute();
  let M = -n;
  const total = 2 ** n;
  const energies = wantP ? new Float64Array(total) : null;

  // running sums relative to shift c = −β·E_ref, moments of (E − E_ref)
  let Eref = E;
  let S0 = 0;
  let S1 = 0;
  let S2 = 0;
  let SA = 0;
  let SM = 0;
  let idx = 0; // Gray code state index
  const pow2 = new Float64Array(n);
  for (let k = 0; k < n; k++) pow2[k] = 2 ** k;
  const add = (): void => {
    let d = E - Eref;
    if (d < 0 && -beta * d > 30) {
      // new minimum far below the reference: re-centre the sums on E
      const shift = E - Eref; // < 0
      const r = Math.exp(beta * shift); // scale of old weights relative to the new reference
      S2 = r * (S2 - 2 * shift * S1 + shift * shift * S0);
      S1 = r * (S1 - shift * S0);
      S0 *= r;
      SA *= r;
      SM *= r;
      Eref = E;
      d = 0;
    }
    const w = Math.exp(-beta * d);
    S0 += w;
    S1 += w * d;
    S2 += w * d * d;
    SA += w * Math.abs(M);
    SM += w * M;
    if (energies !== null) energies[idx] = E;
  };
  add();
  for (let t = 1; t < total; t++) {
    // the spin to flip is the lowest set bit of t
    const low = t % 4294967296;
    const k = low === 0 ? 32 + ctz32(t / 4294967296) : ctz32(low);
    const sk = s[k];
    E += 2 * sk * field[k];
    const sn = -sk;
    s[k] = sn;
    M += 2 * sn;
    const d2 = 2 * sn;
    for (let p = offsets[k], end = offsets[k + 1]; p < end; p++) field[index[p]] += d2 * J[p];
    idx += sn > 0 ? pow2[k] : -pow2[k];
    if ((t & (RESYNC - 1)) === 0) E = recompute();
    add();
  }
  const logZ = Math.log(S0) - beta * Eref;
  const meanD = S1 / S0;
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
    entropyPerSpin: beta * u + logZ / n,
    specificHeatPerSpin: (beta * beta * varE) / n,
    absMagnetizationPerSpin: SA / S0 / n,
    magnetizationPerSpin: SM / S0 / n,
    probabilities,
    energies,
  };
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}
