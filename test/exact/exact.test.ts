import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { Rng } from "../../src/core/random";
import { enumerate, exact, kacWard, kaufman, kaufmanLattice, onsager, onsagerLogZPerSpin, ONSAGER_BETA_C, transferMatrix, type ExactResult } from "../../src/exact";
import { loadInstance } from "../../src/io";
import { curieWeiss, ea2d, isingSquare, rrg, sk, spinSystem, stateFromIndex, triangularAF, type SpinSystem } from "../../src/systems";

const TWOBO = path.resolve(__dirname, "../../data/twobo");

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

/** f to 1e-10 relative (the "Done when" target), energy and specific heat to looser stated tolerances. */
function agree(a: ExactResult, b: ExactResult, what: string, tol = { f: 1e-10, u: 1e-9, c: 1e-7 }): void {
  assert.equal(a.n, b.n);
  assert.ok(rel(a.freeEnergyPerSpin, b.freeEnergyPerSpin) < tol.f, `${what}: f ${a.method} ${a.freeEnergyPerSpin} vs ${b.method} ${b.freeEnergyPerSpin}`);
  assert.ok(rel(a.logZ, b.logZ) < tol.f, `${what}: ln Z`);
  if (a.energyPerSpin !== null && b.energyPerSpin !== null) {
    assert.ok(Math.abs(a.energyPerSpin - b.energyPerSpin) < tol.u * Math.max(1, Math.abs(b.energyPerSpin)), `${what}: u ${a.energyPerSpin} vs ${b.energyPerSpin}`);
    assert.ok(Math.abs((a.entropyPerSpin as number) - (b.entropyPerSpin as number)) < tol.u * 10, `${what}: s`);
  }
  if (a.specificHeatPerSpin !== null && b.specificHeatPerSpin !== null) {
    assert.ok(Math.abs(a.specificHeatPerSpin - b.specificHeatPerSpin) < tol.c * Math.max(1, b.specificHeatPerSpin), `${what}: c ${a.specificHeatPerSpin} vs ${b.specificHeatPerSpin}`);
  }
}

/** Brute force over all states with fresh energies: an independent reference for the Gray-code enumeration. */
function brute(s: SpinSystem, beta: number) {
  const N = 2 ** s.n;
  const E = new Float64Array(N);
  let emin = Infinity;
  for (let x = 0; x < N; x++) {
    E[x] = s.energyOf(stateFromIndex(x, s.n, new Float64Array(s.n)));
    emin = Math.min(emin, E[x]);
  }
  let z = 0;
  let e1 = 0;
  let e2 = 0;
  let am = 0;
  for (let x = 0; x < N; x++) {
    const w = Math.exp(-beta * (E[x] - emin));
    const st = stateFromIndex(x, s.n);
    z += w;
    e1 += w * E[x];
    e2 += w * E[x] * E[x];
    let mm = 0;
    for (let k = 0; k < s.n; k++) mm += st[k];
    am += (w * Math.abs(mm)) / s.n;
  }
  const logZ = Math.log(z) - beta * emin;
  return { logZ, u: e1 / z / s.n, c: (beta * beta * (e2 / z - (e1 / z) ** 2)) / s.n, absM: am / z, E };
}

test("Gray-code enumeration matches a brute-force sum, with per-state probabilities in the documented index order", () => {
  const rng = new Rng(1);
  const withField = spinSystem({ n: 10, edges: ea2d({ L: 3, seed: 2, couplings: "gauss", boundary: "open" }).edgeList().concat([[3, 9, 0.7]]), fields: Array.from({ length: 10 }, () => rng.normal() * 0.5) });
  for (const s of [withField, sk({ n: 11, seed: 3 })]) {
    for (const beta of [0.3, 2.5]) {
      const r = enumerate(s, beta, { probabilities: true });
      const b = brute(s, beta);
      assert.ok(rel(r.logZ, b.logZ) < 1e-12);
      assert.ok(Math.abs((r.energyPerSpin as number) - b.u) < 1e-11);
      assert.ok(Math.abs((r.specificHeatPerSpin as number) - b.c) < 1e-10);
      assert.ok(Math.abs((r.absMagnetizationPerSpin as number) - b.absM) < 1e-12);
      const p = r.probabilities as Float64Array;
      let sum = 0;
      for (let x = 0; x < p.length; x++) {
        sum += p[x];
        assert.ok(Math.abs(p[x] - Math.exp(-beta * b.E[x] - b.logZ)) < 1e-12 * Math.max(1, p[x] * 1e3));
        assert.ok(Math.abs((r.energies as Float64Array)[x] - b.E[x]) < 1e-12);
      }
      assert.ok(Math.abs(sum - 1) < 1e-12);
    }
  }
  // spin 0 alone in a field h > 0 prefers +1: its index bit 0 set ↔ s_0 = +1
  const one = spinSystem({ n: 1, edges: [], fields: [1] });
  const p1 = enumerate(one, 1, { probabilities: true }).probabilities as Float64Array;
  assert.ok(Math.abs(p1[1] - Math.exp(1) / (2 * Math.cosh(1))) < 1e-15);
});

test("transfer matrix = enumeration on open, periodic and mixed grids with fields, and on the TwoBo L=4 instances", () => {
  const rng = new Rng(5);
  const cases: SpinSystem[] = [
    isingSquare({ L: 4, h: 0.3 }),
    isingSquare({ L: 3, cols: 5, boundary: "open", J: -0.7, h: -0.2 }),
    triangularAF({ L: 3 }),
    loadInstance(path.join(TWOBO, "2D_EA_PM_L4_0.npz")),
    loadInstance(path.join(TWOBO, "2D_EA_PM_L4_1.npz")),
    loadInstance(path.join(TWOBO, "3D_EA_PM_L2_0.npz")),
  ];
  // a 4×4 grid periodic in rows only, Gaussian couplings and random fields
  const g = ea2d({ L: 4, seed: 6, couplings: "gauss", boundary: "open" });
  const wrap = [[0, 3], [4, 7], [8, 11], [12, 15]].map(([a, b]) => [a, b, rng.normal()] as [number, number, number]);
  cases.push(spinSystem({ n: 16, edges: g.edgeList().concat(wrap), fields: Array.from({ length: 16 }, () => rng.normal()), geometry: { grid: [4, 4], periodic: [false, true] } }));
  const open = ea2d({ L: 4, seed: 7, couplings: "gauss", boundary: "open" });
  cases.push(spinSystem({ n: 16, edges: open.edgeList(), fields: Array.from({ length: 16 }, () => 0.5 * rng.normal()), geometry: open.geometry }));
  for (const s of cases) {
    for (const beta of [0.35, 1.3]) agree(transferMatrix(s, beta), enumerate(s, beta), `${s.name} β=${beta}`);
  }
});

test("Kac–Ward = enumeration on small open grids (±J, Gaussian, triangular) and = transfer matrix at widths 5–12", () => {
  const small = [ea2d({ L: 4, boundary: "open", seed: 8 }), ea2d({ L: 4, boundary: "open", seed: 9, couplings: "gauss" }), isingSquare({ L: 3, cols: 6, boundary: "open", J: -1 }), triangularAF({ L: 4, boundary: "open" })];
  for (const s of small) for (const beta of [0.4, 1.5]) agree(kacWard(s, beta), enumerate(s, beta), `${s.name} β=${beta}`);
  const rng = new Rng(10);
  for (const [R, C] of [[5, 5], [8, 6], [12, 9], [32, 12]]) {
    const base = isingSquare({ L: R, cols: C, boundary: "open" });
    const s = spinSystem({ n: R * C, edges: { i: base.edges.i, j: base.edges.j, J: base.edges.J.map(() => rng.normal()) }, geometry: base.geometry });
    const beta = 0.5 + rng.uniform();
    agree(kacWard(s, beta), transferMatrix(s, beta), `${R}x${C} gauss β=${beta}`);
  }
  // exact() picks one of them for a 10×10 open ±J grid; the other agrees
  const e = ea2d({ L: 10, boundary: "open", seed: 11 });
  const auto = exact(e, 1.1);
  assert.ok(auto.method === "kac-ward" || auto.method === "transfer-matrix");
  agree(exact(e, 1.1, { method: auto.method === "kac-ward" ? "transfer-matrix" : "kac-ward" }), auto, "ea 10x10 open");
});

test("Kaufman = enumeration at 4×4 (ferro and antiferro) and = transfer matrix on a 6×5 torus", () => {
  for (const J of [1, -1, 0.6]) {
    const s = isingSquare({ L: 4, J });
    for (const beta of [0.2, ONSAGER_BETA_C, 0.9]) agree(kaufman(s, beta), enumerate(s, beta), `4x4 J=${J} β=${beta}`, { f: 1e-10, u: 1e-9, c: 1e-6 });
  }
  const t = isingSquare({ L: 6, cols: 5 });
  agree(kaufman(t, 0.45), transferMatrix(t, 0.45), "6x5 torus", { f: 1e-10, u: 1e-9, c: 1e-6 });
});

test("Kaufman converges to Onsager as L grows", () => {
  for (const beta of [0.3, 0.6]) {
    const fInf = onsager({ beta }).freeEnergyPerSpin;
    let prev = Infinity;
    for (const L of [8, 16, 32, 64, 128]) {
      const r = kaufmanLattice({ L, beta });
      // below T_c the torus has two ground-state sectors: ln Z_L ≈ N f_∞ (−β) + ln 2
      const corr = beta > ONSAGER_BETA_C ? -Math.LN2 / (beta * L * L) : 0;
      const err = Math.abs(r.freeEnergyPerSpin - corr - fInf);
      assert.ok(err < prev || err < 1e-13, `L=${L}: ${err} vs ${prev}`);
      prev = err;
    }
    assert.ok(prev < 1e-12, `β=${beta}: L=128 error ${prev}`);
  }
});

test("Onsager: energy formula = −d(ln Z/N)/dβ, the critical energy −√2, |m| below T_c", () => {
  for (const beta of [0.25, 0.4, 0.5, 0.8]) {
    const h = 1e-4;
    const d = (onsagerLogZPerSpin(beta + h) - onsagerLogZPerSpin(beta - h)) / (2 * h);
    assert.ok(Math.abs(onsager({ beta }).energyPerSpin as number + d) < 1e-7, `β=${beta}`);
  }
  const crit = onsager({ beta: ONSAGER_BETA_C });
  assert.ok(Math.abs((crit.energyPerSpin as number) + Math.SQRT2) < 1e-9, `u_c = ${crit.energyPerSpin}`);
  assert.ok(Math.abs((onsager({ beta: ONSAGER_BETA_C * (1 + 1e-9) }).energyPerSpin as number) + Math.SQRT2) < 1e-6);
  assert.equal(crit.specificHeatPerSpin, Infinity);
  assert.equal(onsager({ beta: 0.3 }).absMagnetizationPerSpin, 0);
  assert.ok(Math.abs((onsager({ beta: 1 }).absMagnetizationPerSpin as number) - Math.pow(1 - Math.pow(Math.sinh(2), -4), 1 / 8)) < 1e-15);
  // −βf → ln 2 at β → 0 and f → −2 at β → ∞
  assert.ok(Math.abs(onsagerLogZPerSpin(1e-6) - Math.LN2) < 1e-10);
  assert.ok(Math.abs(onsager({ beta: 20 }).freeEnergyPerSpin + 2) < 1e-12);
  assert.throws(() => onsager({ beta: 1, J: -1 }), /J must be > 0/);
});

test("exact() names its method and each method refuses clearly where it does not apply", () => {
  assert.equal(exact(isingSquare({ L: 16 }), 0.4).method, "kaufman");
  assert.equal(exact(isingSquare({ L: 4 }), 0.4).method, "enumerate");
  assert.equal(exact(isingSquare({ L: 6, h: 0.1 }), 0.4).method, "transfer-matrix");
  assert.equal(exact(sk({ n: 22, seed: 1 }), 1).method, "enumerate");
  const per = isingSquare({ L: 6, h: 0.1 });
  assert.throws(() => exact(per, 1, { method: "kac-ward" }), /method "kac-ward" does not apply .*zero field/);
  assert.throws(() => exact(isingSquare({ L: 6 }), 1, { method: "kac-ward" }), /planar|periodic/);
  assert.throws(() => exact(per, 1, { method: "kaufman" }), /zero field/);
  assert.throws(() => exact(ea2d({ L: 6, seed: 1 }), 1, { method: "kaufman" }), /uniform coupling/);
  assert.throws(() => exact(isingSquare({ L: 5, J: -1 }), 1, { method: "kaufman" }), /even sizes/);
  assert.throws(() => exact(isingSquare({ L: 6, boundary: "open" }), 1, { method: "kaufman" }), /periodic/);
  assert.throws(() => exact(rrg({ n: 256, d: 3, seed: 1 }), 1), /no exact method applies/);
  assert.throws(() => exact(rrg({ n: 256, d: 3, seed: 1 }), 1, { method: "transfer-matrix" }), /small band/);
  assert.throws(() => exact(isingSquare({ L: 7 }), 1, { method: "enumerate" }), /n ≤ 34/);
  assert.throws(() => exact(isingSquare({ L: 4 }), 1, { method: "magic" as never }), /unknown method "magic"/);
  assert.throws(() => exact(isingSquare({ L: 4 }), -1), /beta must be > 0/);
  assert.throws(() => exact(isingSquare({ L: 4 }), 1, { method: "kaufman", probabilities: true }), /only available with method "enumerate"/);
});

test("enumerate at n = 22 agrees with the Curie–Weiss binomial sum to 1e-12 (blocked float64 sums over 2^21 states)", () => {
  const n = 22;
  const beta = 0.7;
  const system = curieWeiss({ n, J: 1 });
  // E = −(J/n) Σ_{i<j} s_i s_j = −(M² − n)/(2n), M = n − 2k, multiplicity C(n, k)
  const logC = (k: number): number => {
    let v = 0;
    for (let a = 1; a <= k; a++) v += Math.log((n - k + a) / a);
    return v;
  };
  const terms: number[] = [];
  const energies: number[] = [];
  for (let k = 0; k <= n; k++) {
    const M = n - 2 * k;
    const E = -(M * M - n) / (2 * n);
    energies.push(E);
    terms.push(logC(k) - beta * E);
  }
  const top = Math.max(...terms);
  const z = terms.reduce((acc, t) => acc + Math.exp(t - top), 0);
  const logZ = top + Math.log(z);
  const meanE = terms.reduce((acc, t, k) => acc + Math.exp(t - top) * energies[k], 0) / z;
  const r = enumerate(system, beta, { probabilities: false });
  assert.ok(Math.abs(r.logZ - logZ) < 1e-12 * Math.abs(logZ), `ln Z ${r.logZ} vs ${logZ}`);
  assert.ok(Math.abs((r.energyPerSpin as number) - meanE / n) < 1e-12, `E/N ${r.energyPerSpin} vs ${meanE / n}`);
});
