/**
 * The inverse Ising problem by maximum likelihood with a VAN as the sampler
 * (Wu, Wang & Zhang, PRL 122, 080602 (2019), Fig. 4b). Given the data's
 * correlations c_ij = ⟨s_i s_j⟩_data of a zero-field Ising model at β, the
 * log-likelihood per sample of couplings J,
 *
 *   L(J) = β Σ_{i<j} J_ij c_ij − ln Z(J),   ∂L/∂J_ij = β (c_ij − ⟨s_i s_j⟩_J),
 *
 * is concave; its maximum is where the model's Boltzmann correlations equal
 * the data's. ⟨s_i s_j⟩_J is what the VAN estimates: at every coupling step
 * the VAN q is trained a few REINFORCE steps towards p_J (warm-started: the
 * same network and Adam state carry over from step to step, as J moves
 * little), then `samples` fresh configurations give the model correlations,
 * and J takes an Adam step along the normalised gradient (the paper's code
 * `main_inv_ising.py`: Adam, lr 0.01, gradient −(c − ⟨ss⟩)/‖c − ⟨ss⟩‖, J = 0
 * at the start, 10^6 samples per step).
 *
 * What decides whether this beats the closed-form inversions
 * (../meanfield/inverse.ts), each an option here:
 *  - sampling noise: with M samples the correlations carry errors ≈ 1/√M,
 *    amplified in J by the inverse susceptibility (≈ 1/β at high temperature),
 *    so at small β no affordable M beats NMF, whose error is O(β);
 *  - the noise floor of a constant step: Adam moves each J_ij by ≈ lr per step
 *    whatever the gradient, so J ends jittering by ≈ lr; the learning rate
 *    decays (cosine, `lrCouplings` → `lrCouplingsMin`) and the iterates of the
 *    last `average` fraction of steps are averaged (Polyak);
 *  - the VAN's own bias (q ≠ p_J): with `reweight` the correlations are
 *    self-normalised importance averages with w = e^{−βE_J(s)}/q(s), which
 *    removes it while the effective sample size (reported) is not tiny;
 *  - the start: J = 0 (the paper) or any given couplings, e.g. the NMF
 *    inversion, with the VAN pretrained at them (`pretrainSteps`).
 */
import { invertMatrix, matMul } from "../core/linalg";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkBoolean, checkInteger, checkKeys, checkNumber, checkOneOf, checkPositive } from "../core/validate";
import { isSpinModel, type SpinModel } from "../models/spin";
import type { GenerativeModel } from "../models/types";
import { energiesOf } from "../systems/observables";
import { spinSystem } from "../systems/spin";
import type { SpinSystem } from "../systems/types";
import { Adam } from "./adam";
import { trainVan } from "./van";

export interface InverseIsingVanOptions extends RandomOptions {
  /** The VAN (a spin model with `sampleArrays`, e.g. MADE), of size n; trained in place. */
  model: GenerativeModel;
  /** The data's c_ij = ⟨s_i s_j⟩ (n×n row-major, symmetric, c_ii = 1); zero field (⟨s_i⟩ = 0) is assumed. */
  correlations: ArrayLike<number>;
  /** Inverse temperature of the data (the couplings are in units where p ∝ e^{β Σ J s s}). */
  beta: number;
  /** Coupling steps (default 200). */
  steps?: number;
  /** REINFORCE steps of the VAN per coupling step (default 5). */
  trainSteps?: number;
  /** REINFORCE steps of the VAN at the initial couplings before the first coupling step (default 20·trainSteps). */
  pretrainSteps?: number;
  /** Samples per REINFORCE step (default 1000). */
  batch?: number;
  /** VAN learning rate (Adam; default 1e-3). */
  lr?: number;
  /** Fresh samples per coupling step for the model's correlations (default 10000). */
  samples?: number;
  /**
   * The coupling update: "adam" (the paper's: Adam on the normalised gradient)
   * or "preconditioned" (a quasi-Newton step βΔJ = η C⁻¹ (c − ⟨ss⟩) C⁻¹ with C
   * the data's correlation matrix: the derivative of the NMF inversion
   * K = −C⁻¹, so the step is nearly Newton's at weak coupling; the same fixed
   * point c = ⟨ss⟩_J, found in far fewer steps). Default "adam".
   */
  update?: "adam" | "preconditioned";
  /** Step size at the start: Adam's learning rate (default 0.01, the paper's) or η of "preconditioned" (default 0.5). */
  lrCouplings?: number;
  /** "preconditioned": the largest RMS change of J over the pairs in one step (a trust region: the quasi-Newton step overshoots where C is ill-conditioned, at large β; default 0.02). */
  maxStep?: number;
  /** … decayed by a cosine to this at the last step (default lrCouplings: constant, as the paper). */
  lrCouplingsMin?: number;
  /** Fraction of the last coupling steps whose iterates are averaged into the result (0 = the last iterate, as the paper; default 0). */
  average?: number;
  /** Correlations as importance averages with w = e^{−βE}/q (true) or plain sample means of q (false, the paper's; default false). */
  reweight?: boolean;
  /** Initial couplings (n×n; default all zero, the paper's). */
  init?: ArrayLike<number>;
  /** The true couplings (n×n), to record the error per step in `history` (optional). */
  truth?: ArrayLike<number>;
  /** Called after each coupling step with its record. */
  onStep?: (row: InverseIsingVanStep) => void;
}

/** One coupling step's record. */
export interface InverseIsingVanStep {
  step: number;
  /** RMS over the pairs of c − ⟨ss⟩ (the gradient's size). */
  correlationGap: number;
  /** Effective sample size fraction (Σw)²/(M Σw²) of the importance weights e^{−βE}/q (computed with and without `reweight`). */
  essFraction: number;
  /** The couplings' learning rate of this step. */
  lr: number;
  /** √(mean over n² entries (J − J*)²) of this step's couplings against `truth` (null without it). */
  rmsError: number | null;
}

export interface InverseIsingVanResult {
  n: number;
  beta: number;
  /** Inferred J (n×n, symmetric, zero diagonal): the average of the last `average` fraction of iterates, or the last one. */
  couplings: Float64Array;
  /** The last iterate. */
  lastCouplings: Float64Array;
  history: InverseIsingVanStep[];
  /** Mean ESS fraction over the steps. */
  essFraction: number;
  seconds: number;
}

const KNOWN = [
  "model", "correlations", "beta", "steps", "trainSteps", "pretrainSteps", "batch", "lr", "samples", "update", "maxStep", "lrCouplings", "lrCouplingsMin",
  "average", "reweight", "init", "truth", "onStep", "seed", "rng",
];

function checkMatrix(v: unknown, n: number | null, name: string, W: string): Float64Array {
  if (v === null || typeof v !== "object" || typeof (v as ArrayLike<number>).length !== "number") throw new Error(`${W}: ${name} must be an n×n array of numbers`);
  const a = Float64Array.from(v as ArrayLike<number>);
  const k = Math.round(Math.sqrt(a.length));
  if (k * k !== a.length || (n !== null && k !== n)) throw new Error(`${W}: ${name} must be an ${n ?? "n"}×${n ?? "n"} matrix, got ${a.length} entries`);
  for (let q = 0; q < a.length; q++) if (!Number.isFinite(a[q])) throw new Error(`${W}: ${name}[${q}] must be a finite number, got ${a[q]}`);
  return a;
}

/** The pair system E = −Σ_{i<j} J_ij s_i s_j of an n×n coupling matrix. */
function systemOf(n: number, J: Float64Array): SpinSystem {
  const m = (n * (n - 1)) / 2;
  const I = new Int32Array(m);
  const Jn = new Int32Array(m);
  const V = new Float64Array(m);
  let k = 0;
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++, k++) { I[k] = a; Jn[k] = b; V[k] = J[a * n + b]; }
  return spinSystem({ n, edges: { i: I, j: Jn, J: V }, name: `inverse-ising n=${n}`, energyPath: "dense" });
}

/** Infer the couplings by maximum likelihood with the VAN as sampler (see the module doc). */
export function inverseIsingVan(options: InverseIsingVanOptions): InverseIsingVanResult {
  const W = "inverseIsingVan";
  if (options === null || typeof options !== "object") throw new Error(`${W}: options must be an object`);
  checkKeys(options, KNOWN, W);
  const model = options.model;
  if (model === null || typeof model !== "object" || !isSpinModel(model)) throw new Error(`${W}: model must be a spin model with sampleArrays (MADE, PixelCNN, TwoBo)`);
  const c = checkMatrix(options.correlations, null, "correlations", W);
  const n = Math.round(Math.sqrt(c.length));
  if (n < 2) throw new Error(`${W}: correlations must be at least 2×2`);
  if (model.size !== n) throw new Error(`${W}: model has size ${model.size}, the correlations are ${n}×${n}`);
  for (let a = 0; a < n; a++) {
    if (Math.abs(c[a * n + a] - 1) > 1e-9) throw new Error(`${W}: correlations must have c_ii = 1, got ${c[a * n + a]} at ${a}`);
    for (let b = 0; b < n; b++) {
      if (Math.abs(c[a * n + b]) > 1 + 1e-12) throw new Error(`${W}: correlations must lie in [−1, 1], got ${c[a * n + b]} at ${a},${b}`);
      if (Math.abs(c[a * n + b] - c[b * n + a]) > 1e-9) throw new Error(`${W}: correlations must be symmetric (entries ${a},${b} and ${b},${a} differ)`);
    }
  }
  const beta = checkPositive(options.beta, "beta", W);
  const steps = checkInteger(options.steps ?? 200, "steps", W, { min: 1 });
  const trainSteps = checkInteger(options.trainSteps ?? 5, "trainSteps", W, { min: 1 });
  const pretrainSteps = checkInteger(options.pretrainSteps ?? 20 * trainSteps, "pretrainSteps", W, { min: 0 });
  const batch = checkInteger(options.batch ?? 1000, "batch", W, { min: 2 });
  const lr = checkPositive(options.lr ?? 1e-3, "lr", W);
  const samples = checkInteger(options.samples ?? 10000, "samples", W, { min: 2 });
  const update = checkOneOf(options.update ?? "adam", ["adam", "preconditioned"] as const, "update", W);
  const lrJ = checkPositive(options.lrCouplings ?? (update === "adam" ? 0.01 : 0.5), "lrCouplings", W);
  const maxStep = checkPositive(options.maxStep ?? 0.02, "maxStep", W);
  const lrJMin = checkNumber(options.lrCouplingsMin ?? lrJ, "lrCouplingsMin", W, { above: 0, max: lrJ });
  const average = checkNumber(options.average ?? 0, "average", W, { min: 0, max: 1 });
  const reweight = checkBoolean(options.reweight ?? false, "reweight", W);
  const init = options.init === undefined ? new Float64Array(n * n) : checkMatrix(options.init, n, "init", W);
  const truth = options.truth === undefined ? null : checkMatrix(options.truth, n, "truth", W);
  if (options.onStep !== undefined && typeof options.onStep !== "function") throw new Error(`${W}: onStep must be a function`);
  const rng = resolveRng(options, W);
  const t0 = performance.now();

  const spin = model as SpinModel;
  const J = Float64Array.from(init);
  for (let a = 0; a < n; a++) { J[a * n + a] = 0; for (let b = 0; b < a; b++) J[a * n + b] = J[b * n + a]; }
  const Cinv = update === "preconditioned" ? invertMatrix(c, n, W) : null;
  const optimizer = new Adam(spin.trainableVariables);
  // Adam on the couplings (upper triangle), float64 on the JS side
  const P = (n * (n - 1)) / 2;
  const mom = new Float64Array(P);
  const vel = new Float64Array(P);
  const b1 = 0.9;
  const b2 = 0.999;
  const sum = new Float64Array(n * n);
  let averaged = 0;
  const firstAveraged = average === 0 ? steps : Math.min(steps - 1, Math.floor(steps * (1 - average)));
  const history: InverseIsingVanStep[] = [];
  const model_ = new Float64Array(P);
  const s = new Float64Array(n);
  try {
    if (pretrainSteps > 0) trainVan({ model: spin, system: systemOf(n, J), beta, steps: pretrainSteps, batch, lr, optimizer, progress: false, rng });
    for (let t = 0; t < steps; t++) {
      const system = systemOf(n, J);
      trainVan({ model: spin, system, beta, steps: trainSteps, batch, lr, optimizer, progress: false, rng });
      // the model's correlations from fresh samples
      const smp = spin.sampleArrays(samples, { rng });
      const E = energiesOf(system, smp.x, samples);
      const logw = new Float64Array(samples);
      let mx = -Infinity;
      for (let k = 0; k < samples; k++) { logw[k] = -beta * E[k] - smp.logProb[k]; if (logw[k] > mx) mx = logw[k]; }
      let sw = 0;
      let sw2 = 0;
      const w = new Float64Array(samples);
      for (let k = 0; k < samples; k++) { w[k] = Math.exp(logw[k] - mx); sw += w[k]; sw2 += w[k] * w[k]; }
      const ess = (sw * sw) / (sw2 * samples);
      model_.fill(0);
      for (let k = 0; k < samples; k++) {
        const wk = reweight ? w[k] / sw : 1 / samples;
        for (let a = 0; a < n; a++) s[a] = smp.x[k * n + a];
        let q = 0;
        for (let a = 0; a < n; a++) {
          const ws = wk * s[a];
          for (let b = a + 1; b < n; b++, q++) model_[q] += ws * s[b];
        }
      }
      let norm = 0;
      let q = 0;
      for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++, q++) norm += (c[a * n + b] - model_[q]) ** 2;
      norm = Math.sqrt(norm);
      const progressFraction = steps === 1 ? 1 : t / (steps - 1);
      const lrNow = lrJMin + 0.5 * (lrJ - lrJMin) * (1 + Math.cos(Math.PI * progressFraction));
      if (update === "preconditioned") {
        // βΔJ = η C⁻¹ Δc C⁻¹ (off-diagonal), Δc = c − ⟨ss⟩ with a zero diagonal
        const D = new Float64Array(n * n);
        q = 0;
        for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++, q++) { D[a * n + b] = c[a * n + b] - model_[q]; D[b * n + a] = D[a * n + b]; }
        const T = matMul(Cinv as Float64Array, D, n);
        const U = matMul(T, Cinv as Float64Array, n);
        let r2 = 0;
        for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) r2 += ((lrNow * 0.5 * (U[a * n + b] + U[b * n + a])) / beta) ** 2;
        const shrink = Math.min(1, maxStep / Math.sqrt(r2 / P + 1e-300));
        for (let a = 0; a < n; a++) {
          for (let b = a + 1; b < n; b++) {
            J[a * n + b] += (shrink * lrNow * 0.5 * (U[a * n + b] + U[b * n + a])) / beta;
            J[b * n + a] = J[a * n + b];
          }
        }
      } else {
      // Adam step on J along the normalised gradient −(c − ⟨ss⟩)/‖c − ⟨ss⟩‖
      const c1 = 1 - b1 ** (t + 1);
      const c2 = 1 - b2 ** (t + 1);
      q = 0;
      for (let a = 0; a < n; a++) {
        for (let b = a + 1; b < n; b++, q++) {
          const g = -(c[a * n + b] - model_[q]) / (norm + 1e-12);
          mom[q] = b1 * mom[q] + (1 - b1) * g;
          vel[q] = b2 * vel[q] + (1 - b2) * g * g;
          const d = (lrNow * (mom[q] / c1)) / (Math.sqrt(vel[q] / c2) + 1e-8);
          J[a * n + b] -= d;
          J[b * n + a] = J[a * n + b];
        }
      }
      }
      if (t >= firstAveraged) {
        for (let k = 0; k < n * n; k++) sum[k] += J[k];
        averaged += 1;
      }
      let rmsError: number | null = null;
      if (truth !== null) {
        let d2 = 0;
        for (let k = 0; k < n * n; k++) d2 += (J[k] - truth[k]) ** 2;
        rmsError = Math.sqrt(d2 / (n * n));
      }
      const row: InverseIsingVanStep = { step: t + 1, correlationGap: norm / Math.sqrt(P), essFraction: ess, lr: lrNow, rmsError };
      history.push(row);
      options.onStep?.(row);
    }
  } finally {
    optimizer.dispose();
  }
  const couplings = averaged > 0 ? sum.map((v) => v / averaged) : Float64Array.from(J);
  const essMean = history.reduce((a, r) => a + r.essFraction, 0) / history.length;
  return { n, beta, couplings, lastCouplings: J, history, essFraction: essMean, seconds: (performance.now() - t0) / 1000 };
}
