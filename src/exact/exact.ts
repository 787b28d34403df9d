/**
 * `exact(system, beta, {method?})`: the exact reference for a spin system.
 * Without a method (or with "auto"), systems of n ≤ 18 are enumerated and
 * larger ones get the cheapest applicable method, named in the result (`method`); a named method that does not apply
 * throws an Error saying why.
 *
 * Methods: "enumerate" (any system, n ≤ 34), "kaufman" (uniform periodic
 * L×L Ising, zero field), "transfer-matrix" (grids of small width, any
 * couplings and fields, any boundaries), "kac-ward" (open planar grids, zero
 * field), "pfaffian" (2-D grids, periodic in one, both or no direction, any
 * couplings, zero field). Onsager's infinite lattice is `onsager({beta})`.
 */
import { checkKeys, checkPositive } from "../core/validate";
import type { ExactResult, SpinSystem } from "../systems/types";
import { enumerate, enumerateRefusal, type EnumerationResult } from "./enumerate";
import { kacWard, kacWardCost, kacWardRefusal } from "./kacward";
import { kaufman, kaufmanRefusal } from "./kaufman";
import { pfaffian, pfaffianCost, pfaffianRefusal } from "./pfaffian";
import { transferMatrix, transferMatrixCost, transferMatrixRefusal } from "./transfer";

export type ExactMethod = "enumerate" | "kaufman" | "transfer-matrix" | "kac-ward" | "pfaffian";
export const EXACT_METHODS: readonly ExactMethod[] = ["enumerate", "kaufman", "transfer-matrix", "kac-ward", "pfaffian"];

export interface ExactOptions {
  /** Method by name; default "auto": the cheapest that applies. */
  method?: ExactMethod | "auto";
  /** For `enumerate`: also return every state's probability (default n ≤ 16); with "auto", true forces enumeration. */
  probabilities?: boolean;
}

interface MethodEntry {
  refusal(system: SpinSystem): string | null;
  /** Rough operation count, for the automatic choice. */
  cost(system: SpinSystem): number;
  run(system: SpinSystem, beta: number, options: ExactOptions): ExactResult;
}

function avgDegree(s: SpinSystem): number {
  return (2 * s.edges.i.length) / s.n;
}

const METHODS: Record<ExactMethod, MethodEntry> = {
  enumerate: {
    refusal: enumerateRefusal,
    cost: (s) => 2 ** s.n * (avgDegree(s) + 8),
    run: (s, b, o) => enumerate(s, b, o.probabilities === undefined ? {} : { probabilities: o.probabilities }),
  },
  kaufman: { refusal: kaufmanRefusal, cost: (s) => 7 * 4 * s.n, run: (s, b) => kaufman(s, b) },
  "transfer-matrix": { refusal: transferMatrixRefusal, cost: (s) => 20 * transferMatrixCost(s), run: (s, b) => transferMatrix(s, b) },
  "kac-ward": { refusal: kacWardRefusal, cost: kacWardCost, run: (s, b) => kacWard(s, b) },
  pfaffian: { refusal: pfaffianRefusal, cost: pfaffianCost, run: (s, b) => pfaffian(s, b) },
};

/** For each method, null where it applies to the system, else why not. */
export function applicableMethods(system: SpinSystem): Record<ExactMethod, string | null> {
  const out = {} as Record<ExactMethod, string | null>;
  for (const m of EXACT_METHODS) out[m] = METHODS[m].refusal(system);
  return out;
}

/** With "auto", systems of at most this many spins are enumerated (the result then includes |m|). */
export const AUTO_ENUMERATE_N = 18;

/** Exact ln Z, free energy per spin and (where available) energy, entropy, specific heat, |m|. */
export function exact(system: SpinSystem, beta: number, options: ExactOptions = {}): ExactResult | EnumerationResult {
  const W = "exact";
  checkKeys(options, ["method", "probabilities"], W);
  if (system === null || typeof system !== "object" || system.kind !== "spin") throw new Error(`${W}: system must be a SpinSystem`);
  checkPositive(beta, "beta", W);
  const method = options.method ?? "auto";
  if (method !== "auto") {
    const e = (METHODS as Record<string, MethodEntry | undefined>)[method];
    if (e === undefined) throw new Error(`${W}: unknown method "${String(method)}" (known: ${EXACT_METHODS.join(", ")}, auto)`);
    const why = e.refusal(system);
    if (why !== null) throw new Error(`${W}: method "${method}" does not apply to ${system.name}: ${why}`);
    if (options.probabilities === true && method !== "enumerate") throw new Error(`${W}: probabilities are only available with method "enumerate"`);
    return e.run(system, beta, options);
  }
  if (options.probabilities === true) {
    const why = enumerateRefusal(system);
    if (why !== null) throw new Error(`${W}: probabilities need enumeration, which does not apply: ${why}`);
    return METHODS.enumerate.run(system, beta, options);
  }
  // small systems: enumeration (it also gives |m|), well under a second
  if (system.n <= AUTO_ENUMERATE_N) return METHODS.enumerate.run(system, beta, options);
  const reasons: string[] = [];
  let best: ExactMethod | null = null;
  let bestCost = Infinity;
  for (const m of EXACT_METHODS) {
    const why = METHODS[m].refusal(system);
    if (why !== null) {
      reasons.push(`${m}: ${why}`);
      continue;
    }
    const c = METHODS[m].cost(system);
    if (best === null || c < bestCost) {
      best = m;
      bestCost = c;
    }
  }
  if (best === null) throw new Error(`${W}: no exact method applies to ${system.name} (${reasons.join("; ")})`);
  return METHODS[best].run(system, beta, options);
}
