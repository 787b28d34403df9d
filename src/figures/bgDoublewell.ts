/**
 * `bg-doublewell`: the Boltzmann-generator panels of Noé, Olsson, Köhler &
 * Wu, Science 365, eaaw1147 (2019), on the 2-D double well
 * E = x⁴ − 6x² + x + y²/2 at β = 1 (the right well holds ≈ 3.3 % of the
 * probability):
 *  - "trace": a random-walk Metropolis chain started in the left well stays
 *    there (the barrier is ≈ 9 kT), so MCMC never sees the right well;
 *  - "samples": samples of generators (RealNVP) trained by energy (reverse
 *    KL), by example (maximum likelihood on MCMC data started in both wells)
 *    and combined;
 *  - "profile": the free-energy profile F(x) = −ln p(x) of the generators'
 *    samples reweighted to Boltzmann, against quadrature;
 *  - "summary": Kish ESS/n, the reweighted ΔF = F_right − F_left with its
 *    error against quadrature, and the right-well fraction, per training.
 * Rows are long-format: panel, method, quantity, x, y, value, error, exact.
 */
import { boltzmannGenerator, freeEnergyProfile, reweight, trainBoltzmannGenerator, wellFreeEnergy } from "../bg/index";
import { marginalDensity, wellFreeEnergyDifference } from "../exact/index";
import { realNVP } from "../flows/index";
import { bar, grid, layer, line, rule, scatter } from "../plot/specs";
import { continuousMetropolis } from "../samplers/index";
import { doubleWell } from "../systems/index";
import { checkBetas, checkCount } from "./store";
import type { FigureDefinition, FigurePoint, PointContext, Row, Settings } from "./types";

export interface BgDoublewellSettings extends Settings {
  beta: number;
  /** Steps of the stuck Metropolis chain (and how many of them the trace keeps). */
  mcmcSteps: number;
  traceLength: number;
  /** Training data: chains (half per well) and sweeps of Metropolis (burn-in 100, thin 10). */
  dataChains: number;
  dataSweeps: number;
  /** Generators: RealNVP coupling layers and hidden widths, training steps and batch, learning rate. */
  layers: number;
  hidden: number[];
  steps: number;
  batch: number;
  lr: number;
  /** Samples reweighted per generator, samples kept for the scatter, histogram bins of the profile. */
  samples: number;
  shownSamples: number;
  bins: number;
}

const METHODS: Record<string, { label: string; loss: "energy" | "example" | "combined" }> = {
  energy: { label: "by energy", loss: "energy" },
  example: { label: "by example", loss: "example" },
  combined: { label: "combined", loss: "combined" },
};
const RANGE: [number, number] = [-2.6, 2.6];

function row(r: Partial<Row>): Row {
  return { panel: null, method: null, quantity: null, x: null, y: null, value: null, error: null, exact: null, ...r };
}

function trainingData(s: BgDoublewellSettings, seed: number): Float64Array {
  const system = doubleWell();
  const init = new Float64Array(s.dataChains * 2);
  for (let c = 0; c < s.dataChains; c++) init[2 * c] = c < s.dataChains / 2 ? system.wells.left[0] : system.wells.right[0];
  const mc = continuousMetropolis(system, { beta: s.beta, sweeps: s.dataSweeps, burnIn: 100, thin: 10, chains: s.dataChains, initial: init, keepSamples: true, stepSize: 0.3, seed });
  return mc.samples as Float64Array;
}

function computePoint(p: FigurePoint, s: BgDoublewellSettings, ctx: PointContext): Row[] {
  const system = doubleWell();
  const divide = system.wells.divide;
  const exactWells = wellFreeEnergyDifference(system, { beta: s.beta });
  if (p.kind === "mcmc") {
    const stuck = continuousMetropolis(system, { beta: s.beta, sweeps: s.mcmcSteps, chains: 1, initial: system.wells.left, stepSize: 0.3, seed: ctx.seed });
    const x0 = stuck.observables.x0;
    let right = 0;
    for (const v of x0) if (v > divide) right++;
    const rows: Row[] = [];
    const m = Math.min(s.traceLength, stuck.recorded);
    for (let k = 0; k < m; k++) {
      const t = Math.floor((k * stuck.recorded) / m);
      rows.push(row({ panel: "trace", method: "Metropolis", quantity: "x", x: t, value: x0[t] }));
    }
    rows.push(row({ panel: "summary", method: "Metropolis (left start)", quantity: "rightFraction", value: right / stuck.recorded, error: null, exact: exactWells.fractionRight }));
    return rows;
  }
  if (p.kind === "quadrature") {
    const xs = Array.from({ length: s.bins }, (_, k) => RANGE[0] + ((k + 0.5) * (RANGE[1] - RANGE[0])) / s.bins);
    const prof = marginalDensity(system, { beta: s.beta, at: xs });
    return xs.map((x, k) => row({ panel: "profile", method: "exact (quadrature)", quantity: "F", x, value: prof.freeEnergy[k], error: 0 }));
  }
  const method = METHODS[p.method as string];
  const data = method.loss === "energy" ? undefined : trainingData(s, ctx.sharedSeed("data"));
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
    const w = wellFreeEnergy({ x: rw.x, dim: 2, divide, logWeights: rw.logWeights });
    const fin = (v: number) => (Number.isFinite(v) ? v : null);
    rows.push(row({ panel: "summary", method: method.label, quantity: "essFraction", value: rw.essFraction }));
    rows.push(row({ panel: "summary", method: method.label, quantity: "deltaF", value: fin(w.deltaF.mean), error: fin(w.deltaF.error), exact: exactWells.deltaF }));
    rows.push(row({ panel: "summary", method: method.label, quantity: "rightFraction", value: w.fractionRight.mean, error: fin(w.fractionRight.error), exact: exactWells.fractionRight }));
    return rows;
  } finally {
    model.dispose();
  }
}

function summary(rows: Row[], method: string, quantity: string): Row | undefined {
  return rows.find((r) => r.panel === "summary" && r.method === method && r.quantity === quantity);
}

/** The figure. */
export const bgDoublewell: FigureDefinition<BgDoublewellSettings> = {
  name: "bg-doublewell",
  title: "Boltzmann generator on the double well",
  paper: "Noé, Olsson, Köhler & Wu, Science 365, eaaw1147 (2019): double-well panels",
  summary: "2-D double well, β = 1: Metropolis stuck in one well, generator samples by energy/example/combined, reweighted F(x) against quadrature, ESS",
  quick: {
    beta: 1, mcmcSteps: 4000, traceLength: 400, dataChains: 100, dataSweeps: 600,
    layers: 4, hidden: [64, 64], steps: 300, batch: 512, lr: 0.001, samples: 20000, shownSamples: 400, bins: 52,
  },
  full: {
    beta: 1, mcmcSteps: 40000, traceLength: 2000, dataChains: 100, dataSweeps: 2100,
    layers: 4, hidden: [64, 64], steps: 1200, batch: 512, lr: 0.001, samples: 200000, shownSamples: 1500, bins: 52,
  },
  minutes: { quick: 1, full: 5 },
  columns: ["panel", "method", "quantity", "x", "y", "value", "error", "exact"],
  points(s) {
    checkBetas([s.beta], "beta", "bg-doublewell");
    for (const k of ["mcmcSteps", "traceLength", "dataChains", "dataSweeps", "layers", "steps", "batch", "samples", "shownSamples", "bins"] as const) checkCount(s[k], k, "bg-doublewell", k === "batch" || k === "samples" || k === "dataChains" ? 2 : 1);
    for (const h of s.hidden) checkCount(h, "hidden", "bg-doublewell");
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
    const divide = doubleWell().wells.divide;
    return grid([
      layer(line(trace, { x: "x", y: "value", title: "Metropolis from the left well: stuck", xTitle: "step", yTitle: "x", yDomain: [-2.6, 2.6], width: 300, height: 220 }), rule({ y: divide })),
      scatter(samples, { x: "x", y: "y", color: "method", title: "generator samples", opacity: 0.4, size: 8, xDomain: [-3, 3], yDomain: [-3.5, 3.5], width: 300, height: 220 }),
      line(profile, { x: "x", y: "value", color: "method", error: "error", title: "free-energy profile F(x) = −ln p(x)", yTitle: "F / kT", yDomain: [-1, 12], width: 300, height: 220 }),
      bar(ess, { x: "method", y: "value", title: "ESS / n after reweighting", yTitle: "Kish ESS / n", width: 300, height: 220 }),
    ], { columns: 2, title: "Boltzmann generator, double well (β = 1)" });
  },
  headline(rows) {
    const out: Record<string, number | string | null> = {};
    const exact = summary(rows, "combined", "deltaF")?.exact ?? null;
    out.deltaFExact = exact as number | null;
    for (const m of Object.values(METHODS)) {
      const key = m.loss;
      out[`essFraction_${key}`] = (summary(rows, m.label, "essFraction")?.value ?? null) as number | null;
      out[`deltaF_${key}`] = (summary(rows, m.label, "deltaF")?.value ?? null) as number | null;
      out[`deltaFError_${key}`] = (summary(rows, m.label, "deltaF")?.error ?? null) as number | null;
    }
    out.mcmcRightFraction = (summary(rows, "Metropolis (left start)", "rightFraction")?.value ?? null) as number | null;
    out.exactRightFraction = (summary(rows, "Metropolis (left start)", "rightFraction")?.exact ?? null) as number | null;
    return out;
  },
};
