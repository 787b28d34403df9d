/**
 * `boltzlab sample`: run a Monte Carlo sampler on a spin system and print the
 * estimates with their errors, autocorrelation times and the exact value
 * where one is cheap to compute.
 */
import type { GenerativeModel } from "../models/types";
import { heatBath, metropolis, neuralMcmc, parallelTempering, summarize, wolff } from "../samplers";
import type { SamplerResult } from "../samplers/types";
import { loadInstance } from "../io/instance";
import { parseSystemSpec } from "../systems/parse";
import { loadModel } from "../train/checkpoint";
import type { SpinSystem } from "../systems/types";
import type { Command, Options } from "./args";
import { cheapExact } from "./reference";
import { asUsage, checkCheckpointFile, need } from "./checks";
import { UsageError } from "../core/errors";
import { PA_USAGE, samplePa } from "./samplePa";
import { isPottsOrXYSpec, POTTS_SAMPLE_USAGE, samplePotts } from "./samplePotts";
import { SAMPLE_PHI4_USAGE, samplePhi4 } from "./samplePhi4";
import { isPhi4Spec } from "../systems/continuous/phi4";

const SAMPLERS = ["metropolis", "heatbath", "wolff", "pt", "nmcmc", "pa"] as const;
type SamplerName = (typeof SAMPLERS)[number];
/** Enumeration is used for the exact reference only up to this size in the CLI. */
const CLI_MAX_ENUMERATE = 20;
/** Recorded steps per chain the summary needs at least (mean, error, τ_int; split-R̂ halves of ≥ 2). */
const MIN_RECORDED = 4;

function exactEnergy(system: SpinSystem, beta: number): { value: number | null; method: string | null } {
  const r = cheapExact(system, beta, CLI_MAX_ENUMERATE);
  return r === null ? { value: null, method: null } : { value: r.e, method: r.method };
}

function parseBetas(text: string, where: string): number[] {
  const b = text.split(",").map((s) => Number(s.trim()));
  if (b.length < 2 || b.some((x) => !Number.isFinite(x) || x <= 0)) throw new UsageError(`${where}: --betas must be a comma-separated list of at least 2 positive numbers, got "${text}"`);
  return b;
}

export const sampleCommand: Command = {
  name: "sample",
  summary: "Monte Carlo on a spin system (metropolis, heatbath, wolff, pt, nmcmc): E and |m| per spin with errors, τ_int in sweeps, acceptance, exact E where known; pa (population annealing): F and E per spin along the β schedule",
  usage:
    "boltzlab sample (--system SPEC | --instance FILE) --beta B [--sampler metropolis|heatbath|wolff|pt|nmcmc|pa] [--sweeps N] [--burn-in N] [--thin K] [--chains C] [--seed S] [--betas b1,b2,..] [--replicas R] [--model CHECKPOINT] [--local-sweeps K]\n       " + PA_USAGE + "\n       " + POTTS_SAMPLE_USAGE + "\n       " + SAMPLE_PHI4_USAGE,
  async run(opts: Options) {
    const where = "boltzlab sample";
    const spec = opts.optionalString("system");
    if (isPhi4Spec(spec)) return samplePhi4(opts);
    const instance = opts.optionalString("instance");
    const beta = opts.number("beta");
    if (isPottsOrXYSpec(spec)) return samplePotts(opts, { where, spec, instance, beta });
    const sampler = opts.string("sampler", "metropolis") as SamplerName;
    need(SAMPLERS.includes(sampler), `${where}: --sampler must be one of ${SAMPLERS.join(", ")}, got "${sampler}"`);
    // population annealing reads its own options (--replicas, --temperatures, --sweeps per temperature, --runs)
    if (sampler === "pa") return samplePa(opts, { where, spec, instance, beta });
    const sweeps = opts.integer("sweeps", 10000);
    const burnIn = opts.integer("burn-in", Math.floor(sweeps / 10));
    const thin = opts.integer("thin", 1);
    const chains = opts.integer("chains", 1);
    const seed = opts.integer("seed", 0);
    const betasText = opts.optionalString("betas");
    const replicas = opts.integer("replicas", 8);
    const modelPath = opts.optionalString("model");
    const localSweeps = opts.integer("local-sweeps", 0);
    opts.checkUnused();
    // Everything is checked here, before the system or model is built and before TensorFlow loads.
    need((spec === undefined) !== (instance === undefined), `${where}: one of --system SPEC or --instance FILE is required (not both)`);
    need(beta > 0, `${where}: --beta must be > 0, got ${beta}`);
    need(SAMPLERS.includes(sampler), `${where}: --sampler must be one of ${SAMPLERS.join(", ")}, got "${sampler}"`);
    need(thin >= 1, `${where}: --thin must be ≥ 1, got ${thin}`);
    need(
      Math.floor(sweeps / thin) >= MIN_RECORDED,
      `${where}: --sweeps must be ≥ ${MIN_RECORDED * thin} (${MIN_RECORDED} recorded steps per chain × --thin ${thin}, for the mean, its error and τ_int), got ${sweeps}`,
    );
    need(burnIn >= 0, `${where}: --burn-in must be ≥ 0, got ${burnIn}`);
    need(chains >= 1, `${where}: --chains must be ≥ 1, got ${chains}`);
    need(seed >= 0, `${where}: --seed must be ≥ 0, got ${seed}`);
    need(sampler === "pt" || (betasText === undefined && !opts.has("replicas")), `${where}: --betas/--replicas must be used with --sampler pt only`);
    need(sampler === "nmcmc" || (modelPath === undefined && localSweeps === 0), `${where}: --model/--local-sweeps must be used with --sampler nmcmc only`);
    need(localSweeps >= 0, `${where}: --local-sweeps must be ≥ 0, got ${localSweeps}`);
    let betas: number[] = [];
    if (sampler === "pt") {
      if (betasText !== undefined) betas = parseBetas(betasText, where);
      else {
        need(replicas >= 2, `${where}: --replicas must be an integer ≥ 2, got ${replicas}`);
        // geometric ladder from β/4 to β
        betas = Array.from({ length: replicas }, (_, k) => beta * 4 ** (k / (replicas - 1) - 1));
        betas[replicas - 1] = beta;
      }
      need(betas.includes(beta), `${where}: --beta ${beta} must be one of --betas`);
    }
    need(sampler !== "nmcmc" || modelPath !== undefined, `${where}: --sampler nmcmc --model CHECKPOINT is required`);
    const held = modelPath === undefined ? null : checkCheckpointFile(modelPath, where, "--model");
    need(held === null || held.config !== null, `${where}: --model ${modelPath} stores no model config, so the model cannot be rebuilt`);
    const system: SpinSystem = spec !== undefined ? asUsage(`${where}: --system ${spec}`, () => parseSystemSpec(spec)) : asUsage(`${where}: --instance ${instance}`, () => loadInstance(instance!));
    need(held === null || held.config?.size === system.n, `${where}: --model ${modelPath} holds a model of ${String(held?.config?.size)} spins, the system ${system.name} has ${system.n}`);
    const common = { beta, sweeps, burnIn, thin, chains, seed };
    let res: SamplerResult;
    let model: GenerativeModel | null = null;
    switch (sampler) {
      case "metropolis":
        res = metropolis(system, common);
        break;
      case "heatbath":
        res = heatBath(system, common);
        break;
      case "wolff":
        res = wolff(system, common);
        break;
      case "pt": {
        const { beta: _b, ...rest } = common;
        res = parallelTempering(system, { ...rest, betas, beta });
        break;
      }
      case "nmcmc":
        model = asUsage(`${where}: --model ${modelPath}`, () => loadModel({ path: modelPath as string, system }).model);
        try {
          res = neuralMcmc(system, { ...common, model, localSweeps });
        } finally {
          model.dispose();
        }
        break;
    }
    const s = summarize(res, { observables: ["energyPerSpin", "absMagnetizationPerSpin"], thin });
    const ex = exactEnergy(system, beta);
    const { sampler: _s, ...diagnostics } = res.diagnostics;
    return {
      system: system.name,
      n: system.n,
      beta,
      sampler,
      sweeps,
      burnIn,
      thin,
      chains,
      seed,
      energyPerSpin: { mean: s.stats.energyPerSpin.mean, error: s.stats.energyPerSpin.error },
      absMagnetizationPerSpin: { mean: s.stats.absMagnetizationPerSpin.mean, error: s.stats.absMagnetizationPerSpin.error },
      tauInt: { energy: s.tauIntSweeps.energyPerSpin, absMagnetization: s.tauIntSweeps.absMagnetizationPerSpin },
      effectiveSamples: { energy: s.effectiveSamples.energyPerSpin, absMagnetization: s.effectiveSamples.absMagnetizationPerSpin },
      // split-R̂ across chains (≈ 1 when they agree); only defined for --chains ≥ 2
      ...(chains >= 2 ? { rHat: { energy: s.stats.energyPerSpin.rHat, absMagnetization: s.stats.absMagnetizationPerSpin.rHat } } : {}),
      acceptance: res.acceptance,
      energyPerSpinExact: ex.value,
      exactMethod: ex.method,
      updatesPerSecond: res.updatesPerSecond,
      elapsedSeconds: res.elapsedMs / 1000,
      diagnostics,
    };
  },
};
