/**
 * Checkpoints: the model's architecture, weights and the optimizer's state in
 * one JSON file you can trust.
 *
 * - **Integrity.** Format version 2 stores a SHA-256 checksum over everything
 *   else in the file (config, the weight bytes as stored, the optimizer's
 *   state and moments, meta); loading recomputes it and refuses a file whose
 *   bytes changed (one altered base64 character, a truncated write, an edit).
 *   Version-1 files (without a checksum, e.g. the shipped
 *   data/models/ising-L16-beta0.44-pixelcnn.json) are still read.
 * - **Finite weights only.** Non-finite weights or optimizer moments are
 *   refused on save and on load, naming the variable.
 * - **Atomic writes.** A checkpoint is written to `<file>.tmp-<pid>-<time>` in
 *   the same folder, synced, then renamed over the target. The temporary file
 *   is removed on every exit path: on an error at once, and — through a
 *   registry of in-flight temporary files, with `exit`/`SIGINT`/`SIGTERM`
 *   handlers installed at the first save (never on import) — when the process
 *   ends during a write. Stale temporary files of a killed run (their pid no
 *   longer alive) are removed at the next save to the same path; on load they
 *   are ignored.
 *
 * Loading into a model of another architecture or size fails with a message
 * that says what differs, before anything is changed.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { checkKeys } from "../core/validate";
import { isSpinModel, type ModelConfig } from "../models/spin";
import type { GenerativeModel } from "../models/types";
import type { Adam, AdamState } from "./adam";
import { modelFromConfig } from "../models/registry";
import type { SpinSystem } from "../systems/types";

/**
 * A model that names its variables and describes its architecture: the spin
 * models, and any other model with `config()` and `variableNames` (XY-MADE).
 */
function selfDescribing(model: GenerativeModel): model is GenerativeModel & { config(): ModelConfig; variableNames: string[] } {
  if (isSpinModel(model)) return true;
  const m = model as Partial<{ config: unknown; variableNames: unknown }>;
  return typeof m.config === "function" && Array.isArray(m.variableNames);
}

const FORMAT = "boltzlab-checkpoint";
/** The version written; every version in `READABLE` is read. */
const VERSION = 2;
const READABLE = [1, 2];

interface StoredTensor {
  name: string;
  shape: number[];
  /** float32 little-endian, base64. */
  data: string;
}

type StoredOptimizer = Omit<AdamState, "m" | "v"> & { m: string[]; v: string[] };

/** What the checksum covers: every field of the file but format, version and the checksum itself. */
interface StoredPayload {
  config: ModelConfig | null;
  variables: StoredTensor[];
  optimizer: StoredOptimizer | null;
  /** Training position and anything else the trainer wants back (β, step, ...). */
  meta: Record<string, unknown>;
}

interface StoredFile extends StoredPayload {
  format: typeof FORMAT;
  version: number;
  /** SHA-256 (hex) of the payload's JSON text; from version 2 on. */
  checksum?: { algorithm: "sha256"; value: string };
}

export interface SaveCheckpointOptions {
  /** The checkpoint file; its folder is created if missing. */
  path: string;
  /** The model whose weights (and config, for spin models) are stored. */
  model: GenerativeModel;
  /** An optimizer whose state (step, moments) is stored too. */
  optimizer?: Adam | null;
  /** JSON-serialisable run state (step, β, ...), returned as `meta` on load. */
  meta?: Record<string, unknown>;
}

export interface LoadCheckpointOptions {
  /** The checkpoint file. */
  path: string;
  /** The model to load the weights into (same architecture as stored). */
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

export interface VerifiedCheckpoint {
  /** The file, as given. */
  path: string;
  /** Format version of the file (1 has no checksum). */
  version: number;
  /** Whether a checksum was stored and matched (false only for version 1). */
  checksummed: boolean;
  /** The stored model config (null for models without one). */
  config: ModelConfig | null;
  /** The stored run state. */
  meta: Record<string, unknown>;
  /** Names and shapes of the stored variables. */
  variables: { name: string; shape: number[] }[];
  /** Whether an optimizer state is stored. */
  hasOptimizer: boolean;
}

/** A parsed, verified file with its decoded tensors. */
interface DecodedFile {
  file: StoredFile;
  data: Float32Array[];
  optimizer: AdamState | null;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function encode(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

/** Strict base64 → float32; null when the text is not base64 of whole float32 values. */
function decode(s: unknown): Float32Array | null {
  if (typeof s !== "string" || s.length % 4 !== 0 || !BASE64.test(s)) return null;
  const b = Buffer.from(s, "base64");
  if (b.byteLength % 4 !== 0) return null;
  const out = new Float32Array(b.byteLength / 4);
  Buffer.from(out.buffer).set(b);
  return out;
}

/** Index and value of the first non-finite entry, or null. */
function firstNonFinite(a: ArrayLike<number>): { index: number; value: number } | null {
  for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) return { index: k, value: a[k] };
  return null;
}

function checksumOf(p: StoredPayload): string {
  const text = JSON.stringify({ config: p.config, variables: p.variables, optimizer: p.optimizer, meta: p.meta });
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function names(model: GenerativeModel): string[] {
  return selfDescribing(model) ? model.variableNames : model.trainableVariables.map((_, k) => `v${k}`);
}

function describe(c: ModelConfig | null): string {
  if (c === null) return "a model without config";
  return `${c.type} (${Object.entries(c).filter(([k]) => k !== "type").map(([k, v]) => `${k}=${String(v)}`).join(", ")})`;
}

// ---------------------------------------------------------------------------
// Temporary files: the in-flight registry and stale-file cleanup.

const inFlight = new Set<string>();
let handlersInstalled = false;

function removeInFlight(): void {
  for (const t of inFlight) {
    try {
      fs.rmSync(t, { force: true });
    } catch {
      /* best effort at exit */
    }
  }
  inFlight.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeInFlight();
  // Keep the default behaviour (terminate by the signal) unless someone else handles it.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

/** Install the exit and signal handlers that remove in-flight temporary files, once, at the first save. */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", removeInFlight);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** Temporary files of earlier writes to `target` whose process is gone (killed mid-write). */
function staleTemps(target: string): string[] {
  const dir = path.dirname(target);
  const prefix = `${path.basename(target)}.tmp-`;
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.startsWith(prefix)) continue;
    const m = /^(\d+)-\d+$/.exec(e.slice(prefix.length));
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) {
      if (!inFlight.has(path.join(dir, e))) out.push(path.join(dir, e));
      continue;
    }
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") out.push(path.join(dir, e));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------

/**
 * Write weights, optimizer state and architecture to `path` atomically, with
 * a checksum. Refuses non-finite weights or moments (naming the variable)
 * before anything is written. Returns the absolute path written.
 */
export function saveCheckpoint(options: SaveCheckpointOptions): string {
  const W = "saveCheckpoint";
  checkKeys(options, ["path", "model", "optimizer", "meta"], W);
  if (typeof options.path !== "string" || options.path === "") throw new Error(`${W}: path must be a non-empty string`);
  const model = options.model;
  if (model === undefined || !Array.isArray(model?.trainableVariables)) throw new Error(`${W}: model must be a GenerativeModel`);
  if (options.meta !== undefined && (options.meta === null || typeof options.meta !== "object")) throw new Error(`${W}: meta must be an object`);
  const target = path.resolve(options.path);
  const nm = names(model);
  const variables = model.trainableVariables.map((v, k) => {
    const d = v.dataSync() as Float32Array;
    const bad = firstNonFinite(d);
    if (bad !== null) throw new Error(`${W}: variable ${nm[k]} has a non-finite value (${bad.value} at index ${bad.index}); refusing to write ${target}`);
    return { name: nm[k], shape: v.shape.slice(), data: encode(d) };
  });
  let optimizer: StoredOptimizer | null = null;
  if (options.optimizer) {
    const st = options.optimizer.getState();
    for (const key of ["m", "v"] as const) {
      st[key].forEach((a, k) => {
        const bad = firstNonFinite(a);
        if (bad !== null) throw new Error(`${W}: optimizer moment ${key}[${k}] (of ${nm[k] ?? `variable ${k}`}) has a non-finite value (${bad.value} at index ${bad.index}); refusing to write ${target}`);
      });
    }
    optimizer = { ...st, m: st.m.map(encode), v: st.v.map(encode) };
  }
  const payload: StoredPayload = { config: selfDescribing(model) ? model.config() : null, variables, optimizer, meta: options.meta ?? {} };
  let text: string;
  try {
    const checksum = { algorithm: "sha256" as const, value: checksumOf(payload) };
    text = JSON.stringify({ format: FORMAT, version: VERSION, checksum, ...payload } satisfies StoredFile);
  } catch (e) {
    throw new Error(`${W}: meta is not JSON-serialisable: ${(e as Error).message}`);
  }
  installHandlers();
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    for (const s of staleTemps(target)) fs.rmSync(s, { force: true });
    inFlight.add(tmp);
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`${W}: could not write ${target}: ${(e as Error).message}`);
  } finally {
    inFlight.delete(tmp);
  }
  return target;
}

/** Read a checkpoint into `model` (and `optimizer`); throws on any mismatch or damage, leaving the model unchanged. */
export function loadCheckpoint(options: LoadCheckpointOptions): CheckpointInfo {
  const W = "loadCheckpoint";
  checkKeys(options, ["path", "model", "optimizer"], W);
  if (typeof options.path !== "string" || options.path === "") throw new Error(`${W}: path must be a non-empty string`);
  return applyCheckpoint(readCheckpointFile(options.path, W), options, W);
}

/**
 * Check a checkpoint file without a model: readable, complete JSON, the
 * right format and version, the checksum matching (version ≥ 2), every
 * tensor well-formed and finite. Throws an Error saying what is wrong (and
 * naming the file); returns what the file holds.
 */
export function verifyCheckpoint(options: { path: string }): VerifiedCheckpoint {
  const W = "verifyCheckpoint";
  checkKeys(options, ["path"], W);
  if (typeof options?.path !== "string" || options.path === "") throw new Error(`${W}: path must be a non-empty string`);
  const { file } = readCheckpointFile(options.path, W);
  return {
    path: options.path,
    version: file.version,
    checksummed: file.checksum !== undefined,
    config: file.config,
    meta: file.meta ?? {},
    variables: file.variables.map((v) => ({ name: v.name, shape: v.shape.slice() })),
    hasOptimizer: file.optimizer !== null && file.optimizer !== undefined,
  };
}

/** Parse and verify a checkpoint file (format, version, checksum, tensors); see `verifyCheckpoint`. */
function readCheckpointFile(file: string, W: string): DecodedFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${W}: could not read ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (e as Error).message}`);
  }
  let parsed: StoredFile;
  try {
    parsed = JSON.parse(text) as StoredFile;
  } catch (e) {
    throw new Error(`${W}: ${file} is not complete JSON (truncated or corrupted: ${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || parsed.format !== FORMAT) throw new Error(`${W}: ${file} is not a boltzlab checkpoint`);
  if (!READABLE.includes(parsed.version)) throw new Error(`${W}: ${file} has checkpoint version ${String(parsed.version)}, this boltzlab reads ${READABLE.join(" and ")}`);
  if (parsed.version >= 2) {
    const c = parsed.checksum;
    if (c === undefined || c === null || c.algorithm !== "sha256" || typeof c.value !== "string") throw new Error(`${W}: ${file} has no SHA-256 checksum (version ${parsed.version} files must have one)`);
    if (checksumOf(parsed) !== c.value) throw new Error(`${W}: ${file} fails its SHA-256 checksum: the file was altered or corrupted after it was written`);
  }
  if (!Array.isArray(parsed.variables)) throw new Error(`${W}: ${file} has no variables list`);
  const data = parsed.variables.map((s, k) => {
    const label = typeof s?.name === "string" ? s.name : `variable ${k}`;
    if (s === null || typeof s !== "object" || !Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${W}: ${file}: ${label} has no valid shape`);
    }
    const d = decode(s.data);
    if (d === null) throw new Error(`${W}: ${file}: the data of ${label} is not valid base64 float32 (corrupted)`);
    const size = s.shape.reduce((a, b) => a * b, 1);
    if (d.length !== size) throw new Error(`${W}: ${file}: ${label} has ${d.length} values for shape [${s.shape.join(", ")}] (${size}); the file is truncated or corrupted`);
    const bad = firstNonFinite(d);
    if (bad !== null) throw new Error(`${W}: ${file}: variable ${label} has a non-finite value (${bad.value} at index ${bad.index})`);
    return d;
  });
  let optimizer: AdamState | null = null;
  const o = parsed.optimizer;
  if (o !== null && o !== undefined) {
    if (!Array.isArray(o.m) || !Array.isArray(o.v)) throw new Error(`${W}: ${file}: the optimizer state has no moments`);
    const moments = (key: "m" | "v") =>
      o[key].map((s, k) => {
        const d = decode(s);
        if (d === null) throw new Error(`${W}: ${file}: optimizer moment ${key}[${k}] is not valid base64 float32 (corrupted)`);
        const bad = firstNonFinite(d);
        if (bad !== null) throw new Error(`${W}: ${file}: optimizer moment ${key}[${k}] has a non-finite value (${bad.value} at index ${bad.index})`);
        return d;
      });
    optimizer = { ...o, m: moments("m"), v: moments("v") };
  }
  return { file: parsed, data, optimizer };
}

/** Put a parsed checkpoint's weights (and optimizer state) into `options.model`; throws on any mismatch, before changing anything. */
function applyCheckpoint(decoded: DecodedFile, options: LoadCheckpointOptions, W: string): CheckpointInfo {
  const { file, data } = decoded;
  const model = options.model;
  const config = selfDescribing(model) ? model.config() : null;
  if (file.config !== null && config !== null) {
    const diff = configDifference(file.config, config);
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
  file.variables.forEach((s, k) => {
    const same = s.shape.length === vars[k].shape.length && s.shape.every((d, i) => d === vars[k].shape[i]);
    if (s.name !== nm[k] || !same) {
      throw new Error(`${W}: variable ${k} is ${s.name} [${s.shape.join(", ")}] in ${options.path} but ${nm[k]} [${vars[k].shape.join(", ")}] in the model`);
    }
  });
  let optimizerRestored = false;
  if (options.optimizer && decoded.optimizer !== null) {
    options.optimizer.setState(decoded.optimizer);
    optimizerRestored = true;
  }
  tf.tidy(() => data.forEach((d, k) => vars[k].assign(tf.tensor(d, vars[k].shape))));
  return { path: options.path, config: file.config, meta: file.meta ?? {}, optimizerRestored };
}

/** Keys in which two model configs differ (empty when they describe the same architecture). */
export function configDifference(a: ModelConfig, b: ModelConfig): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

export interface LoadModelOptions {
  /** The checkpoint file. */
  path: string;
  /** The system, for model families built from its couplings (e.g. TwoBo). */
  system?: SpinSystem;
}

/**
 * Rebuild a trained model from a checkpoint alone: the architecture from its
 * stored config, then its weights (verified as in `verifyCheckpoint`).
 * Returns the model and the checkpoint info.
 */
export function loadModel(options: LoadModelOptions): { model: GenerativeModel; info: CheckpointInfo } {
  const W = "loadModel";
  checkKeys(options, ["path", "system"], W);
  if (typeof options?.path !== "string" || options.path === "") throw new Error(`${W}: path must be a non-empty string`);
  const decoded = readCheckpointFile(options.path, W);
  const file = decoded.file;
  if (file.config === null) throw new Error(`${W}: ${options.path} stores no model config, so the model cannot be rebuilt; use loadCheckpoint with a model`);
  const model = modelFromConfig(file.config, { system: options.system });
  try {
    const info = applyCheckpoint(decoded, { path: options.path, model }, W);
    // β-dependent models (TwoBo) get back the β they were trained at.
    if (typeof info.meta.beta === "number" && info.meta.beta > 0) model.setBeta?.(info.meta.beta);
    return { model, info };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
