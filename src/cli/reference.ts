/**
 * The exact reference the CLI commands print beside their estimates, where an
 * exact method applies cheaply: Kaufman, Kac–Ward, the transfer matrix, the
 * Pfaffian method on periodic 2-D grids up to 32×32 (about 20 s at L = 32),
 * and enumeration up to `maxEnumerate` spins. Null where none does, or where
 * the method refuses (e.g. beyond the β its precision reaches).
 */
import { applicableMethods, exact, type ExactMethod } from "../exact/exact";
import type { SpinSystem } from "../systems/types";

export interface CliReference {
  f: number;
  e: number | null;
  s: number | null;
  method: string;
}

const ORDER: ExactMethod[] = ["kaufman", "kac-ward", "transfer-matrix", "pfaffian"];
/** The Pfaffian reference is computed by the CLI up to this many spins. */
const CLI_MAX_PFAFFIAN = 1024;

export function cheapExact(system: SpinSystem, beta: number, maxEnumerate: number): CliReference | null {
  const ok = applicableMethods(system);
  let method: ExactMethod | null = ORDER.find((m) => ok[m] === null && (m !== "pfaffian" || system.n <= CLI_MAX_PFAFFIAN)) ?? null;
  if (method === null && ok.enumerate === null && system.n <= maxEnumerate) method = "enumerate";
  if (method === null) return null;
  try {
    const r = exact(system, beta, { method, probabilities: false });
    if (!Number.isFinite(r.freeEnergyPerSpin)) return null;
    return { f: r.freeEnergyPerSpin, e: r.energyPerSpin, s: r.entropyPerSpin, method: r.method };
  } catch {
    return null;
  }
}
