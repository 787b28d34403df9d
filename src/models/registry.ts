/**
 * Building spin models from their configs (as stored in checkpoints), so a
 * checkpoint alone can bring a trained model back: `modelFromConfig(config)`.
 * Each model family registers a factory under its `config.type`.
 */
import { made, type MadeOptions } from "./made";
import type { ModelConfig } from "./spin";
import type { GenerativeModel } from "./types";
import type { SpinSystem } from "../systems/types";

/** Builds a fresh model of the architecture in `config` (weights are loaded afterwards). */
export type ModelFactory = (config: ModelConfig, context: { system?: SpinSystem }) => GenerativeModel;

const factories = new Map<string, ModelFactory>();

/** Register (or replace) the factory for a model family. */
export function registerModelType(type: string, factory: ModelFactory): void {
  if (typeof type !== "string" || type === "") throw new Error("registerModelType: type must be a non-empty string");
  if (typeof factory !== "function") throw new Error("registerModelType: factory must be a function");
  factories.set(type, factory);
}

/** The registered model families. */
export function modelTypes(): string[] {
  ensureBuiltins();
  return [...factories.keys()].sort();
}

let builtins = false;
function ensureBuiltins(): void {
  if (builtins) return;
  builtins = true;
  if (!factories.has("made")) {
    factories.set("made", (c) => {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { type, ...rest } = c;
      return made(rest as unknown as MadeOptions);
    });
  }
}

/** A fresh model with the architecture of `config` (from a checkpoint or `model.config()`). */
export function modelFromConfig(config: ModelConfig, context: { system?: SpinSystem } = {}): GenerativeModel {
  ensureBuiltins();
  if (config === null || typeof config !== "object" || typeof config.type !== "string") {
    throw new Error("modelFromConfig: config must be an object with a string `type`");
  }
  const f = factories.get(config.type);
  if (f === undefined) {
    throw new Error(`modelFromConfig: unknown model type "${config.type}" (known: ${modelTypes().join(", ")})`);
  }
  return f(config, context);
}
