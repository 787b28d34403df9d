import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Made } from "../../src/models/made";
import { PottsMade } from "../../src/models/pottsMade";
import { modelFromConfig } from "../../src/models/registry";
import { loadModel, saveCheckpoint } from "../../src/train/checkpoint";
import { allStateArrays } from "./helpers";
import { checkFastSampler, checkHistogram, checkNormalised, checkRelabellingInvariance } from "./pottsHelpers";

ensureBackend();

test("pottsMade: Σ q = 1 over all q^N states for every depth and symmetry", () => {
  const cases = [
    { size: 5, q: 3, depth: 1 },
    { size: 5, q: 3, depth: 2, width: 2 },
    { size: 4, q: 3, depth: 3, width: 2, residual: true },
    { size: 5, q: 3, depth: 2, width: 2, symmetry: "first-state" as const },
    { size: 4, q: 3, depth: 2, width: 2, symmetry: "mixture" as const },
    { size: 3, q: 4, depth: 2, width: 2, symmetry: "mixture" as const },
    { size: 3, q: 5, depth: 2, width: 3, biasFreeFirst: true },
  ];
  for (const c of cases) {
    const m = new PottsMade({ ...c, seed: 3 });
    const label = JSON.stringify(c);
    checkNormalised(m, label);
    if (c.symmetry !== undefined) checkRelabellingInvariance(m, label);
    m.dispose();
  }
});

test("pottsMade: sampled histogram matches q (chi-square), for plain and symmetrised models", () => {
  for (const symmetry of ["none", "first-state", "mixture"] as const) {
    const m = new PottsMade({ size: 4, q: 3, depth: 2, width: 3, symmetry, seed: 11 });
    // sharpen the distribution so the test has power: scale the last layer
    m.trainableVariables[2].assign(tf.mul(m.trainableVariables[2], 4));
    const p = checkNormalised(m, symmetry);
    checkHistogram(m, p, 20000, `pottsMade ${symmetry}`);
    m.dispose();
  }
});

test("pottsMade: the fast sampler's ln q equals a full pass and its draws the reference sampler's", () => {
  for (const c of [
    { size: 12, q: 3, depth: 1 },
    { size: 12, q: 3, depth: 3, width: 3, residual: true },
    { size: 10, q: 4, depth: 2, width: 2, symmetry: "first-state" as const },
    { size: 8, q: 3, depth: 2, width: 2, symmetry: "mixture" as const },
  ]) {
    const m = new PottsMade({ ...c, seed: 5 });
    checkFastSampler(m, 37, JSON.stringify(c));
    m.dispose();
  }
});

/**
 * An Ising MADE as a q = 2 model: σ = (1 + s)/2, first-layer weights ±W on the
 * one-hot channels (σ = 1 ↔ +W, σ = 0 ↔ −W, so W(o₁ − o₀) = W s), last layer
 * logits (0, z). Then ln q agrees on all 2^N states, Z2 mixture ↔ S_2 mixture.
 */
function mappedPotts(ising: Made, symmetry: "none" | "mixture"): PottsMade {
  const n = ising.size;
  const pm = new PottsMade({ size: n, q: 2, depth: ising.depth, width: ising.width, residual: ising.residual, symmetry, seed: 1 });
  const src = new Map(ising.variableNames.map((name, k) => [name, ising.trainableVariables[k]]));
  pm.variableNames.forEach((name, k) => {
    const v = pm.trainableVariables[k];
    const w = src.get(name)!;
    const last = `w${ising.depth - 1}`;
    const lastB = `b${ising.depth - 1}`;
    tf.tidy(() => {
      if (name === "w0" && ising.depth > 1) {
        // [n, H] → [2n, H]: rows 2j (σ=0) = −W_j, 2j+1 (σ=1) = W_j
        v.assign(tf.reshape(tf.stack([tf.neg(w), w], 1), v.shape));
      } else if (name === "w0") {
        // depth 1: [n, n] → [2n, 2n]
        const rows = tf.reshape(tf.stack([tf.neg(w), w], 1), [2 * n, n]);
        v.assign(tf.reshape(tf.stack([tf.zerosLike(rows), rows], 2), v.shape));
      } else if (name === last) {
        v.assign(tf.reshape(tf.stack([tf.zerosLike(w), w], 2), v.shape));
      } else if (name === lastB || (name === "b0" && ising.depth === 1)) {
        v.assign(tf.reshape(tf.stack([tf.zerosLike(w), w], 1), v.shape));
      } else v.assign(w);
    });
  });
  return pm;
}

test("pottsMade: q = 2 is the Ising MADE family (mapped weights give the same ln q on all states)", () => {
  const n = 6;
  const s = allStateArrays(n);
  const total = 2 ** n;
  const sigma = s.map((v) => (v + 1) / 2);
  for (const c of [{ depth: 1, width: 1 }, { depth: 2, width: 3 }, { depth: 3, width: 2, residual: true }]) {
    for (const [z2, symmetry] of [[false, "none"], [true, "mixture"]] as const) {
      const ising = new Made({ size: n, ...c, z2, seed: 8 });
      // make it far from uniform so that a wrong map shows
      ising.trainableVariables.forEach((v) => v.assign(tf.mul(v, 3)));
      const pm = mappedPotts(ising, symmetry);
      const a = tf.tidy(() => ising.logProb(tf.tensor2d(s, [total, n])).dataSync());
      const b = pm.logProbArrays(sigma, total);
      let spread = 0;
      for (let k = 0; k < total; k++) {
        assert.ok(Math.abs(a[k] - b[k]) < 2e-5 * Math.max(1, Math.abs(a[k])), `${JSON.stringify(c)} z2=${z2} state ${k}: ${a[k]} vs ${b[k]}`);
        spread = Math.max(spread, Math.abs(a[k] - a[0]));
      }
      assert.ok(spread > 0.5, "the test distribution is not uniform");
      // an unmapped q = 2 model differs (the test can fail)
      const other = new PottsMade({ size: n, q: 2, ...c, symmetry, seed: 8 });
      const d = other.logProbArrays(sigma, total);
      assert.ok(d.some((v, k) => Math.abs(v - a[k]) > 1e-2));
      ising.dispose();
      pm.dispose();
      other.dispose();
    }
  }
});

test("pottsMade: fromConfig, the registry and a checkpoint rebuild the same model", () => {
  const m = new PottsMade({ size: 5, q: 3, depth: 2, width: 2, symmetry: "first-state", seed: 4 });
  const c = m.config();
  assert.deepEqual(PottsMade.fromConfig(c).config(), c);
  const r = modelFromConfig(c);
  assert.deepEqual((r as PottsMade).config(), c);
  r.dispose();
  const dir = mkdtempSync(path.join(tmpdir(), "pottsmade-"));
  try {
    const file = saveCheckpoint({ path: path.join(dir, "ck.json"), model: m });
    const { model } = loadModel({ path: file });
    const x = new Float32Array([0, 1, 2, 1, 0, 2, 2, 2, 1, 0]);
    assert.deepEqual(Array.from((model as PottsMade).logProbArrays(x, 2)), Array.from(m.logProbArrays(x, 2)));
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  m.dispose();
});

test("pottsMade: bad input is refused with the argument named", () => {
  const table: [unknown, RegExp][] = [
    [undefined, /pottsMade: options must be an object/],
    [{ size: 4 }, /pottsMade: give q/],
    [{ q: 3 }, /pottsMade: give size/],
    [{ size: 4, q: 1 }, /pottsMade: q must be/],
    [{ size: 0, q: 3 }, /pottsMade: size must be/],
    [{ size: 4, q: 3, depth: 0 }, /pottsMade: depth must be/],
    [{ size: 4, q: 3, symmetry: "z2" }, /pottsMade: symmetry must be one of/],
    [{ size: 4, q: 5, symmetry: "mixture" }, /pottsMade: symmetry "mixture" needs q ≤ 4/],
    [{ size: 4, q: 3, colour: 1 }, /pottsMade: unknown option "colour"/],
    [{ system: { kind: "spin", n: 4 } }, /pottsMade: system must be a PottsSystem/],
    [{ system: { kind: "potts", n: 4, q: 3, name: "h", permutationSymmetric: false }, symmetry: "first-state" }, /invariant under relabellings/],
  ];
  const before = tf.memory().numTensors;
  for (const [opts, re] of table) assert.throws(() => new PottsMade(opts as never), re, JSON.stringify(opts));
  assert.equal(tf.memory().numTensors, before, "refused options leave no tensors");
  const m = new PottsMade({ size: 3, q: 3, seed: 1 });
  assert.throws(() => m.logProbArrays([0, 1, 3], 1), /pottsMade.logProbArrays: x must hold states 0…2, got 3/);
  assert.throws(() => m.logProbArrays([0, 1], 1), /x must have batch·size = 3 entries/);
  assert.throws(() => m.logProb(tf.zeros([2, 4]) as tf.Tensor2D), /pottsMade.logProb: x must be a \[batch, 3\] tensor/);
  assert.throws(() => m.sampleArrays(0), /pottsMade.sample: batch must be/);
  assert.throws(() => PottsMade.fromConfig({ type: "made", size: 3 }), /config.type must be "potts-made"/);
  m.dispose();
  assert.throws(() => m.sampleArrays(2, { seed: 1 }), /pottsMade.sample: the model has been disposed/);
});

test("pottsMade: no tensors leak from sampling, ln q, the reference sampler and dispose", () => {
  const before = tf.memory().numTensors;
  const m = new PottsMade({ size: 6, q: 3, depth: 2, width: 2, symmetry: "mixture", seed: 2 });
  const s = m.sample(4, { seed: 1 });
  m.logProb(s.x).dispose();
  m.sampleReference(3, { seed: 1 });
  m.logProbArrays(s.x.dataSync(), 4);
  tf.dispose([s.x, s.logProb]);
  m.dispose();
  assert.equal(tf.memory().numTensors, before);
});
