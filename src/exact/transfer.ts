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
 * scale accumulated as a logarithm (no overflow at any size); at large β the
 * Boltzmann factors of a site are shifted by the largest ln A[x] ± βf present,
 * so they do not overflow; and where the window vector's dynamic range
 * (bounded by e^{βΔ}, Δ = twice the couplings and fields that the window
 * spins touch) could exceed float64, the weights are kept as logarithms
 * (log-sum-exp merges, a few times slower), so no partial configuration that
 * later becomes a ground state is lost to underflow (correct to β = 1e3 and beyond).
 * Alongside the weights, each window state carries the mean energy of its
 * configurations and their weighted central second moment (E split into
 * per-site contributions), merged by Chan's pairwise update
 * M2 = M2₁ + M2₂ + (μ₁ − μ₂)² w₁w₂/(w₁ + w₂): the energy and specific heat are
 * exact, not numerical derivatives, and the variance is a sum of non-negative
 * terms (no ⟨E²⟩ − ⟨E⟩² cancellation at large β). |m| is not computed (null).
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

  // A: weights per window state; U: mean energy of the configurations in that class;
  // V: their weighted central second moment Σ w (E − U)². Classes merge by Chan's
  // pairwise formula, so the variance is a sum of non-negative terms (no ⟨E²⟩ − ⟨E⟩²).
  let A = new Float64Array(S);
  let U = new Float64Array(moments ? S : 0);
  let V = new Float64Array(moments ? S : 0);
  let A2 = new Float64Array(S);
  let U2 = new Float64Array(moments ? S : 0);
  let V2 = new Float64Array(moments ? S : 0);
  const nf = plan.fixed.length;
  const sym = h === null && nf > 0;
  const outer = 2 ** (nf - (sym ? 1 : 0));
  const results: Array<{ logScale: number; a: number; u: number; v: number }> = [];
  const fixedVal = new Int8Array(nf);
  const tabSize = 1 << 16;
  const fTab = new Float64Array(tabSize);
  const patMax = new Float64Array(tabSize);

  // Dynamic range of the window vector: changing the window spins changes the energy of the
  // processed part by at most Δ_p = 2 Σ (|J| of edges whose later end is in the window + |h| of
  // window sites), so every reachable entry is ≥ e^{−βΔ_p} × the largest. Beyond e^{650} that
  // would underflow a float64 (and lose ground states at large β): then weights are kept as logs.
  const laterWeight = new Float64Array(n);
  for (let k = 0; k < EI.length; k++) laterWeight[Math.max(pos[EI[k]], pos[EJ[k]])] += Math.abs(EV[k]);
  if (h !== null) for (let p = 0; p < n; p++) laterWeight[p] += Math.abs(h[order[p]]);
  let range = 0;
  let windowSum = 0;
  for (let p = 0; p < n; p++) {
    windowSum += laterWeight[p];
    if (p >= B) windowSum -= laterWeight[p - B];
    range = Math.max(range, 2 * windowSum);
  }
  const logDomain = beta * range > 650;

  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < nf; k++) fixedVal[k] = k === 0 && sym ? 1 : ((o >> (sym ? k - 1 : k)) & 1) === 1 ? 1 : -1;
    A.fill(logDomain ? -Infinity : 0);
    A[0] = logDomain ? 0 : 1;
    if (moments) {
      U.fill(0);
      V.fill(0);
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
      const npat = 1 << kk;
      const s0 = ls[0] ?? 0;
      const s1 = ls[1] ?? 0;
      const s2 = ls[2] ?? 0;
      const patOf = (x: number): number => {
        if (kk === 0) return 0;
        if (kk === 1) return (x >> s0) & 1;
        if (kk === 2) return ((x >> s0) & 1) | (((x >> s1) & 1) << 1);
        if (kk === 3) return ((x >> s0) & 1) | (((x >> s1) & 1) << 1) | (((x >> s2) & 1) << 2);
        let pat = 0;
        for (let q = 0; q < kk; q++) pat |= ((x >> ls[q]) & 1) << q;
        return pat;
      };
      // table of local fields by neighbour-bit pattern
      let maxAbsF = 0;
      for (let pat = 0; pat < npat; pat++) {
        let f = base;
        for (let q = 0; q < kk; q++) f += ((pat >> q) & 1) === 1 ? lj[q] : -lj[q];
        fTab[pat] = f;
        maxAbsF = Math.max(maxAbsF, Math.abs(f));
      }
      const allowUp = isFixed[p] === 0 || fixedVal[fixedIndex[p]] === 1;
      const allowDown = isFixed[p] === 0 || fixedVal[fixedIndex[p]] === -1;
      if (logDomain) {
        logSiteUpdate(A, U, V, A2, U2, V2, S, slotBit, kk === 0 ? 0 : kk, ls, fTab, beta, allowUp, allowDown, moments);
        let mx = -Infinity;
        for (let x = 0; x < S; x++) if (A2[x] > mx) mx = A2[x];
        if (!Number.isFinite(mx)) throw new Error(`${W}: log weights vanished or overflowed at position ${p} (β = ${beta})`);
        for (let x = 0; x < S; x++) A2[x] -= mx;
        logScale += mx;
        [A, A2] = [A2, A];
        if (moments) {
          [U, U2] = [U2, U];
          [V, V2] = [V2, V];
        }
        continue;
      }
      // Weights: spin up e = −f, w = exp(βf − c); spin down e = +f, w = exp(−βf − c).
      // For βf small, c = 0 (max weight ≥ 1, no overflow). Otherwise (large β) c is the
      // largest ln A[x] ± βf over the states present, so the largest new weight is exactly 1:
      // nothing overflows, and what underflows is below 1e-308 of the largest term.
      let shift = 0;
      if (beta * maxAbsF > 500) {
        patMax.fill(0, 0, npat);
        for (let x = 0; x < S; x++) {
          const a = A[x];
          if (a === 0) continue;
          const pat = patOf(x);
          if (a > patMax[pat]) patMax[pat] = a;
        }
        shift = -Infinity;
        for (let pat = 0; pat < npat; pat++) {
          if (patMax[pat] === 0) continue;
          const lm = Math.log(patMax[pat]);
          if (allowUp) shift = Math.max(shift, lm + beta * fTab[pat]);
          if (allowDown) shift = Math.max(shift, lm - beta * fTab[pat]);
        }
      }
      const wUp = new Float64Array(npat);
      const wDn = new Float64Array(npat);
      for (let pat = 0; pat < npat; pat++) {
        wUp[pat] = allowUp ? Math.exp(beta * fTab[pat] - shift) : 0;
        wDn[pat] = allowDown ? Math.exp(-beta * fTab[pat] - shift) : 0;
      }
      A2.fill(0);
      if (moments) {
        U2.fill(0);
        V2.fill(0);
      }
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
        const wu = a * wUp[pat];
        const wd = a * wDn[pat];
        if (!moments) {
          A2[xu] += wu;
          A2[xd] += wd;
          continue;
        }
        const f = fTab[pat];
        const ux = U[x];
        const vx = V[x];
        if (wu > 0) {
          // spin up: energy −f
          const n1 = A2[xu];
          if (n1 === 0) {
            A2[xu] = wu;
            U2[xu] = ux - f;
            V2[xu] = vx * wUp[pat];
          } else {
            const nt = n1 + wu;
            const d = ux - f - U2[xu];
            const fr = wu / nt;
            U2[xu] += d * fr;
            V2[xu] += vx * wUp[pat] + d * d * n1 * fr;
            A2[xu] = nt;
          }
        }
        if (wd > 0) {
          const n1 = A2[xd];
          if (n1 === 0) {
            A2[xd] = wd;
            U2[xd] = ux + f;
            V2[xd] = vx * wDn[pat];
          } else {
            const nt = n1 + wd;
            const d = ux + f - U2[xd];
            const fr = wd / nt;
            U2[xd] += d * fr;
            V2[xd] += vx * wDn[pat] + d * d * n1 * fr;
            A2[xd] = nt;
          }
        }
      }
      let mx = 0;
      for (let x = 0; x < S; x++) if (A2[x] > mx) mx = A2[x];
      if (mx === 0 || !Number.isFinite(mx)) throw new Error(`${W}: weights vanished or overflowed at position ${p} (β = ${beta})`);
      const inv = 1 / mx;
      for (let x = 0; x < S; x++) A2[x] *= inv;
      if (moments) for (let x = 0; x < S; x++) V2[x] *= inv;
      logScale += shift + Math.log(mx);
      [A, A2] = [A2, A];
      if (moments) {
        [U, U2] = [U2, U];
        [V, V2] = [V2, V];
      }
    }
    let a = 0;
    let u = 0;
    let v = 0;
    if (logDomain) {
      // entries are ≤ 1 after the last shift: merge them linearly (those below e^{−745} are negligible)
      for (let x = 0; x < S; x++) {
        const ax = Math.exp(A[x]);
        if (ax === 0) continue;
        if (moments) {
          const nt = a + ax;
          const d = U[x] - u;
          const fr = ax / nt;
          u += d * fr;
          v += ax * V[x] + d * d * a * fr;
        }
        a += ax;
      }
      results.push({ logScale, a, u, v });
      continue;
    }
    for (let x = 0; x < S; x++) {
      const ax = A[x];
      if (ax === 0) continue;
      if (moments) {
        const nt = a + ax;
        const d = U[x] - u;
        const fr = ax / nt;
        u += d * fr;
        v += V[x] + d * d * a * fr;
      }
      a += ax;
    }
    results.push({ logScale, a, u, v });
  }
  let mxLog = -Infinity;
  for (const r of results) if (r.a > 0) mxLog = Math.max(mxLog, r.logScale + Math.log(r.a));
  let sa = 0;
  let su = 0;
  let sv = 0;
  for (const r of results) {
    if (r.a <= 0) continue;
    const w = Math.exp(r.logScale - mxLog);
    const wa = w * r.a;
    if (wa === 0) continue;
    const nt = sa + wa;
    const d = r.u - su;
    const fr = wa / nt;
    su += d * fr;
    sv += w * r.v + d * d * sa * fr;
    sa = nt;
  }
  const logZ = mxLog + Math.log(sa) + (sym ? Math.LN2 : 0);
  const f = -logZ / (beta * n);
  let energyPerSpin: number | null = null;
  let entropyPerSpin: number | null = null;
  let specificHeatPerSpin: number | null = null;
  if (moments) {
    const meanE = su;
    const varE = sv / sa;
    energyPerSpin = meanE / n;
    // S = ln Z + β⟨E⟩; at large β both are ~βE₀: their sum keeps an absolute error ~ ε β|E₀|/N
    entropyPerSpin = (logZ + beta * meanE) / n;
    specificHeatPerSpin = varE === 0 ? 0 : (beta * beta * varE) / n;
  }
  return { method: "transfer-matrix", n, beta, logZ, freeEnergyPerSpin: f, energyPerSpin, entropyPerSpin, specificHeatPerSpin, absMagnetizationPerSpin: null };
}

/** One site of the transfer matrix with log weights (large β): A, U, V → A2, U2, V2 (see the module doc). */
function logSiteUpdate(
  A: Float64Array, U: Float64Array, V: Float64Array, A2: Float64Array, U2: Float64Array, V2: Float64Array,
  S: number, slotBit: number, kk: number, ls: number[], fTab: Float64Array, beta: number, allowUp: boolean, allowDown: boolean, moments: boolean,
): void {
  const patOf = (x: number): number => {
    let pat = 0;
    for (let q = 0; q < kk; q++) pat |= ((x >> ls[q]) & 1) << q;
    return pat;
  };
  // log weights; U = class mean energy, V = class variance (a ratio, so no scale)
  A2.fill(-Infinity);
  for (let x = 0; x < S; x++) {
    const lx = A[x];
    if (lx === -Infinity) continue;
    const pat = patOf(x);
    const f = fTab[pat];
    for (let dir = 0; dir < 2; dir++) {
      if (dir === 0 ? !allowUp : !allowDown) continue;
      const y = dir === 0 ? x | slotBit : x & ~slotBit;
      const l = dir === 0 ? lx + beta * f : lx - beta * f;
      const l1 = A2[y];
      if (l1 === -Infinity) {
        A2[y] = l;
        if (moments) {
          U2[y] = dir === 0 ? U[x] - f : U[x] + f;
          V2[y] = V[x];
        }
        continue;
      }
      let fr: number;
      if (l > l1) {
        const t = Math.exp(l1 - l);
        A2[y] = l + Math.log1p(t);
        fr = 1 / (1 + t);
      } else {
        const t = Math.exp(l - l1);
        A2[y] = l1 + Math.log1p(t);
        fr = t / (1 + t);
      }
      if (moments) {
        const d = (dir === 0 ? U[x] - f : U[x] + f) - U2[y];
        U2[y] += d * fr;
        V2[y] = (1 - fr) * V2[y] + fr * V[x] + d * d * fr * (1 - fr);
      }
    }
  }
}
