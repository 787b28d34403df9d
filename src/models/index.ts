/** Generative models: the contract, the autoregressive spin-model extras, MADE. */
export type { GenerativeModel, Sample } from "./types";
export {
  isSpinModel,
  hasReinforceGradients,
  sampleSpins,
  bernoulliLogProb,
  symmetrizeLogProb,
  logitBound,
  type SpinModel,
  type SpinSamples,
  type SampleArraysOptions,
  type ModelConfig,
  type ModelContext,
  type ReinforceGradientModel,
  type ReinforceGradients,
} from "./spin";
export { Made, made, type MadeOptions, type MadeConfig } from "./made";
export { PixelCnn, pixelcnn, type PixelCnnOptions, type PixelCnnConfig } from "./pixelcnn";
export { TwoBo, twobo, type TwoBoOptions, type TwoBoConfig } from "./twobo";
export { XyMade, xyMade, lnI0Scaled, vonMisesDraw, type XyMadeOptions, type XyMadeConfig, type XyMadeSymmetry, type AngleSamples } from "./xyMade";
export { modelFromConfig, registerModelType, modelTypes, type ModelFactory, type ModelClass } from "./registry";
export { PottsMade, pottsMade, type PottsMadeOptions, type PottsMadeConfig } from "./pottsMade";
export { PottsPixelCnn, pottsPixelcnn, type PottsPixelCnnOptions, type PottsPixelCnnConfig } from "./pottsPixelcnn";
export { AutoregressivePottsModel, permutations, type PottsSymmetry, type PottsSamples } from "./potts";
export { checkModelTarget, type LatticeSystem } from "./target";
