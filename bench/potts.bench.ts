/**
 * Potts and XY sampling speed on 16×16 periodic lattices (one core): for each
 * sampler, sweeps per second (single-site sweep equivalents: a Wolff cluster
 * of |C| sites counts |C|/n) and site updates per second (attempted for
 * Metropolis/heat bath/SW, flipped for Wolff). Potts q = 3 at β_c = ln(1 + √3),
 * XY at β = 1.1 (near the BKT point).
 */
import { pottsCriticalBeta } from "../src/exact/potts";
import { pottsHeatBath, pottsMetropolis, pottsSwendsenWang, pottsWolff } from "../src/samplers/pottsMoves";
import type { SamplerResult } from "../src/samplers/types";
import { xyMetropolis, xyWolff } from "../src/samplers/xyMoves";
import { pottsSquare, xySquare } from "../src/systems";
import type { BenchContext } from "./run";

/** Site updates per second over the whole run (burn-in included), and the same in sweeps (÷ n). */
function rates(r: SamplerResult, n: number): { sweepsPerSecond: number; siteUpdatesPerSecond: number } {
  return { sweepsPerSecond: r.updatesPerSecond / n, siteUpdatesPerSecond: r.updatesPerSecond };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const sweeps = ctx.fast ? 200 : 2000;
  const out: Record<string, unknown> = {};
  const potts = pottsSquare({ L: 16, q: 3 });
  const bc = pottsCriticalBeta(3);
  const common = { beta: bc, seed: 1, progress: false };
  pottsMetropolis(potts, { ...common, sweeps: 50 }); // JIT warm-up
  out.potts3_16_metropolis = rates(pottsMetropolis(potts, { ...common, sweeps }), potts.n);
  out.potts3_16_heatBath = rates(pottsHeatBath(potts, { ...common, sweeps }), potts.n);
  const w = pottsWolff(potts, { ...common, sweeps: sweeps * 4 });
  out.potts3_16_wolff = { ...rates(w, potts.n), meanClusterSize: w.diagnostics.meanClusterSize, clustersPerSecond: w.diagnostics.clustersPerSecond };
  out.potts3_16_swendsenWang = rates(pottsSwendsenWang(potts, { ...common, sweeps }), potts.n);
  const xy = xySquare({ L: 16 });
  const xc = { beta: 1.1, seed: 2, progress: false };
  xyMetropolis(xy, { ...xc, sweeps: 50 });
  const m = xyMetropolis(xy, { ...xc, sweeps, burnIn: 100 });
  out.xy16_metropolis = { ...rates(m, xy.n), acceptance: m.acceptance, stepSize: m.diagnostics.stepSize };
  const xw = xyWolff(xy, { ...xc, sweeps: sweeps * 4 });
  out.xy16_wolff = { ...rates(xw, xy.n), meanClusterSize: xw.diagnostics.meanClusterSize, clustersPerSecond: xw.diagnostics.clustersPerSecond };
  return out;
}
