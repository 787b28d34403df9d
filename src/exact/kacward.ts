/**
 * Kac–Ward determinant for planar Ising models in zero field: open-boundary
 * 2-D grids with any couplings (nearest-neighbour bonds, plus optionally one
 * family of diagonals, e.g. the open triangular lattice).
 *
 *   Z = 2^N Π_e cosh(βJ_e) · det(I − Λ)^{1/2},
 *   Λ_{e,e'} = tanh(βJ_{e'}) · exp(i α(e, e')/2)  for directed edges e = (u→v), e' = (v→w), w ≠ u,
 *
 * with α(e, e') ∈ (−π, π) the turning angle from the direction of e to that of
 * e' in the straight-line embedding (site (r, c) at the point (c, −r)). The
 * determinant of this 2m×2m complex matrix is real and positive for a planar
 * embedding; it is computed by a banded LU with partial pivoting in float64
 * (directed edges ordered along the sweep, band ≈ 4·width), in
 * O(m · width²). The phase of the determinant is checked to vanish.
 *
 * Energy and specific heat come from 7-point central differences of ln Z in β
 * (see derivatives.ts): energy to ~1e-12 relative, specific heat to ~1e-9.
 * |m| is not available (null).
 */
import { checkKeys, checkPositive } from "../core/validate";
import type { ExactResult, SpinSystem } from "../systems/types";
import { withDerivatives } from "./derivatives";

interface KWGraph {
  n: number;
  /** directed edges: tail, head, coupling, direction angle */
  tail: Int32Array;
  head: Int32Array;
  J: Float64Array;
  angle: Float64Array;
  /** outgoing directed edges per vertex */
  out: number[][];
  /** index of the reverse of each directed edge */
  rev: Int32Array;
  /** undirected couplings */
  edgeJ: Float64Array;
}

/** Why Kac–Ward does not apply, or null. */
export function kacWardRefusal(system: SpinSystem): string | null {
  return buildGraph(system).error;
}

function buildGraph(system: SpinSystem): { error: string; graph: null } | { error: null; graph: KWGraph } {
  if (system.fields !== null) return { error: "Kac–Ward needs zero field (this system has fields)", graph: null };
  const g = system.geometry;
  if (g === null || g.grid.length !== 2) return { error: "Kac–Ward needs a 2-D grid geometry (a planar embedding)", graph: null };
  const [R, C] = g.grid;
  const { i, j, J } = system.edges;
  const m = i.length;
  let diagDir = 0; // +1: (r,c)-(r+1,c+1); −1: (r,c)-(r+1,c−1)
  // Transpose when rows are wider than columns, so the band (≈ 4·width) is small.
  const transpose = C > R;
  const coords = (s: number): [number, number] => {
    const r = Math.floor(s / C);
    const c = s - r * C;
    return transpose ? [c, r] : [r, c];
  };
  const width = transpose ? R : C;
  const key = (s: number): number => {
    const [r, c] = coords(s);
    return r * width + c;
  };
  for (let k = 0; k < m; k++) {
    const [r1, c1] = coords(i[k]);
    const [r2, c2] = coords(j[k]);
    const dr = r2 - r1;
    const dc = c2 - c1;
    const adr = Math.abs(dr);
    const adc = Math.abs(dc);
    if (adr + adc === 1) continue;
    if (adr === 1 && adc === 1) {
      const d = dr * dc; // +1 for main diagonal, −1 for anti-diagonal
      if (diagDir === 0) diagDir = d;
      else if (diagDir !== d) return { error: "Kac–Ward: both diagonal directions present, the straight-line embedding is not planar", graph: null };
      continue;
    }
    const periodic = g.periodic.some((p) => p);
    return {
      error: `Kac–Ward needs a planar open grid: edge (${i[k]}, ${j[k]}) is not a nearest-neighbour bond${periodic ? " (periodic boundaries are not planar)" : ""}`,
      graph: null,
    };
  }
  // directed edges sorted by (lower endpoint in sweep order, undirected edge, direction)
  const und: Array<{ a: number; b: number; J: number; key: number }> = [];
  for (let k = 0; k < m; k++) {
    const a = key(i[k]) <= key(j[k]) ? i[k] : j[k];
    const b = a === i[k] ? j[k] : i[k];
    und.push({ a, b, J: J[k], key: key(a) * 8 + (key(b) - key(a) === 1 ? 0 : key(b) - key(a) === width ? 1 : 2) });
  }
  und.sort((x, y) => x.key - y.key);
  const nd = 2 * m;
  const tail = new Int32Array(nd);
  const head = new Int32Array(nd);
  const DJ = new Float64Array(nd);
  const angle = new Float64Array(nd);
  const rev = new Int32Array(nd);
  const out: number[][] = [];
  for (let v = 0; v < system.n; v++) out.push([]);
  const edgeJ = new Float64Array(m);
  und.forEach((e, k) => {
    const [ra, ca] = coords(e.a);
    const [rb, cb] = coords(e.b);
    const th = Math.atan2(-(rb - ra), cb - ca); // embedding (c, −r)
    tail[2 * k] = e.a;
    head[2 * k] = e.b;
    angle[2 * k] = th;
    tail[2 * k + 1] = e.b;
    head[2 * k + 1] = e.a;
    angle[2 * k + 1] = th > 0 ? th - Math.PI : th + Math.PI;
    DJ[2 * k] = DJ[2 * k + 1] = e.J;
    rev[2 * k] = 2 * k + 1;
    rev[2 * k + 1] = 2 * k;
    out[e.a].push(2 * k);
    out[e.b].push(2 * k + 1);
    edgeJ[k] = e.J;
  });
  return { error: null, graph: { n: system.n, tail, head, J: DJ, angle, out, rev, edgeJ } };
}

/**
 * ln det(I − Λ) by banded complex LU with partial pivoting. Returns the log of
 * the modulus and the phase (mod 2π, in (−π, π]).
 */
function logDetKW(g: KWGraph, beta: number): { logAbs: number; phase: number } {
  const nd = g.tail.length;
  if (nd === 0) return { logAbs: 0, phase: 0 };
  // bandwidths from the sparsity pattern
  let kl = 0;
  let ku = 0;
  for (let e = 0; e < nd; e++) {
    for (const f of g.out[g.head[e]]) {
      if (f === g.rev[e]) continue;
      if (f > e) ku = Math.max(ku, f - e);
      else kl = Math.max(kl, e - f);
    }
  }
  const Wd = 2 * kl + ku + 1; // row window: columns [row − kl, row + kl + ku]
  const re = new Float64Array(nd * Wd);
  const im = new Float64Array(nd * Wd);
  const at = (row: number, col: number): number => row * Wd + (col - row + kl);
  for (let e = 0; e < nd; e++) {
    re[at(e, e)] = 1;
    for (const f of g.out[g.head[e]]) {
      if (f === g.rev[e]) continue;
      let a = g.angle[f] - g.angle[e];
      if (a > Math.PI) a -= 2 * Math.PI;
      else if (a <= -Math.PI) a += 2 * Math.PI;
      const t = Math.tanh(beta * g.J[f]);
      re[at(e, f)] -= t * Math.cos(a / 2);
      im[at(e, f)] -= t * Math.sin(a / 2);
    }
  }
  let logAbs = 0;
  let phase = 0;
  for (let k = 0; k < nd; k++) {
    // pivot search in column k among rows k..k+kl
    const last = Math.min(nd - 1, k + kl);
    let piv = k;
    let best = -1;
    for (let r = k; r <= last; r++) {
      const q = at(r, k);
      const mag = re[q] * re[q] + im[q] * im[q];
      if (mag > best) {
        best = mag;
        piv = r;
      }
    }
    if (best === 0) return { logAbs: -Infinity, phase: 0 };
    const colEnd = Math.min(nd - 1, k + kl + ku);
    if (piv !== k) {
      for (let c = k; c <= colEnd; c++) {
        const a = at(k, c);
        const b = at(piv, c);
        let t = re[a];
        re[a] = re[b];
        re[b] = t;
        t = im[a];
        im[a] = im[b];
        im[b] = t;
      }
      phase += Math.PI;
    }
    const pk = at(k, k);
    const pr = re[pk];
    const pi = im[pk];
    logAbs += 0.5 * Math.log(pr * pr + pi * pi);
    phase += Math.atan2(pi, pr);
    const den = pr * pr + pi * pi;
    const ir = pr / den;
    const ii = -pi / den;
    const rowK = k * Wd - k + kl; // at(k, c) = rowK + c
    for (let r = k + 1; r <= last; r++) {
      const rowR = r * Wd - r + kl;
      const q = rowR + k;
      const ar = re[q];
      const ai = im[q];
      if (ar === 0 && ai === 0) continue;
      // l = a_rk / a_kk
      const lr = ar * ir - ai * ii;
      const li = ar * ii + ai * ir;
      re[q] = 0;
      im[q] = 0;
      for (let c = k + 1; c <= colEnd; c++) {
        const ur = re[rowK + c];
        const ui = im[rowK + c];
        if (ur === 0 && ui === 0) continue;
        re[rowR + c] -= lr * ur - li * ui;
        im[rowR + c] -= lr * ui + li * ur;
      }
    }
  }
  phase = phase % (2 * Math.PI);
  if (phase > Math.PI) phase -= 2 * Math.PI;
  else if (phase <= -Math.PI) phase += 2 * Math.PI;
  return { logAbs, phase };
}

function logZKW(g: KWGraph, beta: number, where: string): number {
  const { logAbs, phase } = logDetKW(g, beta);
  if (!Number.isFinite(logAbs)) throw new Error(`${where}: the Kac–Ward matrix is singular at β = ${beta}`);
  if (Math.abs(phase) > 1e-6) throw new Error(`${where}: det(I − Λ) has phase ${phase.toExponential(2)} (expected 0): float64 has lost the determinant at β = ${beta} (I − Λ is nearly singular at low temperature; use the transfer matrix there) or the embedding is not planar`);
  let s = g.n * Math.LN2;
  for (let k = 0; k < g.edgeJ.length; k++) {
    const x = Math.abs(beta * g.edgeJ[k]);
    s += x + Math.log1p(Math.exp(-2 * x)) - Math.LN2; // ln cosh x
  }
  return s + 0.5 * logAbs;
}

export interface KacWardOptions {
  /** Compute only ln Z (one determinant instead of five); default false. */
  logZOnly?: boolean;
}

/** Exact ln Z of a planar zero-field grid system by the Kac–Ward determinant. */
export function kacWard(system: SpinSystem, beta: number, options: KacWardOptions = {}): ExactResult {
  const W = "exact.kacWard";
  checkKeys(options, ["logZOnly"], W);
  checkPositive(beta, "beta", W);
  const b = buildGraph(system);
  if (b.error !== null) throw new Error(`${W}: ${b.error}`);
  const g = b.graph;
  let maxJ = 0;
  for (let k = 0; k < g.edgeJ.length; k++) maxJ = Math.max(maxJ, Math.abs(g.edgeJ[k]));
  return withDerivatives("kac-ward", system.n, beta, (bt) => logZKW(g, bt, W), { maxJ, logZOnly: options.logZOnly === true });
}

/** Estimated cost of Kac–Ward (flops-ish), Infinity when it does not apply. */
export function kacWardCost(system: SpinSystem): number {
  const g = system.geometry;
  if (kacWardRefusal(system) !== null || g === null) return Infinity;
  const w = Math.min(g.grid[0], g.grid[1]);
  return 7 * 2 * system.edges.i.length * (4 * w + 4) * (8 * w + 8);
}
