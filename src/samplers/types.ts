/**
 * The call and result shape shared by every sampler (Metropolis, heat bath,
 * Wolff, parallel tempering, MALA, neural MCMC, latent-space MC).
 */
import type { RandomOptions } from "../core/random";
import type { Stats } from "../stats";

export interface SamplerOptions extends RandomOptions {
  /** Inverse temperature β > 0. */
  beta: number;
  /** Number of sweeps (spin samplers: n attempted updates each) or steps (continuous). */
  sweeps: number;
  /** Independent chains run side by side (default 1). */
  chains?: number;
  /** Sweeps discarded before recording (default 0). */
  burnIn?: number;
  /** Record observables every `thin` sweeps (default 1). */
  thin?: number;
  /** Keep the recorded configurations (default false: only observables). */
  keepSamples?: boolean;
  /** Starting configurations, [chains × size] row-major (default: random). */
  initial?: ArrayLike<number>;
  /** Progress bar: true/false forces, undefined = automatic. */
  progress?: boolean;
}

export interface SamplerResult {
  /** Final configurations, [chains × size] row-major. */
  final: Float64Array;
  chains: number;
  size: number;
  /** Recorded configurations [recorded × chains × size] when `keepSamples`, else null. */
  samples: Float64Array | null;
  /** Number of recorded steps per chain. */
  recorded: number;
  /** Per-recorded-step observables, each [recorded × chains] (step-major), e.g. energyPerSpin, absMagnetizationPerSpin. */
  observables: Record<string, Float64Array>;
  /**
   * Per observable: mean over chains and records with the τ-corrected error,
   * variance, τ_int (in recorded steps; `summarize` converts to sweeps) and n;
   * with ≥ 2 chains also `rHat`, the split-R̂ across chains (classic
   * Gelman–Rubin on half-chains, as netket; ≈ 1 when the chains agree, see
   * stats/rhat.ts). NaN fields when fewer than 2 (R̂: 4) steps were recorded.
   * Computed on first access and cached.
   */
  stats: Record<string, Stats & { rHat?: number }>;
  /** Fraction of accepted proposals (for Wolff: mean cluster size / n). */
  acceptance: number;
  /** Extra sampler-specific diagnostics (e.g. PT swap rates). */
  diagnostics: Record<string, unknown>;
  /** Attempted elementary updates per second of wall time. */
  updatesPerSecond: number;
  elapsedMs: number;
}
