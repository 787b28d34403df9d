/**
 * What the three mean-field baselines share: options, validation (before any
 * work), the result shape, and the binary entropy.
 *
 * All three approximate the free energy F = −(1/β) ln Z of a pairwise spin
 * system E(s) = −Σ_{(ij)} J_ij s_i s_j − Σ_i h_i s_i by a stationary point
 * of an approximate free-energy functional, found by damped fixed-point
 * iteration x ← (1 − d)·update(x) + d·x:
 *  - naive mean field (nmf.ts): the variational upper bound F_NMF ≥ F;
 *  - TAP (tap.ts): Plefka's expansion to second order in β (Onsager reaction term);
 *  - Bethe (bethe.ts): loopy belief propagation, exact on trees.
 * The VAN paper (D. Wu, L. Wang, P. Zhang, PRL 122, 080602 (2019), Fig. 2)
 * compares exactly these three with the VAN on SK with N = 20.
 */
import { resolveRng, type RandomOptions, type Rng } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import type { SpinSystem } from "../systems/types";

export interface MeanFieldOptions extends RandomOptions {
  /** Inverse temperature β > 0. */
  beta: number;
  /** Damping d ∈ [0, 1): each update is x ← (1 − d)·new + d·old. Default 0.5. */
  damping?: number;
  /** Converged when the largest change in one iteration is below this (default 1e-10). */
  tolerance?: number;
  /** Iterations (sweeps) allowed per start before it counts as not converged (default 10000). */
  maxIterations?: number;
  /** Number of seeded random starts; the converged one with the lowest F is reported (default: 10 for NMF, 1 for TAP and Bethe). */
  restarts?: number;
}

export interface MeanFieldResult {
  method: "nmf" | "tap" | "bethe";
  n: number;
  beta: number;
  /** −βF of the approximation. */
  logZ: number;
  /** F/N. For NMF an upper bound on the exact F/N. */
  freeEnergyPerSpin: number;
  /** U/N = ∂(βF)/∂β / N at the stationary point (the mean-field energy ⟨E⟩_q for NMF, pair beliefs for Bethe). */
  energyPerSpin: number;
  /** S/N = β(U − F)/N. */
  entropyPerSpin: number;
  /** Mean magnetisation Σ m_i / N. */
  magnetizationPerSpin: number;
  /** Σ m_i² / N (the Edwards–Anderson order parameter of the solution). */
  overlapPerSpin: number;
  /** Local magnetisations m_i = ⟨s_i⟩ of the reported solution. */
  magnetizations: Float64Array;
  /** Always true for a returned result (a method that does not converge throws). */
  converged: boolean;
  /** Iterations of the reported start. */
  iterations: number;
  /** Starts run, and how many of them converged. */
  starts: number;
  convergedStarts: number;
}

export interface ResolvedOptions {
  beta: number;
  damping: number;
  tolerance: number;
  maxIterations: number;
  restarts: number;
  rng: Rng;
}

/** Validates the system and options (throws before any work) and fills in defaults. */
export function resolveOptions(system: SpinSystem, options: MeanFieldOptions, where: string, defaultRestarts: number): ResolvedOptions {
  if (system === null || typeof system !== "object" || (system as { kind?: unknown }).kind !== "spin") throw new Error(`${where}: system must be a SpinSystem`);
  if (options === null || typeof options !== "object") throw new Error(`${where}: options {beta, ...} are required`);
  checkKeys(options, ["beta", "damping", "tolerance", "maxIterations", "restarts", "seed", "rng"], where);
  const beta = checkPositive(options.beta, "beta", where);
  const damping = checkNumber(options.damping ?? 0.5, "damping", where, { min: 0 });
  if (!(damping < 1)) throw new Error(`${where}: damping must be < 1, got ${damping}`);
  const tolerance = checkPositive(options.tolerance ?? 1e-10, "tolerance", where);
  const maxIterations = checkInteger(options.maxIterations ?? 10000, "maxIterations", where, { min: 1 });
  const restarts = checkInteger(options.restarts ?? defaultRestarts, "restarts", where, { min: 1 });
  const rng = resolveRng(options, where);
  return { beta, damping, tolerance, maxIterations, restarts, rng };
}

/** Binary entropy of a spin with mean m: −Σ_± (1 ± m)/2 ln((1 ± m)/2), 0 at |m| = 1. */
export function spinEntropy(m: number): number {
  const p = (1 + m) / 2;
  const q = (1 - m) / 2;
  return (p > 0 ? -p * Math.log(p) : 0) + (q > 0 ? -q * Math.log(q) : 0);
}

/** ln(2 cosh x), without overflow. */
export function logCosh2(x: number): number {
  const a = Math.abs(x);
  return a + Math.log1p(Math.exp(-2 * a));
}

/** The error for a method none of whose starts converged. */
export function notConverged(where: string, o: ResolvedOptions, lastChange: number): Error {
  return new Error(
    `${where}: did not converge within maxIterations = ${o.maxIterations} (${o.restarts} start${o.restarts > 1 ? "s" : ""}, damping ${o.damping}, last change ${lastChange.toExponential(2)} > tolerance ${o.tolerance}); ` +
      `try more damping or iterations (at low temperature the iteration may have no stable fixed point)`,
  );
}

/** Fills in the derived fields of a result. */
export function finish(method: MeanFieldResult["method"], n: number, beta: number, betaF: number, U: number, m: Float64Array, iterations: number, starts: number, convergedStarts: number): MeanFieldResult {
  let sm = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    sm += m[i];
    sq += m[i] * m[i];
  }
  return {
    method,
    n,
    beta,
    logZ: -betaF,
    freeEnergyPerSpin: betaF / (beta * n),
    energyPerSpin: U / n,
    entropyPerSpin: (beta * U - betaF) / n,
    magnetizationPerSpin: sm / n,
    overlapPerSpin: sq / n,
    magnetizations: m,
    converged: true,
    iterations,
    starts,
    convergedStarts,
  };
}
