/**
 * `exact(system, beta, {method?})`: the exact reference for a spin system.
 * Without a method, the first applicable one of `AUTO_ORDER` is used and named
 * in the result; a named method that does not apply throws an Error saying why.
 */
import { checkKeys, checkPositive } from "../core/validate";
import type { ExactResult, SpinSystem } from "../systems/types";
import { enumerate, enumerateRefusal, type EnumerationResult } from "./enumerate";

export type ExactMethod = "enumerate" | "kaufman" | "transfer-matrix" | "kac-ward";

export interface ExactOptions {
  /** Method by name; default: the best that applies. */
  method?: ExactMethod | "auto";
  /** For `enumerate`: also return every state's probability (default n ≤ 16). */
  probabilities?: boolean;
}

interface MethodEntry {
  refusal(system: SpinSystem): string | null;
  run(system: SpinSystem, beta: number, options: ExactOptions): ExactResult;
}

const METHODS: Record<string, MethodEntry> = {
  enumerate: {
    refusal: enumerateRefusal,
    run: (s, b, o) => enumerate(s, b, o.probabilities === undefined ? {} : { probabilities: o.probabilities }),
  },
};

/** Registers a method (used by the modules of each method). */
export function registerMethod(name: ExactMethod, entry: MethodEntry): void {
  METHODS[name] = entry;
}

/** Automatic choice order: cheapest exact method first. */
export const AUTO_ORDER: ExactMethod[] = ["kaufman", "kac-ward", "transfer-matrix", "enumerate"];

/** Why each method does (not) apply to a system: null where it applies. */
export function applicableMethods(system: SpinSystem): Record<ExactMethod, string | null> {
  const out = {} as Record<ExactMethod, string | null>;
  for (const m of ["enumerate", "kaufman", "transfer-matrix", "kac-ward"] as ExactMethod[]) {
    const e = METHODS[m];
    out[m] = e === undefined ? "not available" : e.refusal(system);
  }
  return out;
}

/** Exact ln Z, free energy per spin and (where available) energy, entropy, specific heat, |m|. */
export function exact(system: SpinSystem, beta: number, options: ExactOptions = {}): ExactResult | EnumerationResult {
  const W = "exact";
  checkKeys(options, ["method", "probabilities"], W);
  if (system === null || typeof system !== "object" || system.kind !== "spin") throw new Error(`${W}: system must be a SpinSystem`);
  checkPositive(beta, "beta", W);
  const method = options.method ?? "auto";
  if (method !== "auto") {
    const e = METHODS[method];
    if (e === undefined) throw new Error(`${W}: unknown method "${String(method)}" (known: ${Object.keys(METHODS).join(", ")}, auto)`);
    const why = e.refusal(system);
    if (why !== null) throw new Error(`${W}: method "${method}" does not apply to ${system.name}: ${why}`);
    return e.run(system, beta, options);
  }
  const reasons: string[] = [];
  const order = options.probabilities === true ? (["enumerate", ...AUTO_ORDER.filter((m) => m !== "enumerate")] as ExactMethod[]) : AUTO_ORDER;
  for (const m of order) {
    const e = METHODS[m];
    if (e === undefined) continue;
    const why = e.refusal(system);
    if (why === null) return e.run(system, beta, options);
    reasons.push(`${m}: ${why}`);
  }
  throw new Error(`${W}: no exact method applies to ${system.name} (${reasons.join("; ")})`);
}
