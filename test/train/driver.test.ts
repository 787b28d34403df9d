import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import { isUsageError } from "../../src/core/errors";
import { made } from "../../src/models/made";
import { twobo } from "../../src/models/twobo";
import { sk } from "../../src/systems/lattices";
import { doubleWell } from "../../src/systems/continuous";
import { realNVP } from "../../src/flows";
import { boltzmannGenerator } from "../../src/bg/generator";
import { combinedSchedule, trainBoltzmannGenerator, type StepRecord } from "../../src/bg/train";
import { runTraining, DivergenceError } from "../../src/train/driver";
import { reinforceObjective, weightedObjective } from "../../src/train/objectives";
import { betaSchedule, lrSchedule } from "../../src/train/schedule";
import { trainVan, type VanHistoryRow } from "../../src/train/van";
import { Adam } from "../../src/train/adam";
import { chain, clipGlobalNorm, normalizeGlobalNorm } from "../../src/train/optimizer";
import { sweepVan } from "../../src/train/sweep";

ensureBackend();

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));
const weights = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync() as Float32Array));
/** Everything in a history row except the wall-clock time. */
const noTime = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== "wallTime"));
class Killed extends Error {}

test("MADE (REINFORCE, annealed β, cosine LR, clipping): a run killed after step 23 and resumed from its step-20 checkpoint replays the uninterrupted run bit for bit", () => {
  const system = sk({ n: 8, seed: 3 });
  const dir = tmp("drv-made-");
  const opts = { system, beta: 1.2, steps: 40, batch: 64, lr: 2e-2, schedule: "cosine" as const, lrMin: 1e-4, clip: 0.5, anneal: 0.9, progress: false };
  const c = made({ size: 8, depth: 2, width: 3, z2: true, seed: 1 });
  const full = trainVan({ ...opts, model: c, seed: 11 });
  // the same run, killed after step 23 (its last checkpoint is at step 20)
  const a = made({ size: 8, depth: 2, width: 3, z2: true, seed: 1 });
  const ckpt = path.join(dir, "a.json");
  assert.throws(() => trainVan({ ...opts, model: a, seed: 11, checkpoint: ckpt, checkpointEvery: 10, onStep: (r) => { if (r.step === 23) throw new Killed(); } }), Killed);
  // resumed into a fresh model of other initial weights, with another seed (ignored: the checkpoint's RNG stream continues)
  const b = made({ size: 8, depth: 2, width: 3, z2: true, seed: 99 });
  const res = trainVan({ ...opts, model: b, seed: 12345, resume: ckpt });
  assert.deepEqual(res.rows.map((r) => r.step), Array.from({ length: 20 }, (_, k) => 21 + k));
  assert.equal(res.step, 40);
  assert.deepEqual(res.rows.map(noTime), full.rows.slice(20).map(noTime));
  // schedules really moved: β annealed, lr decayed
  assert.ok(res.rows[0].beta > 1.2 * (1 - 0.9 ** 20) - 1e-12 && res.rows[0].lr < 2e-2);
  assert.deepEqual(weights(b.trainableVariables), weights(c.trainableVariables));
  [a, b, c].forEach((m) => m.dispose());
  fs.rmSync(dir, { recursive: true });
});

test("MADE: T steps, then resumed to 2T (steps is the total), equals an uninterrupted 2T run; the history continues the step count", () => {
  const system = sk({ n: 6, seed: 1 });
  const dir = tmp("drv-made2-");
  const opts = { system, beta: 1, batch: 32, lr: 1e-2, anneal: 0.8, clip: 1, progress: false };
  const c = made({ size: 6, depth: 2, width: 2, seed: 1 });
  const full = trainVan({ ...opts, model: c, steps: 30, seed: 4 });
  const a = made({ size: 6, depth: 2, width: 2, seed: 1 });
  const ckpt = path.join(dir, "ck", "a.json");
  const first = trainVan({ ...opts, model: a, steps: 15, seed: 4, checkpoint: ckpt });
  assert.deepEqual(first.rows.map(noTime), full.rows.slice(0, 15).map(noTime));
  // what the checkpoint stores for the resume: positions, RNG state, the run's options
  const meta = JSON.parse(fs.readFileSync(ckpt, "utf8")).meta;
  assert.equal(meta.step, 15);
  assert.equal(meta.beta, full.rows[14].beta);
  assert.equal(meta.state.step, 15);
  assert.equal(meta.state.lrPosition, 15);
  assert.equal(meta.state.lr, full.rows[14].lr);
  assert.ok(meta.state.elapsedMs > 0 && meta.state.rng.words.length === 4);
  assert.deepEqual(meta.run.beta, { beta: 1, anneal: 0.8, betaStart: 0 });
  assert.deepEqual(meta.run.lr, { lr: 1e-2, schedule: "constant", lrMin: null, decay: null });
  assert.equal(meta.run.batch, 32);
  assert.equal(meta.run.clip, 1);
  assert.equal(meta.run.system, system.name);
  assert.equal(meta.run.model.type, "made");
  const res = trainVan({ ...opts, model: a, steps: 30, resume: ckpt, checkpoint: ckpt });
  assert.deepEqual(res.rows.map(noTime), full.rows.slice(15).map(noTime));
  assert.deepEqual(weights(a.trainableVariables), weights(c.trainableVariables));
  assert.deepEqual(fs.readdirSync(path.dirname(ckpt)), ["a.json"], "no temporary files left");
  // the checkpoint now says step 30; resuming to 30 (or less) has nothing to do and says so
  assert.throws(() => trainVan({ ...opts, model: a, steps: 30, resume: ckpt }), /trainVan: steps \(30\) is the total and .* is already at step 30: nothing to do/);
  [a, c].forEach((m) => m.dispose());
  fs.rmSync(dir, { recursive: true });
});

/** Double-well training data: points near both minima (x₁ = ±~2), deterministic. */
function wellData(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const out = new Float32Array(2 * n);
  for (let k = 0; k < n; k++) {
    out[2 * k] = (k % 2 === 0 ? 1.8 : -1.8) + 0.3 * r.normal();
    out[2 * k + 1] = 0.5 * r.normal();
  }
  return out;
}

test("RealNVP on the double well (combined loss on a schedule, by example + by energy): a killed run resumed from its checkpoint replays the uninterrupted run bit for bit", () => {
  const dw = doubleWell();
  const data = wellData(400, 2);
  const dir = tmp("drv-flow-");
  const make = (seed: number) => boltzmannGenerator({ flow: realNVP({ dim: 2, layers: 2, hidden: [8], seed }) });
  const opts = { system: dw, beta: 1, steps: 24, data, batch: 32, dataBatch: 16, lr: 5e-3, schedule: "cosine" as const, clip: 5,
    weights: combinedSchedule({ warmup: 0.25, ramp: 0.5 }), progress: false };
  const c = make(1);
  const recs: StepRecord[] = [];
  trainBoltzmannGenerator(c, { ...opts, seed: 3, onStep: (r) => recs.push(r) });
  const a = make(1);
  const ckpt = path.join(dir, "bg.json");
  assert.throws(() => trainBoltzmannGenerator(a, { ...opts, seed: 3, checkpoint: ckpt, checkpointEvery: 8, onStep: (r) => { if (r.step === 13) throw new Killed(); } }), Killed);
  const b = make(7);
  const res = trainBoltzmannGenerator(b, { ...opts, resume: ckpt });
  const rows = res.history.toRecords() as unknown as StepRecord[];
  assert.deepEqual(rows.map((r) => r.step), Array.from({ length: 16 }, (_, k) => 8 + k));
  // the part after the checkpoint mixes both losses
  assert.ok(rows.some((r) => r.weightEnergy > 0 && r.weightExample > 0) && rows.every((r) => Number.isFinite(r.loss)));
  const same = (x: StepRecord) => ({ ...x });
  assert.deepEqual(rows.map(same), recs.slice(8).map(same));
  assert.deepEqual(weights(b.trainableVariables), weights(c.trainableVariables));
  [a, b, c].forEach((m) => m.dispose());
  fs.rmSync(dir, { recursive: true });
});

test("RealNVP: T steps with fixed weights, then resumed to 2T, equals the uninterrupted 2T run", () => {
  const dw = doubleWell();
  const data = wellData(200, 5);
  const dir = tmp("drv-flow2-");
  const make = () => boltzmannGenerator({ flow: realNVP({ dim: 2, layers: 2, hidden: [8], seed: 2 }) });
  const opts = { system: dw, beta: 1, data, batch: 16, dataBatch: 16, learningRate: 1e-2, weights: { energy: 1, example: 1 }, progress: false };
  const c = make();
  const full = trainBoltzmannGenerator(c, { ...opts, steps: 12, seed: 8 });
  const a = make();
  const ckpt = path.join(dir, "bg.json");
  trainBoltzmannGenerator(a, { ...opts, steps: 6, seed: 8, checkpoint: ckpt });
  const t0 = tf.memory().numTensors;
  const res = trainBoltzmannGenerator(a, { ...opts, steps: 12, resume: ckpt });
  assert.equal(tf.memory().numTensors, t0, "no tensor leaks over a resumed flow run");
  assert.deepEqual(res.history.toRecords(), full.history.tail(6).toRecords());
  assert.deepEqual(weights(a.trainableVariables), weights(c.trainableVariables));
  [a, c].forEach((m) => m.dispose());
  fs.rmSync(dir, { recursive: true });
});

test("resuming with options that contradict the checkpoint is refused before any work, naming what differs", () => {
  const system = sk({ n: 6, seed: 1 });
  const dir = tmp("drv-refuse-");
  const ckpt = path.join(dir, "c.json");
  const base = { system, beta: 1, steps: 4, batch: 16, lr: 1e-2, anneal: 0.9, clip: 1, progress: false, seed: 1 };
  const m = made({ size: 6, depth: 2, width: 2, seed: 1 });
  trainVan({ ...base, model: m, checkpoint: ckpt });
  const file = fs.readFileSync(ckpt, "utf8");
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ beta: 2 }, /cannot resume from .*c\.json: the run differs in beta\.beta \(checkpoint 1, now 2\)/],
    [{ batch: 32 }, /differs in batch \(checkpoint 16, now 32\)/],
    [{ anneal: null }, /beta\.anneal \(checkpoint 0\.9, now null\)/],
    [{ lr: 1e-3 }, /lr\.lr \(checkpoint 0\.01, now 0\.001\)/],
    [{ schedule: "cosine" }, /lr\.schedule \(checkpoint "constant", now "cosine"\)/],
    [{ clip: null }, /clip \(checkpoint 1, now null\)/],
    [{ system: sk({ n: 6, seed: 2 }) }, /differs in objective\.system .*; system \(checkpoint "sk n=6 seed=1", now "sk n=6 seed=2"\); couplings/],
    [{ model: made({ size: 6, depth: 2, width: 3, seed: 1 }) }, /model\.width \(checkpoint 2, now 3\)/],
    // same name, other couplings (e.g. an edited instance file)
    [{ system: Object.assign(Object.create(Object.getPrototypeOf(system)), system, { edges: { ...system.edges, J: system.edges.J.map((x) => 2 * x) } }) }, /the run differs in couplings \(checkpoint "[0-9a-f]{16}", now "[0-9a-f]{16}"\)/],
  ];
  for (const [change, msg] of cases) {
    const model = (change.model as ReturnType<typeof made> | undefined) ?? m;
    const before = weights(model.trainableVariables);
    let ran = 0;
    assert.throws(() => trainVan({ ...base, model: m, ...change, steps: 8, resume: ckpt, checkpoint: ckpt, onStep: () => ran++ } as never), (e: Error) => {
      assert.match(e.message, /^trainVan: /);
      assert.match(e.message, msg);
      return true;
    });
    assert.equal(ran, 0);
    assert.deepEqual(weights(model.trainableVariables), before, "the model is untouched");
    assert.equal(fs.readFileSync(ckpt, "utf8"), file, "the checkpoint is untouched");
    if (change.model !== undefined) model.dispose();
  }
  m.dispose();
  fs.rmSync(dir, { recursive: true });
});

test("bad input to trainVan / trainBoltzmannGenerator / the driver throws before the first step, naming function and argument, writing nothing", () => {
  const system = sk({ n: 6, seed: 1 });
  const dir = tmp("drv-bad-");
  const aFile = path.join(dir, "file.txt");
  fs.writeFileSync(aFile, "x");
  fs.writeFileSync(path.join(dir, "junk.json"), "{}");
  const m = made({ size: 6, depth: 2, width: 2, seed: 1 });
  const ok = { model: m, system, beta: 1, steps: 3, batch: 8, progress: false, seed: 1 };
  const van: [Record<string, unknown>, RegExp][] = [
    [{ lr: 0 }, /trainVan: lr must be > 0/],
    [{ lr: -1 }, /trainVan: lr must be > 0/],
    [{ schedule: "cosine", lrMin: -1 }, /trainVan: lrMin must be > 0, got -1/],
    [{ schedule: "cosine", lrMin: 5 }, /trainVan: lrMin must be ≤ lr \(0\.001\), got 5/],
    [{ schedule: "exponential", lrDecay: -5 }, /trainVan: lrDecay must be > 0, got -5/],
    [{ schedule: "exponential", lrDecay: 0 }, /trainVan: lrDecay must be > 0/],
    [{ schedule: "exponential", lrDecay: 1.5 }, /trainVan: lrDecay must be ≤ 1/],
    [{ schedule: "linear" }, /trainVan: schedule must be "constant", "cosine", "exponential" or a function/],
    [{ anneal: 0 }, /trainVan: anneal must be > 0/],
    [{ anneal: 1 }, /trainVan: anneal must be < 1/],
    [{ anneal: -0.5 }, /trainVan: anneal must be > 0/],
    [{ betaStart: -1 }, /trainVan: betaStart must be ≥ 0/],
    [{ beta: 0 }, /trainVan: beta must be > 0/],
    [{ batch: 1 }, /trainVan: batch must be ≥ 2/],
    [{ batch: 2.5 }, /trainVan: batch must be an integer/],
    [{ steps: 0 }, /trainVan: steps must be ≥ 1/],
    [{ steps: 1.5 }, /trainVan: steps must be an integer/],
    [{ minutes: 0 }, /trainVan: minutes must be > 0/],
    [{ clip: 0 }, /trainVan: clip must be > 0/],
    [{ checkpoint: dir }, /trainVan: checkpoint .* is a directory, not a file/],
    [{ checkpoint: path.join(aFile, "sub", "c.json") }, /trainVan: checkpoint .* cannot be created: .*file\.txt is a file, not a directory/],
    [{ checkpoint: "" }, /trainVan: checkpoint must be a non-empty file path/],
    [{ checkpointEvery: 2 }, /trainVan: checkpointEvery needs checkpoint/],
    [{ checkpoint: path.join(dir, "c.json"), checkpointEvery: 0 }, /trainVan: checkpointEvery must be ≥ 1/],
    [{ resume: path.join(dir, "missing.json") }, /trainVan: resume: could not read/],
    [{ resume: path.join(dir, "junk.json") }, /trainVan: resume: .* is not a boltzlab checkpoint/],
    [{ onStep: 3 }, /trainVan: onStep must be a function/],
  ];
  const before = weights(m.trainableVariables);
  const listing = fs.readdirSync(dir).sort();
  for (const [change, msg] of van) {
    let ran = 0;
    assert.throws(() => trainVan({ ...ok, onStep: () => ran++, ...change } as never), msg, JSON.stringify(change));
    assert.equal(ran, 0, `no step ran for ${JSON.stringify(change)}`);
  }
  assert.deepEqual(weights(m.trainableVariables), before);
  const dw = doubleWell();
  const bg = boltzmannGenerator({ flow: realNVP({ dim: 2, layers: 1, hidden: [4], seed: 1 }) });
  const okBg = { system: dw, beta: 1, steps: 2, batch: 8, progress: false, seed: 1 };
  const bgCases: [Record<string, unknown>, RegExp][] = [
    [{ lr: 0 }, /trainBoltzmannGenerator: lr must be > 0/],
    [{ learningRate: -1 }, /trainBoltzmannGenerator: learningRate must be > 0/],
    [{ lr: 1e-3, learningRate: 1e-3 }, /trainBoltzmannGenerator: give lr or learningRate/],
    [{ lr: () => -1 }, /trainBoltzmannGenerator: lr\(0, 2\) must be > 0/],
    [{ schedule: "cosine", lrMin: 5 }, /trainBoltzmannGenerator: lrMin must be ≤ lr/],
    [{ schedule: "exponential", lrDecay: -5 }, /trainBoltzmannGenerator: lrDecay must be > 0/],
    [{ batch: 1 }, /trainBoltzmannGenerator: batch must be ≥ 2/],
    [{ steps: 0 }, /trainBoltzmannGenerator: steps must be ≥ 1/],
    [{ clip: -1 }, /trainBoltzmannGenerator: clip must be > 0/],
    [{ weights: { energy: 0, example: 0 } }, /trainBoltzmannGenerator: weights.energy and weights.example are both 0/],
    [{ weights: { energy: 1, example: 1 } }, /trainBoltzmannGenerator: weights.example > 0 needs data/],
    [{ checkpoint: dir }, /trainBoltzmannGenerator: checkpoint .* is a directory/],
    [{ resume: path.join(dir, "missing.json") }, /trainBoltzmannGenerator: resume: could not read/],
  ];
  const bgBefore = weights(bg.trainableVariables);
  const t0 = tf.memory().numTensors;
  for (const [change, msg] of bgCases) {
    let ran = 0;
    assert.throws(() => trainBoltzmannGenerator(bg, { ...okBg, onStep: () => ran++, ...change } as never), msg, JSON.stringify(change));
    assert.equal(ran, 0);
  }
  assert.equal(tf.memory().numTensors, t0, "no tensors left behind");
  assert.deepEqual(weights(bg.trainableVariables), bgBefore);
  // the driver and the schedule objects themselves
  const objective = reinforceObjective({ system });
  const driverCases: [() => unknown, RegExp][] = [
    [() => runTraining({ model: m, objective, steps: 2, batch: 0, beta: 1 }), /train: batch must be ≥ 1/],
    [() => runTraining({ model: m, objective, steps: 2, batch: 4, beta: -1 }), /train: beta must be > 0/],
    [() => runTraining({ model: m, objective: {} as never, steps: 2, batch: 4, beta: 1 }), /train: objective must be an Objective/],
    [() => runTraining({ model: m, objective, steps: 2, batch: 4, beta: 1, where: "mine", bogus: 1 } as never), /mine: unknown option "bogus"/],
    [() => lrSchedule({ lr: 1, lrMin: 2 }), /lrSchedule: lrMin must be ≤ lr/],
    [() => lrSchedule({ lr: 1, decay: 0 }), /lrSchedule: decay must be > 0/],
    [() => betaSchedule({ beta: 1, anneal: 1 }), /betaSchedule: anneal must be < 1/],
    [() => weightedObjective([], () => ({})), /weightedObjective: terms must be a non-empty array/],
  ];
  driverCases.push([() => sweepVan({ model: m, system, betas: [1, 2], steps: 2, batch: 8, checkpointDir: aFile, progress: false }), /sweepVan: checkpointDir .* cannot be created: .*file\.txt is a file/]);
  for (const [f, msg] of driverCases) assert.throws(f, msg);
  assert.deepEqual(fs.readdirSync(dir).sort(), listing, "nothing written");
  m.dispose();
  bg.dispose();
  fs.rmSync(dir, { recursive: true });
});

test("the driver: a weighted sum of objectives on a schedule, β through the model contract (TwoBo's setBeta), and no tensor leaks over steps and resume", () => {
  const system = sk({ n: 6, seed: 1 });
  const tb = twobo({ system, beta: 1, hidden: [4], seed: 1 });
  const seen: number[] = [];
  const orig = tb.setBeta.bind(tb);
  tb.setBeta = (b: number) => { seen.push(b); orig(b); };
  const r = trainVan({ model: tb, system, beta: 1, steps: 3, batch: 16, anneal: 0.5, seed: 1, progress: false });
  assert.deepEqual(seen, [0.5, 0.75, 0.875]);
  assert.deepEqual(r.rows.map((x: VanHistoryRow) => x.beta), seen);
  tb.dispose();
  // two REINFORCE terms with weights (1, 0) then (0.5, 0.5) give the same F_q metric as one term (weight 1 in total)
  const m = made({ size: 6, depth: 2, width: 2, seed: 1 });
  const dir = tmp("drv-leak-");
  const ckpt = path.join(dir, "c.json");
  const objective = weightedObjective(
    [{ name: "a", objective: reinforceObjective({ system }) }, { name: "b", objective: reinforceObjective({ system }) }],
    (t) => (t <= 2 ? { a: 1, b: 0 } : { a: 0.5, b: 0.5 }),
  );
  runTraining({ model: m, objective, steps: 2, batch: 8, beta: 1, seed: 1, checkpoint: ckpt, progress: false });
  const before = tf.memory().numTensors;
  const res = runTraining({ model: m, objective, steps: 6, batch: 8, beta: 1, resume: ckpt, checkpoint: ckpt, progress: false });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(res.rows.map((x) => [x.step, x.weightA, x.weightB]), [[3, 0.5, 0.5], [4, 0.5, 0.5], [5, 0.5, 0.5], [6, 0.5, 0.5]]);
  assert.ok(res.rows.every((x) => Number.isFinite(x.loss) && Number.isFinite(x.freeEnergy)));
  // a divergence inside a weighted sum names the step and leaks nothing
  const nan = weightedObjective([{ name: "a", objective: reinforceObjective({ system }) }], () => ({ a: NaN }));
  assert.throws(() => runTraining({ model: m, objective: nan, steps: 2, batch: 8, beta: 1, progress: false, where: "w" }), /weightedObjective: weight of "a" at step 1 must be a finite number/);
  assert.equal(tf.memory().numTensors, before);
  assert.ok(new DivergenceError("x", 1, [], null, "loss", NaN) instanceof Error);
  m.dispose();
  fs.rmSync(dir, { recursive: true });
});

test("with a minutes budget the training time resumes too: the LR schedule's time fraction continues, and a used-up budget has nothing to do", () => {
  const system = sk({ n: 6, seed: 1 });
  const dir = tmp("drv-time-");
  const ckpt = path.join(dir, "c.json");
  const m = made({ size: 6, depth: 2, width: 2, seed: 1 });
  const opts = { model: m, system, beta: 1, steps: 1_000_000, minutes: 0.015, batch: 16, lr: 1e-2, schedule: "cosine" as const, lrMin: 1e-4, progress: false };
  let atFive = 0;
  assert.throws(() => trainVan({ ...opts, seed: 1, checkpoint: ckpt, checkpointEvery: 5, onStep: (r) => { if (r.step === 5) atFive = r.lr; if (r.step === 6) throw new Killed(); } }), Killed);
  const used = JSON.parse(fs.readFileSync(ckpt, "utf8")).meta.state.elapsedMs as number;
  assert.ok(used > 0 && used < 0.015 * 60000);
  const res = trainVan({ ...opts, resume: ckpt, checkpoint: ckpt });
  assert.equal(res.rows[0].step, 6);
  assert.ok(res.rows[0].wallTime >= used / 1000, "wall time counts the time already used");
  assert.ok(res.rows[0].lr <= atFive, `lr continues down the schedule (${res.rows[0].lr} vs ${atFive})`);
  const last = res.rows[res.rows.length - 1];
  assert.ok(last.wallTime >= 0.9 && last.wallTime < 0.9 + 0.5, `stopped at ${last.wallTime} s of 0.9`);
  assert.ok(last.lr < 1e-3, `the cosine ran over the whole budget: last lr ${last.lr}`);
  assert.throws(() => trainVan({ ...opts, resume: ckpt }), /trainVan: .* has already used 0\.01[5-9]\d* of the 0\.015 minutes: nothing to do/);
  m.dispose();
  fs.rmSync(dir, { recursive: true });
});

test("a finite loss with a non-finite gradient also stops training, naming the step and the gradient, with the weights restored", () => {
  const m = made({ size: 4, depth: 1, width: 1, seed: 1 });
  const before = weights(m.trainableVariables);
  let calls = 0;
  // loss = Σ √(w − w) = 0, whose gradient is ∞·0 = NaN; finite gradients for the first two steps
  const objective = {
    name: "test", metrics: ["calls"], valueName: "the test loss", spec: { type: "test" },
    begin: () => ({
      loss: () => {
        calls++;
        const w = m.trainableVariables[0];
        return (calls <= 2 ? tf.sum(tf.mul(w, 0.01)) : tf.sum(tf.sqrt(tf.sub(w, w)))) as tf.Scalar;
      },
      finish: (value: number) => ({ value, metrics: { calls } }),
    }),
  };
  const t0 = tf.memory().numTensors;
  let err: unknown = null;
  let afterOne: number[][] = [];
  try {
    runTraining({ model: m, objective, steps: 5, batch: 1, beta: 1, lr: 0.1, seed: 1, progress: false, where: "myTrainer", onStep: (r) => { if (r.step === 1) afterOne = weights(m.trainableVariables); } });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof DivergenceError);
  const d = err as DivergenceError;
  assert.equal(d.step, 3);
  assert.equal(d.what, "gradient");
  assert.match(d.message, /^myTrainer: training diverged at step 3: the gradient \(norm NaN\) is not finite; the model holds the last good weights \(before step 2's update\)/);
  assert.equal(d.rows.length, 2);
  assert.deepEqual(weights(m.trainableVariables), afterOne, "restored to the weights step 2 started from");
  assert.notDeepEqual(afterOne, before);
  assert.equal(tf.memory().numTensors, t0, "no leak on the error path");
  m.dispose();
});

test("resume problems are UsageErrors (the CLI exits 2 on them)", () => {
  const system = sk({ n: 6, seed: 1 });
  const dir = tmp("drv-usage-");
  const ckpt = path.join(dir, "c.json");
  const m = made({ size: 6, depth: 2, width: 2, seed: 1 });
  trainVan({ model: m, system, beta: 1, steps: 2, batch: 8, seed: 1, checkpoint: ckpt, progress: false });
  for (const change of [{ beta: 2, steps: 4 }, { steps: 2 }, { steps: 4, resume: path.join(dir, "missing.json") }]) {
    assert.throws(() => trainVan({ model: m, system, beta: 1, batch: 8, progress: false, resume: ckpt, ...change }), (e: Error) => isUsageError(e));
  }
  m.dispose();
  fs.rmSync(dir, { recursive: true });
});

test("TwoBo (β-dependent through setBeta) resumes exactly too: the annealed β reaches the model at the first resumed step", () => {
  const system = sk({ n: 6, seed: 2 });
  const dir = tmp("drv-twobo-");
  const ckpt = path.join(dir, "c.json");
  const make = (seed: number) => twobo({ system, beta: 1, hidden: [4], seed });
  const opts = { system, beta: 1.5, steps: 12, batch: 16, lr: 1e-2, anneal: 0.8, progress: false };
  const c = make(1);
  const full = trainVan({ ...opts, model: c, seed: 5 });
  const a = make(1);
  assert.throws(() => trainVan({ ...opts, model: a, seed: 5, checkpoint: ckpt, checkpointEvery: 6, onStep: (r) => { if (r.step === 8) throw new Killed(); } }), Killed);
  const b = make(9);
  b.setBeta(0.01); // whatever β it holds before, the driver sets β_7 before step 7
  const res = trainVan({ ...opts, model: b, resume: ckpt });
  assert.deepEqual(res.rows.map(noTime), full.rows.slice(6).map(noTime));
  assert.deepEqual(weights(b.trainableVariables), weights(c.trainableVariables));
  [a, b, c].forEach((m) => m.dispose());
  fs.rmSync(dir, { recursive: true });
});

test("optimizer chain: clipGlobalNorm then Adam equals clipping by hand then Adam, and carries Adam's state", () => {
  const before = tf.memory().numTensors;
  const a = tf.tidy(() => [tf.variable(tf.tensor1d([1, 2, 3])), tf.variable(tf.tensor2d([[0.5, -1]]))]);
  const b = tf.tidy(() => a.map((v) => tf.variable(v.clone())));
  const grads = [tf.tensor1d([3, 0, 4]), tf.tensor2d([[12, 0]])]; // global norm 13
  const adamA = new Adam(a);
  const adamB = new Adam(b);
  const opt = chain(clipGlobalNorm(1), adamA);
  opt.update(grads, 0.1);
  const scaled = grads.map((g) => tf.mul(g, 1 / 13));
  adamB.apply(scaled, 0.1);
  for (let k = 0; k < a.length; k++) assert.deepEqual(Array.from(a[k].dataSync()), Array.from(b[k].dataSync()));
  assert.equal(opt.getState().step, 1);
  // below the bound the gradients pass unchanged
  const small = [tf.tensor1d([0.3, 0, 0.4]), tf.tensor2d([[0, 0]])];
  opt.update(small, 0.1, 0.5);
  adamB.apply(small, 0.1);
  for (let k = 0; k < a.length; k++) assert.deepEqual(Array.from(a[k].dataSync()), Array.from(b[k].dataSync()));
  assert.throws(() => clipGlobalNorm(0), /clipGlobalNorm: maxNorm/);
  assert.throws(() => chain({} as never), /the last argument must be an Optimizer/);
  tf.dispose([...a, ...b, ...grads, ...scaled, ...small]);
  adamA.dispose();
  adamB.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("normalizeGlobalNorm rescales to the given norm at every step, above and below it (the VAN reference's --clip_grad)", () => {
  const before = tf.memory().numTensors;
  const a = tf.tidy(() => [tf.variable(tf.tensor1d([1, 2, 3])), tf.variable(tf.tensor2d([[0.5, -1]]))]);
  const b = tf.tidy(() => a.map((v) => tf.variable(v.clone())));
  const adamA = new Adam(a);
  const adamB = new Adam(b);
  const opt = chain(normalizeGlobalNorm(2), adamA);
  for (const [g, n] of [[[tf.tensor1d([3, 0, 4]), tf.tensor2d([[12, 0]])], 13], [[tf.tensor1d([0.03, 0, 0.04]), tf.tensor2d([[0, 0]])], 0.05]] as [tf.Tensor[], number][]) {
    opt.update(g, 0.1);
    const scaled = g.map((x) => tf.mul(x, 2 / n));
    adamB.apply(scaled, 0.1);
    for (let k = 0; k < a.length; k++) {
      const [x, y] = [a[k].dataSync(), b[k].dataSync()];
      for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) < 1e-6, `step with norm ${n}: ${x[i]} vs ${y[i]}`);
    }
    tf.dispose([...g, ...scaled]);
  }
  // a zero gradient stays zero (no division by zero)
  const zero = [tf.zeros([3]), tf.zeros([1, 2])];
  opt.update(zero, 0.1);
  for (const v of a) assert.ok(Array.from(v.dataSync()).every(Number.isFinite));
  assert.throws(() => normalizeGlobalNorm(-1), /normalizeGlobalNorm: norm/);
  tf.dispose([...a, ...b, ...zero]);
  adamA.dispose();
  adamB.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("runTraining: clipMode is checked before any work (normalize needs clip, unknown modes refused)", () => {
  const model = made({ size: 4, depth: 1, width: 1, seed: 1 });
  const system = sk({ n: 4, seed: 1 });
  const objective = reinforceObjective({ system });
  assert.throws(() => runTraining({ model, objective, steps: 1, batch: 4, beta: 1, clipMode: "normalize", seed: 1 }), /train: clipMode "normalize" needs clip/);
  assert.throws(() => runTraining({ model, objective, steps: 1, batch: 4, beta: 1, clip: 1, clipMode: "scale" as never, seed: 1 }), /clipMode/);
  model.dispose();
});
