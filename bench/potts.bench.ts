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

/**
 * Site updates per second of wall time over the whole run (burn-in
 * included), the same in sweeps (÷ n), and site updates per CPU-second of
 * this process (steadier than wall time on a shared machine).
 */
function timed(f: () => SamplerResult, n: number): { r: SamplerResult; sweepsPerSecond: number; siteUpdatesPerSecond: number; siteUpdatesPerCpuSecond: number } {
  const c0 = process.cpuUsage();
  const r = f();
  const c = process.cpuUsage(c0);
  const updates = (r.updatesPerSecond * r.elapsedMs) / 1000;
  return { r, sweepsPerSecond: r.updatesPerSecond / n, siteUpdatesPerSecond: r.updatesPerSecond, siteUpdatesPerCpuSecond: updates / ((c.user + c.system) / 1e6) };
}

function rates(t: ReturnType<typeof timed>): Record<string, number> {
  return { sweepsPerSecond: t.sweepsPerSecond, siteUpdatesPerSecond: t.siteUpdatesPerSecond, siteUpdatesPerCpuSecond: t.siteUpdatesPerCpuSecond };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const sweeps = ctx.fast ? 200 : 2000;
  const out: Record<string, unknown> = {};
  const potts = pottsSquare({ L: 16, q: 3 });
  const bc = pottsCriticalBeta(3);
  const common = { beta: bc, seed: 1, progress: false };
  pottsMetropolis(potts, { ...common, sweeps: 50 }); // JIT warm-up
  out.potts3_16_metropolis = rates(timed(() => pottsMetropolis(potts, { ...common, sweeps }), potts.n));
  out.potts3_16_heatBath = rates(timed(() => pottsHeatBath(potts, { ...common, sweeps }), potts.n));
  const w = timed(() => pottsWolff(potts, { ...common, sweeps: sweeps * 4 }), potts.n);
  out.potts3_16_wolff = { ...rates(w), meanClusterSize: w.r.diagnostics.meanClusterSize, clustersPerSecond: w.r.diagnostics.clustersPerSecond };
  out.potts3_16_swendsenWang = rates(timed(() => pottsSwendsenWang(potts, { ...common, sweeps }), potts.n));
  const xy = xySquare({ L: 16 });
  const xc = { beta: 1.1, seed: 2, progress: false };
  xyMetropolis(xy, { ...xc, sweeps: 50 });
  const m = timed(() => xyMetropolis(xy, { ...xc, sweeps, burnIn: 100 }), xy.n);
  out.xy16_metropolis = { ...rates(m), acceptance: m.r.acceptance, stepSize: m.r.diagnostics.stepSize };
  const xw = timed(() => xyWolff(xy, { ...xc, sweeps: sweeps * 4 }), xy.n);
  out.xy16_wolff = { ...rates(xw), meanClusterSize: xw.r.diagnostics.meanClusterSize, clustersPerSecond: xw.r.diagnostics.clustersPerSecond };
  return out;
}
