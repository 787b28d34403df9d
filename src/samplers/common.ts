/**
 * Option checking, recording and progress shared by the samplers: one place
 * for the checks, so every sampler validates `SamplerOptions` the same way.
 */
import { progress, type Progress } from "../core/progress";
import { resolveRng, type Rng } from "../core/random";
import { checkInteger, checkKeys, checkPositive } from "../core/validate";
import type { SamplerOptions } from "./types";

export const SAMPLER_KEYS = ["beta", "sweeps", "chains", "burnIn", "thin", "keepSamples", "initial", "progress", "seed", "rng"] as const;

export interface ResolvedSamplerOptions {
  beta: number;
  sweeps: number;
  chains: number;
  burnIn: number;
  thin: number;
  keepSamples: boolean;
  initial: ArrayLike<number> | null;
  progress: boolean | undefined;
  rng: Rng;
  /** Number of recorded steps per chain, floor(sweeps / thin). */
  recorded: number;
}

/**
 * Validate the shared sampler options (and reject unknown keys, given the
 * sampler's own `extraKeys`). `size` is the number of degrees of freedom, for
 * checking `initial`. `needsBeta` false skips β (parallel tempering has a ladder).
 */
export function resolveSamplerOptions(
  options: SamplerOptions,
  size: number,
  where: string,
  extraKeys: readonly string[] = [],
  needsBeta = true,
): ResolvedSamplerOptions {
  if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
  checkKeys(options, [...SAMPLER_KEYS, ...extraKeys], where);
  const beta = needsBeta ? checkPositive(options.beta, "beta", where) : NaN;
  const sweeps = checkInteger(options.sweeps, "sweeps", where, { min: 1 });
  const chains = options.chains === undefined ? 1 : checkInteger(options.chains, "chains", where, { min: 1 });
  const burnIn = options.burnIn === undefined ? 0 : checkInteger(options.burnIn, "burnIn", where, { min: 0 });
  const thin = options.thin === undefined ? 1 : checkInteger(options.thin, "thin", where, { min: 1 });
  if (thin > sweeps) throw new Error(`${where}: thin (${thin}) must be ≤ sweeps (${sweeps})`);
  const keepSamples = options.keepSamples ?? false;
  if (typeof keepSamples !== "boolean") throw new Error(`${where}: keepSamples must be a boolean`);
  let initial: ArrayLike<number> | null = null;
  if (options.initial !== undefined) {
    initial = options.initial;
    if (initial === null || typeof initial.length !== "number" || initial.length !== chains * size) {
      throw new Error(`${where}: initial must have chains × size = ${chains * size} entries, got ${initial?.length}`);
    }
  }
  if (options.progress !== undefined && typeof options.progress !== "boolean") throw new Error(`${where}: progress must be a boolean`);
  const rng = resolveRng(options, where);
  return { beta, sweeps, chains, burnIn, thin, keepSamples, initial, progress: options.progress, rng, recorded: Math.floor(sweeps / thin) };
}

/** Preallocated per-step observables [recorded × chains] and optional samples [recorded × chains × size]. */
export class Recorder {
  readonly observables: Record<string, Float64Array> = {};
  readonly samples: Float64Array | null;
  private step = 0;
  constructor(readonly names: readonly string[], readonly recorded: number, readonly chains: number, readonly size: number, keepSamples: boolean) {
    for (const k of names) this.observables[k] = new Float64Array(recorded * chains);
    this.samples = keepSamples ? new Float64Array(recorded * chains * size) : null;
  }
  /** Index of the current record for chain c (= slot(0) + c). */
  slot(c: number): number {
    return this.step * this.chains + c;
  }
  /** Offset of chain c's configuration in `samples` for the current record. */
  sampleOffset(c: number): number {
    return (this.step * this.chains + c) * this.size;
  }
  next(): void {
    this.step++;
  }
  get count(): number {
    return this.step;
  }
}

/**
 * A progress bar ticking every few sweeps (about every 10^5 elementary
 * updates). `every` is that interval in steps: callers may skip `tick` on
 * the steps in between (the driver does); a status function is called only
 * when the bar ticks.
 */
export function sweepProgress(
  total: number,
  label: string,
  enabled: boolean | undefined,
  updatesPerSweep: number,
): { readonly every: number; tick(sweep: number, status?: string | (() => string)): void; done(status?: string): void } {
  const bar: Progress = progress({ total, label, enabled });
  const every = Math.max(1, Math.floor(1e5 / Math.max(1, updatesPerSweep)));
  let last = 0;
  return {
    every,
    tick(sweep: number, status?: string | (() => string)) {
      if (sweep - last >= every || sweep === total) {
        bar.tick(sweep - last, typeof status === "function" ? status() : status);
        last = sweep;
      }
    },
    done(status?: string) {
      bar.done(status);
    },
  };
}
