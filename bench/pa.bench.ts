/**
 * Population annealing: spin updates per second (R·S·N·K·M attempted updates,
 * resampling included, one core) on a periodic 2-D ±J grid L = 16 and a
 * random regular graph N = 256 (d = 3, ±J: integer path; Gaussian: float
 * path), Metropolis and heat bath; and the free energy per spin of the TwoBo
 * instance data/twobo/2D_EA_PM_L16_0.npz at β = 3 with its error from the
 * independent runs, the settings, the wall time and the family-size
 * diagnostics at β = 3. The exact Pfaffian value is added when an exact
 * method for periodic grids is available.
 */
import path from "node:path";
import { exact } from "../src/exact";
import { loadInstance } from "../src/io/instance";
import { populationAnnealing } from "../src/samplers/populationAnnealing";
import { ea2d, rrg } from "../src/systems";
import type { SpinSystem } from "../src/systems/types";
import type { BenchContext } from "./run";

function throughput(system: SpinSystem, move: "metropolis" | "heatbath", fast: boolean): number {
  const settings = { system, beta: 3, replicas: fast ? 200 : 1000, temperatures: 20, sweeps: 10, runs: 2, move, seed: 1, progress: false };
  populationAnnealing({ ...settings, replicas: 50, temperatures: 5 }); // JIT warm-up
  let best = 0;
  for (let k = 0; k < (fast ? 1 : 3); k++) best = Math.max(best, populationAnnealing(settings).updatesPerSecond);
  return best;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const grid = ea2d({ L: 16, seed: 0, boundary: "periodic" });
  const graph = rrg({ n: 256, d: 3, seed: 0 });
  const gauss = rrg({ n: 256, d: 3, seed: 0, couplings: "gauss" });
  out.ea2dL16MetropolisUpdatesPerSecond = throughput(grid, "metropolis", ctx.fast);
  out.ea2dL16HeatBathUpdatesPerSecond = throughput(grid, "heatbath", ctx.fast);
  out.rrgN256MetropolisUpdatesPerSecond = throughput(graph, "metropolis", ctx.fast);
  out.rrgN256HeatBathUpdatesPerSecond = throughput(graph, "heatbath", ctx.fast);
  out.rrgN256GaussMetropolisUpdatesPerSecond = throughput(gauss, "metropolis", ctx.fast);

  // the TwoBo L = 16 periodic instance at β = 3
  const system = loadInstance(path.join(__dirname, "..", "data", "twobo", "2D_EA_PM_L16_0.npz"));
  const settings = ctx.fast
    ? { replicas: 200, temperatures: 50, sweeps: 5, runs: 4 }
    : { replicas: 1000, temperatures: 200, sweeps: 10, runs: 8 };
  const r = populationAnnealing({ system, beta: 3, ...settings, seed: 16, progress: false });
  const last = r.curve[r.curve.length - 1];
  let pfaffian: number | null = null;
  try {
    pfaffian = exact(system, 3, { method: "pfaffian" as never }).freeEnergyPerSpin;
  } catch {
    pfaffian = null; // no exact method for periodic grids on this branch
  }
  out.twoboL16Beta3 = {
    instance: "data/twobo/2D_EA_PM_L16_0.npz",
    beta: 3,
    ...settings,
    move: r.move,
    resampling: r.resampling,
    combine: r.combine,
    freeEnergyPerSpin: r.freeEnergyPerSpin,
    energyPerSpin: r.energyPerSpin,
    runFreeEnergies: r.runValues.map((v) => v.freeEnergyPerSpin),
    rhoT: last.rhoT,
    survivingFamilies: last.survivingFamilies,
    acceptance: last.acceptance,
    warnings: r.warnings,
    pfaffianFreeEnergyPerSpin: pfaffian,
    seconds: r.elapsedMs / 1000,
    updatesPerSecond: r.updatesPerSecond,
  };
  return out;
}
