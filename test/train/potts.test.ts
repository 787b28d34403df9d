/** REINFORCE training of q-state models on Potts systems through the one driver (`trainVan`), and their estimates (`estimateVan`). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { estimateVan } from "../../src/estimates/van";
import { made } from "../../src/models/made";
import { PottsMade } from "../../src/models/pottsMade";
import { PottsPixelCnn } from "../../src/models/pottsPixelcnn";
import { isingSquare } from "../../src/systems/lattices";
import { pottsSquare } from "../../src/systems/potts";
import type { PottsSystem } from "../../src/systems/types";
import { trainVan } from "../../src/train/van";

ensureBackend();

/** Exact F/N = −ln Z/(βN) by enumeration of all q^N states (float64 log-sum-exp). */
function exactF(system: PottsSystem, beta: number): number {
  const n = system.n;
  const q = system.q;
  const x = new Float64Array(n);
  const t = new Float64Array(q ** n);
  let m = -Infinity;
  for (let c = 0; c < t.length; c++) {
    let v = c;
    for (let i = 0; i < n; i++) {
      x[i] = v % q;
      v = Math.floor(v / q);
    }
    t[c] = -beta * system.energyOf(x);
    m = Math.max(m, t[c]);
  }
  let s = 0;
  for (const v of t) s += Math.exp(v - m);
  return -(m + Math.log(s)) / (beta * n);
}

const system = pottsSquare({ L: 3, q: 3 });
const beta = 0.8;
const F = exactF(system, beta);

test("a q-state MADE trains on 3-state Potts 3×3 (plain and first-state): F_q within 1e-3 of enumeration, importance-sampled F within 4σ", () => {
  for (const symmetry of ["none", "first-state"] as const) {
    const before = tf.memory().numTensors;
    const model = new PottsMade({ system, depth: 2, width: 4, symmetry, seed: 1 });
    const r = trainVan({ model, system, beta, steps: 300, batch: 256, lr: 0.01, seed: 2, progress: false });
    const last = r.rows.slice(-20);
    const fq = last.reduce((a, row) => a + row.freeEnergy, 0) / last.length;
    const rel = (fq - F) / Math.abs(F);
    assert.ok(rel < 1e-3 && rel > -2e-4, `${symmetry}: F_q ${fq} vs exact ${F} (relative ${rel})`);
    assert.ok(last.every((row) => row.absMagnetization >= 0 && row.absMagnetization <= 1), "the Potts order parameter is in [0, 1]");
    const e = estimateVan({ model, system, beta, samples: 4000, seed: 3 });
    assert.ok(Math.abs(e.fImportance.mean - F) < 4 * e.fImportance.error + 1e-6, `${symmetry}: IS F ${e.fImportance.mean} ± ${e.fImportance.error} vs ${F}`);
    assert.ok(e.fVariational.mean >= F - 4 * e.fVariational.error, "F_q ≥ F up to noise");
    assert.ok(e.observables.orderParameter.mean > 0 && e.observables.orderParameter.mean < 1);
    model.dispose();
    assert.equal(tf.memory().numTensors, before, `${symmetry}: training and estimates leave no tensors`);
  }
});

test("a q-state PixelCNN (first-state) trains on 3-state Potts 3×3 periodic: F_q within 5e-3 of enumeration", () => {
  const model = new PottsPixelCnn({ system, depth: 2, width: 6, halfKernel: 1, symmetry: "first-state", seed: 1 });
  assert.equal(model.periodic, true);
  const r = trainVan({ model, system, beta, steps: 120, batch: 200, lr: 0.02, seed: 2, progress: false });
  const last = r.rows.slice(-15);
  const fq = last.reduce((a, row) => a + row.freeEnergy, 0) / last.length;
  const rel = (fq - F) / Math.abs(F);
  assert.ok(rel < 5e-3 && rel > -5e-4, `F_q ${fq} vs exact ${F} (relative ${rel})`);
  model.dispose();
});

test("training a q-state model resumes exactly from a checkpoint", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "potts-train-"));
  try {
    const file = path.join(dir, "ck.json");
    const full = new PottsMade({ system, depth: 2, width: 2, seed: 4 });
    const a = trainVan({ model: full, system, beta, steps: 8, batch: 64, seed: 5, progress: false });
    const half = new PottsMade({ system, depth: 2, width: 2, seed: 4 });
    trainVan({ model: half, system, beta, steps: 4, batch: 64, seed: 5, checkpoint: file, progress: false });
    const again = new PottsMade({ system, depth: 2, width: 2, seed: 99 });
    const b = trainVan({ model: again, system, beta, steps: 8, batch: 64, resume: file, progress: false });
    assert.deepEqual(b.rows.map((row) => row.freeEnergy), a.rows.slice(4).map((row) => row.freeEnergy));
    const other = pottsSquare({ L: 3, q: 3, J: 1.5 });
    const m = new PottsMade({ system, depth: 2, width: 2, seed: 4 });
    assert.throws(() => trainVan({ model: m, system: other, beta, steps: 8, batch: 64, resume: file, progress: false }), /trainVan/);
    for (const mm of [full, half, again, m]) mm.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the trainer and the estimators refuse a model that does not fit the system, before any work", () => {
  const ising = isingSquare({ L: 3 });
  const field = pottsSquare({ L: 3, q: 3, h: 0.5 });
  const q4 = pottsSquare({ L: 3, q: 4 });
  const pm = new PottsMade({ system, depth: 1, seed: 1 });
  const sym = new PottsMade({ size: 9, q: 3, depth: 1, symmetry: "first-state", seed: 1 });
  const spin = made({ size: 9, seed: 1 });
  const small = new PottsMade({ size: 4, q: 3, depth: 1, seed: 1 });
  const table: [string, () => unknown, RegExp][] = [
    ["Potts model, spin system", () => trainVan({ model: pm, system: ising, beta: 1, steps: 1, progress: false }), /trainVan: the model is a model of potts variables, not of ±1 spins/],
    ["spin model, Potts system", () => trainVan({ model: spin, system, beta: 1, steps: 1, progress: false }), /trainVan: system "potts.*is a Potts system; the model must be a q-state model/],
    ["q mismatch", () => trainVan({ model: pm, system: q4, beta: 1, steps: 1, progress: false }), /trainVan: the model has q = 3 states but the system has q = 4/],
    ["symmetric model, field", () => trainVan({ model: sym, system: field, beta: 1, steps: 1, progress: false }), /trainVan: the model is symmetrised \("first-state"\) but the energy of .* is not invariant/],
    ["size mismatch", () => trainVan({ model: small, system, beta: 1, steps: 1, progress: false }), /trainVan: the model has size 4 but the system has 9 sites/],
    ["estimateVan, spin model", () => estimateVan({ model: spin, system, beta: 1, samples: 10 }), /estimateVan: system .* is a Potts system/],
    ["estimateVan, Potts model on spins", () => estimateVan({ model: pm, system: ising, beta: 1, samples: 10 }), /estimateVan: the model is a model of potts variables/],
  ];
  const before = tf.memory().numTensors;
  const v = tf.tidy(() => pm.trainableVariables.map((t) => Array.from(t.dataSync())));
  for (const [label, run, re] of table) assert.throws(run, re, label);
  assert.equal(tf.memory().numTensors, before, "refusals leave no tensors");
  assert.deepEqual(pm.trainableVariables.map((t) => Array.from(t.dataSync())), v, "refusals leave the weights alone");
  for (const m of [pm, sym, spin, small]) m.dispose();
});
