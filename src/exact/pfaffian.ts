/**
 * Pfaffian method for zero-field Ising models on R×C grids with nearest-
 * neighbour bonds of any couplings, periodic in one, both or neither
 * direction (the torus, the cylinder, the open grid).
 *
 * High-temperature expansion: with w_e = tanh(βJ_e),
 *   Z = 2^N Π_e cosh(βJ_e) · Z_even,   Z_even = Σ_{G even} Π_{e∈G} w_e,
 * the sum over edge sets G with even degree at every site. Z_even is a sum of
 * perfect matchings of a decorated graph: each site becomes a "city" of four
 * terminals (E, N, W, S) joined as K4 with weight 1, each bond e joins the
 * facing terminals of its two sites with weight w_e; a bond edge in the
 * matching is a bond of G, and the terminals of absent bonds pair up inside
 * their city (0 or 1 way for 2 or 4 free terminals once the three K4 matchings
 * of a bare city are summed with the Pfaffian's signs). With every edge
 * oriented from the lower to the higher node index, Pf(K) = ±Z_even on the
 * open grid (checked against enumeration). On a periodic direction an even
 * subgraph's sign also depends on its homology class c ∈ {0,1}^p (the parity
 * of its crossings of each seam); flipping the seam bonds of direction d
 * (twist t_d = −1) multiplies class c by t_d^{c_d}, so
 *   Pf(K_t) = Σ_c ε(c) Π_d t_d^{c_d} Z_c,   Z_even = Σ_c Z_c = Σ_t κ_t Pf(K_t),
 *   κ_t = 2^{−p} Σ_c ε(c) Π_d t_d^{c_d}
 * over the 2^p twists (four on the torus: the four spin structures). The signs
 * ε(c) are not derived by hand but measured once per lattice: Pf at w = 0 is
 * ε(0), and Pf with w = 1 on one loop of class c and 0 elsewhere is ε(0) + ε(c)
 * (exact small integers).
 *
 * Low-temperature expansion (the torus at β·max|J| ≥ 1): Z = 2 e^{βΣJ} ·
 * Σ_{D cut} Π_{e∈D} e^{−2βJ_e} over the sets D of broken bonds, which are the
 * even subgraphs of trivial class on the dual torus: the same construction on
 * the dual lattice, positive weights, Z_cuts = |¼ Σ_t Pf(K*_t)| (see
 * makeDualPlan). Both expansions agree to 1e-13 in ln Z/N where both work.
 *
 * Pfaffians: skew-symmetric Parlett–Reid elimination (2×2 pivots, symmetric
 * row/column exchanges with threshold pivoting, preferring pivots that do not
 * widen the band) on a sliding dense window: the nodes are ordered by grid
 * lines (rows or columns, "folded" 0, L−1, 1, L−2, … on a periodic direction so
 * that the wrap-around bonds are short), which makes K banded with half-width
 * b ≈ 8·min(R, C) on the torus; cost O(n b²) per Pfaffian with n = 4N nodes.
 *
 * Precision: at low temperature the Pfaffians' eliminations lose digits
 * like e^{cβ} (the high-temperature Z_even ≈ 2^−430 at β = 3 for 256 spins:
 * K is very ill-conditioned), and the final signed sum over twists cancels
 * like e^{βΔ} with Δ the gap between boundary conditions (3e2 at β = 3, 8e5
 * at β = 5 on the TwoBo L = 16 torus). The float64 result is computed in two
 * node orders (the order and its reverse); their difference estimates its
 * error. When that exceeds the tolerance the computation is repeated in
 * double-double arithmetic (≈ 32 digits; tanh βJ formed as (1 − q)/(1 + q),
 * q = e^{−2|βJ|}, so the inputs carry only the conditioning of the physics),
 * whose error is estimated as the larger of the double-double difference
 * between the two orders and the float64 difference scaled by the ratio of
 * unit roundoffs (2^−51). When even that is not enough an Error says so and
 * names an estimate of the largest β that can be done. No silently wrong
 * numbers: a non-positive Z also throws.
 * Measured on the TwoBo 2D_EA_PM_L16_0 torus (relative error of Z):
 * high-temperature float64 2.5e-14 at β = 1, 1.4e-10 at β = 2, 7e-7 at β = 3;
 * double-double 3e-22 at β = 3, 4e-14 at β = 5, refused beyond β ≈ 6.
 * Low-temperature (the default there): float64 1.3e-9 at β = 3; double-double
 * 6e-25 at β = 3, 1e-18 at β = 5, 1e-11 at β = 7, refused beyond β ≈ 7.6
 * (for ln Z; the energy needs ≈ 1e-11 at N = 256).
 *
 * Energy and specific heat: 7-point central differences of ln Z_even (or
 * ln Z_cuts) in β with step h = min(10⁻³/max|J|, β/8) (the analytic part is
 * differentiated exactly): truncation h⁶/140·∂⁷ln Z and h⁶/560·∂⁸ln Z (≈ 1e-12 per
 * spin at the critical point of the 16×16 ferromagnet, where the 5-point
 * rule's h⁴ term was 1.4e-8); rounding ≈ 2δ/h and 6δ/h² with δ the relative
 * error of Z_even (see the tolerance below).
 */
import { checkKeys, checkOneOf, checkPositive } from "../core/validate";
import type { ExactResult, SpinSystem } from "../systems/types";
import { DD, ddAdd, ddMul, ddTanh } from "./doubledouble";

/**
 * Relative error δ of Z_even accepted (= absolute error of ln Z): for ln Z
 * alone 1e-9; when the energy and specific heat are wanted, the finite
 * differences turn δ into ≈ 2δ/h in the energy and 6δβ²/h² in the specific
 * heat (totals; h = 1e-3), so δ ≤ 1e-13·max(1, N/β²) keeps the specific heat
 * per spin within ≈ 1e-6 (and the energy per spin within ≈ 1e-9).
 */
const TOL_LOGZ = 1e-9;
function tolDeriv(n: number, beta: number): number {
  return Math.min(TOL_LOGZ, 1e-13 * Math.max(1, n / (beta * beta)));
}
/** Unit roundoffs. */
const U64 = 2 ** -53;
const UDD = 2 ** -104;
/** Threshold pivoting: a pivot within this factor of the column maximum is accepted. */
const PIVOT_THRESHOLD = 0.1;

interface Lattice {
  R: number;
  C: number;
  periodic: [boolean, boolean];
  /** Bond endpoints (sites), direction (0 vertical, 1 horizontal), seam (−1, or the direction whose wrap it is). */
  bu: Int32Array;
  bv: Int32Array;
  dir: Int8Array;
  seam: Int8Array;
  /** Bond couplings (several system edges on one bond are added; absent wrap bonds of size-2 dimensions are 0); |J| on the dual lattice. */
  bJ: Float64Array;
}

/** Why the Pfaffian method does not apply, or null. */
export function pfaffianRefusal(system: SpinSystem): string | null {
  return latticeOf(system).error;
}

function latticeOf(system: SpinSystem): { error: string; lattice: null } | { error: null; lattice: Lattice } {
  const fail = (error: string) => ({ error, lattice: null }) as const;
  if (system.fields !== null) return fail("the Pfaffian method needs zero field (this system has fields)");
  const g = system.geometry;
  if (g === null || g.grid.length !== 2) return fail("the Pfaffian method needs a 2-D grid geometry");
  const [R, C] = g.grid;
  if (R < 2 || C < 2) return fail(`the Pfaffian method needs a grid of at least 2×2, got ${R}×${C}`);
  const periodic: [boolean, boolean] = [g.periodic[0] === true, g.periodic[1] === true];
  const n = R * C;
  if (system.n !== n) return fail(`the geometry ${R}×${C} does not match n = ${system.n}`);
  // bond slots: vertical (r,c)-(r+1,c) and horizontal (r,c)-(r,c+1), wrap-around ones on periodic directions
  const bu: number[] = [];
  const bv: number[] = [];
  const dir: number[] = [];
  const seam: number[] = [];
  const slot = new Map<number, number>(); // key site·2 + dir → bond index
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const s = r * C + c;
      if (r + 1 < R || periodic[0]) {
        slot.set(2 * s, bu.length);
        bu.push(s);
        bv.push(((r + 1) % R) * C + c);
        dir.push(0);
        seam.push(r + 1 < R ? -1 : 0);
      }
      if (c + 1 < C || periodic[1]) {
        slot.set(2 * s + 1, bu.length);
        bu.push(s);
        bv.push(r * C + ((c + 1) % C));
        dir.push(1);
        seam.push(c + 1 < C ? -1 : 1);
      }
    }
  }
  const bJ = new Float64Array(bu.length);
  const { i, j, J } = system.edges;
  for (let k = 0; k < i.length; k++) {
    const a = i[k];
    const b = j[k];
    const ra = Math.floor(a / C);
    const ca = a - ra * C;
    const rb = Math.floor(b / C);
    const cb = b - rb * C;
    let key = -1;
    // prefer the non-wrapping slot (a size-2 periodic direction has the pair twice)
    if (ra === rb && cb === ca + 1) key = 2 * a + 1;
    else if (ra === rb && ca === cb + 1) key = 2 * b + 1;
    else if (ca === cb && rb === ra + 1) key = 2 * a;
    else if (ca === cb && ra === rb + 1) key = 2 * b;
    else if (ra === rb && periodic[1] && ca === 0 && cb === C - 1) key = 2 * b + 1;
    else if (ra === rb && periodic[1] && cb === 0 && ca === C - 1) key = 2 * a + 1;
    else if (ca === cb && periodic[0] && ra === 0 && rb === R - 1) key = 2 * b;
    else if (ca === cb && periodic[0] && rb === 0 && ra === R - 1) key = 2 * a;
    const e = key < 0 ? undefined : slot.get(key);
    if (e === undefined) {
      return fail(`the Pfaffian method needs nearest-neighbour bonds of the ${R}×${C} grid (${periodic[0] ? "periodic" : "open"} × ${periodic[1] ? "periodic" : "open"}): edge (${a}, ${b}) is not one`);
    }
    bJ[e] += J[k];
  }
  return {
    error: null,
    lattice: { R, C, periodic, bu: Int32Array.from(bu), bv: Int32Array.from(bv), dir: Int8Array.from(dir), seam: Int8Array.from(seam), bJ },
  };
}

/**
 * The skew matrix K as a template: upper entries (i < j in elimination order)
 * grouped by j, each with a sign and either a bond index (value ±w_e, times
 * the seam twist) or −1 (value ±1, inside a city).
 */
interface Template {
  n: number;
  band: number;
  /** entries with larger index j: start[j] .. start[j+1] */
  start: Int32Array;
  row: Int32Array;
  sgn: Int8Array;
  bond: Int32Array;
  /** initial reach: the largest j with an entry (i, j), or i */
  reach0: Int32Array;
}

const PAIRS: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  [0, 2],
  [0, 3],
  [1, 2],
  [1, 3],
  [2, 3],
];
// terminals: 0 E, 1 N, 2 W, 3 S

/** Site rank in the elimination order: lines (rows, or columns when transposed), folded on a periodic direction. */
function siteRanks(lat: Lattice, transpose: boolean, fold: boolean): Int32Array {
  const { R, C } = lat;
  const lines = transpose ? C : R;
  const len = transpose ? R : C;
  const lineOrder: number[] = [];
  if (fold) for (let a = 0, b = lines - 1; a <= b; a++, b--) a === b ? lineOrder.push(a) : lineOrder.push(a, b);
  else for (let a = 0; a < lines; a++) lineOrder.push(a);
  const rank = new Int32Array(R * C);
  lineOrder.forEach((line, q) => {
    for (let x = 0; x < len; x++) {
      const site = transpose ? x * C + line : line * C + x;
      rank[site] = q * len + x;
    }
  });
  return rank;
}

/** Entries K[a][b] = +v of the decorated lattice; node id 4·site + terminal. */
function rawEntries(lat: Lattice): { a: number[]; b: number[]; bond: number[] } {
  const a: number[] = [];
  const b: number[] = [];
  const bond: number[] = [];
  for (let s = 0; s < lat.R * lat.C; s++) {
    for (const [t1, t2] of PAIRS) {
      a.push(4 * s + t1);
      b.push(4 * s + t2);
      bond.push(-1);
    }
  }
  for (let e = 0; e < lat.bu.length; e++) {
    // vertical: S of u → N of v; horizontal: E of u → W of v
    if (lat.dir[e] === 0) {
      a.push(4 * lat.bu[e] + 3);
      b.push(4 * lat.bv[e] + 1);
    } else {
      a.push(4 * lat.bu[e] + 0);
      b.push(4 * lat.bv[e] + 2);
    }
    bond.push(e);
  }
  return { a, b, bond };
}

function makeTemplate(lat: Lattice, rank: Int32Array, reverse: boolean): Template {
  const n = 4 * lat.R * lat.C;
  const pos = (node: number): number => {
    const p = 4 * rank[node >> 2] + (node & 3);
    return reverse ? n - 1 - p : p;
  };
  const raw = rawEntries(lat);
  const m = raw.a.length;
  const I = new Int32Array(m);
  const Jx = new Int32Array(m);
  const S = new Int8Array(m);
  let band = 0;
  const count = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) {
    const pa = pos(raw.a[k]);
    const pb = pos(raw.b[k]);
    // K[a][b] = +v, K[b][a] = −v
    if (pa < pb) {
      I[k] = pa;
      Jx[k] = pb;
      S[k] = 1;
    } else {
      I[k] = pb;
      Jx[k] = pa;
      S[k] = -1;
    }
    band = Math.max(band, Jx[k] - I[k]);
    count[Jx[k] + 1]++;
  }
  for (let j = 0; j < n; j++) count[j + 1] += count[j];
  const start = Int32Array.from(count);
  const fill = Int32Array.from(count);
  const row = new Int32Array(m);
  const sgn = new Int8Array(m);
  const bond = new Int32Array(m);
  const reach0 = new Int32Array(n);
  for (let i = 0; i < n; i++) reach0[i] = i;
  for (let k = 0; k < m; k++) {
    const q = fill[Jx[k]]++;
    row[q] = I[k];
    sgn[q] = S[k];
    bond[q] = raw.bond[k];
    if (Jx[k] > reach0[I[k]]) reach0[I[k]] = Jx[k];
  }
  return { n, band, start, row, sgn, bond, reach0 };
}

/** The cheapest ordering (smallest band) and its template. */
function bestRanks(lat: Lattice): { rank: Int32Array; band: number } {
  let best: { rank: Int32Array; band: number } | null = null;
  for (const transpose of [false, true]) {
    for (const fold of [false, true]) {
      if (fold && !lat.periodic[transpose ? 1 : 0]) continue;
      const rank = siteRanks(lat, transpose, fold);
      const band = makeTemplate(lat, rank, false).band;
      if (best === null || band < best.band) best = { rank, band };
    }
  }
  return best as { rank: Int32Array; band: number };
}

/** A Pfaffian as sign · 2^log2 (float64) — log2 = −Infinity for 0. */
interface Pf64 {
  sign: number;
  log2: number;
}

class WindowTooSmall extends Error {}

/** Values of the template entries: value[q] for the entries in template order. */
function entryValues64(T: Template, w: Float64Array, twistOf: Float64Array): Float64Array {
  const v = new Float64Array(T.row.length);
  for (let q = 0; q < v.length; q++) {
    const e = T.bond[q];
    v[q] = e < 0 ? T.sgn[q] : T.sgn[q] * w[e] * twistOf[e];
  }
  return v;
}

/**
 * The pivot column for row k of the banded elimination (float64, or the high
 * words of double-double): k+1 if its entry is acceptable (≥ PIVOT_THRESHOLD
 * of the row's largest, `amax`) and already loaded, else the acceptable column
 * of smallest reach (then largest magnitude) within the loaded window; the
 * largest loaded entry as a fallback, and WindowTooSmall when even that is
 * negligible. `row[rk + j]` is A(k, j).
 */
function choosePivot(row: Float64Array, rk: number, k: number, rmax: number, amax: number, reach: ArrayLike<number>, loaded: number): number {
  let p = -1;
  if (Math.abs(row[rk + k + 1]) >= PIVOT_THRESHOLD * amax && reach[k + 1] < loaded) p = k + 1;
  else {
    let bestReach = Infinity;
    let bestMag = 0;
    let fallback = -1;
    let fallbackMag = 0;
    for (let j = k + 1; j <= rmax; j++) {
      const a = Math.abs(row[rk + j]);
      if (a === 0 || reach[j] >= loaded) continue;
      if (a > fallbackMag) {
        fallbackMag = a;
        fallback = j;
      }
      if (a >= PIVOT_THRESHOLD * amax && (reach[j] < bestReach || (reach[j] === bestReach && a > bestMag))) {
        bestReach = reach[j];
        bestMag = a;
        p = j;
      }
    }
    if (p < 0) {
      if (fallback < 0 || fallbackMag < 1e-3 * amax) throw new WindowTooSmall();
      p = fallback;
    }
  }
  return p;
}

/** Pfaffian of the template matrix with entry values `val`, float64, window W. */
function pfaffian64(T: Template, val: Float64Array, W: number): Pf64 {
  const n = T.n;
  const S = 2 * W;
  const buf = new Float64Array(S * S);
  const reach = Int32Array.from(T.reach0);
  const u0 = new Float64Array(S);
  const u1 = new Float64Array(S);
  const v0 = new Float64Array(S);
  const v1 = new Float64Array(S);
  let base = 0;
  let loaded = 0;
  let sign = 1;
  let log2 = 0;
  for (let k = 0; k < n; k += 2) {
    if (k - base + W > S) {
      // compact: move the live block [k, loaded) to the top left
      const L = loaded - k;
      for (let i = k; i < loaded; i++) {
        const src = (i - base) * S - base;
        const dst = (i - k) * S - k;
        for (let j = i; j < loaded; j++) buf[dst + j] = buf[src + j];
      }
      for (let i = 0; i < S; i++) {
        const o = i * S;
        if (i >= L) buf.fill(0, o, o + S);
        else {
          buf.fill(0, o, o + i);
          buf.fill(0, o + L, o + S);
        }
      }
      base = k;
    }
    const want = Math.min(n, k + W);
    while (loaded < want) {
      const j = loaded;
      for (let q = T.start[j]; q < T.start[j + 1]; q++) buf[(T.row[q] - base) * S + (j - base)] = val[q];
      loaded++;
    }
    const rk = (k - base) * S - base; // buf[rk + j] = A(k, j)
    const rmax = reach[k];
    let amax = 0;
    for (let j = k + 1; j <= rmax; j++) {
      const a = Math.abs(buf[rk + j]);
      if (a > amax) amax = a;
    }
    if (amax === 0) return { sign: 0, log2: -Infinity };
    const p = choosePivot(buf, rk, k, rmax, amax, reach, loaded);
    const k1 = k + 1;
    const r1 = (k1 - base) * S - base;
    if (p !== k1) {
      const rp = (p - base) * S - base;
      let t = buf[rk + k1];
      buf[rk + k1] = buf[rk + p];
      buf[rk + p] = t;
      for (let q = k1 + 1; q < p; q++) {
        const rq = (q - base) * S - base;
        const a = buf[r1 + q];
        buf[r1 + q] = -buf[rq + p];
        buf[rq + p] = -a;
        if (reach[q] < p) reach[q] = p;
      }
      buf[r1 + p] = -buf[r1 + p];
      const top = Math.max(reach[k1], reach[p]);
      for (let q = p + 1; q <= top; q++) {
        t = buf[r1 + q];
        buf[r1 + q] = buf[rp + q];
        buf[rp + q] = t;
      }
      const rk1 = reach[k1];
      reach[k1] = Math.max(reach[p], p);
      reach[p] = Math.max(rk1, p);
      sign = -sign;
    }
    const alpha = buf[rk + k1];
    if (alpha < 0) sign = -sign;
    log2 += Math.log2(Math.abs(alpha));
    const top = Math.max(reach[k], reach[k1]);
    const inv = 1 / alpha;
    for (let q = k + 2; q <= top; q++) {
      u0[q - k] = buf[rk + q];
      u1[q - k] = buf[r1 + q];
      v0[q - k] = u0[q - k] * inv;
      v1[q - k] = u1[q - k] * inv;
    }
    for (let q1 = k + 2; q1 <= top; q1++) {
      const a0 = u0[q1 - k];
      const a1 = u1[q1 - k];
      if (a0 === 0 && a1 === 0) continue;
      const rq = (q1 - base) * S - base;
      for (let q2 = q1 + 1; q2 <= top; q2++) buf[rq + q2] += a1 * v0[q2 - k] - a0 * v1[q2 - k];
      if (reach[q1] < top) reach[q1] = top;
    }
  }
  return { sign, log2 };
}

/** A Pfaffian in double-double: (hi + lo) · 2^exp (sign in hi; 0 as hi = 0). */
interface PfDD {
  hi: number;
  lo: number;
  exp: number;
}

const SPLIT = 134217729;

/** Same elimination as pfaffian64 in double-double arithmetic. */
function pfaffianDD(T: Template, valHi: Float64Array, valLo: Float64Array, W: number): PfDD {
  const n = T.n;
  const S = 2 * W;
  const bh = new Float64Array(S * S);
  const bl = new Float64Array(S * S);
  const reach = Int32Array.from(T.reach0);
  const u0h = new Float64Array(S);
  const u0l = new Float64Array(S);
  const u1h = new Float64Array(S);
  const u1l = new Float64Array(S);
  const v0h = new Float64Array(S);
  const v0l = new Float64Array(S);
  const v1h = new Float64Array(S);
  const v1l = new Float64Array(S);
  const v0s = new Float64Array(S); // high split halves of v0h, v1h
  const v1s = new Float64Array(S);
  let base = 0;
  let loaded = 0;
  let mh = 1;
  let ml = 0;
  let mexp = 0;
  for (let k = 0; k < n; k += 2) {
    if (k - base + W > S) {
      const L = loaded - k;
      for (let i = k; i < loaded; i++) {
        const src = (i - base) * S - base;
        const dst = (i - k) * S - k;
        for (let j = i; j < loaded; j++) {
          bh[dst + j] = bh[src + j];
          bl[dst + j] = bl[src + j];
        }
      }
      for (let i = 0; i < S; i++) {
        const o = i * S;
        if (i >= L) {
          bh.fill(0, o, o + S);
          bl.fill(0, o, o + S);
        } else {
          bh.fill(0, o, o + i);
          bh.fill(0, o + L, o + S);
          bl.fill(0, o, o + i);
          bl.fill(0, o + L, o + S);
        }
      }
      base = k;
    }
    const want = Math.min(n, k + W);
    while (loaded < want) {
      const j = loaded;
      for (let q = T.start[j]; q < T.start[j + 1]; q++) {
        const o = (T.row[q] - base) * S + (j - base);
        bh[o] = valHi[q];
        bl[o] = valLo[q];
      }
      loaded++;
    }
    const rk = (k - base) * S - base;
    const rmax = reach[k];
    let amax = 0;
    for (let j = k + 1; j <= rmax; j++) {
      const a = Math.abs(bh[rk + j]);
      if (a > amax) amax = a;
    }
    if (amax === 0) return { hi: 0, lo: 0, exp: 0 };
    const p = choosePivot(bh, rk, k, rmax, amax, reach, loaded);
    const k1 = k + 1;
    const r1 = (k1 - base) * S - base;
    if (p !== k1) {
      const rp = (p - base) * S - base;
      let t = bh[rk + k1];
      bh[rk + k1] = bh[rk + p];
      bh[rk + p] = t;
      t = bl[rk + k1];
      bl[rk + k1] = bl[rk + p];
      bl[rk + p] = t;
      for (let q = k1 + 1; q < p; q++) {
        const rq = (q - base) * S - base;
        let a = bh[r1 + q];
        bh[r1 + q] = -bh[rq + p];
        bh[rq + p] = -a;
        a = bl[r1 + q];
        bl[r1 + q] = -bl[rq + p];
        bl[rq + p] = -a;
        if (reach[q] < p) reach[q] = p;
      }
      bh[r1 + p] = -bh[r1 + p];
      bl[r1 + p] = -bl[r1 + p];
      const top = Math.max(reach[k1], reach[p]);
      for (let q = p + 1; q <= top; q++) {
        t = bh[r1 + q];
        bh[r1 + q] = bh[rp + q];
        bh[rp + q] = t;
        t = bl[r1 + q];
        bl[r1 + q] = bl[rp + q];
        bl[rp + q] = t;
      }
      const rk1 = reach[k1];
      reach[k1] = Math.max(reach[p], p);
      reach[p] = Math.max(rk1, p);
      mh = -mh;
      ml = -ml;
    }
    const ah = bh[rk + k1];
    const al = bl[rk + k1];
    // m ← m · alpha, renormalised by a power of two
    ddMul(mh, ml, ah, al);
    mh = DD.hi;
    ml = DD.lo;
    const e = Math.floor(Math.log2(Math.abs(mh)));
    if (e !== 0) {
      const sc = 2 ** -e;
      mh *= sc;
      ml *= sc;
      mexp += e;
    }
    // 1/alpha in dd
    const ih0 = 1 / ah;
    ddMul(ih0, 0, ah, al);
    ddAdd(1, 0, -DD.hi, -DD.lo); // residual 1 − ih0·alpha
    const ihh = ih0 + DD.hi * ih0;
    const ihl = DD.hi * ih0 - (ihh - ih0) + DD.lo * ih0;
    const top = Math.max(reach[k], reach[k1]);
    for (let q = k + 2; q <= top; q++) {
      const x = q - k;
      u0h[x] = bh[rk + q];
      u0l[x] = bl[rk + q];
      u1h[x] = bh[r1 + q];
      u1l[x] = bl[r1 + q];
      ddMul(u0h[x], u0l[x], ihh, ihl);
      v0h[x] = DD.hi;
      v0l[x] = DD.lo;
      let t = SPLIT * DD.hi;
      v0s[x] = t - (t - DD.hi);
      ddMul(u1h[x], u1l[x], ihh, ihl);
      v1h[x] = DD.hi;
      v1l[x] = DD.lo;
      t = SPLIT * DD.hi;
      v1s[x] = t - (t - DD.hi);
    }
    for (let q1 = k + 2; q1 <= top; q1++) {
      const x1 = q1 - k;
      const a0h = u0h[x1];
      const a1h = u1h[x1];
      if (a0h === 0 && a1h === 0) continue;
      const a0l = u0l[x1];
      const a1l = u1l[x1];
      let t = SPLIT * a0h;
      const a0s = t - (t - a0h);
      const a0t = a0h - a0s;
      t = SPLIT * a1h;
      const a1s = t - (t - a1h);
      const a1t = a1h - a1s;
      const rq = (q1 - base) * S - base;
      for (let q2 = q1 + 1; q2 <= top; q2++) {
        const x2 = q2 - k;
        const b0h = v0h[x2];
        const b1h = v1h[x2];
        if (b0h === 0 && b1h === 0) continue;
        // p = a1·v0 (dd)
        const b0s = v0s[x2];
        const b0t = b0h - b0s;
        const p = a1h * b0h;
        const pe = a1s * b0s - p + a1s * b0t + a1t * b0s + a1t * b0t + (a1h * v0l[x2] + a1l * b0h);
        // r = a0·v1 (dd)
        const b1s = v1s[x2];
        const b1t = b1h - b1s;
        const r = a0h * b1h;
        const re = a0s * b1s - r + a0s * b1t + a0t * b1s + a0t * b1t + (a0h * v1l[x2] + a0l * b1h);
        // d = p − r (two-sum) + errors
        const d = p - r;
        const dd = d - p;
        const de = p - (d - dd) + (-r - dd) + (pe - re);
        // buf += d + de
        const o = rq + q2;
        const c = bh[o];
        const s = c + d;
        const sb = s - c;
        const se = c - (s - sb) + (d - sb) + de + bl[o];
        const h = s + se;
        bl[o] = se - (h - s);
        bh[o] = h;
      }
      if (reach[q1] < top) reach[q1] = top;
    }
  }
  return { hi: mh, lo: ml, exp: mexp };
}

/** Pfaffian with window retries (the window doubles when pivoting needs more room). */
function withWindow<R>(T: Template, run: (W: number) => R): R {
  let W = 2 * T.band + 8;
  for (;;) {
    try {
      return run(Math.min(W, T.n + 2));
    } catch (e) {
      if (!(e instanceof WindowTooSmall) || W >= T.n + 2) throw e;
      W *= 2;
    }
  }
}

/** Homology classes, twists and the combination coefficients κ_t of a lattice. */
interface Plan {
  /** "high": high-temperature expansion on the lattice (weights tanh βJ); "low": domain walls on the dual lattice (weights e^{−2β|J|}). */
  kind: "high" | "low";
  lat: Lattice;
  /** periodic directions, 0 (rows) and/or 1 (columns) */
  dirs: number[];
  /** for each twist t (bit d set: direction dirs[d] twisted): κ_t */
  kappa: number[];
  /** the elimination template and its reverse (for the float64 error estimate) */
  T: Template;
  Trev: Template;
}

function makePlan(lat: Lattice, where: string): Plan {
  const { rank } = bestRanks(lat);
  const T = makeTemplate(lat, rank, false);
  const Trev = makeTemplate(lat, rank, true);
  const dirs = [0, 1].filter((d) => lat.periodic[d]);
  const nb = lat.bu.length;
  const ones = new Float64Array(nb).fill(1);
  const { R, C } = lat;
  const bondAt = (s: number, d: number): number => {
    for (let e = 0; e < nb; e++) if (lat.bu[e] === s && lat.dir[e] === d) return e;
    throw new Error(`${where}: internal error (no bond at site ${s}, direction ${d})`);
  };
  /** Pf (untwisted) with w = 1 on the bonds `on`, 0 elsewhere: an exact small integer. */
  const probe = (on: number[]): number => {
    const w = new Float64Array(nb);
    for (const e of on) w[e] = 1;
    const p = withWindow(T, (W) => pfaffian64(T, entryValues64(T, w, ones), W));
    const v = p.sign * 2 ** p.log2;
    const r = Math.round(v);
    if (Math.abs(v - r) > 1e-6) throw new Error(`${where}: internal error (probe Pfaffian ${v} is not an integer)`);
    return r;
  };
  const eps0 = probe([]);
  if (Math.abs(eps0) !== 1) throw new Error(`${where}: internal error (Pf at w = 0 is ${eps0})`);
  // ε(c) for each class c ⊂ dirs (bit d: crosses the seam of dirs[d] once)
  const nc = 1 << dirs.length;
  const eps = new Array<number>(nc).fill(0);
  eps[0] = eps0;
  for (let c = 1; c < nc; c++) {
    const cross = dirs.filter((_, d) => (c >> d) & 1);
    const loop: number[] = [];
    if (cross.length === 1 && cross[0] === 0) for (let r = 0; r < R; r++) loop.push(bondAt(r * C, 0)); // column 0, vertical
    else if (cross.length === 1) for (let x = 0; x < C; x++) loop.push(bondAt(x, 1)); // row 0, horizontal
    else {
      // staircase: row 0 rightwards, column C−1 downwards, wrap right at row R−1, wrap down at column 0
      for (let x = 0; x < C - 1; x++) loop.push(bondAt(x, 1));
      for (let r = 0; r < R - 1; r++) loop.push(bondAt(r * C + C - 1, 0));
      loop.push(bondAt((R - 1) * C + C - 1, 1));
      loop.push(bondAt((R - 1) * C, 0));
    }
    eps[c] = probe(loop) - eps0;
    if (Math.abs(eps[c]) !== 1) throw new Error(`${where}: internal error (class ${c} sign ${eps[c]})`);
  }
  const kappa: number[] = [];
  for (let t = 0; t < nc; t++) {
    let s = 0;
    for (let c = 0; c < nc; c++) {
      let chi = 1;
      for (let d = 0; d < dirs.length; d++) if ((t >> d) & 1 && (c >> d) & 1) chi = -chi;
      s += eps[c] * chi;
    }
    kappa.push(s / nc);
  }
  return { kind: "high", lat, dirs, kappa, T, Trev };
}

/**
 * The low-temperature plan of a torus (domain walls): with y_e = e^{−2βJ_e},
 *   Z = Σ_σ Π_e e^{βJ_e σσ} = 2 e^{βΣJ} Σ_{D cut} Π_{e∈D} y_e,
 * D the set of broken bonds (σ_iσ_j = −1). Cuts are the even subgraphs of
 * the dual torus (bond e crossed by dual bond e*) of trivial homology class,
 * so the same Kasteleyn construction on the dual lattice with weights y_e
 * (> 1 on negative bonds) gives Σ_c Z_c, and the trivial class alone is
 * Z_0 = |¼ Σ_t Pf(K_t)| (a sum of positive weights; the four signs ε(c) do
 * not matter for it). The weights are positive, so within a class nothing
 * cancels, unlike tanh βJ of both signs: the eliminations lose far fewer
 * digits at low temperature (measured on the TwoBo L = 16 torus: double-double
 * error 1e-18 at β = 5 against 4e-14 for the high-temperature plan, 5e-9 at
 * β = 8 where that one fails).
 */
function makeDualPlan(lat: Lattice): Plan & { sumJ: number } {
  const { R, C } = lat;
  const slot = new Map<number, number>();
  for (let e = 0; e < lat.bu.length; e++) slot.set(2 * lat.bu[e] + lat.dir[e], e);
  const primal = (site: number, d: number): number => slot.get(2 * site + d) as number;
  const bu: number[] = [];
  const bv: number[] = [];
  const dir: number[] = [];
  const seam: number[] = [];
  const bJ: number[] = [];
  let sumJ = 0;
  for (const J of lat.bJ) sumJ += J;
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const p = r * C + c; // plaquette with top-left corner (r, c)
      const r1 = (r + 1) % R;
      const c1 = (c + 1) % C;
      // horizontal dual bond p → (r, c+1) crosses the vertical primal bond at (r, c+1)
      bu.push(p);
      bv.push(r * C + c1);
      dir.push(1);
      seam.push(c + 1 < C ? -1 : 1);
      bJ.push(lat.bJ[primal(r * C + c1, 0)]);
      // vertical dual bond p → (r+1, c) crosses the horizontal primal bond at (r+1, c)
      bu.push(p);
      bv.push(r1 * C + c);
      dir.push(0);
      seam.push(r + 1 < R ? -1 : 0);
      bJ.push(lat.bJ[primal(r1 * C + c, 1)]);
    }
  }
  const dual: Lattice = { R, C, periodic: [true, true], bu: Int32Array.from(bu), bv: Int32Array.from(bv), dir: Int8Array.from(dir), seam: Int8Array.from(seam), bJ: Float64Array.from(bJ) };
  const { rank } = bestRanks(dual);
  return { kind: "low", lat: dual, dirs: [0, 1], kappa: [0.25, 0.25, 0.25, 0.25], T: makeTemplate(dual, rank, false), Trev: makeTemplate(dual, rank, true), sumJ };
}

function twistOf(plan: Plan, t: number): Float64Array {
  const { lat, dirs } = plan;
  const tw = new Float64Array(lat.bu.length).fill(1);
  for (let e = 0; e < tw.length; e++) {
    const d = dirs.indexOf(lat.seam[e]);
    if (lat.seam[e] >= 0 && d >= 0 && (t >> d) & 1) tw[e] = -1;
  }
  return tw;
}

/** Z_even as (value, exponent): value · 2^exp, value ≈ O(1); plus Σ|κ Pf| for the amplification. */
interface ZEven {
  hi: number;
  lo: number;
  exp: number;
  /** Σ_t |κ_t Pf_t| / Z_even: the cancellation in the signed sum */
  amplification: number;
}

function zEven64(plan: Plan, beta: number, T: Template): ZEven {
  const { lat, kappa } = plan;
  const w = new Float64Array(lat.bu.length);
  for (let e = 0; e < w.length; e++) w[e] = plan.kind === "high" ? Math.tanh(beta * lat.bJ[e]) : Math.exp(-2 * beta * lat.bJ[e]);
  const terms: Array<{ s: number; l: number }> = [];
  for (let t = 0; t < kappa.length; t++) {
    if (kappa[t] === 0) continue;
    const p = withWindow(T, (W) => pfaffian64(T, entryValues64(T, w, twistOf(plan, t)), W));
    if (p.sign !== 0) terms.push({ s: p.sign * kappa[t], l: p.log2 });
  }
  if (terms.length === 0) return { hi: 0, lo: 0, exp: 0, amplification: Infinity };
  const lmax = Math.max(...terms.map((x) => x.l));
  const e = Math.floor(lmax);
  let sum = 0;
  let abs = 0;
  for (const x of terms) {
    const v = x.s * 2 ** (x.l - e);
    sum += v;
    abs += Math.abs(v);
  }
  if (plan.kind === "low") sum = Math.abs(sum);
  return { hi: sum, lo: 0, exp: e, amplification: abs / Math.abs(sum) };
}

function zEvenDD(plan: Plan, beta: number, T: Template): ZEven {
  const { lat, kappa } = plan;
  const nb = lat.bu.length;
  const wh = new Float64Array(nb);
  const wl = new Float64Array(nb);
  for (let e = 0; e < nb; e++) {
    if (plan.kind === "high") {
      ddTanh(beta * lat.bJ[e]);
      wh[e] = DD.hi;
      wl[e] = DD.lo;
    } else wh[e] = Math.exp(-2 * beta * lat.bJ[e]);
  }
  const terms: PfDD[] = [];
  for (let t = 0; t < kappa.length; t++) {
    if (kappa[t] === 0) continue;
    const tw = twistOf(plan, t);
    const vh = new Float64Array(T.row.length);
    const vl = new Float64Array(T.row.length);
    for (let q = 0; q < vh.length; q++) {
      const e = T.bond[q];
      if (e < 0) vh[q] = T.sgn[q];
      else {
        vh[q] = T.sgn[q] * tw[e] * wh[e];
        vl[q] = T.sgn[q] * tw[e] * wl[e];
      }
    }
    const p = withWindow(T, (W) => pfaffianDD(T, vh, vl, W));
    if (p.hi !== 0) terms.push({ hi: kappa[t] * p.hi, lo: kappa[t] * p.lo, exp: p.exp });
  }
  if (terms.length === 0) return { hi: 0, lo: 0, exp: 0, amplification: Infinity };
  const e = Math.max(...terms.map((x) => x.exp));
  let sh = 0;
  let sl = 0;
  let abs = 0;
  for (const x of terms) {
    const sc = 2 ** (x.exp - e);
    ddAdd(sh, sl, x.hi * sc, x.lo * sc);
    sh = DD.hi;
    sl = DD.lo;
    abs += Math.abs(x.hi * sc);
  }
  if (plan.kind === "low" && sh < 0) {
    sh = -sh;
    sl = -sl;
  }
  return { hi: sh, lo: sl, exp: e, amplification: abs / Math.abs(sh) };
}

/** ln Z_even split as exp·ln2 + small part, so differences keep absolute precision. */
interface LogZEven {
  exp: number;
  rest: number;
}

function logOf(z: ZEven): LogZEven {
  // value = (hi + lo)·2^exp with hi possibly far from 1: renormalise
  const e = Math.floor(Math.log2(z.hi));
  const sc = 2 ** -e;
  return { exp: z.exp + e, rest: Math.log(z.hi * sc) + Math.log1p(z.lo / z.hi) };
}

function diffLog(a: LogZEven, b: LogZEven): number {
  return (a.exp - b.exp) * Math.LN2 + (a.rest - b.rest);
}

/** Z_even in float64 (and double-double) at β, with estimated relative errors. */
function estimate(plan: Plan, beta: number, mode: PfaffianPrecision, tol: number): { z64: ZEven; err64: number; zdd: ZEven | null; errDD: number } {
  // float64 in two node orders: their difference estimates the float64 error
  const z1 = zEven64(plan, beta, plan.T);
  const z2 = zEven64(plan, beta, plan.Trev);
  const refExp = Math.max(z1.exp, z2.exp);
  const v1 = z1.hi * 2 ** (z1.exp - refExp);
  const v2 = z2.hi * 2 ** (z2.exp - refExp);
  const disc = Math.abs(v1 - v2);
  const err64 = v1 > 0 && v2 > 0 ? Math.max(disc / Math.min(v1, v2), U64 * z1.amplification) : Infinity;
  if (mode === "double" || (mode === "auto" && err64 <= tol)) return { z64: z1, err64, zdd: null, errDD: Infinity };
  const zdd = zEvenDD(plan, beta, plan.T);
  if (!(zdd.hi > 0)) return { z64: z1, err64, zdd, errDD: Infinity };
  // double-double in the reverse order too: their difference is a direct estimate
  const zrev = zEvenDD(plan, beta, plan.Trev);
  if (!(zrev.hi > 0)) return { z64: z1, err64, zdd, errDD: Infinity };
  ddAdd(zdd.hi, zdd.lo, -zrev.hi * 2 ** (zrev.exp - zdd.exp), -zrev.lo * 2 ** (zrev.exp - zdd.exp));
  const discDD = Math.abs(DD.hi) / zdd.hi;
  // the float64 errors (against the dd value) scaled by the ratio of unit roundoffs, at least u·n·amplification
  const vdd = zdd.hi * 2 ** (zdd.exp - refExp);
  const rel64 = Math.max(Math.abs(v1 - vdd), Math.abs(v2 - vdd), disc) / vdd;
  const errDD = Math.max(discDD, rel64 * (UDD / U64), UDD * zdd.amplification * plan.T.n);
  return { z64: z1, err64, zdd, errDD };
}

/**
 * An estimate of the largest β below `beta` at which the double-double error
 * is within `tol`: ln(error) grows about linearly in β, so a few secant steps
 * on ln(error) − ln(tol), each one error estimate.
 */
function largestBeta(plan: Plan, beta: number, tol: number): number {
  const lerr = (b: number): number => {
    const e = estimate(plan, b, "double-double", tol).errDD;
    return Math.log(Number.isFinite(e) ? e : 1);
  };
  const lt = Math.log(tol);
  let bHi = beta;
  let fHi = lerr(bHi) - lt;
  let bLo = beta / 2;
  let fLo = lerr(bLo) - lt;
  for (let it = 0; it < 8 && fLo > 0; it++) {
    bHi = bLo;
    fHi = fLo;
    bLo /= 2;
    fLo = lerr(bLo) - lt;
  }
  if (fLo > 0) return 0;
  for (let it = 0; it < 4; it++) {
    const b = fHi === fLo ? (bLo + bHi) / 2 : Math.min(bHi, Math.max(bLo, bLo - (fLo * (bHi - bLo)) / (fHi - fLo)));
    const f = lerr(b) - lt;
    if (f > 0) {
      bHi = b;
      fHi = f;
    } else {
      bLo = b;
      fLo = f;
    }
    if (bHi - bLo < 0.02 * bHi) break;
  }
  return bLo;
}

export type PfaffianPrecision = "auto" | "double" | "double-double";

export interface PfaffianOptions {
  /** "auto" (default): float64, repeated in double-double when the float64 error estimate exceeds 1e-9 relative in Z; or force one. */
  precision?: PfaffianPrecision;
  /** "auto" (default): the low-temperature expansion on a torus when β·max|J| ≥ 1, else the high-temperature one; or force one (low needs a torus). */
  expansion?: "auto" | "high-temperature" | "low-temperature";
  /** Compute ln Z only (no energy, entropy, specific heat: 1 evaluation of the Pfaffians instead of 7). */
  logZOnly?: boolean;
}

/** The result of `pfaffian`: an ExactResult plus the arithmetic used and the error estimate. */
export interface PfaffianResult extends ExactResult {
  /** "double" or "double-double". */
  precision: "double" | "double-double";
  /** "high-temperature" (even subgraphs of the lattice, weights tanh βJ) or "low-temperature" (cuts = domain walls on the dual torus, weights e^{−2βJ}; used on the torus for β·max|J| ≥ 1). */
  expansion: "high-temperature" | "low-temperature";
  /** Estimated absolute error of ln Z (the relative error of Z). */
  logZError: number;
}

/**
 * Exact ln Z, f, energy, entropy and specific heat of a zero-field Ising
 * model on a periodic (torus or cylinder) or open 2-D grid, by the four
 * (two, one) Pfaffians of the Kasteleyn matrix of its decorated lattice.
 */
export function pfaffian(system: SpinSystem, beta: number, options: PfaffianOptions = {}): PfaffianResult {
  const W = "exact.pfaffian";
  checkKeys(options, ["precision", "logZOnly", "expansion"], W);
  checkPositive(beta, "beta", W);
  if (!Number.isFinite(beta)) throw new Error(`${W}: beta must be finite, got ${beta}`);
  const precision = checkOneOf(options.precision ?? "auto", ["auto", "double", "double-double"] as const, "precision", W);
  const expansion = checkOneOf(options.expansion ?? "auto", ["auto", "high-temperature", "low-temperature"] as const, "expansion", W);
  const b = latticeOf(system);
  if (b.error !== null) throw new Error(`${W}: ${b.error}`);
  const lat = b.lattice;
  const N = system.n;
  let maxJ = 0;
  for (const J of lat.bJ) maxJ = Math.max(maxJ, Math.abs(J));
  // the torus at low temperature: domain walls on the dual lattice (better conditioned); else the high-temperature expansion
  const torus = lat.periodic[0] && lat.periodic[1];
  if (expansion === "low-temperature" && !torus) throw new Error(`${W}: the low-temperature expansion needs a torus (periodic both ways)`);
  const low = expansion === "low-temperature" || (expansion === "auto" && torus && beta * maxJ >= 1);
  if (low && beta * maxJ > 300) throw new Error(`${W}: β·max|J| = ${beta * maxJ} is too large (the weights e^{2β|J|} overflow beyond 300)`);
  const dual = low ? makeDualPlan(lat) : null;
  const plan: Plan = dual ?? makePlan(lat, W);

  const TOL = options.logZOnly === true ? TOL_LOGZ : tolDeriv(N, beta);
  const est = estimate(plan, beta, precision, TOL);
  if (precision === "double" && !(est.err64 <= TOL)) {
    throw new Error(`${W}: float64 is not precise enough at β = ${beta} (estimated relative error of Z ${est.err64.toExponential(1)} > ${TOL}); use precision "double-double" or "auto"`);
  }
  const useDD = precision === "double-double" || !(est.err64 <= TOL);
  const z0 = useDD ? est.zdd : est.z64;
  const err = useDD ? est.errDD : est.err64;
  if (z0 === null || !(z0.hi > 0) || !(err <= TOL)) {
    throw new Error(
      `${W}: double-double is not precise enough at β = ${beta} (estimated relative error of Z ${Number.isFinite(err) ? err.toExponential(1) : "≥ 1"} > ${TOL}: ` +
        `the signed sums in the Pfaffians cancel); the largest β that can be done for this system is about ${largestBeta(plan, beta, TOL).toFixed(2)}`,
    );
  }
  const evalZ = (bt: number): LogZEven => {
    const z = useDD ? zEvenDD(plan, bt, plan.T) : zEven64(plan, bt, plan.T);
    if (!(z.hi > 0)) throw new Error(`${W}: Z_even came out non-positive at β = ${bt} (precision exhausted)`);
    return logOf(z);
  };
  const l0 = logOf(z0);
  // high: ln Z = N ln 2 + Σ ln cosh(βJ) + ln Z_even; low: ln Z = ln 2 + βΣJ + ln Z_cuts
  let base = 0;
  let dBase = 0; // ∂β of the analytic part
  let d2Base = 0; // ∂²β
  if (dual !== null) {
    base = Math.LN2 + beta * dual.sumJ;
    dBase = dual.sumJ;
  } else {
    // Σ ln cosh with Neumaier's compensated sum (thousands of terms of size ≈ β|J|)
    base = N * Math.LN2;
    let comp = 0;
    for (const J of lat.bJ) {
      const x = Math.abs(beta * J);
      const q = Math.exp(-2 * x);
      const term = x + Math.log1p(q) - Math.LN2; // ln cosh
      const t = base + term;
      comp += Math.abs(base) >= Math.abs(term) ? base - t + term : term - t + base;
      base = t;
      dBase += J * Math.sign(J) * ((1 - q) / (1 + q)); // J tanh(βJ)
      d2Base += (J * J * 4 * q) / ((1 + q) * (1 + q)); // J² sech²(βJ)
    }
    base += comp;
  }
  const logZ = base + l0.exp * Math.LN2 + l0.rest;
  const result: PfaffianResult = {
    method: "pfaffian",
    n: N,
    beta,
    logZ,
    freeEnergyPerSpin: -logZ / (beta * N),
    energyPerSpin: null,
    entropyPerSpin: null,
    specificHeatPerSpin: null,
    absMagnetizationPerSpin: null,
    precision: useDD ? "double-double" : "double",
    expansion: dual !== null ? "low-temperature" : "high-temperature",
    logZError: err,
  };
  if (options.logZOnly === true) return result;
  const h = Math.min(1e-3 / (maxJ > 0 ? maxJ : 1), beta / 8);
  const p1 = diffLog(evalZ(beta + h), l0);
  const m1 = diffLog(evalZ(beta - h), l0);
  const p2 = diffLog(evalZ(beta + 2 * h), l0);
  const m2 = diffLog(evalZ(beta - 2 * h), l0);
  const p3 = diffLog(evalZ(beta + 3 * h), l0);
  const m3 = diffLog(evalZ(beta - 3 * h), l0);
  const d1 = (45 * (p1 - m1) - 9 * (p2 - m2) + (p3 - m3)) / (60 * h);
  const d2 = (270 * (p1 + m1) - 27 * (p2 + m2) + 2 * (p3 + m3)) / (180 * h * h);
  const u = -(dBase + d1) / N;
  result.energyPerSpin = u;
  result.entropyPerSpin = beta * u + logZ / N;
  result.specificHeatPerSpin = (beta * beta * (d2Base + d2)) / N;
  return result;
}

/** Rough cost (flops) of the Pfaffian method, Infinity when it does not apply. */
export function pfaffianCost(system: SpinSystem): number {
  const b = latticeOf(system);
  if (b.error !== null) return Infinity;
  const lat = b.lattice;
  const band = bestRanks(lat).band;
  const nPf = 1 << [0, 1].filter((d) => lat.periodic[d]).length;
  // 7 β points, float64 twice at the centre, double-double ≈ 20× a float64 pass when needed
  return 4 * lat.R * lat.C * band * band * nPf * 9 * 20;
}
