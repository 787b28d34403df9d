/**
 * Learning-rate and inverse-temperature schedules for training.
 *
 * - β: constant, or annealed β_t = β₀ + (β − β₀)(1 − a^t) with 0 < a < 1
 *   (VAN's β(1 − a^t) when β₀ = 0), for the global step t ≥ 1.
 * - learning rate: constant; cosine from lr at step 1 to lrMin at the last step,
 *   lr_t = lrMin + (lr − lrMin)(1 + cos(π (t − 1)/(T − 1)))/2; exponential
 *   lr_t = lr · decay^(t − 1); or a function (t, T, lr) → lr_t.
 *
 * The schedule objects (`betaSchedule`, `lrSchedule`) check their bounds when
 * they are made (lr > 0; 0 < lrMin ≤ lr; 0 < decay ≤ 1; a in (0, 1)), are
 * pure functions of the step, and describe themselves as JSON (`spec`) so a
 * checkpoint can store them and a resumed run can be compared against them.
 */
import { checkKeys, checkNumber, checkPositive } from "../core/validate";

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

/** A β schedule: β_t for the global step t ≥ 1, and its JSON description. */
export interface BetaSchedule {
  /** The target β (β_t → β). */
  readonly beta: number;
  at(t: number): number;
  readonly spec: { beta: number; anneal: number | null; betaStart: number };
}

export interface BetaScheduleOptions {
  /** Target inverse temperature β > 0. */
  beta: number;
  /** Annealing rate a in (0, 1); null or undefined: constant β. */
  anneal?: number | null;
  /** β₀ ≥ 0 of the annealing (default 0). */
  betaStart?: number;
}

/** Constant β, or annealed from β₀ towards β (see the module doc); throws on bounds, naming `where`. */
export function betaSchedule(options: BetaScheduleOptions, where = "betaSchedule"): BetaSchedule {
  checkKeys(options, ["beta", "anneal", "betaStart"], where);
  const beta = checkPositive(options.beta, "beta", where);
  const anneal = options.anneal === undefined || options.anneal === null ? null : checkNumber(options.anneal, "anneal", where, { above: 0 });
  if (anneal !== null && !(anneal < 1)) throw new Error(`${where}: anneal must be < 1 (a in (0, 1)), got ${anneal}`);
  const betaStart = checkNumber(options.betaStart ?? 0, "betaStart", where, { min: 0 });
  return { beta, at: (t) => annealedBeta(t, beta, anneal, betaStart), spec: { beta, anneal, betaStart } };
}

/** A learning-rate schedule: lr_t for step t of T, and its JSON description. */
export interface LrScheduleObject {
  at(t: number, steps: number): number;
  /** `schedule` is "function" for a user function (it cannot be compared on resume). */
  readonly spec: { lr: number; schedule: string; lrMin: number | null; decay: number | null };
}

export interface LrScheduleObjectOptions {
  /** Peak (initial) learning rate, > 0 (default 1e-3). */
  lr?: number;
  /** Default "constant". */
  schedule?: LrSchedule;
  /** Floor of "cosine", 0 < lrMin ≤ lr (default lr/100). */
  lrMin?: number;
  /** Factor per step of "exponential", 0 < decay ≤ 1 (default 0.999). */
  decay?: number;
}

/** Validate and build a learning-rate schedule; errors name `where` and the argument. */
export function lrSchedule(options: LrScheduleObjectOptions, where = "lrSchedule", names: { lrMin?: string; decay?: string } = {}): LrScheduleObject {
  checkKeys(options, ["lr", "schedule", "lrMin", "decay"], where);
  const lr = checkPositive(options.lr ?? 1e-3, "lr", where);
  const s = options.schedule ?? "constant";
  const nMin = names.lrMin ?? "lrMin";
  const nDecay = names.decay ?? "decay";
  if (typeof s !== "function" && s !== "constant" && s !== "cosine" && s !== "exponential") {
    throw new Error(`${where}: schedule must be "constant", "cosine", "exponential" or a function, got ${JSON.stringify(s)}`);
  }
  let lrMin: number | null = null;
  if (options.lrMin !== undefined) {
    lrMin = checkNumber(options.lrMin, nMin, where, { above: 0 });
    if (lrMin > lr) throw new Error(`${where}: ${nMin} must be ≤ lr (${lr}), got ${lrMin}`);
  }
  const decay = options.decay === undefined ? null : checkNumber(options.decay, nDecay, where, { above: 0, max: 1 });
  const o: LrScheduleOptions = { lr, schedule: s, lrMin: lrMin ?? undefined, decay: decay ?? undefined };
  const name = typeof s === "function" ? "function" : s;
  return {
    at: (t, steps) => learningRate(t, steps, o),
    spec: { lr, schedule: name, lrMin: name === "cosine" ? (lrMin ?? lr / 100) : null, decay: name === "exponential" ? (decay ?? 0.999) : null },
  };
}
