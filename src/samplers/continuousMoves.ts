/**
 * Chains and moves for continuous systems (`ContinuousSystem`, x ∈ ℝ^d):
 * `ContinuousChainState` holds the points and their energies;
 * `randomWalkMove` is random-walk Metropolis with Gaussian proposals
 * x′ = x + σξ, and `malaMove` the Metropolis-adjusted Langevin algorithm,
 * x′ = x − τβ∇E(x) + sqrt(2τ)ξ, accepted with the Metropolis–Hastings ratio
 * that includes the proposal densities q(b|a) ∝ exp(−|b − a + τβ∇E(a)|²/(4τ)).
 * MALA caches ∇E of every chain and recomputes it when another move changed
 * the points (the state's `version`).
 */
import type { Rng } from "../core/random";
import type { ContinuousSystem } from "../systems/types";
import type { Recorder } from "./common";
import type { ChainState, Move } from "./driver";

/** Observables: `energy` E(x) (not per degree of freedom) and `x0`, the first coordinate. */
export const CONTINUOUS_OBSERVABLES = ["energy", "x0"] as const;

/** Points x [chains × d] of a continuous system at inverse temperature β, with their energies; samples are the points. */
export class ContinuousChainState implements ChainState {
  readonly chains: number;
  readonly size: number;
  readonly observableNames = CONTINUOUS_OBSERVABLES;
  version = 0;
  /** Points [chains × d] and their energies. */
  readonly x: Float64Array;
  readonly energy: Float64Array;

  /** Start from the points x [chains × dim] (taken over, not copied); throws naming the chain whose energy is not finite. */
  constructor(readonly system: ContinuousSystem, readonly beta: number, chains: number, x: Float64Array, where: string) {
    this.chains = chains;
    this.size = system.dim;
    this.x = x;
    this.energy = new Float64Array(chains);
    const d = this.size;
    for (let c = 0; c < chains; c++) {
      this.energy[c] = system.energyOf(x.subarray(c * d, (c + 1) * d));
      if (!Number.isFinite(this.energy[c])) throw new Error(`${where}: the energy of the initial point of chain ${c} is ${this.energy[c]}`);
    }
  }

  record(rec: Recorder): void {
    const d = this.size;
    const e = rec.observables.energy;
    const x0 = rec.observables.x0;
    const base = rec.slot(0);
    const { energy, x } = this;
    for (let c = 0; c < this.chains; c++) {
      e[base + c] = energy[c];
      x0[base + c] = x[c * d];
    }
    if (rec.samples !== null) rec.samples.set(this.x, rec.sampleOffset(0));
  }

  final(): Float64Array {
    return Float64Array.from(this.x);
  }
}

function acceptanceReport(accepted: number, proposals: number, stepSize: number, kind: string) {
  const acceptance = accepted / proposals;
  return { acceptance, updates: proposals, diagnostics: { stepSize, kind }, summary: `acceptance ${acceptance.toFixed(3)}` };
}

/** Random-walk Metropolis: x′ = x + σξ, ξ ~ N(0, 1)^d, accepted with min(1, e^{−β(E(x′) − E(x))}). */
export function randomWalkMove(options: { stepSize: number }): Move<ContinuousChainState> {
  const sd = options.stepSize;
  let xc = new Float64Array(0);
  let xp = new Float64Array(0);
  let accepted = 0;
  let proposals = 0;
  return {
    name: "randomWalk",
    init(state) {
      xc = new Float64Array(state.size);
      xp = new Float64Array(state.size);
      accepted = 0;
      proposals = 0;
    },
    cost: (state) => 50 * state.chains,
    step(state, rng: Rng) {
      const { x, energy, system, beta, chains } = state;
      const d = state.size;
      // locals, not closure slots, in the hot loop
      const xc0 = xc;
      const xp0 = xp;
      let acc = 0;
      for (let c = 0; c < chains; c++) {
        const off = c * d;
        for (let i = 0; i < d; i++) xc0[i] = x[off + i];
        for (let i = 0; i < d; i++) xp0[i] = xc0[i] + sd * rng.normal();
        const ep = system.energyOf(xp0);
        const logRatio = -beta * (ep - energy[c]);
        if (Number.isFinite(ep) && (logRatio >= 0 || rng.uniform() < Math.exp(logRatio))) {
          for (let i = 0; i < d; i++) x[off + i] = xp0[i];
          energy[c] = ep;
          acc++;
        }
      }
      accepted += acc;
      proposals += chains;
      if (acc > 0) state.version++;
    },
    report: () => acceptanceReport(accepted, proposals, sd, "metropolis"),
  };
}

/** MALA with time step τ = `stepSize`. */
export function malaMove(options: { stepSize: number }): Move<ContinuousChainState> {
  const step = options.stepSize;
  const sd = Math.sqrt(2 * step);
  let g0 = new Float64Array(0);
  let xc0 = new Float64Array(0);
  let xp0 = new Float64Array(0);
  let gc = new Float64Array(0);
  let gp0 = new Float64Array(0);
  let seen = -1;
  let accepted = 0;
  let proposals = 0;
  return {
    name: "mala",
    init(state) {
      const d = state.size;
      g0 = new Float64Array(state.chains * d);
      xc0 = new Float64Array(d);
      xp0 = new Float64Array(d);
      gc = new Float64Array(d);
      gp0 = new Float64Array(d);
      seen = -1;
      accepted = 0;
      proposals = 0;
    },
    cost: (state) => 50 * state.chains,
    step(state, rng: Rng) {
      const { x, energy, system, beta, chains } = state;
      const d = state.size;
      if (seen !== state.version) {
        for (let c = 0; c < chains; c++) {
          system.gradientOf(x.subarray(c * d, (c + 1) * d), gc);
          g0.set(gc, c * d);
        }
      }
      const bs = beta * step;
      // locals, not closure slots, in the hot loop
      const g = g0;
      const xc = xc0;
      const xp = xp0;
      const gp = gp0;
      let acc = 0;
      for (let c = 0; c < chains; c++) {
        const off = c * d;
        for (let i = 0; i < d; i++) xc[i] = x[off + i];
        for (let i = 0; i < d; i++) xp[i] = xc[i] - bs * g[off + i] + sd * rng.normal();
        const ep = system.energyOf(xp);
        system.gradientOf(xp, gp);
        // ln q(x|x') − ln q(x'|x), q(b|a) ∝ exp(−|b − a + τβ∇E(a)|²/(4τ))
        let fwd = 0;
        let bwd = 0;
        for (let i = 0; i < d; i++) {
          const a = xp[i] - xc[i] + bs * g[off + i];
          const b = xc[i] - xp[i] + bs * gp[i];
          fwd += a * a;
          bwd += b * b;
        }
        const logRatio = -beta * (ep - energy[c]) + (fwd - bwd) / (4 * step);
        if (Number.isFinite(ep) && (logRatio >= 0 || rng.uniform() < Math.exp(logRatio))) {
          for (let i = 0; i < d; i++) x[off + i] = xp[i];
          for (let i = 0; i < d; i++) g[off + i] = gp[i];
          energy[c] = ep;
          acc++;
        }
      }
      accepted += acc;
      proposals += chains;
      if (acc > 0) state.version++;
      seen = state.version;
    },
    report: () => acceptanceReport(accepted, proposals, step, "mala"),
  };
}
