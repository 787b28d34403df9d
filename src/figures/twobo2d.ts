/**
 * `twobo-2d`: TwoBo against MADE on the periodic ±J Edwards–Anderson grids
 * published with the TwoBo paper (Biazzo, Wu & Carleo, Mach. Learn.: Sci.
 * Technol. 5, 025074 (2024); data/twobo/2D_EA_PM_L16_{0,1}), β = 0.5 … 3:
 * the relative error (F_est − F)/|F| of the free energy per spin — the
 * variational F_q (an upper bound, so ≥ 0 up to its error) and the
 * importance-sampled F = −(βN)⁻¹ ln⟨e^{−βE − ln q}⟩_q — against the exact F of
 * the periodic planar grid (`exact` picks the Pfaffian method), with each
 * model's parameter count. Each point is one model on one instance trained
 * along the β values in order with `sweepVan` (every stage warm-starts from
 * the previous one and anneals from its β; the estimates after each stage
 * are that β's row), as notebook 05's last section does.
 *
 * The helpers here (instances, the sweep of one model) are shared with
 * `twobo-sparse` (./twoboSparse.ts), whose references come from population
 * annealing instead.
 */
import fs from "node:fs";
import path from "node:path";
import { exact } from "../exact/index";
import { loadInstance } from "../io/index";
import { made, twobo } from "../models/index";
import type { GenerativeModel } from "../models/types";
import { hconcat, layer, line, type VegaLiteSpec } from "../plot/specs";
import { parseSystemSpec } from "../systems/parse";
import type { SpinSystem } from "../systems/types";
import { sweepVan } from "../train/index";
import { checkBetas, checkCount } from "./store";
import type { Cell, FigureDefinition, FigurePoint, PointContext, Row, Settings } from "./types";

/** The TwoBo instances shipped with the repository (a checkout's data/twobo). */
export const TWOBO_DATA = path.resolve(__dirname, "..", "..", "data", "twobo");

/** Model labels in the CSV. */
export const TWOBO_MODELS: Record<string, string> = { twobo: "TwoBo", made: "MADE depth 1" };

/** Training settings shared by both TwoBo figures. */
export interface TwoboSweepSettings extends Settings {
  /** Inverse temperatures, trained in this order (each stage warm-started from the previous). */
  betas: number[];
  /** Models: "twobo" (its default layers) and "made" (depth 1, default width). */
  models: string[];
  /** Steps per β stage, samples per step, Adam learning rate, β-annealing rate per stage, gradient clipping. */
  steps: number;
  batch: number;
  lr: number;
  anneal: number;
  clip: number;
  /** Fresh samples for the estimates after each stage. */
  samples: number;
}

/** The system of an instance name: a file data/twobo/NAME.npz, or a system spec with a colon (e.g. "ea3d:L=8"). */
export function loadTwoboSystem(name: string): SpinSystem {
  if (name.includes(":")) return parseSystemSpec(name);
  return loadInstance(path.join(TWOBO_DATA, `${name}.npz`));
}

/** For `points`: the instance names exist (files or specs) and the sweep settings are sane. */
export function checkSweepSettings(s: TwoboSweepSettings, instances: ReadonlyArray<string | number>, figure: string): void {
  checkBetas(s.betas, "betas", figure);
  for (let k = 1; k < s.betas.length; k++) if (!(s.betas[k] > s.betas[k - 1])) throw new Error(`${figure}: betas must increase, got ${JSON.stringify(s.betas)}`);
  for (const k of ["steps", "batch", "samples"] as const) checkCount(s[k], k, figure, k === "steps" ? 1 : 2);
  for (const k of ["lr", "anneal", "clip"] as const) if (!(typeof s[k] === "number" && s[k] > 0)) throw new Error(`${figure}: ${k} must be a number > 0, got ${JSON.stringify(s[k])}`);
  for (const m of s.models) if (!(m in TWOBO_MODELS)) throw new Error(`${figure}: unknown model "${m}" (known: ${Object.keys(TWOBO_MODELS).join(", ")})`);
  for (const name of instances) {
    if (typeof name !== "string") throw new Error(`${figure}: instances must be names, got ${JSON.stringify(name)}`);
    if (name.includes(":")) parseSystemSpec(name);
    else if (!fs.existsSync(path.join(TWOBO_DATA, `${name}.npz`))) throw new Error(`${figure}: instance "${name}" not found (no ${path.join(TWOBO_DATA, `${name}.npz`)}; needs a checkout with data/twobo)`);
  }
}

/** A reference F/N at one β with its error and the method's name. */
export interface TwoboReference {
  f: number;
  error: number;
  method: string;
}

/**
 * Train one model on one system along `s.betas` and return a row per β: the
 * estimates after that stage, the reference, the relative errors (signed:
 * (F_est − F_ref)/|F_ref|, with the error of the estimate and of the reference
 * combined) and the parameter count. A failed sweep gives rows with null
 * values and the reason in `status`.
 */
export function sweepRows(system: SpinSystem, instance: string, model: string, s: TwoboSweepSettings, ctx: PointContext, reference: TwoboReference[]): Row[] {
  const net: GenerativeModel = model === "twobo"
    ? twobo({ system, beta: s.betas[0], seed: ctx.seed })
    : made({ size: system.n, depth: 1, seed: ctx.seed });
  const base = (beta: number, k: number): Row => ({
    instance, n: system.n, model: TWOBO_MODELS[model], parameters: null, beta,
    freeEnergyVariational: null, freeEnergyVariationalError: null, freeEnergyImportance: null, freeEnergyImportanceError: null,
    paretoK: null, essFraction: null,
    referenceFreeEnergy: reference[k].f, referenceError: reference[k].error, reference: reference[k].method,
    relativeError: null, relativeErrorError: null, relativeErrorImportance: null, relativeErrorImportanceError: null, status: "ok",
  });
  const rows = s.betas.map(base);
  try {
    const parameters = (net as unknown as { parameterCount(): number }).parameterCount();
    for (const r of rows) r.parameters = parameters;
    const res = sweepVan({
      model: net, system, betas: s.betas, steps: s.steps, batch: s.batch, lr: s.lr, anneal: s.anneal, clip: s.clip,
      estimateSamples: s.samples, progress: false, seed: ctx.seed + 1,
    });
    res.estimates.forEach((e, k) => {
      const r = rows[k];
      if (e === null) {
        r.status = "failed: no estimate";
        return;
      }
      const ref = reference[k];
      r.freeEnergyVariational = e.freeEnergyVariational.mean;
      r.freeEnergyVariationalError = e.freeEnergyVariational.error;
      r.freeEnergyImportance = e.freeEnergy.mean;
      r.freeEnergyImportanceError = e.freeEnergy.error;
      r.paretoK = Number.isFinite(e.paretoK) ? e.paretoK : null;
      r.essFraction = e.essFraction;
      const scale = Math.abs(ref.f);
      r.relativeError = (e.freeEnergyVariational.mean - ref.f) / scale;
      r.relativeErrorError = Math.hypot(e.freeEnergyVariational.error, ref.error) / scale;
      if (Number.isFinite(e.freeEnergy.mean)) {
        r.relativeErrorImportance = (e.freeEnergy.mean - ref.f) / scale;
        r.relativeErrorImportanceError = Math.hypot(e.freeEnergy.error, ref.error) / scale;
      }
      if (e.warnings.length > 0) r.status = `ok; ${e.warnings.join("; ")}`;
    });
  } catch (err) {
    for (const r of rows) r.status = `failed: ${(err as Error).message.split("\n")[0]}`;
  } finally {
    net.dispose();
  }
  // an infinite error bar (e.g. the jackknife of one dominant weight) is no number in the point files: keep rows identical before and after a round trip
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (typeof v === "number" && !Number.isFinite(v)) r[k] = null;
  return rows;
}

/** One panel per instance: |relative error| on a log axis against β, per model and estimate (plus extra layers, e.g. a reference's error); `yTitle` names the reference. */
export function sweepChart(rows: Row[], instances: ReadonlyArray<string>, yTitle: string, extra: (instance: string) => VegaLiteSpec[] = () => []): VegaLiteSpec {
  const panels = instances.map((inst) => {
    const mine = rows.filter((r) => r.instance === inst && r.model !== null && r.model !== "population annealing");
    const data: Record<string, Cell>[] = [];
    for (const r of mine) {
      if (typeof r.relativeError === "number" && Math.abs(r.relativeError) > 0) data.push({ beta: r.beta, relativeError: Math.abs(r.relativeError), curve: `${r.model}, F_q` });
      if (typeof r.relativeErrorImportance === "number" && Math.abs(r.relativeErrorImportance) > 0) data.push({ beta: r.beta, relativeError: Math.abs(r.relativeErrorImportance), curve: `${r.model}, importance sampled` });
    }
    const n = (rows.find((r) => r.instance === inst)?.n as number | undefined) ?? 0;
    const counts = [...new Set(mine.filter((r) => typeof r.parameters === "number").map((r) => `${String(r.model).split(" ")[0]} ${r.parameters}`))].join(", ");
    const chart = line(data, {
      x: "beta", y: "relativeError", color: "curve", points: true, logY: true, title: `${inst}${counts === "" ? ` (N = ${n})` : `: ${counts} params`}`,
      xTitle: "β", yTitle, width: 440, height: 280,
    });
    const more = extra(inst);
    return more.length === 0 ? chart : layer(chart, ...more);
  });
  return panels.length === 1 ? panels[0] : hconcat(...panels);
}

/** The relative error of F_q of a model at β on an instance (null when missing). */
export function relativeErrorAt(rows: Row[], instance: string, model: string, beta: number): number | null {
  const r = rows.find((x) => x.instance === instance && x.model === TWOBO_MODELS[model] && x.beta === beta);
  return r === undefined || typeof r.relativeError !== "number" ? null : r.relativeError;
}

/** Parameter count of a model on an instance (null when missing). */
export function parametersOf(rows: Row[], instance: string, model: string): number | null {
  const r = rows.find((x) => x.instance === instance && x.model === TWOBO_MODELS[model] && typeof x.parameters === "number");
  return r === undefined ? null : (r.parameters as number);
}

export interface Twobo2dSettings extends TwoboSweepSettings {
  /** Instances: names of data/twobo/*.npz (periodic ±J grids) or system specs. */
  instances: string[];
}

/** Exact F/N per (instance, β): both models' points of an instance need it. */
const exactCache = new Map<string, TwoboReference>();

function exactReference(system: SpinSystem, instance: string, beta: number): TwoboReference {
  const key = `${instance} ${beta}`;
  const hit = exactCache.get(key);
  if (hit !== undefined) return hit;
  const r = exact(system, beta);
  const ref = { f: r.freeEnergyPerSpin, error: 0, method: `exact (${r.method})` };
  if (exactCache.size > 256) exactCache.clear();
  exactCache.set(key, ref);
  return ref;
}

const COLUMNS = [
  "instance", "n", "model", "parameters", "beta",
  "freeEnergyVariational", "freeEnergyVariationalError", "freeEnergyImportance", "freeEnergyImportanceError", "paretoK", "essFraction",
  "referenceFreeEnergy", "referenceError", "reference",
  "relativeError", "relativeErrorError", "relativeErrorImportance", "relativeErrorImportanceError", "status",
] as const;

/** The CSV columns of both TwoBo figures. */
export const TWOBO_COLUMNS: readonly string[] = COLUMNS;

/** The figure. */
export const twobo2d: FigureDefinition<Twobo2dSettings> = {
  name: "twobo-2d",
  title: "TwoBo against MADE on periodic ±J grids: relative error of F",
  paper: "Biazzo, Wu & Carleo, Mach. Learn.: Sci. Technol. 5, 025074 (2024): 2-D ±J EA L = 16, TwoBo vs MADE",
  summary: "periodic ±J L = 16 (TwoBo instances), β = 0.5…3: |ΔF/F| of F_q and importance-sampled F for TwoBo and MADE against the exact Pfaffian F; parameter counts",
  // quick: one instance, few steps per stage, small batch
  quick: {
    instances: ["2D_EA_PM_L16_0"], betas: [0.5, 1, 1.5, 2, 2.5, 3], models: ["twobo", "made"],
    steps: 100, batch: 128, lr: 0.003, anneal: 0.97, clip: 1, samples: 2000,
  },
  // full: both instances, 11 β; 500 steps of 1000 samples per stage — the largest practical budget on 2 CPU cores, smaller than the TwoBo paper's GPU runs
  full: {
    instances: ["2D_EA_PM_L16_0", "2D_EA_PM_L16_1"], betas: [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3], models: ["twobo", "made"],
    steps: 500, batch: 1000, lr: 0.001, anneal: 0.98, clip: 1, samples: 20000,
  },
  minutes: { quick: 0.5, full: 60 },
  columns: TWOBO_COLUMNS,
  points(s) {
    checkSweepSettings(s, s.instances, "twobo-2d");
    const pts: FigurePoint[] = [];
    for (const instance of s.instances) for (const model of s.models) pts.push({ id: `${model}_${instance.replace(/[^A-Za-z0-9_=.-]/g, "_")}`, instance, model });
    return pts;
  },
  computePoint(p, s, ctx) {
    const instance = p.instance as string;
    const system = loadTwoboSystem(instance);
    const reference = s.betas.map((b) => exactReference(system, instance, b));
    return sweepRows(system, instance, p.model as string, s, ctx, reference);
  },
  chart(rows, s) {
    return sweepChart(rows, s.instances, "|F_est − F_exact| / |F_exact|");
  },
  headline(rows, s) {
    const bMax = s.betas[s.betas.length - 1];
    const out: Record<string, Cell> = { betaMax: bMax };
    for (const inst of s.instances) {
      for (const m of s.models) {
        out[`${m}RelativeError_${inst}`] = relativeErrorAt(rows, inst, m, bMax);
        out[`${m}Parameters_${inst}`] = parametersOf(rows, inst, m);
      }
    }
    out.failed = rows.filter((r) => String(r.status).startsWith("failed")).length;
    return out;
  },
};
