/**
 * VAN: MADE sampling throughput (the fast sampler — "auto" picks the JS
 * per-site-block path for small N and the hybrid path (JS within chunks,
 * matmuls across) for large N; the JS, hybrid and all-tensor paths are
 * reported — against the reference approach that reruns the full
 * network for every site), full-pass
 * ln q, and the time of one REINFORCE training step.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../src/core/backend";
import { made } from "../src/models/made";
import { sk } from "../src/systems/lattices";
import { trainVan } from "../src/train/van";
import type { BenchContext } from "./run";

function time(f: () => void, reps: number): number {
  f();
  const t = performance.now();
  for (let k = 0; k < reps; k++) f();
  return (performance.now() - t) / reps;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  ensureBackend();
  const batch = ctx.fast ? 200 : 1000;
  const out: Record<string, unknown> = { batch };
  for (const n of [20, 256]) {
    const m = made({ size: n, depth: 3, width: 4, seed: 1 });
    const fastMs = time(() => void m.sampleArrays(batch, { seed: 2 }), n === 20 ? 10 : 3);
    const jsMs = time(() => void m.sampleArrays(batch, { seed: 2, path: "js" }), n === 20 ? 10 : 3);
    const tensorMs = time(() => void m.sampleArrays(batch, { seed: 2, path: "tensor" }), n === 20 ? 10 : 3);
    const hybridMs = time(() => void m.sampleArrays(batch, { seed: 2, path: "hybrid" }), n === 20 ? 10 : 3);
    const fullPassMs = time(() => tf.tidy(() => void m.logProb(tf.ones([batch, n]) as tf.Tensor2D).dataSync()), 3);
    const refMs = time(() => {
      const r = m.sampleReference(batch, { seed: 2 });
      r.x.dataSync();
      tf.dispose([r.x, r.logProb]);
    }, 1);
    const z2 = made({ size: n, depth: 3, width: 4, z2: true, seed: 1 });
    const z2Ms = time(() => void z2.sampleArrays(batch, { seed: 2 }), n === 20 ? 10 : 1);
    out[`made_n${n}_depth3_width4`] = {
      parameters: m.parameterCount(),
      fastSampleMs: fastMs,
      fastSamplesPerSecond: (batch / fastMs) * 1000,
      referenceSampleMs: refMs,
      referenceSamplesPerSecond: (batch / refMs) * 1000,
      speedup: refMs / fastMs,
      jsPathSampleMs: jsMs,
      tensorPathSampleMs: tensorMs,
      hybridPathSampleMs: hybridMs,
      z2FastSampleMs: z2Ms,
      fullPassLogProbMs: fullPassMs,
    };
    m.dispose();
    z2.dispose();
  }
  const system = sk({ n: 20, seed: 1 });
  const m = made({ size: 20, depth: 3, width: 4, z2: true, seed: 1 });
  const r = trainVan({ model: m, system, beta: 1, steps: ctx.fast ? 5 : 20, batch, seed: 1, progress: false });
  out.train_sk20_made_z2 = { msPerStep: r.msPerStep, samplesPerSecond: r.samplesPerSecond };
  m.dispose();
  return out;
}
