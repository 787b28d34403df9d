/**
 * `boltzlab meanfield`: a mean-field baseline (naive mean field, TAP or Bethe
 * by belief propagation) for a spin system, as JSON. A method that does not
 * converge is an error (exit 1), not a result.
 */
import { loadInstance } from "../io/instance";
import { bethe, nmf, tap, type MeanFieldOptions, type MeanFieldResult } from "../meanfield/index";
import { parseSystemSpec } from "../systems/parse";
import type { SpinSystem } from "../systems/types";
import { UsageError } from "../core/errors";
import type { Command } from "./args";

const METHODS = { nmf, tap, bethe } as const;
type MethodName = keyof typeof METHODS;

export const meanfieldCommand: Command = {
  name: "meanfield",
  summary: "mean-field free energy per spin (nmf: variational upper bound; tap: Plefka 2nd order; bethe: belief propagation, exact on trees) as JSON, with converged and iterations",
  usage: "boltzlab meanfield --method nmf|tap|bethe (--system SPEC | --instance FILE) --beta B [--damping D] [--tolerance T] [--max-iterations K] [--restarts R] [--seed S]",
  async run(opts) {
    const W = "boltzlab meanfield";
    const method = opts.string("method");
    const spec = opts.optionalString("system");
    const file = opts.optionalString("instance");
    const beta = opts.number("beta");
    const options: MeanFieldOptions = { beta };
    if (opts.has("damping")) options.damping = opts.number("damping");
    if (opts.has("tolerance")) options.tolerance = opts.number("tolerance");
    if (opts.has("max-iterations")) options.maxIterations = opts.integer("max-iterations");
    if (opts.has("restarts")) options.restarts = opts.integer("restarts");
    options.seed = opts.integer("seed", 0);
    opts.checkUnused();
    if (!Object.prototype.hasOwnProperty.call(METHODS, method)) throw new UsageError(`${W}: --method must be one of ${Object.keys(METHODS).join(", ")}, got "${method}"`);
    if ((spec === undefined) === (file === undefined)) throw new UsageError(`${W}: exactly one of --system or --instance is required`);
    if (!(beta > 0)) throw new UsageError(`${W}: --beta must be > 0, got ${beta}`);
    if (options.damping !== undefined && !(options.damping >= 0 && options.damping < 1)) throw new UsageError(`${W}: --damping must be in [0, 1), got ${options.damping}`);
    if (options.tolerance !== undefined && !(options.tolerance > 0)) throw new UsageError(`${W}: --tolerance must be > 0, got ${options.tolerance}`);
    if (options.maxIterations !== undefined && options.maxIterations < 1) throw new UsageError(`${W}: --max-iterations must be ≥ 1, got ${options.maxIterations}`);
    if (options.restarts !== undefined && options.restarts < 1) throw new UsageError(`${W}: --restarts must be ≥ 1, got ${options.restarts}`);
    if (options.seed !== undefined && options.seed < 0) throw new UsageError(`${W}: --seed must be ≥ 0, got ${options.seed}`);
    let system: SpinSystem;
    try {
      system = spec !== undefined ? parseSystemSpec(spec) : loadInstance(file as string);
    } catch (e) {
      throw new UsageError(`${W}: ${(e as Error).message}`);
    }
    const t0 = performance.now();
    const r: MeanFieldResult = METHODS[method as MethodName](system, options);
    const seconds = (performance.now() - t0) / 1000;
    return {
      method: r.method,
      system: system.name,
      n: r.n,
      beta: r.beta,
      freeEnergyPerSpin: r.freeEnergyPerSpin,
      energyPerSpin: r.energyPerSpin,
      entropyPerSpin: r.entropyPerSpin,
      magnetizationPerSpin: r.magnetizationPerSpin,
      overlapPerSpin: r.overlapPerSpin,
      converged: r.converged,
      iterations: r.iterations,
      starts: r.starts,
      convergedStarts: r.convergedStarts,
      seconds,
    };
  },
};
