import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { importanceSampling, neuralMcmc } from "../../src/samplers/neural";
import { chiSquare } from "../../src/stats";
import { sk } from "../../src/systems";
import { enumerate } from "../../src/exact";
import { countStates, exactProbabilities, ferro, intFrustrated, productModel, tabulatedModel } from "./helpers";

ensureBackend();
const base = { chains: 500, burnIn: 50, sweeps: 400, thin: 20, keepSamples: true };

test("neural MCMC with the exact Boltzmann distribution as proposal accepts everything", () => {
  const system = intFrustrated();
  const beta = 0.8;
  const { p } = exactProbabilities(system, beta);
  const model = tabulatedModel(5, p);
  const res = neuralMcmc(system, { model, beta, chains: 20, sweeps: 2000, seed: 1, batchSize: 4000 });
  // ln q is float32 in the tensor contract: rejections only from rounding, ~1e-6 per step
  assert.ok(res.acceptance > 0.999, `acceptance ${res.acceptance}`);
  assert.ok((res.diagnostics.longestRejectionRun as number) <= 1);
});

test("neural MCMC with a poor proposal still reproduces the exact distribution (chi-square)", () => {
  const system = intFrustrated();
  const beta = 0.8;
  const model = productModel([1, -1, 0.5, 2, -0.5]);
  const res = neuralMcmc(system, { ...base, model, beta, seed: 2 });
  assert.ok(res.acceptance > 0.05 && res.acceptance < 0.8, `acceptance ${res.acceptance}`);
  const { p } = exactProbabilities(system, beta);
  const chi = chiSquare({ observed: countStates(res.samples!, 5), expected: p });
  assert.ok(chi.pValue > 1e-3, `chi2 ${chi.chi2} dof ${chi.dof} p ${chi.pValue}`);
  // and the proposal itself is far from p (the test would fail without the MH correction)
  const raw = model.sample(10000, { seed: 3 });
  const chiRaw = chiSquare({ observed: countStates(Float64Array.from(raw.x.dataSync()), 5), expected: p });
  tf.dispose([raw.x, raw.logProb]);
  assert.ok(chiRaw.pValue < 1e-3);
  model.dispose();
});

test("neural MCMC alternated with local sweeps reproduces the exact distribution", () => {
  const system = ferro(1);
  const beta = 0.5;
  const model = productModel([0, 0, 0, 0, 0, 0]);
  const res = neuralMcmc(system, { ...base, sweeps: 200, thin: 10, model, beta, localSweeps: 1, seed: 4 });
  assert.ok((res.diagnostics.localAcceptance as number) > 0);
  const { p } = exactProbabilities(system, beta);
  const chi = chiSquare({ observed: countStates(res.samples!, 6), expected: p });
  assert.ok(chi.pValue > 1e-3, `chi2 ${chi.chi2} p ${chi.pValue}`);
  model.dispose();
});

test("neural samplers free their tensors and check their arguments", () => {
  const system = intFrustrated();
  const model = productModel([0, 0, 0, 0, 0]);
  const before = tf.memory().numTensors;
  neuralMcmc(system, { model, beta: 0.5, sweeps: 20, chains: 3, localSweeps: 1, seed: 5 });
  importanceSampling(system, { model, beta: 0.5, samples: 300, batchSize: 100, seed: 6 });
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => neuralMcmc(system, { model: productModel([0, 0]), beta: 1, sweeps: 5 }), /neuralMcmc: model.size = 2 does not match the system size 5/);
  assert.throws(() => neuralMcmc(system, { model: {} as never, beta: 1, sweeps: 5 }), /neuralMcmc: model must be a GenerativeModel/);
  assert.throws(() => importanceSampling(system, { model, beta: 1, samples: 1 }), /importanceSampling: samples must be ≥ 2/);
  model.dispose();
});

test("importance sampling on SK N=12: F, E, S within 3 errors of exact enumeration", () => {
  const system = sk({ n: 12, seed: 7 });
  const beta = 1;
  const ex = enumerate(system, beta, { probabilities: true });
  // an imperfect model: the Boltzmann distribution at 0.7 β, mixed with 10% uniform
  const pOther = exactProbabilities(system, 0.7 * beta).p.map((v) => 0.9 * v + 0.1 / 4096);
  const model = tabulatedModel(12, pOther);
  const r = importanceSampling(system, { model, beta, samples: 20000, batchSize: 5000, seed: 8 });
  assert.ok(r.essFraction > 0.05 && r.essFraction < 0.999, `ESS fraction ${r.essFraction}`);
  const within = (name: string, s: { mean: number; error: number }, exact: number) =>
    assert.ok(Math.abs(s.mean - exact) < 3 * s.error && s.error > 0, `${name}: ${s.mean} ± ${s.error} vs exact ${exact}`);
  within("F", r.freeEnergy, ex.freeEnergyPerSpin);
  within("lnZ", r.logZ, ex.logZ);
  within("E", r.energy, ex.energyPerSpin!);
  within("S", r.entropy, ex.entropyPerSpin!);
  within("|m|", r.observables.absMagnetizationPerSpin, ex.absMagnetizationPerSpin!);
  // the variational free energy is an upper bound on F
  assert.ok(r.freeEnergyVariational.mean > ex.freeEnergyPerSpin);
  // errors are small enough to be a real check
  assert.ok(r.freeEnergy.error < 0.01);
});

test("importance sampling with the exact proposal has zero-variance weights", () => {
  const system = intFrustrated();
  const { p, logZ } = exactProbabilities(system, 0.6);
  const r = importanceSampling(system, { model: tabulatedModel(5, p), beta: 0.6, samples: 1000, seed: 9 });
  assert.ok(Math.abs(r.logZ.mean - logZ) < 1e-5, `${r.logZ.mean} vs ${logZ}`);
  assert.ok(r.logZ.error < 1e-5);
  assert.ok(r.essFraction > 0.9999);
});
