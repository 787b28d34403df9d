import assert from "node:assert/strict";
import { test } from "node:test";
import { besselI, logBesselI, xyChainExact, xyExact, xyQuadrature } from "../../src/exact/xy";
import { xyChain, xyOnGraph, xySquare, xySystem } from "../../src/systems";

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${what}: ${a} vs ${b} (diff ${a - b})`);

// ln I_n(x) from the power series in 60-digit decimal arithmetic (Python's decimal module), independent of the code under test
const KNOWN: Array<[number, number, number]> = [
  [0, 1, 0.235914358507178648689],
  [1, 1, -0.570647987490831281423],
  [0, 10, 7.94297208311869555449],
  [5, 2, -4.62275598131354985626],
  [0, 50, 47.1275755018718045842],
  [1, 50, 47.1174736165871265235],
  [3, 0.01, -17.6867053188760712777],
  [0, 700, 695.805699998443449077],
  [2, 800, 795.736410387431830848],
  [10, 1000, 995.577284280649976866],
  [0, 3000, 2995.07791935658372752],
  [40, 30, 3.18037187658220721108],
];

test("logBesselI against 60-digit values (series and asymptotic branches) and the recurrence I_{n−1} − I_{n+1} = (2n/x) I_n", () => {
  for (const [n, x, ref] of KNOWN) {
    const v = logBesselI(n, x);
    assert.ok(Math.abs(v - ref) <= 1e-14 * Math.max(1, Math.abs(ref)), `ln I_${n}(${x}) = ${v}, expected ${ref} (diff ${v - ref})`);
  }
  assert.equal(logBesselI(-3, 2), logBesselI(3, 2));
  assert.equal(logBesselI(0, 0), 0);
  assert.equal(logBesselI(2, 0), -Infinity);
  assert.ok(Math.abs(besselI(1, -1) + Math.exp(KNOWN[1][2])) < 1e-15);
  for (const x of [0.3, 4, 25, 120, 690, 705, 2000]) {
    for (const n of [1, 2, 5]) {
      const a = logBesselI(n - 1, x), b = logBesselI(n + 1, x), c = logBesselI(n, x);
      // (I_{n−1} − I_{n+1}) / I_n = 2n/x, in scaled form
      const lhs = Math.exp(a - c) - Math.exp(b - c);
      close(lhs, (2 * n) / x, 1e-11, `recurrence n = ${n}, x = ${x}`);
    }
  }
});

test("open chain: ln Z = N ln 2π + (N − 1) ln I₀(βJ), e = −(N−1)/N · J I₁/I₀ (to 1e−13), any sign of J", () => {
  const lnI0 = KNOWN[0][2];
  const lnI1 = KNOWN[1][2];
  for (const J of [1, -1]) {
    const r = xyChainExact(xyChain({ n: 5, J }), 1);
    close(r.logZ, 5 * Math.log(2 * Math.PI) + 4 * lnI0, 1e-14, "ln Z");
    close(r.energyPerSpin!, -(4 / 5) * Math.exp(lnI1 - lnI0), 1e-14, "e");
    assert.equal(r.method, "xy-chain");
  }
  // energy and specific heat are the derivatives of ln Z (central differences, h = 1e-4)
  const sys = xyChain({ n: 7, J: 1.3 });
  const beta = 0.8, h = 1e-4;
  const l = (b: number) => xyChainExact(sys, b).logZ;
  const r = xyChainExact(sys, beta);
  close(r.energyPerSpin!, -(l(beta + h) - l(beta - h)) / (2 * h) / 7, 1e-8, "e = −∂ ln Z");
  close(r.specificHeatPerSpin!, (beta * beta * (l(beta + h) - 2 * l(beta) + l(beta - h))) / (h * h) / 7, 1e-5, "c = β²∂² ln Z");
});

test("chains and rings against quadrature on a grid (n = 3, 4) to 1e−10, including frustrated odd rings", () => {
  const cases = [
    xyChain({ n: 3, J: 1.1 }),
    xyChain({ n: 3, boundary: "periodic", J: 0.9 }),
    xyChain({ n: 3, boundary: "periodic", J: -1 }),
    xyChain({ n: 4, boundary: "periodic", J: 1.5 }),
    xySystem({ n: 3, edges: [[0, 1, 0.5], [1, 2, -1.2], [0, 2, 2]] }),
    xySystem({ n: 4, edges: [[0, 1, 0.5], [1, 2, 1], [2, 3, -0.7]] }),
  ];
  for (const sys of cases) {
    for (const beta of [0.5, 1.7]) {
      const r = xyChainExact(sys, beta);
      const q = xyQuadrature(sys, beta, { points: sys.n === 4 ? 48 : 96 });
      close(r.logZ, q.logZ, 1e-10, `${sys.name} β=${beta} ln Z`);
      close(r.energyPerSpin!, q.energyPerSpin!, 1e-10, `${sys.name} β=${beta} e`);
      close(r.specificHeatPerSpin!, q.specificHeatPerSpin!, 1e-9, `${sys.name} β=${beta} c`);
    }
  }
});

test("ring sums for long rings and large βJ; the ring tends to the open chain per bond", () => {
  const N = 64;
  const ring = xyChainExact(xyChain({ n: N, boundary: "periodic" }), 3);
  const open = xyChainExact(xyChain({ n: N + 1 }), 3);
  // ln Z_ring(N) − N ln 2π − N ln I₀ = ln Σ_n ρ_n^N > 0 and small
  const lnSum = ring.logZ - N * Math.log(2 * Math.PI) - N * logBesselI(0, 3);
  assert.ok(lnSum > 0 && lnSum < 1e-3, `ln Σ ρ_n^N = ${lnSum}`);
  close(open.logZ - Math.log(2 * Math.PI), N * Math.log(2 * Math.PI) + N * logBesselI(0, 3), 1e-14, "open chain of N+1");
  // K = 40, N = 5: many characters contribute; check against quadrature's fine grid
  const sys = xyChain({ n: 3, boundary: "periodic", J: 20 });
  close(xyChainExact(sys, 2).logZ, xyQuadrature(sys, 2, { points: 400 }).logZ, 1e-10, "K = 40 ring");
});

test("quadrature: converged in the grid, ⟨|m|⟩ and custom observables, fields", () => {
  const sys = xySystem({ n: 2, edges: [[0, 1, 1]], h: 0.5 });
  const a = xyQuadrature(sys, 1.2, { points: 64, observables: { cos0: (t) => Math.cos(t[0]) } });
  const b = xyQuadrature(sys, 1.2, { points: 128, observables: { cos0: (t) => Math.cos(t[0]) } });
  close(a.logZ, b.logZ, 1e-13, "grid convergence");
  close(a.means.cos0, b.means.cos0, 1e-13, "⟨cos θ₀⟩");
  assert.ok(a.absMagnetizationPerSpin! > 0 && a.absMagnetizationPerSpin! < 1);
  // one free rotor in a field: Z = 2π I₀(βh), ⟨cos θ⟩ = I₁/I₀
  const one = xyQuadrature(xySystem({ n: 1, edges: [], h: 0.7 }), 2, { observables: { c: (t) => Math.cos(t[0]) } });
  close(one.logZ, Math.log(2 * Math.PI) + logBesselI(0, 1.4), 1e-14, "single rotor ln Z");
  close(one.means.c, Math.exp(logBesselI(1, 1.4) - logBesselI(0, 1.4)), 1e-13, "single rotor ⟨cos θ⟩");
  assert.equal(xyExact(xyChain({ n: 10 }), 1).method, "xy-chain");
  assert.equal(xyExact(xySystem({ n: 3, edges: [[0, 1, 1], [1, 2, 1], [0, 2, 1]], h: 0.1 }), 1).method, "xy-quadrature");
});

test("bad input names the argument and the reason", () => {
  const table: Array<[() => unknown, RegExp]> = [
    [() => logBesselI(0.5, 1), /logBesselI: n must be an integer/],
    [() => logBesselI(0, -1), /logBesselI: x must be ≥ 0/],
    [() => xyChainExact(xySquare({ L: 3 }), 1), /exact\.xyChainExact: the chain formulas need a path or a ring/],
    [() => xyChainExact(xyChain({ n: 4, h: 0.1 }), 1), /need h = 0/],
    [() => xyChainExact(xyOnGraph({ n: 4, edges: [[0, 1, 1], [2, 3, 1]] }), 1), /bonds on 4 sites|not connected/],
    [() => xyChainExact(xyChain({ n: 4 }), -1), /beta must be > 0/],
    [() => xyQuadrature(xySquare({ L: 3 }), 1), /exact\.xyQuadrature: quadrature is for tiny systems/],
    [() => xyQuadrature(xyChain({ n: 3 }), 1, { points: 2 }), /points must be ≥ 4/],
    [() => xyQuadrature(xyChain({ n: 3 }), 1, { observables: { a: 3 as never } }), /observables\.a must be a function/],
    [() => xyExact(xySquare({ L: 3 }), 1), /exact\.xyExact: no exact method applies/],
    [() => xyExact(xyChain({ n: 3 }), 1, { method: "mc" as never }), /unknown method "mc"/],
  ];
  for (const [f, re] of table) assert.throws(f, re);
});
