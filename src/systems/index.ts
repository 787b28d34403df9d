/** Spin systems: the general sparse system, standard constructors, observables, spec strings. */
export type { Geometry, SpinSystem, ContinuousSystem, System, ExactResult, PottsSystem, XYSystem } from "./types";
export { SparseSpinSystem, spinSystem, type SpinSystemOptions, type EdgeTriple, type EdgeArrays } from "./spin";
export {
  isingSquare,
  triangularAF,
  sk,
  ea2d,
  ea3d,
  rrg,
  curieWeiss,
  hopfield,
  type Boundary,
  type CouplingDistribution,
  type IsingOptions,
  type TriangularOptions,
  type SKOptions,
  type EAOptions,
  type RRGOptions,
  type CurieWeissOptions,
  type HopfieldOptions,
  type HopfieldSystem,
} from "./lattices";
export {
  energies,
  magnetization,
  absMagnetization,
  overlap,
  magnetizationOf,
  overlapOf,
  stateFromIndex,
  indexOfState,
  allStates,
} from "./observables";
export { parseSystemSpec, SYSTEM_FAMILIES } from "./parse";
// q-state Potts and XY systems (issue 11): constructors, observables, spec strings of every kind.
export * from "./pottsExports";
// Continuous systems (Boltzmann generators, MALA): double well, many-well, Müller–Brown, Gaussian mixture.
export {
  QuarticSystem,
  DoubleWellSystem,
  doubleWell,
  manyWell,
  MullerBrownSystem,
  mullerBrown,
  GaussianMixtureSystem,
  gaussianMixture,
  isFactorized,
  type DoubleWellOptions,
  type ManyWellOptions,
  type MullerBrownOptions,
  type GaussianMixtureOptions,
  type EnergyFactor,
  type FactorizedSystem,
  type WellInfo,
} from "./continuous/index";
