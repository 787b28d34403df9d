import assert from "node:assert/strict";
import { test } from "node:test";
import { enumerate } from "../../src/exact/enumerate";
import { kaufman } from "../../src/exact/kaufman";
import { onsager, ONSAGER_BETA_C } from "../../src/exact/onsager";
import {
  pottsCriticalBeta,
  pottsCriticalEnergy,
  pottsEnumerate,
  pottsExact,
  pottsLatentHeat,
  pottsTransferMatrix,
  pottsTransferRefusal,
} from "../../src/exact/potts";
import { ea2d, isingSquare, pottsGlass, pottsOnGraph, pottsOrderParameterOf, pottsSquare, pottsStateFromIndex, pottsSystem, rrg, type PottsSystem } from "../../src/systems";

/** Direct sums over all q^N states (reference, no tricks). */
function brute(sys: PottsSystem, beta: number) {
  const N = sys.q ** sys.n;
  const E = new Float64Array(N);
  let Emin = Infinity;
  for (let x = 0; x < N; x++) {
    E[x] = sys.energyOf(pottsStateFromIndex(x, sys.n, sys.q, new Float64Array(sys.n)));
    Emin = Math.min(Emin, E[x]);
  }
  let z = 0, e1 = 0, e2 = 0, m = 0;
  for (let x = 0; x < N; x++) {
    const w = Math.exp(-beta * (E[x] - Emin));
    z += w;
    e1 += w * E[x];
    e2 += w * E[x] * E[x];
    m += w * pottsOrderParameterOf(pottsStateFromIndex(x, sys.n, sys.q, new Float64Array(sys.n)), sys.q);
  }
  const u = e1 / z;
  return { logZ: Math.log(z) - beta * Emin, e: u / sys.n, c: (beta * beta * (e2 / z - u * u)) / sys.n, m: m / z };
}

function gridEdges(R: number, C: number, perR: boolean, perC: boolean, J: (k: number) => number): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  let k = 0;
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const s = r * C + c;
      if (c + 1 < C) out.push([s, s + 1, J(k++)]);
      else if (perC && C > 2) out.push([r * C, s, J(k++)]);
      if (r + 1 < R) out.push([s, s + C, J(k++)]);
      else if (perR && R > 2) out.push([c, s, J(k++)]);
    }
  }
  return out;
}

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${what}: ${a} vs ${b} (diff ${a - b})`);

test("enumeration equals direct sums (with and without the relabelling symmetry), including the order parameter", () => {
  const cases: Array<[PottsSystem, number]> = [
    [pottsSquare({ L: 3, q: 3 }), 0.8],
    [pottsSquare({ L: 3, cols: 2, q: 4, boundary: "open", J: -1, h: 0.4 }), 1.3],
    [pottsGlass({ L: 3, q: 3, seed: 5 }), 2],
    [pottsSystem({ n: 6, q: 3, edges: [[0, 1, 1], [1, 2, 0.5], [2, 3, -0.7], [3, 4, 1], [4, 5, 1], [0, 5, 0.3]], fields: [0, 0.2, 0, 0, -0.3, 0] }), 1],
  ];
  for (const [sys, beta] of cases) {
    const r = pottsEnumerate(sys, beta, { probabilities: false });
    const b = brute(sys, beta);
    close(r.logZ, b.logZ, 1e-12, `${sys.name} ln Z`);
    close(r.energyPerSpin!, b.e, 1e-12, `${sys.name} e`);
    close(r.specificHeatPerSpin!, b.c, 1e-10, `${sys.name} c`);
    close(r.orderParameter, b.m, 1e-12, `${sys.name} m`);
    close(r.entropyPerSpin!, beta * b.e + b.logZ / sys.n, 1e-12, `${sys.name} s`);
    const p = pottsEnumerate(sys, beta, { probabilities: true });
    let sum = 0;
    for (const x of p.probabilities!) sum += x;
    close(sum, 1, 1e-12, "Σp");
    close(p.logZ, r.logZ, 1e-12, "ln Z with probabilities");
    close(p.energies![5], sys.energyOf(pottsStateFromIndex(5, sys.n, sys.q)), 1e-13, "energies[5]");
  }
});

test("q = 2 Potts with J_P = 2 J_I is Ising: ln Z_P = ln Z_I + β(Σ J_I + Σ h_I), e and |m| likewise (enumeration and transfer matrix)", () => {
  const beta = 0.37;
  for (const ising of [isingSquare({ L: 4, h: 0.2 }), ea2d({ L: 4, seed: 3, couplings: "gauss", boundary: "open" }), rrg({ n: 14, d: 3, seed: 2 })]) {
    const hI = ising.fields;
    const potts = pottsOnGraph({ system: ising, q: 2, scale: 2, fields: hI === null ? null : Float64Array.from(hI, (v) => 2 * v) });
    let c = 0;
    for (const J of ising.edges.J) c += J;
    if (hI !== null) for (const h of hI) c += h;
    const I = enumerate(ising, beta);
    const P = pottsEnumerate(potts, beta);
    close(P.logZ, I.logZ + beta * c, 1e-12, `${ising.name} ln Z`);
    close(P.energyPerSpin!, I.energyPerSpin! - c / ising.n, 1e-12, `${ising.name} e`);
    close(P.specificHeatPerSpin!, I.specificHeatPerSpin!, 1e-10, `${ising.name} c`);
    close(P.orderParameter, I.absMagnetizationPerSpin!, 1e-12, `${ising.name} |m|`);
    if (ising.geometry !== null) {
      const T = pottsTransferMatrix(potts, beta);
      close(T.logZ, I.logZ + beta * c, 1e-12, `${ising.name} transfer ln Z`);
    }
  }
  // a strip too large to enumerate: 8×8 periodic against Kaufman
  const L = 8;
  for (const b of [0.3, ONSAGER_BETA_C, 0.6]) {
    const T = pottsTransferMatrix(pottsSquare({ L, q: 2, J: 2 }), b);
    const K = kaufman(isingSquare({ L }), b);
    close(T.logZ, K.logZ + b * 2 * L * L, 1e-12, `8×8 ln Z at β = ${b}`);
    close(T.energyPerSpin!, K.energyPerSpin! - 2, 1e-9, `8×8 e at β = ${b}`);
  }
});

test("the transfer matrix equals enumeration on open, periodic and mixed strips, with fields, antiferro and glass couplings", () => {
  const cases: Array<[PottsSystem, number]> = [
    [pottsSquare({ L: 4, q: 3 }), 1.0],
    [pottsSquare({ L: 3, cols: 5, q: 3, boundary: "open", J: -1, h: 0.5 }), 0.9],
    [pottsSquare({ L: 5, cols: 3, q: 3, boundary: "open" }), 1.2],
    [pottsGlass({ L: 4, q: 3, seed: 2 }), 1.5],
    [pottsSystem({ n: 12, q: 3, edges: gridEdges(4, 3, true, false, (k) => 0.5 + 0.1 * (k % 5)), geometry: { grid: [4, 3], periodic: [true, false] } }), 1.1],
    [pottsSystem({ n: 12, q: 3, edges: gridEdges(3, 4, false, true, (k) => (k % 3 === 0 ? -0.8 : 1)), fields: Array.from({ length: 12 }, (_, k) => 0.1 * (k % 4)), geometry: { grid: [3, 4], periodic: [false, true] } }), 0.7],
    [pottsSquare({ L: 2, cols: 4, q: 4 }), 0.8],
    [pottsSquare({ L: 3, q: 5, h: -0.3 }), 0.6],
  ];
  for (const [sys, beta] of cases) {
    const T = pottsTransferMatrix(sys, beta);
    const E = pottsEnumerate(sys, beta, { probabilities: false });
    close(T.logZ, E.logZ, 1e-12, `${sys.name} ln Z`);
    close(T.energyPerSpin!, E.energyPerSpin!, 1e-11, `${sys.name} e`);
    close(T.specificHeatPerSpin!, E.specificHeatPerSpin!, 1e-10, `${sys.name} c`);
    close(T.entropyPerSpin!, E.entropyPerSpin!, 1e-11, `${sys.name} s`);
  }
  // low temperature: the ferromagnet's q ground states, ln Z → ln q + β·2N
  const sys = pottsSquare({ L: 4, q: 3 });
  for (const beta of [5, 20]) {
    const T = pottsTransferMatrix(sys, beta);
    const E = pottsEnumerate(sys, beta);
    close(T.logZ, E.logZ, 1e-13, `β = ${beta} ln Z`);
    close(T.energyPerSpin!, E.energyPerSpin!, 1e-12, `β = ${beta} e`);
    assert.ok(Math.abs(T.specificHeatPerSpin! - E.specificHeatPerSpin!) < 1e-9, `β = ${beta} c ${T.specificHeatPerSpin} vs ${E.specificHeatPerSpin}`);
  }
  close(pottsTransferMatrix(sys, 20).logZ, Math.log(3) + 20 * 32, 1e-12, "β = 20 ground states");
});

test("pottsExact chooses enumeration for small systems, the transfer matrix for strips", () => {
  assert.equal(pottsExact(pottsSquare({ L: 3, q: 3 }), 1).method, "enumerate");
  const big = pottsSquare({ L: 16, cols: 6, q: 3 });
  const t0 = performance.now();
  const r = pottsExact(big, pottsCriticalBeta(3));
  assert.equal(r.method, "transfer-matrix");
  assert.ok(performance.now() - t0 < 15000);
  // near the infinite-lattice critical energy (a finite strip: within a few %)
  assert.ok(Math.abs(r.energyPerSpin! - pottsCriticalEnergy(3)) < 0.1, `e(β_c) = ${r.energyPerSpin}`);
});

test("critical constants: q = 2 is Onsager's point (J_P = 2 J_I), latent heat of q = 10", () => {
  close(pottsCriticalBeta(2), 2 * ONSAGER_BETA_C, 1e-15, "β_c(q=2)");
  close(pottsCriticalBeta(3), Math.log(1 + Math.sqrt(3)), 1e-15, "β_c(q=3)");
  close(pottsCriticalBeta(3, 2), Math.log(1 + Math.sqrt(3)) / 2, 1e-15, "β_c(q=3, J=2)");
  const o = onsager({ beta: ONSAGER_BETA_C });
  // Ising e_c = −√2; the q = 2 Potts energy with J_P = 1 is (e_I − 2)/2
  close(pottsCriticalEnergy(2), (o.energyPerSpin! - 2) / 2, 1e-10, "e_c(q=2)");
  assert.equal(pottsLatentHeat(4), 0);
  close(pottsLatentHeat(10), 0.696, 1e-3, "latent heat q = 10");
  assert.ok(pottsLatentHeat(5) > 0 && pottsLatentHeat(5) < 0.06 && pottsLatentHeat(8) < pottsLatentHeat(10));
});

test("bad input names the argument and the reason", () => {
  const table: Array<[() => unknown, RegExp]> = [
    [() => pottsEnumerate(pottsSquare({ L: 6, q: 5 }), 1), /exact\.pottsEnumerate: enumeration needs q\^n/],
    [() => pottsEnumerate(pottsSquare({ L: 2, q: 3 }), 0), /exact\.pottsEnumerate: beta must be > 0/],
    [() => pottsEnumerate(pottsSquare({ L: 2, q: 3 }), 1, { probabilities: 1 as never }), /probabilities must be a boolean/],
    [() => pottsEnumerate(pottsSquare({ L: 2, q: 3 }), 1, { foo: 1 } as never), /unknown option "foo"/],
    [() => pottsEnumerate(isingSquare({ L: 2 }) as never, 1), /system must be a PottsSystem/],
    [() => pottsTransferMatrix(pottsOnGraph({ system: rrg({ n: 8, d: 3, seed: 1 }), q: 3 }), 1), /needs a 2-D grid system/],
    [() => pottsTransferMatrix(pottsSystem({ n: 4, q: 3, edges: [[0, 3, 1]], geometry: { grid: [2, 2], periodic: [false, false] } }), 1), /nearest-neighbour grid bonds; edge \(0, 3\)/],
    [() => pottsTransferMatrix(pottsSquare({ L: 4, q: 3 }), 100), /β·Δ must be ≤ 650/],
    [() => pottsTransferMatrix(pottsSquare({ L: 30, q: 10 }), 1), /needs q\^W ≤ 4194304 row states, got 10\^30/],
    [() => pottsTransferMatrix(pottsSquare({ L: 11, q: 3 }), 1), /would cost .* width 11, q = 3, periodic along/],
    [() => pottsExact(pottsSquare({ L: 3, q: 3 }), 1, { method: "pfaffian" as never }), /unknown method "pfaffian"/],
    [() => pottsExact(pottsSquare({ L: 8, q: 3 }), 1, { probabilities: true }), /enumeration needs q\^n|probabilities/],
    [() => pottsCriticalBeta(1), /pottsCriticalBeta: q must be ≥ 2/],
    [() => pottsCriticalEnergy(3, -1), /pottsCriticalEnergy: J must be > 0/],
  ];
  for (const [f, re] of table) assert.throws(f, re);
  assert.equal(pottsTransferRefusal(pottsSquare({ L: 4, q: 3 })), null);
});
