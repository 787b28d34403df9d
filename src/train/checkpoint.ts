/**
 * Checkpoints: the model's architecture, weights and the optimizer's state in
 * one JSON file, written atomically (to a temporary file in the same folder,
 * then renamed over the target). Loading into a model of another architecture
 * or size fails with a message that says what differs.
 */
import fs from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { checkKeys } from "../core/validate";
import { isSpinModel, type ModelConfig } from "../models/spin";
import type { GenerativeModel } from "../models/types";
import type { Adam, AdamState } from "./adam";
import { modelFromConfig } from "../models/registry";
import type { SpinSystem } from "../systems/types";

const FORMAT = "boltzlab-checkpoint";
const VERSION = 1;

interface StoredTensor {
  name: string;
  shape: number[];
  /** float32 little-endian, base64. */
  data: string;
}

interface StoredFile {
  format: typeof FORMAT;
  version: number;
  config: ModelConfig | null;
  variables: StoredTensor[];
  optimizer: (Omit<AdamState, "m" | "v"> & { m: string[]; v: string[] }) | null;
  /** Training position and anything else the trainer wants back (β, step, ...). */
  meta: Record<string, unknown>;
}

export interface SaveCheckpointOptions {
  path: string;
  model: GenerativeModel;
  optimizer?: Adam | null;
  meta?: Record<string, unknown>;
}

export interface LoadCheckpointOptions {
  path: string;
  model: GenerativeModel;
  /** Restore the optimizer's state too (it must belong to `model`). */
  optimizer?: Adam | null;
}

export interface CheckpointInfo {
  path: string;
  config: ModelConfig | null;
  meta: Record<string, unknown>;
  /** Whether an optimizer state was restored. */
  optimizerRestored: boolean;
}

function encode(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

function decode(s: string): Float32Array {
  const b = Buffer.from(s, "base64");
  const out = new Float32Array(b.byteLength / 4);
  Buffer.from(out.buffer).set(b);
  return out;
}

function names(model: GenerativeModel): string[] {
  return isSpinModel(model) ? model.variableNames : model.trainableVariables.map((_, k) => `v${k}`);
}

function describe(c: ModelConfig | null): string {
  if (c === null) return "a model without config";
  return `${c.type} (${Object.entries(c).filter(([k]) => k !== "type").map(([k, v]) => `${k}=${String(v)}`).join(", ")})`;
}

/** Write weights, optimizer state and architecture to `path` atomically. */
export function saveCheckpoint(options: SaveCheckpointOptions): string {
  const W = "saveCheckpoint";
  checkKeys(options, ["path", "model", "optimizer", "meta"], W);
  if (typeof options.path !== "string" || options.path === "") throw new Error(`${W}: path must be a non-empty string`);
  const model = options.model;
  if (model === undefined || !Array.isArray(model?.trainableVariables)) throw new Error(`${W}: model must be a GenerativeModel`);
  const nm = names(model);
  const file: StoredFile = {
    format: FORMAT,
    version: VERSION,
    config: isSpinModel(model) ? model.config() : null,
    variables: model.trainableVariables.map((v, k) => ({ name: nm[k], shape: v.shape.slice(), data: encode(v.dataSync() as Float32Array) })),
    optimizer: null,
    meta: options.meta ?? {},
  };
  if (options.optimizer) {
    const st = options.optimizer.getState();
    file.optimizer = { ...st, m: st.m.map(encode), v: st.v.map(encode) };
  }
  const target = path.resolve(options.path);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeSync(fd, JSON.stringify(file));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`${W}: could not write ${target}: ${(e as Error).message}`);
  }
  return target;
}

/** Read a checkpoint into `model` (and `optimizer`); throws on any mismatch, leaving the model unchanged. */
export function loadCheckpoint(options: LoadCheckpointOptions): CheckpointInfo {
  const W = "loadCheckpoint";
  checkKeys(options, ["path", "model", "optimizer"], W);
  if (typeof options.path !== "string" || options.path === "") throw new Error(`${W}: path must be a non-empty string`);
  return applyCheckpoint(readCheckpointFile(options.path, W), options, W);
}

/** Parse a checkpoint file, checking its format and version. */
function readCheckpointFile(file: string, W: string): StoredFile {
  let parsed: StoredFile;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8")) as StoredFile;
  } catch (e) {
    throw new Error(`${W}: could not read ${file}: ${(e as Error).message}`);
  }
  if (parsed === null || parsed.format !== FORMAT) throw new Error(`${W}: ${file} is not a boltzlab checkpoint`);
  if (parsed.version !== VERSION) throw new Error(`${W}: ${file} has checkpoint version ${parsed.version}, this boltzlab reads ${VERSION}`);
  return parsed;
}

/** Put a parsed checkpoint's weights (and optimizer state) into `options.model`; throws on any mismatch, before changing anything. */
function applyCheckpoint(file: StoredFile, options: LoadCheckpointOptions, W: string): CheckpointInfo {
  const model = options.model;
  const config = isSpinModel(model) ? model.config() : null;
  if (file.config !== null && config !== null) {
    const keys = new Set([...Object.keys(file.config), ...Object.keys(config)]);
    const diff = [...keys].filter((k) => JSON.stringify(file.config![k]) !== JSON.stringify(config[k]));
    if (diff.length > 0) {
      throw new Error(
        `${W}: ${options.path} holds ${describe(file.config)} but the model is ${describe(config)} ` +
          `(differs in ${diff.join(", ")})`,
      );
    }
  }
  const vars = model.trainableVariables;
  const nm = names(model);
  if (file.variables.length !== vars.length) {
    throw new Error(`${W}: ${options.path} has ${file.variables.length} variables, the model ${vars.length} (${describe(file.config)} vs ${describe(config)})`);
  }
  const data: Float32Array[] = [];
  file.variables.forEach((s, k) => {
    const same = s.shape.length === vars[k].shape.length && s.shape.every((d, i) => d === vars[k].shape[i]);
    if (s.name !== nm[k] || !same) {
      throw new Error(`${W}: variable ${k} is ${s.name} [${s.shape.join(", ")}] in ${options.path} but ${nm[k]} [${vars[k].shape.join(", ")}] in the model`);
    }
    const d = decode(s.data);
    if (d.length !== vars[k].size) throw new Error(`${W}: variable ${s.name} in ${options.path} is truncated`);
    data.push(d);
  });
  let optimizerRestored = false;
  if (options.optimizer && file.optimizer !== null) {
    const o = file.optimizer;
    options.optimizer.setState({ ...o, m: o.m.map(decode), v: o.v.map(decode) });
    optimizerRestored = true;
  }
  tf.tidy(() => data.forEach((d, k) => vars[k].assign(tf.tensor(d, vars[k].shape))));
  return { path: options.path, config: file.config, meta: file.meta ?? {}, optimizerRestored };
}

export interface LoadModelOptions {
  /** The checkpoint file. */
  path: string;
  /** The system, for model families built from its couplings (e.g. TwoBo). */
  system?: SpinSystem;
}

/**
 * Rebuild a trained model from a checkpoint alone: the architecture from its
 * stored config, then its weights. Returns the model and the checkpoint info.
 */
export function loadModel(options: LoadModelOptions): { model: GenerativeModel; info: CheckpointInfo } {
  const W = "loadModel";
  checkKeys(options, ["path", "system"], W);
  if (typeof options?.path !== "string" || options.path === "") throw new Error(`${W}: path must be a non-empty string`);
  const file = readCheckpointFile(options.path, W);
  if (file.config === null) throw new Error(`${W}: ${options.path} stores no model config, so the model cannot be rebuilt; use loadCheckpoint with a model`);
  const model = modelFromConfig(file.config, { system: options.system });
  try {
    const info = applyCheckpoint(file, { path: options.path, model }, W);
    // β-dependent models (TwoBo) get back the β they were trained at.
    const m = model as GenerativeModel & { setBeta?: (b: number) => void };
    if (typeof m.setBeta === "function" && typeof info.meta.beta === "number" && info.meta.beta > 0) m.setBeta(info.meta.beta);
    return { model, info };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
