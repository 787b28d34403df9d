/**
 * Training a Boltzmann generator with Adam: by energy, by example, or a
 * weighted combination on a schedule (by example first, then mixed, as in the
 * paper). Every step records its losses and the Kish ESS of the energy batch;
 * a non-finite loss stops training with a `TrainingError` that names the step,
 * after restoring the weights of the last step whose loss was finite.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { progress } from "../core/progress";
import { resolveRng, type RandomOptions } from "../core/random";
import { frameFromColumns, type DataFrame } from "../core/table";
import { checkInteger, checkKeys, checkNumber, checkOneOf, checkPositive } from "../core/validate";
import type { ContinuousSystem } from "../systems/types";
import type { BoltzmannGenerator } from "./generator";
import { lossCombined, type EnergyCut, type LossWeights } from "./losses";

export type LossKind = "energy" | "example" | "combined";
export type Schedule = (step: number, steps: number) => LossWeights;

export interface CombinedScheduleOptions {
  /** Fraction of the steps trained by example only (default 0.25). */
  warmup?: number;
  /** Fraction of the steps over which the energy weight ramps linearly from 0 to `energy` (default 0.25). */
  ramp?: number;
  /** Final weight of the loss by energy (default 1). */
  energy?: number;
  /** Weight of the loss by example after the warm-up (default 0.1; 1 during warm-up). */
  example?: number;
}

/** By example first, then the energy weight ramps up while the example weight drops to `example`. */
export function combinedSchedule(options: CombinedScheduleOptions = {}): Schedule {
  const where = "combinedSchedule";
  checkKeys(options, ["warmup", "ramp", "energy", "example"], where);
  const warmup = options.warmup === undefined ? 0.25 : checkNumber(options.warmup, "warmup", where, { min: 0, max: 1 });
  const ramp = options.ramp === undefined ? 0.25 : checkNumber(options.ramp, "ramp", where, { min: 0, max: 1 });
  const wE = options.energy === undefined ? 1 : checkNumber(options.energy, "energy", where, { min: 0 });
  const wX = options.example === undefined ? 0.1 : checkNumber(options.example, "example", where, { min: 0 });
  return (step, steps) => {
    const f = step / steps;
    if (f < warmup) return { energy: 0, example: 1 };
    const r = ramp > 0 ? Math.min(1, (f - warmup) / ramp) : 1;
    return { energy: wE * r, example: 1 + (wX - 1) * r };
  };
}

export interface TrainOptions extends RandomOptions {
  system: ContinuousSystem;
  /** Inverse temperature β. */
  beta: number;
  /** Number of Adam steps. */
  steps: number;
  /** "energy", "example" or "combined" (default: "combined" with data, else "energy"). */
  loss?: LossKind;
  /** Training samples for the loss by example: a [n, dim] tensor (not disposed here) or n·dim numbers row-major. */
  data?: tf.Tensor2D | ArrayLike<number>;
  /** Model samples per step for the loss by energy (default 512). */
  batch?: number;
  /** Data samples per step for the loss by example (default 512). */
  dataBatch?: number;
  /** Loss weights, fixed or per step (default for "combined": `combinedSchedule()`). */
  weights?: LossWeights | Schedule;
  /** Adam learning rate, fixed or per step (default 1e-3). */
  learningRate?: number | ((step: number, steps: number) => number);
  /** Log-linear cut of βE in the loss by energy (default {high: 100, max: 1e8}); false to switch off. */
  energyCut?: EnergyCut | false;
  /** Progress bar: true/false forces, undefined = automatic. */
  progress?: boolean;
  /** Called after every step with that step's record (e.g. for live plots). */
  onStep?: (record: StepRecord) => void;
}

export interface StepRecord {
  step: number;
  /** The weighted loss. */
  loss: number;
  /** J_E = ⟨βE_cut + ln q⟩ (NaN when not computed this step). */
  energyLoss: number;
  /** J_X = −⟨ln q(data)⟩ (NaN when not computed). */
  exampleLoss: number;
  weightEnergy: number;
  weightExample: number;
  /** Kish ESS / batch of the energy batch (NaN when not computed). */
  essFraction: number;
  learningRate: number;
}

export interface TrainResult {
  /** One row per step: step, loss, energyLoss, exampleLoss, weightEnergy, weightExample, essFraction, learningRate. */
  history: DataFrame;
  steps: number;
  elapsedMs: number;
  msPerStep: number;
}

/** Thrown when the loss turns NaN or infinite; the model keeps the weights of the last finite step. */
export class TrainingError extends Error {
  constructor(message: string, readonly step: number, readonly history: DataFrame) {
    super(message);
    this.name = "TrainingError";
  }
}

function essFraction(logw: Float32Array | Float64Array, from: number): number {
  let m = -Infinity;
  for (let k = from; k < logw.length; k++) if (logw[k] > m) m = logw[k];
  if (!Number.isFinite(m)) return NaN;
  let s1 = 0, s2 = 0;
  for (let k = from; k < logw.length; k++) {
    const w = Math.exp(logw[k] - m);
    s1 += w;
    s2 += w * w;
  }
  return (s1 * s1) / s2 / (logw.length - from);
}

/** Train a Boltzmann generator; returns the history as a polars DataFrame. */
export function trainBoltzmannGenerator(model: BoltzmannGenerator, options: TrainOptions): TrainResult {
  const where = "trainBoltzmannGenerator";
  checkKeys(
    options,
    ["system", "beta", "steps", "loss", "data", "batch", "dataBatch", "weights", "learningRate", "energyCut", "progress", "onStep", "seed", "rng"],
    where,
  );
  ensureBackend();
  if (model === undefined || typeof (model as BoltzmannGenerator).sample !== "function") throw new Error(`${where}: model must be a BoltzmannGenerator`);
  const system = options.system;
  if (system === undefined || typeof system.energy !== "function") throw new Error(`${where}: system must be a ContinuousSystem`);
  if (system.dim !== model.size) throw new Error(`${where}: system has dim ${system.dim}, model has size ${model.size}`);
  const beta = checkPositive(options.beta, "beta", where);
  const steps = checkInteger(options.steps, "steps", where, { min: 1 });
  const batch = options.batch === undefined ? 512 : checkInteger(options.batch, "batch", where, { min: 2 });
  const dataBatch = options.dataBatch === undefined ? 512 : checkInteger(options.dataBatch, "dataBatch", where, { min: 1 });
  const kind: LossKind = options.loss === undefined ? (options.data !== undefined ? "combined" : "energy") : checkOneOf(options.loss, ["energy", "example", "combined"] as const, "loss", where);
  if (kind !== "energy" && options.data === undefined) throw new Error(`${where}: loss "${kind}" needs data`);
  let schedule: Schedule;
  if (typeof options.weights === "function") schedule = options.weights;
  else if (options.weights !== undefined) {
    const w = options.weights;
    checkNumber(w.energy, "weights.energy", where, { min: 0 });
    checkNumber(w.example, "weights.example", where, { min: 0 });
    schedule = () => w;
  } else if (kind === "energy") schedule = () => ({ energy: 1, example: 0 });
  else if (kind === "example") schedule = () => ({ energy: 0, example: 1 });
  else schedule = combinedSchedule();
  const lrOpt = options.learningRate ?? 1e-3;
  const lrAt = typeof lrOpt === "function" ? lrOpt : (() => { checkPositive(lrOpt, "learningRate", where); return () => lrOpt; })();
  const rng = resolveRng(options, where);

  // the data as one tensor; mini-batches are gathered from it
  let data: tf.Tensor2D | null = null;
  let ownData = false;
  if (options.data !== undefined) {
    if (options.data instanceof tf.Tensor) {
      data = options.data as tf.Tensor2D;
      if (data.rank !== 2 || data.shape[1] !== model.size) throw new Error(`${where}: data must have shape [n, ${model.size}], got [${data.shape.join(", ")}]`);
    } else {
      const arr = options.data as ArrayLike<number>;
      if (typeof arr.length !== "number" || arr.length === 0 || arr.length % model.size !== 0) {
        throw new Error(`${where}: data must hold n·${model.size} numbers (row-major), got ${arr.length}`);
      }
      data = tf.tensor2d(Float32Array.from(arr), [arr.length / model.size, model.size]);
      ownData = true;
    }
  }
  const nData = data === null ? 0 : data.shape[0];

  const vars = model.trainableVariables;
  const good = vars.map((v) => tf.variable(v, false));
  const trial = vars.map((v) => tf.variable(v, false));
  const optimizer = tf.train.adam(lrAt(0, steps));
  const cols = {
    step: [] as number[], loss: [] as number[], energyLoss: [] as number[], exampleLoss: [] as number[],
    weightEnergy: [] as number[], weightExample: [] as number[], essFraction: [] as number[], learningRate: [] as number[],
  };
  const bar = progress({ total: steps, label: "train BG", enabled: options.progress });
  const idx = new Int32Array(dataBatch);
  const t0 = performance.now();
  try {
    for (let step = 0; step < steps; step++) {
      const w = schedule(step, steps);
      const lr = lrAt(step, steps);
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      for (let k = 0; k < vars.length; k++) trial[k].assign(vars[k]);
      let batchData: tf.Tensor2D | null = null;
      if (w.example > 0 && data !== null) {
        for (let k = 0; k < dataBatch; k++) idx[k] = rng.int(nData);
        batchData = tf.tidy(() => tf.gather(data as tf.Tensor2D, tf.tensor1d(idx, "int32")) as tf.Tensor2D);
      }
      let aux: tf.Tensor | null = null;
      const packed = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const r = lossCombined(model, {
            system, beta, batch, energyCut: options.energyCut, rng,
            data: batchData ?? (undefined as unknown as tf.Tensor2D), weights: w,
          });
          const parts: tf.Tensor[] = [
            r.energyLoss === null ? tf.tensor1d([NaN]) : tf.reshape(r.energyLoss, [1]),
            r.exampleLoss === null ? tf.tensor1d([NaN]) : tf.reshape(r.exampleLoss, [1]),
          ];
          if (r.logWeights !== null) parts.push(r.logWeights);
          aux = tf.keep(tf.concat(parts));
          return r.loss;
        }, vars);
        optimizer.applyGradients(grads as unknown as tf.NamedTensorMap & { [name: string]: tf.Variable });
        return tf.concat([tf.reshape(value, [1]), aux as unknown as tf.Tensor]);
      });
      const vals = packed.dataSync() as Float32Array;
      packed.dispose();
      (aux as tf.Tensor | null)?.dispose();
      batchData?.dispose();
      const loss = vals[0];
      cols.step.push(step);
      cols.loss.push(loss);
      cols.energyLoss.push(vals[1]);
      cols.exampleLoss.push(vals[2]);
      cols.weightEnergy.push(w.energy);
      cols.weightExample.push(w.example);
      cols.essFraction.push(vals.length > 3 ? essFraction(vals, 3) : NaN);
      cols.learningRate.push(lr);
      if (!Number.isFinite(loss)) {
        for (let k = 0; k < vars.length; k++) vars[k].assign(good[k]);
        bar.done(`stopped: loss ${loss} at step ${step}`);
        const kept = step === 0 ? "the initial weights were restored" : `the weights of step ${step - 1} (the last finite loss) were kept`;
        throw new TrainingError(`${where}: the loss is ${loss} at step ${step}; ${kept}`, step, frameFromColumns(cols));
      }
      for (let k = 0; k < vars.length; k++) good[k].assign(trial[k]);
      if (options.onStep !== undefined) {
        options.onStep({
          step, loss, energyLoss: vals[1], exampleLoss: vals[2], weightEnergy: w.energy, weightExample: w.example,
          essFraction: cols.essFraction[step], learningRate: lr,
        });
      }
      bar.tick(1, `loss ${loss.toFixed(3)}`);
    }
    bar.done();
  } finally {
    optimizer.dispose();
    tf.dispose(good);
    tf.dispose(trial);
    if (ownData) data?.dispose();
  }
  const elapsedMs = performance.now() - t0;
  return { history: frameFromColumns(cols), steps, elapsedMs, msPerStep: elapsedMs / steps };
}
