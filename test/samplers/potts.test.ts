import assert from "node:assert/strict";
import { test } from "node:test";
import { pottsEnumerate } from "../../src/exact/potts";
import { pottsHeatBath, pottsMetropolis, pottsSwendsenWang, pottsWolff, runPottsMove, pottsMetropolisMove } from "../../src/samplers";
import type { SamplerResult } from "../../src/samplers/types";
import { isingSquare, pottsGlass, pottsSquare, pottsOrderParameterOf } from "../../src/systems";
import type { PottsSystem } from "../../src/systems/types";

function within(r: SamplerResult, key: string, exact: number, what: string, k = 4): void {
  const s = r.stats[key];
  assert.ok(Number.isFinite(s.error) && s.error > 0, `${what}: ${key} error ${s.error}`);
  assert.ok(Math.abs(s.mean - exact) < k * s.error, `${what}: ${key} ${s.mean} ± ${s.error} vs exact ${exact} (${((s.mean - exact) / s.error).toFixed(2)}σ)`);
}

/** Tracked energies and order parameters equal those recomputed from the kept samples. */
function checkTracked(sys: PottsSystem, r: SamplerResult): void {
  const n = sys.n;
  const samples = r.samples!;
  const rows = samples.length / n;
  for (let t = 0; t < rows; t += Math.max(1, Math.floor(rows / 50))) {
    const x = samples.subarray(t * n, (t + 1) * n);
    assert.ok(Math.abs(sys.energyOf(x) / n - r.observables.energyPerSpin[t]) < 1e-12, "tracked energy");
    assert.ok(Math.abs(pottsOrderParameterOf(x, sys.q) - r.observables.orderParameter[t]) < 1e-12, "tracked order parameter");
  }
}

const ferro = pottsSquare({ L: 3, q: 3 });
const BETA = 0.9;

test("every Potts sampler reproduces enumeration (3×3 periodic q = 3 ferromagnet) within 4σ on E and the order parameter", () => {
  const ex = pottsEnumerate(ferro, BETA);
  const runs: Array<[string, SamplerResult]> = [
    ["metropolis", pottsMetropolis(ferro, { beta: BETA, sweeps: 6000, burnIn: 200, chains: 4, seed: 1, keepSamples: true, progress: false })],
    ["heatBath", pottsHeatBath(ferro, { beta: BETA, sweeps: 6000, burnIn: 200, chains: 4, seed: 2, keepSamples: true, progress: false })],
    ["wolff", pottsWolff(ferro, { beta: BETA, sweeps: 12000, burnIn: 200, chains: 4, seed: 3, keepSamples: true, progress: false })],
    ["swendsenWang", pottsSwendsenWang(ferro, { beta: BETA, sweeps: 6000, burnIn: 200, chains: 4, seed: 4, keepSamples: true, progress: false })],
  ];
  for (const [name, r] of runs) {
    within(r, "energyPerSpin", ex.energyPerSpin!, name);
    within(r, "orderParameter", ex.orderParameter, name);
    checkTracked(ferro, r);
    assert.ok(r.stats.energyPerSpin.rHat! < 1.05, `${name}: R̂ ${r.stats.energyPerSpin.rHat}`);
    assert.ok((r.stats.energyPerSpin.tauInt ?? NaN) >= 0.5 && Number.isFinite(r.stats.energyPerSpin.tauInt), `${name}: τ_int ${r.stats.energyPerSpin.tauInt}`);
    assert.ok(r.acceptance > 0 && r.acceptance <= 1, `${name}: acceptance ${r.acceptance}`);
    assert.equal(r.diagnostics.sampler, name === "metropolis" ? "pottsMetropolis" : name === "heatBath" ? "pottsHeatBath" : name === "wolff" ? "pottsWolff" : "pottsSwendsenWang");
  }
  assert.ok((runs[2][1].diagnostics.meanClusterSize as number) > 1);
});

test("local samplers with fields, antiferromagnetic and glass couplings against enumeration", () => {
  const systems: Array<[PottsSystem, number]> = [
    [pottsSquare({ L: 3, cols: 4, q: 3, boundary: "open", J: -1, h: 0.4 }), 1.1],
    [pottsGlass({ L: 3, q: 4, seed: 2 }), 1.3],
  ];
  for (const [sys, beta] of systems) {
    const ex = pottsEnumerate(sys, beta, { probabilities: false });
    const m = pottsMetropolis(sys, { beta, sweeps: 6000, burnIn: 200, chains: 4, seed: 5, keepSamples: true, progress: false });
    const h = pottsHeatBath(sys, { beta, sweeps: 6000, burnIn: 200, chains: 4, seed: 6, keepSamples: true, progress: false });
    for (const [name, r] of [["metropolis", m], ["heatBath", h]] as const) {
      within(r, "energyPerSpin", ex.energyPerSpin!, `${sys.name} ${name}`);
      within(r, "orderParameter", ex.orderParameter, `${sys.name} ${name}`);
      checkTracked(sys, r);
    }
  }
});

test("q = 2 clusters sample the Ising model: Potts E = (E_Ising − 2N)/2 with J_P = 1 at β_P = 2β_I", () => {
  const sys = pottsSquare({ L: 4, q: 2 });
  const ex = pottsEnumerate(sys, 0.8);
  const r = pottsSwendsenWang(sys, { beta: 0.8, sweeps: 4000, chains: 2, burnIn: 100, seed: 9, progress: false });
  within(r, "energyPerSpin", ex.energyPerSpin!, "SW q=2");
  void isingSquare;
});

test("same seed, same chains; initial configurations are used", () => {
  const a = pottsMetropolis(ferro, { beta: 1, sweeps: 50, seed: 11, progress: false });
  const b = pottsMetropolis(ferro, { beta: 1, sweeps: 50, seed: 11, progress: false });
  assert.deepEqual(Array.from(a.final), Array.from(b.final));
  const zero = pottsWolff(ferro, { beta: 50, sweeps: 1, initial: new Array(9).fill(1), seed: 1, progress: false, keepSamples: true });
  // at β = 50 every bond joins: one cluster of all 9 sites, relabelled away from state 1
  assert.equal(new Set(Array.from(zero.final)).size, 1);
  assert.notEqual(zero.final[0], 1);
  const custom = runPottsMove(ferro, pottsMetropolisMove(), { beta: 1, sweeps: 10, seed: 1, progress: false }, "mine");
  assert.equal(custom.diagnostics.sampler, "mine");
});

test("bad input names the argument, before any work", () => {
  const af = pottsSquare({ L: 3, q: 3, J: -1 });
  const table: Array<[() => unknown, RegExp]> = [
    [() => pottsWolff(af, { beta: 1, sweeps: 10 }), /pottsWolff: Wolff cluster updates need ferromagnetic couplings .*J = -1 on edge/],
    [() => pottsSwendsenWang(pottsSquare({ L: 3, q: 3, h: 0.1 }), { beta: 1, sweeps: 10 }), /pottsSwendsenWang: Swendsen–Wang cluster updates need zero fields/],
    [() => pottsMetropolis(ferro, { beta: 0, sweeps: 10 }), /pottsMetropolis: beta must be > 0/],
    [() => pottsMetropolis(ferro, { beta: 1, sweeps: 0 }), /pottsMetropolis: sweeps must be ≥ 1/],
    [() => pottsHeatBath(ferro, { beta: 1, sweeps: 10, chains: 1.5 }), /pottsHeatBath: chains must be an integer/],
    [() => pottsHeatBath(ferro, { beta: 1, sweeps: 10, step: 1 } as never), /pottsHeatBath: unknown option "step"/],
    [() => pottsMetropolis(ferro, { beta: 1, sweeps: 10, initial: new Array(9).fill(3) }), /pottsMetropolis: initial\[0\] = 3 is not a state in 0…2/],
    [() => pottsMetropolis(ferro, { beta: 1, sweeps: 10, initial: [0, 1] }), /pottsMetropolis: initial must have chains × size = 9 entries/],
    [() => pottsMetropolis(isingSquare({ L: 3 }) as never, { beta: 1, sweeps: 10 }), /pottsMetropolis: system must be a PottsSystem/],
    [() => runPottsMove(ferro, {} as never, { beta: 1, sweeps: 10 }), /runPottsMove: move must be a Move/],
  ];
  for (const [f, re] of table) assert.throws(f, re);
});
