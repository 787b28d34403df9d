/**
 * `van-2b`: the antiferromagnetic Ising model on the triangular lattice
 * (L×L rhombus, periodic, L divisible by 3 so the boundary does not
 * frustrate the ground state): entropy per site S/N = β(E − F)/N against β
 * for several L. It is frustrated, so S/N does not go to zero at low
 * temperature but to the residual entropy of its degenerate ground states,
 * 0.3230659669… in the thermodynamic limit (Wannier 1950); on a finite
 * periodic lattice to ln(g_L)/N, with g_L the number of ground states,
 * approached from above as L grows. The exact references come from
 * `exact(system, β)` (enumeration for L = 3, transfer matrix for L = 6, 9);
 * the VAN (a MADE) gives the entropy reweighted to Boltzmann, −⟨ln q⟩ under
 * q beside it, as in Wu, Wang & Zhang, PRL 122, 080602 (2019).
 */
import { exact } from "../exact/index";
import { estimateVan } from "../estimates/index";
import { made } from "../models/index";
import { layer, line, rule } from "../plot/specs";
import { triangularAF } from "../systems/lattices";
import { trainVan } from "../train/index";
import { checkBetas, checkCount } from "./store";
import type { FigureDefinition, FigurePoint, Row, Settings } from "./types";

/** Wannier's residual entropy per site of the triangular antiferromagnet (Phys. Rev. 79, 357 (1950)). */
export const WANNIER_ENTROPY = 0.3230659669;

export interface Van2bSettings extends Settings {
  /** Linear sizes of the exact curves (multiples of 3). */
  sizes: number[];
  /** Inverse temperatures of the exact curves. */
  betas: number[];
  /** Linear sizes and β values of the VAN points (empty sizes: no VAN). */
  vanSizes: number[];
  vanBetas: number[];
  /** VAN: MADE depth and width, training steps, batch, learning rate, annealing rate, estimate samples. */
  depth: number;
  width: number;
  steps: number;
  batch: number;
  lr: number;
  anneal: number;
  samples: number;
}

function computePoint(p: FigurePoint, s: Van2bSettings, ctx: Parameters<FigureDefinition["computePoint"]>[2]): Row[] {
  const L = p.L as number;
  const beta = p.beta as number;
  const system = triangularAF({ L, boundary: "periodic" });
  const row: Row = {
    L, beta, method: null, entropy: null, entropyError: null, entropyModel: null, entropyModelError: null, energy: null, essFraction: null, status: "ok",
  };
  if (p.kind === "exact") {
    const r = exact(system, beta);
    row.method = `exact (${r.method})`;
    row.entropy = r.entropyPerSpin;
    row.entropyError = 0;
    row.energy = r.energyPerSpin;
    return [row];
  }
  row.method = "VAN (MADE)";
  const model = made({ size: system.n, depth: s.depth, width: s.width, seed: ctx.seed });
  try {
    trainVan({ model, system, beta, steps: s.steps, batch: s.batch, lr: s.lr, anneal: s.anneal, progress: false, seed: ctx.seed + 1 });
    const e = estimateVan({ model, system, beta, samples: s.samples, seed: ctx.seed + 2 });
    row.entropy = e.entropy.mean;
    row.entropyError = e.entropy.error;
    row.entropyModel = e.entropyModel.mean;
    row.entropyModelError = e.entropyModel.error;
    row.energy = e.energy.mean;
    row.essFraction = e.essFraction;
    if (e.warnings.length > 0) row.status = `ok; ${e.warnings.join("; ")}`;
  } catch (err) {
    row.status = `failed: ${(err as Error).message.split("\n")[0]}`;
  } finally {
    model.dispose();
  }
  return [row];
}

/** The figure. */
export const van2b: FigureDefinition<Van2bSettings> = {
  name: "van-2b",
  title: "triangular-lattice antiferromagnet: entropy per site",
  paper: "Wu, Wang & Zhang, PRL 122, 080602 (2019): triangular AF entropy vs β, Wannier's residual entropy",
  summary: "triangular AF, periodic L = 3, 6 (9 full): S/N against β → Wannier's 0.3230659669; exact (enumeration, transfer matrix) and VAN",
  quick: {
    sizes: [3, 6], betas: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5],
    vanSizes: [6], vanBetas: [0.5, 1, 2], depth: 2, width: 4, steps: 250, batch: 500, lr: 0.003, anneal: 0.99, samples: 5000,
  },
  full: {
    sizes: [3, 6, 9], betas: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 5],
    vanSizes: [6, 9], vanBetas: [0.25, 0.5, 1, 1.5, 2, 3, 4], depth: 2, width: 4, steps: 3000, batch: 1000, lr: 0.001, anneal: 0.998, samples: 50000,
  },
  minutes: { quick: 1, full: 60 },
  columns: ["L", "beta", "method", "entropy", "entropyError", "entropyModel", "entropyModelError", "energy", "essFraction", "status"],
  points(s) {
    checkBetas([...s.betas, ...s.vanBetas], "betas and vanBetas", "van-2b");
    for (const L of [...s.sizes, ...s.vanSizes]) checkCount(L, "sizes and vanSizes", "van-2b", 2);
    for (const k of ["steps", "batch", "samples", "depth", "width"] as const) checkCount(s[k], k, "van-2b", k === "batch" || k === "samples" ? 2 : 1);
    const pts: FigurePoint[] = [];
    for (const L of s.sizes) for (const beta of s.betas) pts.push({ id: `exact_L=${L}_beta=${beta}`, kind: "exact", L, beta });
    for (const L of s.vanSizes) for (const beta of s.vanBetas) pts.push({ id: `van_L=${L}_beta=${beta}`, kind: "van", L, beta });
    return pts;
  },
  computePoint,
  chart(rows) {
    const data = rows.filter((r) => typeof r.entropy === "number").map((r) => ({ ...r, series: `${String(r.method).startsWith("exact") ? "exact" : "VAN (MADE), reweighted"}, L = ${r.L}` }));
    return layer(
      line(data, { x: "beta", y: "entropy", color: "series", error: "entropyError", points: true, title: "triangular AF: entropy per site S/N (dashed: Wannier 0.32307)", xTitle: "β", yTitle: "S / N", width: 440, height: 300 }),
      rule({ y: WANNIER_ENTROPY }),
    );
  },
  headline(rows, s) {
    const bMax = Math.max(...s.betas);
    const out: Record<string, number | string | null> = { betaMax: bMax, wannier: WANNIER_ENTROPY };
    for (const L of s.sizes) {
      const r = rows.find((x) => x.L === L && x.beta === bMax && String(x.method).startsWith("exact"));
      out[`exactEntropyL${L}`] = r === undefined ? null : (r.entropy as number);
    }
    const van = rows.filter((r) => r.method === "VAN (MADE)" && typeof r.entropy === "number");
    let worst = 0;
    for (const v of van) {
      const e = rows.find((x) => x.L === v.L && x.beta === v.beta && String(x.method).startsWith("exact"));
      if (e !== undefined) worst = Math.max(worst, Math.abs((v.entropy as number) - (e.entropy as number)));
    }
    out.vanMaxDeviation = van.length > 0 ? worst : null;
    return out;
  },
};
