/**
 * Single-particle Metropolis for particle systems (a `ContinuousSystem`
 * whose coordinates are the positions of `particles` particles in
 * `spatialDim` dimensions, x = (r_0, r_1, …) row-major): one step moves every
 * particle of every chain once, in order, by a uniform displacement in
 * [−σ, σ]^D, accepted with min(1, e^{−βΔE}) where ΔE is the change of the
 * particle's own energy terms (`particleEnergyOf`). A sweep costs as much as
 * one full energy evaluation but moves all N particles, which for a dense
 * liquid mixes about N times faster than a random walk in all coordinates at
 * once. It runs on the `ContinuousChainState` of src/samplers/continuousMoves.ts.
 */
import { resolveRng, type Rng } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import type { ContinuousSystem } from "../systems/types";
import { ContinuousChainState } from "./continuousMoves";
import { runChains, type Move } from "./driver";
import type { SamplerOptions, SamplerResult } from "./types";

/** A continuous system made of particles, with the local energy that single-particle moves need. */
export interface ParticleSystem extends ContinuousSystem {
  /** Number of particles; dim = particles · spatialDim. */
  readonly particles: number;
  /** Dimension of space. */
  readonly spatialDim: number;
  /** The energy terms that involve particle i (moving i changes E by the change of this). */
  particleEnergyOf(x: ArrayLike<number>, i: number): number;
}

/** True when `s` has the particle structure single-particle moves need. */
export function isParticleSystem(s: ContinuousSystem): s is ParticleSystem {
  const p = s as Partial<ParticleSystem>;
  return typeof p.particleEnergyOf === "function" && Number.isInteger(p.particles) && Number.isInteger(p.spatialDim);
}

export interface ParticleMoveOptions {
  /** Half width σ of the uniform displacement per coordinate (> 0). */
  stepSize: number;
}

/** Single-particle Metropolis: every particle once per step (see the module doc). */
export function particleMove(options: ParticleMoveOptions): Move<ContinuousChainState> {
  const W = "particleMove";
  const sd = options?.stepSize;
  if (typeof sd !== "number" || !(sd > 0) || !Number.isFinite(sd)) throw new Error(`${W}: stepSize must be a finite number > 0, got ${String(sd)}`);
  let old = new Float64Array(0);
  let accepted = 0;
  let proposals = 0;
  return {
    name: "particle",
    init(state, where) {
      const s = state.system;
      if (!isParticleSystem(s)) throw new Error(`${where}: particleMove needs a particle system (particles, spatialDim, particleEnergyOf)`);
      if ((s as { energyCut?: unknown }).energyCut !== null && (s as { energyCut?: unknown }).energyCut !== undefined) {
        throw new Error(`${where}: particleMove needs the true energy; build the system without energyCut`);
      }
      old = new Float64Array(s.spatialDim);
      accepted = 0;
      proposals = 0;
    },
    cost: (state) => state.chains * (state.system as ParticleSystem).particles,
    step(state, rng: Rng) {
      const s = state.system as ParticleSystem;
      const { x, energy, beta, chains } = state;
      const d = state.size;
      const n = s.particles;
      const D = s.spatialDim;
      const prev = old;
      let acc = 0;
      for (let c = 0; c < chains; c++) {
        const xc = x.subarray(c * d, (c + 1) * d);
        let e = energy[c];
        for (let i = 0; i < n; i++) {
          const o = i * D;
          const e0 = s.particleEnergyOf(xc, i);
          for (let k = 0; k < D; k++) {
            prev[k] = xc[o + k];
            xc[o + k] += sd * (2 * rng.uniform() - 1);
          }
          const dE = s.particleEnergyOf(xc, i) - e0;
          const logRatio = -beta * dE;
          if (Number.isFinite(dE) && (logRatio >= 0 || rng.uniform() < Math.exp(logRatio))) {
            e += dE;
            acc++;
          } else for (let k = 0; k < D; k++) xc[o + k] = prev[k];
        }
        energy[c] = e;
      }
      accepted += acc;
      proposals += chains * n;
      if (acc > 0) state.version++;
    },
    report: () => {
      const acceptance = proposals > 0 ? accepted / proposals : NaN;
      return { acceptance, updates: proposals, diagnostics: { stepSize: sd, kind: "particle" }, summary: `acceptance ${acceptance.toFixed(3)}` };
    },
  };
}

export interface ParticleMetropolisOptions extends SamplerOptions {
  /** Half width σ of the uniform displacement per coordinate (default 0.1). */
  stepSize?: number;
}

/**
 * Single-particle Metropolis on a particle system (seeded), run by the one
 * Monte Carlo loop; `sweeps` counts steps (one move of every particle) per
 * chain, burn-in included. `initial` is required: one configuration for all
 * chains or one per chain (random points put particles on top of each other).
 */
export function particleMetropolis(system: ContinuousSystem, options: ParticleMetropolisOptions): SamplerResult {
  const W = "particleMetropolis";
  checkKeys(options, ["beta", "sweeps", "chains", "burnIn", "thin", "keepSamples", "initial", "progress", "seed", "rng", "stepSize"], W);
  if (system === undefined || system === null || !isParticleSystem(system)) throw new Error(`${W}: system must be a particle system (particles, spatialDim, particleEnergyOf)`);
  const beta = checkPositive(options?.beta, "beta", W);
  const steps = checkInteger(options.sweeps, "sweeps", W, { min: 1 });
  const chains = options.chains === undefined ? 1 : checkInteger(options.chains, "chains", W, { min: 1 });
  const burnIn = options.burnIn === undefined ? 0 : checkInteger(options.burnIn, "burnIn", W, { min: 0 });
  const thin = options.thin === undefined ? 1 : checkInteger(options.thin, "thin", W, { min: 1 });
  const stepSize = options.stepSize === undefined ? 0.1 : checkNumber(options.stepSize, "stepSize", W, { above: 0 });
  if (options.progress !== undefined && typeof options.progress !== "boolean") throw new Error(`${W}: progress must be a boolean`);
  const x = initialPoints(options.initial, system.dim, chains, W);
  const rng = resolveRng(options, W);
  const state = new ContinuousChainState(system, beta, chains, x, W);
  return runChains(state, particleMove({ stepSize }), { label: W, total: steps, burnIn, thin, keepSamples: options.keepSamples === true, progress: options.progress, rng });
}

/** [chains × dim] starting points from one point (repeated) or one per chain; throws naming the bad entry. */
export function initialPoints(initial: ArrayLike<number> | undefined, d: number, chains: number, where: string): Float64Array {
  if (initial === undefined || initial === null || typeof initial.length !== "number") {
    throw new Error(`${where}: initial must be given: ${d} numbers (one configuration for every chain) or ${chains * d}`);
  }
  if (initial.length !== d && initial.length !== chains * d) {
    throw new Error(`${where}: initial must have ${d} (one point for every chain) or ${chains * d} numbers, got ${initial.length}`);
  }
  const x = new Float64Array(chains * d);
  for (let k = 0; k < chains * d; k++) x[k] = checkNumber(initial[initial.length === d ? k % d : k], `initial[${k}]`, where);
  return x;
}
