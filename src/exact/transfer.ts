/**
 * Transfer matrix, site by site, for systems of small bandwidth: 2-D grids of
 * width up to about 14 with any couplings and fields, open or periodic in
 * either direction (and generally any system whose couplings are short-ranged
 * in some site order).
 *
 * Sites are swept in an order (row-major or column-major for a 2-D grid, so
 * the narrow side is the width; identity otherwise). Edges whose span in that
 * order is at most B (the band) are handled by a window of the last B spins,
 * a vector of 2^B weights; adding a site sums out the spin leaving the window.
 * Edges of larger span (the wrap-around bonds of a boundary periodic in the
 * sweep direction) get one endpoint fixed: an outer loop runs over the 2^|F|
 * values of those fixed spins F (halved by spin-flip symmetry without fields)
 * and the results are summed. Cost ≈ 2^|F| · N · 2^B; B and F are chosen to
 * minimise it.
 *
 * Numerics: the weight vector is rescaled to max 1 after every site, the
 * scale accumulated as a logarithm (no overflow at any size). Alongside the
 * weights Σw, the sums Σw·E and Σw·E² are propagated exactly (E split into
 * per-site contributions), so the energy and specific heat are exact, not
 * numerical derivatives. |m| is not computed (null).
 */
import { checkKeys, checkPositive } from "../core/validate";
import type { ExactResult, SpinSystem } from "../systems/types";

/** Largest window (band) B: the vectors have 2^B entries. */
export const MAX_TRANSFER_BAND = 22;
/** Largest cost 2^|F| · N · 2^B accepted (≈ a minute). */
export const MAX_TRANSFER_COST = 2 ** 34;

interface Plan {
  order: Int32Array; // position → site
  band: number;
  fixed: Int32Array; // positions fixed by the outer loop
  cost: number;
}

function planFor(system: SpinSystem, order: Int32Array): Plan {
  const n = system.n;
  const pos = new Int32Array(n);
  for (let p = 0; p < n; p++) pos[order[p]] = p;
  const { i, j } = system.edges;
  const m = i.length;
  const spans = new Int32Array(m);
  const cands = new Set<number>([1]);
  for (let k = 0; k < m; k++) {
    spans[k] = Math.abs(pos[i[k]] - pos[j[k]]);
    cands.add(spans[k]);
  }
  let best: Plan | null = null;
  for (const B of [...cands].sort((a, b) => a - b)) {
    if (B > MAX_TRANSFER_BAND) break;
    const lower = new Set<number>();
    const upper = new Set<number>();
    for (let k = 0; k < m; k++) {
      if (spans[k] <= B) continue;
      const a = pos[i[k]];
      const b = pos[j[k]];
      lower.add(Math.min(a, b));
      upper.add(Math.max(a, b));
    }
    const F = lower.size <= upper.size ? lower : upper;
    const sym = system.fields === null && F.size > 0 ? 1 : 0;
    const cost = 2 ** (F.size - sym) * n * 2 ** B;
    if (best === null || cost < best.cost) best = { order, band: B, fixed: Int32Array.from([...F].sort((a, b) => a - b)), cost };
  }
  return best ?? { order, band: Infinity, fixed: new Int32Array(0), cost: Infinity };
}

/** The cheapest sweep plan for a system (row- or column-major on a 2-D grid). */
function bestPlan(system: SpinSystem): Plan {
  const n = system.n;
  const ident = new Int32Array(n);
  for (let p = 0; p < n; p++) ident[p] = p;
  let best = planFor(system, ident);
  const g = system.geometry;
  if (g !== null && g.grid.length === 2) {
    const [R, C] = g.grid;
    const colMajor = new Int32Array(n);
    let p = 0;
    for (let c = 0; c < C; c++) for (let r = 0; r < R; r++) colMajor[p++] = r * C + c;
    const alt = planFor(system, colMajor);
    if (alt.cost < best.cost) best = alt;
  }
  return best;
}

/** Estimated cost (state updates) of the transfer matrix for a system, Infinity when it cannot run. */
export function transferMatrixCost(system: SpinSystem): number {
  const p = bestPlan(system);
  return p.band > MAX_TRANSFER_BAND ? Infinity : p.cost;
}

/** Why the transfer matrix does not apply (or is too costly), or null when it does. */
export function transferMatrixRefusal(system: SpinSystem): string | null {
  const p = bestPlan(system);
  if (p.band > MAX_TRANSFER_BAND || p.cost > MAX_TRANSFER_COST) {
    const what = system.geometry === null ? "no grid geometry and a site order" : "the best site order";
    return `the transfer matrix needs a small band: ${what} needs a window of ${p.band === Infinity ? `> ${MAX_TRANSFER_BAND}` : p.band} spins plus ${p.fixed.length} fixed spins (cost ${p.cost === Infinity ? "∞" : p.cost.toExponential(1)} > ${MAX_TRANSFER_COST.toExponential(1)}); limits: band ≤ ${MAX_TRANSFER_BAND}, e.g. grid width ≤ 14 open, ≤ 11 periodic both ways`;
  }
  return null;
}

export interface TransferMatrixOptions {
  /** Skip the energy and specific-heat sums (about 2× faster); default false. */
  logZOnly?: boolean;
}

/** Exact ln Z (and energy, entropy, specific heat) by the transfer matrix. */
export function transferMatrix(system: SpinSystem, beta: number, options: TransferMatrixOptions = {}): ExactResult {
  const W = "exact.transferMatrix";
  checkKeys(options, ["logZOnly"], W);
  checkPositive(beta, "beta", W);
  const why = transferMatrixRefusal(system);
  if (why !== null) throw new Error(`${W}: ${why}`);
  const moments = options.logZOnly !== true;
  const plan = bestPlan(system);
  const n = system.n;
  const B = plan.band;
  const S = 1 << B;
  const order = plan.order;
  const pos = new Int32Array(n);
  for (let p = 0; p < n; p++) pos[order[p]] = p;
  const isFixed = new Int8Array(n); // by position
  const fixedIndex = new Int32Array(n).fill(-1);
  plan.fixed.forEach((p, k) => {
    isFixed[p] = 1;
    fixedIndex[p] = k;
  });
  const h = system.fields;

  // per position: local neighbours (slots within the window) and far neighbours that are fixed
  const localSlots: number[][] = [];
  const localJ: number[][] = [];
  const farFixed: number[][] = []; // fixed-spin indices k (into plan.fixed)
  const farJ: number[][] = [];
  for (let p = 0; p < n; p++) {
    localSlots.push([]);
    localJ.push([]);
    farFixed.push([]);
    farJ.push([]);
  }
  const { i: EI, j: EJ, J: EV } = system.edges;
  for (let k = 0; k < EI.length; k++) {
    const a = Math.min(pos[EI[k]], pos[EJ[k]]);
    const b = Math.max(pos[EI[k]], pos[EJ[k]]);
    if (b - a <= B) {
      localSlots[b].push(a % B);
      localJ[b].push(EV[k]);
    } else if (isFixed[a] === 1 && (isFixed[b] === 0 || true)) {
      // a fixed: the edge's energy is added when b is swept in
      farFixed[b].push(fixedIndex[a]);
      farJ[b].push(EV[k]);
    } else {
      // only b fixed: added when a is swept in
      farFixed[a].push(fixedIndex[b]);
      farJ[a].push(EV[k]);
    }
  }
  for (let p = 0; p < n; p++) {
    if (localSlots[p].length > 16) throw new Error(`${W}: site at position ${p} has ${localSlots[p].length} window neighbours (at most 16)`);
  }

  let A = new Float64Array(S);
  let Bv = new Float64Array(moments ? S : 0);
  let C = new Float64Array(moments ? S : 0);
  let A2 = new Float64Array(S);
  let B2 = new Float64Array(moments ? S : 0);
  let C2 = new Float64Array(moments ? S : 0);
  const nf = plan.fixed.length;
  const sym = h === null && nf > 0;
  const outer = 2 ** (nf - (sym ? 1 : 0));
  const results: Array<{ logScale: number; a: number; b: number; c: number }> = [];
  const fixedVal = new Int8Array(nf);
  const tabSize = 1 << 16;
  const fTab = new Float64Array(tabSize);

  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < nf; k++) fixedVal[k] = k === 0 && sym ? 1 : ((o >> (sym ? k - 1 : k)) & 1) === 1 ? 1 : -1;
    A.fill(0);
    A[0] = 1;
    if (moments) {
      Bv.fill(0);
      C.fill(0);
    }
    let logScale = 0;
    for (let p = 0; p < n; p++) {
      const slot = p % B;
      const slotBit = 1 << slot;
      const site = order[p];
      let base = h === null ? 0 : h[site];
      const ff = farFixed[p];
      const fj = farJ[p];
      for (let q = 0; q < ff.length; q++) base += fj[q] * fixedVal[ff[q]];
      const ls = localSlots[p];
      const lj = localJ[p];
      const kk = ls.length;
      // table of local fields by neighbour-bit pattern
      for (let pat = 0; pat < 1 << kk; pat++) {
        let f = base;
        for (let q = 0; q < kk; q++) f += ((pat >> q) & 1) === 1 ? lj[q] : -lj[q];
        fTab[pat] = f;
      }
      const allowUp = isFixed[p] === 0 || fixedVal[fixedIndex[p]] === 1;
      const allowDown = isFixed[p] === 0 || fixedVal[fixedIndex[p]] === -1;
      // weights: spin up e = −f, w = exp(βf); spin down e = +f, w = exp(−βf)
      const npat = 1 << kk;
      const wUp = new Float64Array(npat);
      const wDn = new Float64Array(npat);
      for (let pat = 0; pat < npat; pat++) {
        wUp[pat] = allowUp ? Math.exp(beta * fTab[pat]) : 0;
        wDn[pat] = allowDown ? Math.exp(-beta * fTab[pat]) : 0;
      }
      A2.fill(0);
      if (moments) {
        B2.fill(0);
        C2.fill(0);
      }
      const s0 = ls[0] ?? 0;
      const s1 = ls[1] ?? 0;
      const s2 = ls[2] ?? 0;
      for (let x = 0; x < S; x++) {
        const a = A[x];
        if (a === 0) continue;
        let pat: number;
        if (kk === 0) pat = 0;
        else if (kk === 1) pat = (x >> s0) & 1;
        else if (kk === 2) pat = ((x >> s0) & 1) | (((x >> s1) & 1) << 1);
        else if (kk === 3) pat = ((x >> s0) & 1) | (((x >> s1) & 1) << 1) | (((x >> s2) & 1) << 2);
        else {
          pat = 0;
          for (let q = 0; q < kk; q++) pat |= ((x >> ls[q]) & 1) << q;
        }
        const xd = x & ~slotBit;
        const xu = x | slotBit;
        const wu = wUp[pat];
        const wd = wDn[pat];
        A2[xu] += a * wu;
        A2[xd] += a * wd;
        if (moments) {
          const b = Bv[x];
          const c = C[x];
          const f = fTab[pat];
          // spin up: e = −f; spin down: e = +f
          B2[xu] += (b - a * f) * wu;
          C2[xu] += (c - 2 * b * f + a * f * f) * wu;
          B2[xd] += (b + a * f) * wd;
          C2[xd] += (c + 2 * b * f + a * f * f) * wd;
        }
      }
      let mx = 0;
      for (let x = 0; x < S; x++) if (A2[x] > mx) mx = A2[x];
      if (mx === 0 || !Number.isFinite(mx)) throw new Error(`${W}: weights vanished or overflowed at position ${p} (β = ${beta})`);
      const inv = 1 / mx;
      for (let x = 0; x < S; x++) A2[x] *= inv;
      if (moments) {
        for (let x = 0; x < S; x++) {
          B2[x] *= inv;
          C2[x] *= inv;
        }
      }
      logScale += Math.log(mx);
      [A, A2] = [A2, A];
      if (moments) {
        [Bv, B2] = [B2, Bv];
        [C, C2] = [C2, C];
      }
    }
    let a = 0;
    let b = 0;
    let c = 0;
    for (let x = 0; x < S; x++) a += A[x];
    if (moments) for (let x = 0; x < S; x++) {
      b += Bv[x];
      c += C[x];
    }
    results.push({ logScale, a, b, c });
  }
  let mxLog = -Infinity;
  for (const r of results) if (r.a > 0) mxLog = Math.max(mxLog, r.logScale + Math.log(r.a));
  let sa = 0;
  let sb = 0;
  let sc = 0;
  for (const r of results) {
    if (r.a <= 0) continue;
    const w = Math.exp(r.logScale - mxLog);
    sa += w * r.a;
    sb += w * r.b;
    sc += w * r.c;
  }
  const logZ = mxLog + Math.log(sa) + (sym ? Math.LN2 : 0);
  const f = -logZ / (beta * n);
  let energyPerSpin: number | null = null;
  let entropyPerSpin: number | null = null;
  let specificHeatPerSpin: number | null = null;
  if (moments) {
    const meanE = sb / sa;
    const varE = Math.max(0, sc / sa - meanE * meanE);
    energyPerSpin = meanE / n;
    entropyPerSpin = beta * energyPerSpin + logZ / n;
    specificHeatPerSpin = (beta * beta * varE) / n;
  }
  return { method: "transfer-matrix", n, beta, logZ, freeEnergyPerSpin: f, energyPerSpin, entropyPerSpin, specificHeatPerSpin, absMagnetizationPerSpin: null };
}
