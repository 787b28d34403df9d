/**
 * XY-MADE (src/models/xyMade.ts): one REINFORCE training step on the 16×16
 * periodic XY model at batch 100 through `trainVan` (sampling with the cached
 * site-by-site JS sampler + Best–Fisher draws, float64 energies, the tfjs
 * ln q forward and backward, Adam), split into its parts: sampling alone and
 * ln q forward + backward alone (each the fastest of a few runs and the
 * median: on a shared machine other processes only ever add time).
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../src/core/backend";
import { xyMade } from "../src/models/xyMade";
import { xySquare } from "../src/systems/xy";
import { trainVan } from "../src/train/van";
import type { BenchContext } from "./run";

function times(f: () => void, reps: number): { ms: number; medianMs: number } {
  f();
  const ts: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return { ms: ts[0], medianMs: ts[Math.floor(ts.length / 2)] };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  ensureBackend();
  const L = ctx.fast ? 8 : 16;
  const batch = 100;
  const n = L * L;
  const system = xySquare({ L });
  const out: Record<string, unknown> = { L, batch };
  for (const [depth, width, components] of [[2, 2, 4], [2, 4, 4]] as const) {
    const model = xyMade({ size: n, components, depth, width, symmetry: "rotation", seed: 1 });
    const reps = ctx.fast ? 2 : 5;
    const sample = times(() => void model.sampleAngles(batch, { seed: 2 }), reps);
    const x = model.sampleAngles(batch, { seed: 3 }).x;
    const xT = tf.tensor2d(x, [batch, n]);
    const forwardBackward = times(() => {
      const g = tf.variableGrads(() => tf.mean(model.logProb(xT)) as tf.Scalar, model.trainableVariables);
      g.value.dataSync();
      tf.dispose([g.value, ...Object.values(g.grads)]);
    }, reps);
    xT.dispose();
    const steps = ctx.fast ? 3 : 10;
    const r = trainVan({ system, model, beta: 1.1, steps, batch, lr: 1e-3, seed: 4, progress: false });
    out[`xy${L}x${L}_depth${depth}_width${width}_K${components}`] = {
      parameters: model.parameterCount(),
      msPerStep: r.msPerStep,
      samplesPerSecond: r.samplesPerSecond,
      sampleMs: sample.ms,
      sampleMedianMs: sample.medianMs,
      logProbForwardBackwardMs: forwardBackward.ms,
      logProbForwardBackwardMedianMs: forwardBackward.medianMs,
    };
    model.dispose();
  }
  return out;
}
