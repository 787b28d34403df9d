/**
 * drawFromModel / modelLogProb: the samplers' one way to read a model's
 * draws into float64 arrays, for spin models (typed-array path) and for
 * tensor models such as a Boltzmann generator, whose samples also carry the
 * latent z — every tensor of a draw is freed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import { boltzmannGenerator } from "../../src/bg/generator";
import { realNVP } from "../../src/flows/composite";
import { drawFromModel, modelLogProb } from "../../src/samplers/modelAccess";

test("drawFromModel on a Boltzmann generator: arrays of the right size, ln q equal to modelLogProb, no tensor left behind", () => {
  ensureBackend();
  const bg = boltzmannGenerator({ flow: realNVP({ dim: 2, layers: 2, hidden: [8], seed: 3 }) });
  const before = tf.memory().numTensors;
  const d = drawFromModel(bg, 16, new Rng(1));
  assert.equal(d.x.length, 32);
  assert.equal(d.logProb.length, 16);
  const lq = modelLogProb(bg, d.x, 16);
  for (let k = 0; k < 16; k++) assert.ok(Math.abs(lq[k] - d.logProb[k]) < 1e-4, `ln q ${lq[k]} vs ${d.logProb[k]}`);
  assert.equal(tf.memory().numTensors, before, "every tensor of the draw (x, ln q and the latent z) is freed");
  bg.dispose();
});
