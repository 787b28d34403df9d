/**
 * The training driver: one loop for every objective (REINFORCE for VANs, by
 * energy / by example / weighted for Boltzmann generators). It owns the time
 * budget, the progress bar (one tick per step), the history, the divergence
 * guard, checkpoints, exact resume and the `onStep` callback; the objective
 * (`./objectives`) only turns (model, batch, β_t, rng) into a loss + metrics.
 *
 * One step t (global, 1-based, of `steps` in total):
 *   β_t from the β schedule (the model gets it through `setBeta`, if it has one);
 *   lr_t from the LR schedule at position max(t, time fraction of `minutes`);
 *   loss and gradients (`tf.variableGrads`), loss and global gradient norm read
 *   in one device sync; a non-finite loss or gradient restores the weights of
 *   the last finite step and throws a `DivergenceError` naming the step;
 *   otherwise the gradients are clipped to global norm ≤ `clip` and Adam updates.
 *
 * Exact resume: every random draw of a step comes from the run's one `Rng`. A
 * checkpoint (every `checkpointEvery` steps and at the end) stores, in its
 * `meta`, the global step, the training time used, the RNG state and the run's
 * description (`run`: objective, system, model, β and LR schedules, batch,
 * clip, Adam parameters, plus what the caller adds). With `resume`, these are
 * compared with the current options before anything happens (a mismatch is
 * refused with the differing fields), then weights, Adam state and RNG state
 * are restored and training continues at step+1 up to `steps` (the total) or
 * until the `minutes` budget (also a total) is used: the β and LR schedules,
 * being functions of the global step (and the training time), pick up exactly
 * where they were. A resumed run thus replays, step for step and bit for bit,
 * the uninterrupted run with the same seed. The seed (or rng) given with
 * `resume` is ignored: the generator continues the checkpoint's stream.
 * Resume problems (unreadable checkpoint, contradicting options, nothing left
 * to do) are `UsageError`s, so the CLI reports them as wrong input (exit 2).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { UsageError } from "../core/errors";
import { progress } from "../core/progress";
import { resolveRng, Rng, type RandomOptions, type RngState } from "../core/random";
import { frameFromRows, type DataFrame } from "../core/table";
import { checkInteger, checkKeys, checkPositive, checkOneOf } from "../core/validate";
import { isSpinModel } from "../models/spin";
import type { GenerativeModel } from "../models/types";
import type { ContinuousSystem, PottsSystem, SpinSystem, XYSystem } from "../systems/types";
import { Adam, type AdamOptions } from "./adam";
import { chain, clipGlobalNorm, normalizeGlobalNorm } from "./optimizer";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint";
import type { Objective, ObjectiveStep } from "./objectives";
import { betaSchedule, lrSchedule, type BetaSchedule, type LrScheduleObject } from "./schedule";

export interface DriverOptions extends RandomOptions {
  model: GenerativeModel;
  objective: Objective;
  /** Total number of steps (with `resume`, the run continues from the checkpoint's step up to this). */
  steps: number;
  /** Samples per step handed to the objective (≥ 1). */
  batch: number;
  /** β schedule, or a constant β > 0. */
  beta: BetaSchedule | number;
  /** Learning-rate schedule, or a constant rate (default 1e-3). */
  lr?: LrScheduleObject | number;
  /** Global-norm gradient clipping (default none). */
  clip?: number | null;
  /** "clip" (default): rescale to norm `clip` only above it; "normalize": rescale to norm `clip` at every step, as the VAN reference's --clip_grad does. */
  clipMode?: "clip" | "normalize";
  /** Wall-clock budget of the whole run in minutes (resumed runs count the time already used); default none. */
  minutes?: number;
  /** Adam's moment parameters (with a fresh optimizer). */
  adam?: AdamOptions;
  /** An optimizer to continue with (its state carries over; not disposed). Default: a fresh Adam. */
  optimizer?: Adam;
  /** Checkpoint file, written every `checkpointEvery` steps and at the end. */
  checkpoint?: string;
  /** Steps between checkpoints (default: only at the end). */
  checkpointEvery?: number;
  /** Checkpoint to resume from (see the module doc). */
  resume?: string;
  /** Extra run description stored in the checkpoint and compared on resume (e.g. {system, model}). */
  run?: Record<string, unknown>;
  /** Extra checkpoint meta, not compared (e.g. {system: name}); `beta` (β_t) and `step` are always written. */
  meta?: Record<string, unknown>;
  /**
   * How the global gradient norm is summed in float32: "flat" (default) squares
   * and sums all gradients at once (3 kernel launches, whatever the number of
   * variables); "per-variable" sums each variable's squares, then adds them up
   * (2n + 1 launches; the order trainVan has always used, which keeps its
   * history and weights bit-identical). The two differ only in rounding.
   */
  gradNorm?: "flat" | "per-variable";
  /** Progress bar: true/false forces, undefined = automatic. */
  progress?: boolean;
  label?: string;
  /** Progress-bar text after each step. */
  status?: (row: DriverRow) => string;
  /** Called after each step with its history row. */
  onStep?: (row: DriverRow) => void;
  /** Function name used in error messages (default "train"). */
  where?: string;
}

/** A history row: step, beta, lr, the objective's metrics, gradNorm, wallTime (seconds of training in the whole run). */
export interface DriverRow {
  [key: string]: number;
  step: number;
  beta: number;
  lr: number;
  gradNorm: number;
  wallTime: number;
}

export interface DriverResult {
  history: DataFrame;
  rows: DriverRow[];
  /** Steps run by this call. */
  steps: number;
  /** The global step reached. */
  step: number;
  /** Milliseconds of training in this call. */
  elapsedMs: number;
  msPerStep: number;
  samplesPerSecond: number;
  /** Path of the last checkpoint written, or null. */
  checkpoint: string | null;
}

/** Training stopped on a non-finite loss or gradient; the model holds the weights of the last finite step. */
export class DivergenceError extends Error {
  constructor(
    message: string,
    readonly step: number,
    readonly rows: DriverRow[],
    /** The failing step's row where its metrics were computed, else null. */
    readonly row: DriverRow | null,
    /** The non-finite value: the loss, or the gradient norm. */
    readonly what: "loss" | "gradient",
    readonly value: number,
  ) {
    super(message);
    this.name = "DivergenceError";
  }
}

/** What the driver stores under `meta.run` / `meta.state` of a checkpoint. */
export interface RunState {
  /** Global step reached (the β schedule's position: β_t is a function of it). */
  step: number;
  /** Milliseconds of training used so far (the time budget's position). */
  elapsedMs: number;
  /** The LR schedule's position at the last step (= step without a time budget) and its rate. */
  lrPosition: number;
  lr: number;
  /** The run's generator, to continue its stream. */
  rng: RngState;
}

const KNOWN = [
  "model", "objective", "steps", "batch", "beta", "lr", "clip", "clipMode", "minutes", "adam", "optimizer", "checkpoint", "checkpointEvery",
  "resume", "run", "meta", "gradNorm", "progress", "label", "status", "onStep", "where", "seed", "rng",
];

/**
 * Throws unless `file` can be written: not a directory, and its folder exists
 * as a writable directory or can be created (the nearest existing ancestor is
 * a writable directory). Creates nothing.
 */
export function checkWritableFile(file: unknown, name: string, where: string): string {
  if (typeof file !== "string" || file === "") throw new Error(`${where}: ${name} must be a non-empty file path`);
  const target = path.resolve(file);
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) throw new Error(`${where}: ${name} ${file} is a directory, not a file`);
  let dir = path.dirname(target);
  while (!fs.existsSync(dir)) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${where}: ${name} ${file} cannot be created: ${dir} is a file, not a directory`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new Error(`${where}: ${name} ${file} cannot be created: ${dir} is not writable`);
  }
  return target;
}

/** The checkpoint's meta, read without touching any model (for the resume check). */
function readMeta(file: string, where: string): Record<string, unknown> {
  let parsed: { format?: unknown; meta?: Record<string, unknown> };
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${where}: resume: could not read ${file}: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || parsed.format !== "boltzlab-checkpoint") throw new UsageError(`${where}: resume: ${file} is not a boltzlab checkpoint`);
  return parsed.meta ?? {};
}

const show = (v: unknown): string => (v === undefined ? "absent" : JSON.stringify(v));

/** Fields where two run descriptions differ, as "name (checkpoint X, now Y)". */
export function runDifferences(saved: Record<string, unknown>, now: Record<string, unknown>, prefix = ""): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(saved), ...Object.keys(now)])) {
    const a = saved[k];
    const b = now[k];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
    if (isObj(a) && isObj(b)) out.push(...runDifferences(a, b, `${prefix}${k}.`));
    else out.push(`${prefix}${k} (checkpoint ${show(a)}, now ${show(b)})`);
  }
  return out;
}

/**
 * A fingerprint of a system for the run record, so two systems of the same
 * name but other couplings (e.g. edited instance files) are told apart: for
 * spin systems (and Potts, XY: with q, h) the SHA-256 (first 16 hex digits) of the edges, couplings and
 * fields; for continuous ones the energies at three fixed pseudo-random points
 * in [−2, 2]^dim (from their own generator, never the run's).
 */
export function systemFingerprint(system: SpinSystem | ContinuousSystem | XYSystem | PottsSystem): string | number[] {
  if (system.kind !== "continuous") {
    const h = createHash("sha256");
    const { i, j, J } = system.edges;
    // XY adds its field h, Potts its q after the fields (spin fingerprints are unchanged)
    const extra = system.kind === "xy" ? [Float64Array.of(system.h)] : system.kind === "potts" ? [system.fields ?? new Float64Array(0), Float64Array.of(system.q)] : [system.fields ?? new Float64Array(0)];
    for (const a of [i, j, J, ...extra]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return h.digest("hex").slice(0, 16);
  }
  const r = new Rng(0x5eed);
  const out: number[] = [];
  for (let k = 0; k < 3; k++) {
    const x = new Float64Array(system.dim);
    for (let d = 0; d < system.dim; d++) x[d] = 4 * r.uniform() - 2;
    out.push(system.energyOf(x));
  }
  return out;
}

/** The model's description for the run record: its config where it has one, else its variable shapes. */
export function describeModel(model: GenerativeModel): unknown {
  if (isSpinModel(model)) return model.config();
  const m = model as GenerativeModel & { config?: () => unknown };
  if (typeof m.config === "function") return m.config();
  return { size: model.size, variables: model.trainableVariables.map((v) => v.shape) };
}

/** Run `options.objective` with Adam; see the module doc. */
export function runTraining(options: DriverOptions): DriverResult {
  const W = options?.where ?? "train";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  checkKeys(options, KNOWN, W);
  const { model, objective } = options;
  if (model === undefined || model === null || !Array.isArray(model.trainableVariables)) throw new Error(`${W}: model must be a GenerativeModel`);
  if (objective === undefined || objective === null || typeof objective.begin !== "function") throw new Error(`${W}: objective must be an Objective`);
  const steps = checkInteger(options.steps, "steps", W, { min: 1 });
  const batch = checkInteger(options.batch, "batch", W, { min: 1 });
  const betaS: BetaSchedule = typeof options.beta === "number" ? betaSchedule({ beta: options.beta }, W) : options.beta;
  if (betaS === undefined || betaS === null || typeof betaS.at !== "function") throw new Error(`${W}: beta must be a number > 0 or a β schedule`);
  const lrS: LrScheduleObject = options.lr === undefined || typeof options.lr === "number" ? lrSchedule({ lr: options.lr ?? 1e-3 }, W) : options.lr;
  if (typeof lrS?.at !== "function") throw new Error(`${W}: lr must be a number > 0 or a learning-rate schedule`);
  const clip = options.clip === undefined || options.clip === null ? null : checkPositive(options.clip, "clip", W);
  const clipMode = options.clipMode === undefined ? "clip" : checkOneOf(options.clipMode, ["clip", "normalize"] as const, "clipMode", W);
  if (clipMode === "normalize" && clip === null) throw new Error(`${W}: clipMode "normalize" needs clip (the norm to normalise to)`);
  const budgetMs = options.minutes === undefined ? null : checkPositive(options.minutes, "minutes", W) * 60000;
  const every = options.checkpointEvery === undefined ? null : checkInteger(options.checkpointEvery, "checkpointEvery", W, { min: 1 });
  if (every !== null && options.checkpoint === undefined) throw new Error(`${W}: checkpointEvery needs checkpoint`);
  if (options.onStep !== undefined && typeof options.onStep !== "function") throw new Error(`${W}: onStep must be a function`);
  const ckptPath = options.checkpoint === undefined ? null : checkWritableFile(options.checkpoint, "checkpoint", W);
  const normBy = options.gradNorm ?? "flat";
  if (normBy !== "flat" && normBy !== "per-variable") throw new Error(`${W}: gradNorm must be "flat" or "per-variable", got ${JSON.stringify(normBy)}`);
  const rng = resolveRng(options, W);
  ensureBackend();
  const vars = model.trainableVariables;
  const optimizer = options.optimizer ?? new Adam(vars, options.adam ?? {});
  const ownOptimizer = options.optimizer === undefined;
  // clipping is a gradient transform chained in front of the optimizer (src/train/optimizer.ts)
  const update = clip === null ? optimizer : chain(clipMode === "normalize" ? normalizeGlobalNorm(clip) : clipGlobalNorm(clip), optimizer);
  const run: Record<string, unknown> = {
    objective: objective.spec,
    ...(options.run ?? {}),
    batch,
    beta: betaS.spec,
    lr: lrS.spec,
    clip,
    // only when not the default, so checkpoints written before the option existed still resume
    ...(clipMode === "normalize" ? { clipMode } : {}),
    adam: { beta1: optimizer.beta1, beta2: optimizer.beta2, epsilon: optimizer.epsilon },
  };

  // resume: compare before touching anything, then restore weights, Adam, RNG
  let t0 = 0;
  let elapsed0 = 0;
  try {
    if (options.resume !== undefined) {
      if (typeof options.resume !== "string" || options.resume === "") throw new UsageError(`${W}: resume must be a checkpoint path`);
      const meta = readMeta(options.resume, W);
      const savedRun = meta.run as Record<string, unknown> | undefined;
      const state = meta.state as RunState | undefined;
      if (savedRun !== undefined) {
        const diff = runDifferences(savedRun, run);
        if (diff.length > 0) throw new UsageError(`${W}: cannot resume from ${options.resume}: the run differs in ${diff.join("; ")}`);
      }
      t0 = state !== undefined ? state.step : typeof meta.step === "number" ? meta.step : 0;
      elapsed0 = state?.elapsedMs ?? 0;
      if (t0 >= steps) throw new UsageError(`${W}: steps (${steps}) is the total and ${options.resume} is already at step ${t0}: nothing to do (give steps > ${t0})`);
      if (budgetMs !== null && elapsed0 >= budgetMs) {
        throw new UsageError(`${W}: ${options.resume} has already used ${(elapsed0 / 60000).toFixed(3)} of the ${options.minutes} minutes: nothing to do (give a larger minutes)`);
      }
      loadCheckpoint({ path: options.resume, model, optimizer });
      if (state !== undefined) rng.setState(state.rng);
    }
  } catch (e) {
    if (ownOptimizer) optimizer.dispose();
    throw e;
  }

  const rows: DriverRow[] = [];
  const bar = progress({ total: steps - t0, label: options.label ?? W, enabled: options.progress });
  // the weights of the last step whose loss and gradient were finite (copied in place: cheaper than clones)
  const good = vars.map((v) => tf.variable(v, false));
  let haveGood = false;
  let lastCheckpoint: string | null = null;
  const start = performance.now();
  const used = (): number => elapsed0 + performance.now() - start;
  let done = 0;
  let lrPosition = t0;
  let lastRate = NaN;
  const save = (step: number): void => {
    if (ckptPath === null) return;
    const state: RunState = { step, elapsedMs: used(), lrPosition, lr: lastRate, rng: rng.getState() };
    lastCheckpoint = saveCheckpoint({
      path: ckptPath, model, optimizer,
      meta: { ...(options.meta ?? {}), step, beta: betaS.at(Math.max(1, step)), run, state },
    });
  };
  const restore = (): void => {
    if (haveGood) for (let k = 0; k < vars.length; k++) vars[k].assign(good[k]);
  };
  try {
    for (let step = t0 + 1; step <= steps; step++) {
      // with a time budget the schedule follows whichever of steps and time is further along
      const tSchedule = budgetMs === null ? step : Math.max(step, Math.min(steps, 1 + Math.floor((used() / budgetMs) * (steps - 1))));
      const bt = betaS.at(step);
      model.setBeta?.(bt);
      const rate = lrS.at(tSchedule, steps);
      lrPosition = tSchedule;
      lastRate = rate;
      const st: ObjectiveStep = objective.begin({ model, batch, beta: bt, rng, step, steps });
      let value = NaN;
      let norm = NaN;
      let metrics: Record<string, number> | null = null;
      try {
        if (st.precheck === undefined || Number.isFinite(st.precheck)) {
          const kept: tf.Tensor[] = [];
          const keep = (t: tf.Tensor): void => {
            kept.push(tf.keep(tf.reshape(t, [-1])));
          };
          let pass: { value: tf.Scalar; grads: tf.NamedTensorMap };
          try {
            pass = tf.variableGrads(() => st.loss(keep), vars);
          } catch (e) {
            tf.dispose(kept);
            throw e;
          }
          const { value: lossT, grads } = pass;
          const list = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
          try {
            const packed = tf.tidy(() => {
              const sq =
                normBy === "flat" && list.length > 1
                  ? tf.sum(tf.square(tf.concat(list.map((g) => tf.reshape(g, [-1])))))
                  : tf.addN(list.map((g) => tf.sum(tf.square(g))));
              return tf.concat([tf.reshape(lossT, [1]), tf.reshape(sq, [1]), ...kept]);
            });
            const vals = packed.dataSync() as Float32Array;
            packed.dispose();
            norm = Math.sqrt(vals[1]);
            const r = st.finish(vals[0], vals.subarray(2));
            value = r.value;
            metrics = r.metrics;
            if (Number.isFinite(norm) && Number.isFinite(value)) {
              for (let k = 0; k < vars.length; k++) good[k].assign(vars[k]);
              haveGood = true;
              update.update(list, rate, norm);
            }
          } finally {
            tf.dispose([lossT, ...Object.values(grads), ...list, ...kept]);
          }
        } else value = st.precheck;
      } finally {
        st.dispose?.();
      }
      const wallTime = used() / 1000;
      const row = { step, beta: bt, lr: rate, ...(metrics ?? {}), gradNorm: norm, wallTime } as DriverRow;
      if (!Number.isFinite(value) || !Number.isFinite(norm)) {
        restore();
        const what = !Number.isFinite(value) ? "loss" : "gradient";
        const desc = what === "loss" ? `the loss (${objective.valueName} = ${value})` : `the gradient (norm ${norm})`;
        throw new DivergenceError(
          `${W}: training diverged at step ${step}: ${desc} is not finite; the model holds the last good weights` +
            (haveGood ? ` (before step ${step - 1}'s update)` : " (the weights it started with)"),
          step,
          rows,
          metrics === null ? null : row,
          what,
          what === "loss" ? value : norm,
        );
      }
      rows.push(row);
      options.onStep?.(row);
      bar.tick(1, options.status?.(row) ?? "");
      done += 1;
      if (budgetMs !== null && used() >= budgetMs) break;
      if (every !== null && step % every === 0 && step < steps) save(step);
    }
    save(t0 + done);
  } finally {
    bar.done();
    tf.dispose(good);
    if (ownOptimizer) optimizer.dispose();
  }
  const elapsed = performance.now() - start;
  return {
    history: frameFromRows(rows),
    rows,
    steps: done,
    step: t0 + done,
    elapsedMs: elapsed,
    msPerStep: elapsed / done,
    samplesPerSecond: (done * batch) / (elapsed / 1000),
    checkpoint: lastCheckpoint,
  };
}
