/**
 * The workshop checkers: a correct implementation passes; typical mistakes
 * fail with the hint that names them; a throwing, missing or placeholder
 * function gives a hint and never throws; nothing leaks tensors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import { enumerate } from "../../src/exact/enumerate";
import { isingSquare } from "../../src/systems/lattices";
import { gaussianLogDensity } from "../../src/bg/generator";
import { check, fallback, reference, type CheckResult } from "../../src/workshop/index";
import type { Flow } from "../../src/flows/types";
import type { ContinuousSystem } from "../../src/systems/types";

ensureBackend();
const quiet = { print: false };

function expectHint(r: CheckResult, ...parts: string[]): void {
  assert.equal(r.ok, false, `expected a hint, got: ${r.message}`);
  assert.ok(r.hint !== null);
  for (const p of parts) assert.ok(r.hint!.includes(p), `hint lacks "${p}": ${r.hint}`);
  assert.ok(r.message.startsWith(`${r.name}: hint — `), r.message);
}

function expectOk(r: CheckResult): void {
  assert.equal(r.ok, true, r.message);
  assert.equal(r.hint, null);
  assert.ok(r.message.startsWith(`${r.name}: correct (`), r.message);
}

// ---- acceptance

test("check.acceptance: min(1, e^{−βΔE}) passes, written either way", () => {
  expectOk(check.acceptance(reference.acceptance, quiet));
  expectOk(check.acceptance((dE, b) => Math.min(1, Math.exp(-b * dE)), quiet));
});

test("check.acceptance: each typical mistake gets its own hint", () => {
  const cases: [(dE: number, b: number) => number, string[]][] = [
    [() => NaN, ["returns NaN", "fill in the TODO"]],
    [(dE, b) => Math.exp(-b * dE), ["acceptance(ΔE = −1.3, β = 0.5) should be 1 (a move that lowers the energy is always accepted), got 1.916", "take min(1"]],
    [(dE, b) => Math.min(1, Math.exp(b * dE)), ["acceptance(ΔE = −1.3, β = 0.5) should be 1 (a move that lowers the energy is always accepted), got 0.522", "sign of the exponent"]],
    [(dE, b) => (dE < 0 ? 1 : Math.min(1, Math.exp(b * dE))), ["acceptance(ΔE = 2, β = 0.5) should be 0.3679 = e^{−βΔE}, got 1", "sign of the exponent"]],
    [(dE) => Math.min(1, Math.exp(-dE)), ["forget β"]],
    [(dE, b) => Math.min(1, Math.exp(-dE / b)), ["e^{−ΔE/β}"]],
    [(dE, b) => 1 / (1 + Math.exp(b * dE)), ["heat-bath"]],
    [(dE, b) => (dE <= 0 ? 1 : 1 - b * dE), ["acceptance(ΔE = 2, β = 0.5) should be 0.3679", "got 0"]],
    [(dE, b) => (Math.random() < Math.min(1, Math.exp(-b * dE)) ? 1 : 0) , ["acceptance(ΔE = 2, β = 0.5) should be 0.3679"]],
    [(dE, b) => Math.min(1, Math.exp(-b * dE)) * (dE > 100 ? NaN : 1), ["acceptance(ΔE = 10000, β = 1) should be 0", "got NaN"]],
  ];
  for (const [fn, parts] of cases) expectHint(check.acceptance(fn, quiet), ...parts);
  // a decision instead of a probability, and other return types
  expectHint(check.acceptance(((dE: number, b: number) => Math.random() < Math.exp(-b * dE)) as unknown as (dE: number, b: number) => number, quiet), "should return a number", "got the boolean");
  expectHint(check.acceptance((() => undefined) as unknown as () => number, quiet), "undefined");
});

test("check.acceptance: a throwing or missing function is a hint, not an exception", () => {
  expectHint(check.acceptance(() => { throw new Error("boom"); }, quiet), "acceptance(ΔE = 2, β = 0.5) threw boom");
  expectHint(check.acceptance(undefined as unknown as () => number, quiet), "expected your function", "undefined");
  expectHint(check.acceptance((() => { throw new TypeError("x is not a function"); }) as () => number, quiet), "threw TypeError: x is not a function");
});

test("check.*: a wrong option is the caller's error and throws, naming it", () => {
  assert.throws(() => check.acceptance(reference.acceptance, { printt: false } as never), /workshop\.check\.acceptance.*printt/);
  assert.throws(() => check.reinforceLoss(reference.reinforceLoss, { seed: 1.5 }), /workshop\.check\.reinforceLoss: seed must be an integer/);
  assert.throws(() => fallback({} as CheckResult, reference.acceptance), /workshop\.fallback: result must be/);
  assert.throws(() => fallback(check.acceptance(reference.acceptance, quiet), reference.acceptance, { quiet: true } as never), /workshop\.fallback.*quiet/);
});

test("check.*: prints the message on stdout unless print is false", () => {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(" ")); };
  try {
    check.acceptance(reference.acceptance);
    check.acceptance(() => NaN);
    check.acceptance(reference.acceptance, quiet);
  } finally {
    console.log = orig;
  }
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^acceptance: correct \(/);
  assert.match(lines[1], /^acceptance: hint — /);
});

// ---- Metropolis sweep

type Sweep = (s: Int8Array, L: number, beta: number, rng: Rng) => number;

/** A sweep built from parts, to make the typical mistakes. */
function sweepWith(opts: { factor?: number; sign?: number; open?: boolean; random?: boolean; noFlip?: boolean }): Sweep {
  const f = opts.factor ?? 2;
  const sign = opts.sign ?? 1;
  return (s, L, beta, rng) => {
    let acc = 0;
    for (let k = 0; k < L * L; k++) {
      const i = opts.random ? rng.int(L * L) : k;
      const r = Math.floor(i / L), c = i % L;
      let sum = 0;
      if (opts.open) {
        if (r + 1 < L) sum += s[(r + 1) * L + c];
        if (r > 0) sum += s[(r - 1) * L + c];
        if (c + 1 < L) sum += s[r * L + c + 1];
        if (c > 0) sum += s[r * L + c - 1];
      } else {
        sum = s[((r + 1) % L) * L + c] + s[((r + L - 1) % L) * L + c] + s[r * L + ((c + 1) % L)] + s[r * L + ((c + L - 1) % L)];
      }
      const dE = sign * f * s[i] * sum;
      if (rng.uniform() < reference.acceptance(dE, beta)) {
        if (!opts.noFlip) s[i] = -s[i] as number;
        acc++;
      }
    }
    return acc;
  };
}

test("check.metropolisSweep: the reference and a random-site sweep pass", () => {
  expectOk(check.metropolisSweep(reference.metropolisSweep, quiet));
  expectOk(check.metropolisSweep(sweepWith({ random: true }), quiet));
  // a statistical check: correct sweeps pass for other seeds too
  for (const seed of [1, 2, 3]) expectOk(check.metropolisSweep(reference.metropolisSweep, { print: false, seed: seed }));
});

test("check.metropolisSweep: typical mistakes are named", () => {
  expectHint(check.metropolisSweep(() => 0, quiet), "a sweep at β = 0 changed no spin");
  expectHint(check.metropolisSweep(sweepWith({ noFlip: true }), quiet), "changed no spin");
  expectHint(check.metropolisSweep(sweepWith({ sign: -1 }), quiet), "from the all-up ground state at β = 5", "sign of ΔE");
  expectHint(check.metropolisSweep(sweepWith({ factor: 1 }), quiet), "they match β/2", "forget the 2");
  expectHint(check.metropolisSweep(sweepWith({ factor: 4 }), quiet), "they match 2β");
  expectHint(check.metropolisSweep(sweepWith({ open: true }), quiet), "they match open boundaries");
  expectHint(check.metropolisSweep((s) => { s[0] = 0; return 16; }, quiet), "s[0] = 0", "must stay ±1");
  expectHint(check.metropolisSweep((s, L, b, rng) => { reference.metropolisSweep(s, L, b, rng); return 1; }, quiet), "returned 1");
  expectHint(check.metropolisSweep(() => { throw new RangeError("index out of range"); }, quiet), "threw RangeError: index out of range");
});

test("check.metropolisSweep: the exact values it compares with are those of exact.enumerate", () => {
  // the checker's own enumeration of the typical mistakes (β/2, open boundaries, …) shares the reference's conventions
  const ex = enumerate(isingSquare({ L: 4 }), 0.3, { probabilities: false });
  assert.ok(ex.energyPerSpin !== null && ex.energyPerSpin < -0.5 && ex.energyPerSpin > -1.5);
  assert.ok(ex.absMagnetizationPerSpin !== null && ex.absMagnetizationPerSpin > 0.3);
});

// ---- REINFORCE

test("check.reinforceLoss: boltzlab's and a hand-written surrogate pass, without leaking tensors", () => {
  const before = tf.memory().numTensors;
  expectOk(check.reinforceLoss(reference.reinforceLoss, quiet));
  expectOk(check.reinforceLoss((lq, L) => {
    const m = L.reduce((a, b) => a + b, 0) / L.length;
    return tf.mean(tf.mul(tf.tensor1d(Array.from(L, (v) => v - m)), lq)) as tf.Scalar;
  }, quiet));
  assert.equal(tf.memory().numTensors, before);
});

test("check.reinforceLoss: typical mistakes are named", () => {
  const before = tf.memory().numTensors;
  const mean = (L: Float64Array) => L.reduce((a, b) => a + b, 0) / L.length;
  const adv = (L: Float64Array) => tf.tensor1d(Array.from(L, (v) => v - mean(L)));
  const cases: [(lq: tf.Tensor1D, L: Float64Array) => tf.Scalar, string[]][] = [
    [() => tf.scalar(NaN), ["returned NaN", "fill in the TODO"]],
    [() => tf.scalar(0), ["no gradient with respect to logProb"]],
    [(lq, L) => tf.mean(tf.mul(tf.tensor1d(Array.from(L, (v) => v - L.reduce((a, b) => a + b, 0) / L.length)), tf.tensor1d(lq.arraySync()))) as tf.Scalar, ["no gradient with respect to logProb", "arraySync"]],
    [(lq, L) => tf.mean(tf.mul(tf.tensor1d(Array.from(L)), lq)) as tf.Scalar, ["without the baseline", "subtract L̄"]],
    [(lq, L) => tf.neg(tf.mean(tf.mul(adv(L), lq))) as tf.Scalar, ["the sign is flipped"]],
    [(lq, L) => tf.sum(tf.mul(adv(L), lq)) as tf.Scalar, ["64 times too large", "not the sum"]],
    [(lq, L) => tf.mul(adv(L), lq) as unknown as tf.Scalar, ["should return a scalar", "shape [64]"]],
    [(lq, L) => tf.scalar(tf.mean(tf.mul(adv(L), lq)).dataSync()[0]), ["no gradient with respect to logProb", "dataSync"]],
    [(lq, L) => mean(L) as unknown as tf.Scalar, ["returned the number"]],
    [(lq, L) => tf.add(tf.mean(tf.mul(adv(L), lq)), 1) as tf.Scalar, ["the gradient is right but the value is not"]],
    [(lq, L) => tf.mean(tf.mul(adv(L), tf.exp(lq))) as tf.Scalar, ["the gradient with respect to ln q[0] should be"]],
    [() => { throw new Error("shapes do not match"); }, ["on a batch of 64 threw shapes do not match"]],
  ];
  for (const [fn, parts] of cases) expectHint(check.reinforceLoss(fn, quiet), ...parts);
  expectHint(check.reinforceLoss(null as never, quiet), "expected your function");
  assert.equal(tf.memory().numTensors, before, "a checker leaked tensors");
});

// ---- reverse KL

type RKL = (flow: Flow, z: tf.Tensor2D, system: ContinuousSystem, beta: number) => tf.Scalar;

/** The loss by energy assembled from parts, to make the typical mistakes. */
function rkl(opts: { detSign?: number; prior?: number; constant?: boolean; betaPower?: number; reduce?: "mean" | "sum" }): RKL {
  return (flow, z, system, beta) => {
    const { x, logDet } = flow.forward(z);
    const d = z.shape[1];
    const half = tf.mul(tf.sum(tf.square(z), 1), -0.5);
    const lnN = opts.constant === false ? half : tf.sub(half, 0.5 * d * Math.log(2 * Math.PI));
    const b = beta ** (opts.betaPower ?? 1);
    const per = tf.add(tf.add(tf.mul(system.energy(x), b), tf.mul(lnN, opts.prior ?? 1)), tf.mul(logDet, -(opts.detSign ?? 1)));
    return (opts.reduce === "sum" ? tf.sum(per) : tf.mean(per)) as tf.Scalar;
  };
}

test("check.reverseKL: boltzlab's and a hand-written loss pass, without leaking tensors", () => {
  const before = tf.memory().numTensors;
  expectOk(check.reverseKL(reference.reverseKL, quiet));
  expectOk(check.reverseKL(rkl({}), quiet));
  expectOk(check.reverseKL((flow, z, system, beta) => {
    const { x, logDet } = flow.forward(z);
    return tf.mean(tf.add(tf.mul(system.energy(x), beta), tf.sub(gaussianLogDensity(z, 1), logDet))) as tf.Scalar;
  }, quiet));
  assert.equal(tf.memory().numTensors, before);
});

test("check.reverseKL: typical mistakes are named", () => {
  const before = tf.memory().numTensors;
  const cases: [RKL, string[]][] = [
    [() => tf.scalar(NaN), ["returned NaN", "fill in the TODO"]],
    [rkl({ detSign: -1 }), ["+ ln|det J|", "subtract logDet"]],
    [rkl({ detSign: 0 }), ["the log-determinant is missing"]],
    [rkl({ prior: 0 }), ["the prior's log-density"]],
    [rkl({ constant: false }), ["off by (d/2)·ln 2π = 1.838"]],
    [rkl({ betaPower: 0 }), ["β is missing", "β = 0.7"]],
    [rkl({ betaPower: -1 }), ["E/β"]],
    [rkl({ reduce: "sum" }), ["32 times too large"]],
    [rkl({ prior: -1 }), ["the prior term has the wrong sign"]],
    [(flow, z, system, beta) => tf.neg(reference.reverseKL(flow, z, system, beta)), ["the sign is flipped"]],
    [(flow, z, system, beta) => {
      // energy from float64 copies: the right value, but the gradient misses the energy term
      const { x, logDet } = flow.forward(z);
      const xs = x.arraySync() as number[][];
      const e = tf.tensor1d(xs.map((p) => system.energyOf(p)));
      return tf.mean(tf.add(tf.mul(e, beta), tf.sub(gaussianLogDensity(z, 1), logDet))) as tf.Scalar;
    }, ["the value is right but its gradient", "system.energy(x)"]],
    [(flow, z, system, beta) => tf.scalar(reference.reverseKL(flow, z, system, beta).dataSync()[0]), ["the value is right but has no gradient"]],
    [(flow, z, system, beta) => tf.mul(system.energy(flow.forward(z).x), beta) as unknown as tf.Scalar, ["should return a scalar", "shape [32]"]],
    [(flow, z) => flow.forward(z.transpose() as tf.Tensor2D).logDet.mean() as tf.Scalar, ["threw"]],
  ];
  for (const [fn, parts] of cases) expectHint(check.reverseKL(fn, quiet), ...parts);
  expectHint(check.reverseKL("reverseKL" as never, quiet), "expected your function", "string");
  assert.equal(tf.memory().numTensors, before, "a checker leaked tensors");
});

// ---- fallback

test("fallback: yours when the check passed, boltzlab's (with a note) when not", () => {
  const mine = (dE: number, b: number) => Math.min(1, Math.exp(-b * dE));
  assert.equal(fallback(check.acceptance(mine, quiet), mine), mine);
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(" ")); };
  let used: unknown;
  try {
    used = fallback(check.acceptance(() => NaN, quiet), () => NaN);
  } finally {
    console.log = orig;
  }
  assert.equal(used, reference.acceptance);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^note: acceptance did not pass its check/);
});
