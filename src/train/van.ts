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
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { progress } from "../core/progress";
import { resolveRng, type RandomOptions } from "../core/random";
import { frameFromRows, type DataFrame } from "../core/table";
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import { checkModelSystem, isSpinModel, sampleSpins } from "../models/spin";
import { energiesOf } from "../systems/observables";
import type { GenerativeModel } from "../models/types";
import type { SpinSystem } from "../systems/types";
import { Adam, clipByGlobalNorm, type AdamOptions } from "./adam";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { annealedBeta, learningRate, type LrSchedule } from "./schedule";

// Kept here for callers of boltzlab 0.1 (bz.train.energiesOf, bz.train.checkModelSystem).
export { checkModelSystem, energiesOf };

/**
 * The REINFORCE surrogate loss mean((L − mean L) · ln q): its gradient is the
 * gradient of β F_q. `signal` holds L = β E + ln q per sample (no gradient);
 * `logProb` is the model's differentiable ln q of the same samples.
 */
export function reinforceLoss(logProb: tf.Tensor1D, signal: ArrayLike<number>): tf.Scalar {
  const n = logProb.shape[0];
  if (signal.length !== n) throw new Error(`reinforceLoss: signal has ${signal.length} entries, logProb ${n}`);
  let mean = 0;
  for (let k = 0; k < n; k++) mean += signal[k];
  mean /= n;
  const adv = new Float32Array(n);
  for (let k = 0; k < n; k++) adv[k] = signal[k] - mean;
  return tf.tidy(() => tf.mean(tf.mul(tf.tensor1d(adv), logProb)) as tf.Scalar);
}

export interface TrainVanOptions extends RandomOptions {
  model: GenerativeModel;
  system: SpinSystem;
  /** Target inverse temperature β > 0. */
  beta: number;
  /** Number of gradient steps (the most, when `minutes` is given). */
  steps: number;
  /**
   * Wall-clock budget of the training loop in minutes: training stops at the
   * first step that ends past it, and the learning-rate schedule runs over the
   * budget (its progress is the larger of the step and the time fraction).
   * Default: no budget.
   */
  minutes?: number;
  /** Samples per step (≥ 2; default 1000). */
  batch?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Learning-rate schedule (default "constant"). */
  schedule?: LrSchedule;
  /** Floor of the "cosine" schedule (default lr/100). */
  lrMin?: number;
  /** Factor per step of the "exponential" schedule (default 0.999). */
  lrDecay?: number;
  /** Global-norm gradient clipping (default none). */
  clip?: number | null;
  /** β-annealing rate a: β_t = β₀ + (β − β₀)(1 − a^t) (default none). */
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
  /** Checkpoint to resume from (weights, optimizer state and step). */
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
  /** Seconds since training started. */
  wallTime: number;
}

export interface TrainVanResult {
  /** Per-step history (polars DataFrame; `.writeCSV(path)`, `.writeParquet(path)`). */
  history: DataFrame;
  rows: VanHistoryRow[];
  steps: number;
  beta: number;
  msPerStep: number;
  samplesPerSecond: number;
  /** Path of the last checkpoint written, or null. */
  checkpoint: string | null;
}

/** Training stopped on a non-finite loss or gradient; the model holds the last good weights. */
export class VanDivergenceError extends Error {
  constructor(message: string, readonly step: number, readonly rows: VanHistoryRow[]) {
    super(message);
    this.name = "VanDivergenceError";
  }
}

const KNOWN = [
  "model", "system", "beta", "steps", "minutes", "batch", "lr", "schedule", "lrMin", "lrDecay", "clip", "anneal", "betaStart",
  "adam", "optimizer", "checkpoint", "checkpointEvery", "resume", "progress", "label", "onStep", "seed", "rng",
];

/** Train `model` towards the Boltzmann distribution of `system` at `beta` by REINFORCE; see the module doc. */
export function trainVan(options: TrainVanOptions): TrainVanResult {
  const W = "trainVan";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  checkKeys(options, KNOWN, W);
  const { model, system } = options;
  checkModelSystem(model, system, W);
  const beta = checkPositive(options.beta, "beta", W);
  const steps = checkInteger(options.steps, "steps", W, { min: 1 });
  const budgetMs = options.minutes === undefined ? null : checkPositive(options.minutes, "minutes", W) * 60000;
  const batch = checkInteger(options.batch ?? 1000, "batch", W, { min: 2 });
  const lr = checkPositive(options.lr ?? 1e-3, "lr", W);
  const clip = options.clip === undefined || options.clip === null ? null : checkPositive(options.clip, "clip", W);
  const anneal = options.anneal === undefined || options.anneal === null ? null : checkNumber(options.anneal, "anneal", W, { min: 0, max: 0.999999 });
  const betaStart = checkNumber(options.betaStart ?? 0, "betaStart", W, { min: 0 });
  const every = options.checkpointEvery === undefined ? null : checkInteger(options.checkpointEvery, "checkpointEvery", W, { min: 1 });
  if (options.onStep !== undefined && typeof options.onStep !== "function") throw new Error(`${W}: onStep must be a function`);
  const rng = resolveRng(options, W);
  ensureBackend();

  const vars = model.trainableVariables;
  const optimizer = options.optimizer ?? new Adam(vars, options.adam ?? {});
  const ownOptimizer = options.optimizer === undefined;
  const n = system.n;
  let t0Step = 0;
  if (options.resume !== undefined) {
    const info = loadCheckpoint({ path: options.resume, model, optimizer });
    const s = info.meta.step;
    if (typeof s === "number") t0Step = s;
  }
  const rows: VanHistoryRow[] = [];
  const bar = progress({ total: steps, label: options.label ?? `VAN ${system.name} β=${beta}`, enabled: options.progress });
  let lastGood: tf.Tensor[] | null = null;
  let lastCheckpoint: string | null = null;
  const start = performance.now();
  let done = 0;
  const save = (step: number, b: number): void => {
    if (options.checkpoint === undefined) return;
    lastCheckpoint = saveCheckpoint({ path: options.checkpoint, model, optimizer, meta: { step, beta: b, system: system.name } });
  };
  const restore = (): void => {
    if (lastGood !== null) tf.tidy(() => lastGood!.forEach((t, k) => vars[k].assign(t)));
  };
  try {
    for (let t = 1; t <= steps; t++) {
      // with a time budget the schedule follows whichever of steps and time is further along
      const elapsedFraction = budgetMs === null ? 0 : (performance.now() - start) / budgetMs;
      const tSchedule = Math.max(t, Math.min(steps, 1 + Math.floor(elapsedFraction * (steps - 1))));
      const step = t0Step + t;
      const bt = annealedBeta(t, beta, anneal, betaStart);
      // Models whose conditionals depend on β (TwoBo's β-scaled skip) follow the annealed β.
      setModelBeta(model, bt);
      const rate = learningRate(tSchedule, steps, { lr, schedule: options.schedule, lrMin: options.lrMin, decay: options.lrDecay });
      // Spin models skip ln q in the sampler: the gradient pass evaluates it anyway (for Z2 models
      // this saves the sampler's extra pass over −s), and L = βE + ln q is read from that pass.
      const tapeLq = isSpinModel(model);
      const s = tapeLq ? model.sampleArrays(batch, { rng, logProb: false }) : sampleSpins(model, batch, { rng });
      const e = energiesOf(system, s.x, batch);
      const L = new Float64Array(batch);
      let sL = 0, sL2 = 0, sE = 0, sLq = 0, sM = 0;
      const signal = (lq: ArrayLike<number>): void => {
        for (let b = 0; b < batch; b++) {
          L[b] = bt * e[b] + lq[b];
          sL += L[b];
          sL2 += L[b] * L[b];
          sLq += lq[b];
        }
      };
      for (let b = 0; b < batch; b++) {
        sE += e[b];
        let m = 0;
        for (let i = 0; i < n; i++) m += s.x[b * n + i];
        sM += Math.abs(m) / n;
      }
      if (!tapeLq) signal(s.logProb);
      let meanL = tapeLq ? NaN : sL / batch;
      let norm = NaN;
      if (tapeLq || Number.isFinite(meanL)) {
        const xT = tf.tensor2d(s.x, [batch, n]);
        const { value, grads } = tf.variableGrads(() => {
          const lq = model.logProb(xT);
          if (tapeLq) {
            signal(lq.dataSync());
            meanL = sL / batch;
          }
          return reinforceLoss(lq, L);
        }, vars);
        const list = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
        const clipped = clipByGlobalNorm(list, clip);
        norm = clipped.norm;
        if (Number.isFinite(norm) && Number.isFinite(meanL)) {
          lastGood?.forEach((g) => g.dispose());
          lastGood = vars.map((v) => tf.clone(v));
          optimizer.apply(clipped.grads, rate);
        }
        tf.dispose([xT, value, ...Object.values(grads), ...list, ...clipped.grads]);
      }
      const varL = Math.max(0, (sL2 - batch * meanL * meanL) / (batch - 1));
      if (!Number.isFinite(meanL) || !Number.isFinite(norm)) {
        restore();
        const what = !Number.isFinite(meanL) ? `the loss (mean βE + ln q = ${meanL})` : `the gradient (norm ${norm})`;
        throw new VanDivergenceError(
          `${W}: training diverged at step ${step}: ${what} is not finite; the model holds the last good weights` +
            (lastGood !== null ? ` (before step ${step - 1}'s update)` : " (the weights it started with)"),
          step,
          rows,
        );
      }
      const row: VanHistoryRow = {
        step,
        beta: bt,
        lr: rate,
        freeEnergy: meanL / (bt * n),
        freeEnergyError: Math.sqrt(varL / batch) / (bt * n),
        energy: sE / batch / n,
        entropy: -sLq / batch / n,
        absMagnetization: sM / batch,
        gradNorm: norm,
        wallTime: (performance.now() - start) / 1000,
      };
      rows.push(row);
      options.onStep?.(row);
      bar.tick(1, `F/N=${row.freeEnergy.toFixed(5)}±${row.freeEnergyError.toFixed(5)} β=${bt.toFixed(3)}`);
      done = t;
      if (budgetMs !== null && performance.now() - start >= budgetMs) break;
      if (every !== null && t % every === 0 && t < steps) save(step, bt);
    }
    save(t0Step + done, annealedBeta(done, beta, anneal, betaStart));
  } finally {
    bar.done();
    lastGood?.forEach((g) => g.dispose());
    if (ownOptimizer) optimizer.dispose();
  }
  const elapsed = performance.now() - start;
  return {
    history: frameFromRows(rows),
    rows,
    steps: done,
    beta,
    msPerStep: elapsed / done,
    samplesPerSecond: (done * batch) / (elapsed / 1000),
    checkpoint: lastCheckpoint,
  };
}

/** Write a history DataFrame as CSV or Parquet, chosen by the file extension. */
export function saveHistory(history: DataFrame, file: string): void {
  if (file.endsWith(".csv")) history.writeCSV(file);
  else if (file.endsWith(".parquet")) history.writeParquet(file);
  else throw new Error(`saveHistory: file must end in .csv or .parquet, got "${file}"`);
}

/** Tell a model whose network uses β (e.g. TwoBo) the current inverse temperature; others ignore it. */
export function setModelBeta(model: GenerativeModel, beta: number): void {
  const m = model as GenerativeModel & { setBeta?: (b: number) => void };
  if (typeof m.setBeta === "function") m.setBeta(beta);
}
