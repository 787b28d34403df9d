/**
 * Workshop 03: the loss by energy (reverse KL) of a Boltzmann generator. For
 * latent points z ~ N(0, 1) pushed through the flow, x = f(z),
 *
 *   J_E = mean(βE(x) + ln q(x)),   ln q(x) = ln N(z; 0, 1) − ln|det ∂f/∂z|,
 *
 * so KL(q‖p) = J_E + ln Z ≥ 0. The checker compares the value with
 * `bg.lossByEnergy` (no energy cut) on the same latent points, and the
 * gradient with respect to the flow's weights, on a RealNVP whose weights are
 * perturbed away from the identity (so that ln|det| ≠ 0), for the Gaussian
 * mixture at β = 0.7 and 1.3.
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { Rng } from "../core/random";
import { boltzmannGenerator, gaussianLogDensity } from "../bg/generator";
import { lossByEnergy } from "../bg/losses";
import { realNVP } from "../flows/composite";
import type { Flow } from "../flows/types";
import { gaussianMixture } from "../systems/continuous/index";
import type { ContinuousSystem } from "../systems/types";
import { scoped } from "./reinforce";
import { callStudent, close, describe, fmt, Hint, readCheckOptions, runCheck, type CheckOptions, type CheckResult } from "./result";

/** The student's loss by energy: the flow, latent points z [batch, dim], the system and β. */
export type ReverseKLFunction = (flow: Flow, z: tf.Tensor2D, system: ContinuousSystem, beta: number) => tf.Scalar;

/** boltzlab's loss by energy on given latent points: mean(βE(f(z)) + ln N(z; 0, 1) − ln|det ∂f/∂z|). */
export function reverseKL(flow: Flow, z: tf.Tensor2D, system: ContinuousSystem, beta: number): tf.Scalar {
  return tf.tidy(() => {
    const { x, logDet } = flow.forward(z);
    return tf.mean(tf.add(tf.mul(system.energy(x), beta), tf.sub(gaussianLogDensity(z, 1), logDet))) as tf.Scalar;
  });
}

function flat(grads: Record<string, tf.Tensor>, vars: tf.Variable[]): Float64Array {
  const parts = vars.map((v) => (grads[v.name] === undefined ? new Float64Array(v.size) : Float64Array.from(grads[v.name].dataSync())));
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function relativeDistance(a: Float64Array, b: Float64Array): number {
  let d = 0, s = 0;
  for (let k = 0; k < a.length; k++) {
    d += (a[k] - b[k]) ** 2;
    s += b[k] ** 2;
  }
  return Math.sqrt(d / Math.max(s, 1e-30));
}

/**
 * Check `fn(flow, z, system, beta)` against mean(βE(x) + ln N(z) − ln|det J|):
 * the value (against `bg.lossByEnergy` on the same z) and the gradient with
 * respect to the flow's variables. Prints and returns the verdict; never
 * throws because of `fn`.
 */
export function checkReverseKL(fn: ReverseKLFunction, options?: CheckOptions): CheckResult {
  const o = readCheckOptions(options, "workshop.check.reverseKL");
  return runCheck("reverseKL", o.print, () => {
    if (typeof fn !== "function") throw new Hint(`expected your function reverseKL(flow, z, system, beta), got ${describe(fn)}`);
    ensureBackend();
    const seed = o.seed ?? 404;
    const rng = new Rng(seed);
    const system = gaussianMixture();
    const flow = realNVP({ dim: 2, layers: 2, hidden: [8], seed });
    const model = boltzmannGenerator({ flow });
    try {
      // move the weights away from the identity map, so that ln|det J| and its gradient are not zero
      tf.tidy(() => {
        for (const v of flow.trainableVariables) v.assign(tf.add(v, tf.mul(rng.normalTensor(v.shape), 0.3)));
      });
      const vars = flow.trainableVariables;
      const batch = 32;
      for (const beta of [0.7, 1.3]) {
        const zSeed = rng.seedInt();
        const call = `reverseKL(flow, z, system, β = ${beta}) on ${batch} latent points`;
        const r = scoped(() => {
          const z = model.sampleLatent(batch, { seed: zSeed });
          const got = callStudent(() => fn(flow, z, system, beta), call) as unknown;
          if (!(got instanceof tf.Tensor)) {
            return { hint: typeof got === "number"
              ? `${call} returned the number ${fmt(got)}; return a scalar tensor computed from z with bz.tf operations, so that training gets a gradient`
              : `${call} should return a scalar tensor, got ${describe(got)}` };
          }
          if (got.rank !== 0) return { hint: `${call} should return a scalar (the mean over the batch), got a tensor of shape [${got.shape.join(", ")}] — average with bz.tf.mean` };
          const value = (got.dataSync() as Float32Array)[0];
          // boltzlab's own: lossByEnergy draws the same z from the same seed
          const want = (lossByEnergy(model, { system, beta, batch, energyCut: false, seed: zSeed }).loss.dataSync() as Float32Array)[0];
          const { x, logDet } = flow.forward(z);
          const parts = {
            energy: (tf.mean(system.energy(x)).dataSync() as Float32Array)[0],
            logPrior: (tf.mean(gaussianLogDensity(z, 1)).dataSync() as Float32Array)[0],
            logDet: (tf.mean(logDet).dataSync() as Float32Array)[0],
          };
          // + 0·Σ w keeps the loss connected to the weights: no gradient gives zeros, not a throw (which would leak the tape)
          const g = tf.variableGrads(() => tf.add(fn(flow, z, system, beta), tf.mul(tf.sum(vars[0]), 0)) as tf.Scalar, vars);
          const grad = flat(g.grads, vars);
          const g0 = tf.variableGrads(() => reverseKL(flow, z, system, beta), vars);
          return { value, want, parts, grad, wantGrad: flat(g0.grads, vars) };
        });
        if ("hint" in r) throw new Hint(r.hint as string);
        const { value, want, parts } = r;
        if (Number.isNaN(value)) throw new Hint(`${call} returned NaN — fill in the TODO: mean(βE(x) + ln N(z; 0, 1) − ln|det ∂f/∂z|) with {x, logDet} = flow.forward(z)`);
        const valueOk = close(value, want, 2e-4, 2e-4);
        const noGrad = r.grad.every((v) => v === 0);
        const gradOk = relativeDistance(r.grad, r.wantGrad) < 1e-3;
        if (valueOk && gradOk) continue;
        const expected = `should be ${fmt(want)}, got ${fmt(value)}`;
        const c = 0.5 * 2 * Math.log(2 * Math.PI);
        const is = (v: number) => close(value, v, 2e-4, 2e-4);
        let fix: string;
        if (valueOk && noGrad) {
          fix = " — the value is right but has no gradient with respect to the flow's weights: compute it from the tensors of flow.forward(z) with bz.tf operations, not from dataSync()/arraySync() copies";
        } else if (valueOk) {
          fix = " — the value is right but its gradient with respect to the flow's weights is not: compute the energy on the tensor x = flow.forward(z).x with system.energy(x), so the gradient flows through the samples (reparameterisation)";
        } else if (is(want + 2 * parts.logDet)) fix = " = mean(βE + ln N(z) + ln|det J|): ln q(x) = ln N(z) − ln|det ∂f/∂z| (a map that spreads volume lowers the density), so subtract logDet";
        else if (is(want + parts.logDet)) fix = " — the log-determinant is missing: ln q(x) = ln N(z) − ln|det ∂f/∂z|";
        else if (is(want - parts.logPrior)) fix = " — the prior's log-density ln N(z; 0, 1) = −|z|²/2 − (d/2) ln 2π is missing";
        else if (is(want + c)) fix = ` — off by (d/2)·ln 2π = ${fmt(c)}: ln N(z; 0, 1) = −|z|²/2 − (d/2) ln 2π includes the normalisation (without it J_E is no longer a bound on −ln Z)`;
        else if (is(want - c)) fix = ` — off by −(d/2)·ln 2π = ${fmt(-c)}: the normalisation of ln N(z; 0, 1) = −|z|²/2 − (d/2) ln 2π has a minus sign`;
        else if (is(want - (beta - 1) * parts.energy)) fix = ` — it looks like β is missing: the energy term is β·E(x) (this check uses β = ${beta})`;
        else if (is(want - (beta - 1 / beta) * parts.energy)) fix = " — it looks like E/β: the energy term is β·E(x)";
        else if (is(-want)) fix = " — the sign is flipped: J_E = +mean(βE + ln q)";
        else if (is(batch * want)) fix = ` — ${batch} times too large: take the mean over the batch, not the sum`;
        else if (is(want - 2 * parts.logPrior)) fix = " — the prior term has the wrong sign: ln q(x) = +ln N(z) − ln|det J|";
        else {
          fix = ` (the parts on these points: mean βE(x) = ${fmt(beta * parts.energy)}, mean ln N(z; 0, 1) = ${fmt(parts.logPrior)}, mean ln|det ∂f/∂z| = ${fmt(parts.logDet)}; J_E = βE + ln N − ln|det|)`;
        }
        throw new Hint(`${call} ${expected}${fix}`);
      }
      return "value against bz.bg.lossByEnergy and gradient with respect to the flow's weights, β = 0.7 and 1.3";
    } finally {
      model.dispose();
    }
  });
}
