/**
 * VAN at scale: PixelCNN on the 16×16 Ising model at the VAN paper's size
 * (depth 3, width 64, half-kernel 6), TwoBo and MADE on the shared TwoBo
 * instances (2-D ±J L=16, RRG N=1024). Time per training step (REINFORCE,
 * sampling + energies + gradient + Adam) and samples per second of the fast
 * samplers; for PixelCNN also the reference sampler (the full network rerun
 * for every site) as a measured time per full pass × N, and the two ways of
 * doing the full-pass masked convolution. The load average goes with the
 * numbers: the machine is shared.
 */
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../src/core/backend";
import { made } from "../src/models/made";
import { pixelcnn, type PixelCnn } from "../src/models/pixelcnn";
import type { SpinModel } from "../src/models/spin";
import { twobo } from "../src/models/twobo";
import { isingSquare } from "../src/systems/lattices";
import { loadInstance } from "../src/io/instance";
import type { SpinSystem } from "../src/systems/types";
import { trainVan } from "../src/train/van";
import type { BenchContext } from "./run";

const INSTANCES = path.resolve(__dirname, "../data/twobo");

function ms(f: () => void, reps = 1): number {
  const t = performance.now();
  for (let r = 0; r < reps; r++) f();
  return (performance.now() - t) / reps;
}

/** ms per training step (after one warm-up step) and fast-sampler samples per second. */
function measure(model: SpinModel, system: SpinSystem, beta: number, batch: number, steps: number): { msPerStep: number; samplesPerSecond: number } {
  trainVan({ model, system, beta, steps: 1, batch, seed: 1, progress: false });
  const r = trainVan({ model, system, beta, steps, batch, seed: 2, progress: false });
  const sampleMs = ms(() => model.sampleArrays(batch, { seed: 3 }));
  return { msPerStep: r.msPerStep, samplesPerSecond: batch / (sampleMs / 1000) };
}

function pixelcnnFull(m: PixelCnn, batch: number): { forwardMs: number; gradMs: number } {
  const x = tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.greater(tf.randomUniform([batch, m.size], 0, 1, "float32", 1), 0.5), "float32"), 2), 1)) as tf.Tensor2D;
  const fwd = () => tf.tidy(() => void m.logProb(x).dataSync());
  const grad = () => {
    const g = tf.variableGrads(() => tf.mean(m.logProb(x)) as tf.Scalar, m.trainableVariables);
    Object.values(g.grads)[0].dataSync();
    tf.dispose([g.value, ...Object.values(g.grads)]);
  };
  fwd();
  const forwardMs = ms(fwd, 2);
  grad();
  const gradMs = ms(grad, 2);
  x.dispose();
  return { forwardMs, gradMs };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  ensureBackend();
  const load = () => os.loadavg().map((v) => Math.round(v * 100) / 100);
  const out: Record<string, unknown> = { loadAverageStart: load(), onednn: process.env.TF_ENABLE_ONEDNN_OPTS ?? "1 (default)" };
  const beta = 0.44;
  const L = ctx.fast ? 8 : 16;

  // ---- PixelCNN on the L×L ferromagnet at the paper's size
  const ising = isingSquare({ L });
  const pc: Record<string, unknown> = { system: ising.name, depth: 3, width: 64, halfKernel: 6 };
  // the paper's network is zero-padded (periodic: false); the periodic variant and the 30-minute recipe's network follow
  for (const z2 of [true, false]) {
    const m = pixelcnn({ system: ising, depth: 3, width: 64, halfKernel: 6, z2, periodic: false, seed: 0 });
    pc.parameters = m.parameterCount();
    const key = z2 ? "z2" : "noZ2";
    const res: Record<string, unknown> = {};
    for (const batch of ctx.fast ? [100] : [100, 1000]) {
      res[`batch${batch}`] = measure(m, ising, beta, batch, batch >= 1000 ? 1 : 3);
    }
    // the reference sampler reruns the full network per site: time of one full pass of the batch × N
    const full100 = pixelcnnFull(m, 100);
    res.fullPassBatch100 = full100;
    const onePass = ms(() => tf.tidy(() => void m.logits(tf.ones([100, m.size]) as tf.Tensor2D).dataSync()), 2);
    const fastMs = ms(() => m.sampleArrays(100, { seed: 4 }));
    res.sampleBatch100 = { fastMs, referenceMsEstimate: onePass * m.size, speedup: (onePass * m.size) / fastMs };
    if (z2) {
      // the masked (2k+1)² convolution for comparison with the split convolutions
      const mk = pixelcnn({ system: ising, depth: 3, width: 64, halfKernel: 6, z2, periodic: false, seed: 0, convolution: "masked" });
      res.fullPassBatch100MaskedConv = pixelcnnFull(mk, 100);
      mk.dispose();
    }
    pc[key] = res;
    m.dispose();
  }
  if (L > 12) {
    const per = pixelcnn({ system: ising, depth: 3, width: 64, halfKernel: 6, z2: true, periodic: true, seed: 0 });
    pc.periodicZ2 = { parameters: per.parameterCount(), batch100: measure(per, ising, beta, 100, 3) };
    per.dispose();
  }
  // the network of the 30-minute β = 0.44 run (notebook 04, data/models/README.md)
  const recipe = pixelcnn({ system: ising, depth: 3, width: 32, halfKernel: ctx.fast ? 3 : 6, z2: true, seed: 0 });
  pc.recipeWidth32 = { periodic: recipe.periodic, parameters: recipe.parameterCount(), batch256: measure(recipe, ising, beta, 256, ctx.fast ? 1 : 3) };
  recipe.dispose();
  out.pixelcnn = pc;

  // ---- TwoBo and MADE on the shared instances
  const batch = ctx.fast ? 100 : 1000;
  const steps = ctx.fast ? 1 : 3;
  const glass: Record<string, unknown> = { batch };
  for (const file of ctx.fast ? ["2D_EA_PM_L8_0.npz", "RRG_PM_d3_N256_0.npz"] : ["2D_EA_PM_L16_0.npz", "RRG_PM_d3_N1024_0.npz"]) {
    const sys = loadInstance(path.join(INSTANCES, file));
    const res: Record<string, unknown> = { n: sys.n, couplings: sys.edges.i.length };
    const tb = twobo({ system: sys, beta: 1, seed: 0 });
    res.twobo = { parameters: tb.parameterCount(), ...measure(tb, sys, 1, batch, steps) };
    tb.dispose();
    const tbSkip = twobo({ system: sys, beta: 1, hidden: [], seed: 0 });
    res.twoboSkipOnly = { parameters: tbSkip.parameterCount(), ...measure(tbSkip, sys, 1, batch, steps) };
    tbSkip.dispose();
    const m1 = made({ size: sys.n, depth: 1, seed: 0 });
    res.madeDepth1 = { parameters: m1.parameterCount(), ...measure(m1, sys, 1, batch, steps) };
    m1.dispose();
    if (sys.n <= 256) {
      const m3 = made({ size: sys.n, depth: 3, width: 4, seed: 0 });
      res.madeDepth3Width4 = { parameters: m3.parameterCount(), ...measure(m3, sys, 1, batch, steps) };
      m3.dispose();
    } else {
      const m2 = made({ size: sys.n, depth: 2, width: 1, seed: 0 });
      res.madeDepth2Width1 = { parameters: m2.parameterCount(), ...measure(m2, sys, 1, batch, 1) };
      m2.dispose();
    }
    glass[file.replace(/\.npz$/, "")] = res;
  }
  out.glasses = glass;
  out.loadAverageEnd = load();
  return out;
}
