/**
 * `van-4a`: the SK spin glass with N = 20 spins (one seeded instance,
 * J_ij ~ N(0, 1/N)), β = 0.1 … 5: the relative error |F_method − F|/|F| of
 * the free energy per spin of the VAN (a MADE trained by REINFORCE with
 * β-annealing; its variational F_q with the error of the mean over fresh
 * samples), naive mean field, TAP and Bethe (belief propagation), against the
 * exact F by enumeration of all 2^N states — the comparison of Wu, Wang &
 * Zhang, PRL 122, 080602 (2019). A mean-field method that does not converge
 * at a β is a row with null values and the reason in `status`.
 */
import { enumerate } from "../exact/index";
import { bethe, nmf, tap, type MeanFieldResult } from "../meanfield/index";
import { made } from "../models/index";
import { estimateVan } from "../estimates/index";
import { line, layer } from "../plot/specs";
import { sk } from "../systems/lattices";
import type { SpinSystem } from "../systems/types";
import { trainVan } from "../train/index";
import { checkBetas, checkCount } from "./store";
import type { FigureDefinition, FigurePoint, Row, Settings } from "./types";

export interface Van4aSettings extends Settings {
  /** Spins of the SK instance. */
  n: number;
  /** Inverse temperatures. */
  betas: number[];
  /** Methods: "van", "nmf", "tap", "bethe". */
  methods: string[];
  /** VAN: MADE depth and width (hidden units per spin). */
  depth: number;
  width: number;
  /** VAN training: steps, samples per step, learning rate, β-annealing rate. */
  steps: number;
  batch: number;
  lr: number;
  anneal: number;
  /** VAN estimate: fresh samples. */
  samples: number;
  /** Mean field: the dampings tried in turn until the iteration converges (after the first: 3 random starts each). */
  dampings: number[];
}

const LABELS: Record<string, string> = { van: "VAN (MADE)", nmf: "naive mean field", tap: "TAP", bethe: "Bethe" };

/** Exact F/N per (instance, β): every method's point of one β needs it (kept for the last few instances). */
const exactCache = new Map<string, number>();

function exactFreeEnergy(system: SpinSystem, key: string, beta: number): number {
  const k = `${key} ${beta}`;
  const hit = exactCache.get(k);
  if (hit !== undefined) return hit;
  const f = enumerate(system, beta).freeEnergyPerSpin;
  if (exactCache.size > 256) exactCache.clear();
  exactCache.set(k, f);
  return f;
}

function computePoint(p: FigurePoint, s: Van4aSettings, ctx: Parameters<FigureDefinition["computePoint"]>[2]): Row[] {
  const beta = p.beta as number;
  const method = p.method as string;
  const instanceSeed = ctx.sharedSeed("instance");
  const system = sk({ n: s.n, seed: instanceSeed });
  const fExact = exactFreeEnergy(system, `sk ${s.n} ${instanceSeed}`, beta);
  const row: Row = {
    n: s.n, beta, method: LABELS[method], freeEnergy: null, freeEnergyError: null, exactFreeEnergy: fExact,
    relativeError: null, relativeErrorError: null, status: "ok", note: null,
  };
  if (method === "van") {
    const model = made({ size: s.n, depth: s.depth, width: s.width, seed: ctx.seed });
    try {
      trainVan({ model, system, beta, steps: s.steps, batch: s.batch, lr: s.lr, anneal: s.anneal, progress: false, seed: ctx.seed + 1 });
      const e = estimateVan({ model, system, beta, samples: s.samples, seed: ctx.seed + 2 });
      row.freeEnergy = e.freeEnergyVariational.mean;
      row.freeEnergyError = e.freeEnergyVariational.error;
      if (e.warnings.length > 0) row.note = e.warnings.join("; ");
    } catch (err) {
      row.status = `failed: ${(err as Error).message.split("\n")[0]}`;
    } finally {
      model.dispose();
    }
  } else {
    const f = method === "nmf" ? nmf : method === "tap" ? tap : bethe;
    // damped fixed-point iteration, with more damping, iterations and starts where it does not converge
    let r: MeanFieldResult | null = null;
    let reason = "";
    for (const [k, damping] of s.dampings.entries()) {
      try {
        r = k === 0 ? f(system, { beta, damping, seed: ctx.seed }) : f(system, { beta, damping, restarts: 3, seed: ctx.seed });
        if (k > 0) row.note = `converged with damping ${damping} (${r.convergedStarts} of ${r.starts} starts)`;
        break;
      } catch (err) {
        reason = (err as Error).message.split("\n")[0];
      }
    }
    if (r !== null) {
      row.freeEnergy = r.freeEnergyPerSpin;
      row.freeEnergyError = 0;
    } else row.status = `not converged: ${reason}`;
  }
  if (row.freeEnergy !== null) {
    row.relativeError = Math.abs((row.freeEnergy as number) - fExact) / Math.abs(fExact);
    row.relativeErrorError = (row.freeEnergyError as number) / Math.abs(fExact);
  }
  return [row];
}

function at(rows: Row[], method: string, beta: number): number | null {
  const r = rows.find((x) => x.method === LABELS[method] && x.beta === beta);
  return r === undefined ? null : (r.relativeError as number | null);
}

/** The figure. */
export const van4a: FigureDefinition<Van4aSettings> = {
  name: "van-4a",
  title: "SK model: relative error of the free energy",
  paper: "Wu, Wang & Zhang, PRL 122, 080602 (2019): SK N = 20, VAN vs NMF, TAP, Bethe",
  summary: "SK N = 20, β = 0.1…5: |ΔF/F| of VAN (MADE), naive mean field, TAP and Bethe against enumeration",
  quick: {
    n: 20, betas: [0.1, 0.5, 1, 2, 3, 5], methods: ["van", "nmf", "tap", "bethe"],
    depth: 2, width: 4, steps: 300, batch: 500, lr: 0.003, anneal: 0.99, samples: 5000, dampings: [0.5, 0.9],
  },
  full: {
    n: 20, betas: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.2, 1.4, 1.6, 1.8, 2, 2.5, 3, 3.5, 4, 4.5, 5], methods: ["van", "nmf", "tap", "bethe"],
    depth: 2, width: 4, steps: 3000, batch: 1000, lr: 0.001, anneal: 0.998, samples: 100000, dampings: [0.5, 0.9, 0.97, 0.99],
  },
  minutes: { quick: 1, full: 50 },
  columns: ["n", "beta", "method", "freeEnergy", "freeEnergyError", "exactFreeEnergy", "relativeError", "relativeErrorError", "status", "note"],
  points(s) {
    checkBetas(s.betas, "betas", "van-4a");
    checkCount(s.n, "n", "van-4a", 2);
    for (const k of ["steps", "batch", "samples", "depth", "width"] as const) checkCount(s[k], k, "van-4a", k === "batch" || k === "samples" ? 2 : 1);
    const pts: FigurePoint[] = [];
    for (const method of s.methods) {
      if (!(method in LABELS)) throw new Error(`van-4a: unknown method "${method}" (known: ${Object.keys(LABELS).join(", ")})`);
      for (const beta of s.betas) pts.push({ id: `${method}_beta=${beta}`, method, beta });
    }
    return pts;
  },
  computePoint,
  chart(rows, s) {
    const data = rows.filter((r) => typeof r.relativeError === "number" && (r.relativeError as number) > 0);
    return layer(line(data, {
      x: "beta", y: "relativeError", color: "method", points: true, logY: true,
      title: `SK model, N = ${s.n}: relative error of F against enumeration`, xTitle: "β", yTitle: "|F − F_exact| / |F_exact|", width: 440, height: 300,
    }));
  },
  headline(rows, s) {
    const b = s.betas.includes(1) ? 1 : s.betas[Math.floor(s.betas.length / 2)];
    const van = rows.filter((r) => r.method === LABELS.van && typeof r.relativeError === "number").map((r) => r.relativeError as number);
    return {
      beta: b,
      vanRelativeError: at(rows, "van", b), nmfRelativeError: at(rows, "nmf", b), tapRelativeError: at(rows, "tap", b), betheRelativeError: at(rows, "bethe", b),
      vanMaxRelativeError: van.length > 0 ? Math.max(...van) : null,
      notConverged: rows.filter((r) => r.status !== "ok").length,
    };
  },
};
