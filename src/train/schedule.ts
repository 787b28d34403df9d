/** Learning-rate and inverse-temperature schedules for VAN training. */
import { checkNumber } from "../core/validate";

/** "constant", "cosine" (to lrMin at the last step), "exponential" (× decay per step) or a function. */
export type LrSchedule = "constant" | "cosine" | "exponential" | ((step: number, steps: number, lr: number) => number);

export interface LrScheduleOptions {
  lr: number;
  schedule?: LrSchedule;
  /** Floor for "cosine" (default lr/100). */
  lrMin?: number;
  /** Factor per step for "exponential" (default 0.999). */
  decay?: number;
}

/** The learning rate at step t (1-based) of `steps`. */
export function learningRate(t: number, steps: number, o: LrScheduleOptions): number {
  const s = o.schedule ?? "constant";
  if (typeof s === "function") {
    const v = s(t, steps, o.lr);
    return checkNumber(v, `schedule(${t})`, "learningRate", { above: 0 });
  }
  if (s === "constant") return o.lr;
  if (s === "cosine") {
    const lo = o.lrMin ?? o.lr / 100;
    return lo + 0.5 * (o.lr - lo) * (1 + Math.cos((Math.PI * (t - 1)) / Math.max(1, steps - 1)));
  }
  if (s === "exponential") return o.lr * (o.decay ?? 0.999) ** (t - 1);
  throw new Error(`learningRate: schedule must be "constant", "cosine", "exponential" or a function, got ${String(s)}`);
}

/**
 * β-annealing: β_t = β₀ + (β − β₀)(1 − a^t) for step t ≥ 1 (VAN's β(1 − a^t)
 * when β₀ = 0); a = 0 or null means no annealing (β_t = β).
 */
export function annealedBeta(t: number, beta: number, anneal: number | null, betaStart = 0): number {
  if (anneal === null || anneal === 0) return beta;
  return betaStart + (beta - betaStart) * (1 - anneal ** t);
}
