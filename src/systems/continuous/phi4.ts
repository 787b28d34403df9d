/**
 * Two-dimensional lattice φ⁴ theory on an L×L periodic lattice, in the
 * parameterisation of Albergo, Kanwar and Shanahan (PRD 100, 034515, 2019):
 *
 *   S(φ) = Σ_x [ −2 Σ_{μ=1,2} φ_x φ_{x+μ̂} + (4 + m²) φ_x² + λ φ_x⁴ ],
 *
 * so that p(φ) ∝ e^{−S(φ)}: the action is the energy and β = 1 by convention
 * (a sampler's β multiplies S; use β = 1). For λ = 0 the action is the
 * quadratic form φᵀKφ with K = (4 + m²)·I − A (A the adjacency matrix of the
 * periodic square lattice), whose eigenvalues in momentum space are
 * K̃(p) = m² + 4 Σ_μ sin²(p_μ/2), p_μ = 2πn_μ/L; the free field is Gaussian
 * with covariance (2K)⁻¹, hence ⟨φ_x²⟩ = (1/V) Σ_p 1/(2K̃(p)) (V = L²) and
 * Var(M) = V/(2m²) for the magnetisation M = Σ_x φ_x (`freePhi4`). With
 * m² < 0 and λ > 0 the on-site potential (4 + m²)φ² + λφ⁴ is a double well
 * when m² < −4; the theory has an Ising-like transition: at fixed m² the Z₂
 * symmetry φ → −φ is broken for λ below a critical λ_c(m²).
 *
 * Observables per configuration (`phi4Observables`): the magnetisation
 * density M/V, |M|/V, the site average of φ² and the action; over a sample
 * (`phi4Estimates`): the susceptibility χ = V(⟨(M/V)²⟩ − ⟨|M|/V⟩²) and the
 * connected zero-momentum two-point function
 * G(t) = (1/V) Σ_y Σ_{x₁} ⟨φ_y φ_{y+(x₁,t)}⟩_c (t the separation of rows).
 *
 * Sites are row-major: x = r·L + c, so a configuration is a flat vector of
 * length V, or an [L, L] image (row r, column c).
 */
import * as tf from "@tensorflow/tfjs";
import { checkInteger, checkKeys, checkNumber } from "../../core/validate";
import type { ContinuousSystem, Geometry } from "../types";

export interface Phi4Options {
  /** Linear lattice size (≥ 2); dim = L². */
  L: number;
  /** Bare mass squared m² (negative for a double-well on-site potential). */
  m2: number;
  /** Quartic coupling λ ≥ 0. */
  lambda: number;
}

/** Names of the per-configuration observables, in the order `phi4Observables` writes them. */
export const PHI4_OBSERVABLES = ["action", "magnetization", "absMagnetization", "phi2"] as const;

/** The lattice φ⁴ system (β = 1: energy = action S). */
export class Phi4System implements ContinuousSystem {
  readonly kind = "continuous" as const;
  readonly dim: number;
  readonly name: string;
  readonly L: number;
  readonly m2: number;
  readonly lambda: number;
  readonly geometry: Geometry;
  /**
   * Per-configuration observables (site averages): `action` S, `magnetization`
   * M/V, `absMagnetization` |M|/V, `phi2` (1/V) Σ φ_x². Samplers that record
   * extra observables (hmc, flowMcmc) read them from here.
   */
  readonly observables: Record<(typeof PHI4_OBSERVABLES)[number], (x: ArrayLike<number>) => number>;

  constructor(options: Phi4Options) {
    const where = "phi4";
    checkKeys(options, ["L", "m2", "lambda"], where);
    this.L = checkInteger(options?.L, "L", where, { min: 2 });
    this.m2 = checkNumber(options.m2, "m2", where);
    this.lambda = checkNumber(options.lambda, "lambda", where, { min: 0 });
    if (this.lambda === 0 && !(this.m2 > 0)) throw new Error(`${where}: the free theory (lambda = 0) needs m2 > 0, got m2 = ${this.m2}`);
    this.dim = this.L * this.L;
    this.name = `phi4 L=${this.L} m2=${this.m2} lambda=${this.lambda}`;
    this.geometry = { grid: [this.L, this.L], periodic: [true, true] };
    const V = this.dim;
    this.observables = {
      action: (x) => this.energyOf(x),
      magnetization: (x) => sum(x, V) / V,
      absMagnetization: (x) => Math.abs(sum(x, V)) / V,
      phi2: (x) => {
        let s = 0;
        for (let i = 0; i < V; i++) s += x[i] * x[i];
        return s / V;
      },
    };
  }

  /** Batched action of [batch, L²] fields → [batch]; differentiable (float32). */
  energy(x: tf.Tensor2D): tf.Tensor1D {
    if (x === null || x === undefined || x.rank !== 2 || x.shape[1] !== this.dim) {
      throw new Error(`${this.name}.energy: x must have shape [batch, ${this.dim}], got [${x?.shape?.join(", ")}]`);
    }
    const L = this.L;
    return tf.tidy(() => {
      const B = x.shape[0];
      const f = tf.reshape(x, [B, L, L]) as tf.Tensor3D;
      // neighbours +1 along rows and columns (periodic roll)
      const down = tf.concat([tf.slice(f, [0, 1, 0], [B, L - 1, L]), tf.slice(f, [0, 0, 0], [B, 1, L])], 1);
      const right = tf.concat([tf.slice(f, [0, 0, 1], [B, L, L - 1]), tf.slice(f, [0, 0, 0], [B, L, 1])], 2);
      const f2 = tf.square(f);
      const kinetic = tf.mul(tf.mul(f, tf.add(down, right)), -2);
      const local = tf.add(tf.mul(f2, 4 + this.m2), tf.mul(tf.square(f2), this.lambda));
      return tf.sum(tf.add(kinetic, local), [1, 2]) as tf.Tensor1D;
    });
  }

  /** Action of one field (length L²) in float64. */
  energyOf(x: ArrayLike<number>): number {
    const L = this.L;
    const a = 4 + this.m2;
    const lam = this.lambda;
    let s = 0;
    for (let r = 0; r < L; r++) {
      const row = r * L;
      const rowDown = ((r + 1) % L) * L;
      for (let c = 0; c < L; c++) {
        const v = x[row + c];
        const right = x[row + ((c + 1) % L)];
        const down = x[rowDown + c];
        const v2 = v * v;
        s += -2 * v * (right + down) + a * v2 + lam * v2 * v2;
      }
    }
    return s;
  }

  /** ∂S/∂φ_x = −2 Σ_μ (φ_{x+μ} + φ_{x−μ}) + 2(4 + m²) φ_x + 4λ φ_x³, float64. */
  gradientOf(x: ArrayLike<number>, out?: Float64Array): Float64Array {
    const L = this.L;
    const g = out ?? new Float64Array(this.dim);
    const a2 = 2 * (4 + this.m2);
    const lam4 = 4 * this.lambda;
    for (let r = 0; r < L; r++) {
      const row = r * L;
      const up = ((r + L - 1) % L) * L;
      const down = ((r + 1) % L) * L;
      for (let c = 0; c < L; c++) {
        const v = x[row + c];
        const nb = x[row + ((c + 1) % L)] + x[row + ((c + L - 1) % L)] + x[up + c] + x[down + c];
        g[row + c] = -2 * nb + a2 * v + lam4 * v * v * v;
      }
    }
    return g;
  }
}

function sum(x: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  return s;
}

/** The lattice φ⁴ system S = Σ_x [−2 Σ_μ φ_x φ_{x+μ} + (4 + m²) φ_x² + λ φ_x⁴] (β = 1). */
export function phi4(options: Phi4Options): Phi4System {
  return new Phi4System(options);
}

/**
 * Parses `phi4:L=16,m2=-4,lambda=8` (all three keys required) into a
 * Phi4System. Separate from `parseSystemSpec`, which builds spin systems.
 */
export function parsePhi4Spec(spec: string): Phi4System {
  const W = "parsePhi4Spec";
  if (typeof spec !== "string") throw new Error(`${W}: spec must be a string like "phi4:L=16,m2=-4,lambda=8"`);
  const colon = spec.indexOf(":");
  const family = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  if (family !== "phi4") throw new Error(`${W}: spec must start with "phi4:", got "${spec}"`);
  const o: Record<string, number> = {};
  const keys = ["L", "m2", "lambda"];
  for (const part of (colon < 0 ? "" : spec.slice(colon + 1)).split(",").map((p) => p.trim()).filter((p) => p.length > 0)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new Error(`${W}: "${part}" in "${spec}" must be key=value`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!keys.includes(key)) throw new Error(`${W}: unknown key "${key}" for phi4 (known: ${keys.join(", ")})`);
    if (key in o) throw new Error(`${W}: key "${key}" given twice in "${spec}"`);
    const x = Number(value);
    if (value === "" || !Number.isFinite(x)) throw new Error(`${W}: ${key} must be a number in "${spec}", got "${value}"`);
    o[key] = x;
  }
  for (const k of keys) if (!(k in o)) throw new Error(`${W}: ${k} is required in "${spec}" (e.g. phi4:L=16,m2=-4,lambda=8)`);
  try {
    return new Phi4System({ L: o.L, m2: o.m2, lambda: o.lambda });
  } catch (e) {
    throw new Error(`${W}("${spec}"): ${(e as Error).message}`);
  }
}

/** Whether a spec string names the φ⁴ family (for CLI dispatch). */
export function isPhi4Spec(spec: unknown): spec is string {
  return typeof spec === "string" && /^\s*phi4\s*(:|$)/.test(spec);
}

export interface FreePhi4Result {
  /** ⟨φ_x²⟩ = (1/V) Σ_p 1/(2K̃(p)). */
  phi2: number;
  /** ⟨|M|⟩/V = sqrt(2 Var(M)/π)/V with Var(M) = V/(2m²) (M is Gaussian). */
  absMagnetization: number;
  /** ⟨S⟩ = V/2 (equipartition of a quadratic action). */
  action: number;
  /** χ = Var(M)/V = 1/(2m²) (connected, with ⟨M⟩ = 0). */
  susceptibility: number;
  /** Connected zero-momentum two-point function G(t), t = 0..L−1 (see `phi4Estimates`). */
  twoPoint: Float64Array;
}

/**
 * Exact results of the free lattice theory (λ = 0, m² > 0) in the
 * normalisation of `Phi4System`: the field is Gaussian with covariance
 * C = (2K)⁻¹, C(x − y) = (1/V) Σ_p e^{ip(x−y)} / (2K̃(p)), K̃(p) = m² + 4Σ_μ sin²(p_μ/2).
 */
export function freePhi4(options: { L: number; m2: number }): FreePhi4Result {
  const where = "freePhi4";
  checkKeys(options, ["L", "m2"], where);
  const L = checkInteger(options?.L, "L", where, { min: 2 });
  const m2 = checkNumber(options.m2, "m2", where, { above: 0 });
  const V = L * L;
  const s2 = new Float64Array(L);
  for (let n = 0; n < L; n++) s2[n] = 4 * Math.sin((Math.PI * n) / L) ** 2;
  let phi2 = 0;
  for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) phi2 += 1 / (2 * (m2 + s2[a] + s2[b]));
  phi2 /= V;
  // G(t) = Σ_{x1} C((x1, t)) = (1/L) Σ_{p2} e^{i p2 t} / (2K̃(0, p2))
  const twoPoint = new Float64Array(L);
  for (let t = 0; t < L; t++) {
    let g = 0;
    for (let b = 0; b < L; b++) g += Math.cos((2 * Math.PI * b * t) / L) / (2 * (m2 + s2[b]));
    twoPoint[t] = g / L;
  }
  const varM = V / (2 * m2);
  return { phi2, absMagnetization: Math.sqrt((2 * varM) / Math.PI) / V, action: V / 2, susceptibility: varM / V, twoPoint };
}

export interface Phi4EstimatesOptions {
  /** Configurations [n × L²] row-major (n ≥ 2). */
  samples: ArrayLike<number>;
  /** Linear lattice size. */
  L: number;
  /** Normalised weights per sample (reweighting), default uniform. */
  weights?: ArrayLike<number>;
}

export interface Phi4Estimates {
  /** ⟨|M|⟩/V. */
  absMagnetization: number;
  /** ⟨φ²⟩ site average. */
  phi2: number;
  /** χ = V(⟨(M/V)²⟩ − ⟨|M|/V⟩²) (the |M| form, finite in the broken phase). */
  susceptibility: number;
  /** χ₂ = V⟨(M/V)²⟩ (= Σ_x G_c(x) when ⟨M⟩ = 0 by symmetry). */
  susceptibility2: number;
  /**
   * Connected zero-momentum two-point function
   * G(t) = (1/V) Σ_{y} Σ_{x₁} [⟨φ_y φ_{y+(x₁,t)}⟩ − ⟨φ_y⟩⟨φ_{y+(x₁,t)}⟩], t = rows apart,
   * with ⟨φ_y⟩ estimated as the sample's site-averaged mean field.
   */
  twoPoint: Float64Array;
}

/** Sample estimates of the φ⁴ observables, accumulated in float64 (no error bars: use the sampler's stats for those). */
export function phi4Estimates(options: Phi4EstimatesOptions): Phi4Estimates {
  const where = "phi4Estimates";
  checkKeys(options, ["samples", "L", "weights"], where);
  const L = checkInteger(options?.L, "L", where, { min: 2 });
  const V = L * L;
  const x = options.samples;
  if (x === undefined || typeof x.length !== "number" || x.length < 2 * V || x.length % V !== 0) {
    throw new Error(`${where}: samples must hold n·${V} numbers with n ≥ 2, got ${x?.length}`);
  }
  const n = x.length / V;
  let w: Float64Array;
  if (options.weights !== undefined) {
    if (options.weights.length !== n) throw new Error(`${where}: weights must have ${n} entries (one per sample), got ${options.weights.length}`);
    w = Float64Array.from(options.weights);
    let s = 0;
    for (let k = 0; k < n; k++) {
      if (!(w[k] >= 0)) throw new Error(`${where}: weights[${k}] must be ≥ 0, got ${w[k]}`);
      s += w[k];
    }
    if (!(s > 0)) throw new Error(`${where}: weights sum to 0`);
    for (let k = 0; k < n; k++) w[k] /= s;
  } else w = new Float64Array(n).fill(1 / n);
  let absM = 0, m2 = 0, phi2 = 0, meanField = 0;
  // row sums R(r) = Σ_c φ(r, c): (1/V) Σ_y Σ_{x1} φ_y φ_{y+(x1,t)} = (1/V) Σ_r R(r) R(r+t)
  const corr = new Float64Array(L);
  const R = new Float64Array(L);
  for (let k = 0; k < n; k++) {
    const off = k * V;
    let M = 0, q = 0;
    for (let r = 0; r < L; r++) {
      let rs = 0;
      for (let c = 0; c < L; c++) {
        const v = x[off + r * L + c];
        rs += v;
        q += v * v;
      }
      R[r] = rs;
      M += rs;
    }
    const wk = w[k];
    absM += wk * Math.abs(M / V);
    m2 += wk * (M / V) ** 2;
    phi2 += wk * (q / V);
    meanField += wk * (M / V);
    for (let t = 0; t < L; t++) {
      let s = 0;
      for (let r = 0; r < L; r++) s += R[r] * R[(r + t) % L];
      corr[t] += (wk * s) / V;
    }
  }
  // disconnected part: (1/V) Σ_y Σ_{x1} ⟨φ⟩² = L ⟨φ⟩²
  const twoPoint = new Float64Array(L);
  for (let t = 0; t < L; t++) twoPoint[t] = corr[t] - L * meanField * meanField;
  return { absMagnetization: absM, phi2, susceptibility: V * (m2 - absM * absM), susceptibility2: V * m2, twoPoint };
}
