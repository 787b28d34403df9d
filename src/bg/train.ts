/**
 * Training a Boltzmann generator with Adam: by energy, by example, or a
 * weighted combination on a schedule (by example first, then mixed, as in the
 * paper). Every step records its losses and the Kish ESS of the energy batch;
 * a non-finite loss stops training with a `TrainingError` that names the step,
 * after restoring the weights of the last step whose loss was finite.
 *
 * The two losses are objectives (`byEnergyObjective`: reparameterised reverse
 * KL, `byExampleObjective`: forward KL) summed by `weightedObjective` and run
 * by the training driver (src/train/driver.ts), which also gives flows
 * gradient clipping, time budgets, checkpoints and exact resume. Steps are
 * numbered from 0 here (history `step`, `weights(step, steps)`,
 * `learningRate(step, steps)`, error messages), as before.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { type RandomOptions } from "../core/random";
import { frameFromColumns, type DataFrame } from "../core/table";
import { checkInteger, checkKeys, checkNumber, checkOneOf, checkPositive } from "../core/validate";
import type { ContinuousSystem } from "../systems/types";
import { describeModel, DivergenceError, runTraining, systemFingerprint, type DriverRow } from "../train/driver";
import { weightedObjective, type Objective, type WeightedTerm } from "../train/objectives";
import { lrSchedule, type LrSchedule } from "../train/schedule";
import type { BoltzmannGenerator } from "./generator";
import { lossByEnergy, lossByExample, type EnergyCut, type LossWeights } from "./losses";

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
  /** Total number of Adam steps (with `resume`, the run continues from the checkpoint's step to this). */
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
  /** Adam learning rate, fixed or per step (step from 0; default 1e-3). Same as `learningRate`; give one of them. */
  lr?: number | ((step: number, steps: number) => number);
  /** The older name of `lr` (kept for notebooks). */
  learningRate?: number | ((step: number, steps: number) => number);
  /** Learning-rate schedule with a fixed `lr`: "constant" (default), "cosine" (to lrMin), "exponential" (× lrDecay per step). */
  schedule?: Exclude<LrSchedule, (...a: never[]) => number>;
  /** Floor of "cosine", 0 < lrMin ≤ lr (default lr/100). */
  lrMin?: number;
  /** Factor per step of "exponential", 0 < lrDecay ≤ 1 (default 0.999). */
  lrDecay?: number;
  /** Global-norm gradient clipping (default none). */
  clip?: number | null;
  /** Wall-clock budget of the run in minutes (default none). */
  minutes?: number;
  /** Log-linear cut of βE in the loss by energy (default {high: 100, max: 1e8}); false to switch off. */
  energyCut?: EnergyCut | false;
  /** Checkpoint file: weights, Adam and RNG state, written every `checkpointEvery` steps and at the end. */
  checkpoint?: string;
  /** Steps between checkpoints (default: only at the end). */
  checkpointEvery?: number;
  /** Checkpoint to resume from exactly (same system, model, β, batch, losses, schedule; see src/train/driver.ts). */
  resume?: string;
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
  /** Steps run by this call. */
  steps: number;
  elapsedMs: number;
  msPerStep: number;
  /** Path of the last checkpoint written, or null. */
  checkpoint: string | null;
}

/**
 * Thrown when the loss (or its gradient) turns NaN or infinite; the model keeps
 * the weights of the last finite step. A `DivergenceError` (as trainVan's
 * `VanDivergenceError` is), with `step` counted from 0 as in this module and
 * `history` holding the failing step's row last.
 */
export class TrainingError extends DivergenceError {
  constructor(
    message: string,
    step: number,
    readonly history: DataFrame,
    rows: DriverRow[] = [],
    row: DriverRow | null = null,
    what: "loss" | "gradient" = "loss",
    value = NaN,
  ) {
    super(message, step, rows, row, what, value);
    this.name = "TrainingError";
  }
}

function essFraction(logw: ArrayLike<number>, from: number): number {
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

export interface ByEnergyObjectiveOptions {
  system: ContinuousSystem;
  /** Log-linear cut of βE (default {high: 100, max: 1e8}); false to switch off. */
  energyCut?: EnergyCut | false;
}

/**
 * The loss by energy (reparameterised reverse KL, `lossByEnergy`) as a driver
 * objective: `batch` samples per step at β_t. Metrics: energyLoss = J_E and
 * essFraction, the Kish ESS / batch of the step's (uncut) log weights.
 */
export function byEnergyObjective(options: ByEnergyObjectiveOptions): Objective {
  const { system, energyCut } = options;
  if (system === undefined || typeof system.energy !== "function") throw new Error("byEnergyObjective: system must be a ContinuousSystem");
  return {
    name: "energy",
    metrics: ["energyLoss", "essFraction"],
    valueName: "J_E",
    spec: { type: "energy", system: system.name, energyCut: energyCut ?? {} },
    begin(ctx) {
      return {
        loss(keep) {
          const r = lossByEnergy(ctx.model, { system, beta: ctx.beta, batch: ctx.batch, energyCut, rng: ctx.rng });
          keep(r.logWeights);
          return r.loss;
        },
        finish(value, aux) {
          return { value, metrics: { energyLoss: value, essFraction: essFraction(aux, 0) } };
        },
      };
    },
  };
}

export interface ByExampleObjectiveOptions {
  /** Samples of the target, [n, dim] (not disposed here). */
  data: tf.Tensor2D;
  /** Data samples per step, drawn with replacement from the run's rng (default 512). */
  dataBatch?: number;
}

/** The loss by example (forward KL, `lossByExample`) on a mini-batch of `data` per step. Metric: exampleLoss = J_X. */
export function byExampleObjective(options: ByExampleObjectiveOptions): Objective {
  const W = "byExampleObjective";
  const data = options?.data;
  if (!(data instanceof tf.Tensor) || data.rank !== 2) throw new Error(`${W}: data must be a [n, dim] tensor`);
  const dataBatch = checkInteger(options.dataBatch ?? 512, "dataBatch", W, { min: 1 });
  const nData = data.shape[0];
  const idx = new Int32Array(dataBatch);
  return {
    name: "example",
    metrics: ["exampleLoss"],
    valueName: "J_X",
    spec: { type: "example", samples: nData, dataBatch },
    begin(ctx) {
      for (let k = 0; k < dataBatch; k++) idx[k] = ctx.rng.int(nData);
      const batchData = tf.tidy(() => tf.gather(data, tf.tensor1d(idx, "int32")) as tf.Tensor2D);
      return {
        loss: () => lossByExample(ctx.model, { data: batchData }).loss,
        finish: (value) => ({ value, metrics: { exampleLoss: value } }),
        dispose: () => batchData.dispose(),
      };
    },
  };
}

const KNOWN = [
  "system", "beta", "steps", "loss", "data", "batch", "dataBatch", "weights", "lr", "learningRate", "schedule", "lrMin", "lrDecay", "clip",
  "minutes", "energyCut", "checkpoint", "checkpointEvery", "resume", "progress", "onStep", "seed", "rng",
];

/** Train a Boltzmann generator; returns the history as a polars DataFrame. */
export function trainBoltzmannGenerator(model: BoltzmannGenerator, options: TrainOptions): TrainResult {
  const where = "trainBoltzmannGenerator";
  if (options === null || typeof options !== "object") throw new Error(`${where}: options must be an object`);
  checkKeys(options, KNOWN, where);
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
    if (w.energy === 0 && w.example === 0) throw new Error(`${where}: weights.energy and weights.example are both 0`);
    if (w.example > 0 && options.data === undefined) throw new Error(`${where}: weights.example > 0 needs data`);
    schedule = () => w;
  } else if (kind === "energy") schedule = () => ({ energy: 1, example: 0 });
  else if (kind === "example") schedule = () => ({ energy: 0, example: 1 });
  else schedule = combinedSchedule();
  if (options.lr !== undefined && options.learningRate !== undefined) throw new Error(`${where}: give lr or learningRate (the same option), not both`);
  const lrName = options.lr !== undefined ? "lr" : "learningRate";
  const lrOpt = options.lr ?? options.learningRate ?? 1e-3;
  let lrS;
  if (typeof lrOpt === "function") {
    if (options.schedule !== undefined) throw new Error(`${where}: schedule applies to a fixed ${lrName}, not a function`);
    lrS = lrSchedule({ lr: checkPositive(lrOpt(0, steps), `${lrName}(0, ${steps})`, where), schedule: (t: number, T: number) => lrOpt(t - 1, T) }, where);
  } else {
    checkPositive(lrOpt, lrName, where);
    lrS = lrSchedule({ lr: lrOpt, schedule: options.schedule, lrMin: options.lrMin, decay: options.lrDecay }, where, { decay: "lrDecay" });
  }
  if (options.onStep !== undefined && typeof options.onStep !== "function") throw new Error(`${where}: onStep must be a function`);

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
  const terms: WeightedTerm[] = [{ name: "energy", objective: byEnergyObjective({ system, energyCut: options.energyCut }) }];
  if (data !== null) terms.push({ name: "example", objective: byExampleObjective({ data, dataBatch }) });
  const objective = weightedObjective(
    terms,
    (t, T) => {
      const w = schedule(t - 1, T);
      if (data === null && w.example > 0) throw new Error(`${where}: weights(${t - 1}).example is ${w.example} but no data was given`);
      return { energy: w.energy, example: w.example };
    },
    { loss: kind, weights: typeof options.weights === "object" ? options.weights : typeof options.weights === "function" ? "function" : "default" },
  );
  const toRecord = (r: DriverRow): StepRecord => ({
    step: r.step - 1,
    loss: r.loss,
    energyLoss: r.energyLoss,
    exampleLoss: r.exampleLoss ?? NaN,
    weightEnergy: r.weightEnergy,
    weightExample: r.weightExample ?? 0,
    essFraction: r.essFraction,
    learningRate: r.lr,
  });
  const frame = (rows: DriverRow[]): DataFrame => {
    const recs = rows.map(toRecord);
    const cols: Record<keyof StepRecord, number[]> = {
      step: [], loss: [], energyLoss: [], exampleLoss: [], weightEnergy: [], weightExample: [], essFraction: [], learningRate: [],
    };
    for (const rec of recs) for (const k of Object.keys(cols) as (keyof StepRecord)[]) cols[k].push(rec[k]);
    return frameFromColumns(cols);
  };
  try {
    const r = runTraining({
      where,
      model,
      objective,
      steps,
      batch,
      beta,
      lr: lrS,
      clip: options.clip,
      minutes: options.minutes,
      checkpoint: options.checkpoint,
      checkpointEvery: options.checkpointEvery,
      resume: options.resume,
      run: { system: system.name, dim: system.dim, energies: systemFingerprint(system), model: describeModel(model) },
      meta: { system: system.name },
      progress: options.progress,
      label: "train BG",
      status: (row) => `loss ${row.loss.toFixed(3)}`,
      onStep: options.onStep === undefined ? undefined : (row) => options.onStep!(toRecord(row)),
      seed: options.seed,
      rng: options.rng,
    });
    return { history: frame(r.rows), steps: r.steps, elapsedMs: r.elapsedMs, msPerStep: r.msPerStep, checkpoint: r.checkpoint };
  } catch (e) {
    if (e instanceof DivergenceError && !(e instanceof TrainingError)) {
      const step = e.step - 1;
      const rows = e.row === null ? e.rows : [...e.rows, e.row];
      const kept = e.rows.length === 0 ? "the initial weights were restored" : `the weights of step ${step - 1} (the last finite loss) were kept`;
      const what = e.what === "loss" ? `the loss is ${e.value}` : `the gradient norm is ${e.value}`;
      throw new TrainingError(`${where}: ${what} at step ${step}; ${kept}`, step, frame(rows), e.rows, e.row, e.what, e.value);
    }
    throw e;
  } finally {
    if (ownData) data?.dispose();
  }
}
