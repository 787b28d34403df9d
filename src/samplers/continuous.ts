/**
 * Seeded Markov-chain samplers for continuous systems on typed arrays:
 * random-walk Metropolis (Gaussian proposals of width `stepSize`) and MALA
 * (Metropolis-adjusted Langevin: x' = x − τβ∇E(x) + sqrt(2τ)·ξ, accepted with
 * the Metropolis–Hastings ratio that includes the proposal densities).
 * Both return the shared `SamplerResult`, with per-step observables `energy`
 * and `x0` (the first coordinate), [recorded × chains] step-major.
 */
import { progress } from "../core/progress";
import { resolveRng } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import type { ContinuousSystem } from "../systems/types";
import type { SamplerOptions, SamplerResult } from "./types";

export interface ContinuousSamplerOptions extends SamplerOptions {
  /** RWM: proposal standard deviation (default 0.25). MALA: time step τ (default 0.01). */
  stepSize?: number;
}

type Kind = "metropolis" | "mala";

const KEYS = ["beta", "sweeps", "chains", "burnIn", "thin", "keepSamples", "initial", "progress", "seed", "rng", "stepSize"];

function run(system: ContinuousSystem, options: ContinuousSamplerOptions, kind: Kind, where: string): SamplerResult {
  checkKeys(options, KEYS, where);
  if (system === undefined || system === null || typeof system.energyOf !== "function") throw new Error(`${where}: system must be a ContinuousSystem`);
  const beta = checkPositive(options?.beta, "beta", where);
  const steps = checkInteger(options.sweeps, "sweeps", where, { min: 1 });
  const chains = options.chains === undefined ? 1 : checkInteger(options.chains, "chains", where, { min: 1 });
  const burnIn = options.burnIn === undefined ? 0 : checkInteger(options.burnIn, "burnIn", where, { min: 0 });
  const thin = options.thin === undefined ? 1 : checkInteger(options.thin, "thin", where, { min: 1 });
  const step = options.stepSize === undefined ? (kind === "mala" ? 0.01 : 0.25) : checkNumber(options.stepSize, "stepSize", where, { above: 0 });
  const rng = resolveRng(options, where);
  const d = system.dim;
  const x = new Float64Array(chains * d);
  if (options.initial !== undefined) {
    const init = options.initial;
    if (init.length !== d && init.length !== chains * d) {
      throw new Error(`${where}: initial must have ${d} (one point for every chain) or ${chains * d} numbers, got ${init.length}`);
    }
    for (let k = 0; k < chains * d; k++) x[k] = checkNumber(init[init.length === d ? k % d : k], `initial[${k}]`, where);
  } else rng.fillNormal(x);

  const recorded = Math.max(0, Math.floor((steps - burnIn) / thin));
  const energyObs = new Float64Array(recorded * chains);
  const x0Obs = new Float64Array(recorded * chains);
  const samples = options.keepSamples === true ? new Float64Array(recorded * chains * d) : null;
  const e = new Float64Array(chains);
  const xc = new Float64Array(d), xp = new Float64Array(d);
  const g = new Float64Array(chains * d), gc = new Float64Array(d), gp = new Float64Array(d);
  for (let c = 0; c < chains; c++) {
    const view = x.subarray(c * d, (c + 1) * d);
    e[c] = system.energyOf(view);
    if (!Number.isFinite(e[c])) throw new Error(`${where}: the energy of the initial point of chain ${c} is ${e[c]}`);
    if (kind === "mala") system.gradientOf(view, gc), g.set(gc, c * d);
  }
  const sd = kind === "mala" ? Math.sqrt(2 * step) : step;
  const bs = beta * step;
  let accepted = 0;
  let rec = 0;
  const bar = progress({ total: steps, label: where, enabled: options.progress });
  const tick = Math.max(1, Math.floor(steps / 100));
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    for (let c = 0; c < chains; c++) {
      const off = c * d;
      for (let i = 0; i < d; i++) xc[i] = x[off + i];
      let logRatio: number;
      let ep: number;
      if (kind === "metropolis") {
        for (let i = 0; i < d; i++) xp[i] = xc[i] + sd * rng.normal();
        ep = system.energyOf(xp);
        logRatio = -beta * (ep - e[c]);
      } else {
        for (let i = 0; i < d; i++) xp[i] = xc[i] - bs * g[off + i] + sd * rng.normal();
        ep = system.energyOf(xp);
        system.gradientOf(xp, gp);
        // ln q(x|x') − ln q(x'|x), q(b|a) ∝ exp(−|b − a + τβ∇E(a)|²/(4τ))
        let fwd = 0, bwd = 0;
        for (let i = 0; i < d; i++) {
          const a = xp[i] - xc[i] + bs * g[off + i];
          const b = xc[i] - xp[i] + bs * gp[i];
          fwd += a * a;
          bwd += b * b;
        }
        logRatio = -beta * (ep - e[c]) + (fwd - bwd) / (4 * step);
      }
      if (Number.isFinite(ep) && (logRatio >= 0 || rng.uniform() < Math.exp(logRatio))) {
        for (let i = 0; i < d; i++) x[off + i] = xp[i];
        if (kind === "mala") for (let i = 0; i < d; i++) g[off + i] = gp[i];
        e[c] = ep;
        accepted++;
      }
    }
    if (t >= burnIn && (t - burnIn + 1) % thin === 0 && rec < recorded) {
      for (let c = 0; c < chains; c++) {
        energyObs[rec * chains + c] = e[c];
        x0Obs[rec * chains + c] = x[c * d];
      }
      if (samples !== null) samples.set(x, rec * chains * d);
      rec++;
    }
    if ((t + 1) % tick === 0) bar.tick(tick);
  }
  bar.done();
  const elapsedMs = performance.now() - t0;
  return {
    final: x,
    chains,
    size: d,
    samples,
    recorded,
    observables: { energy: energyObs, x0: x0Obs },
    acceptance: accepted / (steps * chains),
    diagnostics: { stepSize: step, kind },
    updatesPerSecond: elapsedMs > 0 ? (steps * chains) / (elapsedMs / 1000) : Infinity,
    elapsedMs,
  };
}

/** Random-walk Metropolis with Gaussian proposals (seeded). `sweeps` counts steps per chain. */
export function continuousMetropolis(system: ContinuousSystem, options: ContinuousSamplerOptions): SamplerResult {
  return run(system, options, "metropolis", "continuousMetropolis");
}

/** Metropolis-adjusted Langevin algorithm (seeded). `sweeps` counts steps per chain. */
export function mala(system: ContinuousSystem, options: ContinuousSamplerOptions): SamplerResult {
  return run(system, options, "mala", "mala");
}
