/**
 * `bg-mullerbrown`: the Boltzmann-generator panels of Noé, Olsson, Köhler &
 * Wu, Science 365, eaaw1147 (2019), on the Müller–Brown potential (scaled
 * by s = 0.1, β = 1: three minima separated by barriers of several kT):
 *  - "trace": a random-walk Metropolis chain started in the upper-left
 *    minimum (−0.56, 1.44) never reaches the lower-right basin x > 0.2,
 *    which holds 2.2 % of the probability;
 *  - "samples": samples of RealNVP generators trained by energy, by example
 *    (MCMC data started in all three minima) and combined;
 *  - "profile": F(x) = −ln p(x) along x of the reweighted samples against
 *    quadrature;
 *  - "summary": Kish ESS/n, the reweighted ln Z with its error against
 *    quadrature, and the probability of the basin x > 0.2.
 * Rows are long-format like bg-doublewell's: panel, method, quantity, x, y,
 * value, error, exact.
 */
import { boltzmannGenerator, freeEnergyProfile, reweight, trainBoltzmannGenerator } from "../bg/index";
import { marginalDensity, quadratureLogZ } from "../exact/index";
import { realNVP } from "../flows/index";
import { bar, grid, layer, line, rule, scatter } from "../plot/specs";
import { continuousMetropolis } from "../samplers/index";
import { mullerBrown } from "../systems/index";
import { checkBetas, checkCount } from "./store";
import type { FigureDefinition, FigurePoint, PointContext, Row, Settings } from "./types";

export interface BgMullerbrownSettings extends Settings {
  beta: number;
  /** Energy scale s of the potential. */
  scale: number;
  /** Steps of the stuck Metropolis chain, and how many of them the trace keeps. */
  mcmcSteps: number;
  traceLength: number;
  /** Training data: chains (spread over the three minima) and sweeps (burn-in 100, thin 10). */
  dataChains: number;
  dataSweeps: number;
  /** Generators: coupling layers, hidden widths, steps, batch, learning rate. */
  layers: number;
  hidden: number[];
  steps: number;
  batch: number;
  lr: number;
  /** Samples reweighted per generator, kept for the scatter, and profile bins. */
  samples: number;
  shownSamples: number;
  bins: number;
}

const METHODS: Record<string, { label: string; loss: "energy" | "example" | "combined" }> = {
  energy: { label: "by energy", loss: "energy" },
  example: { label: "by example", loss: "example" },
  combined: { label: "combined", loss: "combined" },
};
/** x range of the profile, and the x dividing the lower-right basin from the other two. */
const RANGE: [number, number] = [-1.6, 1.2];
const DIVIDE = 0.2;
const STEP = 0.1;

function row(r: Partial<Row>): Row {
  return { panel: null, method: null, quantity: null, x: null, y: null, value: null, error: null, exact: null, ...r };
}

/** Exact probability of x > DIVIDE, from the marginal density on a fine grid (trapezoid rule). */
function exactBasin(s: BgMullerbrownSettings): number {
  const system = mullerBrown({ scale: s.scale });
  const [lo, hi] = system.factors[0].range[0];
  const n = 2001;
  const xs = Array.from({ length: n }, (_, k) => lo + ((hi - lo) * k) / (n - 1));
  const p = marginalDensity(system, { beta: s.beta, at: xs }).density;
  let all = 0;
  let right = 0;
  for (let k = 1; k < n; k++) {
    const w = ((p[k] + p[k - 1]) / 2) * (xs[k] - xs[k - 1]);
    all += w;
    if (xs[k - 1] >= DIVIDE) right += w;
  }
  return right / all;
}

function computePoint(p: FigurePoint, s: BgMullerbrownSettings, ctx: PointContext): Row[] {
  const system = mullerBrown({ scale: s.scale });
  if (p.kind === "mcmc") {
    const stuck = continuousMetropolis(system, { beta: s.beta, sweeps: s.mcmcSteps, chains: 1, initial: Float64Array.from(system.minima[0]), stepSize: STEP, seed: ctx.seed });
    const x0 = stuck.observables.x0;
    let right = 0;
    for (const v of x0) if (v > DIVIDE) right++;
    const rows: Row[] = [];
    const m = Math.min(s.traceLength, stuck.recorded);
    for (let k = 0; k < m; k++) {
      const t = Math.floor((k * stuck.recorded) / m);
      rows.push(row({ panel: "trace", method: "Metropolis", quantity: "x", x: t, value: x0[t] }));
    }
    rows.push(row({ panel: "summary", method: "Metropolis (upper-left start)", quantity: "basinFraction", value: right / stuck.recorded, exact: exactBasin(s) }));
    return rows;
  }
  if (p.kind === "quadrature") {
    const xs = Array.from({ length: s.bins }, (_, k) => RANGE[0] + ((k + 0.5) * (RANGE[1] - RANGE[0])) / s.bins);
    const prof = marginalDensity(system, { beta: s.beta, at: xs });
    return xs.map((x, k) => row({ panel: "profile", method: "exact (quadrature)", quantity: "F", x, value: prof.freeEnergy[k], error: 0 }));
  }
  const method = METHODS[p.method as string];
  let data: Float64Array | undefined;
  if (method.loss !== "energy") {
    const init = new Float64Array(2 * s.dataChains);
    for (let c = 0; c < s.dataChains; c++) init.set(system.minima[c % 3], 2 * c);
    data = continuousMetropolis(system, { beta: s.beta, sweeps: s.dataSweeps, burnIn: 100, thin: 10, chains: s.dataChains, initial: init, keepSamples: true, stepSize: STEP, seed: ctx.sharedSeed("data") }).samples as Float64Array;
  }
  const model = boltzmannGenerator({ flow: realNVP({ dim: 2, layers: s.layers, hidden: s.hidden, seed: ctx.seed }) });
  try {
    trainBoltzmannGenerator(model, { system, beta: s.beta, steps: s.steps, loss: method.loss, data, batch: s.batch, dataBatch: s.batch, learningRate: s.lr, seed: ctx.seed + 1 });
    const rw = reweight(model, { system, beta: s.beta, samples: s.samples, seed: ctx.seed + 2 });
    const rows: Row[] = [];
    for (let k = 0; k < Math.min(s.shownSamples, rw.n); k++) rows.push(row({ panel: "samples", method: method.label, quantity: "sample", x: rw.x[2 * k], y: rw.x[2 * k + 1] }));
    const xv = Float64Array.from({ length: rw.n }, (_, k) => rw.x[2 * k]);
    const prof = freeEnergyProfile({ values: xv, logWeights: rw.logWeights, bins: s.bins, range: RANGE });
    for (let j = 0; j < prof.x.length; j++) {
      const ok = Number.isFinite(prof.freeEnergy[j]) && Number.isFinite(prof.error[j]);
      rows.push(row({ panel: "profile", method: `${method.label}, reweighted`, quantity: "F", x: prof.x[j], value: ok ? prof.freeEnergy[j] : null, error: ok ? prof.error[j] : null }));
    }
    // reweighted probability of the basin x > DIVIDE
    let mx = -Infinity;
    for (const v of rw.logWeights) mx = Math.max(mx, v);
    let all = 0;
    let right = 0;
    for (let k = 0; k < rw.n; k++) {
      const w = Math.exp(rw.logWeights[k] - mx);
      all += w;
      if (rw.x[2 * k] > DIVIDE) right += w;
    }
    const fin = (v: number) => (Number.isFinite(v) ? v : null);
    rows.push(row({ panel: "summary", method: method.label, quantity: "essFraction", value: rw.essFraction }));
    rows.push(row({ panel: "summary", method: method.label, quantity: "logZ", value: fin(rw.logZ.mean), error: fin(rw.logZ.error), exact: quadratureLogZ(system, { beta: s.beta }).logZ }));
    rows.push(row({ panel: "summary", method: method.label, quantity: "basinFraction", value: right / all, exact: exactBasin(s) }));
    return rows;
  } finally {
    model.dispose();
  }
}

function summary(rows: Row[], method: string, quantity: string): Row | undefined {
  return rows.find((r) => r.panel === "summary" && r.method === method && r.quantity === quantity);
}

/** The figure. */
export const bgMullerbrown: FigureDefinition<BgMullerbrownSettings> = {
  name: "bg-mullerbrown",
  title: "Boltzmann generator on the Müller–Brown potential",
  paper: "Noé, Olsson, Köhler & Wu, Science 365, eaaw1147 (2019): Müller–Brown panels",
  summary: "Müller–Brown (s = 0.1, β = 1): Metropolis stuck in one minimum, generator samples by energy/example/combined, reweighted F(x) against quadrature, ESS, ln Z",
  quick: {
    beta: 1, scale: 0.1, mcmcSteps: 4000, traceLength: 400, dataChains: 99, dataSweeps: 600,
    layers: 4, hidden: [64, 64], steps: 300, batch: 512, lr: 0.001, samples: 20000, shownSamples: 400, bins: 48,
  },
  full: {
    beta: 1, scale: 0.1, mcmcSteps: 40000, traceLength: 2000, dataChains: 99, dataSweeps: 2100,
    layers: 6, hidden: [64, 64], steps: 2000, batch: 512, lr: 0.001, samples: 200000, shownSamples: 1500, bins: 48,
  },
  minutes: { quick: 1, full: 10 },
  columns: ["panel", "method", "quantity", "x", "y", "value", "error", "exact"],
  points(s) {
    checkBetas([s.beta, s.scale], "beta and scale", "bg-mullerbrown");
    for (const k of ["mcmcSteps", "traceLength", "dataChains", "dataSweeps", "layers", "steps", "batch", "samples", "shownSamples", "bins"] as const) checkCount(s[k], k, "bg-mullerbrown", k === "batch" || k === "samples" || k === "dataChains" ? 2 : 1);
    for (const h of s.hidden) checkCount(h, "hidden", "bg-mullerbrown");
    return [
      { id: "mcmc", kind: "mcmc" },
      { id: "quadrature", kind: "quadrature" },
      ...Object.keys(METHODS).map((m) => ({ id: `train_${m}`, kind: "train", method: m })),
    ];
  },
  computePoint,
  chart(rows) {
    const trace = rows.filter((r) => r.panel === "trace");
    const samples = rows.filter((r) => r.panel === "samples");
    const profile = rows.filter((r) => r.panel === "profile" && typeof r.value === "number" && (r.error as number) < 1);
    const ess = rows.filter((r) => r.panel === "summary" && r.quantity === "essFraction");
    return grid([
      layer(line(trace, { x: "x", y: "value", title: "Metropolis from the upper-left minimum: stuck", xTitle: "step", yTitle: "x", yDomain: [-1.6, 1.2], width: 300, height: 220 }), rule({ y: DIVIDE })),
      scatter(samples, { x: "x", y: "y", color: "method", title: "generator samples", opacity: 0.4, size: 8, xDomain: [-1.6, 1.2], yDomain: [-0.5, 2.1], width: 300, height: 220 }),
      line(profile, { x: "x", y: "value", color: "method", error: "error", title: "free-energy profile F(x) = −ln p(x)", yTitle: "F / kT", width: 300, height: 220 }),
      bar(ess, { x: "method", y: "value", title: "ESS / n after reweighting", yTitle: "Kish ESS / n", width: 300, height: 220 }),
    ], { columns: 2, title: "Boltzmann generator, Müller–Brown (s = 0.1, β = 1)" });
  },
  headline(rows) {
    const out: Record<string, number | null> = {};
    out.logZExact = (summary(rows, "combined", "logZ")?.exact ?? null) as number | null;
    out.basinFractionExact = (summary(rows, "Metropolis (upper-left start)", "basinFraction")?.exact ?? null) as number | null;
    out.mcmcBasinFraction = (summary(rows, "Metropolis (upper-left start)", "basinFraction")?.value ?? null) as number | null;
    for (const m of Object.values(METHODS)) {
      out[`essFraction_${m.loss}`] = (summary(rows, m.label, "essFraction")?.value ?? null) as number | null;
      out[`logZ_${m.loss}`] = (summary(rows, m.label, "logZ")?.value ?? null) as number | null;
      out[`logZError_${m.loss}`] = (summary(rows, m.label, "logZ")?.error ?? null) as number | null;
      out[`basinFraction_${m.loss}`] = (summary(rows, m.label, "basinFraction")?.value ?? null) as number | null;
    }
    return out;
  },
};
