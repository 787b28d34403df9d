/**
 * Free-energy differences between states from a Boltzmann generator *and*
 * samples of the target, by Bennett's acceptance ratio per state
 * (src/stats/bar.ts). Reweighting the generator alone (`wellFreeEnergy` with
 * its log weights) estimates each state's Z_A = ∫_A e^{−βU} from one side;
 * in many dimensions a few weights dominate that estimate and it is biased
 * low by many kT. Samples of p restricted to each state are usually at hand —
 * the MCMC runs the generator was trained on, each stuck in the state it
 * started in — and BAR between q|A and p|A uses both:
 *
 *   ln Z_A = ln Q_A − Δf_A,   Q_A = ∫_A q (the generator's fraction in A),
 *   Δf_A = BAR(forward: −ln w of the generator's samples in A, reverse: ln w of the data in A),
 *
 * with ln w = −βU − ln q, and ΔF(right − left) = −ln(Z_right/Z_left). The data
 * of a state must be distributed as p restricted to that state (equilibrated
 * within it); they need not cross between the states.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import { bar, type BarResult } from "../stats/bar";
import type { Stats } from "../stats";
import type { ContinuousSystem } from "../systems/types";
import type { BoltzmannGenerator } from "./generator";

export interface LogWeightsOptions {
  system: ContinuousSystem;
  beta: number;
  /** Configurations [n × dim] row-major (e.g. MCMC samples). */
  x: ArrayLike<number>;
  /** Configurations per flow evaluation (default 4096). */
  batch?: number;
}

/** ln w(x) = −βU(x) − ln q(x) of given configurations (q through the flow's inverse; U in float64). */
export function logWeightsOf(model: BoltzmannGenerator, options: LogWeightsOptions): Float64Array {
  const where = "logWeightsOf";
  checkKeys(options, ["system", "beta", "x", "batch"], where);
  const system = options?.system;
  if (system === undefined || typeof system.energyOf !== "function") throw new Error(`${where}: system must be a ContinuousSystem`);
  if (system.dim !== model.size) throw new Error(`${where}: system has dim ${system.dim}, model has size ${model.size}`);
  const beta = checkPositive(options.beta, "beta", where);
  const x = options.x;
  if (x === undefined || x === null || typeof x.length !== "number") throw new Error(`${where}: x must be an array of n·${model.size} numbers`);
  const d = model.size;
  const n = Math.floor(x.length / d);
  if (n < 1 || n * d !== x.length) throw new Error(`${where}: x must hold n·${d} numbers with n ≥ 1, got ${x.length}`);
  for (let k = 0; k < x.length; k++) if (!Number.isFinite(x[k])) throw new Error(`${where}: x[${k}] is ${x[k]}`);
  const batch = options.batch === undefined ? 4096 : checkInteger(options.batch, "batch", where, { min: 1 });
  ensureBackend();
  const out = new Float64Array(n);
  const row = new Float64Array(d);
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const chunk = new Float32Array(b * d);
    for (let k = 0; k < b * d; k++) chunk[k] = x[start * d + k];
    const t = tf.tensor2d(chunk, [b, d]);
    const lq = model.logProb(t);
    const v = lq.dataSync();
    tf.dispose([t, lq]);
    for (let k = 0; k < b; k++) {
      for (let j = 0; j < d; j++) row[j] = x[(start + k) * d + j];
      out[start + k] = -beta * system.energyOf(row) - v[k];
    }
  }
  return out;
}

export interface WellBarOptions {
  /** The generator's samples: the separating coordinate of each and its ln w = −βU − ln q (e.g. from `reweight`). */
  generator: { values: ArrayLike<number>; logWeights: ArrayLike<number> };
  /** Samples of the target in both states (e.g. MCMC runs started in each): the coordinate and ln w (`logWeightsOf`). */
  data: { values: ArrayLike<number>; logWeights: ArrayLike<number> };
  /** Dividing value of the coordinate: "left" ≤ divide < "right" (default 0). */
  divide?: number;
  /** Block jackknife of each state's BAR over this many blocks (for correlated data, in the order given); default: the asymptotic error. */
  blocks?: number;
}

export interface WellBarState {
  /** ln Z_A − ln Z_q (the state's log normaliser relative to the generator's). */
  logZ: Stats;
  /** Q_A: the generator's fraction of samples in the state. */
  generatorFraction: number;
  /** Samples used: the generator's and the data's in this state. */
  generatorSamples: number;
  dataSamples: number;
  /** The state's BAR result (Δf_A = ln Q_A − ln Z_A) and its one-sided estimates. */
  bar: BarResult;
}

export interface WellBarResult {
  /** ΔF = F_right − F_left = −ln(Z_right/Z_left) in kT, with its error. */
  deltaF: Stats;
  /** P(right) = Z_right/(Z_left + Z_right), with its error. */
  fractionRight: Stats;
  left: WellBarState;
  right: WellBarState;
}

/** ΔF between the states of a coordinate by BAR per state between the generator and target samples (see the module doc). */
export function wellFreeEnergyBar(options: WellBarOptions): WellBarResult {
  const where = "wellFreeEnergyBar";
  checkKeys(options, ["generator", "data", "divide", "blocks"], where);
  const gen = readSet(options?.generator, "generator", where);
  const dat = readSet(options.data, "data", where);
  const divide = options.divide === undefined ? 0 : checkNumber(options.divide, "divide", where);
  const blocks = options.blocks === undefined ? undefined : checkInteger(options.blocks, "blocks", where, { min: 2 });
  const split = (s: { values: Float64Array; logWeights: Float64Array }, right: boolean): Float64Array => {
    const out: number[] = [];
    for (let k = 0; k < s.values.length; k++) if ((s.values[k] > divide) === right) out.push(s.logWeights[k]);
    return Float64Array.from(out);
  };
  const n = gen.values.length;
  const states: WellBarState[] = [];
  for (const right of [false, true]) {
    const side = right ? "right" : "left";
    const g = split(gen, right), p = split(dat, right);
    if (g.length < 2) throw new Error(`${where}: the generator has ${g.length} sample(s) on the ${side} of divide = ${divide}; BAR needs at least 2 in each state`);
    if (p.length < 2) throw new Error(`${where}: data has ${p.length} sample(s) on the ${side} of divide = ${divide}; BAR needs at least 2 in each state`);
    if (blocks !== undefined && blocks > Math.min(g.length, p.length)) throw new Error(`${where}: blocks = ${blocks} exceeds the ${Math.min(g.length, p.length)} samples of the ${side} state`);
    // forward: samples of q|A, W_F = u_p − u_q = −ln w; reverse: samples of p|A, W_R = u_q − u_p = ln w
    const forward = g.map((v) => -v);
    const r = bar({ forward, reverse: p, ...(blocks === undefined ? {} : { blocks }) });
    const Q = g.length / n;
    states.push({
      logZ: { mean: Math.log(Q) - r.mean, error: r.error, variance: r.variance, n: r.n },
      generatorFraction: Q,
      generatorSamples: g.length,
      dataSamples: p.length,
      bar: r,
    });
  }
  const [left, right] = states;
  // the generator's split between the states is binomial: var ln(Q_R/Q_L) = 1/(n Q_L Q_R)
  const varSplit = 1 / (n * left.generatorFraction * right.generatorFraction);
  const dfMean = left.logZ.mean - right.logZ.mean;
  const dfError = Math.sqrt(left.bar.error ** 2 + right.bar.error ** 2 + varSplit);
  const pr = 1 / (1 + Math.exp(dfMean));
  return {
    deltaF: { mean: dfMean, error: dfError, variance: dfError * dfError * n, n },
    fractionRight: { mean: pr, error: pr * (1 - pr) * dfError, variance: (pr * (1 - pr) * dfError) ** 2 * n, n },
    left,
    right,
  };
}

function readSet(s: { values: ArrayLike<number>; logWeights: ArrayLike<number> } | undefined, name: string, where: string): { values: Float64Array; logWeights: Float64Array } {
  if (s === undefined || s === null || typeof s !== "object") throw new Error(`${where}: ${name} must be { values, logWeights }`);
  const { values, logWeights } = s;
  if (values === undefined || typeof values.length !== "number") throw new Error(`${where}: ${name}.values must be an array of numbers`);
  if (logWeights === undefined || typeof logWeights.length !== "number") throw new Error(`${where}: ${name}.logWeights must be an array of numbers`);
  if (values.length !== logWeights.length) throw new Error(`${where}: ${name}.values has ${values.length} entries, ${name}.logWeights ${logWeights.length}`);
  const v = Float64Array.from(values as ArrayLike<number>), w = Float64Array.from(logWeights as ArrayLike<number>);
  for (let k = 0; k < v.length; k++) {
    if (!Number.isFinite(v[k])) throw new Error(`${where}: ${name}.values[${k}] is ${values[k]}`);
    if (Number.isNaN(w[k]) || w[k] === Infinity) throw new Error(`${where}: ${name}.logWeights[${k}] is ${logWeights[k]} (−Infinity, a configuration p cannot produce, is allowed)`);
  }
  return { values: v, logWeights: w };
}
