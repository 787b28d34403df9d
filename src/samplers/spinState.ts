/**
 * The chain state of the spin samplers: `chains` independent chains, each a
 * ladder of R replicas at inverse temperatures β_0 < … < β_{R−1} (R = 1 for
 * every sampler but parallel tempering). `rung[c·R + k]` is the replica at rung
 * k of chain c, so a replica swap exchanges two entries and moves no spins.
 * Observables are those of the replica at the target rung: energyPerSpin,
 * magnetizationPerSpin and absMagnetizationPerSpin, read from the energies and
 * magnetisations `SpinChains` tracks incrementally (they cost nothing).
 */
import type { Rng } from "../core/random";
import type { SpinSystem } from "../systems/types";
import type { Recorder } from "./common";
import type { ChainState } from "./driver";
import { SpinChains } from "./spinChains";

export const SPIN_OBSERVABLES = ["energyPerSpin", "magnetizationPerSpin", "absMagnetizationPerSpin"] as const;

export interface SpinLadder {
  /** Inverse temperatures of the rungs (length R ≥ 1; strictly increasing when R > 1). */
  betas: Float64Array;
  /** Rung whose replica is recorded (index into betas). */
  target: number;
}

/**
 * Spin chains for the driver: `spins` (typed-array kernels and tracked
 * energies/magnetisations of all chains × R replicas), the ladder `betas`, the
 * `rung` map and the recorded target rung. Moves read β of rung k as
 * `betas[k]` and the replica there as `rung[c·R + k]`; with R = 1 replica c is
 * chain c.
 */
export class SpinChainState implements ChainState {
  readonly chains: number;
  readonly size: number;
  readonly observableNames = SPIN_OBSERVABLES;
  version = 0;
  /** Typed-array spins, local fields, energies and magnetisations of all chains × R replicas. */
  readonly spins: SpinChains;
  readonly betas: Float64Array;
  /** Rungs per chain. */
  readonly R: number;
  readonly target: number;
  /** rung[c·R + k] = replica currently at rung k of chain c. */
  readonly rung: Int32Array;
  private readonly eSum: Float64Array;
  private eCount = 0;

  constructor(readonly system: SpinSystem, chains: number, ladder: SpinLadder) {
    this.chains = chains;
    this.size = system.n;
    this.betas = ladder.betas;
    this.R = ladder.betas.length;
    this.target = ladder.target;
    this.spins = new SpinChains(system, chains * this.R);
    this.rung = new Int32Array(chains * this.R);
    for (let q = 0; q < this.rung.length; q++) this.rung[q] = q;
    this.eSum = new Float64Array(this.R);
  }

  /** Start every replica of chain c from initial[c·n ..] when given, else uniformly at random (in replica order). */
  initialize(initial: ArrayLike<number> | null, rng: Rng): void {
    const n = this.size;
    for (let c = 0; c < this.chains; c++) {
      for (let k = 0; k < this.R; k++) {
        const r = c * this.R + k;
        if (initial !== null) this.spins.set(r, initial, c * n);
        else this.spins.randomize(r, rng);
      }
    }
    this.version++;
  }

  record(rec: Recorder): void {
    const n = this.size;
    const { spins, rung, R, target } = this;
    const e = rec.observables.energyPerSpin;
    const mo = rec.observables.magnetizationPerSpin;
    const am = rec.observables.absMagnetizationPerSpin;
    const base = rec.slot(0);
    for (let c = 0; c < this.chains; c++) {
      const r = rung[c * R + target];
      const slot = base + c;
      e[slot] = spins.energy[r] / n;
      const m = spins.magnetization[r] / n;
      mo[slot] = m;
      am[slot] = Math.abs(m);
      if (rec.samples !== null) spins.copyOut(r, rec.samples, rec.sampleOffset(c));
      if (R > 1) for (let k = 0; k < R; k++) this.eSum[k] += spins.energy[rung[c * R + k]] / n;
    }
    if (R > 1) this.eCount += this.chains;
  }

  final(): Float64Array {
    const out = new Float64Array(this.chains * this.size);
    for (let c = 0; c < this.chains; c++) this.spins.copyOut(this.rung[c * this.R + this.target], out, c * this.size);
    return out;
  }

  /** For a ladder (R > 1): the β's, the target β and the mean energy per spin at every rung over the records. */
  diagnostics(): Record<string, unknown> {
    if (this.R === 1) return {};
    return {
      betas: Array.from(this.betas),
      targetBeta: this.betas[this.target],
      energyPerSpinByBeta: Array.from(this.eSum, (e) => (this.eCount > 0 ? e / this.eCount : NaN)),
    };
  }
}
