/**
 * Workshop 02: the REINFORCE surrogate loss of a variational autoregressive
 * network. With L(s) = βE(s) + ln q(s) computed without gradient and the
 * batch mean L̄ as baseline,
 *
 *   loss = mean((L − L̄) · ln q(s)),   ∇_θ loss = mean((L − L̄) ∇_θ ln q) ≈ ∇_θ βF_q.
 *
 * The checker compares the value and the gradient with respect to ln q
 * (which must be (L − L̄)/n) with `train.reinforceLoss` on seeded random
 * batches, and names the usual mistakes from how they differ.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { Rng } from "../core/random";
import { reinforceLoss } from "../train/van";
import { callStudent, close, describe, fmt, Hint, readCheckOptions, runCheck, type CheckOptions, type CheckResult } from "./result";

/** The student's surrogate loss: ln q of the batch (a tensor) and the signal L = βE + ln q (numbers). */
export type ReinforceLossFunction = (logProb: tf.Tensor1D, signal: Float64Array) => tf.Scalar;

/** Run `f` in a tensor scope: every tensor made inside (also by the student's code) is freed. */
export function scoped<T>(f: () => T): T {
  tf.engine().startScope();
  try {
    return f();
  } finally {
    tf.engine().endScope();
  }
}

function near(a: Float64Array, b: Float64Array, rtol = 1e-4): boolean {
  let d = 0, s = 0;
  for (let k = 0; k < a.length; k++) {
    d = Math.max(d, Math.abs(a[k] - b[k]));
    s = Math.max(s, Math.abs(b[k]));
  }
  return d <= rtol * Math.max(s, 1e-6);
}

/**
 * Check `fn(logProb, signal)` against mean((L − L̄) · ln q) on seeded random
 * batches (n = 64, 7 and 2): the returned scalar and its gradient with respect
 * to ln q. Prints and returns the verdict; never throws because of `fn`.
 */
export function checkReinforceLoss(fn: ReinforceLossFunction, options?: CheckOptions): CheckResult {
  const o = readCheckOptions(options, "workshop.check.reinforceLoss");
  return runCheck("reinforceLoss", o.print, () => {
    if (typeof fn !== "function") throw new Hint(`expected your function reinforceLoss(logProb, signal), got ${describe(fn)}`);
    ensureBackend();
    const rng = new Rng(o.seed ?? 303);
    for (const n of [64, 7, 2]) {
      const lq = new Float32Array(n);
      const L = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        lq[k] = -8 + 2 * rng.normal();
        L[k] = -5 + 3 * rng.normal();
      }
      const call = `reinforceLoss(logProb, signal) on a batch of ${n}`;
      const r = scoped(() => {
        const x = tf.tensor1d(lq);
        const got = callStudent(() => fn(x, Float64Array.from(L)), call) as unknown;
        if (!(got instanceof tf.Tensor)) {
          const hint = typeof got === "number"
            ? `${call} returned the number ${fmt(got)}; return a scalar tensor built from logProb with bz.tf operations (bz.tf.mean, bz.tf.mul, …) so that the loss has a gradient`
            : `${call} should return a scalar tensor, got ${describe(got)}`;
          return { hint };
        }
        if (got.rank !== 0) {
          return { hint: `${call} should return a scalar (one number: the mean over the batch), got a tensor of shape [${got.shape.join(", ")}] — average with bz.tf.mean` };
        }
        const value = (got.dataSync() as Float32Array)[0];
        // + 0·Σ ln q keeps y connected to x, so a loss without a gradient gives zeros instead of a throw (which would leak the tape)
        const g = tf.grad((t: tf.Tensor) => tf.add(fn(t as tf.Tensor1D, Float64Array.from(L)), tf.mul(tf.sum(t), 0)))(x);
        return { value, grad: Float64Array.from(g.dataSync()) };
      });
      if ("hint" in r) throw new Hint(r.hint as string);
      const value = r.value as number;
      let mean = 0;
      for (let k = 0; k < n; k++) mean += L[k];
      mean /= n;
      const want = tf.tidy(() => {
        const t = reinforceLoss(tf.tensor1d(lq), L);
        return (t.dataSync() as Float32Array)[0];
      });
      const wantGrad = new Float64Array(n);
      for (let k = 0; k < n; k++) wantGrad[k] = (L[k] - mean) / n;
      if (Number.isNaN(value)) throw new Hint(`${call} returned NaN — fill in the TODO: mean((L − mean L) · ln q)`);
      const grad = r.grad;
      if (grad.every((v) => v === 0)) {
        throw new Hint(
          `${call}: the result has no gradient with respect to logProb — build the loss from the logProb tensor with bz.tf operations (bz.tf.mul, bz.tf.mean); reading it with dataSync()/arraySync() cuts the gradient`,
        );
      }
      const valueOk = close(value, want, 1e-4, 1e-5);
      if (valueOk && near(grad, wantGrad)) continue;
      const expected = `should be ${fmt(want)}, got ${fmt(value)}`;
      const scaled = (c: number) => near(grad, wantGrad.map((v) => c * v));
      const noBaseline = new Float64Array(n);
      for (let k = 0; k < n; k++) noBaseline[k] = L[k] / n;
      let fix: string;
      if (scaled(-1)) fix = ": the sign is flipped — the loss is +mean((L − L̄) · ln q), whose gradient is ∇ βF_q (training minimises it)";
      else if (scaled(n)) fix = `: it is ${n} times too large — take the mean over the batch, not the sum`;
      else if (near(grad, noBaseline)) fix = ": that is mean(L · ln q) without the baseline — subtract L̄ = mean(L) from L (it leaves the expected gradient unchanged and cuts its variance)";
      else if (near(grad, noBaseline.map((v) => -v))) fix = ": that is −mean(L · ln q) — no baseline and the wrong sign";
      else if (near(grad, wantGrad)) fix = ": the gradient is right but the value is not — return mean((L − L̄) · ln q) itself (no extra terms)";
      else {
        let k = 0;
        while (k < n - 1 && close(grad[k], wantGrad[k], 1e-4, 1e-6)) k++;
        fix = `: the gradient with respect to ln q[${k}] should be (L[${k}] − L̄)/n = ${fmt(wantGrad[k])}, got ${fmt(grad[k])}`;
      }
      throw new Hint(`${call} ${expected}${fix}`);
    }
    return "value and gradient on 3 random batches";
  });
}
