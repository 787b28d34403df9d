/**
 * The two training signals of a Boltzmann generator, as free functions named
 * by what they consume.
 *
 * - by energy (reverse KL): J_E = E_{z~N}[βE_cut(f(z)) + ln q(f(z))]
 *   = KL(q‖p) − ln Z ≥ −ln Z, with the reparameterisation x = f(z) so the
 *   gradient flows through the samples. Needs no data; can collapse onto one mode.
 * - by example (forward KL): J_X = −E_{x~data}[ln q(x)] = KL(p_data‖q) + H(p_data);
 *   covers where the data went and nothing else.
 *
 * High energies are tamed by the log-linear cut of the paper: u ↦ u below
 * `high`, high + ln(1 + u − high) above it, constant beyond `max` (u = βE).
 */
import * as tf from "@tensorflow/tfjs";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import type { GenerativeModel } from "../models/types";
import type { ContinuousSystem } from "../systems/types";

export interface EnergyCut {
  /** Reduced energy βE above which energies are compressed logarithmically (default 100). */
  high?: number;
  /** Reduced energy beyond which the regularised energy is constant (default 1e8). */
  max?: number;
}

/** The paper's log-linear high-energy cut of reduced energies u = βE, elementwise. */
export function logLinearCut(u: tf.Tensor1D, cut: EnergyCut = {}): tf.Tensor1D {
  checkKeys(cut, ["high", "max"], "logLinearCut");
  const high = cut.high === undefined ? 100 : checkNumber(cut.high, "high", "logLinearCut");
  const max = cut.max === undefined ? 1e8 : checkNumber(cut.max, "max", "logLinearCut", { above: high });
  return tf.tidy(() => {
    // min(u, high) + ln(1 + relu(min(u, max) − high)): differentiable everywhere, no NaN branch
    const over = tf.relu(tf.sub(tf.minimum(u, max), high));
    return tf.add(tf.minimum(u, high), tf.log1p(over)) as tf.Tensor1D;
  });
}

function readCut(v: EnergyCut | false | undefined, where: string): EnergyCut | null {
  if (v === false) return null;
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null) throw new Error(`${where}: energyCut must be {high?, max?} or false`);
  return v;
}

export interface EnergyLossOptions extends RandomOptions {
  system: ContinuousSystem;
  /** Inverse temperature β. */
  beta: number;
  /** Number of samples drawn from the model (default 512). */
  batch?: number;
  /** Log-linear cut of βE (default {high: 100, max: 1e8}); false to switch off. */
  energyCut?: EnergyCut | false;
}

export interface EnergyLossResult {
  /** J_E = mean(βE_cut(x) + ln q(x)), differentiable w.r.t. the model's variables. */
  loss: tf.Scalar;
  /** Log importance weights −βE(x) − ln q(x) of the drawn samples (uncut energies). */
  logWeights: tf.Tensor1D;
}

/**
 * Reverse-KL loss by energy: draws `batch` reparameterised samples from the
 * model (it must be differentiable through `sample`, as a BoltzmannGenerator is).
 */
export function lossByEnergy(model: GenerativeModel, options: EnergyLossOptions): EnergyLossResult {
  const where = "lossByEnergy";
  checkKeys(options, ["system", "beta", "batch", "energyCut", "seed", "rng"], where);
  const { system } = options;
  if (system === undefined || typeof system.energy !== "function") throw new Error(`${where}: system must be a ContinuousSystem`);
  if (system.dim !== model.size) throw new Error(`${where}: system has dim ${system.dim}, model has size ${model.size}`);
  const beta = checkPositive(options.beta, "beta", where);
  const batch = options.batch === undefined ? 512 : checkInteger(options.batch, "batch", where, { min: 1 });
  const cut = readCut(options.energyCut, where);
  const rng = resolveRng(options, where);
  return tf.tidy(() => {
    const s = model.sample(batch, { rng });
    const u = tf.mul(system.energy(s.x), beta) as tf.Tensor1D;
    const uc = cut === null ? u : logLinearCut(u, cut);
    const loss = tf.mean(tf.add(uc, s.logProb)) as tf.Scalar;
    const logWeights = tf.neg(tf.add(u, s.logProb)) as tf.Tensor1D;
    return { loss, logWeights };
  });
}

export interface ExampleLossOptions {
  /** Samples of the target distribution (MCMC/MD), [batch, dim]. */
  data: tf.Tensor2D;
}

export interface ExampleLossResult {
  /** J_X = −mean ln q(data), differentiable w.r.t. the model's variables. */
  loss: tf.Scalar;
}

/** Forward-KL loss by example: the negative log-likelihood of the data under the model. */
export function lossByExample(model: GenerativeModel, options: ExampleLossOptions): ExampleLossResult {
  const where = "lossByExample";
  checkKeys(options, ["data"], where);
  const data = options?.data;
  if (data === undefined || (data as tf.Tensor).rank !== 2 || data.shape[1] !== model.size) {
    throw new Error(`${where}: data must be a tensor of shape [batch, ${model.size}]`);
  }
  return tf.tidy(() => ({ loss: tf.neg(tf.mean(model.logProb(data))) as tf.Scalar }));
}

export interface LossWeights {
  /** Weight of the loss by energy. */
  energy: number;
  /** Weight of the loss by example. */
  example: number;
}

export interface CombinedLossOptions extends EnergyLossOptions {
  data: tf.Tensor2D;
  weights: LossWeights;
}

export interface CombinedLossResult {
  /** w_E·J_E + w_X·J_X (terms with weight 0 are not computed). */
  loss: tf.Scalar;
  /** J_E and J_X as computed (null when their weight is 0). */
  energyLoss: tf.Scalar | null;
  exampleLoss: tf.Scalar | null;
  logWeights: tf.Tensor1D | null;
}

/** The weighted sum of the losses by energy and by example. */
export function lossCombined(model: GenerativeModel, options: CombinedLossOptions): CombinedLossResult {
  const where = "lossCombined";
  checkKeys(options, ["system", "beta", "batch", "energyCut", "seed", "rng", "data", "weights"], where);
  const w = options.weights;
  if (w === undefined || typeof w !== "object") throw new Error(`${where}: weights {energy, example} are required`);
  const wE = checkNumber(w.energy, "weights.energy", where, { min: 0 });
  const wX = checkNumber(w.example, "weights.example", where, { min: 0 });
  if (wE === 0 && wX === 0) throw new Error(`${where}: weights.energy and weights.example are both 0`);
  const { data, weights: _w, ...energyOptions } = options;
  const out = tf.tidy(() => {
    const r: Record<string, tf.Tensor> = {};
    let loss: tf.Scalar | null = null;
    if (wE > 0) {
      const e = lossByEnergy(model, energyOptions);
      r.energyLoss = e.loss;
      r.logWeights = e.logWeights;
      loss = wE === 1 ? e.loss : (tf.mul(e.loss, wE) as tf.Scalar);
    }
    if (wX > 0) {
      const x = lossByExample(model, { data }).loss;
      r.exampleLoss = x;
      const t = wX === 1 ? x : (tf.mul(x, wX) as tf.Scalar);
      loss = loss === null ? t : (tf.add(loss, t) as tf.Scalar);
    }
    r.loss = loss as tf.Scalar;
    return r;
  });
  return {
    loss: out.loss as tf.Scalar,
    energyLoss: (out.energyLoss as tf.Scalar | undefined) ?? null,
    exampleLoss: (out.exampleLoss as tf.Scalar | undefined) ?? null,
    logWeights: (out.logWeights as tf.Tensor1D | undefined) ?? null,
  };
}
