/**
 * Hybrid (Hamiltonian) Monte Carlo for continuous systems (Duane, Kennedy,
 * Pendleton, Roweth 1987): with momenta p ~ N(0, I) and H(x, p) = βE(x) + p²/2,
 * integrate Hamilton's equations with n leapfrog steps of size ε,
 *
 *   p ← p − (ε/2)β∇E(x),  x ← x + εp,  p ← p − (ε/2)β∇E(x)   (n times, half kicks merged),
 *
 * and accept the end point with min(1, e^{H(x,p) − H(x′,p′)}). Leapfrog is
 * volume preserving and reversible, so this leaves e^{−βE} invariant exactly.
 * The trajectory length nε is fixed (`trajectoryLength`, default 1; or the
 * count `leapfrogSteps`), so n = max(1, round(trajectoryLength/ε)).
 *
 * The step size is tuned during burn-in only (`tuneSteps`, the sampler's
 * burn-in), by dual averaging (Hoffman & Gelman 2014, NUTS paper §3.2) of the
 * per-step acceptance probability towards `targetAcceptance` (default 0.8);
 * after it, ε is frozen at the averaged value, so the recorded chain is a
 * homogeneous Markov chain. The gradient of every chain is cached across steps
 * (and recomputed when another move changed the points).
 */
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import { resolveRng, type Rng } from "../core/random";
import type { ContinuousSystem } from "../systems/types";
import { runChains, type Move } from "./driver";
import { FieldChainState, type PointState } from "./fieldState";
import type { SamplerOptions, SamplerResult } from "./types";

export interface HmcMoveOptions {
  /** Leapfrog step size ε (the start value when tuning; default 0.1). */
  stepSize?: number;
  /** Trajectory length nε (default 1); n = max(1, round(trajectoryLength/ε)) follows ε while it is tuned. */
  trajectoryLength?: number;
  /** A fixed number of leapfrog steps instead of a trajectory length. */
  leapfrogSteps?: number;
  /** Steps (t = 1…tuneSteps) during which ε is tuned (default 0: never). */
  tuneSteps?: number;
  /** Target acceptance probability of the tuning (default 0.8). */
  targetAcceptance?: number;
}

export interface HmcMove extends Move<PointState> {
  /** The current step size ε. */
  readonly stepSize: number;
  /** Leapfrog steps per trajectory at the current ε. */
  readonly leapfrogSteps: number;
}

function checkTarget(v: unknown, where: string): number {
  const a = checkNumber(v, "targetAcceptance", where, { above: 0 });
  if (!(a < 1)) throw new Error(`${where}: targetAcceptance must be < 1, got ${a}`);
  return a;
}

function readMoveOptions(options: HmcMoveOptions, where: string) {
  checkKeys(options, ["stepSize", "trajectoryLength", "leapfrogSteps", "tuneSteps", "targetAcceptance"], where);
  if (options.trajectoryLength !== undefined && options.leapfrogSteps !== undefined) throw new Error(`${where}: give trajectoryLength or leapfrogSteps, not both`);
  return {
    stepSize: options.stepSize === undefined ? 0.1 : checkNumber(options.stepSize, "stepSize", where, { above: 0 }),
    trajectoryLength: options.trajectoryLength === undefined ? 1 : checkNumber(options.trajectoryLength, "trajectoryLength", where, { above: 0 }),
    leapfrogSteps: options.leapfrogSteps === undefined ? null : checkInteger(options.leapfrogSteps, "leapfrogSteps", where, { min: 1 }),
    tuneSteps: options.tuneSteps === undefined ? 0 : checkInteger(options.tuneSteps, "tuneSteps", where, { min: 0 }),
    target: options.targetAcceptance === undefined ? 0.8 : checkTarget(options.targetAcceptance, where),
  };
}

/** The HMC move (one trajectory per chain per step); see the module doc. */
export function hmcMove(options: HmcMoveOptions = {}): HmcMove {
  const where = "hmcMove";
  const o = readMoveOptions(options, where);
  let eps = o.stepSize;
  let nLeap = 1;
  // dual averaging state (Hoffman & Gelman 2014, Algorithm 5; γ = 0.05, t0 = 10, κ = 0.75)
  let mu = 0, hBar = 0, logEpsBar = 0;
  let g = new Float64Array(0);
  let xq = new Float64Array(0), pq = new Float64Array(0), gq = new Float64Array(0);
  let seen = -1;
  let accepted = 0, proposals = 0, gradients = 0, divergent = 0;
  const setLeap = () => (nLeap = o.leapfrogSteps ?? Math.max(1, Math.round(o.trajectoryLength / eps)));
  const move: HmcMove = {
    name: "hmc",
    get stepSize() {
      return eps;
    },
    get leapfrogSteps() {
      return nLeap;
    },
    init(state) {
      const d = state.size;
      g = new Float64Array(state.chains * d);
      xq = new Float64Array(d);
      pq = new Float64Array(d);
      gq = new Float64Array(d);
      seen = -1;
      eps = o.stepSize;
      mu = Math.log(10 * eps);
      hBar = 0;
      logEpsBar = 0;
      accepted = proposals = gradients = divergent = 0;
      setLeap();
    },
    cost: (state) => nLeap * state.size * state.chains * 0.02,
    step(state, rng: Rng, t: number) {
      const { x, energy, system, beta, chains } = state;
      const d = state.size;
      if (seen !== state.version) {
        for (let c = 0; c < chains; c++) {
          system.gradientOf(x.subarray(c * d, (c + 1) * d), gq);
          g.set(gq, c * d);
        }
      }
      const tuning = t <= o.tuneSteps;
      const e = eps;
      const n = nLeap;
      const xp = xq, p = pq, gp = gq, gc = g;
      let acc = 0;
      let alphaSum = 0;
      for (let c = 0; c < chains; c++) {
        const off = c * d;
        let k0 = 0;
        for (let i = 0; i < d; i++) {
          const v = rng.normal();
          p[i] = v;
          k0 += v * v;
          xp[i] = x[off + i];
          gp[i] = gc[off + i];
        }
        // leapfrog: half kick, n drifts with full kicks between, half kick
        for (let i = 0; i < d; i++) p[i] -= 0.5 * e * beta * gp[i];
        for (let s = 0; s < n; s++) {
          for (let i = 0; i < d; i++) xp[i] += e * p[i];
          system.gradientOf(xp, gp);
          const kick = s + 1 < n ? e : 0.5 * e;
          for (let i = 0; i < d; i++) p[i] -= kick * beta * gp[i];
        }
        gradients += n;
        const eNew = system.energyOf(xp);
        let k1 = 0;
        for (let i = 0; i < d; i++) k1 += p[i] * p[i];
        const logA = beta * (energy[c] - eNew) + 0.5 * (k0 - k1);
        const finite = Number.isFinite(logA);
        if (!finite) divergent++;
        alphaSum += finite ? Math.min(1, Math.exp(logA)) : 0;
        if (finite && (logA >= 0 || rng.uniform() < Math.exp(logA))) {
          for (let i = 0; i < d; i++) x[off + i] = xp[i];
          gc.set(gp, off);
          energy[c] = eNew;
          acc++;
        }
      }
      if (acc > 0) state.version++;
      seen = state.version;
      if (tuning) {
        const m = t;
        const alpha = alphaSum / chains;
        hBar = (1 - 1 / (m + 10)) * hBar + (o.target - alpha) / (m + 10);
        const logEps = mu - (Math.sqrt(m) / 0.05) * hBar;
        const w = Math.pow(m, -0.75);
        logEpsBar = w * logEps + (1 - w) * logEpsBar;
        eps = m === o.tuneSteps ? Math.exp(logEpsBar) : Math.exp(logEps);
        setLeap();
      } else {
        // acceptance is that of the frozen-ε chain (the tuning steps are burn-in)
        accepted += acc;
        proposals += chains;
      }
    },
    status: () => `ε ${eps.toPrecision(3)} acc ${proposals > 0 ? (accepted / proposals).toFixed(3) : "…"}`,
    report(_state, elapsedMs) {
      const acceptance = proposals > 0 ? accepted / proposals : NaN;
      return {
        acceptance,
        updates: proposals,
        diagnostics: { kind: "hmc", stepSize: eps, leapfrogSteps: nLeap, trajectoryLength: eps * nLeap, tuneSteps: o.tuneSteps, divergent, gradientsPerSecond: gradients / (elapsedMs / 1000) },
        summary: `acceptance ${acceptance.toFixed(3)}, ε ${eps.toPrecision(3)} × ${nLeap}`,
      };
    },
  };
  return move;
}

export interface HmcOptions extends SamplerOptions, HmcMoveOptions {
  /** Tune ε during the burn-in (default true; needs burnIn ≥ 1 to have an effect). */
  tune?: boolean;
}

const KEYS = ["beta", "sweeps", "chains", "burnIn", "thin", "keepSamples", "initial", "progress", "seed", "rng", "stepSize", "trajectoryLength", "leapfrogSteps", "targetAcceptance", "tune"];

/**
 * HMC on a continuous system through the Monte Carlo driver; `sweeps` counts
 * trajectories per chain, burn-in included, and ε is tuned during the
 * `burnIn` steps (unless `tune: false`). Observables: `energy`, `x0` and the
 * system's `observables` (for φ⁴: action, magnetization, absMagnetization,
 * phi2), with τ_int in trajectories. Starts from N(0, 0.01) points unless `initial`.
 */
export function hmc(system: ContinuousSystem, options: HmcOptions): SamplerResult {
  const where = "hmc";
  if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
  checkKeys(options, KEYS, where);
  if (system === undefined || system === null || typeof system.energyOf !== "function" || typeof system.gradientOf !== "function") {
    throw new Error(`${where}: system must be a ContinuousSystem (with energyOf and gradientOf)`);
  }
  const beta = checkPositive(options.beta, "beta", where);
  const steps = checkInteger(options.sweeps, "sweeps", where, { min: 1 });
  const chains = options.chains === undefined ? 1 : checkInteger(options.chains, "chains", where, { min: 1 });
  const burnIn = options.burnIn === undefined ? 0 : checkInteger(options.burnIn, "burnIn", where, { min: 0 });
  const thin = options.thin === undefined ? 1 : checkInteger(options.thin, "thin", where, { min: 1 });
  if (burnIn >= steps) throw new Error(`${where}: burnIn (${burnIn}) must be < sweeps (${steps})`);
  if (options.tune !== undefined && typeof options.tune !== "boolean") throw new Error(`${where}: tune must be a boolean`);
  if (options.keepSamples !== undefined && typeof options.keepSamples !== "boolean") throw new Error(`${where}: keepSamples must be a boolean`);
  if (options.progress !== undefined && typeof options.progress !== "boolean") throw new Error(`${where}: progress must be a boolean`);
  const tune = options.tune ?? true;
  const move = hmcMove({
    stepSize: options.stepSize,
    trajectoryLength: options.trajectoryLength,
    leapfrogSteps: options.leapfrogSteps,
    targetAcceptance: options.targetAcceptance,
    tuneSteps: tune ? burnIn : 0,
  });
  const rng = resolveRng(options, where);
  const d = system.dim;
  const x = new Float64Array(chains * d);
  if (options.initial !== undefined) {
    const init = options.initial;
    if (init === null || typeof init.length !== "number" || (init.length !== d && init.length !== chains * d)) {
      throw new Error(`${where}: initial must have ${d} (one point for every chain) or ${chains * d} numbers, got ${init?.length}`);
    }
    for (let k = 0; k < chains * d; k++) x[k] = checkNumber(init[init.length === d ? k % d : k], `initial[${k}]`, where);
  } else {
    rng.fillNormal(x);
    for (let k = 0; k < x.length; k++) x[k] *= 0.1;
  }
  const state = new FieldChainState(system, beta, chains, x, where);
  return runChains(state, move, { label: where, total: steps, burnIn, thin, keepSamples: options.keepSamples === true, progress: options.progress, rng });
}
