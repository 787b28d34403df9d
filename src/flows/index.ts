/** Normalizing flows: RealNVP affine couplings, ActNorm, permutations and their composition. */
export { checkFlowInput, type Flow } from "./types";
export { AffineCoupling, affineCoupling, type AffineCouplingOptions, type Activation } from "./coupling";
export { ActNorm, actNorm, type ActNormOptions } from "./actnorm";
export { CompositeFlow, Permutation, composeFlows, realNVP, type RealNVPOptions } from "./composite";
export { AffineTransform, affineTransform, type AffineTransformOptions } from "./affineTransform";
export { ConvCoupling, convCoupling, ConvFlow, convFlow, type ConvCouplingOptions, type ConvFlowOptions, type ConvActivation } from "./convCoupling";
export { RationalQuadraticSpline, rationalQuadraticSpline, type RationalQuadraticSplineOptions } from "./spline";
export { TransformCoupling, transformCoupling, splineFlow, type TransformCouplingOptions, type SplineFlowOptions } from "./transformCoupling";
export type { ElementwiseTransform } from "./transforms";
export { Whiten, whiten, symmetricEigen, type WhitenOptions } from "./whiten";
