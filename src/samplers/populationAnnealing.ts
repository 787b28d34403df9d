/**
 * Population annealing (Hukushima–Iba 2003, Machta 2010; Wang, Machta and
 * Katzgraber, Phys. Rev. E 92, 063307 (2015)): a population of R replicas is
 * annealed from β = 0, where uniform random spins are an exact sample, along a
 * schedule 0 = β_0 < β_1 < … < β_K = β. At each step β_k → β_{k+1} every
 * replica r gets the weight w_r = e^{−Δβ_k E_r}, the population is resampled
 * in proportion to the weights (its size stays R), and each replica then does
 * S Metropolis or heat-bath sweeps at β_{k+1}. The mean weight estimates a
 * ratio of partition functions, so one run gives the whole free-energy curve:
 *
 *   ln Z_{β_k} = N ln 2 + Σ_{j<k} ln Q_j,   Q_j = (1/R) Σ_r e^{−(β_{j+1}−β_j) E_r}
 *
 * (log-sum-exp in float64, E_r of the population equilibrated at β_j). The
 * energy at β_k is the population mean after the sweeps at β_k.
 *
 * Error bars come from M independent runs (`runs`, default 8): per β the M
 * values are combined either by weighted averaging (default, `combine:
 * "weighted"`: ln Z = ln mean_m Z_m, the estimator of one run with M·R
 * replicas, and E = Σ_m Z_m E_m / Σ_m Z_m) or by the plain mean of ln Z_m and
 * E_m (`combine: "mean"`); the error is the leave-one-run-out jackknife over
 * the M runs (for the plain mean that is the standard error s/√M). Z_m is
 * unbiased, so weighted averaging has the smaller bias (ln of a mean of M
 * values, not of one). With few runs the error bar is itself uncertain (a
 * t-distribution with M − 1 degrees of freedom: with M = 4 a 3σ deviation
 * happens 6% of the time, with M = 8 2%, with M = 16 1%); near the ground
 * state the run-to-run spread of E is heavy-tailed, so prefer M ≥ 8.
 *
 * Resampling keeps the population size fixed: "systematic" (default: one
 * uniform, R evenly spaced points on the cumulative weights; each replica gets
 * ⌊R w_r/Σw⌋ or one more copies) or "multinomial" (R independent draws).
 *
 * Diagnostics per β (averaged over the runs): the Kish effective fraction of
 * the reweighting (Σw)²/(R Σw²), the mean square family size
 * ρ_t = R Σ_i 𝔫_i² and the entropic family size ρ_s = R e^{Σ_i 𝔫_i ln 𝔫_i},
 * 𝔫_i being the fraction of the population descending from initial replica i
 * (WMK 2015: equilibration needs R ≫ ρ_t), the fraction of initial families
 * that survive, and the Monte Carlo acceptance.
 *
 * The sweep kernel works on typed arrays over the system's CSR couplings, with
 * local fields kept up to date after every flip; systems whose couplings and
 * fields are integers (±J glasses, Ising) use integer fields (Int8 when they
 * fit) and acceptance tables compared with raw 32-bit uniforms.
 */
import { progress as progressBar } from "../core/progress";
import { resolveRng, type RandomOptions, type Rng } from "../core/random";
import { checkInteger, checkKeys, checkOneOf, checkPositive } from "../core/validate";
import { jackknife } from "../stats";
import type { SpinSystem } from "../systems/types";

const WHERE = "populationAnnealing";
const TWO32 = 4294967296;
/** Largest |local field| for which the integer path builds tables. */
const MAX_INT_FIELD = 1 << 16;
/** Largest memory for the population (spins and local fields, two buffers each), in bytes. */
const MAX_POPULATION_BYTES = 2 ** 31;

export type PaMove = "metropolis" | "heatbath";
export type PaResampling = "systematic" | "multinomial";
export type PaCombine = "weighted" | "mean";

export interface PopulationAnnealingOptions extends RandomOptions {
  /** The spin system (any couplings, optional fields). */
  system: SpinSystem;
  /** Target inverse temperature β > 0 (may be omitted when `temperatures` is an array: its last entry). */
  beta?: number;
  /** Population size R (default 1000). */
  replicas?: number;
  /**
   * The β schedule: a number K of steps, linear in β from 0 to `beta`
   * (β_k = β k/K, k = 1..K; default 100), or the increasing positive β_1 < … < β_K
   * themselves, the last equal to `beta`.
   */
  temperatures?: number | ReadonlyArray<number>;
  /** Sweeps S (n attempted updates each) per replica at every β of the schedule (default 10). */
  sweeps?: number;
  /** Independent runs M for the error bars (≥ 2, default 8). */
  runs?: number;
  /** Local move: "metropolis" (default) or "heatbath". */
  move?: PaMove;
  /** Resampling scheme, population size kept at R: "systematic" (default) or "multinomial". */
  resampling?: PaResampling;
  /** How the M runs are combined: "weighted" (ln mean Z, Z-weighted E; default) or "mean" (mean ln Z, mean E). */
  combine?: PaCombine;
  /** Progress bar: true/false forces, undefined = automatic. */
  progress?: boolean;
}

/** A value with its error bar (one standard deviation, from the spread over runs). */
export interface PaEstimate {
  mean: number;
  error: number;
}

/** One β of the schedule. */
export interface PaCurvePoint {
  beta: number;
  /** ln Z and its error. */
  logZ: number;
  logZError: number;
  /** F/N = −ln Z/(βN) and its error. */
  freeEnergyPerSpin: number;
  freeEnergyError: number;
  /** E/N and its error. */
  energyPerSpin: number;
  energyError: number;
  /** Standard deviation of ln Z over the runs (a direct measure of the run-to-run spread). */
  logZSpread: number;
  /** Kish effective fraction (Σw)²/(R Σw²) of the reweighting into this β, mean over runs. */
  essFraction: number;
  /** Mean square family size ρ_t = R Σ_i 𝔫_i² after this β, mean over runs. */
  rhoT: number;
  /** Entropic family size ρ_s = R exp(Σ_i 𝔫_i ln 𝔫_i), mean over runs. */
  rhoS: number;
  /** Fraction of the R initial families still present, mean over runs. */
  survivingFamilies: number;
  /** Fraction of accepted (Metropolis) or changed (heat bath) spins in the sweeps at this β. */
  acceptance: number;
}

/** One independent run, at the target β. */
export interface PaRun {
  logZ: number;
  freeEnergyPerSpin: number;
  energyPerSpin: number;
}

export interface PopulationAnnealingResult {
  sampler: "population-annealing";
  system: string;
  n: number;
  /** Target β. */
  beta: number;
  replicas: number;
  /** Number of β steps K. */
  temperatures: number;
  sweeps: number;
  runs: number;
  move: PaMove;
  resampling: PaResampling;
  combine: PaCombine;
  /** At the target β. */
  logZ: PaEstimate;
  freeEnergyPerSpin: PaEstimate;
  energyPerSpin: PaEstimate;
  /** Every β of the schedule, increasing (the last is the target). */
  curve: PaCurvePoint[];
  /** The M runs at the target β. */
  runValues: PaRun[];
  /** Attempted spin updates (R·S·N·K·M) and their rate per second of wall time. */
  updates: number;
  updatesPerSecond: number;
  elapsedMs: number;
  /**
   * Plain-language warnings about the schedule and population: a reweighting
   * step whose Kish fraction fell below 0.5 (too few temperatures), a mean
   * square family size ρ_t above R/10 at the target (too small a population or
   * too few sweeps; WMK 2015 ask for R ≫ ρ_t). Empty when neither happens.
   */
  warnings: string[];
}

// ---------------------------------------------------------------- validation

interface Resolved {
  system: SpinSystem;
  betas: Float64Array;
  replicas: number;
  sweeps: number;
  runs: number;
  move: PaMove;
  resampling: PaResampling;
  combine: PaCombine;
  progress: boolean | undefined;
  rng: Rng;
  /** Integer path and its table half-width (see `integerInfo`). */
  integer: boolean;
  maxField: number;
}

function checkSpinSystem(s: unknown): SpinSystem {
  const sys = s as SpinSystem | null;
  if (sys === null || typeof sys !== "object" || sys.kind !== "spin" || typeof sys.n !== "number" || sys.neighbors === undefined) {
    throw new Error(`${WHERE}: system must be a spin system (kind "spin" with CSR neighbours), got ${s === null ? "null" : typeof s}`);
  }
  return sys;
}

function resolve(options: PopulationAnnealingOptions): Resolved {
  if (options === null || typeof options !== "object") throw new Error(`${WHERE}: options {system, beta, ...} are required`);
  checkKeys(options, ["system", "beta", "replicas", "temperatures", "sweeps", "runs", "move", "resampling", "combine", "progress", "seed", "rng"], WHERE);
  const system = checkSpinSystem(options.system);
  const t = options.temperatures ?? 100;
  let betas: Float64Array;
  let beta: number;
  if (typeof t === "number") {
    beta = checkPositive(options.beta, "beta", WHERE);
    const K = checkInteger(t, "temperatures", WHERE, { min: 1, max: 1e6 });
    betas = new Float64Array(K);
    for (let k = 1; k <= K; k++) betas[k - 1] = (beta * k) / K;
    betas[K - 1] = beta;
  } else if (Array.isArray(t)) {
    if (t.length < 1) throw new Error(`${WHERE}: temperatures must be a positive integer or a non-empty array of β values`);
    betas = new Float64Array(t.length);
    for (let k = 0; k < t.length; k++) {
      const b = t[k];
      if (typeof b !== "number" || !Number.isFinite(b) || b <= 0) throw new Error(`${WHERE}: temperatures[${k}] must be a finite β > 0, got ${String(b)}`);
      if (k > 0 && !(b > betas[k - 1])) throw new Error(`${WHERE}: temperatures must be strictly increasing, but temperatures[${k}] = ${b} ≤ temperatures[${k - 1}] = ${betas[k - 1]}`);
      betas[k] = b;
    }
    const last = betas[betas.length - 1];
    beta = options.beta === undefined ? last : checkPositive(options.beta, "beta", WHERE);
    if (beta !== last) throw new Error(`${WHERE}: the last of temperatures (${last}) must equal beta (${beta})`);
  } else {
    throw new Error(`${WHERE}: temperatures must be a positive integer or an array of β values, got ${typeof t}`);
  }
  const replicas = options.replicas === undefined ? 1000 : checkInteger(options.replicas, "replicas", WHERE, { min: 2 });
  const { integer, maxField } = integerInfo(system);
  const bytesPerSpin = 2 * (1 + fieldBytes(integer, maxField));
  if (replicas * system.n * bytesPerSpin > MAX_POPULATION_BYTES) {
    throw new Error(`${WHERE}: replicas × n = ${replicas} × ${system.n} needs ${((replicas * system.n * bytesPerSpin) / 2 ** 30).toFixed(1)} GiB (more than ${MAX_POPULATION_BYTES / 2 ** 30}); use fewer replicas`);
  }
  const sweeps = options.sweeps === undefined ? 10 : checkInteger(options.sweeps, "sweeps", WHERE, { min: 1 });
  const runs = options.runs === undefined ? 8 : checkInteger(options.runs, "runs", WHERE, { min: 2 });
  const move = options.move === undefined ? "metropolis" : checkOneOf(options.move, ["metropolis", "heatbath"] as const, "move", WHERE);
  const resampling = options.resampling === undefined ? "systematic" : checkOneOf(options.resampling, ["systematic", "multinomial"] as const, "resampling", WHERE);
  const combine = options.combine === undefined ? "weighted" : checkOneOf(options.combine, ["weighted", "mean"] as const, "combine", WHERE);
  if (options.progress !== undefined && typeof options.progress !== "boolean") throw new Error(`${WHERE}: progress must be a boolean, got ${String(options.progress)}`);
  const rng = resolveRng(options, WHERE);
  return { system, betas, replicas, sweeps, runs, move, resampling, combine, progress: options.progress, rng, integer, maxField };
}

// ---------------------------------------------------------------- the population

type IntFields = Int8Array | Int16Array | Int32Array;

/** Integer couplings and fields with bounded local fields → the integer path and its table half-width. */
function integerInfo(system: SpinSystem): { integer: boolean; maxField: number } {
  const { offsets, J } = system.neighbors;
  let integer = true;
  let maxField = 0;
  for (let i = 0; i < system.n; i++) {
    const hi = system.fields === null ? 0 : system.fields[i];
    if (!Number.isInteger(hi)) integer = false;
    let f = Math.abs(hi);
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      if (!Number.isInteger(J[k])) integer = false;
      f += Math.abs(J[k]);
    }
    if (f > maxField) maxField = f;
  }
  return { integer: integer && maxField <= MAX_INT_FIELD, maxField: Math.ceil(maxField) };
}

/** Bytes per stored local field: the narrowest integer type that holds ±maxField, else float64. */
function fieldBytes(integer: boolean, maxField: number): number {
  return !integer ? 8 : maxField <= 127 ? 1 : maxField <= 32767 ? 2 : 4;
}

/**
 * R replicas of an n-spin system with their local fields and energies, and a
 * second buffer of each for resampling. Replica r occupies [r·n, (r+1)·n).
 */
class Population {
  readonly n: number;
  s: Int8Array;
  private s2: Int8Array;
  /** Integer local fields (integer path) or null. */
  hi: IntFields | null;
  private hi2: IntFields | null;
  /** Float local fields (general path) or null. */
  hf: Float64Array | null;
  private hf2: Float64Array | null;
  energy: Float64Array;
  private energy2: Float64Array;
  /** Initial replica each replica descends from. */
  ancestor: Int32Array;
  private ancestor2: Int32Array;
  readonly parent: Int32Array;
  private readonly counts: Int32Array;
  private readonly weights: Float64Array;
  /** R + 1 exponentials for multinomial resampling. */
  private readonly scratch: Float64Array;
  private readonly Ji: Int32Array;
  private readonly fieldsF: Float64Array;
  private readonly tables = new Map<number, Float64Array>();

  constructor(
    readonly system: SpinSystem,
    readonly R: number,
    readonly integer: boolean,
    readonly maxField: number,
    readonly move: PaMove,
  ) {
    const n = system.n;
    this.n = n;
    this.s = new Int8Array(R * n);
    this.s2 = new Int8Array(R * n);
    if (integer) {
      const bytes = fieldBytes(true, maxField);
      const make = (): IntFields => (bytes === 1 ? new Int8Array(R * n) : bytes === 2 ? new Int16Array(R * n) : new Int32Array(R * n));
      this.hi = make();
      this.hi2 = make();
      this.hf = this.hf2 = null;
    } else {
      this.hf = new Float64Array(R * n);
      this.hf2 = new Float64Array(R * n);
      this.hi = this.hi2 = null;
    }
    this.energy = new Float64Array(R);
    this.energy2 = new Float64Array(R);
    this.ancestor = new Int32Array(R);
    this.ancestor2 = new Int32Array(R);
    this.parent = new Int32Array(R);
    this.counts = new Int32Array(R);
    this.weights = new Float64Array(R);
    this.scratch = new Float64Array(R + 1);
    this.Ji = Int32Array.from(system.neighbors.J, (v) => (integer ? v : 0));
    this.fieldsF = system.fields === null ? new Float64Array(n) : Float64Array.from(system.fields);
  }

  /** Uniform random spins (the exact β = 0 ensemble), every replica its own family. */
  randomize(rng: Rng): void {
    const s = this.s;
    for (let k = 0; k < s.length; k++) s[k] = rng.nextU32() & 1 ? 1 : -1;
    for (let r = 0; r < this.R; r++) {
      this.ancestor[r] = r;
      this.recompute(r);
    }
  }

  /** Local fields and energy of replica r from its spins. */
  recompute(r: number): void {
    const n = this.n;
    const off = r * n;
    const { offsets, index, J } = this.system.neighbors;
    const s = this.s;
    const hF = this.fieldsF;
    let e = 0;
    for (let i = 0; i < n; i++) {
      let h = hF[i];
      for (let k = offsets[i]; k < offsets[i + 1]; k++) h += J[k] * s[off + index[k]];
      if (this.hi !== null) this.hi[off + i] = Math.round(h);
      else this.hf![off + i] = h;
      // E = −½ Σ_i s_i (local_i + h_i): the CSR sum counts every bond twice, the field once
      e -= 0.5 * s[off + i] * (h + hF[i]);
    }
    this.energy[r] = e;
  }

  /** Acceptance table for β: Metropolis t[sh] = e^{−2β sh}·2³², heat bath t[h+H] = 2³²/(1+e^{−2βh}). */
  private table(beta: number): Float64Array {
    let t = this.tables.get(beta);
    if (t === undefined) {
      const H = this.maxField;
      if (this.move === "metropolis") {
        t = new Float64Array(H + 1);
        for (let sh = 0; sh <= H; sh++) t[sh] = Math.exp(-2 * beta * sh) * TWO32;
      } else {
        t = new Float64Array(2 * H + 1);
        for (let h = -H; h <= H; h++) t[h + H] = TWO32 / (1 + Math.exp(-2 * beta * h));
      }
      this.tables.clear(); // one β at a time
      this.tables.set(beta, t);
    }
    return t;
  }

  /** `sweeps` sweeps (sites in order) of every replica at β; returns the number of flipped spins. */
  sweepAll(beta: number, sweeps: number, rng: Rng): number {
    let acc = 0;
    if (this.hi !== null) {
      const t = this.table(beta);
      for (let r = 0; r < this.R; r++) {
        for (let k = 0; k < sweeps; k++) acc += this.move === "metropolis" ? this.metroInt(r, t, rng) : this.heatInt(r, t, rng);
      }
    } else {
      for (let r = 0; r < this.R; r++) {
        for (let k = 0; k < sweeps; k++) acc += this.move === "metropolis" ? this.metroFloat(r, beta, rng) : this.heatFloat(r, beta, rng);
      }
    }
    return acc;
  }

  private metroInt(r: number, table: Float64Array, rng: Rng): number {
    const n = this.n;
    const off = r * n;
    const s = this.s;
    const h = this.hi!;
    const { offsets, index } = this.system.neighbors;
    const J = this.Ji;
    let acc = 0;
    let dE = 0;
    for (let i = 0; i < n; i++) {
      const si = s[off + i];
      const sh = si * h[off + i];
      if (sh > 0 && rng.nextU32() >= table[sh]) continue;
      s[off + i] = -si;
      const d = 2 * si;
      for (let k = offsets[i], ke = offsets[i + 1]; k < ke; k++) h[off + index[k]] -= d * J[k];
      dE += 2 * sh;
      acc++;
    }
    this.energy[r] += dE;
    return acc;
  }

  private heatInt(r: number, table: Float64Array, rng: Rng): number {
    const n = this.n;
    const off = r * n;
    const s = this.s;
    const h = this.hi!;
    const { offsets, index } = this.system.neighbors;
    const J = this.Ji;
    const H = this.maxField;
    let acc = 0;
    let dE = 0;
    for (let i = 0; i < n; i++) {
      const hv = h[off + i];
      const snew = rng.nextU32() < table[hv + H] ? 1 : -1;
      const si = s[off + i];
      if (snew === si) continue;
      s[off + i] = snew;
      const d = 2 * si;
      for (let k = offsets[i], ke = offsets[i + 1]; k < ke; k++) h[off + index[k]] -= d * J[k];
      dE += 2 * si * hv;
      acc++;
    }
    this.energy[r] += dE;
    return acc;
  }

  private metroFloat(r: number, beta: number, rng: Rng): number {
    const n = this.n;
    const off = r * n;
    const s = this.s;
    const h = this.hf!;
    const { offsets, index, J } = this.system.neighbors;
    let acc = 0;
    let dE = 0;
    for (let i = 0; i < n; i++) {
      const si = s[off + i];
      const de = 2 * si * h[off + i];
      if (de > 0 && rng.uniform32() >= Math.exp(-beta * de)) continue;
      s[off + i] = -si;
      const d = 2 * si;
      for (let k = offsets[i], ke = offsets[i + 1]; k < ke; k++) h[off + index[k]] -= d * J[k];
      dE += de;
      acc++;
    }
    this.energy[r] += dE;
    return acc;
  }

  private heatFloat(r: number, beta: number, rng: Rng): number {
    const n = this.n;
    const off = r * n;
    const s = this.s;
    const h = this.hf!;
    const { offsets, index, J } = this.system.neighbors;
    let acc = 0;
    let dE = 0;
    for (let i = 0; i < n; i++) {
      const hv = h[off + i];
      const snew = rng.uniform32() * (1 + Math.exp(-2 * beta * hv)) < 1 ? 1 : -1;
      const si = s[off + i];
      if (snew === si) continue;
      s[off + i] = snew;
      const d = 2 * si;
      for (let k = offsets[i], ke = offsets[i + 1]; k < ke; k++) h[off + index[k]] -= d * J[k];
      dE += 2 * si * hv;
      acc++;
    }
    this.energy[r] += dE;
    return acc;
  }

  /**
   * Reweight by e^{−Δβ E} and resample R replicas in proportion to the weights.
   * Returns ln Q = ln (1/R) Σ_r e^{−Δβ E_r} and the Kish effective fraction.
   */
  reweightAndResample(dBeta: number, scheme: PaResampling, rng: Rng): { logQ: number; essFraction: number } {
    const R = this.R;
    const E = this.energy;
    let eMin = Infinity;
    for (let r = 0; r < R; r++) if (E[r] < eMin) eMin = E[r];
    const w = this.weights; // ≤ 1
    let sw = 0;
    let sw2 = 0;
    for (let r = 0; r < R; r++) {
      const x = Math.exp(-dBeta * (E[r] - eMin));
      w[r] = x;
      sw += x;
      sw2 += x * x;
    }
    const logQ = -dBeta * eMin + Math.log(sw / R);
    const essFraction = (sw * sw) / (sw2 * R);
    // parents in non-decreasing order from R sorted points on the cumulative weights
    const parent = this.parent;
    let p = 0;
    let cum = w[0];
    if (scheme === "systematic") {
      const step = sw / R;
      let u = rng.uniform() * step;
      for (let j = 0; j < R; j++) {
        while (u >= cum && p < R - 1) cum += w[++p];
        parent[j] = p;
        u += step;
      }
    } else {
      // sorted uniforms as normalised partial sums of R + 1 exponentials
      let total = 0;
      const ex = this.scratch;
      for (let j = 0; j <= R; j++) {
        let v = 0;
        while (v === 0) v = rng.uniform();
        ex[j] = -Math.log(v);
        total += ex[j];
      }
      let acc = 0;
      for (let j = 0; j < R; j++) {
        acc += ex[j];
        const u = (acc / total) * sw;
        while (u >= cum && p < R - 1) cum += w[++p];
        parent[j] = p;
      }
    }
    // copy children into the second buffers, then swap
    const n = this.n;
    const s2 = this.s2;
    const e2 = this.energy2;
    const a2 = this.ancestor2;
    for (let j = 0; j < R; j++) {
      const q = parent[j];
      s2.set(this.s.subarray(q * n, q * n + n), j * n);
      if (this.hi !== null) this.hi2!.set(this.hi.subarray(q * n, q * n + n), j * n);
      else this.hf2!.set(this.hf!.subarray(q * n, q * n + n), j * n);
      a2[j] = this.ancestor[q];
      e2[j] = E[q];
    }
    [this.s, this.s2] = [this.s2, this.s];
    [this.hi, this.hi2] = [this.hi2, this.hi];
    [this.hf, this.hf2] = [this.hf2, this.hf];
    [this.energy, this.energy2] = [this.energy2, this.energy];
    [this.ancestor, this.ancestor2] = [this.ancestor2, this.ancestor];
    return { logQ, essFraction };
  }

  /** ρ_t, ρ_s and the surviving fraction of the initial families. */
  families(): { rhoT: number; rhoS: number; surviving: number } {
    const R = this.R;
    const c = this.counts;
    c.fill(0);
    for (let r = 0; r < R; r++) c[this.ancestor[r]]++;
    let sq = 0;
    let ent = 0;
    let alive = 0;
    for (let i = 0; i < R; i++) {
      if (c[i] === 0) continue;
      alive++;
      const f = c[i] / R;
      sq += f * f;
      ent -= f * Math.log(f);
    }
    return { rhoT: R * sq, rhoS: R / Math.exp(ent), surviving: alive / R };
  }

  meanEnergy(): number {
    let e = 0;
    for (let r = 0; r < this.R; r++) e += this.energy[r];
    return e / this.R;
  }
}

// ---------------------------------------------------------------- combining runs

function combineRuns(logZ: Float64Array, energy: Float64Array, how: PaCombine): { logZ: PaEstimate; energy: PaEstimate } {
  const M = logZ.length;
  if (how === "mean") {
    const z = jackknife({ series: logZ, estimator: (m) => m[0], blocks: M });
    const e = jackknife({ series: energy, estimator: (m) => m[0], blocks: M });
    return { logZ: { mean: z.estimate, error: z.error }, energy: { mean: e.estimate, error: e.error } };
  }
  let top = -Infinity;
  for (let m = 0; m < M; m++) if (logZ[m] > top) top = logZ[m];
  const w = Float64Array.from(logZ, (v) => Math.exp(v - top));
  const we = Float64Array.from(w, (v, m) => v * energy[m]);
  const z = jackknife({ series: w, estimator: (m) => top + Math.log(m[0]), blocks: M });
  const e = jackknife({ series: [w, we], estimator: (m) => m[1] / m[0], blocks: M });
  return { logZ: { mean: z.estimate, error: z.error }, energy: { mean: e.estimate, error: e.error } };
}

function sampleStd(x: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < x.length; k++) m += x[k];
  m /= x.length;
  let v = 0;
  for (let k = 0; k < x.length; k++) v += (x[k] - m) ** 2;
  return Math.sqrt(v / (x.length - 1));
}

// ---------------------------------------------------------------- the sampler

/**
 * Population annealing from β = 0 to `beta`: ln Z, F/N and E/N with errors
 * from `runs` independent runs at every β of the schedule, and the family-size
 * diagnostics (see the module doc). All options are checked before any work.
 */
export function populationAnnealing(options: PopulationAnnealingOptions): PopulationAnnealingResult {
  const o = resolve(options);
  const { system, betas, replicas: R, sweeps: S, runs: M } = o;
  const n = system.n;
  const K = betas.length;
  const { integer, maxField } = o;
  const t0 = Date.now();
  const bar = progressBar({ total: M * K, label: "population annealing", enabled: o.progress });
  const logZ = new Float64Array(M * K); // [m·K + k]
  const energy = new Float64Array(M * K);
  const ess = new Float64Array(K);
  const rhoT = new Float64Array(K);
  const rhoS = new Float64Array(K);
  const surv = new Float64Array(K);
  const accepted = new Float64Array(K);
  const pop = new Population(system, R, integer, maxField, o.move);
  for (let m = 0; m < M; m++) {
    const rng = o.rng.fork();
    pop.randomize(rng);
    let lz = n * Math.LN2;
    let prev = 0;
    for (let k = 0; k < K; k++) {
      const b = betas[k];
      const { logQ, essFraction } = pop.reweightAndResample(b - prev, o.resampling, rng);
      lz += logQ;
      accepted[k] += pop.sweepAll(b, S, rng);
      const fam = pop.families();
      logZ[m * K + k] = lz;
      energy[m * K + k] = pop.meanEnergy() / n;
      ess[k] += essFraction / M;
      rhoT[k] += fam.rhoT / M;
      rhoS[k] += fam.rhoS / M;
      surv[k] += fam.surviving / M;
      prev = b;
      bar.tick(1, `run ${m + 1}/${M} β=${b.toPrecision(3)}`);
    }
  }
  bar.done();
  const curve: PaCurvePoint[] = [];
  const zk = new Float64Array(M);
  const ek = new Float64Array(M);
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      zk[m] = logZ[m * K + k];
      ek[m] = energy[m * K + k];
    }
    const c = combineRuns(zk, ek, o.combine);
    const b = betas[k];
    curve.push({
      beta: b,
      logZ: c.logZ.mean,
      logZError: c.logZ.error,
      freeEnergyPerSpin: -c.logZ.mean / (b * n),
      freeEnergyError: c.logZ.error / (b * n),
      energyPerSpin: c.energy.mean,
      energyError: c.energy.error,
      logZSpread: sampleStd(zk),
      essFraction: ess[k],
      rhoT: rhoT[k],
      rhoS: rhoS[k],
      survivingFamilies: surv[k],
      acceptance: accepted[k] / (M * R * S * n),
    });
  }
  const last = curve[K - 1];
  const warnings: string[] = [];
  let worst = 0;
  for (let k = 1; k < K; k++) if (curve[k].essFraction < curve[worst].essFraction) worst = k;
  if (curve[worst].essFraction < 0.5) {
    warnings.push(`the reweighting into β = ${curve[worst].beta} kept a Kish fraction of only ${curve[worst].essFraction.toFixed(3)} of the population: use more temperatures`);
  }
  if (last.rhoT > R / 10) {
    warnings.push(`the mean square family size ρ_t = ${last.rhoT.toFixed(1)} at β = ${last.beta} exceeds R/10 = ${R / 10}: use more replicas or more sweeps`);
  }
  const beta = betas[K - 1];
  const runValues: PaRun[] = [];
  for (let m = 0; m < M; m++) {
    const lz = logZ[m * K + K - 1];
    runValues.push({ logZ: lz, freeEnergyPerSpin: -lz / (beta * n), energyPerSpin: energy[m * K + K - 1] });
  }
  const elapsedMs = Date.now() - t0;
  const updates = M * K * R * S * n;
  return {
    sampler: "population-annealing",
    system: system.name,
    n,
    beta,
    replicas: R,
    temperatures: K,
    sweeps: S,
    runs: M,
    move: o.move,
    resampling: o.resampling,
    combine: o.combine,
    logZ: { mean: last.logZ, error: last.logZError },
    freeEnergyPerSpin: { mean: last.freeEnergyPerSpin, error: last.freeEnergyError },
    energyPerSpin: { mean: last.energyPerSpin, error: last.energyError },
    curve,
    runValues,
    updates,
    updatesPerSecond: elapsedMs > 0 ? (updates / elapsedMs) * 1000 : Infinity,
    elapsedMs,
    warnings,
  };
}
