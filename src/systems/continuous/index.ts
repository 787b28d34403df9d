/** Continuous systems for Boltzmann generators and Langevin-type samplers. */
export { QuarticSystem, DoubleWellSystem, doubleWell, manyWell, type DoubleWellOptions, type ManyWellOptions } from "./quartic";
export { MullerBrownSystem, mullerBrown, type MullerBrownOptions } from "./mullerBrown";
export { GaussianMixtureSystem, gaussianMixture, type GaussianMixtureOptions } from "./gaussianMixture";
export { isFactorized, type EnergyFactor, type FactorizedSystem, type WellInfo } from "./types";
export { Phi4System, phi4, parsePhi4Spec, isPhi4Spec, freePhi4, phi4Estimates, PHI4_OBSERVABLES, type Phi4Options, type FreePhi4Result, type Phi4Estimates, type Phi4EstimatesOptions } from "./phi4";
