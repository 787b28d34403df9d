/** Normalizing flows: RealNVP affine couplings, ActNorm, permutations and their composition. */
export { checkFlowInput, type Flow } from "./types";
export { AffineCoupling, affineCoupling, type AffineCouplingOptions, type Activation } from "./coupling";
export { ActNorm, actNorm, type ActNormOptions } from "./actnorm";
export { CompositeFlow, Permutation, composeFlows, realNVP, type RealNVPOptions } from "./composite";
export { Whiten, whiten, symmetricEigen, type WhitenOptions } from "./whiten";
