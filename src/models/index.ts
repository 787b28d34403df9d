/** Generative models: the contract, the autoregressive spin-model extras, MADE. */
export type { GenerativeModel, Sample } from "./types";
export {
  isSpinModel,
  sampleSpins,
  bernoulliLogProb,
  symmetrizeLogProb,
  logitBound,
  type SpinModel,
  type SpinSamples,
  type SampleArraysOptions,
  type ModelConfig,
  type ModelContext,
} from "./spin";
export { Made, made, type MadeOptions, type MadeConfig } from "./made";
export { PixelCnn, pixelcnn, type PixelCnnOptions, type PixelCnnConfig } from "./pixelcnn";
export { TwoBo, twobo, type TwoBoOptions, type TwoBoConfig } from "./twobo";
export { modelFromConfig, registerModelType, modelTypes, type ModelFactory, type ModelClass } from "./registry";
