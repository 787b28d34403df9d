/**
 * What continuous systems tell the exact (quadrature) solvers beyond the
 * `ContinuousSystem` contract: how the energy factorises into independent
 * blocks of one or two coordinates, and a box that holds the density.
 */
import type { ContinuousSystem } from "../types";

/** One independent block of coordinates: E(x) = Σ_blocks E_b(x_{dims_b}). */
export interface EnergyFactor {
  /** The coordinates of the block (one or two indices). */
  readonly dims: readonly number[];
  /** Energy of the block, given its coordinates in the order of `dims`. */
  energyOf(x: ArrayLike<number>): number;
  /** A box [lo, hi] per coordinate of the block that holds the density at β ≈ 1 (quadrature widens it when needed). */
  readonly range: readonly (readonly [number, number])[];
  /** ln ∫ e^{−βE_b} when known in closed form (harmonic blocks), else undefined. */
  analyticLogZ?(beta: number): number;
}

/** A continuous system with the structure quadrature needs. */
export interface FactorizedSystem extends ContinuousSystem {
  /** Independent blocks whose energies add up to the total (every coordinate in exactly one). */
  readonly factors: readonly EnergyFactor[];
}

/** Two metastable states split by a dividing surface x_axis = divide (double well, many-well). */
export interface WellInfo {
  /** Coordinate along which the wells are separated (0 for the double well). */
  readonly axis: number;
  /** Position of the barrier top along `axis` (the dividing surface). */
  readonly divide: number;
  /** The minimum of the left (x < divide) and right well, full coordinates. */
  readonly left: Float64Array;
  readonly right: Float64Array;
}

export function isFactorized(s: ContinuousSystem): s is FactorizedSystem {
  return Array.isArray((s as Partial<FactorizedSystem>).factors);
}
