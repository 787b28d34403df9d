import { test } from "node:test";
import assert from "node:assert/strict";
import { populationAnnealing, type PopulationAnnealingOptions } from "../../src/samplers";
import { exact } from "../../src/exact";
import { ea2d, isingSquare, sk } from "../../src/systems/lattices";
import { spinSystem } from "../../src/systems/spin";
import { Options, parseArgs } from "../../src/cli/args";
import { sampleCommand } from "../../src/cli/sample";

/** |value − exact| in units of the error bar. */
function sigmas(value: number, error: number, exactValue: number): number {
  assert.ok(error > 0 && Number.isFinite(error), `error bar ${error}`);
  return Math.abs(value - exactValue) / error;
}

test("populationAnnealing: F and E on a periodic 8×8 ±J grid agree with the transfer matrix within 3σ at β = 3 and along the curve", () => {
  const system = ea2d({ L: 8, seed: 0, boundary: "periodic" });
  const r = populationAnnealing({ system, beta: 3, replicas: 300, temperatures: 60, sweeps: 5, runs: 16, seed: 1, progress: false });
  assert.equal(r.curve.length, 60);
  assert.equal(r.curve[59].beta, 3);
  const ex = exact(system, 3, { method: "transfer-matrix" });
  assert.ok(sigmas(r.freeEnergyPerSpin.mean, r.freeEnergyPerSpin.error, ex.freeEnergyPerSpin) < 3, `F ${JSON.stringify(r.freeEnergyPerSpin)} vs ${ex.freeEnergyPerSpin}`);
  assert.ok(sigmas(r.energyPerSpin.mean, r.energyPerSpin.error, ex.energyPerSpin!) < 3, `E ${JSON.stringify(r.energyPerSpin)} vs ${ex.energyPerSpin}`);
  // the errors are small enough for the comparison to mean something
  assert.ok(r.freeEnergyPerSpin.error < 1e-3 && r.energyPerSpin.error < 1e-3);
  for (const k of [14, 29]) {
    const c = r.curve[k];
    const e = exact(system, c.beta, { method: "transfer-matrix" });
    assert.ok(sigmas(c.freeEnergyPerSpin, c.freeEnergyError, e.freeEnergyPerSpin) < 3, `β=${c.beta}: F ${c.freeEnergyPerSpin} ± ${c.freeEnergyError} vs ${e.freeEnergyPerSpin}`);
    assert.ok(sigmas(c.energyPerSpin, c.energyError, e.energyPerSpin!) < 3, `β=${c.beta}: E ${c.energyPerSpin} ± ${c.energyError} vs ${e.energyPerSpin}`);
    assert.ok(Math.abs(c.logZ + c.beta * system.n * c.freeEnergyPerSpin) < 1e-9);
  }
  // diagnostics: families shrink as β grows, ρ_t ≥ 1, effective fractions in (0, 1]
  for (const c of r.curve) {
    assert.ok(c.rhoT >= 1 && c.rhoS >= 1 && c.rhoT < 300, `ρ_t ${c.rhoT}`);
    assert.ok(c.survivingFamilies > 0 && c.survivingFamilies <= 1);
    assert.ok(c.essFraction > 0 && c.essFraction <= 1);
    assert.ok(c.acceptance > 0 && c.acceptance < 1);
  }
  assert.ok(r.curve[59].survivingFamilies < r.curve[0].survivingFamilies);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.runValues.length, 16);
  assert.equal(r.updates, 16 * 60 * 300 * 5 * 64);
});

test("populationAnnealing: SK N = 16 (float couplings, heat bath, multinomial, mean of ln Z) agrees with enumeration within 3σ at β = 0.75 and 1.5", () => {
  const system = sk({ n: 16, seed: 0 });
  const r = populationAnnealing({ system, beta: 1.5, replicas: 200, temperatures: 30, sweeps: 5, runs: 16, seed: 2, move: "heatbath", resampling: "multinomial", combine: "mean", progress: false });
  for (const k of [14, 29]) {
    const c = r.curve[k];
    const e = exact(system, c.beta, { method: "enumerate" });
    assert.ok(sigmas(c.freeEnergyPerSpin, c.freeEnergyError, e.freeEnergyPerSpin) < 3, `β=${c.beta}: F ${c.freeEnergyPerSpin} ± ${c.freeEnergyError} vs ${e.freeEnergyPerSpin}`);
    assert.ok(sigmas(c.energyPerSpin, c.energyError, e.energyPerSpin!) < 3, `β=${c.beta}: E ${c.energyPerSpin} ± ${c.energyError} vs ${e.energyPerSpin}`);
  }
  // with the plain mean the error is the standard error of the M values of ln Z
  const lz = r.runValues.map((v) => v.logZ);
  const m = lz.reduce((a, b) => a + b, 0) / lz.length;
  const sd = Math.sqrt(lz.reduce((a, b) => a + (b - m) ** 2, 0) / (lz.length - 1));
  assert.ok(Math.abs(r.logZ.mean - m) < 1e-12 && Math.abs(r.logZ.error - sd / Math.sqrt(lz.length)) < 1e-12);
});

test("populationAnnealing: SK N = 16 at β = 2 with the defaults' scheme (Metropolis, systematic, weighted runs)", () => {
  const system = sk({ n: 16, seed: 0 });
  const r = populationAnnealing({ system, beta: 2, replicas: 200, temperatures: 40, sweeps: 5, runs: 16, seed: 5, progress: false });
  const e = exact(system, 2, { method: "enumerate" });
  assert.ok(sigmas(r.freeEnergyPerSpin.mean, r.freeEnergyPerSpin.error, e.freeEnergyPerSpin) < 3, `F ${JSON.stringify(r.freeEnergyPerSpin)} vs ${e.freeEnergyPerSpin}`);
  assert.ok(sigmas(r.energyPerSpin.mean, r.energyPerSpin.error, e.energyPerSpin!) < 3, `E ${JSON.stringify(r.energyPerSpin)} vs ${e.energyPerSpin}`);
});

test("populationAnnealing: seeded, an explicit schedule, and free spins give ln Z = N ln 2 exactly", () => {
  const system = ea2d({ L: 4, seed: 3, boundary: "periodic" });
  const opts: PopulationAnnealingOptions = { system, temperatures: [0.2, 0.5, 1], replicas: 50, sweeps: 2, runs: 3, seed: 9, progress: false };
  const a = populationAnnealing(opts);
  const b = populationAnnealing(opts);
  assert.deepEqual(a.curve.map((c) => c.beta), [0.2, 0.5, 1]);
  assert.equal(a.beta, 1);
  assert.deepEqual(a.runValues, b.runValues);
  assert.deepEqual(a.curve, b.curve);
  const c = populationAnnealing({ ...opts, seed: 10 });
  assert.notDeepEqual(a.runValues, c.runValues);
  // three temperatures and 50 replicas: both warnings fire
  assert.equal(a.warnings.length, 2);
  assert.match(a.warnings[0], /Kish fraction of only 0\.\d+ .*use more temperatures/);
  assert.match(a.warnings[1], /ρ_t = .* exceeds R\/10 = 5: use more replicas or more sweeps/);
  const free = spinSystem({ n: 5, edges: [] });
  const f = populationAnnealing({ system: free, beta: 2, replicas: 10, temperatures: 4, sweeps: 1, runs: 2, seed: 0, progress: false });
  for (const p of f.curve) {
    assert.ok(Math.abs(p.logZ - 5 * Math.LN2) < 1e-12 && p.logZError === 0 && p.energyPerSpin === 0);
    assert.ok(Math.abs(p.rhoT - 1) < 1e-12); // equal weights: systematic resampling keeps every replica once
  }
});

test("populationAnnealing: integer fields wider than Int8 (Ising J = 50, heat bath) agree with the exact curve", () => {
  const system = isingSquare({ L: 4, J: 50, boundary: "periodic" });
  const r = populationAnnealing({ system, beta: 0.01, replicas: 200, temperatures: 20, sweeps: 5, runs: 16, seed: 4, move: "heatbath", progress: false });
  for (const k of [9, 19]) {
    const c = r.curve[k];
    const e = exact(system, c.beta, { method: "transfer-matrix" });
    assert.ok(sigmas(c.freeEnergyPerSpin, c.freeEnergyError, e.freeEnergyPerSpin) < 3, `β=${c.beta}: F ${c.freeEnergyPerSpin} ± ${c.freeEnergyError} vs ${e.freeEnergyPerSpin}`);
    assert.ok(sigmas(c.energyPerSpin, c.energyError, e.energyPerSpin!) < 3, `β=${c.beta}: E ${c.energyPerSpin} ± ${c.energyError} vs ${e.energyPerSpin}`);
  }
});

test("populationAnnealing: bad input is named before any work", () => {
  const system = ea2d({ L: 4, seed: 0 });
  const base = { system, beta: 1, replicas: 10, temperatures: 5, sweeps: 1, runs: 2, progress: false };
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...base, system: undefined }, /populationAnnealing: system must be a spin system/],
    [{ ...base, beta: 0 }, /populationAnnealing: beta must be > 0/],
    [{ ...base, beta: undefined }, /populationAnnealing: beta must be a finite number/],
    [{ ...base, replicas: 1 }, /populationAnnealing: replicas must be ≥ 2/],
    [{ ...base, replicas: 2.5 }, /populationAnnealing: replicas must be an integer/],
    [{ ...base, temperatures: 0 }, /populationAnnealing: temperatures must be ≥ 1/],
    [{ ...base, temperatures: [] }, /populationAnnealing: temperatures must be a positive integer or a non-empty array/],
    [{ ...base, temperatures: [0.5, 0.2, 1] }, /populationAnnealing: temperatures must be strictly increasing/],
    [{ ...base, temperatures: [0, 1] }, /populationAnnealing: temperatures\[0\] must be a finite β > 0/],
    [{ ...base, temperatures: [0.5, 2] }, /populationAnnealing: the last of temperatures \(2\) must equal beta \(1\)/],
    [{ ...base, temperatures: "10" }, /populationAnnealing: temperatures must be a positive integer or an array/],
    [{ ...base, sweeps: 0 }, /populationAnnealing: sweeps must be ≥ 1/],
    [{ ...base, runs: 1 }, /populationAnnealing: runs must be ≥ 2/],
    [{ ...base, move: "wolff" }, /populationAnnealing: move must be one of "metropolis", "heatbath"/],
    [{ ...base, resampling: "residual" }, /populationAnnealing: resampling must be one of/],
    [{ ...base, combine: "median" }, /populationAnnealing: combine must be one of/],
    [{ ...base, progress: "yes" }, /populationAnnealing: progress must be a boolean/],
    [{ ...base, seed: -1 }, /populationAnnealing: seed must be ≥ 0/],
    [{ ...base, replica: 10 }, /populationAnnealing: unknown option "replica"/],
    [{ ...base, replicas: 2 ** 26 }, /populationAnnealing: replicas × n = 67108864 × 16 needs 4.0 GiB .*use fewer replicas/],
  ];
  for (const [o, msg] of cases) assert.throws(() => populationAnnealing(o as unknown as PopulationAnnealingOptions), msg, JSON.stringify(Object.keys(o)));
  assert.throws(() => populationAnnealing(undefined as unknown as PopulationAnnealingOptions), /populationAnnealing: options/);
});

async function cli(argv: string[]): Promise<Record<string, any>> {
  const parsed = parseArgs(["sample", ...argv]);
  return (await sampleCommand.run(new Options(parsed, "sample"), parsed.positional.slice(1))) as Record<string, any>;
}

test("boltzlab sample --sampler pa prints F and E at the target β, the curve and the exact values", async () => {
  const r = await cli(["--sampler", "pa", "--system", "ea2d:L=4,seed=1,boundary=periodic", "--beta", "1", "--replicas", "200", "--temperatures", "20", "--sweeps", "3", "--runs", "4", "--seed", "2"]);
  for (const k of ["freeEnergyPerSpin", "energyPerSpin"]) {
    assert.equal(typeof r[k].mean, "number", k);
    assert.ok(r[k].error > 0, k);
  }
  for (const k of ["replicas", "temperatures", "sweeps", "runs", "seed", "logZ", "freeEnergyPerSpinExact", "energyPerSpinExact", "exactMethod", "updatesPerSecond", "elapsedSeconds"]) assert.ok(k in r, k);
  assert.equal(r.curve.length, 20);
  for (const k of ["beta", "freeEnergyPerSpin", "freeEnergyError", "energyPerSpin", "energyError", "rhoT", "survivingFamilies", "essFraction"]) assert.equal(typeof r.curve[0][k], "number", k);
  assert.equal(r.curve[19].beta, 1);
  assert.equal(typeof r.freeEnergyPerSpinExact, "number");
  assert.ok(Math.abs(r.freeEnergyPerSpin.mean - r.freeEnergyPerSpinExact) < 4 * r.freeEnergyPerSpin.error, `${JSON.stringify(r.freeEnergyPerSpin)} vs ${r.freeEnergyPerSpinExact}`);
  const bad: Array<[string[], RegExp]> = [
    [["--replicas", "1"], /boltzlab sample: --replicas must be an integer ≥ 2/],
    [["--runs", "1"], /boltzlab sample: --runs must be an integer ≥ 2/],
    [["--temperatures", "0"], /boltzlab sample: --temperatures must be an integer ≥ 1/],
    [["--sweeps", "0"], /boltzlab sample: --sweeps must be an integer ≥ 1/],
    [["--move", "wolff"], /boltzlab sample: --move must be metropolis or heatbath/],
    [["--burn-in", "10"], /boltzlab sample: unknown option --burn-in/],
  ];
  for (const [extra, msg] of bad) await assert.rejects(cli(["--sampler", "pa", "--system", "ising:L=4", "--beta", "1", ...extra]), msg);
});
