/**
 * `boltzlab sample --system potts:...|pottsglass:...|xy:...|xychain:...`:
 * Monte Carlo on a Potts system (--sampler metropolis|heatbath|wolff|sw) or
 * an XY system (--sampler metropolis|wolff), printing E per site and the
 * order parameter (Potts) or |m|, the helicity modulus and the vortex density
 * (XY) with τ-corrected errors, τ_int in sweeps, split-R̂ with ≥ 2 chains,
 * acceptance, and the exact values where they are cheap (enumeration, strip
 * transfer matrix, XY chain and ring formulas).
 */
import { pottsApplicableMethods, pottsEnumerate, pottsTransferCost, pottsTransferMatrix } from "../exact/potts";
import { xyChainExact, xyChainRefusal, xyRingHelicity } from "../exact/xy";
import { pottsHeatBath, pottsMetropolis, pottsSwendsenWang, pottsWolff } from "../samplers/pottsMoves";
import { summarize } from "../samplers/summary";
import type { SamplerResult } from "../samplers/types";
import { xyMetropolis, xyWolff } from "../samplers/xyMoves";
import { parseAnySystemSpec, specKind } from "../systems/parseMulti";
import type { PottsSystem, XYSystem } from "../systems/types";
import type { Options } from "./args";
import { asUsage, need } from "./checks";

export const POTTS_SAMPLERS = ["metropolis", "heatbath", "wolff", "sw"] as const;
export const XY_SAMPLERS = ["metropolis", "wolff"] as const;

export const POTTS_SAMPLE_USAGE =
  "boltzlab sample --system potts:L=..,q=..|pottsglass:..|xy:L=..|xychain:n=.. --beta B [--sampler metropolis|heatbath|wolff|sw (Potts) | metropolis|wolff (XY)] [--sweeps N] [--burn-in N] [--thin K] [--chains C] [--seed S] [--step RAD (XY metropolis)]";

/** Recorded steps per chain the summary needs at least. */
const MIN_RECORDED = 4;
/** Exact references computed by the CLI only below these costs. */
const CLI_MAX_ENUMERATE_STATES = 2 ** 20;
const CLI_MAX_TRANSFER_COST = 2e8;

/** Whether a --system spec names a Potts or XY system (these commands dispatch here). */
export function isPottsOrXYSpec(spec: string | undefined): spec is string {
  const k = spec === undefined ? null : specKind(spec);
  return k === "potts" || k === "xy";
}

function exactPotts(system: PottsSystem, beta: number): { e: number | null; m: number | null; method: string | null } {
  try {
    if (system.q ** system.n <= CLI_MAX_ENUMERATE_STATES) {
      const r = pottsEnumerate(system, beta, { probabilities: false });
      return { e: r.energyPerSpin, m: r.orderParameter, method: r.method };
    }
    if (pottsApplicableMethods(system, beta)["transfer-matrix"] === null && pottsTransferCost(system) <= CLI_MAX_TRANSFER_COST) {
      const r = pottsTransferMatrix(system, beta);
      return { e: r.energyPerSpin, m: null, method: r.method };
    }
  } catch {
    // no cheap exact value
  }
  return { e: null, m: null, method: null };
}

const stat = (s: { mean: number; error: number }) => ({ mean: s.mean, error: s.error });

/** Runs `boltzlab sample` for a Potts or XY --system once the shared options are read. */
export function samplePotts(opts: Options, ctx: { where: string; spec: string; instance: string | undefined; beta: number }): Record<string, unknown> {
  const { where, spec, beta } = ctx;
  const kind = specKind(spec) as "potts" | "xy";
  const sampler = opts.string("sampler", "metropolis");
  const sweeps = opts.integer("sweeps", 10000);
  const burnIn = opts.integer("burn-in", Math.floor(sweeps / 10));
  const thin = opts.integer("thin", 1);
  const chains = opts.integer("chains", 1);
  const seed = opts.integer("seed", 0);
  const stepGiven = opts.has("step");
  const step = stepGiven ? opts.number("step") : 1;
  opts.checkUnused();
  // Everything is checked here, before the system is built and any sweep runs.
  need(ctx.instance === undefined, `${where}: --instance holds spin systems; give a Potts or XY system with --system only`);
  need(beta > 0, `${where}: --beta must be > 0, got ${beta}`);
  const allowed: readonly string[] = kind === "potts" ? POTTS_SAMPLERS : XY_SAMPLERS;
  need(allowed.includes(sampler), `${where}: --sampler must be one of ${allowed.join(", ")} for ${kind === "potts" ? "Potts" : "XY"} systems, got "${sampler}"`);
  need(thin >= 1, `${where}: --thin must be ≥ 1, got ${thin}`);
  need(Math.floor(sweeps / thin) >= MIN_RECORDED, `${where}: --sweeps must be ≥ ${MIN_RECORDED * thin} (${MIN_RECORDED} recorded steps per chain × --thin ${thin}), got ${sweeps}`);
  need(burnIn >= 0, `${where}: --burn-in must be ≥ 0, got ${burnIn}`);
  need(chains >= 1, `${where}: --chains must be ≥ 1, got ${chains}`);
  need(seed >= 0, `${where}: --seed must be ≥ 0, got ${seed}`);
  need(!stepGiven || (kind === "xy" && sampler === "metropolis"), `${where}: --step is for --sampler metropolis on XY systems only`);
  need(step > 0 && step <= Math.PI, `${where}: --step must be in (0, π], got ${step}`);
  const system = asUsage(`${where}: --system ${spec}`, () => parseAnySystemSpec(spec)) as PottsSystem | XYSystem;
  const common = { beta, sweeps, burnIn, thin, chains, seed };
  const head = { system: system.name, n: system.n, beta, sampler, sweeps, burnIn, thin, chains, seed };
  if (system.kind === "potts") {
    if (sampler === "wolff" || sampler === "sw") {
      const e = system.edges;
      const bad = e.J.findIndex((v) => v < 0);
      need(bad < 0, `${where}: --sampler ${sampler} needs ferromagnetic couplings (all J ≥ 0); ${system.name} has J = ${e.J[bad]} on edge (${e.i[bad]}, ${e.j[bad]}); use metropolis or heatbath`);
      need(system.fields === null, `${where}: --sampler ${sampler} needs zero fields; ${system.name} has h ≠ 0; use metropolis or heatbath`);
    }
    const res: SamplerResult =
      sampler === "metropolis" ? pottsMetropolis(system, common) : sampler === "heatbath" ? pottsHeatBath(system, common) : sampler === "wolff" ? pottsWolff(system, common) : pottsSwendsenWang(system, common);
    const s = summarize(res, { observables: ["energyPerSpin", "orderParameter"], thin });
    const ex = exactPotts(system, beta);
    const { sampler: _s, ...diagnostics } = res.diagnostics;
    return {
      ...head,
      q: system.q,
      energyPerSpin: stat(s.stats.energyPerSpin),
      orderParameter: stat(s.stats.orderParameter),
      tauInt: { energy: s.tauIntSweeps.energyPerSpin, orderParameter: s.tauIntSweeps.orderParameter },
      effectiveSamples: { energy: s.effectiveSamples.energyPerSpin, orderParameter: s.effectiveSamples.orderParameter },
      ...(chains >= 2 ? { rHat: { energy: s.stats.energyPerSpin.rHat, orderParameter: s.stats.orderParameter.rHat } } : {}),
      acceptance: res.acceptance,
      energyPerSpinExact: ex.e,
      orderParameterExact: ex.m,
      exactMethod: ex.method,
      updatesPerSecond: res.updatesPerSecond,
      elapsedSeconds: res.elapsedMs / 1000,
      diagnostics,
    };
  }
  if (sampler === "wolff") need(system.h === 0, `${where}: --sampler wolff needs h = 0; ${system.name} has h = ${system.h}; use metropolis`);
  const res = sampler === "metropolis" ? xyMetropolis(system, { ...common, step }) : xyWolff(system, common);
  const names = ["energyPerSpin", "absMagnetizationPerSpin", ...["helicityModulus", "vortexDensity"].filter((k) => k in res.observables)];
  const s = summarize(res, { observables: names, thin });
  let eExact: number | null = null;
  let helExact: number | null = null;
  if (xyChainRefusal(system) === null) {
    const r = xyChainExact(system, beta);
    eExact = r.energyPerSpin;
    if (r.topology === "ring" && system.edges.J.every((v) => v === system.edges.J[0])) helExact = xyRingHelicity(system, beta);
  }
  const { sampler: _s, ...diagnostics } = res.diagnostics;
  const has = (k: string) => names.includes(k);
  return {
    ...head,
    energyPerSpin: stat(s.stats.energyPerSpin),
    absMagnetizationPerSpin: stat(s.stats.absMagnetizationPerSpin),
    ...(has("helicityModulus") ? { helicityModulus: stat(s.stats.helicityModulus), universalJump: 2 / (Math.PI * beta) } : {}),
    ...(has("vortexDensity") ? { vortexDensity: stat(s.stats.vortexDensity) } : {}),
    tauInt: Object.fromEntries(names.map((k) => [k, s.tauIntSweeps[k]])),
    effectiveSamples: Object.fromEntries(names.map((k) => [k, s.effectiveSamples[k]])),
    ...(chains >= 2 ? { rHat: Object.fromEntries(names.map((k) => [k, s.stats[k].rHat])) } : {}),
    acceptance: res.acceptance,
    energyPerSpinExact: eExact,
    ...(helExact !== null ? { helicityModulusExact: helExact } : {}),
    exactMethod: eExact === null ? null : xyChainExact(system, beta).method,
    updatesPerSecond: res.updatesPerSecond,
    elapsedSeconds: res.elapsedMs / 1000,
    diagnostics,
  };
}

