/**
 * The closed-form inverse-Ising inversions against exact correlations of
 * small systems: their weak-coupling orders (IP's relative error ∝ β, NMF's
 * and TAP's ∝ β², SM's faster), TAP = NMF at zero field and TAP's better
 * fields with fields, IP and SM exact for one pair; exact correlations
 * against a brute-force sum; the matrix inverse; bad input.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { invertMatrix, matMul } from "../../src/core/linalg";
import { Rng } from "../../src/core/random";
import { couplingError, couplingMatrix, exactCorrelations, inverseIsing, type InverseMethod } from "../../src/meanfield";
import { sk, spinSystem } from "../../src/systems";

const relErr = (method: InverseMethod, sys: ReturnType<typeof sk>, beta: number): number => {
  const c = exactCorrelations(sys, { beta });
  const r = inverseIsing({ method, correlations: c.correlations, magnetizations: c.magnetizations, beta });
  return couplingError({ inferred: r.couplings, truth: couplingMatrix(sys) }).relative;
};

test("weak coupling: IP's relative error ∝ β, NMF's and TAP's ∝ β², SM's faster still (SK N = 8, zero field)", () => {
  const sys = sk({ n: 8, seed: 2 });
  const ratio = (m: InverseMethod) => relErr(m, sys, 0.1) / relErr(m, sys, 0.05);
  assert.ok(relErr("nmf", sys, 0.05) < 1e-3, `NMF ${relErr("nmf", sys, 0.05)}`);
  assert.ok(Math.abs(ratio("ip") - 2) < 0.2, `IP ratio ${ratio("ip")}`);
  assert.ok(Math.abs(ratio("nmf") - 4) < 0.4, `NMF ratio ${ratio("nmf")}`);
  assert.ok(Math.abs(ratio("tap") - 4) < 0.4, `TAP ratio ${ratio("tap")}`);
  assert.ok(ratio("sm") > 10, `SM ratio ${ratio("sm")}`);
  assert.ok(relErr("sm", sys, 0.05) < 1e-5);
  // the paper's measure: RMS over all n² entries
  const c = exactCorrelations(sys, { beta: 0.05 });
  const J = inverseIsing({ method: "nmf", correlations: c.correlations, beta: 0.05 }).couplings;
  const T = couplingMatrix(sys);
  let d2 = 0;
  for (let k = 0; k < 64; k++) d2 += (J[k] - T[k]) ** 2;
  assert.ok(Math.abs(couplingError({ inferred: J, truth: T }).rms - Math.sqrt(d2 / 64)) < 1e-15);
});

test("TAP equals NMF at zero field; with fields TAP's couplings differ and its fields are an order better", () => {
  const base = sk({ n: 8, seed: 2 });
  const c0 = exactCorrelations(base, { beta: 0.5 });
  assert.deepEqual(
    inverseIsing({ method: "tap", correlations: c0.correlations, beta: 0.5 }).couplings,
    inverseIsing({ method: "nmf", correlations: c0.correlations, beta: 0.5 }).couplings,
  );
  const rng = new Rng(4);
  const h = Array.from({ length: 8 }, () => 0.5 * rng.normal());
  const sys = spinSystem({ n: 8, edges: base.edgeList(), fields: h });
  const beta = 0.1;
  const c = exactCorrelations(sys, { beta });
  const fieldError = (method: InverseMethod) => {
    const r = inverseIsing({ method, correlations: c.correlations, magnetizations: c.magnetizations, beta });
    return Math.max(...h.map((x, k) => Math.abs(r.fields[k] - x)));
  };
  assert.ok(fieldError("tap") < fieldError("nmf") / 10, `TAP ${fieldError("tap")} NMF ${fieldError("nmf")}`);
  assert.notDeepEqual(
    inverseIsing({ method: "tap", correlations: c.correlations, magnetizations: c.magnetizations, beta }).couplings,
    inverseIsing({ method: "nmf", correlations: c.correlations, magnetizations: c.magnetizations, beta }).couplings,
  );
});

test("IP and SM are exact for a single pair, with a field", () => {
  const sys = spinSystem({ n: 2, edges: [[0, 1, 0.8]], fields: [0.3, -0.5] });
  const beta = 1.3;
  const c = exactCorrelations(sys, { beta });
  for (const method of ["ip", "sm"] as const) {
    const r = inverseIsing({ method, correlations: c.correlations, magnetizations: c.magnetizations, beta });
    assert.ok(Math.abs(r.couplings[1] - 0.8) < 1e-12, `${method}: ${r.couplings[1]}`);
    assert.equal(r.couplings[0], 0);
    assert.equal(r.couplings[1], r.couplings[2]);
  }
});

test("exactCorrelations equals a brute-force sum over the states (fields on)", () => {
  const rng = new Rng(8);
  const base = sk({ n: 5, seed: 3 });
  const sys = spinSystem({ n: 5, edges: base.edgeList(), fields: Array.from({ length: 5 }, () => rng.normal()) });
  const beta = 0.7;
  const r = exactCorrelations(sys, { beta });
  let Z = 0;
  const m = new Float64Array(5);
  const cc = new Float64Array(25);
  for (let x = 0; x < 32; x++) {
    const s = Array.from({ length: 5 }, (_, k) => ((x >> k) & 1 ? 1 : -1));
    const w = Math.exp(-beta * sys.energyOf(s));
    Z += w;
    for (let a = 0; a < 5; a++) {
      m[a] += w * s[a];
      for (let b = 0; b < 5; b++) cc[a * 5 + b] += w * s[a] * s[b];
    }
  }
  for (let a = 0; a < 5; a++) assert.ok(Math.abs(r.magnetizations[a] - m[a] / Z) < 1e-12);
  for (let k = 0; k < 25; k++) assert.ok(Math.abs(r.correlations[k] - cc[k] / Z) < 1e-12, `entry ${k}`);
});

test("invertMatrix: A·A⁻¹ = I to rounding; a singular matrix is refused", () => {
  const rng = new Rng(1);
  const n = 12;
  const A = Float64Array.from({ length: n * n }, () => rng.normal());
  const P = matMul(A, invertMatrix(A, n), n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.ok(Math.abs(P[i * n + j] - (i === j ? 1 : 0)) < 1e-10);
  assert.throws(() => invertMatrix([1, 2, 2, 4], 2), /invertMatrix: the matrix is singular/);
});

test("bad input is refused before any work, naming the argument", () => {
  const good = exactCorrelations(sk({ n: 3, seed: 1 }), { beta: 1 }).correlations;
  const cases: Array<[() => unknown, RegExp]> = [
    [() => inverseIsing({ method: "bethe" as InverseMethod, correlations: good }), /inverseIsing: method must be one of/],
    [() => inverseIsing({ method: "nmf", correlations: [1, 0, 0] }), /inverseIsing: correlations must be an n×n matrix/],
    [() => inverseIsing({ method: "nmf", correlations: [1, 0.5, 0.2, 1] }), /inverseIsing: correlations must be symmetric/],
    [() => inverseIsing({ method: "nmf", correlations: [0.9, 0.1, 0.1, 1] }), /c_ii = ⟨s_i²⟩ = 1/],
    [() => inverseIsing({ method: "nmf", correlations: good, magnetizations: [0, 0] }), /magnetizations has length 2, expected 3/],
    [() => inverseIsing({ method: "nmf", correlations: good, beta: 0 }), /inverseIsing: beta/],
    [() => inverseIsing({ method: "nmf", correlations: [1, 1, 1, 1] }), /singular/],
    [() => inverseIsing({ method: "ip", correlations: [1, 1, 1, 1] }), /joint probability 0|singular/],
    [() => inverseIsing({ method: "nmf", correlations: good, extra: 1 } as never), /inverseIsing: unknown option/],
    [() => exactCorrelations(sk({ n: 3, seed: 1 }), { beta: -1 }), /exactCorrelations: beta/],
    [() => exactCorrelations(sk({ n: 25, seed: 1 }), { beta: 1 }), /system\.n must be ≤ 24/],
    [() => couplingError({ inferred: [1, 2], truth: [1] }), /couplingError: inferred has 2 entries, truth 1/],
  ];
  for (const [f, re] of cases) assert.throws(f, re);
});
