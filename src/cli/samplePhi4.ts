/**
 * `boltzlab sample --system phi4:L=..,m2=..,lambda=.. --sampler hmc`: hybrid
 * Monte Carlo on lattice φ⁴ (β = 1: the energy is the action), with the step
 * size tuned during the burn-in only, printing ⟨φ²⟩ (site average) and
 * ⟨|M|⟩/V with τ-corrected errors, τ_int of |M|, φ² and the action (in
 * trajectories), the acceptance, the cost per independent sample and, for
 * the free theory (λ = 0), the exact lattice values.
 */
import { independentSampleCost } from "../samplers/fieldState";
import { hmc } from "../samplers/hmc";
import { freePhi4, parsePhi4Spec } from "../systems/continuous/phi4";
import type { Options } from "./args";
import { asUsage, need } from "./checks";

export const SAMPLE_PHI4_USAGE =
  "boltzlab sample --system phi4:L=8,m2=M,lambda=G --sampler hmc [--sweeps 10000] [--burn-in N] [--thin K] [--chains C] [--seed S] [--step-size 0.1] [--trajectory 1]";

/** Runs `boltzlab sample` for a φ⁴ system spec (dispatched from src/cli/sample.ts). */
export function samplePhi4(opts: Options): Record<string, unknown> {
  const where = "boltzlab sample";
  const spec = opts.string("system");
  const sampler = opts.string("sampler", "hmc");
  const sweeps = opts.integer("sweeps", 10000);
  const burnIn = opts.integer("burn-in", Math.floor(sweeps / 10));
  const thin = opts.integer("thin", 1);
  const chains = opts.integer("chains", 1);
  const seed = opts.integer("seed", 0);
  const stepSize = opts.number("step-size", 0.1);
  const trajectory = opts.number("trajectory", 1);
  opts.checkUnused();
  // Everything is checked here, before any work.
  const system = asUsage(`${where}: --system ${spec}`, () => parsePhi4Spec(spec));
  need(sampler === "hmc", `${where}: --sampler must be hmc for a phi4 system, got "${sampler}"`);
  need(thin >= 1, `${where}: --thin must be ≥ 1, got ${thin}`);
  need(burnIn >= 0, `${where}: --burn-in must be ≥ 0, got ${burnIn}`);
  need(Math.floor((sweeps - burnIn) / thin) >= 20, `${where}: --sweeps must leave ≥ 20 recorded steps after --burn-in ${burnIn} with --thin ${thin}, got ${sweeps}`);
  need(chains >= 1, `${where}: --chains must be ≥ 1, got ${chains}`);
  need(seed >= 0, `${where}: --seed must be ≥ 0, got ${seed}`);
  need(stepSize > 0, `${where}: --step-size must be > 0, got ${stepSize}`);
  need(trajectory > 0, `${where}: --trajectory must be > 0, got ${trajectory}`);

  const r = hmc(system, { beta: 1, sweeps, burnIn, thin, chains, seed, stepSize, trajectoryLength: trajectory });
  const st = r.stats;
  const cost = independentSampleCost(r, { observable: "absMagnetization", steps: sweeps, thin });
  const ex = system.lambda === 0 ? freePhi4({ L: system.L, m2: system.m2 }) : null;
  return {
    system: system.name,
    L: system.L,
    m2: system.m2,
    lambda: system.lambda,
    beta: 1,
    sampler: "hmc",
    sweeps,
    burnIn,
    thin,
    chains,
    seed,
    acceptance: r.acceptance,
    phi2: { mean: st.phi2.mean, error: st.phi2.error },
    absMagnetization: { mean: st.absMagnetization.mean, error: st.absMagnetization.error },
    action: { mean: st.action.mean, error: st.action.error },
    tauInt: { absMagnetization: st.absMagnetization.tauInt! * thin, phi2: st.phi2.tauInt! * thin, action: st.action.tauInt! * thin },
    stepSize: r.diagnostics.stepSize,
    leapfrogSteps: r.diagnostics.leapfrogSteps,
    exact: ex === null ? null : { phi2: ex.phi2, absMagnetization: ex.absMagnetization, action: ex.action },
    msPerIndependentSample: cost.msPerIndependentSample,
    seconds: r.elapsedMs / 1000,
  };
}
