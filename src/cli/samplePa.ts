/**
 * `boltzlab sample --sampler pa`: population annealing from β = 0 to --beta,
 * printing F/N and E/N at the target with errors from --runs independent runs,
 * the whole per-β curve with the family-size diagnostics, and the exact values
 * where a cheap exact method applies.
 */
import { UsageError } from "../core/errors";
import { cheapExact } from "./reference";
import { loadInstance } from "../io/instance";
import { populationAnnealing } from "../samplers/populationAnnealing";
import { parseSystemSpec } from "../systems/parse";
import type { SpinSystem } from "../systems/types";
import type { Options } from "./args";

/** Enumeration is used for the exact reference only up to this size in the CLI. */
const CLI_MAX_ENUMERATE = 20;

export const PA_USAGE =
  "boltzlab sample --sampler pa (--system SPEC | --instance FILE) --beta B [--replicas R=1000] [--temperatures K=100] [--sweeps S=10] [--runs M=8] [--move metropolis|heatbath] [--resampling systematic|multinomial] [--seed S]";

function exactAt(system: SpinSystem, beta: number): { f: number | null; e: number | null; method: string | null } {
  const r = cheapExact(system, beta, CLI_MAX_ENUMERATE);
  return r === null ? { f: null, e: null, method: null } : { f: r.f, e: r.e, method: r.method };
}

/** Runs `boltzlab sample --sampler pa` once the shared options (system, β) are read. */
export function samplePa(opts: Options, ctx: { where: string; spec: string | undefined; instance: string | undefined; beta: number }): Record<string, unknown> {
  const { where, spec, instance, beta } = ctx;
  const replicas = opts.integer("replicas", 1000);
  const temperatures = opts.integer("temperatures", 100);
  const sweeps = opts.integer("sweeps", 10);
  const runs = opts.integer("runs", 8);
  const seed = opts.integer("seed", 0);
  const move = opts.string("move", "metropolis");
  const resampling = opts.string("resampling", "systematic");
  opts.checkUnused();
  if (replicas < 2) throw new UsageError(`${where}: --replicas must be an integer ≥ 2, got ${replicas}`);
  if (temperatures < 1) throw new UsageError(`${where}: --temperatures must be an integer ≥ 1, got ${temperatures}`);
  if (sweeps < 1) throw new UsageError(`${where}: --sweeps must be an integer ≥ 1, got ${sweeps}`);
  if (runs < 2) throw new UsageError(`${where}: --runs must be an integer ≥ 2 (the errors come from the spread over runs), got ${runs}`);
  if (seed < 0) throw new UsageError(`${where}: --seed must be an integer ≥ 0, got ${seed}`);
  if (move !== "metropolis" && move !== "heatbath") throw new UsageError(`${where}: --move must be metropolis or heatbath, got "${move}"`);
  if (resampling !== "systematic" && resampling !== "multinomial") throw new UsageError(`${where}: --resampling must be systematic or multinomial, got "${resampling}"`);
  const system: SpinSystem = spec !== undefined ? parseSystemSpec(spec) : loadInstance(instance!);
  const r = populationAnnealing({ system, beta, replicas, temperatures, sweeps, runs, seed, move, resampling });
  const ex = exactAt(system, beta);
  return {
    system: system.name,
    n: system.n,
    beta,
    sampler: "pa",
    replicas,
    temperatures,
    sweeps,
    runs,
    seed,
    move,
    resampling,
    combine: r.combine,
    freeEnergyPerSpin: r.freeEnergyPerSpin,
    energyPerSpin: r.energyPerSpin,
    logZ: r.logZ,
    freeEnergyPerSpinExact: ex.f,
    energyPerSpinExact: ex.e,
    exactMethod: ex.method,
    errors: `one standard deviation, jackknife over the ${runs} independent runs (${r.combine} combination)`,
    curve: r.curve,
    runValues: r.runValues,
    updatesPerSecond: r.updatesPerSecond,
    elapsedSeconds: r.elapsedMs / 1000,
    warnings: r.warnings,
  };
}
