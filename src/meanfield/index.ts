/**
 * Mean-field baselines for pairwise spin systems (the references of the VAN
 * paper, Wu, Wang & Zhang, PRL 122, 080602 (2019)): `nmf` (naive mean field,
 * a variational upper bound on F), `tap` (Plefka's second-order expansion with
 * the Onsager reaction term) and `bethe` (belief propagation, exact on trees).
 * Each takes `(system, {beta, damping?, tolerance?, maxIterations?, restarts?, seed?})`
 * and returns F/N, U/N, S/N, the magnetisations and the iteration count, or
 * throws when no start converges. The inverse problem — couplings from
 * correlations by the closed-form NMF, TAP, independent-pair and
 * Sessak–Monasson inversions, with exact correlations by enumeration — is in
 * ./inverse.ts.
 */
export { nmf, nmfFreeEnergy } from "./nmf";
export { tap, tapFreeEnergyOf } from "./tap";
export { bethe } from "./bethe";
export type { MeanFieldOptions, MeanFieldResult } from "./common";
export {
  exactCorrelations, inverseIsing, couplingMatrix, couplingError, INVERSE_METHODS, MAX_CORRELATIONS_N,
  type Correlations, type InverseIsingOptions, type InverseIsingResult, type InverseMethod, type CouplingError,
} from "./inverse";
