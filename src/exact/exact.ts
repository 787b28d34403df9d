/**
 * `exact(system, beta, {method?})`: the exact reference for a spin system.
 * Without a method (or with "auto"), systems of n ≤ 18 are enumerated and
 * larger ones get the cheapest applicable method, named in the result (`method`); a named method that does not apply
 * throws an Error saying why. With "auto", a method that cannot reach the
 * requested β (a precision limit, e.g. Kac–Ward's finite differences at low
 * temperature) hands over to the next cheapest; every result is checked to be
 * finite (ln Z, f, and each other quantity finite or null), else an Error.
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
    return checkFinite(e.run(system, beta, options), W);
  }
  if (options.probabilities === true) {
    const why = enumerateRefusal(system);
    if (why !== null) throw new Error(`${W}: probabilities need enumeration, which does not apply: ${why}`);
    return checkFinite(METHODS.enumerate.run(system, beta, options), W);
  }
  // small systems: enumeration (it also gives |m|), well under a second
  if (system.n <= AUTO_ENUMERATE_N) return checkFinite(METHODS.enumerate.run(system, beta, options), W);
  const reasons: string[] = [];
  const candidates: Array<{ m: ExactMethod; cost: number }> = [];
  for (const m of EXACT_METHODS) {
    const why = METHODS[m].refusal(system);
    if (why !== null) {
      reasons.push(`${m}: ${why}`);
      continue;
    }
    candidates.push({ m, cost: METHODS[m].cost(system) });
  }
  if (candidates.length === 0) throw new Error(`${W}: no exact method applies to ${system.name} (${reasons.join("; ")})`);
  // cheapest first; a method that cannot reach this β (precision) hands over to the next
  candidates.sort((a, b) => a.cost - b.cost);
  const failures: string[] = [];
  for (const { m } of candidates) {
    try {
      return checkFinite(METHODS[m].run(system, beta, options), W);
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  throw new Error(`${W}: every applicable method failed for ${system.name} at β = ${beta}: ${failures.join("; ")}`);
}

/** Finite ln Z and f, and every other quantity finite or absent (null): never NaN/∞ passed on silently. */
function checkFinite<T extends ExactResult>(r: T, where: string): T {
  for (const k of ["logZ", "freeEnergyPerSpin", "energyPerSpin", "entropyPerSpin", "specificHeatPerSpin", "absMagnetizationPerSpin"] as const) {
    const v = r[k];
    if (v === null && k !== "logZ" && k !== "freeEnergyPerSpin") continue;
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${where}: method "${r.method}" gave ${k} = ${String(v)} at β = ${r.beta}: not computable there`);
  }
  return r;
}
