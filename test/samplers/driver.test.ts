import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import {
  continuousMetropolis,
  every,
  heatBath,
  latentMc,
  mala,
  metropolis,
  metropolisMove,
  mixture,
  neuralMcmc,
  neuralProposalMove,
  parallelTempering,
  runSpinMove,
  sequence,
  wolffMove,
  summarize,
  wolff,
  type Move,
  type SamplerResult,
  type SpinChainState,
} from "../../src/samplers";
import { chiSquare, mcmcMean } from "../../src/stats";
import { splitRHat } from "../../src/stats/rhat";
import { isingSquare } from "../../src/systems";
import { doubleWell } from "../../src/systems/continuous";
import { countStates, exactProbabilities, ferro, floatFrustrated, intFrustrated, productModel } from "./helpers";

ensureBackend();

/**
 * A move written as a user would: pick a random site of every chain and flip
 * it with the Metropolis probability, using only the public SpinChainState
 * (spins, energies, local fields through SpinChains.set). One Move object, no
 * loop of its own.
 */
function randomSiteFlip(): Move<SpinChainState> {
  let accepted = 0;
  let tried = 0;
  const buf = new Float64Array(64);
  return {
    name: "randomSiteFlip",
    cost: (s) => s.chains,
    step(state, rng) {
      const n = state.size;
      const beta = state.betas[0];
      for (let c = 0; c < state.chains; c++) {
        state.spins.copyOut(c, buf, 0);
        const i = rng.int(n);
        const dE = state.system.deltaE(buf, i);
        tried++;
        if (dE <= 0 || rng.uniform() < Math.exp(-beta * dE)) {
          buf[i] = -buf[i];
          state.spins.set(c, buf, 0);
          accepted++;
          state.version++;
        }
      }
    },
    // one attempted flip per chain and step: 1/n sweeps
    report: (state) => ({ acceptance: accepted / tried, updates: tried, diagnostics: { sweepsPerStep: 1 / state.size }, summary: "" }),
  };
}

test("a new move is one Move object: runSpinMove runs it (alone and composed with every/sequence) and the samples are exact", () => {
  const system = floatFrustrated();
  const beta = 0.8;
  const { p } = exactProbabilities(system, beta);
  const opts = { beta, chains: 400, burnIn: 100, sweeps: 500, thin: 25, keepSamples: true, seed: 12 };
  const alone = runSpinMove(system, randomSiteFlip(), opts, "custom");
  assert.equal(alone.diagnostics.sampler, "custom");
  assert.ok(alone.acceptance > 0 && alone.acceptance < 1);
  const chi = chiSquare({ observed: countStates(alone.samples!, 5), expected: p });
  assert.ok(chi.pValue > 1e-3, `alone: chi2 ${chi.chi2} p ${chi.pValue}`);
  // composed with a Metropolis sweep every 5th step: still exact, sweepsPerStep adds up (1/5 + 1/5)
  const mixed = runSpinMove(system, sequence([randomSiteFlip(), every(metropolisMove(), 5)]), { ...opts, seed: 13 });
  assert.ok(Math.abs((mixed.diagnostics.sweepsPerStep as number) - 0.4) < 1e-12);
  const chi2 = chiSquare({ observed: countStates(mixed.samples!, 5), expected: p });
  assert.ok(chi2.pValue > 1e-3, `mixed: chi2 ${chi2.chi2} p ${chi2.pValue}`);
  // and the chi-square check has power: the same move at the wrong β fails it
  const wrong = runSpinMove(system, randomSiteFlip(), { ...opts, beta: 0.6, seed: 14 });
  assert.ok(chiSquare({ observed: countStates(wrong.samples!, 5), expected: p }).pValue < 1e-3);
});

test("every multi-chain sampler result carries stats with rHat per observable; single-chain results carry stats without it", () => {
  const spin = intFrustrated();
  const dw = doubleWell();
  const flow = {
    dim: 2,
    forward: (z: tf.Tensor2D) => tf.tidy(() => ({ x: tf.mul(z, 1.2) as tf.Tensor2D, logDet: tf.fill([z.shape[0]], 2 * Math.log(1.2)) as tf.Tensor1D })),
  };
  const model = productModel([0, 0, 0, 0, 0]);
  const run = (chains: number): Record<string, SamplerResult> => ({
    metropolis: metropolis(spin, { beta: 0.5, sweeps: 40, chains, seed: 1 }),
    heatBath: heatBath(spin, { beta: 0.5, sweeps: 40, chains, seed: 1 }),
    wolff: wolff(ferro(1), { beta: 0.5, sweeps: 40, chains, seed: 1 }),
    parallelTempering: parallelTempering(spin, { betas: [0.2, 0.5], sweeps: 40, chains, seed: 1 }),
    neuralMcmc: neuralMcmc(spin, { model, beta: 0.5, sweeps: 40, chains, localSweeps: 1, seed: 1 }),
    continuousMetropolis: continuousMetropolis(dw, { beta: 1, sweeps: 40, chains, seed: 1 }),
    mala: mala(dw, { beta: 1, sweeps: 40, chains, seed: 1 }),
    latentMc: latentMc(dw, { flow, beta: 1, sweeps: 40, chains, seed: 1 }),
  });
  for (const [name, r] of Object.entries(run(3))) {
    // computed lazily, but an ordinary enumerable field (spread, JSON)
    assert.ok(Object.keys(r).includes("stats"), name);
    assert.deepEqual(Object.keys(r.stats).sort(), Object.keys(r.observables).sort(), name);
    for (const [k, s] of Object.entries(r.stats)) {
      const ref = mcmcMean(r.observables[k], { chains: 3 });
      assert.equal(s.mean, ref.mean, `${name}.${k} mean`);
      assert.equal(s.error, ref.error, `${name}.${k} error`);
      assert.equal(s.tauInt, ref.tauInt, `${name}.${k} tauInt`);
      assert.equal(typeof s.rHat, "number", `${name}.${k} rHat`);
      assert.equal(s.rHat, splitRHat(r.observables[k], { chains: 3 }), `${name}.${k} rHat value`);
    }
    const sum = summarize(r);
    for (const k of Object.keys(r.observables)) assert.equal(sum.stats[k].rHat, r.stats[k].rHat, `${name}: summarize rHat`);
  }
  for (const [name, r] of Object.entries(run(1))) {
    for (const s of Object.values(r.stats)) {
      assert.equal(s.rHat, undefined, `${name}: no R̂ for one chain`);
      assert.ok(Number.isFinite(s.mean) && s.n === 40, name);
    }
  }
  // too few records for statistics: NaN fields, not an exception after the run
  const short = metropolis(spin, { beta: 0.5, sweeps: 3, chains: 2, seed: 1 });
  assert.ok(Number.isNaN(short.stats.energyPerSpin.rHat!));
  assert.ok(Number.isFinite(short.stats.energyPerSpin.mean));
  model.dispose();
});

test("sampler R̂: ≈ 1 for well-mixed Metropolis chains, ≫ 1 for chains frozen in opposite ferromagnetic states", () => {
  const mixed = metropolis(ferro(1), { beta: 0.3, sweeps: 4000, chains: 4, seed: 21 });
  for (const k of ["energyPerSpin", "magnetizationPerSpin"]) assert.ok(Math.abs(mixed.stats[k].rHat! - 1) < 0.02, `${k}: ${mixed.stats[k].rHat}`);
  // 8×8 Ising at β = 0.8 (T ≈ 0.55 T_c): chains started all-up or all-down never reverse in 2000 sweeps
  const system = isingSquare({ L: 8 });
  const initial = new Float64Array(4 * 64);
  for (let c = 0; c < 4; c++) initial.fill(c % 2 === 0 ? 1 : -1, c * 64, (c + 1) * 64);
  const stuck = metropolis(system, { beta: 0.8, sweeps: 2000, chains: 4, initial, seed: 22 });
  assert.ok(stuck.stats.magnetizationPerSpin.rHat! > 5, `m: ${stuck.stats.magnetizationPerSpin.rHat}`);
  // |m| and E do not tell the two states apart: their R̂ stays near 1
  assert.ok(Math.abs(stuck.stats.absMagnetizationPerSpin.rHat! - 1) < 0.05, `|m|: ${stuck.stats.absMagnetizationPerSpin.rHat}`);
  // Wolff flips whole clusters and crosses between the two states at once
  const w = wolff(system, { beta: 0.8, sweeps: 2000, chains: 4, initial, seed: 23 });
  assert.ok(w.stats.magnetizationPerSpin.rHat! < 1.1, `wolff m: ${w.stats.magnetizationPerSpin.rHat}`);
});

test("a random mixture of moves (Wolff or a random-site flip, 1 : 3) samples a ferromagnet exactly", () => {
  const system = ferro(0.6);
  const beta = 0.7;
  const move = mixture([wolffMove(), randomSiteFlip()], { weights: [1, 3] });
  const res = runSpinMove(system, move, { beta, chains: 400, burnIn: 50, sweeps: 400, thin: 20, keepSamples: true, seed: 41 });
  const { p } = exactProbabilities(system, beta);
  const chi = chiSquare({ observed: countStates(res.samples!, 6), expected: p });
  assert.ok(chi.pValue > 1e-3, `chi2 ${chi.chi2} p ${chi.pValue}`);
  // sweeps per step, weight-averaged: 1/4 · |C|/n + 3/4 · 1/n
  const per = res.diagnostics.sweepsPerStep as number;
  const cluster = res.diagnostics.meanClusterSize as number;
  assert.ok(Math.abs(per - (0.25 * cluster / 6 + 0.75 / 6)) < 1e-12, `sweepsPerStep ${per}`);
  assert.throws(() => mixture([wolffMove()], { weights: [0] }), /mixture: weights must be 1 finite numbers ≥ 0, not all 0/);
  assert.throws(() => mixture([wolffMove(), metropolisMove()], { weights: [1] }), /mixture: weights must be 2/);
});

test("a move object can be run again: same seed, same result (counters and caches reset at init)", () => {
  const system = intFrustrated();
  const model = productModel([0.5, 0, -0.5, 1, 0]);
  const move = sequence([neuralProposalMove({ model, batchSize: 64 }), metropolisMove()]);
  const opts = { beta: 0.7, sweeps: 100, chains: 3, seed: 31 };
  const a = runSpinMove(system, move, opts);
  const b = runSpinMove(system, move, opts);
  assert.deepEqual(Array.from(b.final), Array.from(a.final));
  assert.deepEqual(Array.from(b.observables.energyPerSpin), Array.from(a.observables.energyPerSpin));
  assert.equal(b.acceptance, a.acceptance);
  assert.equal(b.diagnostics.longestRejectionRun, a.diagnostics.longestRejectionRun);
  model.dispose();
});

test("driver: composition and custom moves check their input", () => {
  const system = intFrustrated();
  const cases: Array<[() => unknown, RegExp]> = [
    [() => sequence([]), /sequence: parts must be a non-empty array of moves/],
    [() => sequence([metropolisMove()], { primary: 1 }), /sequence: primary must be an index into parts/],
    [() => every(metropolisMove(), 0), /every: k must be an integer ≥ 1/],
    [() => metropolisMove({ sweeps: 0 }), /metropolisMove: sweeps must be ≥ 1/],
    [() => runSpinMove(system, {} as never, { beta: 1, sweeps: 5 }), /runSpinMove: move must be a Move/],
    [() => runSpinMove(system, metropolisMove(), { beta: 1, sweeps: 5, thinning: 2 } as never), /runSpinMove: unknown option "thinning"/],
  ];
  for (const [f, re] of cases) assert.throws(f, re);
});
