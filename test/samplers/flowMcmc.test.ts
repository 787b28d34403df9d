import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { boltzmannGenerator } from "../../src/bg/generator";
import { trainBoltzmannGenerator } from "../../src/bg/train";
import { convFlow } from "../../src/flows/convCoupling";
import { flowMcmc, flowProposalMove } from "../../src/samplers/flowMcmc";
import { hmcMove } from "../../src/samplers/hmc";
import { FieldChainState, independentSampleCost } from "../../src/samplers/fieldState";
import { runChains, sequence } from "../../src/samplers/driver";
import { Rng } from "../../src/core/random";
import { freePhi4, phi4 } from "../../src/systems/continuous/phi4";

ensureBackend();

const system = phi4({ L: 4, m2: 1, lambda: 0 });
const exact = freePhi4({ L: 4, m2: 1 });
let trained: ReturnType<typeof boltzmannGenerator> | null = null;
function model() {
  if (trained === null) {
    trained = boltzmannGenerator({ flow: convFlow({ L: 4, layers: 4, hidden: [8, 8], seed: 1 }) });
    const r = trainBoltzmannGenerator(trained, { system, beta: 1, steps: 150, batch: 256, lr: 5e-3, seed: 2, progress: false, energyCut: false });
    console.log(`trained in ${r.elapsedMs.toFixed(0)} ms`);
  }
  return trained;
}

test("flowMcmc with a trained conv flow reproduces the free theory (λ = 0, m² = 1, L = 4): ⟨φ²⟩, ⟨|M|⟩/V, ⟨S⟩ within 4σ", () => {
  const m = model();
  const r = flowMcmc(system, { model: m, beta: 1, sweeps: 4000, burnIn: 100, chains: 4, seed: 3 });
  for (const [k, want] of [["phi2", exact.phi2], ["absMagnetization", exact.absMagnetization], ["action", exact.action]] as const) {
    const st = r.stats[k];
    assert.ok(Math.abs(st.mean - want) < 4 * st.error, `${k}: ${st.mean} ± ${st.error} vs exact ${want}`);
    assert.ok(st.error < 0.05 * want, `${k}: error ${st.error}`);
  }
  // training moved q towards p: the acceptance is far above that of the untrained N(0, 1) proposal
  const untrained = boltzmannGenerator({ flow: convFlow({ L: 4, layers: 2, hidden: [4], seed: 9 }) });
  const r0 = flowMcmc(system, { model: untrained, beta: 1, sweeps: 500, chains: 4, seed: 4 });
  assert.ok(r.acceptance > r0.acceptance + 0.2, `acceptance trained ${r.acceptance}, untrained ${r0.acceptance}`);
  untrained.dispose();
  const cost = independentSampleCost(r, { observable: "absMagnetization", steps: 4000 });
  assert.ok(cost.tauInt >= 0.5 * 0.9 && cost.msPerIndependentSample > 0);
  assert.ok(typeof r.diagnostics.longestRejectionRun === "number");
});

test("flowProposalMove composes with HMC in one step (sequence) and re-evaluates ln q after HMC moved the chains", () => {
  const m = model();
  const x = new Float64Array(4 * 16);
  new Rng(1).fillNormal(x);
  for (let k = 0; k < x.length; k++) x[k] *= 0.3;
  const state = new FieldChainState(system, 1, 4, x, "test");
  const r = runChains(state, sequence([flowProposalMove({ model: m }), hmcMove({ stepSize: 0.2, leapfrogSteps: 3 })]), { label: "mix", total: 1000, burnIn: 50, thin: 1, keepSamples: false, progress: false, rng: new Rng(6) });
  const st = r.stats.phi2;
  assert.ok(Math.abs(st.mean - exact.phi2) < 4 * st.error, `${st.mean} ± ${st.error} vs ${exact.phi2}`);
  // the same through flowMcmc's hmc option
  const r2 = flowMcmc(system, { model: m, beta: 1, sweeps: 800, burnIn: 50, chains: 4, seed: 8, hmc: { leapfrogSteps: 3 } });
  assert.equal(r2.diagnostics.sampler, "flowMcmc");
  assert.equal(r2.diagnostics.kind, "hmc");
  assert.ok(typeof r2.diagnostics.longestRejectionRun === "number");
  const st2 = r2.stats.phi2;
  assert.ok(Math.abs(st2.mean - exact.phi2) < 4 * st2.error, `${st2.mean} ± ${st2.error} vs ${exact.phi2}`);
});

test("flowMcmc frees its tensors and is seeded", () => {
  const m = model();
  flowMcmc(system, { model: m, beta: 1, sweeps: 20, seed: 1 }); // warm-up
  const before = tf.memory().numTensors;
  const a = flowMcmc(system, { model: m, beta: 1, sweeps: 300, chains: 2, seed: 7, batchSize: 64 });
  const b = flowMcmc(system, { model: m, beta: 1, sweeps: 300, chains: 2, seed: 7, batchSize: 64 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(Array.from(a.final), Array.from(b.final));
});

test("flowMcmc bad input", () => {
  const m = model();
  const big = phi4({ L: 6, m2: 1, lambda: 0 });
  const cases: [() => unknown, string][] = [
    [() => flowMcmc(system, { model: m, beta: 0, sweeps: 10 }), "flowMcmc: beta must be > 0"],
    [() => flowMcmc(system, { model: m, beta: 1, sweeps: 0 }), "flowMcmc: sweeps must be ≥ 1"],
    [() => flowMcmc(system, { model: m, beta: 1, sweeps: 10, burnIn: 20 }), "burnIn (20) must be < sweeps (10)"],
    [() => flowMcmc(system, { model: {} as never, beta: 1, sweeps: 10 }), "flowMcmc: model must be a GenerativeModel"],
    [() => flowMcmc(big, { model: m, beta: 1, sweeps: 10 }), "model.size = 16 does not match the system size 36"],
    [() => flowMcmc(system, { model: m, beta: 1, sweeps: 10, batchSize: 0 }), "flowProposalMove: batchSize must be ≥ 1"],
    [() => flowMcmc(system, { model: m, beta: 1, sweeps: 10, initial: [1] } as never), 'flowMcmc: unknown option "initial"'],
    [() => flowMcmc(system, { model: m, beta: 1, sweeps: 10, hmc: { stepSize: -1 } }), "hmcMove: stepSize must be > 0"],
    [() => flowMcmc(system, { model: m, beta: 1, sweeps: 10, hmc: 3 as never }), "flowMcmc: hmc must be an object"],
  ];
  for (const [f, msg] of cases) assert.throws(f, (e: Error) => e.message.includes(msg), msg);
  trained?.dispose();
  trained = null;
});
