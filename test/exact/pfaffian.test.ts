import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { Options, parseArgs } from "../../src/cli/args";
import { exactCommand } from "../../src/cli/exact";
import { Rng } from "../../src/core/random";
import { enumerate, exact, kaufman, pfaffian, transferMatrix, type ExactResult } from "../../src/exact";
import { loadInstance } from "../../src/io";
import { parallelTempering, summarize } from "../../src/samplers";
import { ea2d, isingSquare, spinSystem, type SpinSystem } from "../../src/systems";

const TWOBO = path.resolve(__dirname, "../../data/twobo");
const BETAS = [0.1, 0.44, 1, 3, 5];

/** R×C grid, periodic per direction as given, ±J or Gaussian couplings (site r·C + c; size-2 periodic pairs kept once). */
function grid(R: number, C: number, periodic: [boolean, boolean], kind: "pm" | "gauss", seed: number): SpinSystem {
  const rng = new Rng(seed);
  const i: number[] = [];
  const j: number[] = [];
  const J: number[] = [];
  const seen = new Set<number>();
  const add = (a: number, b: number): void => {
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    if (a === b || seen.has(lo * R * C + hi)) return;
    seen.add(lo * R * C + hi);
    i.push(lo);
    j.push(hi);
    J.push(kind === "pm" ? (rng.uniform() < 0.5 ? -1 : 1) : rng.normal());
  };
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const s = r * C + c;
      if (c + 1 < C) add(s, s + 1);
      else if (periodic[1]) add(s, r * C);
      if (r + 1 < R) add(s, s + C);
      else if (periodic[0]) add(s, c);
    }
  }
  const name = `grid ${R}x${C} ${periodic.map((p) => (p ? "p" : "o")).join("")} ${kind}${seed}`;
  return spinSystem({ n: R * C, edges: { i: Int32Array.from(i), j: Int32Array.from(j), J: Float64Array.from(J) }, geometry: { grid: [R, C], periodic }, name });
}

function check(a: ExactResult, b: ExactResult, what: string, tol = { f: 1e-10, u: 1e-8, c: 1e-5 }): void {
  const dl = Math.abs(a.logZ - b.logZ) / a.n;
  assert.ok(dl < tol.f, `${what}: ln Z/N ${a.logZ / a.n} vs ${b.method} ${b.logZ / b.n} (Δ ${dl.toExponential(1)})`);
  const du = Math.abs((a.energyPerSpin as number) - (b.energyPerSpin as number));
  assert.ok(du < tol.u, `${what}: e ${a.energyPerSpin} vs ${b.energyPerSpin} (Δ ${du.toExponential(1)})`);
  const dc = Math.abs((a.specificHeatPerSpin as number) - (b.specificHeatPerSpin as number));
  assert.ok(dc < tol.c * Math.max(1, b.specificHeatPerSpin as number), `${what}: c ${a.specificHeatPerSpin} vs ${b.specificHeatPerSpin} (Δ ${dc.toExponential(1)})`);
}

test("pfaffian agrees with enumeration on small tori, cylinders and open grids (±J and Gaussian, incl. size-2 periodic directions)", () => {
  const cases: Array<[number, number, [boolean, boolean]]> = [
    [4, 4, [true, true]],
    [3, 5, [true, true]],
    [4, 3, [true, false]],
    [3, 4, [false, true]],
    [2, 4, [true, true]],
    [3, 3, [false, false]],
  ];
  for (const [R, C, per] of cases) {
    for (const kind of ["pm", "gauss"] as const) {
      const s = grid(R, C, per, kind, 10 * R + C);
      for (const beta of BETAS) check(pfaffian(s, beta), enumerate(s, beta), `${s.name} β=${beta}`);
    }
  }
});

test("pfaffian agrees with the transfer matrix to 1e-10 in ln Z/N on periodic grids up to 8×8 (torus and cylinder, ±J and Gaussian)", () => {
  const cases: Array<[number, number, [boolean, boolean], "pm" | "gauss"]> = [
    [6, 6, [true, true], "pm"],
    [6, 6, [true, true], "gauss"],
    [8, 8, [true, true], "pm"],
    [7, 6, [true, true], "gauss"],
    [8, 6, [true, false], "pm"],
    [6, 8, [false, true], "gauss"],
  ];
  for (const [R, C, per, kind] of cases) {
    const s = grid(R, C, per, kind, 100 + R * C);
    for (const beta of BETAS) check(pfaffian(s, beta), transferMatrix(s, beta), `${s.name} β=${beta}`);
  }
  // the lattice constructor's systems (ea2d periodic), through exact()
  const e = ea2d({ L: 6, seed: 3 });
  check(exact(e, 1.3, { method: "pfaffian" }), transferMatrix(e, 1.3), "ea2d L=6");
});

test("pfaffian agrees with Kaufman on ferro- and antiferromagnetic tori", () => {
  for (const [L, J] of [
    [16, 1],
    [12, -1],
    [9, 0.7],
  ] as const) {
    const s = isingSquare({ L, J });
    for (const beta of [0.2, 0.4406868, 1, 3]) check(pfaffian(s, beta), kaufman(s, beta), `ising L=${L} J=${J} β=${beta}`, { f: 1e-12, u: 1e-8, c: 1e-5 });
  }
});

/*
 * What must hold whatever the method, with F = −ln Z/β, U = ⟨E⟩, S = ln Z + βU ≥ 0 (entropy of a discrete system):
 *   d(ln Z)/dβ = −U, d²(ln Z)/dβ² = Var E ≥ 0 (ln Z convex);
 *   df/dβ = d(−ln Z/(βN))/dβ = (ln Z + βU)/(β²N) = S/(β²N) ≥ 0: f is non-decreasing in β (towards E₀/N from below);
 *   e = U/N = d(βf)/dβ, de/dβ = −Var E/N ≤ 0: e is non-increasing (βf concave), and e ≥ E₀/N ≥ the frustration bound;
 *   f = e − S/(βN) ≤ e.
 */
test("pfaffian on the periodic TwoBo L=16 glass: f non-decreasing, e non-increasing and above the ground-state bound, s ≥ 0, e = d(βf)/dβ", () => {
  const s = loadInstance(path.join(TWOBO, "2D_EA_PM_L16_0.npz"));
  assert.equal(exact(s, 1).method, "pfaffian"); // nothing else applies
  // ground-state bound: every frustrated plaquette has an unsatisfied bond, each bond borders two plaquettes
  const L = 16;
  const Jat = new Map<number, number>();
  for (let k = 0; k < s.edges.i.length; k++) Jat.set(s.edges.i[k] * s.n + s.edges.j[k], s.edges.J[k]);
  const bond = (a: number, b: number): number => Jat.get(Math.min(a, b) * s.n + Math.max(a, b)) as number;
  let frustrated = 0;
  let sumAbs = 0;
  for (const J of s.edges.J) sumAbs += Math.abs(J);
  for (let r = 0; r < L; r++) {
    for (let c = 0; c < L; c++) {
      const a = r * L + c;
      const b = r * L + ((c + 1) % L);
      const d = ((r + 1) % L) * L + c;
      const e = ((r + 1) % L) * L + ((c + 1) % L);
      if (bond(a, b) * bond(b, e) * bond(e, d) * bond(d, a) < 0) frustrated++;
    }
  }
  const e0Bound = (-sumAbs + 2 * (frustrated / 2)) / s.n;
  const betas = [1, 2, 3, 4, 5];
  const rs = betas.map((b) => pfaffian(s, b));
  for (let k = 0; k < rs.length; k++) {
    const r = rs[k];
    const e = r.energyPerSpin as number;
    assert.ok(e >= e0Bound, `e(${betas[k]}) = ${e} below the ground-state bound ${e0Bound}`);
    assert.ok((r.entropyPerSpin as number) >= 0 && r.freeEnergyPerSpin <= e, `β=${betas[k]}: s ≥ 0 and f ≤ e`);
    assert.ok((r.specificHeatPerSpin as number) >= 0, `β=${betas[k]}: c ≥ 0`);
    if (k > 0) {
      const q = rs[k - 1];
      assert.ok(r.freeEnergyPerSpin > q.freeEnergyPerSpin, `f must increase with β: f(${betas[k]}) = ${r.freeEnergyPerSpin} ≤ f(${betas[k - 1]}) = ${q.freeEnergyPerSpin}`);
      assert.ok(e < (q.energyPerSpin as number), `e must decrease with β`);
      // mean value theorem: (βf)(β₂) − (βf)(β₁) = ∫ e dβ lies between e(β₂) and e(β₁) times Δβ
      const slope = (betas[k] * r.freeEnergyPerSpin - betas[k - 1] * q.freeEnergyPerSpin) / (betas[k] - betas[k - 1]);
      assert.ok(slope <= (q.energyPerSpin as number) && slope >= e, `d(βf)/dβ between e(β₁) and e(β₂)`);
    }
  }
  // the finite-difference energy against a central difference of βf with a small step
  const b = 3;
  const h = 1e-3;
  const fp = pfaffian(s, b + h, { logZOnly: true });
  const fm = pfaffian(s, b - h, { logZOnly: true });
  const fd = ((b + h) * fp.freeEnergyPerSpin - (b - h) * fm.freeEnergyPerSpin) / (2 * h);
  assert.ok(Math.abs(fd - (rs[2].energyPerSpin as number)) < 1e-6, `e(3) ${rs[2].energyPerSpin} vs Δ(βf)/Δβ ${fd}`);
});

test("pfaffian refuses rather than returning a wrong number when double-double is not enough, naming the largest β", () => {
  const s = loadInstance(path.join(TWOBO, "2D_EA_PM_L16_0.npz"));
  assert.throws(
    () => pfaffian(s, 9, { logZOnly: true }),
    (e: Error) => {
      const m = /largest β that can be done for this system is about ([0-9.]+)/.exec(e.message);
      assert.ok(m !== null, e.message);
      const bmax = Number(m[1]);
      assert.ok(bmax > 5 && bmax < 9, e.message);
      // and at that β it does work
      const r = pfaffian(s, bmax - 0.5, { logZOnly: true });
      assert.ok(r.logZError <= 1e-9);
      return true;
    },
  );
  // float64 forced where it is not precise enough
  assert.throws(() => pfaffian(s, 4, { precision: "double" }), /float64 is not precise enough/);
});

test("pfaffian rejects bad input before any work", () => {
  const bad: Array<[() => unknown, RegExp]> = [
    [() => pfaffian(isingSquare({ L: 4 }), 0), /exact\.pfaffian: beta/],
    [() => pfaffian(isingSquare({ L: 4 }), Infinity), /exact\.pfaffian: beta/],
    [() => pfaffian(isingSquare({ L: 4 }), 1, { precision: "quad" as never }), /exact\.pfaffian: precision/],
    [() => pfaffian(isingSquare({ L: 4 }), 1, { bogus: 1 } as never), /exact\.pfaffian.*bogus/],
    [() => pfaffian(isingSquare({ L: 4, h: 0.1 }), 1), /zero field/],
    [() => pfaffian(grid3d(), 1), /2-D grid/],
    [() => pfaffian(diagonal(), 1), /nearest-neighbour bonds/],
    [() => exact(isingSquare({ L: 6, h: 0.2 }), 1, { method: "pfaffian" }), /method "pfaffian" does not apply/],
  ];
  for (const [f, re] of bad) assert.throws(f, re);
});

function grid3d(): SpinSystem {
  return spinSystem({ n: 8, edges: { i: Int32Array.from([0]), j: Int32Array.from([1]), J: Float64Array.from([1]) }, geometry: { grid: [2, 2, 2], periodic: [true, true, true] }, name: "3d" });
}

function diagonal(): SpinSystem {
  return spinSystem({ n: 9, edges: { i: Int32Array.from([0, 0]), j: Int32Array.from([1, 4]), J: Float64Array.from([1, 1]) }, geometry: { grid: [3, 3], periodic: [true, true] }, name: "diag" });
}

test("pfaffian energy of the TwoBo L=16 glass at β = 3 equals a parallel-tempering Monte Carlo E/N within 4 errors", () => {
  const s = loadInstance(path.join(TWOBO, "2D_EA_PM_L16_0.npz"));
  const beta = 3;
  const R = 12;
  const betas = Array.from({ length: R }, (_, k) => 0.3 * (beta / 0.3) ** (k / (R - 1)));
  const mc = summarize(parallelTempering(s, { betas, sweeps: 3000, burnIn: 600, chains: 2, seed: 5, progress: false })).stats.energyPerSpin;
  const e = pfaffian(s, beta).energyPerSpin as number;
  assert.ok(Math.abs(mc.mean - e) < 4 * mc.error + 1e-12, `MC ${mc.mean} ± ${mc.error} vs Pfaffian ${e}`);
});

test("boltzlab exact --method pfaffian prints the usual JSON, and auto picks it for the periodic TwoBo instances", async () => {
  const run = async (argv: string[]): Promise<Record<string, unknown>> => {
    const parsed = parseArgs(["exact", ...argv]);
    return JSON.parse(JSON.stringify(await exactCommand.run(new Options(parsed, "exact"), parsed.positional.slice(1)))) as Record<string, unknown>;
  };
  const l8 = path.join(TWOBO, "2D_EA_PM_L8_0.npz");
  const r = await run(["--method", "pfaffian", "--instance", l8, "--beta", "1"]);
  assert.equal(r.method, "pfaffian");
  for (const k of ["freeEnergyPerSpin", "energyPerSpin", "entropyPerSpin", "specificHeatPerSpin", "logZ", "seconds"]) assert.ok(Number.isFinite(r[k] as number), k);
  const tm = await run(["--method", "transfer-matrix", "--instance", l8, "--beta", "1"]);
  assert.ok(Math.abs((r.freeEnergyPerSpin as number) - (tm.freeEnergyPerSpin as number)) < 1e-12);
  const auto = await run(["--instance", path.join(TWOBO, "2D_EA_PM_L16_0.npz"), "--beta", "1"]);
  assert.equal(auto.method, "pfaffian");
});

test("pfaffian: the high- and low-temperature expansions (two different matrices) agree on the TwoBo L=16 torus", () => {
  const s = loadInstance(path.join(TWOBO, "2D_EA_PM_L16_0.npz"));
  for (const beta of [0.44, 1.5, 4]) {
    const a = pfaffian(s, beta, { logZOnly: true, expansion: "high-temperature" });
    const b = pfaffian(s, beta, { logZOnly: true, expansion: "low-temperature" });
    assert.ok(Math.abs(a.logZ - b.logZ) / s.n < 1e-13, `β=${beta}: ${a.logZ} vs ${b.logZ}`);
    assert.ok(a.logZError < 1e-9 && b.logZError < 1e-9);
  }
  assert.throws(() => pfaffian(grid(4, 4, [true, false], "pm", 1), 1, { expansion: "low-temperature" }), /needs a torus/);
});
