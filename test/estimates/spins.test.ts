import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import * as estimates from "../../src/estimates";
import * as samplers from "../../src/samplers";
import { exact } from "../../src/exact/exact";
import { made } from "../../src/models/made";
import { sk } from "../../src/systems/lattices";

ensureBackend();

test("estimateVan and importanceSampling are one estimator: the same samples give the same numbers, and samplers re-exports it", () => {
  assert.equal(samplers.importanceSampling, estimates.importanceSampling);
  const system = sk({ n: 8, seed: 3 });
  const model = made({ size: 8, depth: 1, width: 2, seed: 5 });
  const before = tf.memory().numTensors;
  const a = estimates.estimateVan({ model, system, beta: 0.5, samples: 4000, batch: 500, seed: 7 });
  const b = estimates.importanceSampling(system, { model, beta: 0.5, samples: 4000, batchSize: 500, seed: 7, observables: { firstSpin: (s) => s[0] } });
  assert.equal(tf.memory().numTensors, before);
  for (const k of ["logZ", "freeEnergy", "freeEnergyVariational", "energy", "energyModel", "entropy", "entropyModel"] as const) {
    assert.deepEqual(a[k], b[k], k);
  }
  assert.deepEqual(a.observables.absMagnetizationPerSpin, b.observables.absMagnetizationPerSpin);
  assert.equal(a.paretoK, b.paretoK);
  assert.deepEqual(a.warnings, b.warnings);
  assert.equal(a.fImportance, a.freeEnergy);
  assert.equal(a.fVariational, a.freeEnergyVariational);
  assert.equal(a.per, 8);
  // the caller's observable, reweighted and under q; ⟨s_0⟩ = 0 by the Z2 symmetry of SK without fields
  assert.ok(Math.abs(b.observables.firstSpin.mean) < 4 * b.observables.firstSpin.error);
  assert.ok(Math.abs(b.observablesModel.firstSpin.mean) < 1);
  // a near-uniform model at β = 0.5 is a good proposal: F within its error of the exact value
  const ex = exact(system, 0.5);
  assert.ok(Math.abs(b.freeEnergy.mean - ex.freeEnergyPerSpin) < 4 * b.freeEnergy.error, `${b.freeEnergy.mean} ± ${b.freeEnergy.error} vs ${ex.freeEnergyPerSpin}`);
  assert.ok(b.paretoK < 0.7 && b.warnings.length === 0, `k̂ ${b.paretoK}: ${b.warnings.join("; ")}`);
  model.dispose();
});

test("bad input to importanceSampling", () => {
  const system = sk({ n: 4, seed: 1 });
  const model = made({ size: 4, seed: 1 });
  const small = made({ size: 3, seed: 1 });
  const cases: [() => unknown, RegExp][] = [
    [() => estimates.importanceSampling(null as never, { model, beta: 1, samples: 10 }), /importanceSampling: system must be a SpinSystem/],
    [() => estimates.importanceSampling(system, { model: {} as never, beta: 1, samples: 10 }), /importanceSampling: model must be a GenerativeModel/],
    [() => estimates.importanceSampling(system, { model: small, beta: 1, samples: 10 }), /model.size = 3 does not match the system size 4/],
    [() => estimates.importanceSampling(system, { model, beta: -1, samples: 10 }), /importanceSampling: beta must be > 0/],
    [() => estimates.importanceSampling(system, { model, beta: 1, samples: 1 }), /importanceSampling: samples must be ≥ 2/],
    [() => estimates.importanceSampling(system, { model, beta: 1, samples: 10, blocks: 11 }), /blocks must be ≤ 10/],
    [() => estimates.importanceSampling(system, { model, beta: 1, samples: 10, errorMethod: "delta" as never }), /errorMethod must be one of jackknife, bootstrap/],
    [() => estimates.importanceSampling(system, { model, beta: 1, samples: 10, observables: { f: 3 as never } }), /observables.f must be a function/],
    [() => estimates.importanceSampling(system, { model, beta: 1, samples: 10, observables: { absMagnetizationPerSpin: () => 1 } }), /is computed already/],
    [() => estimates.importanceSampling(system, { model, beta: 1, samples: 10, batch: 5 } as never), /unknown option "batch"/],
  ];
  for (const [f, msg] of cases) assert.throws(f, msg);
  model.dispose();
  small.dispose();
});
