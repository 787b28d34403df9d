import { test } from "node:test";
import assert from "node:assert/strict";
import { marginalDensity, wellFreeEnergyDifference } from "../../src/exact/quadrature";
import { continuousMetropolis } from "../../src/samplers/continuous";
import { doubleWell, QuarticSystem } from "../../src/systems/continuous/quartic";
import { wham } from "../../src/stats/wham";

// E(x) = x⁴ − 6x² + x at β = 2: a barrier of ≈ 2·9 kT that plain Metropolis does not cross in these runs
const beta = 2;
const system = doubleWell({ dim: 1 });
const kappa = 40;
const centers = Array.from({ length: 17 }, (_, k) => -2.8 + (5.6 * k) / 16);

/** Umbrella windows: βE + κ/2 (x − c)² is again a quartic, (b + κ/(2β)) x² + (c − κc/β) x (+ const), sampled by Metropolis. */
function windows(sweeps: number, seed: number): Float64Array[] {
  return centers.map((c, k) => {
    const biased = new QuarticSystem("biased", [1], [-6 + kappa / (2 * beta)], [1 - (kappa * c) / beta]);
    const r = continuousMetropolis(biased, { beta, sweeps, burnIn: 200, chains: 1, initial: [c], stepSize: 0.25, seed: seed + k, progress: false });
    return r.observables.x0;
  });
}

test("wham: recovers the free-energy profile of a 1-D double well from umbrella windows, against quadrature, within its bootstrap error", () => {
  const values = windows(20000, 1);
  const bins = 56;
  const range: [number, number] = [-2.8, 2.8];
  const r = wham({ values, centers, kappa, bins, range, divide: 0, bootstrap: 60, blocks: 10, seed: 5 });
  assert.ok(r.converged);
  // exact: −ln of the bin probability by quadrature of e^{−βE} (bin-averaged density), shifted to min 0
  const q = marginalDensity(system, { beta, at: Array.from({ length: bins * 20 }, (_, i) => range[0] + ((i + 0.5) * (range[1] - range[0])) / (bins * 20)) });
  const exact = new Float64Array(bins);
  for (let j = 0; j < bins; j++) {
    let s = 0;
    for (let i = 0; i < 20; i++) s += q.density[j * 20 + i];
    exact[j] = -Math.log(s / 20);
  }
  let m = Infinity;
  for (let j = 0; j < bins; j++) m = Math.min(m, exact[j]);
  for (let j = 0; j < bins; j++) exact[j] -= m;
  let worst = 0;
  for (let j = 0; j < bins; j++) {
    if (exact[j] > 12) continue; // far tails: too few samples to compare
    const z = Math.abs(r.freeEnergy[j] - exact[j]) / Math.max(r.error[j], 0.02);
    worst = Math.max(worst, z);
    assert.ok(z < 4.5, `bin ${r.x[j].toFixed(2)}: WHAM ${r.freeEnergy[j].toFixed(3)} ± ${r.error[j].toFixed(3)} vs exact ${exact[j].toFixed(3)}`);
  }
  assert.ok(worst > 0);
  // ΔF(right − left) against quadrature
  const dF = wellFreeEnergyDifference(system, { beta, divide: 0 }).deltaF;
  assert.ok(r.deltaF !== null && Math.abs(r.deltaF.mean - dF) < 4 * r.deltaF.error + 0.02, `ΔF ${r.deltaF!.mean} ± ${r.deltaF!.error} vs ${dF}`);
  assert.ok(r.deltaF!.error > 0 && r.deltaF!.error < 0.3);
  // the barrier: F at 0 about β·(E(0) − E(left minimum)) ≈ 2·(0 − (−10.4)), minus the shift
  const top = r.freeEnergy[Math.floor(bins / 2)];
  assert.ok(top > 15, `barrier ${top}`);
});

test("wham: a single unbiased window is the plain histogram; a general bias function equals the harmonic one", () => {
  const rng = [0.1, 0.2, 0.2, 0.3, 0.3, 0.3, 0.4, 0.4, 0.4, 0.4];
  const r = wham({ values: [rng], bias: () => 0, bins: 4, range: [0.05, 0.45], bootstrap: 0 });
  assert.deepEqual(Array.from(r.probability).map((p) => +p.toFixed(12)), [0.1, 0.2, 0.3, 0.4]);
  assert.ok(Math.abs(r.freeEnergy[0] - Math.log(4)) < 1e-12);
  const values = windows(3000, 11).slice(6, 11);
  const c = centers.slice(6, 11);
  const a = wham({ values, centers: c, kappa, bins: 30, bootstrap: 0 });
  const b = wham({ values, bias: (k, x) => 0.5 * kappa * (x - c[k]) ** 2, bins: 30, bootstrap: 0 });
  for (let j = 0; j < 30; j++) assert.ok(a.freeEnergy[j] === b.freeEnergy[j] || Math.abs(a.freeEnergy[j] - b.freeEnergy[j]) < 1e-9);
});

test("wham: bad inputs are refused naming the argument", () => {
  const v = [new Float64Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])];
  const cases: [() => unknown, RegExp][] = [
    [() => wham({ values: [] }), /wham: values must be a non-empty array/],
    [() => wham({ values: [new Float64Array(0)], centers: [0], kappa: 1 }), /wham: values\[0\] must be a non-empty array/],
    [() => wham({ values: v, centers: [0, 1], kappa: 1 }), /wham: centers must have one entry per window \(1\)/],
    [() => wham({ values: v, centers: [0], kappa: -1 }), /wham: kappa must be > 0/],
    [() => wham({ values: v, centers: [0] }), /wham: kappa must be a number > 0 or one per window/],
    [() => wham({ values: v, centers: [0], kappa: 1, bias: () => 0 }), /wham: give either bias or centers with kappa/],
    [() => wham({ values: v, centers: [0], kappa: 1, bins: 1 }), /wham: bins must be ≥ 2/],
    [() => wham({ values: v, centers: [0], kappa: 1, range: [2, 1] }), /wham: range\[1\] must be > 2/],
    [() => wham({ values: v, centers: [0], kappa: 1, blocks: 20 }), /wham: values\[0\] has 11 samples, fewer than blocks \(20\)/],
    [() => wham({ values: v, centers: [0], kappa: 1, range: [20, 30] }), /wham: window 0 has no samples inside the range/],
    [() => wham({ values: v, centers: [0], kappa: 1, tol: 1 } as never), /wham: unknown option "tol"/],
  ];
  for (const [f, re] of cases) assert.throws(f, re);
});
