/**
 * Boltzmann-generator costs on the 2-D double well at β = 1: milliseconds per
 * training step by energy, by example and combined, for a few flow sizes and
 * batches, and samples per second of drawing x with ln q (no gradients).
 * Per-step cost is dominated by tfjs kernel launches, so it grows with the
 * number of coupling layers far more than with width or batch.
 */
import * as tf from "@tensorflow/tfjs";
import { boltzmannGenerator } from "../src/bg/generator";
import { trainBoltzmannGenerator, type LossKind } from "../src/bg/train";
import { ensureBackend } from "../src/core/backend";
import { realNVP } from "../src/flows/composite";
import { continuousMetropolis } from "../src/samplers/continuous";
import { doubleWell } from "../src/systems/continuous/quartic";
import type { BenchContext } from "./run";

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  ensureBackend();
  const system = doubleWell();
  const steps = ctx.fast ? 20 : 100;
  const init = new Float64Array(200);
  for (let c = 0; c < 100; c++) init[2 * c] = c < 50 ? system.wells.left[0] : system.wells.right[0];
  const mc = continuousMetropolis(system, { beta: 1, sweeps: 1100, burnIn: 100, thin: 10, chains: 100, initial: init, keepSamples: true, seed: 1, stepSize: 0.3 });
  const data = tf.tensor2d(Float32Array.from(mc.samples as Float64Array), [mc.recorded * 100, 2]);
  const configs = ctx.fast
    ? [{ layers: 4, hidden: [64, 64], batch: 512 }]
    : [
        { layers: 4, hidden: [64, 64], batch: 512 },
        { layers: 8, hidden: [64, 64], batch: 512 },
        { layers: 4, hidden: [64, 64], batch: 2048 },
        { layers: 4, hidden: [32], batch: 512 },
      ];
  const training: Record<string, unknown>[] = [];
  for (const cfg of configs) {
    const row: Record<string, unknown> = { ...cfg, hidden: cfg.hidden.join("x") };
    for (const loss of ["energy", "example", "combined"] as LossKind[]) {
      const model = boltzmannGenerator({ flow: realNVP({ dim: 2, layers: cfg.layers, hidden: cfg.hidden, seed: 1 }) });
      trainBoltzmannGenerator(model, { system, beta: 1, steps: 3, loss, data, batch: cfg.batch, dataBatch: cfg.batch, seed: 1, progress: false, weights: loss === "combined" ? { energy: 1, example: 0.1 } : undefined });
      const r = trainBoltzmannGenerator(model, { system, beta: 1, steps, loss, data, batch: cfg.batch, dataBatch: cfg.batch, seed: 2, progress: false, weights: loss === "combined" ? { energy: 1, example: 0.1 } : undefined });
      row[`msPerStep_${loss}`] = r.msPerStep;
      model.dispose();
    }
    training.push(row);
  }
  const model = boltzmannGenerator({ flow: realNVP({ dim: 2, layers: 4, hidden: [64, 64], seed: 1 }) });
  const sampling: Record<string, number>[] = [];
  for (const batch of ctx.fast ? [10000] : [1000, 10000, 50000]) {
    const reps = ctx.fast ? 2 : 5;
    const t0 = performance.now();
    for (let k = 0; k < reps; k++) {
      const s = model.sample(batch, { seed: k });
      s.logProb.dataSync();
      tf.dispose([s.x, s.logProb, s.z]);
    }
    sampling.push({ batch, samplesPerSecond: (batch * reps) / ((performance.now() - t0) / 1000) });
  }
  model.dispose();
  data.dispose();
  return { system: system.name, stepsTimed: steps, training, sampling, mcmcUpdatesPerSecond: mc.updatesPerSecond };
}
