/** Continuous systems for Boltzmann generators and Langevin-type samplers. */
export { QuarticSystem, DoubleWellSystem, doubleWell, manyWell, type DoubleWellOptions, type ManyWellOptions } from "./quartic";
export { MullerBrownSystem, mullerBrown, type MullerBrownOptions } from "./mullerBrown";
export { GaussianMixtureSystem, gaussianMixture, type GaussianMixtureOptions } from "./gaussianMixture";
export { isFactorized, type EnergyFactor, type FactorizedSystem, type WellInfo } from "./types";
