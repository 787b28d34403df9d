/**
 * The Potts target, run once as a script (not a test, not a bench module):
 *
 *   node --import tsx bench/potts-target.ts PART [minutes] [out.json]
 *
 * PART "torus16": a q-state PixelCNN (first-state symmetry, periodic) trained
 * by REINFORCE on 3-state Potts 16×16 periodic at β_c = ln(1 + √3), then the
 * variational F_q and the importance-sampled F per site from fresh samples;
 * the checkpoint is written next to the output for the reference comparison.
 * PART "strip": the same on the largest torus with an exact transfer-matrix
 * reference that runs in seconds, 8×16 (W = 8: q^{W−1}·L·W·q^W ≈ 1.8·10⁹
 * updates), reporting the relative error of F_q and of the importance-sampled F.
 * PART "ti" (node … ti SWEEPS out.json L): the Wolff thermodynamic-integration
 * reference, ln Z(β) = N ln q − ∫₀^β ⟨E⟩ dβ' with ⟨E⟩ from `pottsWolff` chains
 * (heat bath below β_c/2, where the clusters are single sites) on 61 points
 * and Simpson's rule; its error from the chains' τ-corrected errors of the
 * mean, the quadrature error estimated by Simpson on every other point; for
 * L ≤ 8 the exact transfer-matrix value beside it.
 * PART "continue" (node … continue MINUTES out.json CHECKPOINT): more training
 * of a torus16 checkpoint at β_c (lr 5·10⁻⁴, batch 200), then 50 000 samples.
 * Prints one JSON document.
 */
import fs from "node:fs";
import { ensureBackend } from "../src/core/backend";
import { estimateVan } from "../src/estimates/van";
import { pottsTransferMatrix } from "../src/exact/potts";
import { PottsPixelCnn } from "../src/models/pottsPixelcnn";
import { pottsSquare } from "../src/systems/potts";
import { pottsHeatBath, pottsWolff } from "../src/samplers/pottsMoves";
import { loadModel, saveCheckpoint } from "../src/train/checkpoint";
import { trainVan } from "../src/train/van";

const part = process.argv[2] ?? "strip";
const minutes = Number(process.argv[3] ?? "10");
const outFile = process.argv[4] ?? `/tmp/potts-target-${part}.json`;
const q = 3;
const beta = Math.log(1 + Math.sqrt(q));

function write(o: Record<string, unknown>): void {
  const s = JSON.stringify(o, null, 2);
  fs.writeFileSync(outFile, s + "\n");
  process.stdout.write(s + "\n");
}

function vanRun(rows: number, cols: number): Record<string, unknown> {
  const system = pottsSquare({ L: rows, cols, q });
  const model = new PottsPixelCnn({ system, depth: 3, width: 16, halfKernel: 3, symmetry: "first-state", seed: 1 });
  const t0 = Date.now();
  const r = trainVan({
    model, system, beta, steps: 100000, minutes, batch: 100, lr: 3e-3, schedule: "cosine", lrMin: 1e-4, anneal: 0.99, betaStart: 0.2, seed: 2, progress: false,
  });
  const trainS = (Date.now() - t0) / 1000;
  const ck = saveCheckpoint({ path: outFile.replace(/\.json$/, ".ck.json"), model, meta: { beta, system: system.name } });
  const t1 = Date.now();
  const e = estimateVan({ model, system, beta, samples: 20000, batch: 500, seed: 3 });
  const estS = (Date.now() - t1) / 1000;
  const last = r.rows.slice(-50);
  return {
    system: system.name, beta, steps: r.steps, msPerStep: r.msPerStep, trainSeconds: trainS, estimateSeconds: estS, checkpoint: ck,
    parameters: model.parameterCount(),
    fqLast50: last.reduce((a, row) => a + row.freeEnergy, 0) / last.length,
    fVariational: e.fVariational, fImportance: e.fImportance, essFraction: e.essFraction, paretoK: e.paretoK, warnings: e.warnings,
    energy: e.energy, orderParameter: e.observables.orderParameter,
  };
}

ensureBackend();
if (part === "torus16") {
  write({ part, ...vanRun(16, 16) });
} else if (part === "strip") {
  const system = pottsSquare({ L: 8, cols: 16, q });
  const t0 = Date.now();
  const ex = pottsTransferMatrix(system, beta);
  const exactS = (Date.now() - t0) / 1000;
  const v = vanRun(8, 16);
  const F = ex.freeEnergyPerSpin;
  const fq = (v.fVariational as { mean: number }).mean;
  const fi = (v.fImportance as { mean: number; error: number }).mean;
  write({
    part, exact: ex, exactSeconds: exactS, ...v,
    relErrorFq: (fq - F) / Math.abs(F), relErrorFImportance: (fi - F) / Math.abs(F),
    importanceSigmas: (fi - F) / (v.fImportance as { error: number }).error,
  });
} else if (part === "continue") {
  // node … continue MINUTES out.json CHECKPOINT: more training at β_c (constant small lr, batch 200) from a torus16 checkpoint, then 50 000 samples
  const system = pottsSquare({ L: 16, q });
  const { model } = loadModel({ path: process.argv[5] });
  const r = trainVan({ model, system, beta, steps: 100000, minutes, batch: 200, lr: 5e-4, seed: 4, progress: false });
  const e = estimateVan({ model, system, beta, samples: 50000, batch: 500, seed: 5 });
  saveCheckpoint({ path: outFile.replace(/\.json$/, ".ck.json"), model, meta: { beta, system: system.name } });
  write({
    part, system: system.name, steps: r.steps, msPerStep: r.msPerStep, fVariational: e.fVariational, fImportance: e.fImportance,
    essFraction: e.essFraction, paretoK: e.paretoK, warnings: e.warnings, energy: e.energy, orderParameter: e.observables.orderParameter,
  });
} else if (part === "ti") {
  // Wolff (heat bath below β_c/2, where Wolff clusters are single sites) ⟨E⟩ on 2m+1 points of [0, β_c]; Simpson on all and on every other point
  const L = Number(process.argv[5] ?? "16");
  const system = pottsSquare({ L, q });
  const n = system.n;
  const points = 61;
  const sweeps = Math.round(minutes);   // here: single-site sweeps per β point
  const grid = Array.from({ length: points }, (_, k) => (beta * k) / (points - 1));
  const t0 = Date.now();
  const runs = grid.map((b, k) => {
    if (k === 0) return { beta: 0, e: -system.edges.J.reduce((a, v) => a + v, 0) / q / n, err: 0, method: "exact" };
    const opts = { beta: b, burnIn: Math.floor(sweeps / 5), chains: 4, seed: 10 + k, progress: false };
    if (b < beta / 2) {
      const r = pottsHeatBath(system, { ...opts, sweeps });
      return { beta: b, e: r.stats.energyPerSpin.mean, err: r.stats.energyPerSpin.error, method: "heat bath" };
    }
    const pilot = pottsWolff(system, { beta: b, sweeps: 100, seed: 100 + k, progress: false });
    const per = Math.max(1, Math.round(1 / pilot.acceptance));
    const r = pottsWolff(system, { ...opts, sweeps: sweeps * per, burnIn: opts.burnIn * per, thin: per });
    return { beta: b, e: r.stats.energyPerSpin.mean, err: r.stats.energyPerSpin.error, method: "Wolff" };
  });
  const simpson = (stride: number): { f: number; error: number } => {
    const idx = grid.map((_, k) => k).filter((k) => k % stride === 0);
    const h = (beta * stride) / (points - 1);
    let integral = 0, variance = 0;
    idx.forEach((k, j) => {
      const w = ((j === 0 || j === idx.length - 1 ? 1 : j % 2 === 1 ? 4 : 2) * h) / 3;
      integral += w * runs[k].e;
      variance += (w * runs[k].err) ** 2;
    });
    return { f: -(Math.log(q) - integral) / beta, error: Math.sqrt(variance) / beta };
  };
  const fine = simpson(1);
  const coarse = simpson(2);
  let exactF: number | null = null;
  if (L <= 8) exactF = pottsTransferMatrix(system, beta).freeEnergyPerSpin;
  write({
    part, system: system.name, beta, points, sweepsPerPoint: sweeps, seconds: (Date.now() - t0) / 1000,
    f: fine.f, error: fine.error, fCoarse: coarse.f, quadratureDifference: fine.f - coarse.f, exactF, runs,
  });
} else {
  throw new Error(`potts-target: unknown part "${part}" (torus16, strip, ti)`);
}
