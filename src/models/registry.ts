/**
 * Building spin models from their configs (as stored in checkpoints), so a
 * checkpoint alone can bring a trained model back: `modelFromConfig(config)`.
 *
 * Models serialise themselves (tfjs's getConfig/fromConfig pattern): each
 * class has `config()` and, beside it, `static fromConfig(config, context)`;
 * the registry only maps a config's `type` to its class and never reads or
 * rewrites the config itself. A new model family is one file plus one line in
 * `BUILTIN` (or one `registerModelType` call from outside the library).
 */
import { Made } from "./made";
import { PixelCnn } from "./pixelcnn";
import { PottsMade } from "./pottsMade";
import { PottsPixelCnn } from "./pottsPixelcnn";
import { TwoBo } from "./twobo";
import { XyMade } from "./xyMade";
import type { ModelConfig, ModelContext } from "./spin";
import type { GenerativeModel } from "./types";

/** A model class that rebuilds itself from its config: `static fromConfig` beside `config()`. */
export interface ModelClass {
  /** A fresh model with the architecture of `config` (weights are loaded afterwards). */
  fromConfig(config: ModelConfig, context?: ModelContext): GenerativeModel;
}

/** Builds a fresh model of the architecture in `config` (weights are loaded afterwards). */
export type ModelFactory = (config: ModelConfig, context: ModelContext) => GenerativeModel;

/** The built-in model families: config `type` → class. */
const BUILTIN: Readonly<Record<string, ModelClass>> = {
  made: Made,
  pixelcnn: PixelCnn,
  twobo: TwoBo,
  "potts-made": PottsMade,
  "potts-pixelcnn": PottsPixelCnn,
  xymade: XyMade,
};

/** Families registered at run time (they take precedence over the built-in ones). */
const registered = new Map<string, ModelFactory>();

/**
 * Register (or replace) a model family: a class with a static `fromConfig`,
 * or a factory function `(config, context) => model`.
 */
export function registerModelType(type: string, model: ModelClass | ModelFactory): void {
  if (typeof type !== "string" || type === "") throw new Error("registerModelType: type must be a non-empty string");
  if (model !== null && typeof (model as Partial<ModelClass>).fromConfig === "function") {
    const cls = model as ModelClass;
    registered.set(type, (config, context) => cls.fromConfig(config, context));
  } else if (typeof model === "function") {
    registered.set(type, model as ModelFactory);
  } else {
    throw new Error("registerModelType: model must be a class with a static fromConfig or a factory function (config, context) => model");
  }
}

/** The registered model families. */
export function modelTypes(): string[] {
  return [...new Set([...Object.keys(BUILTIN), ...registered.keys()])].sort();
}

/** A fresh model with the architecture of `config` (from a checkpoint or `model.config()`). */
export function modelFromConfig(config: ModelConfig, context: ModelContext = {}): GenerativeModel {
  if (config === null || typeof config !== "object" || typeof config.type !== "string") {
    throw new Error("modelFromConfig: config must be an object with a string `type`");
  }
  const factory = registered.get(config.type);
  if (factory !== undefined) return factory(config, context);
  const cls = Object.hasOwn(BUILTIN, config.type) ? BUILTIN[config.type] : undefined;
  if (cls === undefined) {
    throw new Error(`modelFromConfig: unknown model type "${config.type}" (known: ${modelTypes().join(", ")})`);
  }
  return cls.fromConfig(config, context);
}
