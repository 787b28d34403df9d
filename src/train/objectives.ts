/**
 * Objectives: what the training driver (`./driver`) minimises. An objective
 * turns (model, batch size, β_t, rng) into a differentiable loss plus metrics
 * (numbers for the history row); the driver owns everything else (optimizer,
 * schedules, divergence guard, checkpoints).
 *
 * - `reinforceObjective`: the VAN's REINFORCE reverse KL for discrete models,
 *   ∇ β F_q = E_q[(L − b) ∇ ln q] with L = β E + ln q (no gradient) and the
 *   baseline b = mean L over the batch (Wu, Wang, Zhang, PRL 122, 080602).
 *   Spin models skip ln q in the sampler: L is read from the gradient pass's
 *   ln q (for Z2 models this saves the sampler's extra pass over −s).
 * - `weightedObjective`: Σ_k w_k(t) J_k, the weights on a schedule (terms of
 *   weight 0 are not computed, so they draw no random numbers).
 *
 * The flow objectives by energy (reparameterised reverse KL) and by example
 * (forward KL) live with the Boltzmann generator (src/bg/train.ts): they are
 * built on its losses.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/random";
import { isSpinModel, sampleSpins } from "../models/spin";
import { checkModelTarget } from "../models/target";
import type { GenerativeModel } from "../models/types";
import { energiesOf } from "../systems/observables";
import { pottsOrderParameterOf } from "../systems/pottsObservables";
import { xyMagnetizationOf } from "../systems/xyObservables";
import type { PottsSystem, SpinSystem, XYSystem } from "../systems/types";

/** What an objective gets for one step. */
export interface ObjectiveContext {
  model: GenerativeModel;
  /** Samples per step. */
  batch: number;
  /** β of this step (annealed). */
  beta: number;
  /** The run's one generator: every random draw of the step comes from it (exact resume). */
  rng: Rng;
  /** Global step, 1-based, and the run's total. */
  step: number;
  steps: number;
}

/** One step of an objective: made by `Objective.begin`, used once by the driver. */
export interface ObjectiveStep {
  /** A value known before the gradient pass (e.g. mean βE + ln q from the sampler); non-finite stops training without a pass. */
  readonly precheck?: number;
  /**
   * The differentiable loss; called once, inside the gradient tape. `keep(t)`
   * registers a tensor whose values `finish` gets back (read together with the
   * loss and the gradient norm in the step's single device read).
   */
  loss(keep: (t: tf.Tensor) => void): tf.Scalar;
  /**
   * After the pass: `lossValue` is the loss, `aux` the kept tensors' values in
   * order. Returns the value the divergence guard checks and the metrics.
   */
  finish(lossValue: number, aux: Float32Array): { value: number; metrics: Record<string, number> };
  /** Free what `begin` allocated; called on every path. */
  dispose?(): void;
}

export interface Objective {
  /** Short name ("reinforce", "energy", "example", "weighted"). */
  readonly name: string;
  /** The metric names `finish` returns, in history-column order. */
  readonly metrics: readonly string[];
  /** What the guarded value is, for divergence messages (e.g. "mean βE + ln q"). */
  readonly valueName: string;
  /** JSON description stored in checkpoints and compared on resume. */
  readonly spec: Record<string, unknown>;
  begin(ctx: ObjectiveContext): ObjectiveStep;
}

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

export interface ReinforceObjectiveOptions {
  /** The system whose Boltzmann distribution at β_t is the target: spins, Potts states or XY angles. */
  system: SpinSystem | PottsSystem | XYSystem;
}

/**
 * REINFORCE reverse KL for ±1-spin models (see the module doc), and for
 * q-state models of a Potts system or models of angles of an XY system
 * (`latticeReinforce`). Metrics per variable: freeEnergy = mean(βE + ln q)/(βN)
 * and its standard error, energy, entropy = −mean ln q / N, absMagnetization
 * (|m| for spins and XY, the Potts order parameter (q·max_k n_k/N − 1)/(q − 1)).
 */
export function reinforceObjective(options: ReinforceObjectiveOptions): Objective {
  const system = options?.system;
  if (system === undefined || system === null || typeof system.energyOf !== "function") throw new Error("reinforceObjective: system must be a SpinSystem, PottsSystem or XYSystem");
  if (system.kind === "potts" || system.kind === "xy") return latticeReinforce(system);
  const n = system.n;
  return {
    ...reinforceHeader(system.name),
    begin(ctx) {
      const { model, batch, rng } = ctx;
      const bt = ctx.beta;
      checkModelTarget(model, system, "reinforceObjective");
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
      let xT: tf.Tensor2D | null = null;
      return {
        precheck: tapeLq ? undefined : meanL,
        loss() {
          xT = tf.tensor2d(s.x, [batch, n]);
          const lq = model.logProb(xT);
          if (tapeLq) {
            signal(lq.dataSync());
            meanL = sL / batch;
          }
          return reinforceLoss(lq, L);
        },
        finish() {
          return { value: meanL, metrics: reinforceMetrics({ L: sL, L2: sL2, E: sE, lq: sLq, M: sM }, batch, bt, n) };
        },
        dispose() {
          xT?.dispose();
        },
      };
    },
  };
}

/** What every REINFORCE objective says of itself: name, metrics, guarded value, spec. */
function reinforceHeader(systemName: string): Pick<Objective, "name" | "metrics" | "valueName" | "spec"> {
  return {
    name: "reinforce",
    metrics: ["freeEnergy", "freeEnergyError", "energy", "entropy", "absMagnetization"],
    valueName: "mean βE + ln q",
    spec: { type: "reinforce", system: systemName },
  };
}

/**
 * REINFORCE for Potts and XY systems: samples through the model's
 * `sampleArrays` or `sample` (ln q from the sampler), energies in float64 from `system.energyOf`, the
 * differentiable ln q from `model.logProb` on the same configurations.
 */
function latticeReinforce(system: PottsSystem | XYSystem): Objective {
  const n = system.n;
  const order = (x: Float32Array, off: number): number => {
    const row = x.subarray(off, off + n);
    return system.kind === "potts" ? pottsOrderParameterOf(row, system.q) : xyMagnetizationOf(row).abs;
  };
  return {
    ...reinforceHeader(system.name),
    begin(ctx) {
      const { model, batch, rng } = ctx;
      const bt = ctx.beta;
      checkModelTarget(model, system, "reinforceObjective");
      // typed arrays straight from models that have sampleArrays (the q-state ones), else through `sample`
      const { x, logProb: lq } = sampleSpins(model, batch, { rng });
      const L = new Float64Array(batch);
      let sL = 0, sL2 = 0, sE = 0, sLq = 0, sM = 0;
      for (let b = 0; b < batch; b++) {
        const e = system.energyOf(x.subarray(b * n, (b + 1) * n));
        L[b] = bt * e + lq[b];
        sL += L[b];
        sL2 += L[b] * L[b];
        sE += e;
        sLq += lq[b];
        sM += order(x, b * n);
      }
      const meanL = sL / batch;
      let xT: tf.Tensor2D | null = null;
      return {
        precheck: meanL,
        loss() {
          xT = tf.tensor2d(x, [batch, n]);
          return reinforceLoss(model.logProb(xT), L);
        },
        finish() {
          return { value: meanL, metrics: reinforceMetrics({ L: sL, L2: sL2, E: sE, lq: sLq, M: sM }, batch, bt, n) };
        },
        dispose() {
          xT?.dispose();
        },
      };
    },
  };
}

/** The REINFORCE metrics per variable from a batch's sums of L = βE + ln q, L², E, ln q and |m|. */
function reinforceMetrics(sum: { L: number; L2: number; E: number; lq: number; M: number }, batch: number, bt: number, n: number): Record<string, number> {
  const meanL = sum.L / batch;
  const varL = Math.max(0, (sum.L2 - batch * meanL * meanL) / (batch - 1));
  return {
    freeEnergy: meanL / (bt * n),
    freeEnergyError: Math.sqrt(varL / batch) / (bt * n),
    energy: sum.E / batch / n,
    entropy: -sum.lq / batch / n,
    absMagnetization: sum.M / batch,
  };
}

export interface WeightedTerm {
  /** Term name: its weight is the metric `weight<Name>` (e.g. "energy" → weightEnergy). */
  name: string;
  objective: Objective;
}

/** Weights per term name at step t (1-based) of T. */
export type WeightSchedule = (step: number, steps: number) => Record<string, number>;

/**
 * Σ_k w_k(t) J_k over `terms`, weights from `weights(t, T)` (each ≥ 0, not all
 * 0). Metrics: loss (the weighted sum), every term's metrics (NaN when its
 * weight is 0) and its weight.
 */
export function weightedObjective(terms: WeightedTerm[], weights: WeightSchedule, spec: Record<string, unknown> = {}): Objective {
  const W = "weightedObjective";
  if (!Array.isArray(terms) || terms.length === 0) throw new Error(`${W}: terms must be a non-empty array`);
  if (typeof weights !== "function") throw new Error(`${W}: weights must be a function (step, steps) → {name: weight}`);
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  const metrics = ["loss", ...terms.flatMap((t) => t.objective.metrics), ...terms.map((t) => `weight${cap(t.name)}`)];
  return {
    name: "weighted",
    metrics,
    valueName: "the weighted loss",
    spec: { type: "weighted", terms: terms.map((t) => ({ name: t.name, ...t.objective.spec })), ...spec },
    begin(ctx) {
      const w = weights(ctx.step, ctx.steps);
      const ws = terms.map((t) => {
        const v = w[t.name] ?? 0;
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new Error(`${W}: weight of "${t.name}" at step ${ctx.step} must be a finite number ≥ 0, got ${String(v)}`);
        return v;
      });
      if (ws.every((v) => v === 0)) throw new Error(`${W}: all weights are 0 at step ${ctx.step}`);
      const steps: (ObjectiveStep | null)[] = [];
      try {
        terms.forEach((t, k) => steps.push(ws[k] > 0 ? t.objective.begin(ctx) : null));
      } catch (e) {
        steps.forEach((s) => s?.dispose?.());
        throw e;
      }
      const sizes = terms.map(() => 0);
      const values = terms.map(() => NaN);
      return {
        loss(keep) {
          let total: tf.Scalar | null = null;
          steps.forEach((s, k) => {
            if (s === null) return;
            const part = s.loss((t) => {
              sizes[k] += t.size;
              keep(t);
            });
            // each term's own value, for its finish()
            sizes[k] += 1;
            keep(part);
            const term = ws[k] === 1 ? part : (tf.mul(part, ws[k]) as tf.Scalar);
            total = total === null ? term : (tf.add(total, term) as tf.Scalar);
          });
          return total as unknown as tf.Scalar;
        },
        finish(lossValue, aux) {
          const out: Record<string, number> = { loss: lossValue };
          let at = 0;
          steps.forEach((s, k) => {
            const o = terms[k].objective;
            if (s === null) {
              for (const m of o.metrics) out[m] = NaN;
              return;
            }
            const mine = aux.subarray(at, at + sizes[k]);
            at += sizes[k];
            values[k] = mine[mine.length - 1];
            const r = s.finish(values[k], mine.subarray(0, mine.length - 1));
            for (const m of o.metrics) out[m] = r.metrics[m];
          });
          terms.forEach((t, k) => (out[`weight${cap(t.name)}`] = ws[k]));
          return { value: lossValue, metrics: out };
        },
        dispose() {
          steps.forEach((s) => s?.dispose?.());
        },
      };
    },
  };
}
