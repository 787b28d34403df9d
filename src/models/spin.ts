/**
 * Pieces shared by the autoregressive spin models (MADE, PixelCNN, TwoBo):
 * their common base class, the extended model contract the VAN trainer and estimators
 * use when a model offers it, and the numerics of ±1 Bernoulli conditionals
 * and of Z2 symmetrisation, in tfjs (differentiable) and in float64 on the JS
 * side.
 */
import * as tf from "@tensorflow/tfjs";
import type { RandomOptions } from "../core/random";
import { checkBoolean } from "../core/validate";
import type { SpinSystem } from "../systems/types";
import type { GenerativeModel, Sample } from "./types";

let variableCounter = 0;
/** A tfjs variable name unique in the process (tfjs refuses duplicates), e.g. "made_w0_12". */
export function uniqueVariableName(base: string): string {
  variableCounter += 1;
  return `${base}_${variableCounter}`;
}

/**
 * A model's trainable variables in checkpoint order with their checkpoint
 * names ("w0", "b0", …). Each tfjs variable gets the process-unique name
 * `${prefix}_${name}_k` (tfjs refuses duplicates).
 */
export class ModelVariables {
  readonly variables: tf.Variable[] = [];
  readonly names: string[] = [];
  constructor(private readonly prefix: string) {}

  /** A new trainable variable holding `init()` (run in a tidy scope), appended under `name`. */
  add(name: string, init: () => tf.Tensor): tf.Variable {
    const v = tf.tidy(() => tf.variable(init(), true, uniqueVariableName(`${this.prefix}_${name}`)));
    this.variables.push(v);
    this.names.push(name);
    return v;
  }
}

/** Samples on the JS side: x is [batch × size] row-major ±1, logProb in float64. */
export interface SpinSamples {
  batch: number;
  size: number;
  x: Float32Array;
  logProb: Float64Array;
}

/** Options of `SpinModel.sampleArrays`. */
export interface SampleArraysOptions extends RandomOptions {
  /**
   * false: the caller does not need ln q (the VAN trainer gets it from its
   * gradient pass), so the model skips computing it, in particular the extra
   * pass over −s that Z2 symmetrisation needs; `logProb` is then all NaN.
   * The same random numbers are drawn, so the configurations are the same.
   * Default true.
   */
  logProb?: boolean;
}

/** Whether `sampleArrays` options ask for ln q (default yes); checks the option. */
export function wantsLogProb(options: SampleArraysOptions | undefined, where: string): boolean {
  return options?.logProb === undefined ? true : checkBoolean(options.logProb, "options.logProb", where);
}

/**
 * An autoregressive model of ±1 spins. Everything beyond `GenerativeModel` is
 * what the trainer, the estimators and checkpoints use when present; a model
 * that implements only `GenerativeModel` still trains (through tensors).
 */
export interface SpinModel extends GenerativeModel {
  /** Draw samples straight into typed arrays (no tensors), as `sample` would. */
  sampleArrays(batch: number, options?: SampleArraysOptions): SpinSamples;
  /** ln q of given ±1 configurations [batch × size] in float64 on the JS side. */
  logProbArrays(x: ArrayLike<number>, batch: number): Float64Array;
  /** The architecture as JSON (type, size and every option that fixes the variables' shapes). */
  config(): ModelConfig;
  /** Names of `trainableVariables`, in the same order (checkpoints match them by name). */
  readonly variableNames: string[];
}

/** What `reinforceGradients` returns: ln q of the configurations, the surrogate loss and its gradients. */
export interface ReinforceGradients {
  /** ln q(x_b) in float64 (Z2-symmetrised when the model is). */
  logProb: Float64Array;
  /** The surrogate loss (1/B) Σ_b (L_b − L̄) ln q(x_b) (not β F_q: only its gradient means anything). */
  loss: number;
  /** ∂loss/∂v for every trainable variable v, in `trainableVariables` order; new tensors the caller disposes. */
  grads: tf.Tensor[];
}

/**
 * A model that computes the REINFORCE gradient itself on the JS side, in one
 * pass without tfjs kernels (MADE; fastest for small networks). The contract:
 * `reinforceGradients(x, batch, signal)` evaluates ln q of the ±1
 * configurations x ([batch × size] row-major), calls `signal(lnq)` once for
 * L_b (e.g. βE_b + ln q_b), and returns ln q, the value of the surrogate
 * (1/B) Σ_b (L_b − L̄) ln q_b and its gradients with respect to
 * `trainableVariables`, in that order, as new tensors: the same, to float32
 * rounding, as `tf.variableGrads(() => reinforceLoss(model.logProb(xT), L))`.
 */
export interface ReinforceGradientModel {
  reinforceGradients(x: ArrayLike<number>, batch: number, signal: (logProb: Float64Array) => ArrayLike<number>): ReinforceGradients;
  /** Whether the fused pass is expected to beat `tf.variableGrads` at this batch size (measured crossover). */
  prefersReinforceGradients(batch: number): boolean;
}

/** True when `m` offers `reinforceGradients` (see `ReinforceGradientModel`). */
export function hasReinforceGradients(m: GenerativeModel): m is GenerativeModel & ReinforceGradientModel {
  const r = m as Partial<ReinforceGradientModel>;
  return typeof r.reinforceGradients === "function" && typeof r.prefersReinforceGradients === "function";
}

/** A model's architecture as stored in checkpoints. */
export interface ModelConfig {
  type: string;
  size: number;
  [key: string]: unknown;
}

/** What `fromConfig` may need besides the config: the system, for models shaped by its couplings (TwoBo). */
export interface ModelContext {
  system?: SpinSystem;
}

/**
 * Check a stored config before a model's `fromConfig` rebuilds from it: an
 * object whose `type` is `type` and whose keys are all in `known` (the fields
 * of that model's `config()`). Values are checked by the model's constructor.
 */
export function checkModelConfig<C extends ModelConfig>(config: ModelConfig, type: string, known: readonly string[], where: string): C {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new Error(`${where}: config must be an object (a model's config()), got ${config === null ? "null" : typeof config}`);
  }
  if (config.type !== type) throw new Error(`${where}: config.type must be "${type}", got ${JSON.stringify(config.type)}`);
  for (const k of Object.keys(config)) {
    if (!known.includes(k)) throw new Error(`${where}: unknown config key "${k}" (known: ${known.join(", ")})`);
  }
  return config as C;
}

/** True when `m` offers the `SpinModel` extras. */
export function isSpinModel(m: GenerativeModel): m is SpinModel {
  const s = m as Partial<SpinModel>;
  return typeof s.sampleArrays === "function" && typeof s.config === "function" && Array.isArray(s.variableNames);
}

/** How a network's last layer becomes the clamped conditional logits (shared by the nets' full passes and samplers). */
export interface LogitClamp {
  /** The first conditional is fixed at ½. */
  readonly biasFreeFirst: boolean;
  /** Logit bound ln((1−ε)/ε). */
  readonly zmax: number;
  /** [1, N] ones with a zero at site 0 when `biasFreeFirst`, else null. */
  readonly firstMask: tf.Tensor2D | null;
}

/** [1, n] ones with a zero at site 0: multiplying the logits by it fixes the first conditional at ½. */
export function firstSiteMask(n: number): tf.Tensor2D {
  const m = new Float32Array(n).fill(1);
  m[0] = 0;
  return tf.tensor2d(m, [1, n]);
}

/** Logit bound so that conditionals stay in [ε, 1−ε]: ln((1−ε)/ε). */
export function logitBound(epsilon: number): number {
  return Math.log((1 - epsilon) / epsilon);
}

/**
 * ln q(x) = Σ_i ln σ(x_i z_i) for ±1 spins x and conditional logits z
 * (z_i = logit q(s_i = +1 | s_<i)), [batch, n] → [batch]. Differentiable.
 */
export function bernoulliLogProb(logits: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.softplus(tf.neg(tf.mul(x, logits))), 1)) as tf.Tensor1D);
}

/** ln σ(y) in float64, stable for large |y|. */
export function logSigmoid(y: number): number {
  return y >= 0 ? -Math.log1p(Math.exp(-y)) : y - Math.log1p(Math.exp(y));
}

/** Z2 symmetrisation of log-probabilities: ln ½[q(s) + q(−s)] from ln q(s) and ln q(−s). Differentiable. */
export function symmetrizeLogProb(a: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const m = tf.maximum(a, b);
    const s = tf.add(tf.exp(tf.sub(a, m)), tf.exp(tf.sub(b, m)));
    return tf.sub(tf.add(m, tf.log(s)), Math.LN2) as tf.Tensor1D;
  });
}

/**
 * ln q(x) of an autoregressive spin model from its logits, with optional Z2
 * symmetrisation (both x and −x in one batched pass). Differentiable; the
 * shared full-pass `logProb` of MADE, PixelCNN and TwoBo.
 */
export function autoregressiveLogProb(logits: (x: tf.Tensor2D) => tf.Tensor2D, x: tf.Tensor2D, z2: boolean): tf.Tensor1D {
  return tf.tidy(() => {
    if (!z2) return bernoulliLogProb(logits(x), x);
    const both = tf.concat([x, tf.neg(x)], 0) as tf.Tensor2D;
    const lq = bernoulliLogProb(logits(both), both);
    const batch = x.shape[0];
    const [a, b] = tf.split(lq, [batch, batch]) as [tf.Tensor1D, tf.Tensor1D];
    return symmetrizeLogProb(a, b);
  });
}

/** Tensors of samples drawn on the JS side (the caller disposes them). */
export function samplesToTensors(s: SpinSamples): { x: tf.Tensor2D; logProb: tf.Tensor1D } {
  return { x: tf.tensor2d(s.x, [s.batch, s.size]), logProb: tf.tensor1d(Float32Array.from(s.logProb)) };
}

/** ln ½[e^a + e^b] in float64. */
export function symmetrize(a: number, b: number): number {
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m)) - Math.LN2;
}

/**
 * Draw spin samples into typed arrays from any model: through `sampleArrays`
 * when the model has it, else through `sample` (tensors read back and freed).
 */
export function sampleSpins(model: GenerativeModel, batch: number, options?: RandomOptions): SpinSamples {
  if (isSpinModel(model)) return model.sampleArrays(batch, options);
  const s = model.sample(batch, options);
  try {
    const x = Float32Array.from(s.x.dataSync() as Float32Array);
    const logProb = Float64Array.from(s.logProb.dataSync());
    return { batch, size: model.size, x, logProb };
  } finally {
    tf.dispose([s.x, s.logProb]);
  }
}

/**
 * What MADE, PixelCNN and TwoBo share: the life cycle (dispose, use after
 * dispose refused), input checks, the full-pass Z2-aware `logProb` built on
 * the subclass's `logits`, and `sample` as tensors of `sampleArrays`.
 */
export abstract class AutoregressiveSpinModel implements SpinModel {
  abstract readonly size: number;
  abstract readonly z2: boolean;
  abstract readonly trainableVariables: tf.Variable[];
  abstract readonly variableNames: string[];
  /** Prefix of error messages, e.g. "made". */
  protected abstract readonly kind: string;
  /** Zeroes the first conditional's logit when the first site is fixed at ½ (or null). */
  protected abstract readonly firstMask: tf.Tensor2D | null;
  protected disposed = false;

  /** Conditional logits z_i = logit q(s_i = +1 | s_<i), clamped, [batch, N]; differentiable. */
  abstract logits(x: tf.Tensor2D): tf.Tensor2D;
  abstract sampleArrays(batch: number, options?: SampleArraysOptions): SpinSamples;
  abstract logProbArrays(x: ArrayLike<number>, batch: number): Float64Array;
  abstract config(): ModelConfig;

  /** ln q(x) of ±1 configurations [batch, N] → [batch]: one full pass (two with Z2), differentiable. */
  logProb(x: tf.Tensor2D): tf.Tensor1D {
    this.checkAlive("logProb");
    this.checkInput(x, "logProb");
    return autoregressiveLogProb((v) => this.logits(v), x, this.z2);
  }

  sample(batch: number, options?: RandomOptions): Sample {
    return samplesToTensors(this.sampleArrays(batch, options));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.trainableVariables) v.dispose();
    for (const t of this.ownedTensors()) t.dispose();
    this.firstMask?.dispose();
  }

  /** Tensors the model owns besides its variables and `firstMask` (freed by `dispose`). */
  protected ownedTensors(): tf.Tensor[] {
    return [];
  }

  protected checkAlive(where: string): void {
    checkAliveModel(this.disposed, `${this.kind}.${where}`);
  }

  protected checkInput(x: tf.Tensor2D, where: string): void {
    checkBatchInput(x, this.size, `${this.kind}.${where}`, "tensor");
  }
}

/** Refuse a disposed model (shared by the model base classes); `where` is e.g. "made.sample". */
export function checkAliveModel(disposed: boolean, where: string): void {
  if (disposed) throw new Error(`${where}: the model has been disposed`);
}

/** Check that x is a [batch, size] tensor (`what` names it in the message, e.g. "tensor of states"). */
export function checkBatchInput(x: tf.Tensor2D, size: number, where: string, what: string): void {
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== size) {
    const shape = x instanceof tf.Tensor ? `[${x.shape.join(", ")}]` : String(x);
    throw new Error(`${where}: x must be a [batch, ${size}] ${what}, got ${shape}`);
  }
}

/** Check that `model` can model `system` (shared with the estimators). */
export function checkModelSystem(model: GenerativeModel, system: SpinSystem, where: string): void {
  if (model === null || typeof model !== "object" || typeof model.logProb !== "function" || !Array.isArray(model.trainableVariables)) {
    throw new Error(`${where}: model must be a GenerativeModel`);
  }
  if (system === null || typeof system !== "object" || system.kind !== "spin") throw new Error(`${where}: system must be a SpinSystem`);
  const domain = (model as { domain?: unknown }).domain;
  if (domain === "angles") throw new Error(`${where}: the model draws angles (domain "angles") but the system is a ±1 spin system`);
  if (domain !== undefined && domain !== "spin") throw new Error(`${where}: the model is a model of ${String(domain)} variables, not of ±1 spins`);
  if (model.size !== system.n) throw new Error(`${where}: the model has size ${model.size} but the system has ${system.n} spins`);
}
