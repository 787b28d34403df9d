/**
 * Energy and specific heat from ln Z(β) by 7-point central differences, for
 * the methods that give ln Z only (Kac–Ward, Kaufman):
 *   U = −∂_β ln Z,  C = β² ∂²_β ln Z,  S = β U + ln Z   (per spin after ÷N).
 * Step h = min(2e-3 / max|J|, β/8): truncation O(h⁶), rounding ~ ε·|ln Z|/h
 * for U and ~ 10 ε·|ln Z|/h² for C (≈1e-12 and ≈1e-9 relative in practice at
 * β ≈ 1). The rounding grows like β³ per spin (β² from C = β²∂²ln Z, β from
 * |ln Z|), so it is bounded explicitly with δ = 32 ε max|ln Z| as the error of
 * one ln Z: a C < 0 within its bound is rounding and reported as 0; when the
 * bound on C exceeds `MAX_DERIVATIVE_ERROR` (or the bound on U exceeds it), the
 * quantity cannot be computed this way and an Error says so (use `logZOnly`
 * for ln Z and f alone). "Exceeds" means more than both MAX_DERIVATIVE_ERROR
 * and 0.1% of the value.
 */
import type { ExactResult } from "../systems/types";

/** Rounding bound per spin on the finite-difference energy and specific heat accepted regardless of their size (larger bounds pass only below 0.1% of the value). */
export const MAX_DERIVATIVE_ERROR = 1e-5;

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
  const delta = 32 * Number.EPSILON * Math.max(Math.abs(l0), Math.abs(lp3), Math.abs(lm3));
  const uErr = (delta * (2 * (45 + 9 + 1))) / (60 * h) / n;
  const cErr = (beta * beta * delta * (2 * (2 + 27 + 270) + 490)) / (180 * h * h) / n;
  let c = (beta * beta * d2) / n;
  const uBad = uErr > Math.max(MAX_DERIVATIVE_ERROR, 1e-3 * Math.abs(u));
  const cBad = cErr > Math.max(MAX_DERIVATIVE_ERROR, 1e-3 * Math.abs(c));
  if (uBad || cBad) {
    throw new Error(`exact.${method}: at β = ${beta} the finite-difference ${cBad ? "specific heat" : "energy"} has a rounding bound of ${(cBad ? cErr : uErr).toExponential(1)} per spin (more than ${MAX_DERIVATIVE_ERROR} and 0.1% of its value): not computable this way; ask for logZOnly (ln Z and f only) or use the transfer matrix`);
  }
  if (c < 0 && -c <= cErr) c = 0; // rounding: the true C is below what the differences resolve
  base.energyPerSpin = u;
  base.entropyPerSpin = beta * u + l0 / n;
  base.specificHeatPerSpin = c;
  return base;
}
