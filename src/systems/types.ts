/**
 * The contracts shared by systems, models, samplers and exact solvers.
 * Energy convention for spins: E(s) = −Σ_{(i,j)} J_ij s_i s_j − Σ_i h_i s_i,
 * s_i = ±1. β is always the caller's argument, never stored in a system.
 */
import type * as tf from "@tensorflow/tfjs";

/** Grid geometry: sizes per dimension (row-major site index, r·cols + c), and boundary per dimension. */
export interface Geometry {
  grid: number[];
  periodic: boolean[];
}

/** An Ising-type system of n spins s_i = ±1 with pairwise couplings and optional fields. */
export interface SpinSystem {
  readonly kind: "spin";
  /** Number of spins. */
  readonly n: number;
  /** A short human-readable name, e.g. "ising-2d L=16 periodic". */
  readonly name: string;
  /** Couplings as parallel arrays, each undirected edge once with i < j. */
  readonly edges: { readonly i: Int32Array; readonly j: Int32Array; readonly J: Float64Array };
  /** Fields h_i, or null when all are zero. */
  readonly fields: Float64Array | null;
  /** Grid geometry when the system lives on one (PixelCNN, transfer matrix, Kaufman need it). */
  readonly geometry: Geometry | null;
  /** CSR adjacency: neighbours of i are index[offsets[i] .. offsets[i+1]) with couplings J[...]. */
  readonly neighbors: { readonly offsets: Int32Array; readonly index: Int32Array; readonly J: Float64Array };
  /** Batched energies of a [batch, n] float32 tensor of ±1 → [batch]. Differentiable w.r.t. s. */
  energy(s: tf.Tensor2D): tf.Tensor1D;
  /** Energy of one configuration (±1 entries) in float64 on the JS side. */
  energyOf(s: ArrayLike<number>): number;
  /** Local field h_i + Σ_j J_ij s_j of site i. */
  localField(s: ArrayLike<number>, i: number): number;
  /** Energy change of flipping spin i: 2 s_i (h_i + Σ_j J_ij s_j). */
  deltaE(s: ArrayLike<number>, i: number): number;
}

/** A system with continuous coordinates x ∈ R^dim (Boltzmann generators, MALA, ...). */
export interface ContinuousSystem {
  readonly kind: "continuous";
  readonly dim: number;
  readonly name: string;
  /** Batched energies of a [batch, dim] tensor → [batch]. Differentiable w.r.t. x. */
  energy(x: tf.Tensor2D): tf.Tensor1D;
  /** Energy of one point in float64. */
  energyOf(x: ArrayLike<number>): number;
  /** Gradient of the energy at one point in float64 (for MALA and HMC). */
  gradientOf(x: ArrayLike<number>, out?: Float64Array): Float64Array;
}

export type System = SpinSystem | ContinuousSystem;

/**
 * The result shape of every exact method: ln Z, free energy per spin
 * f = −ln Z/(βN), and where the method gives them energy, entropy, specific
 * heat and |m| per spin (null where it does not).
 */
export interface ExactResult {
  method: string;
  n: number;
  beta: number;
  logZ: number;
  freeEnergyPerSpin: number;
  energyPerSpin: number | null;
  entropyPerSpin: number | null;
  specificHeatPerSpin: number | null;
  absMagnetizationPerSpin: number | null;
}

/**
 * A q-state Potts system: n variables σ_i ∈ {0, …, q−1},
 * E(σ) = −Σ_{(i,j)} J_ij δ(σ_i, σ_j) − Σ_i h_i δ(σ_i, 0).
 * Configurations travel as [batch, n] float32 tensors (or arrays) of the
 * integer states. q = 2 with J_Potts = 2 J_Ising is the Ising model up to a
 * constant: δ(a, b) = (1 + s_a s_b)/2.
 */
export interface PottsSystem {
  readonly kind: "potts";
  /** Number of variables. */
  readonly n: number;
  /** Number of states per variable (≥ 2). */
  readonly q: number;
  readonly name: string;
  /** Couplings, each undirected edge once with i < j. */
  readonly edges: { readonly i: Int32Array; readonly j: Int32Array; readonly J: Float64Array };
  /** Fields h_i on the state 0, or null when all are zero. */
  readonly fields: Float64Array | null;
  readonly geometry: Geometry | null;
  /** CSR adjacency, as for spin systems. */
  readonly neighbors: { readonly offsets: Int32Array; readonly index: Int32Array; readonly J: Float64Array };
  /** True when E is invariant under every relabelling of the q states (no fields). */
  readonly permutationSymmetric: boolean;
  /** Batched energies of a [batch, n] float32 tensor of states 0…q−1 → [batch]. */
  energy(s: tf.Tensor2D): tf.Tensor1D;
  /** Energy of one configuration in float64. */
  energyOf(s: ArrayLike<number>): number;
  /** Energy change of setting σ_i to the state k. */
  deltaE(s: ArrayLike<number>, i: number, k: number): number;
}

/**
 * An XY (planar rotor) system: n angles θ_i ∈ [0, 2π),
 * E(θ) = −Σ_{(i,j)} J_ij cos(θ_i − θ_j) − h Σ_i cos θ_i.
 * Configurations travel as [batch, n] float32 tensors (or arrays) of angles.
 */
export interface XYSystem {
  readonly kind: "xy";
  readonly n: number;
  readonly name: string;
  readonly edges: { readonly i: Int32Array; readonly j: Int32Array; readonly J: Float64Array };
  /** Uniform field h along θ = 0. */
  readonly h: number;
  readonly geometry: Geometry | null;
  readonly neighbors: { readonly offsets: Int32Array; readonly index: Int32Array; readonly J: Float64Array };
  /** Batched energies of a [batch, n] tensor of angles → [batch]. Differentiable w.r.t. θ. */
  energy(theta: tf.Tensor2D): tf.Tensor1D;
  energyOf(theta: ArrayLike<number>): number;
  /** Energy change of setting θ_i to `angle`. */
  deltaE(theta: ArrayLike<number>, i: number, angle: number): number;
}
