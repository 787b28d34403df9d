/**
 * Variational autoregressive network training (Wu, Wang, Zhang, PRL 122,
 * 080602, 2019): minimise the variational free energy
 *
 *   β F_q = E_q[β E(s) + ln q(s)] ≥ β F,
 *
 * with the REINFORCE gradient ∇ β F_q = E_q[(L(s) − b) ∇ ln q(s)], where
 * L = β E + ln q is computed without gradient and the baseline b = mean L over
 * the batch. Works with any `GenerativeModel` of ±1 spins; models with the
 * `SpinModel` extras sample straight into typed arrays.
 *
 * `trainVan` is a thin wrapper: the REINFORCE objective (`./objectives`) run by
 * the training driver (`./driver`), which owns the loop, schedules, divergence
 * guard, checkpoints and exact resume. `steps` and `minutes` are totals of the
 * run: with `resume`, training continues from the checkpoint's step to `steps`
 * (a checkpoint already at or past it is an error), and the result's rows hold
 * only the steps run by this call (global step numbers).
 */
import { type RandomOptions } from "../core/random";
import type { DataFrame } from "../core/table";
import { checkInteger, checkKeys } from "../core/validate";
import { checkModelSystem } from "../models/spin";
import { checkModelTarget } from "../models/target";
import { energiesOf } from "../systems/observables";
import type { GenerativeModel } from "../models/types";
import type { PottsSystem, SpinSystem, XYSystem } from "../systems/types";
import type { Adam, AdamOptions } from "./adam";
import { describeModel, DivergenceError, runTraining, systemFingerprint, type DriverRow } from "./driver";
import { reinforceLoss, reinforceObjective } from "./objectives";
import { betaSchedule, lrSchedule, type LrSchedule } from "./schedule";

// Kept here for callers of boltzlab 0.1 (bz.train.energiesOf, bz.train.checkModelSystem, bz.train.reinforceLoss).
export { checkModelSystem, energiesOf, reinforceLoss };

export interface TrainVanOptions extends RandomOptions {
  model: GenerativeModel;
  /** A spin system (±1 models), a Potts system (q-state models) or an XY system (models of angles). */
  system: SpinSystem | PottsSystem | XYSystem;
  /** Target inverse temperature β > 0. */
  beta: number;
  /** Total number of gradient steps of the run (the most, when `minutes` is given); with `resume`, the step to continue to. */
  steps: number;
  /**
   * Wall-clock budget of the run in minutes (a resumed run counts the training
   * time its checkpoint has used): training stops at the first step that ends
   * past it, and the learning-rate schedule runs over the budget (its progress
   * is the larger of the step and the time fraction). Default: no budget.
   */
  minutes?: number;
  /** Samples per step (≥ 2; default 1000). */
  batch?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Learning-rate schedule (default "constant"). */
  schedule?: LrSchedule;
  /** Floor of the "cosine" schedule, 0 < lrMin ≤ lr (default lr/100). */
  lrMin?: number;
  /** Factor per step of the "exponential" schedule, 0 < lrDecay ≤ 1 (default 0.999). */
  lrDecay?: number;
  /** Global-norm gradient clipping (default none). */
  clip?: number | null;
  /** "clip" (default) or "normalize": rescale the gradient to norm `clip` at every step, as the VAN reference's --clip_grad does (see runTraining). */
  clipMode?: "clip" | "normalize";
  /** β-annealing rate a in (0, 1): β_t = β₀ + (β − β₀)(1 − a^t) for the global step t (default none). */
  anneal?: number | null;
  /** β₀ of the annealing (default 0). */
  betaStart?: number;
  /** Adam's moment parameters. */
  adam?: AdamOptions;
  /** An optimizer to continue with (its state carries over; not disposed). Default: a fresh Adam. */
  optimizer?: Adam;
  /** Checkpoint file: written every `checkpointEvery` steps and at the end. */
  checkpoint?: string;
  /** Steps between checkpoints (default: only at the end). */
  checkpointEvery?: number;
  /**
   * Checkpoint to resume from: weights, Adam and RNG state, step and training
   * time; the run's options (system, model, β schedule, batch, LR schedule,
   * clip, Adam) must match the checkpoint's, else it is refused before any work.
   * `seed`/`rng` are then ignored (the checkpoint's RNG stream continues).
   */
  resume?: string;
  /** Progress bar: true/false forces, undefined = automatic. */
  progress?: boolean;
  /** Label of the progress bar. */
  label?: string;
  /** Called after each step with its history row. */
  onStep?: (row: VanHistoryRow) => void;
}

/** One training step's record. */
export interface VanHistoryRow {
  [key: string]: number;
  step: number;
  /** β of this step (annealed). */
  beta: number;
  lr: number;
  /** Variational free energy per spin mean(βE + ln q)/(βN) and its standard error. */
  freeEnergy: number;
  freeEnergyError: number;
  energy: number;
  entropy: number;
  absMagnetization: number;
  gradNorm: number;
  /** Seconds of training in the whole run (a resumed run counts the time its checkpoint had used). */
  wallTime: number;
}

export interface TrainVanResult {
  /** Per-step history (polars DataFrame; `.writeCSV(path)`, `.writeParquet(path)`). */
  history: DataFrame;
  rows: VanHistoryRow[];
  /** Steps run by this call. */
  steps: number;
  /** The global step reached (= steps unless resumed). */
  step: number;
  beta: number;
  msPerStep: number;
  samplesPerSecond: number;
  /** Path of the last checkpoint written, or null. */
  checkpoint: string | null;
}

/** Training stopped on a non-finite loss or gradient; the model holds the last good weights. */
export class VanDivergenceError extends DivergenceError {
  constructor(message: string, step: number, rows: VanHistoryRow[], row: DriverRow | null = null, what: "loss" | "gradient" = "loss", value = NaN) {
    super(message, step, rows, row, what, value);
    this.name = "VanDivergenceError";
  }
  declare readonly rows: VanHistoryRow[];
}

const KNOWN = [
  "model", "system", "beta", "steps", "minutes", "batch", "lr", "schedule", "lrMin", "lrDecay", "clip", "clipMode", "anneal", "betaStart",
  "adam", "optimizer", "checkpoint", "checkpointEvery", "resume", "progress", "label", "onStep", "seed", "rng",
];

/** Train `model` towards the Boltzmann distribution of `system` at `beta` by REINFORCE; see the module doc. */
export function trainVan(options: TrainVanOptions): TrainVanResult {
  const W = "trainVan";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  checkKeys(options, KNOWN, W);
  const { model, system } = options;
  checkModelTarget(model, system, W);
  const betaS = betaSchedule({ beta: options.beta, anneal: options.anneal, betaStart: options.betaStart }, W);
  const batch = checkInteger(options.batch ?? 1000, "batch", W, { min: 2 });
  const lrS = lrSchedule({ lr: options.lr ?? 1e-3, schedule: options.schedule, lrMin: options.lrMin, decay: options.lrDecay }, W, { decay: "lrDecay" });
  const objective = reinforceObjective({ system });
  const { beta } = betaS;
  try {
    const r = runTraining({
      where: W,
      model,
      objective,
      steps: options.steps,
      batch,
      beta: betaS,
      lr: lrS,
      clip: options.clip,
      clipMode: options.clipMode,
      minutes: options.minutes,
      adam: options.adam,
      optimizer: options.optimizer,
      checkpoint: options.checkpoint,
      checkpointEvery: options.checkpointEvery,
      resume: options.resume,
      run: { system: system.name, n: system.n, couplings: systemFingerprint(system), model: describeModel(model) },
      meta: { system: system.name },
      gradNorm: "per-variable",
      progress: options.progress,
      label: options.label ?? `VAN ${system.name} β=${beta}`,
      status: (row) => `F/N=${row.freeEnergy.toFixed(5)}±${row.freeEnergyError.toFixed(5)} β=${row.beta.toFixed(3)}`,
      onStep: options.onStep as ((row: DriverRow) => void) | undefined,
      seed: options.seed,
      rng: options.rng,
    });
    const rows = r.rows as VanHistoryRow[];
    return {
      history: r.history,
      rows,
      steps: r.steps,
      step: r.step,
      beta,
      msPerStep: r.msPerStep,
      samplesPerSecond: r.samplesPerSecond,
      checkpoint: r.checkpoint,
    };
  } catch (e) {
    if (e instanceof DivergenceError && !(e instanceof VanDivergenceError)) {
      throw new VanDivergenceError(e.message, e.step, e.rows as VanHistoryRow[], e.row, e.what, e.value);
    }
    throw e;
  }
}

/** Write a history DataFrame as CSV or Parquet, chosen by the file extension. */
export function saveHistory(history: DataFrame, file: string): void {
  if (file.endsWith(".csv")) history.writeCSV(file);
  else if (file.endsWith(".parquet")) history.writeParquet(file);
  else throw new Error(`saveHistory: file must end in .csv or .parquet, got "${file}"`);
}

/** Tell a model whose network uses β (e.g. TwoBo) the current inverse temperature (the contract's `setBeta`); others ignore it. */
export function setModelBeta(model: GenerativeModel, beta: number): void {
  model.setBeta?.(beta);
}
