/**
 * Neural MCMC for spin systems: a GenerativeModel q as an independence
 * Metropolis–Hastings proposal (`neuralProposalMove`), alone or composed with
 * local Metropolis sweeps (`sequence([neural, metropolis])`), run by the one
 * Monte Carlo loop.
 */
import type { SpinSystem } from "../systems/types";
import { resolveSamplerOptions } from "./common";
import { runResolved, sequence } from "./driver";
import { checkModel, drawFromModel, modelLogProb } from "./modelAccess";
import { neuralProposalMove } from "./neuralMove";
import { checkSpinSystem } from "./spin";
import { metropolisMove } from "./spinMoves";
import { SpinChainState } from "./spinState";
import type { SamplerOptions, SamplerResult } from "./types";
import { checkInteger } from "../core/validate";
import type { GenerativeModel } from "../models/types";

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
  const C = o.chains;
  const n = system.n;
  const batchSize = options.batchSize === undefined ? Math.max(C, 256) : checkInteger(options.batchSize, "batchSize", where, { min: 1 });
  const state = new SpinChainState(system, C, { betas: Float64Array.of(o.beta), target: 0 });
  const neural = neuralProposalMove({ model, batchSize });
  const local = localSweeps > 0 ? metropolisMove({ sweeps: localSweeps }) : null;
  const move = local === null ? neural : sequence([neural, local], { name: where });
  const res = runResolved(state, move, o, where, () => {
    if (o.initial !== null) {
      for (let c = 0; c < C; c++) state.spins.set(c, o.initial, c * n);
      neural.setLogProb(state, modelLogProb(model, o.initial, C));
    } else {
      const s = drawFromModel(model, C, o.rng);
      for (let c = 0; c < C; c++) state.spins.set(c, s.x, c * n);
      neural.setLogProb(state, s.logProb);
    }
  });
  const { integerPath: _i, ...rest } = res.diagnostics;
  // (assigned, not spread: spreading would compute the lazy `stats`)
  res.diagnostics = {
    ...rest,
    localSweeps,
    localAcceptance: local === null ? null : local.report(state, res.elapsedMs).acceptance,
    sweepsPerStep: 1 + localSweeps,
  };
  return res;
}
