/** Internal helpers for the stats module (not exported from the package). */
import { checkInteger } from "../core/validate";

/** Validate a series and its chain count; returns the number of steps per chain. */
export function checkSeries(x: ArrayLike<number>, name: string, where: string, chains = 1, minSteps = 1): number {
  if (x === null || x === undefined || typeof (x as ArrayLike<number>).length !== "number") {
    throw new Error(`${where}: ${name} must be an array of numbers`);
  }
  checkInteger(chains, "chains", where, { min: 1 });
  if (x.length % chains !== 0) {
    throw new Error(`${where}: ${name} has length ${x.length}, not a multiple of chains = ${chains}`);
  }
  const steps = x.length / chains;
  if (steps < minSteps) throw new Error(`${where}: ${name} needs at least ${minSteps} steps per chain, got ${steps}`);
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(x[k])) throw new Error(`${where}: ${name}[${k}] is not finite (${x[k]})`);
  }
  return steps;
}

/** Float64 copy of the series of chain c (step-major layout). */
export function chainOf(x: ArrayLike<number>, chains: number, c: number): Float64Array {
  const steps = x.length / chains;
  const out = new Float64Array(steps);
  for (let t = 0; t < steps; t++) out[t] = x[t * chains + c];
  return out;
}

/** Mean and (n−1)-normalised variance in float64, two-pass. */
export function meanVar(x: ArrayLike<number>): { mean: number; variance: number } {
  const n = x.length;
  let s = 0;
  for (let k = 0; k < n; k++) s += x[k];
  const m = s / n;
  let s2 = 0;
  let s1 = 0;
  for (let k = 0; k < n; k++) {
    const d = x[k] - m;
    s1 += d;
    s2 += d * d;
  }
  // compensated two-pass (Chan et al.)
  const variance = n > 1 ? (s2 - (s1 * s1) / n) / (n - 1) : 0;
  return { mean: m + s1 / n, variance: Math.max(variance, 0) };
}
