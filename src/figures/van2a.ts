/**
 * `van-2a`: the 2-D ferromagnetic Ising model on an L×L periodic square
 * lattice (the paper: L = 16), β = 0.1 … 1 across the critical
 * β_c = ln(1 + √2)/2 ≈ 0.4407: the relative error (F_q − F)/|F| of the
 * variational free energy per spin of a VAN — PixelCNN and MADE — against
 * Kaufman's exact finite-lattice F, as in Wu, Wang & Zhang, PRL 122, 080602
 * (2019). F_q ≥ F, so the error is positive up to its statistical error.
 * Each (model, β) point trains its own network from scratch with β-annealing
 * (independent points; the paper's sizes are affordable only with `--full`).
 */
import { kaufman } from "../exact/index";
import { estimateVan } from "../estimates/index";
import { made, pixelcnn } from "../models/index";
import type { GenerativeModel } from "../models/types";
import { layer, line, rule } from "../plot/specs";
import { isingSquare } from "../systems/lattices";
import { trainVan } from "../train/index";
import { checkBetas, checkCount } from "./store";
import type { FigureDefinition, FigurePoint, PointContext, Row, Settings } from "./types";

export interface Van2aSettings extends Settings {
  /** Linear size of the periodic lattice. */
  L: number;
  betas: number[];
  /** Models: "pixelcnn", "made". */
  models: string[];
  /** PixelCNN: masked convolutions, channels, kernel half-size. */
  pixelcnnDepth: number;
  pixelcnnWidth: number;
  pixelcnnHalfKernel: number;
  /** MADE: masked dense layers and hidden units per spin. */
  madeDepth: number;
  madeWidth: number;
  /** Training: steps of the PixelCNN and of the MADE (cheaper per step), batch, learning rate, β-annealing rate, gradient clipping; estimate: samples. */
  pixelcnnSteps: number;
  madeSteps: number;
  batch: number;
  lr: number;
  anneal: number;
  clip: number;
  samples: number;
}

const LABELS: Record<string, string> = { pixelcnn: "PixelCNN", made: "MADE" };
const BETA_C = Math.log(1 + Math.SQRT2) / 2;

function computePoint(p: FigurePoint, s: Van2aSettings, ctx: PointContext): Row[] {
  const beta = p.beta as number;
  const system = isingSquare({ L: s.L });
  const fExact = kaufman(system, beta).freeEnergyPerSpin;
  const model: GenerativeModel = p.model === "pixelcnn"
    ? pixelcnn({ system, depth: s.pixelcnnDepth, width: s.pixelcnnWidth, halfKernel: s.pixelcnnHalfKernel, z2: true, seed: ctx.seed })
    : made({ size: system.n, depth: s.madeDepth, width: s.madeWidth, z2: true, seed: ctx.seed });
  const row: Row = {
    L: s.L, beta, model: LABELS[p.model as string], parameters: null, freeEnergy: null, freeEnergyError: null, exactFreeEnergy: fExact,
    relativeError: null, relativeErrorError: null, essFraction: null, status: "ok",
  };
  try {
    row.parameters = (model as unknown as { parameterCount(): number }).parameterCount();
    trainVan({ model, system, beta, steps: p.model === "pixelcnn" ? s.pixelcnnSteps : s.madeSteps, batch: s.batch, lr: s.lr, anneal: s.anneal, clip: s.clip, progress: false, seed: ctx.seed + 1 });
    const e = estimateVan({ model, system, beta, samples: s.samples, seed: ctx.seed + 2 });
    row.freeEnergy = e.freeEnergyVariational.mean;
    row.freeEnergyError = e.freeEnergyVariational.error;
    row.relativeError = (e.freeEnergyVariational.mean - fExact) / Math.abs(fExact);
    row.relativeErrorError = e.freeEnergyVariational.error / Math.abs(fExact);
    row.essFraction = e.essFraction;
  } catch (err) {
    row.status = `failed: ${(err as Error).message.split("\n")[0]}`;
  } finally {
    model.dispose();
  }
  return [row];
}

/** The figure. */
export const van2a: FigureDefinition<Van2aSettings> = {
  name: "van-2a",
  title: "2-D ferromagnet: relative error of F_q",
  paper: "Wu, Wang & Zhang, PRL 122, 080602 (2019): 16×16 Ising, PixelCNN and MADE against Kaufman",
  summary: "periodic Ising L = 8 (16 full), β = 0.1…1: (F_q − F)/|F| of PixelCNN and MADE against Kaufman",
  quick: {
    L: 8, betas: [0.1, 0.3, 0.44, 0.6, 1], models: ["pixelcnn", "made"],
    pixelcnnDepth: 2, pixelcnnWidth: 16, pixelcnnHalfKernel: 3, madeDepth: 2, madeWidth: 4,
    pixelcnnSteps: 120, madeSteps: 300, batch: 256, lr: 0.003, anneal: 0.97, clip: 1, samples: 4000,
  },
  full: {
    L: 16, betas: [0.1, 0.2, 0.3, 0.4, 0.44, 0.5, 0.6, 0.7, 0.8, 0.9, 1], models: ["pixelcnn", "made"],
    pixelcnnDepth: 3, pixelcnnWidth: 32, pixelcnnHalfKernel: 4, madeDepth: 3, madeWidth: 4,
    pixelcnnSteps: 1000, madeSteps: 2000, batch: 256, lr: 0.001, anneal: 0.995, clip: 1, samples: 20000,
  },
  minutes: { quick: 2, full: 540 },
  columns: ["L", "beta", "model", "parameters", "freeEnergy", "freeEnergyError", "exactFreeEnergy", "relativeError", "relativeErrorError", "essFraction", "status"],
  points(s) {
    checkBetas(s.betas, "betas", "van-2a");
    checkCount(s.L, "L", "van-2a", 2);
    for (const k of ["pixelcnnSteps", "madeSteps", "batch", "samples", "pixelcnnDepth", "pixelcnnWidth", "pixelcnnHalfKernel", "madeDepth", "madeWidth"] as const) checkCount(s[k], k, "van-2a", k === "batch" || k === "samples" ? 2 : 1);
    const pts: FigurePoint[] = [];
    for (const m of s.models) {
      if (!(m in LABELS)) throw new Error(`van-2a: unknown model "${m}" (known: ${Object.keys(LABELS).join(", ")})`);
      for (const beta of s.betas) pts.push({ id: `${m}_beta=${beta}`, model: m, beta });
    }
    return pts;
  },
  computePoint,
  chart(rows, s) {
    const data = rows.filter((r) => typeof r.relativeError === "number").map((r) => ({ ...r, shown: Math.max(1e-7, r.relativeError as number) }));
    return layer(
      line(data, { x: "beta", y: "shown", color: "model", points: true, logY: true, title: `${s.L}×${s.L} ferromagnet: relative error of F_q against Kaufman`, xTitle: "β", yTitle: "(F_q − F) / |F|", width: 440, height: 300 }),
      rule({ x: BETA_C, label: "β_c" }),
    );
  },
  headline(rows) {
    const out: Record<string, number | null> = {};
    for (const [key, label] of Object.entries(LABELS)) {
      const rs = rows.filter((r) => r.model === label && typeof r.relativeError === "number");
      out[`${key}MaxRelativeError`] = rs.length > 0 ? Math.max(...rs.map((r) => r.relativeError as number)) : null;
      const near = rs.length > 0 ? rs.reduce((a, b) => (Math.abs((b.beta as number) - BETA_C) < Math.abs((a.beta as number) - BETA_C) ? b : a)) : null;
      out[`${key}RelativeErrorNearBetaC`] = near === null ? null : (near.relativeError as number);
      out[`${key}Parameters`] = rs.length > 0 ? (rs[0].parameters as number) : null;
    }
    return out;
  },
};
