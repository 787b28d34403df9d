/**
 * Chain states of the Potts and XY samplers, for the one Monte Carlo loop
 * (`runChains`). Configurations live in typed arrays (Uint8Array Potts states,
 * Float64Array angles in [0, 2π) with their cosines and sines), energies and
 * the cheap global observables (Potts state counts, XY Σ cos θ and Σ sin θ)
 * are kept up to date by the moves, so recording costs little.
 *
 * Recorded observables:
 * - Potts: energyPerSpin, orderParameter = (q max_k n_k/N − 1)/(q − 1);
 * - XY: energyPerSpin, absMagnetizationPerSpin |m|, magnetizationX,
 *   magnetizationY, and where the geometry allows them helicityModulus (the
 *   per-sample value C/N − βS²/N whose mean is Υ along x, grids periodic in x
 *   with ≥ 3 columns; see systems/xyObservables.ts) and vortexDensity
 *   (Σ_p |v_p|/N, 2-D grids).
 */
import type { Rng } from "../core/random";
import type { PottsSystem, XYSystem } from "../systems/types";
import { xyPlaquettes, xyXBonds, wrapAngle, type Plaquettes, type XBonds } from "../systems/xyObservables";
import type { Recorder } from "./common";
import type { ChainState } from "./driver";

export const POTTS_OBSERVABLES = ["energyPerSpin", "orderParameter"] as const;

const TWO_PI = 2 * Math.PI;

/** `chains` independent Potts configurations with their energies and state counts. */
export class PottsChainState implements ChainState {
  readonly chains: number;
  readonly size: number;
  readonly q: number;
  readonly observableNames = POTTS_OBSERVABLES;
  version = 0;
  /** States of chain c at s[c·n .. (c+1)·n). */
  readonly s: Uint8Array;
  /** Energy of each chain (float64). */
  readonly energy: Float64Array;
  /** n_k of chain c at counts[c·q + k]. */
  readonly counts: Int32Array;

  constructor(readonly system: PottsSystem, chains: number, readonly beta: number) {
    this.chains = chains;
    this.size = system.n;
    this.q = system.q;
    this.s = new Uint8Array(chains * system.n);
    this.energy = new Float64Array(chains);
    this.counts = new Int32Array(chains * system.q);
  }

  /** Start chain c from initial[c·n ..] when given (integer states, checked by the caller), else uniformly at random. */
  initialize(initial: ArrayLike<number> | null, rng: Rng): void {
    const n = this.size;
    for (let c = 0; c < this.chains; c++) {
      for (let i = 0; i < n; i++) this.s[c * n + i] = initial !== null ? initial[c * n + i] : rng.int(this.q);
      this.recompute(c);
    }
    this.version++;
  }

  /** Recompute chain c's energy and state counts from its states. */
  recompute(c: number): void {
    const n = this.size;
    const q = this.q;
    const off = c * n;
    const { i, j, J } = this.system.edges;
    let e = 0;
    for (let k = 0; k < i.length; k++) if (this.s[off + i[k]] === this.s[off + j[k]]) e -= J[k];
    const h = this.system.fields;
    if (h !== null) for (let k = 0; k < n; k++) if (this.s[off + k] === 0) e -= h[k];
    this.energy[c] = e;
    const cnt = this.counts;
    cnt.fill(0, c * q, (c + 1) * q);
    for (let k = 0; k < n; k++) cnt[c * q + this.s[off + k]]++;
  }

  record(rec: Recorder): void {
    const n = this.size;
    const q = this.q;
    const e = rec.observables.energyPerSpin;
    const m = rec.observables.orderParameter;
    const base = rec.slot(0);
    for (let c = 0; c < this.chains; c++) {
      e[base + c] = this.energy[c] / n;
      let max = 0;
      for (let k = 0; k < q; k++) if (this.counts[c * q + k] > max) max = this.counts[c * q + k];
      m[base + c] = ((q * max) / n - 1) / (q - 1);
      if (rec.samples !== null) {
        const o = rec.sampleOffset(c);
        for (let i = 0; i < n; i++) rec.samples[o + i] = this.s[c * n + i];
      }
    }
  }

  final(): Float64Array {
    return Float64Array.from(this.s);
  }
}

/** The XY observables recorded for a system: always the first four, helicity and vortices where the geometry allows. */
export function xyObservableNames(system: XYSystem): string[] {
  const names = ["energyPerSpin", "absMagnetizationPerSpin", "magnetizationX", "magnetizationY"];
  if (helicityBonds(system) !== null) names.push("helicityModulus");
  if (plaquettesOf(system) !== null) names.push("vortexDensity");
  return names;
}

function helicityBonds(system: XYSystem): XBonds | null {
  try {
    return xyXBonds(system);
  } catch {
    return null;
  }
}

function plaquettesOf(system: XYSystem): Plaquettes | null {
  try {
    return xyPlaquettes(system);
  } catch {
    return null;
  }
}

/** `chains` independent XY configurations with cos θ, sin θ, energies and Σ cos θ, Σ sin θ. */
export class XYChainState implements ChainState {
  readonly chains: number;
  readonly size: number;
  readonly observableNames: readonly string[];
  version = 0;
  /** Angles in [0, 2π) of chain c at theta[c·n ..]. */
  readonly theta: Float64Array;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly energy: Float64Array;
  /** Σ_i cos θ_i and Σ_i sin θ_i of each chain. */
  readonly mx: Float64Array;
  readonly my: Float64Array;
  private readonly xb: XBonds | null;
  private readonly plaq: Plaquettes | null;

  constructor(readonly system: XYSystem, chains: number, readonly beta: number) {
    this.chains = chains;
    this.size = system.n;
    const N = chains * system.n;
    this.theta = new Float64Array(N);
    this.cos = new Float64Array(N);
    this.sin = new Float64Array(N);
    this.energy = new Float64Array(chains);
    this.mx = new Float64Array(chains);
    this.my = new Float64Array(chains);
    this.xb = helicityBonds(system);
    this.plaq = plaquettesOf(system);
    this.observableNames = xyObservableNames(system);
  }

  /** Start chain c from initial[c·n ..] (any finite angles, reduced to [0, 2π)) or uniformly at random. */
  initialize(initial: ArrayLike<number> | null, rng: Rng): void {
    const n = this.size;
    for (let c = 0; c < this.chains; c++) {
      for (let i = 0; i < n; i++) {
        let a = initial !== null ? initial[c * n + i] : TWO_PI * rng.uniform();
        a -= TWO_PI * Math.floor(a / TWO_PI);
        this.theta[c * n + i] = a;
      }
      this.recompute(c);
    }
    this.version++;
  }

  /** Recompute chain c's cosines, sines, energy and magnetisation from its angles (clears rounding drift). */
  recompute(c: number): void {
    const n = this.size;
    const off = c * n;
    let cx = 0;
    let cy = 0;
    for (let i = 0; i < n; i++) {
      const a = this.theta[off + i];
      this.cos[off + i] = Math.cos(a);
      this.sin[off + i] = Math.sin(a);
      cx += this.cos[off + i];
      cy += this.sin[off + i];
    }
    const { i, j, J } = this.system.edges;
    let e = 0;
    for (let k = 0; k < i.length; k++) {
      const a = off + i[k];
      const b = off + j[k];
      e -= J[k] * (this.cos[a] * this.cos[b] + this.sin[a] * this.sin[b]);
    }
    e -= this.system.h * cx;
    this.energy[c] = e;
    this.mx[c] = cx;
    this.my[c] = cy;
  }

  record(rec: Recorder): void {
    const n = this.size;
    const o = rec.observables;
    const base = rec.slot(0);
    const hel = o.helicityModulus;
    const vort = o.vortexDensity;
    for (let c = 0; c < this.chains; c++) {
      const slot = base + c;
      o.energyPerSpin[slot] = this.energy[c] / n;
      const mx = this.mx[c] / n;
      const my = this.my[c] / n;
      o.magnetizationX[slot] = mx;
      o.magnetizationY[slot] = my;
      o.absMagnetizationPerSpin[slot] = Math.hypot(mx, my);
      const off = c * n;
      if (hel !== undefined && this.xb !== null) {
        const { from, to, J } = this.xb;
        let C = 0;
        let S = 0;
        for (let k = 0; k < from.length; k++) {
          const a = off + from[k];
          const b = off + to[k];
          // cos(θ_b − θ_a), sin(θ_b − θ_a) from the stored cosines and sines
          C += J[k] * (this.cos[b] * this.cos[a] + this.sin[b] * this.sin[a]);
          S += J[k] * (this.sin[b] * this.cos[a] - this.cos[b] * this.sin[a]);
        }
        hel[slot] = (C - this.beta * S * S) / n;
      }
      if (vort !== undefined && this.plaq !== null) {
        const cn = this.plaq.corners;
        const th = this.theta;
        let count = 0;
        for (let p = 0, np = this.plaq.rows * this.plaq.cols; p < np; p++) {
          const a = th[off + cn[4 * p]];
          const b = th[off + cn[4 * p + 1]];
          const cc = th[off + cn[4 * p + 2]];
          const d = th[off + cn[4 * p + 3]];
          const w = wrapAngle(b - a) + wrapAngle(cc - b) + wrapAngle(d - cc) + wrapAngle(a - d);
          if (w > Math.PI || w < -Math.PI) count++;
        }
        vort[slot] = count / n;
      }
      if (rec.samples !== null) {
        const so = rec.sampleOffset(c);
        for (let i = 0; i < n; i++) rec.samples[so + i] = this.theta[off + i];
      }
    }
  }

  final(): Float64Array {
    return Float64Array.from(this.theta);
  }
}
