/**
 * Spin-sampler throughput: single-spin Metropolis attempts per second on the
 * 2-D Ising lattice (one core, integer table path) — target ≥ 2·10^7 — and
 * heat bath, Wolff and a float-coupling (SK) Metropolis for comparison.
 */
import { heatBath, metropolis, wolff } from "../src/samplers/spin";
import { isingSquare, sk } from "../src/systems";
import type { BenchContext } from "./run";

function best(f: () => number, reps: number): number {
  let b = 0;
  for (let k = 0; k < reps; k++) b = Math.max(b, f());
  return b;
}

export async function run(ctx: BenchContext): Promise<Record<string, number>> {
  const sweeps = ctx.fast ? 200 : 2000;
  const reps = ctx.fast ? 2 : 3;
  const out: Record<string, number> = {};
  for (const L of [16, 64]) {
    const sys = isingSquare({ L });
    // warm up (JIT)
    metropolis(sys, { beta: 0.44, sweeps: 50, seed: 0, progress: false });
    const s = Math.max(1, Math.round((sweeps * 256) / (L * L)));
    out[`metropolisIsing${L}AttemptsPerSecond`] = best(() => metropolis(sys, { beta: 0.44, sweeps: s, seed: 1, progress: false }).updatesPerSecond, reps);
    out[`heatBathIsing${L}UpdatesPerSecond`] = best(() => heatBath(sys, { beta: 0.44, sweeps: s, seed: 1, progress: false }).updatesPerSecond, reps);
  }
  const i16 = isingSquare({ L: 16 });
  const mc16 = metropolis(i16, { beta: 0.44, sweeps: sweeps * 4, seed: 2, progress: false });
  out.metropolisIsing16Acceptance = mc16.acceptance;
  out.metropolisIsing16Chains16AttemptsPerSecond = metropolis(i16, { beta: 0.44, sweeps, chains: 16, seed: 3, progress: false }).updatesPerSecond;
  const w = wolff(i16, { beta: 0.44, sweeps: sweeps * 10, seed: 4, progress: false });
  out.wolffIsing16SpinFlipsPerSecond = w.updatesPerSecond;
  out.wolffIsing16ClustersPerSecond = w.diagnostics.clustersPerSecond as number;
  out.wolffIsing16MeanClusterSize = w.diagnostics.meanClusterSize as number;
  const g = sk({ n: 256, seed: 0 });
  out.metropolisSK256FloatAttemptsPerSecond = metropolis(g, { beta: 1, sweeps: Math.max(10, sweeps / 10), seed: 5, progress: false }).updatesPerSecond;
  return out;
}
