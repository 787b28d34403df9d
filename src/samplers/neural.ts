/**
 * Neural samplers for spin systems built on any GenerativeModel q:
 *
 * - `neuralMcmc`: q as an independence Metropolis–Hastings proposal,
 *   accepted with min(1, p(x′) q(x) / (p(x) q(x′))), p ∝ e^{−βE}; alone or
 *   alternated with local Metropolis sweeps. Exact for any q with full support,
 *   however poor (it then only mixes slowly).
 * - `importanceSampling` (re-exported from src/estimates/spins.ts): Z, F, E,
 *   S and observables from the weights w = e^{−βE − ln q}, with the estimator
 *   layer's convention, ESS, Pareto k̂ and warnings.
 */
import { checkInteger } from "../core/validate";
import type { GenerativeModel } from "../models/types";
import type { SpinSystem } from "../systems/types";
import { Recorder, resolveSamplerOptions, sweepProgress } from "./common";
import { checkModel, drawFromModel, modelLogProb } from "./modelAccess";
import { checkSpinSystem, SPIN_OBSERVABLES } from "./spin";
import { SpinChains } from "./spinChains";
import type { SamplerOptions, SamplerResult } from "./types";

export interface NeuralMcmcOptions extends SamplerOptions {
  /** The proposal q (a trained VAN, or any normalised model of ±1 spins). */
  model: GenerativeModel;
  /** Local Metropolis sweeps after every neural proposal (default 0: pure independence sampler). */
  localSweeps?: number;
  /** Proposals drawn per call of the model (default max(chains, 256), rounded to whole steps). */
  batchSize?: number;
}

/**
 * Neural MCMC. One step ("sweep" in `SamplerOptions`) is one independence
 * proposal per chain, followed by `localSweeps` Metropolis sweeps. Proposals
 * do not depend on the current state, so they are drawn in batches ahead of
 * use. `acceptance` is the neural acceptance rate; `diagnostics` adds the
 * local acceptance, the longest run of rejections and proposals per second.
 * Without `initial`, chains start from a model sample.
 */
export function neuralMcmc(system: SpinSystem, options: NeuralMcmcOptions): SamplerResult {
  const where = "neuralMcmc";
  checkSpinSystem(system, where);
  const o = resolveSamplerOptions(options, system.n, where, ["model", "localSweeps", "batchSize"]);
  const model = checkModel(options.model, system.n, where);
  const localSweeps = options.localSweeps === undefined ? 0 : checkInteger(options.localSweeps, "localSweeps", where, { min: 0 });
  const n = system.n;
  const C = o.chains;
  const batch = options.batchSize === undefined ? Math.max(C, 256) : checkInteger(options.batchSize, "batchSize", where, { min: 1 });
  const stepsPerBatch = Math.max(1, Math.floor(batch / C));
  const state = new SpinChains(system, C);
  const logq = new Float64Array(C);
  const rng = o.rng;
  if (o.initial !== null) {
    for (let c = 0; c < C; c++) state.set(c, o.initial, c * n);
    logq.set(modelLogProb(model, o.initial, C));
  } else {
    const s = drawFromModel(model, C, rng);
    for (let c = 0; c < C; c++) state.set(c, s.x, c * n);
    logq.set(s.logProb);
  }
  const rec = new Recorder(SPIN_OBSERVABLES, o.recorded, C, n, o.keepSamples);
  const total = o.burnIn + o.sweeps;
  const bar = sweepProgress(total, where, o.progress, 0.01 * n * C * (1 + localSweeps));
  const beta = o.beta;
  let accepted = 0;
  let localAccepted = 0;
  let maxRun = 0;
  const run = new Int32Array(C);
  let pool: { x: Float64Array; logProb: Float64Array } | null = null;
  let used = stepsPerBatch;
  const current = new Float64Array(C * n);
  const t0 = performance.now();
  for (let t = 1; t <= total; t++) {
    if (used === stepsPerBatch) {
      pool = drawFromModel(model, stepsPerBatch * C, rng);
      used = 0;
    }
    const p = pool!;
    for (let c = 0; c < C; c++) {
      const row = (used * C + c) * n;
      const eNew = system.energyOf(p.x.subarray(row, row + n));
      const logA = -beta * (eNew - state.energy[c]) + logq[c] - p.logProb[used * C + c];
      if (logA >= 0 || rng.uniform() < Math.exp(logA)) {
        state.set(c, p.x, row);
        logq[c] = p.logProb[used * C + c];
        accepted++;
        run[c] = 0;
      } else if (++run[c] > maxRun) maxRun = run[c];
    }
    used++;
    if (localSweeps > 0) {
      for (let c = 0; c < C; c++) for (let k = 0; k < localSweeps; k++) localAccepted += state.metropolisSweep(c, beta, rng);
      // the local moves changed the states: their ln q is needed for the next proposal
      for (let c = 0; c < C; c++) state.copyOut(c, current, c * n);
      logq.set(modelLogProb(model, current, C));
    }
    if (t > o.burnIn && (t - o.burnIn) % o.thin === 0 && rec.count < o.recorded) {
      for (let c = 0; c < C; c++) {
        const slot = rec.slot(c);
        rec.observables.energyPerSpin[slot] = state.energy[c] / n;
        const m = state.magnetization[c] / n;
        rec.observables.magnetizationPerSpin[slot] = m;
        rec.observables.absMagnetizationPerSpin[slot] = Math.abs(m);
        if (rec.samples !== null) state.copyOut(c, rec.samples, rec.sampleOffset(c));
      }
      rec.next();
    }
    bar.tick(t, `acc ${(accepted / (t * C)).toFixed(3)}`);
  }
  const elapsedMs = performance.now() - t0;
  const proposals = total * C;
  bar.done(`acceptance ${(accepted / proposals).toFixed(3)}`);
  const final = new Float64Array(C * n);
  for (let c = 0; c < C; c++) state.copyOut(c, final, c * n);
  return {
    final,
    chains: C,
    size: n,
    samples: rec.samples,
    recorded: rec.count,
    observables: rec.observables,
    acceptance: accepted / proposals,
    diagnostics: {
      sampler: "neuralMcmc",
      localSweeps,
      localAcceptance: localSweeps > 0 ? localAccepted / (proposals * localSweeps * n) : null,
      longestRejectionRun: maxRun,
      proposalsPerSecond: proposals / (elapsedMs / 1000),
      // a proposal of a whole configuration counts as one sweep
      sweepsPerStep: 1 + localSweeps,
    },
    updatesPerSecond: (proposals * (1 + localSweeps * n)) / (elapsedMs / 1000),
    elapsedMs,
  };
}

/**
 * Neural importance sampling lives in the estimator layer (src/estimates), with
 * every other importance-sampled estimate; `bz.samplers.importanceSampling`
 * is the same function.
 */
export { importanceSampling, type ImportanceSamplingOptions, type ImportanceSamplingResult } from "../estimates/spins";
