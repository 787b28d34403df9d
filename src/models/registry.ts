/**
 * Building spin models from their configs (as stored in checkpoints), so a
 * checkpoint alone can bring a trained model back: `modelFromConfig(config)`.
 * Each model family registers a factory under its `config.type`.
 */
import { made, type MadeOptions } from "./made";
import { pixelcnn, type PixelCnnConfig } from "./pixelcnn";
import { twobo, type TwoBoConfig } from "./twobo";
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
  if (!factories.has("pixelcnn")) {
    factories.set("pixelcnn", (config) => {
      const c = config as PixelCnnConfig;
      return pixelcnn({ L: c.rows, cols: c.cols, depth: c.depth, width: c.width, halfKernel: c.halfKernel, residual: c.residual, z2: c.z2, bias: c.bias, biasFreeFirst: c.biasFreeFirst, epsilon: c.epsilon, periodic: c.periodic ?? false, z2Method: c.z2Method ?? "mixture" });
    });
  }
  if (!factories.has("twobo")) {
    // the couplings shape the network, so the system must come along; β is a runtime setting (setBeta), not part of the config
    factories.set("twobo", (config, context) => {
      const c = config as TwoBoConfig;
      if (context.system === undefined) throw new Error(`modelFromConfig: a twobo model needs its system (the couplings of "${c.system}")`);
      const m = twobo({ system: context.system, reach: c.reach === "Infinity" ? Infinity : c.reach, hidden: c.hidden, skipWeight: c.skipWeight, betaSkip: c.betaSkip, z2: c.z2, biasFreeFirst: c.biasFreeFirst, epsilon: c.epsilon });
      if (m.config().features !== c.features || m.size !== c.size) {
        m.dispose();
        throw new Error(`modelFromConfig: the twobo config was made for "${c.system}" (${c.size} spins, ${c.features} features), not for "${context.system.name}"`);
      }
      return m;
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
