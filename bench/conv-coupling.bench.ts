/**
 * Convolutional-coupling Boltzmann generators on lattice φ⁴ (m² = −4,
 * λ = 4.25): milliseconds per training step by energy (reverse KL through the
 * BG driver: sample, action, backward pass, Adam) at L = 16 and 32, and the
 * convolution GFLOP/s that implies (forward + ≈2× backward multiply-adds of
 * the conditioner CNNs, 2 flops each; the elementwise work is not counted).
 * Also flow samples per second (forward pass with ln q, no gradients).
 */
import * as tf from "@tensorflow/tfjs";
import { boltzmannGenerator } from "../src/bg/generator";
import { trainBoltzmannGenerator } from "../src/bg/train";
import { ensureBackend } from "../src/core/backend";
import { convFlow } from "../src/flows/convCoupling";
import { phi4 } from "../src/systems/continuous/phi4";
import type { BenchContext } from "./run";

/** Multiply-add flops of the conditioners' convolutions of one forward pass over a batch. */
function convFlops(L: number, layers: number, hidden: number[], kernel: number, batch: number, paramsPerElement = 2): number {
  const ch = [1, ...hidden, paramsPerElement];
  let per = 0;
  for (let l = 0; l + 1 < ch.length; l++) per += kernel * kernel * ch[l] * ch[l + 1];
  return 2 * per * L * L * batch * layers;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  ensureBackend();
  const steps = ctx.fast ? 3 : 20;
  const configs = ctx.fast
    ? [{ L: 16, layers: 8, hidden: [16, 16], kernel: 3, batch: 64 }]
    : [
        { L: 16, layers: 8, hidden: [16, 16], kernel: 3, batch: 128 },
        { L: 16, layers: 8, hidden: [16, 16], kernel: 3, batch: 256 },
        { L: 32, layers: 8, hidden: [16, 16], kernel: 3, batch: 64 },
        { L: 32, layers: 8, hidden: [16, 16], kernel: 3, batch: 128 },
      ];
  const training: Record<string, unknown>[] = [];
  for (const cfg of configs) {
    const system = phi4({ L: cfg.L, m2: -4, lambda: 4.25 });
    const model = boltzmannGenerator({ flow: convFlow({ L: cfg.L, layers: cfg.layers, hidden: cfg.hidden, kernel: cfg.kernel, seed: 1 }) });
    trainBoltzmannGenerator(model, { system, beta: 1, steps: 2, batch: cfg.batch, seed: 1, progress: false, energyCut: false });
    const r = trainBoltzmannGenerator(model, { system, beta: 1, steps, batch: cfg.batch, seed: 2, progress: false, energyCut: false });
    const flops = 3 * convFlops(cfg.L, cfg.layers, cfg.hidden, cfg.kernel, cfg.batch);
    const t0 = performance.now();
    const reps = ctx.fast ? 1 : 3;
    for (let k = 0; k < reps; k++) {
      const s = model.sample(1024, { seed: k });
      s.logProb.dataSync();
      tf.dispose([s.x, s.logProb, s.z]);
    }
    const samplesPerSecond = (1024 * reps) / ((performance.now() - t0) / 1000);
    training.push({
      ...cfg,
      hidden: cfg.hidden.join("x"),
      dim: cfg.L * cfg.L,
      parameters: model.trainableVariables.reduce((a, v) => a + v.size, 0),
      msPerStep: r.msPerStep,
      convGflopPerStep: flops / 1e9,
      gflopPerSecond: flops / 1e9 / (r.msPerStep / 1000),
      samplesPerSecond,
    });
    model.dispose();
  }
  return { system: "phi4 m2=-4 lambda=4.25", stepsTimed: steps, training };
}
