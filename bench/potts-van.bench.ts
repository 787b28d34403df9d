/**
 * q-state VAN speed: one REINFORCE training step (sampling, energies, the
 * gradient pass, Adam) of a q = 3 MADE and PixelCNN on the 16×16 periodic
 * 3-state Potts model at β_c = ln(1 + √3), batch 100, through `trainVan`; and
 * the fast samplers against the rerun-per-site reference ones.
 */
import { ensureBackend } from "../src/core/backend";
import { PottsMade } from "../src/models/pottsMade";
import { PottsPixelCnn } from "../src/models/pottsPixelcnn";
import { pottsSquare } from "../src/systems/potts";
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
  const L = ctx.fast ? 8 : 16;
  const batch = 100;
  const system = pottsSquare({ L, q: 3 });
  const beta = Math.log(1 + Math.sqrt(3));
  const steps = ctx.fast ? 3 : 10;
  const out: Record<string, unknown> = { L, q: 3, batch, beta };
  const models = {
    made_depth2_width2: () => new PottsMade({ system, depth: 2, width: 2, symmetry: "first-state", seed: 1 }),
    pixelcnn_depth3_width16_k3: () => new PottsPixelCnn({ system, depth: 3, width: 16, halfKernel: 3, symmetry: "first-state", seed: 1 }),
  };
  for (const [name, build] of Object.entries(models)) {
    const m = build();
    const r = trainVan({ model: m, system, beta, steps, batch, seed: 1, progress: false });
    const sampleMs = time(() => void m.sampleArrays(batch, { seed: 2, logProb: false }), 2);
    const t0 = performance.now();
    m.sampleReference(batch, { seed: 2 });
    const refMs = performance.now() - t0;
    out[`train_potts3_L${L}_${name}`] = {
      parameters: m.parameterCount(),
      msPerStep: r.msPerStep,
      samplesPerSecond: r.samplesPerSecond,
      fastSampleMs: sampleMs,
      referenceSampleMs: refMs,
    };
    m.dispose();
  }
  return out;
}
