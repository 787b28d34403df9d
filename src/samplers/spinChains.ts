/**
 * The typed-array state of many spin replicas and the local Monte Carlo moves
 * on it (internal to the samplers). Spins are Int8Array ±1, local fields
 * h_i + Σ_j J_ij s_j are kept up to date incrementally after every flip, and
 * energies and magnetisations are tracked per replica so that observables cost
 * nothing. Systems whose couplings and fields are all integers (Ising, ±J
 * glasses) take a fast path: Int32 local fields and precomputed acceptance
 * tables compared against raw 32-bit uniforms, no exp and no allocation in
 * the loop.
 */
import type { Rng } from "../core/random";
import type { SpinSystem } from "../systems/types";

const TWO32 = 4294967296;
/** Largest |local field| for which the integer path builds tables. */
const MAX_INT_FIELD = 1 << 16;

export interface CouplingInfo {
  /** All couplings and fields integers with bounded local fields. */
  integer: boolean;
  /** max_i (|h_i| + Σ_j |J_ij|) (integer path: table half-width). */
  maxField: number;
  /** All J ≥ 0 and no fields (Wolff applies). */
  ferromagnetic: boolean;
  /** First offending coupling for Wolff's error message, if any. */
  firstNegative: { i: number; j: number; J: number } | null;
  hasFields: boolean;
}

export function couplingInfo(system: SpinSystem): CouplingInfo {
  const { offsets, J } = system.neighbors;
  const n = system.n;
  let integer = true;
  let maxField = 0;
  for (let i = 0; i < n; i++) {
    let f = system.fields === null ? 0 : Math.abs(system.fields[i]);
    if (system.fields !== null && !Number.isInteger(system.fields[i])) integer = false;
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      if (!Number.isInteger(J[k])) integer = false;
      f += Math.abs(J[k]);
    }
    if (f > maxField) maxField = f;
  }
  if (maxField > MAX_INT_FIELD) integer = false;
  let firstNegative: CouplingInfo["firstNegative"] = null;
  const e = system.edges;
  for (let k = 0; k < e.J.length; k++) {
    if (e.J[k] < 0) {
      firstNegative = { i: e.i[k], j: e.j[k], J: e.J[k] };
      break;
    }
  }
  let hasFields = false;
  if (system.fields !== null) for (let i = 0; i < n; i++) if (system.fields[i] !== 0) hasFields = true;
  return { integer, maxField: Math.ceil(maxField), ferromagnetic: firstNegative === null && !hasFields, firstNegative, hasFields };
}

/** R replicas of an n-spin system, replica r at s[r·n .. (r+1)·n). */
export class SpinChains {
  readonly n: number;
  readonly replicas: number;
  readonly s: Int8Array;
  /** Energy of each replica (float64). */
  readonly energy: Float64Array;
  /** Σ_i s_i of each replica. */
  readonly magnetization: Float64Array;
  readonly info: CouplingInfo;
  private readonly offsets: Int32Array;
  private readonly index: Int32Array;
  private readonly Jf: Float64Array;
  private readonly Ji: Int32Array;
  private readonly hi: Int32Array | null;
  private readonly hf: Float64Array | null;
  private readonly fieldsF: Float64Array;
  private readonly metroTables = new Map<number, Float64Array>();
  private readonly heatTables = new Map<number, Float64Array>();
  private readonly wolffTables = new Map<number, Float64Array>();
  private readonly stack: Int32Array;
  private readonly stamp: Int32Array;
  private stampValue = 0;

  constructor(readonly system: SpinSystem, replicas: number) {
    this.n = system.n;
    this.replicas = replicas;
    this.info = couplingInfo(system);
    this.offsets = system.neighbors.offsets;
    this.index = system.neighbors.index;
    this.Jf = system.neighbors.J;
    this.Ji = Int32Array.from(this.Jf, (v) => (this.info.integer ? v : 0));
    this.fieldsF = system.fields === null ? new Float64Array(this.n) : Float64Array.from(system.fields);
    this.s = new Int8Array(replicas * this.n);
    if (this.info.integer) {
      this.hi = new Int32Array(replicas * this.n);
      this.hf = null;
    } else {
      this.hi = null;
      this.hf = new Float64Array(replicas * this.n);
    }
    this.energy = new Float64Array(replicas);
    this.magnetization = new Float64Array(replicas);
    this.stack = new Int32Array(this.n);
    this.stamp = new Int32Array(this.n);
  }

  /** Set replica r to configuration x (entries > 0 → +1, else −1) and recompute its fields, energy and magnetisation. */
  set(r: number, x: ArrayLike<number>, xOffset = 0): void {
    const n = this.n;
    const off = r * n;
    const s = this.s;
    for (let i = 0; i < n; i++) s[off + i] = x[xOffset + i] > 0 ? 1 : -1;
    this.recompute(r);
  }

  /** Random ±1 configuration for replica r. */
  randomize(r: number, rng: Rng): void {
    const off = r * this.n;
    for (let i = 0; i < this.n; i++) this.s[off + i] = rng.nextU32() & 1 ? 1 : -1;
    this.recompute(r);
  }

  /** Recompute local fields, energy and magnetisation of replica r from its spins. */
  recompute(r: number): void {
    const n = this.n;
    const off = r * n;
    const { s, offsets, index, Jf, fieldsF } = this;
    let e = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      let h = fieldsF[i];
      for (let k = offsets[i]; k < offsets[i + 1]; k++) h += Jf[k] * s[off + index[k]];
      if (this.hi !== null) this.hi[off + i] = Math.round(h);
      else this.hf![off + i] = h;
      // E = −½ Σ_i s_i (h_i + local) − ½ Σ_i h_i s_i  (each edge counted twice in the CSR sum)
      e -= 0.5 * s[off + i] * (h + fieldsF[i]);
      m += s[off + i];
    }
    this.energy[r] = e;
    this.magnetization[r] = m;
  }

  /** Copy replica r's spins into out[outOffset ..] as ±1 numbers. */
  copyOut(r: number, out: Float64Array | Float32Array, outOffset: number): void {
    const off = r * this.n;
    for (let i = 0; i < this.n; i++) out[outOffset + i] = this.s[off + i];
  }

  private metroTable(beta: number): Float64Array {
    let t = this.metroTables.get(beta);
    if (t === undefined) {
      // t[sh] = P(accept) · 2^32 for s_i h_i = sh > 0, ΔE = 2 sh
      t = new Float64Array(this.info.maxField + 1);
      for (let sh = 0; sh <= this.info.maxField; sh++) t[sh] = Math.exp(-2 * beta * sh) * TWO32;
      this.metroTables.set(beta, t);
    }
    return t;
  }

  private heatTable(beta: number): Float64Array {
    let t = this.heatTables.get(beta);
    if (t === undefined) {
      const H = this.info.maxField;
      t = new Float64Array(2 * H + 1);
      for (let h = -H; h <= H; h++) t[h + H] = TWO32 / (1 + Math.exp(-2 * beta * h));
      this.heatTables.set(beta, t);
    }
    return t;
  }

  /** One Metropolis sweep (n attempts, sites in order) of replica r at β; returns the number of accepted flips. */
  metropolisSweep(r: number, beta: number, rng: Rng): number {
    return this.hi !== null ? this.metroInt(r, this.metroTable(beta), rng) : this.metroFloat(r, beta, rng);
  }

  private metroInt(r: number, table: Float64Array, rng: Rng): number {
    const n = this.n;
    const off = r * n;
    const s = this.s;
    const h = this.hi!;
    const offsets = this.offsets;
    const index = this.index;
    const J = this.Ji;
    let acc = 0;
    let dE = 0;
    let dM = 0;
    for (let i = 0; i < n; i++) {
      const si = s[off + i];
      const sh = si * h[off + i];
      if (sh > 0 && rng.nextU32() >= table[sh]) continue;
      s[off + i] = -si;
      const d = 2 * si;
      for (let k = offsets[i], ke = offsets[i + 1]; k < ke; k++) h[off + index[k]] -= d * J[k];
      dE += 2 * sh;
      dM -= d;
      acc++;
    }
    this.energy[r] += dE;
    this.magnetization[r] += dM;
    return acc;
  }

  private metroFloat(r: number, beta: number, rng: Rng): number {
    const n = this.n;
    const off = r * n;
    const s = this.s;
    const h = this.hf!;
    const offsets = this.offsets;
    const index = this.index;
    const J = this.Jf;
    let acc = 0;
    let dE = 0;
    let dM = 0;
    for (let i = 0; i < n; i++) {
      const si = s[off + i];
      const de = 2 * si * h[off + i];
      if (de > 0 && rng.uniform32() >= Math.exp(-beta * de)) continue;
      s[off + i] = -si;
      const d = 2 * si;
      for (let k = offsets[i], ke = offsets[i + 1]; k < ke; k++) h[off + index[k]] -= d * J[k];
      dE += de;
      dM -= d;
      acc++;
    }
    this.energy[r] += dE;
    this.magnetization[r] += dM;
    return acc;
  }

  /** One heat-bath sweep of replica r at β (each spin drawn from its conditional); returns the number of spins that changed. */
  heatBathSweep(r: number, beta: number, rng: Rng): number {
    const n = this.n;
    const off = r * n;
    const s = this.s;
    const offsets = this.offsets;
    const index = this.index;
    let acc = 0;
    let dE = 0;
    let dM = 0;
    if (this.hi !== null) {
      const h = this.hi;
      const J = this.Ji;
      const t = this.heatTable(beta);
      const H = this.info.maxField;
      for (let i = 0; i < n; i++) {
        const hv = h[off + i];
        const snew = rng.nextU32() < t[hv + H] ? 1 : -1;
        const si = s[off + i];
        if (snew === si) continue;
        s[off + i] = snew;
        const d = 2 * si;
        for (let k = offsets[i], ke = offsets[i + 1]; k < ke; k++) h[off + index[k]] -= d * J[k];
        dE += 2 * si * hv;
        dM -= d;
        acc++;
      }
    } else {
      const h = this.hf!;
      const J = this.Jf;
      for (let i = 0; i < n; i++) {
        const hv = h[off + i];
        const snew = rng.uniform32() * (1 + Math.exp(-2 * beta * hv)) < 1 ? 1 : -1;
        const si = s[off + i];
        if (snew === si) continue;
        s[off + i] = snew;
        const d = 2 * si;
        for (let k = offsets[i], ke = offsets[i + 1]; k < ke; k++) h[off + index[k]] -= d * J[k];
        dE += 2 * si * hv;
        dM -= d;
        acc++;
      }
    }
    this.energy[r] += dE;
    this.magnetization[r] += dM;
    return acc;
  }

  private wolffTable(beta: number): Float64Array {
    let t = this.wolffTables.get(beta);
    if (t === undefined) {
      // per CSR entry: P(add bond) = 1 − exp(−2βJ) as a 32-bit threshold
      t = Float64Array.from(this.Jf, (J) => (J > 0 ? -Math.expm1(-2 * beta * J) * TWO32 : 0));
      this.wolffTables.set(beta, t);
    }
    return t;
  }

  /**
   * One Wolff cluster flip of replica r at β (ferromagnetic couplings, no
   * fields; the caller checks). Returns the cluster size.
   */
  wolffStep(r: number, beta: number, rng: Rng): number {
    const n = this.n;
    const off = r * n;
    const s = this.s;
    const offsets = this.offsets;
    const index = this.index;
    const J = this.Jf;
    const p = this.wolffTable(beta);
    const stamp = this.stamp;
    if (++this.stampValue >= 0x7fffffff) {
      stamp.fill(0);
      this.stampValue = 1;
    }
    const mark = this.stampValue;
    const seed = rng.int(n);
    const s0 = s[off + seed];
    const flipped = -s0 as -1 | 1;
    // breadth-first growth; queue[0 .. size) ends up holding the cluster
    const queue = this.stack;
    let head = 0;
    let size = 1;
    queue[0] = seed;
    stamp[seed] = mark;
    s[off + seed] = flipped;
    while (head < size) {
      const i = queue[head++];
      for (let k = offsets[i], ke = offsets[i + 1]; k < ke; k++) {
        const j = index[k];
        if (stamp[j] === mark || s[off + j] !== s0) continue;
        if (rng.nextU32() < p[k]) {
          stamp[j] = mark;
          s[off + j] = flipped;
          queue[size++] = j;
        }
      }
    }
    // energy change from bonds crossing the cluster boundary, ΔE = Σ 2 J s_i^old s_j,
    // and local fields kept consistent for later local moves
    let dE = 0;
    const d = 2 * s0;
    if (this.hi !== null) {
      const h = this.hi;
      const Ji = this.Ji;
      for (let q = 0; q < size; q++) {
        const i = queue[q];
        for (let k = offsets[i], ke = offsets[i + 1]; k < ke; k++) {
          const j = index[k];
          if (stamp[j] !== mark) dE += d * J[k] * s[off + j];
          h[off + j] -= d * Ji[k];
        }
      }
    } else {
      const h = this.hf!;
      for (let q = 0; q < size; q++) {
        const i = queue[q];
        for (let k = offsets[i], ke = offsets[i + 1]; k < ke; k++) {
          const j = index[k];
          if (stamp[j] !== mark) dE += d * J[k] * s[off + j];
          h[off + j] -= d * J[k];
        }
      }
    }
    this.energy[r] += dE;
    this.magnetization[r] -= 2 * s0 * size;
    return size;
  }
}
