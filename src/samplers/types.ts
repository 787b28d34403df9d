/**
 * The call and result shape shared by every sampler (Metropolis, heat bath,
 * Wolff, parallel tempering, MALA, neural MCMC, latent-space MC).
 */
import type { RandomOptions } from "../core/random";

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
  /** Fraction of accepted proposals (for Wolff: mean cluster size / n). */
  acceptance: number;
  /** Extra sampler-specific diagnostics (e.g. PT swap rates). */
  diagnostics: Record<string, unknown>;
  /** Attempted elementary updates per second of wall time. */
  updatesPerSecond: number;
  elapsedMs: number;
}
