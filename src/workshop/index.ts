/**
 * The workshop track (notebooks/workshop/): checks of the functions students
 * write, against boltzlab's own implementations on seeded random inputs.
 *
 *   const r = bz.workshop.check.acceptance(acceptance);   // prints "acceptance: correct (…)" or "acceptance: hint — …"
 *   const useMine = bz.workshop.fallback(r, acceptance);    // yours when correct, else boltzlab's (with a note)
 *
 * Each checker returns a `CheckResult` {name, ok, hint, message} and never
 * throws because of the student's function (a throw, a wrong type or a
 * placeholder becomes a hint), so an unfinished notebook still runs to the
 * end. `reference` holds boltzlab's implementations with the exercises'
 * signatures, which `fallback` substitutes for a function that failed.
 */
import { acceptance, checkAcceptance, checkMetropolisSweep, metropolisSweep } from "./metropolis";
import { checkReinforceLoss } from "./reinforce";
import { checkReverseKL, reverseKL } from "./reverseKL";
import { reinforceLoss } from "../train/van";
import type { CheckResult } from "./result";
import { checkKeys } from "../core/validate";

export type { CheckResult, CheckOptions } from "./result";
export type { AcceptanceFunction, SweepFunction } from "./metropolis";
export type { ReinforceLossFunction } from "./reinforce";
export type { ReverseKLFunction } from "./reverseKL";

/** The checkers, one per exercise: `check.<name>(yourFunction, {print?, seed?})`. */
export const check = {
  /** Notebook 01: `acceptance(deltaE, beta)` = min(1, e^{−βΔE}). */
  acceptance: checkAcceptance,
  /** Notebook 01: `metropolisSweep(s, L, beta, rng)`, one Metropolis sweep of the L×L Ising torus. */
  metropolisSweep: checkMetropolisSweep,
  /** Notebook 02: `reinforceLoss(logProb, signal)` = mean((L − mean L) · ln q). */
  reinforceLoss: checkReinforceLoss,
  /** Notebook 03: `reverseKL(flow, z, system, beta)` = mean(βE(f(z)) + ln N(z) − ln|det ∂f/∂z|). */
  reverseKL: checkReverseKL,
};

/** boltzlab's implementations with the exercises' signatures (the checkers' references). */
export const reference = {
  acceptance,
  metropolisSweep,
  reinforceLoss,
  reverseKL,
};

type ExerciseName = keyof typeof reference;

export interface FallbackOptions {
  /** Print the note when boltzlab's function is substituted (default true). */
  print?: boolean;
}

/**
 * The student's function when its check passed; otherwise boltzlab's own, after
 * printing a note, so that the rest of the notebook still shows its results.
 */
export function fallback<F>(result: CheckResult, yours: F, options: FallbackOptions = {}): F {
  const where = "workshop.fallback";
  if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
  checkKeys(options, ["print"], where);
  if (result === null || typeof result !== "object" || typeof result.ok !== "boolean" || !(result.name in reference)) {
    throw new Error(`${where}: result must be what a bz.workshop.check.<name> call returned`);
  }
  if (result.ok) return yours;
  if (options.print ?? true) {
    console.log(`note: ${result.name} did not pass its check, so the cells below use boltzlab's own ${result.name}; fix yours and run the cells again`);
  }
  return reference[result.name as ExerciseName] as unknown as F;
}
