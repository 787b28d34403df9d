import assert from "node:assert/strict";
import { test } from "node:test";
import { xyChainExact, xyQuadrature, xyRingHelicity } from "../../src/exact/xy";
import { runXYMove, xyMetropolis, xyMetropolisMove, xyWolff } from "../../src/samplers";
import type { SamplerResult } from "../../src/samplers/types";
import { xyChain, xyHelicityOf, xyMagnetizationOf, xySquare, xySystem, xyVortexDensityOf } from "../../src/systems";
import type { XYSystem } from "../../src/systems/types";

function within(r: SamplerResult, key: string, exact: number, what: string, k = 4): void {
  const s = r.stats[key];
  assert.ok(Number.isFinite(s.error) && s.error > 0, `${what}: ${key} error ${s.error}`);
  assert.ok(Math.abs(s.mean - exact) < k * s.error, `${what}: ${key} ${s.mean} ± ${s.error} vs exact ${exact} (${((s.mean - exact) / s.error).toFixed(2)}σ)`);
}

function checkTracked(sys: XYSystem, r: SamplerResult, beta: number): void {
  const n = sys.n;
  const x = r.samples!;
  const rows = x.length / n;
  for (let t = 0; t < rows; t += Math.max(1, Math.floor(rows / 40))) {
    const th = x.subarray(t * n, (t + 1) * n);
    assert.ok(Math.abs(sys.energyOf(th) / n - r.observables.energyPerSpin[t]) < 1e-9, "tracked energy");
    assert.ok(Math.abs(xyMagnetizationOf(th).abs - r.observables.absMagnetizationPerSpin[t]) < 1e-9, "tracked |m|");
    if (r.observables.helicityModulus !== undefined) assert.ok(Math.abs(xyHelicityOf(sys, th, beta) - r.observables.helicityModulus[t]) < 1e-9, "helicity");
    if (r.observables.vortexDensity !== undefined) assert.ok(Math.abs(xyVortexDensityOf(sys, th) - r.observables.vortexDensity[t]) < 1e-12, "vortices");
  }
}

const opts = (seed: number, sweeps: number) => ({ sweeps, burnIn: 300, chains: 4, seed, keepSamples: true, progress: false });

test("Metropolis and Wolff against the exact open chain and ring (Bessel formulas) within 4σ on E", () => {
  const beta = 1.2;
  for (const sys of [xyChain({ n: 10 }), xyChain({ n: 8, boundary: "periodic" }), xyChain({ n: 6, boundary: "periodic", J: -1 })]) {
    const ex = xyChainExact(sys, beta);
    const m = xyMetropolis(sys, { beta, ...opts(1, 6000) });
    within(m, "energyPerSpin", ex.energyPerSpin!, `${sys.name} metropolis`);
    checkTracked(sys, m, beta);
    const w = xyWolff(sys, { beta, ...opts(2, 12000) });
    within(w, "energyPerSpin", ex.energyPerSpin!, `${sys.name} wolff`);
    checkTracked(sys, w, beta);
    assert.ok(m.stats.energyPerSpin.rHat! < 1.05 && w.stats.energyPerSpin.rHat! < 1.05);
  }
});

test("|m| and ⟨cos θ₀⟩ with a field against quadrature (3-site systems)", () => {
  const beta = 1.5;
  const ring = xyChain({ n: 3, boundary: "periodic" });
  const q = xyQuadrature(ring, beta, { points: 96 });
  for (const [name, r] of [["metropolis", xyMetropolis(ring, { beta, ...opts(3, 8000) })], ["wolff", xyWolff(ring, { beta, ...opts(4, 12000) })]] as const) {
    within(r, "energyPerSpin", q.energyPerSpin!, `ring ${name}`);
    within(r, "absMagnetizationPerSpin", q.absMagnetizationPerSpin!, `ring ${name}`);
  }
  const field = xySystem({ n: 3, edges: [[0, 1, 1], [1, 2, 0.5]], h: 0.6 });
  const qf = xyQuadrature(field, beta, { points: 96, observables: { mx: (t) => (Math.cos(t[0]) + Math.cos(t[1]) + Math.cos(t[2])) / 3 } });
  const r = xyMetropolis(field, { beta, ...opts(5, 8000) });
  within(r, "energyPerSpin", qf.energyPerSpin!, "field metropolis");
  within(r, "magnetizationX", qf.means.mx, "field metropolis");
  within(r, "absMagnetizationPerSpin", qf.absMagnetizationPerSpin!, "field metropolis");
});

test("helicity estimator on a ring (a 1×L periodic grid) against the exact Υ = (N/β) Σ n² I_n^N / Σ I_n^N", () => {
  const L = 6;
  const beta = 1;
  const sys = xySquare({ L: 1, cols: L });
  const ring = xyChain({ n: L, boundary: "periodic" });
  const exact = xyRingHelicity(ring, beta);
  assert.ok(exact > 0.05 && exact < 0.2, `Υ_exact ${exact}`);
  const r = xyWolff(sys, { beta, sweeps: 30000, burnIn: 300, chains: 4, seed: 7, progress: false });
  within(r, "helicityModulus", exact, "Wolff helicity");
  within(r, "energyPerSpin", xyChainExact(ring, beta).energyPerSpin!, "Wolff ring E");
});

test("the Metropolis step adapts during burn-in only, to acceptance ≈ 0.5; vortex density ≈ 1/3 at β → 0", () => {
  const sys = xySquare({ L: 8 });
  const r = xyMetropolis(sys, { beta: 1.1, sweeps: 400, burnIn: 200, chains: 2, seed: 8, keepSamples: true, progress: false });
  assert.ok(Math.abs(r.acceptance - 0.5) < 0.05, `acceptance ${r.acceptance}`);
  assert.ok((r.diagnostics.stepSize as number) !== 1 && (r.diagnostics.stepSize as number) < Math.PI);
  checkTracked(sys, r, 1.1);
  assert.ok("helicityModulus" in r.observables && "vortexDensity" in r.observables);
  // frozen step: the move object adapts only within adaptSteps
  const move = xyMetropolisMove({ step: 0.3, adaptSteps: 0 });
  const f = runXYMove(sys, move, { beta: 1.1, sweeps: 50, seed: 1, progress: false });
  assert.equal(f.diagnostics.stepSize, 0.3);
  const hot = xyWolff(sys, { beta: 1e-4, sweeps: 3000, chains: 2, seed: 9, progress: false });
  within(hot, "vortexDensity", 1 / 3, "β → 0 vortices");
  const noAdapt = xyMetropolis(sys, { beta: 1, sweeps: 20, burnIn: 20, adapt: false, step: 0.5, seed: 2, progress: false });
  assert.equal(noAdapt.diagnostics.stepSize, 0.5);
});

test("bad input names the argument, before any work", () => {
  const sys = xyChain({ n: 4 });
  const table: Array<[() => unknown, RegExp]> = [
    [() => xyWolff(xyChain({ n: 4, h: 0.2 }), { beta: 1, sweeps: 10 }), /xyWolff: Wolff reflection clusters need h = 0/],
    [() => xyMetropolis(sys, { beta: 1, sweeps: 10, step: 4 }), /xyMetropolis: step must be ≤ 3\.14/],
    [() => xyMetropolis(sys, { beta: 1, sweeps: 10, step: 0 }), /xyMetropolis: step must be > 0/],
    [() => xyMetropolis(sys, { beta: 1, sweeps: 10, targetAcceptance: 1 }), /xyMetropolis: targetAcceptance must be ≤ 0\.99/],
    [() => xyMetropolis(sys, { beta: 1, sweeps: 10, adapt: "yes" as never }), /xyMetropolis: adapt must be true or false/],
    [() => xyMetropolis(sys, { beta: -1, sweeps: 10 }), /xyMetropolis: beta must be > 0/],
    [() => xyMetropolis(sys, { beta: 1, sweeps: 10, burnIn: -1 }), /xyMetropolis: burnIn must be ≥ 0/],
    [() => xyWolff(sys, { beta: 1, sweeps: 10, step: 1 } as never), /xyWolff: unknown option "step"/],
    [() => xyWolff(sys, { beta: 1, sweeps: 10, initial: [0, 1, NaN, 2] }), /xyWolff: initial\[2\] = NaN is not a finite angle/],
    [() => xyWolff({ kind: "potts" } as never, { beta: 1, sweeps: 10 }), /xyWolff: system must be an XYSystem/],
    [() => xyMetropolisMove({ adaptSteps: -2 }), /xyMetropolisMove: adaptSteps must be ≥ 0/],
  ];
  for (const [f, re] of table) assert.throws(f, re);
});
