/** Exact references: enumeration, Kaufman, Onsager, transfer matrix, Kac–Ward, Pfaffian, and `exact()` choosing among them. */
export type { ExactResult } from "../systems/types";
export { exact, applicableMethods, EXACT_METHODS, type ExactMethod, type ExactOptions } from "./exact";
export { enumerate, MAX_ENUMERATE_N, type EnumerateOptions, type EnumerationResult } from "./enumerate";
export { kaufman, kaufmanLattice, kaufmanLogZ, type KaufmanLatticeOptions } from "./kaufman";
export { onsager, onsagerLogZPerSpin, ellipticK, ONSAGER_BETA_C, type OnsagerOptions, type OnsagerResult } from "./onsager";
export { transferMatrix, MAX_TRANSFER_BAND, MAX_TRANSFER_COST, type TransferMatrixOptions } from "./transfer";
export { kacWard, type KacWardOptions } from "./kacward";
export { pfaffian, type PfaffianOptions, type PfaffianPrecision, type PfaffianResult } from "./pfaffian";
export {
  quadratureLogZ,
  marginalDensity,
  wellFreeEnergyDifference,
  type QuadratureOptions,
  type QuadratureLogZResult,
  type MarginalOptions,
  type MarginalResult,
  type WellDifferenceOptions,
  type WellDifferenceResult,
} from "./quadrature";
// q-state Potts (enumeration, strip transfer matrix, critical constants) and XY (Bessel chain/ring formulas, quadrature).
export * from "./pottsExports";
