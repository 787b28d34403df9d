import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { ActNorm } from "../../src/flows";
import { boltzmannGenerator, reweight, wellFreeEnergy } from "../../src/bg";
import { logWeightsOf, wellFreeEnergyBar } from "../../src/bg/bar";
import { wellFreeEnergyDifference } from "../../src/exact/quadrature";
import { continuousMetropolis } from "../../src/samplers/continuous";
import { doubleWell } from "../../src/systems/continuous";

ensureBackend();

/** A Gaussian generator x = z·e^{logScale} + shift. */
function gaussian(logScale: number[], shift: number[]) {
  const a = new ActNorm({ dim: logScale.length });
  tf.tidy(() => {
    a.logScale.assign(tf.tensor1d(logScale));
    a.shift.assign(tf.tensor1d(shift));
  });
  return boltzmannGenerator({ flow: a });
}

/** Metropolis in each well of the double well (the chains stay where they start), thinned. */
function wellData(seed: number) {
  const dw = doubleWell();
  const chains = 8;
  const init = new Float64Array(chains * 2);
  for (let c = 0; c < chains; c++) init[2 * c] = c < chains / 2 ? dw.wells.left[0] : dw.wells.right[0];
  const mc = continuousMetropolis(dw, { beta: 1, sweeps: 4000, burnIn: 200, thin: 10, chains, initial: init, keepSamples: true, stepSize: 0.3, seed });
  return mc.samples as Float64Array;
}

test("logWeightsOf equals reweight's log weights at the generator's own samples", () => {
  const dw = doubleWell();
  const bg = gaussian([Math.log(1.3), Math.log(0.9)], [0.2, -0.1]);
  const rw = reweight(bg, { system: dw, beta: 1.5, samples: 500, seed: 4 });
  const lw = logWeightsOf(bg, { system: dw, beta: 1.5, x: rw.x, batch: 128 });
  let worst = 0;
  for (let k = 0; k < lw.length; k++) worst = Math.max(worst, Math.abs(lw[k] - rw.logWeights[k]));
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
  bg.dispose();
});

test("wellFreeEnergyBar: a Gaussian generator off the wells plus Metropolis data give ΔF within 4σ of quadrature, with a smaller error than reweighting the generator alone (3 seeds)", () => {
  const dw = doubleWell();
  const exact = wellFreeEnergyDifference(dw, { beta: 1 }).deltaF;
  // a Gaussian centred between the left well and the barrier: about 9 % of its samples in the (3.3 %) right well, badly weighted
  const bg = gaussian([Math.log(0.8), Math.log(0.8)], [dw.wells.left[0] + 0.8, 0]);
  for (const seed of [1, 2, 3]) {
    const rw = reweight(bg, { system: dw, beta: 1, samples: 20000, seed: 100 + seed });
    const gx = Float64Array.from({ length: rw.n }, (_, k) => rw.x[2 * k]);
    const data = wellData(seed);
    const dx = Float64Array.from({ length: data.length / 2 }, (_, k) => data[2 * k]);
    const dlw = logWeightsOf(bg, { system: dw, beta: 1, x: data });
    const r = wellFreeEnergyBar({ generator: { values: gx, logWeights: rw.logWeights }, data: { values: dx, logWeights: dlw }, divide: dw.wells.divide, blocks: 20 });
    const msg = `seed ${seed}: BAR ΔF ${r.deltaF.mean} ± ${r.deltaF.error} vs ${exact}`;
    assert.ok(r.left.dataSamples > 300 && r.right.dataSamples > 300, `data per state ${r.left.dataSamples}, ${r.right.dataSamples}`);
    assert.ok(r.right.generatorFraction > 0.03 && r.right.generatorFraction < 0.2, `generator in the right well: ${r.right.generatorFraction}`);
    assert.ok(Math.abs(r.deltaF.mean - exact) < 4 * r.deltaF.error, msg);
    assert.ok(r.deltaF.error < 0.15, msg);
    const one = wellFreeEnergy({ x: gx, divide: dw.wells.divide, logWeights: rw.logWeights });
    assert.ok(r.deltaF.error < 0.8 * one.deltaF.error, `${msg}; reweighting alone ${one.deltaF.mean} ± ${one.deltaF.error}`);
    assert.ok(Math.abs(r.fractionRight.mean - 1 / (1 + Math.exp(exact))) < 4 * r.fractionRight.error);
  }
  bg.dispose();
});

test("wellFreeEnergyBar and logWeightsOf: no tensor leaks; bad input is named before any work", () => {
  const dw = doubleWell();
  const bg = gaussian([0, 0], [0, 0]);
  const before = tf.memory().numTensors;
  logWeightsOf(bg, { system: dw, beta: 1, x: [0, 0, 1, 1, -1, 0.5], batch: 2 });
  assert.equal(tf.memory().numTensors, before);
  const set = { values: [-1, -1.1, 1, 1.2], logWeights: [0, 0, 0, 0] };
  const cases: [() => unknown, RegExp][] = [
    [() => logWeightsOf(bg, { system: dw, beta: 0, x: [0, 0] }), /logWeightsOf: beta must be > 0/],
    [() => logWeightsOf(bg, { system: doubleWell({ dim: 3 }), beta: 1, x: [0, 0, 0] }), /logWeightsOf: system has dim 3, model has size 2/],
    [() => logWeightsOf(bg, { system: dw, beta: 1, x: [0, 0, 1] }), /logWeightsOf: x must hold n·2 numbers/],
    [() => logWeightsOf(bg, { system: dw, beta: 1, x: [0, NaN] }), /logWeightsOf: x\[1\] is NaN/],
    [() => wellFreeEnergyBar({ data: set } as never), /wellFreeEnergyBar: generator must be \{ values, logWeights \}/],
    [() => wellFreeEnergyBar({ generator: set, data: { values: [1, 2], logWeights: [0] } }), /data.values has 2 entries, data.logWeights 1/],
    [() => wellFreeEnergyBar({ generator: set, data: { values: [1, 2], logWeights: [0, NaN] } }), /data.logWeights\[1\] is NaN/],
    [() => wellFreeEnergyBar({ generator: { values: [-1, -2, 1], logWeights: [0, 0, 0] }, data: set }), /the generator has 1 sample\(s\) on the right of divide = 0/],
    [() => wellFreeEnergyBar({ generator: set, data: set, blocks: 3 }), /blocks = 3 exceeds the 2 samples of the left state/],
    [() => wellFreeEnergyBar({ generator: set, data: set, divide: "0" as never }), /wellFreeEnergyBar: divide must be a (finite )?number/],
  ];
  for (const [f, re] of cases) assert.throws(f, re);
  bg.dispose();
});
