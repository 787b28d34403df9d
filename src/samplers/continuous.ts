/**
 * Seeded Markov-chain samplers for continuous systems on typed arrays:
 * random-walk Metropolis (Gaussian proposals of width `stepSize`) and MALA
 * (Metropolis-adjusted Langevin: x' = x − τβ∇E(x) + sqrt(2τ)·ξ, accepted with
 * the Metropolis–Hastings ratio that includes the proposal densities), each a
 * move (src/samplers/continuousMoves.ts) run by the one Monte Carlo loop.
 * Both return the shared `SamplerResult`, with per-step observables `energy`
 * and `x0` (the first coordinate), [recorded × chains] step-major. Unlike the
 * spin samplers, `sweeps` counts all steps, burn-in included.
 */
import { resolveRng } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import type { ContinuousSystem } from "../systems/types";
import { ContinuousChainState, malaMove, randomWalkMove } from "./continuousMoves";
import { runChains } from "./driver";
import type { SamplerOptions, SamplerResult } from "./types";

export interface ContinuousSamplerOptions extends SamplerOptions {
  /** RWM: proposal standard deviation (default 0.25). MALA: time step τ (default 0.01). */
  stepSize?: number;
}

type Kind = "metropolis" | "mala";

const KEYS = ["beta", "sweeps", "chains", "burnIn", "thin", "keepSamples", "initial", "progress", "seed", "rng", "stepSize"];

function run(system: ContinuousSystem, options: ContinuousSamplerOptions, kind: Kind, where: string): SamplerResult {
  checkKeys(options, KEYS, where);
  if (system === undefined || system === null || typeof system.energyOf !== "function") throw new Error(`${where}: system must be a ContinuousSystem`);
  const beta = checkPositive(options?.beta, "beta", where);
  const steps = checkInteger(options.sweeps, "sweeps", where, { min: 1 });
  const chains = options.chains === undefined ? 1 : checkInteger(options.chains, "chains", where, { min: 1 });
  const burnIn = options.burnIn === undefined ? 0 : checkInteger(options.burnIn, "burnIn", where, { min: 0 });
  const thin = options.thin === undefined ? 1 : checkInteger(options.thin, "thin", where, { min: 1 });
  const stepSize = options.stepSize === undefined ? (kind === "mala" ? 0.01 : 0.25) : checkNumber(options.stepSize, "stepSize", where, { above: 0 });
  if (options.progress !== undefined && typeof options.progress !== "boolean") throw new Error(`${where}: progress must be a boolean`);
  const rng = resolveRng(options, where);
  const d = system.dim;
  const x = new Float64Array(chains * d);
  if (options.initial !== undefined) {
    const init = options.initial;
    if (init.length !== d && init.length !== chains * d) {
      throw new Error(`${where}: initial must have ${d} (one point for every chain) or ${chains * d} numbers, got ${init.length}`);
    }
    for (let k = 0; k < chains * d; k++) x[k] = checkNumber(init[init.length === d ? k % d : k], `initial[${k}]`, where);
  } else rng.fillNormal(x);
  const state = new ContinuousChainState(system, beta, chains, x, where);
  const move = kind === "mala" ? malaMove({ stepSize }) : randomWalkMove({ stepSize });
  return runChains(state, move, { label: where, total: steps, burnIn, thin, keepSamples: options.keepSamples === true, progress: options.progress, rng });
}

/** Random-walk Metropolis with Gaussian proposals (seeded). `sweeps` counts steps per chain. */
export function continuousMetropolis(system: ContinuousSystem, options: ContinuousSamplerOptions): SamplerResult {
  return run(system, options, "metropolis", "continuousMetropolis");
}

/** Metropolis-adjusted Langevin algorithm (seeded). `sweeps` counts steps per chain. */
export function mala(system: ContinuousSystem, options: ContinuousSamplerOptions): SamplerResult {
  return run(system, options, "mala", "mala");
}
