/**
 * Exact references for q-state Potts systems, E = −Σ J_ij δ(σ_i, σ_j) − Σ h_i δ(σ_i, 0):
 *
 * - `pottsEnumerate`: all q^N configurations (q^N ≤ 1.5·10⁸) by an odometer
 *   over the digits σ_0 (fastest) … σ_{N−1}; each digit change updates the
 *   energy by ΔE from the neighbours (O(degree)), the state counts, and the
 *   sums in float64 with a running shift (weights e^{−β(E − E_min)} ≤ 1, so
 *   any β is fine); energies are recomputed from scratch every 2^16 states.
 *   Without fields the energy is invariant under relabelling the q states, so
 *   σ_{N−1} = 0 is held fixed and the sums multiplied by q. Gives ln Z, energy,
 *   entropy, specific heat and the mean Potts order parameter
 *   ⟨(q · max_k n_k / N − 1)/(q − 1)⟩ (returned as `orderParameter` and as
 *   `absMagnetizationPerSpin`, which it is for q = 2).
 * - `pottsTransferMatrix`: 2-D grid systems with nearest-neighbour bonds (any
 *   couplings and fields; open or periodic across; open or periodic along),
 *   swept row by row along the longer side. A row vector holds q^W entries
 *   (W the width); a vertical bond of column c acts on digit c by the kernel
 *   e^{βK δ(a, b)} = A + B δ(a, b), i.e. new[b] = A Σ_a v[a] + B v[b] (O(q^W)
 *   per bond), and the bonds and fields within a row are a diagonal factor.
 *   Open along: one vector, cost ≈ L · W · q^W. Periodic along: Tr T^L, one
 *   vector per orbit of starting row states under the symmetries of every row
 *   (relabelling the q states without fields; rotations and reflections of
 *   the columns when periodic across with column-independent couplings),
 *   weighted by the orbit size: 100 starts instead of 6561 for q = 3, W = 8,
 *   so cost ≈ (#orbits) · L · W · q^W (16×8, q = 3: ≈ 5 s). Energy and specific
 *   heat are exact derivatives: the vector carries ∂_β and ∂²_β of itself
 *   (forward mode), so U = −∂_β ln Z and C = β² ∂²_β ln Z need no finite
 *   differences. Every factor is shifted to be ≤ 1 and the vector rescaled to
 *   max 1 after every row (scale kept as a logarithm); β is refused where the
 *   dynamic range of a row vector, bounded by e^{βΔ} (Δ = the couplings and
 *   fields touching one row), would exceed float64 (βΔ > 650).
 * - the exact constants of the square-lattice ferromagnet (J = 1, the δ
 *   convention above): β_c = ln(1 + √q) (self-duality), the critical energy
 *   per site −(1 + 1/√q) (for q ≤ 4 the energy at β_c; for q > 4, first order,
 *   the midpoint of the ordered and disordered energies), and Baxter's latent
 *   heat for q > 4, L = 2(1 + 1/√q) tanh(θ/2) Π_{n≥1} tanh²(nθ), 2 cosh θ = √q.
 *
 * State index convention for `probabilities`/`energies`: x = Σ_k σ_k q^k (see
 * `pottsStateFromIndex` in systems).
 */
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import type { ExactResult, PottsSystem } from "../systems/types";

/** Largest q^N that `pottsEnumerate` accepts (seconds). */
export const MAX_POTTS_ENUMERATE_STATES = 1.5e8;
/** Largest q^N for which `probabilities` can be returned. */
export const MAX_POTTS_PROBABILITY_STATES = 2 ** 22;
/** Largest row-vector length q^W of the transfer matrix. */
export const MAX_POTTS_TRANSFER_STATES = 2 ** 22;
/** Largest transfer-matrix cost (elementary updates, ≈ a few seconds per 10⁹). */
export const MAX_POTTS_TRANSFER_COST = 4e9;
/** Largest β·Δ (Δ: couplings and fields touching one row) the transfer matrix accepts. */
const MAX_TRANSFER_RANGE = 650;
const RESYNC = 1 << 16;

export interface PottsExactResult extends ExactResult {
  /** Mean Potts order parameter ⟨(q max_k n_k/N − 1)/(q − 1)⟩, or null when the method does not give it. */
  orderParameter: number | null;
  /** Number of states per variable. */
  q: number;
}

export interface PottsEnumerationResult extends PottsExactResult {
  orderParameter: number;
  /** p(σ) for every state index x = Σ σ_k q^k, or null when not requested. */
  probabilities: Float64Array | null;
  /** E(σ) for every state index, or null when not requested. */
  energies: Float64Array | null;
}

export interface PottsEnumerateOptions {
  /** Also return every state's probability and energy (default: q^N ≤ 2^16; allowed up to 2^22). */
  probabilities?: boolean;
}

function checkPotts(system: PottsSystem, where: string): void {
  if (system === null || typeof system !== "object" || system.kind !== "potts") throw new Error(`${where}: system must be a PottsSystem (kind "potts")`);
}

/** Why enumeration does not apply to `system`, or null when it does. */
export function pottsEnumerateRefusal(system: PottsSystem): string | null {
  const states = system.q ** system.n;
  if (states > MAX_POTTS_ENUMERATE_STATES) return `enumeration needs q^n ≤ ${MAX_POTTS_ENUMERATE_STATES.toExponential(1)}, got ${system.q}^${system.n} = ${states.toExponential(2)}`;
  return null;
}

/** Exact enumeration of a Potts system with q^N ≤ 1.5·10⁸ (see the module doc). */
export function pottsEnumerate(system: PottsSystem, beta: number, options: PottsEnumerateOptions = {}): PottsEnumerationResult {
  const W = "exact.pottsEnumerate";
  checkPotts(system, W);
  checkKeys(options, ["probabilities"], W);
  checkPositive(beta, "beta", W);
  const refusal = pottsEnumerateRefusal(system);
  if (refusal !== null) throw new Error(`${W}: ${refusal}`);
  const { n, q } = system;
  const total = q ** n;
  const wantP = options.probabilities ?? total <= 2 ** 16;
  if (typeof wantP !== "boolean") throw new Error(`${W}: options.probabilities must be a boolean`);
  if (wantP && total > MAX_POTTS_PROBABILITY_STATES) throw new Error(`${W}: probabilities of every state need q^n ≤ 2^22, got ${q}^${n}`);
  const symmetric = system.permutationSymmetric && system.fields === null && n > 1 && !wantP;
  const digits = symmetric ? n - 1 : n;
  const count = q ** digits;
  const { offsets, index, J } = system.neighbors;
  const h = system.fields;
  const s = new Int32Array(n);
  const counts = new Int32Array(q);
  counts[0] = n;
  const energies = wantP ? new Float64Array(total) : null;
  let E = system.energyOf(s);
  let Eref = E;
  // totals, and block sums flushed into them every 4096 states (pairwise-like summation: 14M terms sum to ≈ 1e−14)
  let S0 = 0;
  let S1 = 0;
  let S2 = 0;
  let SM = 0;
  let b0 = 1;
  let b1 = 0;
  let b2 = 0;
  let bm = 1; // all variables in state 0: order parameter 1
  if (energies !== null) energies[0] = E;
  const qn = q / n;
  const inv = 1 / (q - 1);
  const mask = RESYNC - 1;
  for (let t = 1; t < count; t++) {
    // odometer: digit 0 advances, carrying into the next digits
    let k = 0;
    for (;;) {
      const a = s[k];
      const b = a + 1 === q ? 0 : a + 1;
      let d = 0;
      for (let p = offsets[k], end = offsets[k + 1]; p < end; p++) {
        const c = s[index[p]];
        if (c === a) d += J[p];
        else if (c === b) d -= J[p];
      }
      if (h !== null) {
        if (a === 0) d += h[k];
        else if (b === 0) d -= h[k];
      }
      E += d;
      s[k] = b;
      counts[a]--;
      counts[b]++;
      if (b !== 0) break;
      k++;
    }
    if ((t & mask) === 0) E = system.energyOf(s);
    let max = counts[0];
    for (let c = 1; c < q; c++) if (counts[c] > max) max = counts[c];
    let dE = E - Eref;
    if (dE < 0 && -beta * dE > 30) {
      S0 += b0, S1 += b1, S2 += b2, SM += bm;
      b0 = b1 = b2 = bm = 0;
      const r = Math.exp(beta * dE);
      S2 = r * (S2 - 2 * dE * S1 + dE * dE * S0);
      S1 = r * (S1 - dE * S0);
      S0 *= r;
      SM *= r;
      Eref = E;
      dE = 0;
    }
    const w = Math.exp(-beta * dE);
    b0 += w;
    const wd = w * dE;
    b1 += wd;
    b2 += wd * dE;
    bm += w * (qn * max - 1) * inv;
    if ((t & 4095) === 0) {
      S0 += b0, S1 += b1, S2 += b2, SM += bm;
      b0 = b1 = b2 = bm = 0;
    }
    if (energies !== null) energies[t] = E;
  }
  S0 += b0, S1 += b1, S2 += b2, SM += bm;
  const lnS0 = Math.log(S0) + (symmetric ? Math.log(q) : 0);
  const logZ = lnS0 - beta * Eref;
  const meanD = S1 / S0;
  const varE = Math.max(0, S2 / S0 - meanD * meanD);
  let probabilities: Float64Array | null = null;
  if (energies !== null) {
    probabilities = new Float64Array(total);
    for (let x = 0; x < total; x++) probabilities[x] = Math.exp(-beta * energies[x] - logZ);
  }
  const m = SM / S0;
  return {
    method: "enumerate",
    n,
    q,
    beta,
    logZ,
    freeEnergyPerSpin: -logZ / (beta * n),
    energyPerSpin: (Eref + meanD) / n,
    entropyPerSpin: (lnS0 + beta * meanD) / n,
    specificHeatPerSpin: varE === 0 ? 0 : (beta * beta * varE) / n,
    absMagnetizationPerSpin: m,
    orderParameter: m,
    probabilities,
    energies,
  };
}

// ---------------------------------------------------------------- transfer matrix

interface StripPlan {
  /** Width W (row-vector digits) and length L (rows). */
  W: number;
  L: number;
  /** Coupling of the bond (r, c)–(r, c+1 mod W), [L·W]. */
  Jh: Float64Array;
  /** Coupling of the bond (r−1 mod L, c)–(r, c), [L·W]; row 0 holds the wrap bonds. */
  Jv: Float64Array;
  /** Field on state 0 at (r, c), [L·W]. */
  h: Float64Array;
  periodicAlong: boolean;
  cost: number;
  range: number;
}

function planStrip(system: PottsSystem, transposed: boolean): StripPlan | string {
  const g = system.geometry;
  if (g === null || g.grid.length !== 2) return `the transfer matrix needs a 2-D grid system, ${system.name} has ${g === null ? "no geometry" : `a ${g.grid.length}-D grid`}`;
  const [R, C] = g.grid;
  const L = transposed ? C : R;
  const W = transposed ? R : C;
  // site → (row along the length, column across)
  const rowOf = (site: number) => (transposed ? site % C : Math.floor(site / C));
  const colOf = (site: number) => (transposed ? Math.floor(site / C) : site % C);
  const Jh = new Float64Array(L * W);
  const Jv = new Float64Array(L * W);
  const hv = new Float64Array(L * W);
  const usedH = new Uint8Array(L * W);
  const usedV = new Uint8Array(L * W);
  const { i, j, J } = system.edges;
  for (let k = 0; k < i.length; k++) {
    const ra = rowOf(i[k]), ca = colOf(i[k]), rb = rowOf(j[k]), cb = colOf(j[k]);
    let slot = -1;
    let vertical = false;
    if (ra === rb && W > 1) {
      if (cb === (ca + 1) % W) slot = ra * W + ca;
      else if (ca === (cb + 1) % W) slot = rb * W + cb;
    } else if (ca === cb && L > 1) {
      vertical = true;
      if (rb === (ra + 1) % L) slot = rb * W + ca;
      else if (ra === (rb + 1) % L) slot = ra * W + ca;
    }
    const used = vertical ? usedV : usedH;
    if (slot < 0 || used[slot] === 1) return `the transfer matrix needs nearest-neighbour grid bonds; edge (${i[k]}, ${j[k]}) of ${system.name} is not one`;
    used[slot] = 1;
    (vertical ? Jv : Jh)[slot] = J[k];
  }
  if (system.fields !== null) for (let s = 0; s < system.n; s++) hv[rowOf(s) * W + colOf(s)] = system.fields[s];
  let periodicAlong = false;
  for (let c = 0; c < W; c++) if (usedV[c] === 1) periodicAlong = true;
  const q = system.q;
  const states = q ** W;
  if (states > MAX_POTTS_TRANSFER_STATES) return `the transfer matrix needs q^W ≤ ${MAX_POTTS_TRANSFER_STATES} row states, got ${q}^${W}`;
  const plan: StripPlan = { W, L, Jh, Jv, h: hv, periodicAlong, cost: 0, range: 0 };
  // orbits counted exactly for rows of ≤ 2^16 states; beyond, the bound q^W/q (or q^W with fields): refused anyway
  const starts = !periodicAlong ? 1 : states <= 2 ** 16 ? rowOrbits(plan, q).reps.length : states / (system.fields === null ? q : 1);
  const cost = starts * L * (W + 1) * states;
  // dynamic range of a row vector: the couplings and fields touching one row
  let range = 0;
  for (let r = 0; r < L; r++) {
    let d = 0;
    for (let c = 0; c < W; c++) d += Math.abs(Jh[r * W + c]) + Math.abs(hv[r * W + c]) + Math.abs(Jv[r * W + c]) + Math.abs(Jv[((r + 1) % L) * W + c]);
    if (d > range) range = d;
  }
  plan.cost = cost;
  plan.range = range;
  return plan;
}

/**
 * Orbits of the q^W row states under the symmetries every row of the strip
 * has: relabelling the q states (no fields) and, when every row is periodic
 * across with column-independent couplings and fields, the 2W rotations and
 * reflections of the columns. Representatives are the smallest index of each
 * orbit (so state 0 is one), with the orbit sizes.
 */
function rowOrbits(plan: StripPlan, q: number): { reps: Int32Array; sizes: Float64Array } {
  const cached = orbitCache.get(plan.Jh);
  if (cached !== undefined) return cached;
  const { W, L, Jh, Jv, h } = plan;
  let relabel = true;
  for (let k = 0; k < h.length; k++) if (h[k] !== 0) relabel = false;
  let spatial = W >= 3;
  for (let r = 0; r < L && spatial; r++) {
    for (let c = 1; c < W; c++) {
      if (Jh[r * W + c] !== Jh[r * W] || Jv[r * W + c] !== Jv[r * W] || h[r * W + c] !== h[r * W]) {
        spatial = false;
        break;
      }
    }
    if (Jh[r * W] === 0) spatial = false;
  }
  const S = q ** W;
  const canon = new Int32Array(S);
  const d = new Int32Array(W);
  const t = new Int32Array(W);
  const map = new Int32Array(q);
  const transforms = spatial ? 2 * W : 1;
  for (let a = 0; a < S; a++) {
    let x = a;
    for (let c = 0; c < W; c++) {
      d[c] = x % q;
      x = (x - d[c]) / q;
    }
    let best = S; // the identity (g = 0) is among the transforms, so best ends as an orbit member
    for (let g = 0; g < transforms; g++) {
      const shift = g % W;
      const reflect = g >= W;
      for (let c = 0; c < W; c++) t[c] = d[reflect ? (W - 1 - c + shift) % W : (c + shift) % W];
      if (relabel) {
        map.fill(-1);
        let next = 0;
        for (let c = 0; c < W; c++) {
          if (map[t[c]] < 0) map[t[c]] = next++;
          t[c] = map[t[c]];
        }
      }
      let idx = 0;
      for (let c = W - 1; c >= 0; c--) idx = idx * q + t[c];
      if (idx < best) best = idx;
    }
    canon[a] = best;
  }
  const count = new Map<number, number>();
  for (let a = 0; a < S; a++) count.set(canon[a], (count.get(canon[a]) ?? 0) + 1);
  const reps = Int32Array.from([...count.keys()].sort((u, v) => u - v));
  const sizes = Float64Array.from(reps, (r) => count.get(r) as number);
  const out = { reps, sizes };
  orbitCache.set(plan.Jh, out);
  return out;
}

const orbitCache = new WeakMap<Float64Array, { reps: Int32Array; sizes: Float64Array }>();

function bestPlan(system: PottsSystem): StripPlan | string {
  const a = planStrip(system, false);
  const b = planStrip(system, true);
  if (typeof a === "string" && typeof b === "string") return a;
  if (typeof a === "string") return b;
  if (typeof b === "string") return a;
  return b.cost < a.cost ? b : a;
}

/** Why the transfer matrix does not apply to `system` (at β, when given), or null when it does. */
export function pottsTransferRefusal(system: PottsSystem, beta?: number): string | null {
  const p = bestPlan(system);
  if (typeof p === "string") return p;
  if (p.cost > MAX_POTTS_TRANSFER_COST) return `the transfer matrix would cost ${p.cost.toExponential(1)} updates (more than ${MAX_POTTS_TRANSFER_COST.toExponential(0)}): width ${p.W}, q = ${system.q}${p.periodicAlong ? ", periodic along the strip" : ""}`;
  if (beta !== undefined && beta * p.range > MAX_TRANSFER_RANGE) return `at β = ${beta} the row weights span e^${(beta * p.range).toFixed(0)}, beyond float64 (β·Δ must be ≤ ${MAX_TRANSFER_RANGE}, Δ = ${p.range})`;
  return null;
}

/** The transfer-matrix cost estimate (elementary updates), Infinity where it does not apply. */
export function pottsTransferCost(system: PottsSystem): number {
  const p = bestPlan(system);
  return typeof p === "string" ? Infinity : p.cost;
}

/** A row vector with its first and second β-derivatives. */
interface Dual {
  v: Float64Array;
  d1: Float64Array;
  d2: Float64Array;
}

/**
 * Transfer matrix on a strip of a 2-D grid Potts system (see the module doc):
 * ln Z, and exact energy, entropy and specific heat per site; the order
 * parameter is not computed (null).
 */
export function pottsTransferMatrix(system: PottsSystem, beta: number, options: Record<string, never> = {}): PottsExactResult {
  const Wh = "exact.pottsTransferMatrix";
  checkPotts(system, Wh);
  checkKeys(options, [], Wh);
  checkPositive(beta, "beta", Wh);
  const why = pottsTransferRefusal(system, beta);
  if (why !== null) throw new Error(`${Wh}: ${why}`);
  const p = bestPlan(system) as StripPlan;
  const { W, L, Jh, Jv, h, periodicAlong } = p;
  const q = system.q;
  const S = q ** W;
  const pow = new Int32Array(W + 1);
  pow[0] = 1;
  for (let c = 1; c <= W; c++) pow[c] = pow[c - 1] * q;
  const digit = new Uint8Array(S * W);
  for (let a = 0; a < S; a++) {
    let x = a;
    for (let c = 0; c < W; c++) {
      digit[a * W + c] = x % q;
      x = Math.floor(x / q);
    }
  }
  // per-row diagonal factors e^{β(g − gmax)} and their exponents γ = g − gmax (cached per distinct row)
  let U0 = 0; // Σ of the shifts taken out of the factors (a constant energy gain)
  const rowCache = new Map<string, { e: Float64Array; g: Float64Array; gmax: number }>();
  const rowDiag = (r: number) => {
    const key = Array.from(Jh.subarray(r * W, (r + 1) * W)).join(",") + "|" + Array.from(h.subarray(r * W, (r + 1) * W)).join(",");
    let d = rowCache.get(key);
    if (d === undefined) {
      const g = new Float64Array(S);
      let gmax = -Infinity;
      for (let a = 0; a < S; a++) {
        let x = 0;
        const o = a * W;
        for (let c = 0; c < W; c++) {
          const jh = Jh[r * W + c];
          if (jh !== 0 && digit[o + c] === digit[o + ((c + 1) % W)]) x += jh;
          if (digit[o + c] === 0) x += h[r * W + c];
        }
        g[a] = x;
        if (x > gmax) gmax = x;
      }
      const e = new Float64Array(S);
      for (let a = 0; a < S; a++) {
        g[a] -= gmax;
        e[a] = Math.exp(beta * g[a]);
      }
      d = { e, g, gmax };
      rowCache.set(key, d);
    }
    return d;
  };
  const diags = Array.from({ length: L }, (_, r) => rowDiag(r));
  for (let r = 0; r < L; r++) U0 += diags[r].gmax;
  // vertical kernels e^{βKδ} = A + Bδ with the shift max(K, 0) taken out
  const kern = (K: number) => {
    if (K > 0) {
      const y = Math.exp(-beta * K);
      return { A: y, A1: -K * y, A2: K * K * y, B: -Math.expm1(-beta * K), B1: K * y, B2: -K * K * y };
    }
    if (K < 0) {
      const d = Math.exp(beta * K);
      return { A: 1, A1: 0, A2: 0, B: Math.expm1(beta * K), B1: K * d, B2: K * K * d };
    }
    return { A: 1, A1: 0, A2: 0, B: 0, B1: 0, B2: 0 };
  };
  const kernels = Array.from({ length: L * W }, (_, k) => kern(Jv[k]));
  let Vshift = 0;
  for (let k = 0; k < L * W; k++) if (Jv[k] > 0 && (periodicAlong || k >= W)) Vshift += Jv[k];
  U0 += Vshift;

  const x: Dual = { v: new Float64Array(S), d1: new Float64Array(S), d2: new Float64Array(S) };
  const applyDiag = (r: number) => {
    const { e, g } = diags[r];
    const { v, d1, d2 } = x;
    for (let a = 0; a < S; a++) {
      const ga = g[a];
      const va = v[a];
      const v1 = d1[a];
      d2[a] = e[a] * (d2[a] + 2 * ga * v1 + ga * ga * va);
      d1[a] = e[a] * (v1 + ga * va);
      v[a] = e[a] * va;
    }
  };
  const applyBond = (r: number, c: number) => {
    // K = 0 (no bond) is the all-ones kernel A = 1, B = 0: the digit is summed over
    const { A, A1, A2, B, B1, B2 } = kernels[r * W + c];
    const { v, d1, d2 } = x;
    const st = pow[c];
    const block = st * q;
    for (let hi = 0; hi < S; hi += block) {
      for (let lo = 0; lo < st; lo++) {
        const base = hi + lo;
        let s0 = 0, s1 = 0, s2 = 0;
        for (let t = 0, idx = base; t < q; t++, idx += st) {
          s0 += v[idx];
          s1 += d1[idx];
          s2 += d2[idx];
        }
        const a0 = A * s0;
        const a1 = A1 * s0 + A * s1;
        const a2 = A2 * s0 + 2 * A1 * s1 + A * s2;
        for (let t = 0, idx = base; t < q; t++, idx += st) {
          const va = v[idx];
          const v1 = d1[idx];
          d2[idx] = a2 + B * d2[idx] + 2 * B1 * v1 + B2 * va;
          d1[idx] = a1 + B * v1 + B1 * va;
          v[idx] = a0 + B * va;
        }
      }
    }
  };
  let logScale = 0;
  const rescale = () => {
    const { v, d1, d2 } = x;
    let m = 0;
    for (let a = 0; a < S; a++) if (v[a] > m) m = v[a];
    if (!(m > 0)) throw new Error(`${Wh}: all weights underflowed at β = ${beta}`);
    const inv = 1 / m;
    for (let a = 0; a < S; a++) {
      v[a] *= inv;
      d1[a] *= inv;
      d2[a] *= inv;
    }
    logScale += Math.log(m);
  };
  const propagate = () => {
    for (let r = 1; r < L; r++) {
      for (let c = 0; c < W; c++) applyBond(r, c);
      applyDiag(r);
      rescale();
    }
  };

  let lnz: number;
  let m1: number; // ∂_β ln z
  let m2: number; // ∂²_β ln z
  if (!periodicAlong) {
    x.v.fill(1);
    applyDiag(0);
    rescale();
    propagate();
    let z = 0, z1 = 0, z2 = 0;
    for (let a = 0; a < S; a++) (z += x.v[a]), (z1 += x.d1[a]), (z2 += x.d2[a]);
    lnz = logScale + Math.log(z);
    m1 = z1 / z;
    m2 = z2 / z - m1 * m1;
  } else {
    // Tr T^L = Σ over orbits of starting row states (under the row symmetries) of |orbit| · (T^L)_{aa}
    const { reps, sizes } = rowOrbits(p, q);
    const nStarts = reps.length;
    const ls = new Float64Array(nStarts);
    const z0 = new Float64Array(nStarts);
    const z1a = new Float64Array(nStarts);
    const z2a = new Float64Array(nStarts);
    for (let k = 0; k < nStarts; k++) {
      const s0 = reps[k];
      x.v.fill(0);
      x.d1.fill(0);
      x.d2.fill(0);
      x.v[s0] = 1;
      logScale = 0;
      applyDiag(0);
      propagate();
      for (let c = 0; c < W; c++) applyBond(0, c);
      ls[k] = logScale + Math.log(sizes[k]);
      z0[k] = x.v[s0];
      z1a[k] = x.d1[s0];
      z2a[k] = x.d2[s0];
    }
    let M = -Infinity;
    for (let k = 0; k < nStarts; k++) if (ls[k] + Math.log(z0[k]) > M) M = ls[k] + Math.log(z0[k]);
    let z = 0, z1 = 0, z2 = 0;
    for (let k = 0; k < nStarts; k++) {
      const w = Math.exp(ls[k] - M);
      z += w * z0[k];
      z1 += w * z1a[k];
      z2 += w * z2a[k];
    }
    lnz = M + Math.log(z);
    m1 = z1 / z;
    m2 = z2 / z - m1 * m1;
  }
  const n = system.n;
  const logZ = beta * U0 + lnz;
  const u = -(U0 + m1) / n;
  // rounding of the ⟨E²⟩ − ⟨E⟩² difference, relative to the squares involved
  const cBound = 64 * Number.EPSILON * (Math.abs(m2) + m1 * m1) * beta * beta / n;
  let c = (beta * beta * m2) / n;
  if (c < 0 && -c <= cBound) c = 0;
  return {
    method: "transfer-matrix",
    n,
    q,
    beta,
    logZ,
    freeEnergyPerSpin: -logZ / (beta * n),
    energyPerSpin: u,
    entropyPerSpin: beta * u + logZ / n,
    specificHeatPerSpin: c,
    absMagnetizationPerSpin: null,
    orderParameter: null,
  };
}

// ---------------------------------------------------------------- exact() for Potts

export type PottsExactMethod = "enumerate" | "transfer-matrix";
export const POTTS_EXACT_METHODS: readonly PottsExactMethod[] = ["enumerate", "transfer-matrix"];

export interface PottsExactOptions {
  /** "enumerate", "transfer-matrix" or "auto" (default: enumeration up to q^N ≤ 2^20, else the transfer matrix where it applies, else enumeration). */
  method?: PottsExactMethod | "auto";
  /** With enumeration: also return every state's probability. */
  probabilities?: boolean;
}

/** For each method, null where it applies to the system (at β, when given), else why not. */
export function pottsApplicableMethods(system: PottsSystem, beta?: number): Record<PottsExactMethod, string | null> {
  return { enumerate: pottsEnumerateRefusal(system), "transfer-matrix": pottsTransferRefusal(system, beta) };
}

/** The exact reference for a Potts system: enumeration or the transfer matrix (see `PottsExactOptions`). */
export function pottsExact(system: PottsSystem, beta: number, options: PottsExactOptions = {}): PottsExactResult | PottsEnumerationResult {
  const W = "exact.pottsExact";
  checkPotts(system, W);
  checkKeys(options, ["method", "probabilities"], W);
  checkPositive(beta, "beta", W);
  const method = options.method ?? "auto";
  if (method !== "auto" && !(POTTS_EXACT_METHODS as readonly string[]).includes(method)) throw new Error(`${W}: unknown method "${String(method)}" (known: ${POTTS_EXACT_METHODS.join(", ")}, auto)`);
  const ok = pottsApplicableMethods(system, beta);
  const probs = options.probabilities === undefined ? {} : { probabilities: options.probabilities };
  if (method === "enumerate" || (method === "auto" && (options.probabilities === true || system.q ** system.n <= 2 ** 20 || (ok["transfer-matrix"] !== null && ok.enumerate === null)))) {
    if (ok.enumerate !== null) throw new Error(`${W}: method "enumerate" does not apply to ${system.name}: ${ok.enumerate}`);
    return pottsEnumerate(system, beta, probs);
  }
  if (options.probabilities === true) throw new Error(`${W}: probabilities are only available with method "enumerate"`);
  if (ok["transfer-matrix"] !== null) {
    if (method === "auto") throw new Error(`${W}: no exact method applies to ${system.name} (enumerate: ${ok.enumerate}; transfer-matrix: ${ok["transfer-matrix"]})`);
    throw new Error(`${W}: method "transfer-matrix" does not apply to ${system.name}: ${ok["transfer-matrix"]}`);
  }
  return pottsTransferMatrix(system, beta);
}

// ---------------------------------------------------------------- exact constants

function checkQ(q: unknown, where: string): number {
  return checkInteger(q, "q", where, { min: 2 });
}

/** β_c = ln(1 + √q)/J of the square-lattice q-state Potts ferromagnet (δ convention, coupling J > 0, default 1). */
export function pottsCriticalBeta(q: number, J = 1): number {
  const W = "pottsCriticalBeta";
  checkQ(q, W);
  checkNumber(J, "J", W, { above: 0 });
  return Math.log(1 + Math.sqrt(q)) / J;
}

/**
 * The exact energy per site at β_c of the square-lattice Potts ferromagnet,
 * −J (1 + 1/√q) (δ convention): the critical energy for q ≤ 4, the midpoint of
 * the two coexisting energies for q > 4 (first order; see `pottsLatentHeat`).
 */
export function pottsCriticalEnergy(q: number, J = 1): number {
  const W = "pottsCriticalEnergy";
  checkQ(q, W);
  checkNumber(J, "J", W, { above: 0 });
  return -J * (1 + 1 / Math.sqrt(q));
}

/**
 * Baxter's latent heat per site of the square-lattice Potts ferromagnet at β_c
 * (q > 4; 0 for q ≤ 4): L = 2J(1 + 1/√q) tanh(θ/2) Π_{n≥1} tanh²(nθ) with
 * 2 cosh θ = √q. The coexisting energies are pottsCriticalEnergy(q) ± L/2.
 */
export function pottsLatentHeat(q: number, J = 1): number {
  const W = "pottsLatentHeat";
  checkQ(q, W);
  checkNumber(J, "J", W, { above: 0 });
  if (q <= 4) return 0;
  const theta = Math.acosh(Math.sqrt(q) / 2);
  let prod = 1;
  for (let k = 1; k < 10000; k++) {
    const t = Math.tanh(k * theta);
    const f = t * t;
    prod *= f;
    if (1 - f < 1e-17) break;
  }
  return 2 * J * (1 + 1 / Math.sqrt(q)) * Math.tanh(theta / 2) * prod;
}
