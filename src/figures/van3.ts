/**
 * `van-3`: the Hopfield model (N = 100 spins, P = 2 random patterns, Hebb
 * couplings J = ξᵀξ/N, zero diagonal): samples projected on the patterns,
 * (m₁, m₂) with m_μ = ξ^μ·s/N, at several β — what Wu, Wang & Zhang, PRL
 * 122, 080602 (2019), Fig. 3, shows. Above the retrieval transition (β > 1
 * for P ≪ N) the Boltzmann distribution has 2P modes near ±ξ^μ, with
 * overlap m* solving m = tanh(βm) (exact for P/N → 0); a VAN (MADE with Z2
 * symmetry, β-annealed) samples all of them, while a single-spin-flip
 * Metropolis chain stays in the mode it falls into. Summary rows give the
 * mean retrieval overlap ⟨max_μ |m_μ|⟩ (under q) against m*, how many of the
 * 2P modes hold at least 5 % of the samples, and the VAN's ESS.
 */
import { estimateVan } from "../estimates/index";
import { made, sampleSpins } from "../models/index";
import { grid, scatter } from "../plot/specs";
import { metropolis } from "../samplers/index";
import { hopfield } from "../systems/lattices";
import { trainVan } from "../train/index";
import { checkBetas, checkCount } from "./store";
import type { FigureDefinition, FigurePoint, PointContext, Row, Settings } from "./types";

export interface Van3Settings extends Settings {
  /** Spins and stored patterns. */
  n: number;
  patterns: number;
  betas: number[];
  /** VAN: MADE depth and width, steps, batch, learning rate, β-annealing rate, samples for the estimates. */
  depth: number;
  width: number;
  steps: number;
  batch: number;
  lr: number;
  anneal: number;
  samples: number;
  /** Samples shown in the scatter per (method, β). */
  shown: number;
  /** Metropolis: sweeps after 100 of burn-in, recording every 10th. */
  sweeps: number;
}

/** The retrieval overlap m* > 0 solving m = tanh(βm) (0 for β ≤ 1). */
export function retrievalOverlap(beta: number): number {
  if (beta <= 1) return 0;
  let m = 1;
  for (let k = 0; k < 10000; k++) {
    const next = Math.tanh(beta * m);
    if (Math.abs(next - m) < 1e-14) return next;
    m = next;
  }
  return m;
}

function project(x: ArrayLike<number>, count: number, n: number, patterns: ReadonlyArray<Int8Array>): Float64Array[] {
  const out = patterns.map(() => new Float64Array(count));
  for (let k = 0; k < count; k++) {
    for (let mu = 0; mu < patterns.length; mu++) {
      let d = 0;
      const p = patterns[mu];
      for (let i = 0; i < n; i++) d += p[i] * x[k * n + i];
      out[mu][k] = d / n;
    }
  }
  return out;
}

/** Mean of max_μ |m_μ| with its standard error, and the number of the 2P modes ±ξ^μ holding ≥ 5 % of the samples (a sample belongs to the pattern of largest |m_μ|, if that exceeds 0.5). */
function summarise(m: Float64Array[], count: number): { overlap: number; overlapError: number; modes: number } {
  const P = m.length;
  const modes = new Array<number>(2 * P).fill(0);
  let s = 0;
  let s2 = 0;
  for (let k = 0; k < count; k++) {
    let best = 0;
    for (let mu = 1; mu < P; mu++) if (Math.abs(m[mu][k]) > Math.abs(m[best][k])) best = mu;
    const a = Math.abs(m[best][k]);
    s += a;
    s2 += a * a;
    if (a > 0.5) modes[2 * best + (m[best][k] > 0 ? 0 : 1)] += 1;
  }
  const mean = s / count;
  const variance = Math.max(0, s2 / count - mean * mean);
  return { overlap: mean, overlapError: Math.sqrt(variance / count), modes: modes.filter((c) => c >= 0.05 * count).length };
}

function row(r: Partial<Row>): Row {
  return { panel: null, method: null, beta: null, quantity: null, m1: null, m2: null, value: null, error: null, reference: null, ...r };
}

function computePoint(p: FigurePoint, s: Van3Settings, ctx: PointContext): Row[] {
  const beta = p.beta as number;
  const system = hopfield({ n: s.n, patterns: s.patterns, seed: ctx.sharedSeed("patterns") });
  const n = system.n;
  const rows: Row[] = [];
  let x: ArrayLike<number>;
  let count: number;
  let method: string;
  let ess: number | null = null;
  let fq: { mean: number; error: number } | null = null;
  if (p.method === "van") {
    method = "VAN (MADE)";
    const model = made({ size: n, depth: s.depth, width: s.width, z2: true, seed: ctx.seed });
    try {
      trainVan({ model, system, beta, steps: s.steps, batch: s.batch, lr: s.lr, anneal: s.anneal, progress: false, seed: ctx.seed + 1 });
      const e = estimateVan({ model, system, beta, samples: s.samples, seed: ctx.seed + 2 });
      ess = e.essFraction;
      fq = e.freeEnergyVariational;
      x = sampleSpins(model, s.samples, { seed: ctx.seed + 3 }).x;
      count = s.samples;
    } finally {
      model.dispose();
    }
  } else {
    method = "Metropolis";
    const mc = metropolis(system, { beta, sweeps: s.sweeps + 100, burnIn: 100, thin: 10, keepSamples: true, seed: ctx.seed });
    x = mc.samples as Float64Array;
    count = mc.recorded;
  }
  const m = project(x, count, n, system.patterns);
  const step = Math.max(1, Math.floor(count / s.shown));
  for (let k = 0; k < count && rows.length < s.shown; k += step) rows.push(row({ panel: "samples", method, beta, m1: m[0][k], m2: m.length > 1 ? m[1][k] : null }));
  const sum = summarise(m, count);
  rows.push(row({ panel: "summary", method, beta, quantity: "retrievalOverlap", value: sum.overlap, error: sum.overlapError, reference: retrievalOverlap(beta) }));
  rows.push(row({ panel: "summary", method, beta, quantity: "modesVisited", value: sum.modes, reference: beta > 1 ? 2 * s.patterns : 0 }));
  if (ess !== null) rows.push(row({ panel: "summary", method, beta, quantity: "essFraction", value: ess }));
  if (fq !== null) rows.push(row({ panel: "summary", method, beta, quantity: "freeEnergyVariational", value: fq.mean, error: fq.error }));
  return rows;
}

/** The figure. */
export const van3: FigureDefinition<Van3Settings> = {
  name: "van-3",
  title: "Hopfield model: samples projected on the patterns",
  paper: "Wu, Wang & Zhang, PRL 122, 080602 (2019), Fig. 3: Hopfield N = 100",
  summary: "Hopfield N = 100, P = 2: VAN and Metropolis samples projected on the two patterns at several β; retrieval overlap against m = tanh(βm)",
  quick: { n: 100, patterns: 2, betas: [0.5, 1.5], depth: 2, width: 2, steps: 400, batch: 256, lr: 0.003, anneal: 0.99, samples: 2000, shown: 400, sweeps: 2000 },
  full: { n: 100, patterns: 2, betas: [0.3, 0.5, 1, 1.2, 1.5, 2, 3], depth: 2, width: 4, steps: 3000, batch: 1000, lr: 0.001, anneal: 0.998, samples: 20000, shown: 1000, sweeps: 20000 },
  minutes: { quick: 1, full: 90 },
  columns: ["panel", "method", "beta", "quantity", "m1", "m2", "value", "error", "reference"],
  points(s) {
    checkBetas(s.betas, "betas", "van-3");
    checkCount(s.n, "n", "van-3", 2);
    for (const k of ["patterns", "steps", "batch", "samples", "depth", "width", "shown", "sweeps"] as const) checkCount(s[k], k, "van-3", k === "batch" || k === "samples" ? 2 : 1);
    const pts: FigurePoint[] = [];
    for (const method of ["van", "mcmc"]) for (const beta of s.betas) pts.push({ id: `${method}_beta=${beta}`, method, beta });
    return pts;
  },
  computePoint,
  chart(rows, s) {
    const panels = [];
    for (const method of ["VAN (MADE)", "Metropolis"]) {
      for (const beta of s.betas) {
        const data = rows.filter((r) => r.panel === "samples" && r.method === method && r.beta === beta);
        panels.push(scatter(data, { x: "m1", y: "m2", title: `${method}, β = ${beta}`, xTitle: "m₁ = ξ¹·s/N", yTitle: "m₂ = ξ²·s/N", xDomain: [-1.05, 1.05], yDomain: [-1.05, 1.05], opacity: 0.4, size: 12, width: 220, height: 220 }));
      }
    }
    return grid(panels, { columns: s.betas.length, title: `Hopfield model, N = ${s.n}, P = ${s.patterns}: samples projected on the patterns` });
  },
  headline(rows, s) {
    const out: Record<string, number | null> = {};
    const bMax = Math.max(...s.betas);
    const get = (method: string, q: string) => rows.find((r) => r.panel === "summary" && r.method === method && r.beta === bMax && r.quantity === q);
    out.beta = bMax;
    out.meanFieldOverlap = retrievalOverlap(bMax);
    out.vanOverlap = (get("VAN (MADE)", "retrievalOverlap")?.value ?? null) as number | null;
    out.vanModes = (get("VAN (MADE)", "modesVisited")?.value ?? null) as number | null;
    out.mcmcModes = (get("Metropolis", "modesVisited")?.value ?? null) as number | null;
    out.vanEssFraction = (get("VAN (MADE)", "essFraction")?.value ?? null) as number | null;
    return out;
  },
};
