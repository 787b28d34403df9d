import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { PixelCnn } from "../../src/models/pixelcnn";
import { PottsPixelCnn } from "../../src/models/pottsPixelcnn";
import { modelFromConfig } from "../../src/models/registry";
import { loadModel, saveCheckpoint } from "../../src/train/checkpoint";
import { allStateArrays } from "./helpers";
import { checkFastSampler, checkHistogram, checkNormalised, checkRelabellingInvariance } from "./pottsHelpers";

ensureBackend();

test("pottsPixelcnn: Σ q = 1 over all q^N states, open and periodic, every symmetry", () => {
  const cases = [
    { L: 2, cols: 3, q: 3, depth: 1, halfKernel: 1 },
    { L: 2, cols: 3, q: 3, depth: 2, width: 4, halfKernel: 1 },
    { L: 3, cols: 2, q: 3, depth: 3, width: 3, halfKernel: 1, residual: true },
    { L: 2, cols: 3, q: 3, depth: 2, width: 3, halfKernel: 1, periodic: true },
    { L: 3, cols: 3, q: 2, depth: 3, width: 3, halfKernel: 2, periodic: true },
    { L: 2, cols: 3, q: 3, depth: 2, width: 3, halfKernel: 1, symmetry: "first-state" as const },
    { L: 2, cols: 2, q: 4, depth: 2, width: 3, halfKernel: 1, periodic: true, symmetry: "mixture" as const },
  ];
  for (const c of cases) {
    const m = new PottsPixelCnn({ ...c, seed: 3 });
    const label = JSON.stringify(c);
    checkNormalised(m, label);
    if (c.symmetry !== undefined) checkRelabellingInvariance(m, label);
    m.dispose();
  }
});

test("pottsPixelcnn: sampled histogram matches q (chi-square)", () => {
  for (const symmetry of ["none", "first-state"] as const) {
    const m = new PottsPixelCnn({ L: 2, cols: 2, q: 3, depth: 2, width: 4, halfKernel: 1, periodic: true, symmetry, seed: 12 });
    m.trainableVariables.forEach((v) => v.assign(tf.mul(v, 3)));
    const p = checkNormalised(m, symmetry);
    checkHistogram(m, p, 16000, `pottsPixelcnn ${symmetry}`);
    m.dispose();
  }
});

test("pottsPixelcnn: the fast sampler's ln q equals a full pass and its draws the reference sampler's", () => {
  for (const c of [
    { L: 4, cols: 5, q: 3, depth: 3, width: 4, halfKernel: 2 },
    { L: 5, cols: 4, q: 3, depth: 3, width: 4, halfKernel: 2, periodic: true, residual: true },
    { L: 4, q: 4, depth: 2, width: 3, halfKernel: 1, periodic: true, symmetry: "first-state" as const },
  ]) {
    const m = new PottsPixelCnn({ ...c, seed: 5, sampleChunk: 16 });
    checkFastSampler(m, 37, JSON.stringify(c));
    m.dispose();
  }
});

/** An Ising PixelCNN as a q = 2 model (σ = (1 + s)/2; first-stage channels ±w, last-stage logits (0, z)): same ln q on all states. */
test("pottsPixelcnn: q = 2 is the Ising PixelCNN family (mapped weights give the same ln q on all states)", () => {
  const L = 3;
  const n = L * L;
  const s = allStateArrays(n);
  const total = 2 ** n;
  const sigma = s.map((v) => (v + 1) / 2);
  for (const c of [{ depth: 1 }, { depth: 3, width: 3, periodic: true }, { depth: 3, width: 2, residual: true }]) {
    for (const [z2, symmetry] of [[false, "none"], [true, "mixture"]] as const) {
      const ising = new PixelCnn({ L, ...c, halfKernel: 1, z2, seed: 8 });
      ising.trainableVariables.forEach((v) => v.assign(tf.mul(v, 3)));
      const pm = new PottsPixelCnn({ L, q: 2, ...c, halfKernel: 1, symmetry, seed: 1 });
      assert.equal(pm.biasFreeFirst, ising.biasFreeFirst);
      const src = new Map(ising.variableNames.map((name, k) => [name, ising.trainableVariables[k]]));
      const last = ising.depth - 1;
      pm.variableNames.forEach((name, k) => {
        const v = pm.trainableVariables[k];
        const w = src.get(name)!;
        tf.tidy(() => {
          let t: tf.Tensor = w;
          if (name === "w0") t = tf.concat([tf.neg(t), t], 1); // [taps, 1, out] → [taps, 2, out]
          if (name === `w${last}`) t = tf.concat([tf.zerosLike(t), t], 2); // [taps, in, 1] → [taps, in, 2]
          if (name === `b${last}`) t = tf.concat([tf.zerosLike(t), t], 0);
          v.assign(tf.reshape(t, v.shape));
        });
      });
      const a = tf.tidy(() => ising.logProb(tf.tensor2d(s, [total, n])).dataSync());
      const b = pm.logProbArrays(sigma, total);
      for (let k = 0; k < total; k++) {
        assert.ok(Math.abs(a[k] - b[k]) < 2e-5 * Math.max(1, Math.abs(a[k])), `${JSON.stringify(c)} z2=${z2} state ${k}: ${a[k]} vs ${b[k]}`);
      }
      const other = new PottsPixelCnn({ L, q: 2, ...c, halfKernel: 1, symmetry, seed: 8 });
      assert.ok(other.logProbArrays(sigma, total).some((v, k) => Math.abs(v - a[k]) > 1e-2), "an unmapped model differs");
      ising.dispose();
      pm.dispose();
      other.dispose();
    }
  }
});

test("pottsPixelcnn: fromConfig, the registry and a checkpoint rebuild the same model", () => {
  const m = new PottsPixelCnn({ L: 3, q: 3, depth: 2, width: 3, halfKernel: 1, periodic: true, symmetry: "first-state", seed: 4 });
  const c = m.config();
  const f = PottsPixelCnn.fromConfig(c);
  assert.deepEqual(f.config(), c);
  f.dispose();
  const r = modelFromConfig(c);
  assert.deepEqual((r as PottsPixelCnn).config(), c);
  r.dispose();
  const dir = mkdtempSync(path.join(tmpdir(), "pottspixelcnn-"));
  try {
    const file = saveCheckpoint({ path: path.join(dir, "ck.json"), model: m });
    const { model } = loadModel({ path: file });
    const x = new Float32Array([0, 1, 2, 1, 0, 2, 2, 2, 1]);
    assert.deepEqual(Array.from((model as PottsPixelCnn).logProbArrays(x, 1)), Array.from(m.logProbArrays(x, 1)));
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  m.dispose();
});

test("pottsPixelcnn: bad input is refused with the argument named", () => {
  const grid1d = { kind: "potts", n: 4, q: 3, name: "chain", permutationSymmetric: true, geometry: { grid: [4], periodic: [true] } };
  const table: [unknown, RegExp][] = [
    [undefined, /pottsPixelcnn: options must be an object/],
    [{ q: 3 }, /pottsPixelcnn: give exactly one of system .* or L/],
    [{ L: 3 }, /pottsPixelcnn: give q/],
    [{ L: 3, q: 3, halfKernel: 3, periodic: true }, /pottsPixelcnn: a periodic PixelCNN needs halfKernel < rows/],
    [{ L: 3, q: 3, width: 0 }, /pottsPixelcnn: width must be/],
    [{ L: 3, q: 6, symmetry: "mixture" }, /symmetry "mixture" needs q ≤ 4/],
    [{ L: 3, q: 3, kernel: 3 }, /pottsPixelcnn: unknown option "kernel"/],
    [{ system: grid1d }, /pottsPixelcnn: system "chain" has a 1-D grid/],
  ];
  const before = tf.memory().numTensors;
  for (const [opts, re] of table) assert.throws(() => new PottsPixelCnn(opts as never), re, JSON.stringify(opts));
  assert.equal(tf.memory().numTensors, before, "refused options leave no tensors");
  assert.throws(() => PottsPixelCnn.fromConfig({ type: "potts-pixelcnn", size: 8, rows: 3, cols: 3, q: 3 }), /config.size 8 is not rows·cols/);
});

test("pottsPixelcnn: no tensors leak from sampling, ln q, the reference sampler and dispose", () => {
  const before = tf.memory().numTensors;
  const m = new PottsPixelCnn({ L: 3, q: 3, depth: 3, width: 3, halfKernel: 1, periodic: true, symmetry: "first-state", seed: 2 });
  const s = m.sample(4, { seed: 1 });
  m.logProb(s.x).dispose();
  m.sampleReference(3, { seed: 1 });
  m.logProbArrays(s.x.dataSync(), 4);
  tf.dispose([s.x, s.logProb]);
  m.dispose();
  assert.equal(tf.memory().numTensors, before);
});
