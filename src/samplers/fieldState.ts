/**
 * Chains of a continuous system that record the system's own observables
 * besides the energy: `FieldChainState` holds points x [chains × d] and their
 * energies like `ContinuousChainState`, and records `energy`, `x0` and every
 * entry of `system.observables` (a lattice field's |M|/V, ⟨φ²⟩, action …)
 * when the system has them. Shared by `hmc` and `flowMcmc`; also the shape
 * (`PointState`) the HMC and flow-proposal moves act on, which plain
 * `ContinuousChainState` satisfies as well.
 */
import type { ContinuousSystem } from "../systems/types";
import type { Recorder } from "./common";
import type { ChainState } from "./driver";
import type { SamplerResult } from "./types";

/** The chain state continuous moves need: points, their energies, the system and β. */
export interface PointState extends ChainState {
  readonly system: ContinuousSystem;
  readonly beta: number;
  /** Points [chains × d] (moves write them in place and bump `version`). */
  readonly x: Float64Array;
  /** E of every chain's point. */
  readonly energy: Float64Array;
}

/** A continuous system that names per-configuration observables (e.g. `Phi4System`). */
export interface ObservableSystem extends ContinuousSystem {
  readonly observables: Record<string, (x: ArrayLike<number>) => number>;
}

function hasObservables(s: ContinuousSystem): s is ObservableSystem {
  const o = (s as Partial<ObservableSystem>).observables;
  return o !== null && typeof o === "object" && Object.values(o).every((f) => typeof f === "function");
}

/** Points of a continuous system with energies, recording `energy`, `x0` and the system's observables. */
export class FieldChainState implements PointState {
  readonly chains: number;
  readonly size: number;
  readonly observableNames: readonly string[];
  version = 0;
  readonly x: Float64Array;
  readonly energy: Float64Array;
  private readonly extra: [string, (x: ArrayLike<number>) => number][];

  /** Start from the points x [chains × dim] (taken over, not copied); throws naming the chain whose energy is not finite. */
  constructor(readonly system: ContinuousSystem, readonly beta: number, chains: number, x: Float64Array, where: string) {
    this.chains = chains;
    this.size = system.dim;
    this.x = x;
    this.energy = new Float64Array(chains);
    this.extra = hasObservables(system) ? Object.entries(system.observables).filter(([k]) => k !== "energy" && k !== "x0") : [];
    this.observableNames = ["energy", "x0", ...this.extra.map(([k]) => k)];
    const d = this.size;
    for (let c = 0; c < chains; c++) {
      this.energy[c] = system.energyOf(x.subarray(c * d, (c + 1) * d));
      if (!Number.isFinite(this.energy[c])) throw new Error(`${where}: the energy of the initial point of chain ${c} is ${this.energy[c]}`);
    }
  }

  /** Re-evaluate every chain's energy (after the points were replaced wholesale). */
  refreshEnergies(): void {
    const d = this.size;
    for (let c = 0; c < this.chains; c++) this.energy[c] = this.system.energyOf(this.x.subarray(c * d, (c + 1) * d));
    this.version++;
  }

  record(rec: Recorder): void {
    const d = this.size;
    const base = rec.slot(0);
    const e = rec.observables.energy;
    const x0 = rec.observables.x0;
    for (let c = 0; c < this.chains; c++) {
      e[base + c] = this.energy[c];
      x0[base + c] = this.x[c * d];
    }
    for (const [name, f] of this.extra) {
      const out = rec.observables[name];
      for (let c = 0; c < this.chains; c++) out[base + c] = f(this.x.subarray(c * d, (c + 1) * d));
    }
    if (rec.samples !== null) rec.samples.set(this.x, rec.sampleOffset(0));
  }

  final(): Float64Array {
    return Float64Array.from(this.x);
  }
}

export interface SampleCost {
  /** τ_int of the observable in sampler steps (recorded steps × thin). */
  tauInt: number;
  /** Wall time of one step of one chain, ms (the run's elapsed time / (steps · chains)). */
  msPerStep: number;
  /** msPerStep · 2τ_int: the wall time one statistically independent sample costs. */
  msPerIndependentSample: number;
}

/**
 * Cost per independent sample of `observable` in a run of `steps` steps
 * (burn-in included) recorded every `thin` steps: ms per step per chain × 2τ_int.
 */
export function independentSampleCost(result: SamplerResult, options: { observable: string; steps: number; thin?: number }): SampleCost {
  const where = "independentSampleCost";
  const st = result?.stats?.[options?.observable];
  if (st === undefined) throw new Error(`${where}: no observable "${options?.observable}" in the result (recorded: ${Object.keys(result?.observables ?? {}).join(", ")})`);
  if (!(Number.isInteger(options.steps) && options.steps >= 1)) throw new Error(`${where}: steps must be an integer ≥ 1, got ${options.steps}`);
  const thin = options.thin ?? 1;
  const tauInt = (st.tauInt ?? NaN) * thin;
  const msPerStep = result.elapsedMs / (options.steps * result.chains);
  return { tauInt, msPerStep, msPerIndependentSample: msPerStep * 2 * tauInt };
}
