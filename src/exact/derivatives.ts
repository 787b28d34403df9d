/**
 * Energy and specific heat from ln Z(β) by 7-point central differences, for
 * the methods that give ln Z only (Kac–Ward, Kaufman):
 *   U = −∂_β ln Z,  C = β² ∂²_β ln Z,  S = β U + ln Z   (per spin after ÷N).
 * Step h = min(2e-3 / max|J|, β/8): truncation O(h⁶), rounding ~ ε·|ln Z|/h
 * for U and ~ 10 ε·|ln Z|/h² for C (≈1e-12 and ≈1e-9 relative in practice).
 */
import type { ExactResult } from "../systems/types";

export interface DerivativeOptions {
  /** Largest |J| (sets the step); 1 if unknown. */
  maxJ?: number;
  /** Return ln Z and f only (energy etc. null). */
  logZOnly?: boolean;
}

/** ExactResult with energy, entropy and specific heat from finite differences of `logZ(β)`. */
export function withDerivatives(method: string, n: number, beta: number, logZ: (b: number) => number, options: DerivativeOptions = {}): ExactResult {
  const l0 = logZ(beta);
  const base: ExactResult = {
    method,
    n,
    beta,
    logZ: l0,
    freeEnergyPerSpin: -l0 / (beta * n),
    energyPerSpin: null,
    entropyPerSpin: null,
    specificHeatPerSpin: null,
    absMagnetizationPerSpin: null,
  };
  if (options.logZOnly === true) return base;
  const maxJ = options.maxJ !== undefined && options.maxJ > 0 ? options.maxJ : 1;
  const h = Math.min(2e-3 / maxJ, beta / 8);
  const lp1 = logZ(beta + h);
  const lm1 = logZ(beta - h);
  const lp2 = logZ(beta + 2 * h);
  const lm2 = logZ(beta - 2 * h);
  const lp3 = logZ(beta + 3 * h);
  const lm3 = logZ(beta - 3 * h);
  const d1 = (45 * (lp1 - lm1) - 9 * (lp2 - lm2) + (lp3 - lm3)) / (60 * h);
  const d2 = (2 * (lp3 + lm3) - 27 * (lp2 + lm2) + 270 * (lp1 + lm1) - 490 * l0) / (180 * h * h);
  const u = -d1 / n;
  base.energyPerSpin = u;
  base.entropyPerSpin = beta * u + l0 / n;
  base.specificHeatPerSpin = (beta * beta * d2) / n;
  return base;
}
