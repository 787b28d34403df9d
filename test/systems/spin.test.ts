import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import {
  absMagnetization,
  allStates,
  curieWeiss,
  ea2d,
  ea3d,
  indexOfState,
  isingSquare,
  magnetization,
  overlap,
  overlapOf,
  parseSystemSpec,
  rrg,
  sk,
  spinSystem,
  stateFromIndex,
  triangularAF,
  type SpinSystem,
} from "../../src/systems";

function randomConfigs(n: number, batch: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const s = new Float32Array(batch * n);
  for (let k = 0; k < s.length; k++) s[k] = rng.uniform() < 0.5 ? -1 : 1;
  return s;
}

function checkTfAgainstScalar(sys: SpinSystem, seed: number): void {
  ensureBackend();
  const batch = 17;
  const s = randomConfigs(sys.n, batch, seed);
  const e = tf.tidy(() => sys.energy(tf.tensor2d(s, [batch, sys.n])).dataSync());
  let scale = 0;
  for (let k = 0; k < sys.edges.J.length; k++) scale += Math.abs(sys.edges.J[k]);
  for (let b = 0; b < batch; b++) {
    const ref = sys.energyOf(s.subarray(b * sys.n, (b + 1) * sys.n));
    assert.ok(Math.abs(e[b] - ref) <= 1e-5 * (1 + scale), `${sys.name}: tf ${e[b]} vs scalar ${ref}`);
  }
}

test("batched tfjs energies agree with the float64 scalar path (sparse and dense, with fields)", () => {
  const systems: SpinSystem[] = [
    isingSquare({ L: 5, boundary: "open", h: 0.3 }),
    ea2d({ L: 6, couplings: "gauss", seed: 1 }),
    ea3d({ L: 3, seed: 2 }),
    rrg({ n: 40, d: 3, seed: 3 }),
    sk({ n: 30, seed: 4 }),
    curieWeiss({ n: 12, h: -0.2 }),
    triangularAF({ L: 6 }),
    spinSystem({ n: 7, edges: [[0, 6, 0.5], [2, 3, -1.25]], fields: [0.1, 0, 0, 0.2, 0, 0, -0.4], energyPath: "dense" }),
    spinSystem({ n: 7, edges: [[0, 6, 0.5], [2, 3, -1.25]], fields: [0.1, 0, 0, 0.2, 0, 0, -0.4], energyPath: "sparse" }),
  ];
  assert.equal(systems[4].kind, "spin");
  assert.equal((systems[4] as ReturnType<typeof sk>).energyPath, "dense");
  assert.equal((systems[1] as ReturnType<typeof sk>).energyPath, "sparse");
  systems.forEach((s, k) => checkTfAgainstScalar(s, 100 + k));
});

test("energy is differentiable and its gradient is −(J s + h)", () => {
  ensureBackend();
  for (const sys of [ea2d({ L: 4, seed: 5, couplings: "gauss" }), sk({ n: 10, seed: 6 })]) {
    const s = randomConfigs(sys.n, 3, 7);
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(sys.energy(x as tf.Tensor2D)))(tf.tensor2d(s, [3, sys.n])).dataSync());
    for (let b = 0; b < 3; b++) {
      const row = s.subarray(b * sys.n, (b + 1) * sys.n);
      for (let i = 0; i < sys.n; i++) assert.ok(Math.abs(g[b * sys.n + i] + sys.localField(row, i)) < 1e-5);
    }
  }
});

test("deltaE equals the energy difference of a single flip", () => {
  const sys = ea2d({ L: 5, seed: 8, couplings: "gauss", boundary: "open" });
  const withField = spinSystem({ n: sys.n, edges: sys.edges, fields: Array.from({ length: sys.n }, (_, k) => Math.sin(k)) });
  const rng = new Rng(9);
  for (const s of [sys, withField]) {
    const x = Float64Array.from(randomConfigs(s.n, 1, 10));
    for (let t = 0; t < 50; t++) {
      const i = rng.int(s.n);
      const e0 = s.energyOf(x);
      const d = s.deltaE(x, i);
      x[i] = -x[i];
      assert.ok(Math.abs(s.energyOf(x) - e0 - d) < 1e-12);
    }
  }
});

test("energy does not leak tensors", () => {
  ensureBackend();
  const sys = ea2d({ L: 4, seed: 1 });
  const dense = sk({ n: 8, seed: 1 });
  const x = tf.tensor2d(randomConfigs(16, 4, 1), [4, 16]);
  const y = tf.tensor2d(randomConfigs(8, 4, 2), [4, 8]);
  const before = tf.memory().numTensors;
  for (let k = 0; k < 3; k++) {
    tf.dispose([sys.energy(x), dense.energy(y), magnetization(x), absMagnetization(x), overlap(x, x)]);
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, y]);
});

test("CSR neighbour lists hold every edge both ways with its coupling", () => {
  const sys = ea2d({ L: 4, seed: 3, couplings: "gauss" });
  const { offsets, index, J } = sys.neighbors;
  assert.equal(offsets[sys.n], 2 * sys.edges.i.length);
  for (let k = 0; k < sys.edges.i.length; k++) {
    const a = sys.edges.i[k];
    const b = sys.edges.j[k];
    assert.ok(a < b);
    let found = 0;
    for (let p = offsets[a]; p < offsets[a + 1]; p++) if (index[p] === b && J[p] === sys.edges.J[k]) found++;
    for (let p = offsets[b]; p < offsets[b + 1]; p++) if (index[p] === a && J[p] === sys.edges.J[k]) found++;
    assert.equal(found, 2);
  }
  for (let v = 0; v < sys.n; v++) assert.equal(offsets[v + 1] - offsets[v], 4); // periodic square lattice
});

test("invalid couplings are rejected with Errors that say what is wrong", () => {
  assert.throws(() => spinSystem({ n: 3, edges: [[0, 0, 1]] }), /self-loop on site 0/);
  assert.throws(() => spinSystem({ n: 3, edges: [[0, 3, 1]] }), /index j = 3 out of range/);
  assert.throws(() => spinSystem({ n: 3, edges: [[-1, 2, 1]] }), /index i = -1 out of range/);
  assert.throws(() => spinSystem({ n: 3, edges: [[0, 1, 1], [1, 0, 2]] }), /duplicated edge \(0, 1\)/);
  assert.throws(() => spinSystem({ n: 3, edges: [[0, 1, NaN]] }), /coupling must be a finite number/);
  assert.throws(() => spinSystem({ n: 3, edges: [[0, 1, Infinity]] }), /finite/);
  assert.throws(() => spinSystem({ n: 3, edges: [[0, 1.5, 1]] }), /out of range/);
  assert.throws(() => spinSystem({ n: 3, edges: [[0, 1, 1]], fields: [1, 2] }), /fields has length 2, expected n = 3/);
  assert.throws(() => spinSystem({ n: 3, edges: [], fields: [1, NaN, 2] }), /fields\[1\]/);
  assert.throws(() => spinSystem({ n: 4, edges: [], geometry: { grid: [3, 3], periodic: [false, false] } }), /9 sites but n = 4/);
  assert.throws(() => spinSystem({ n: 0, edges: [] }), /n must be a positive integer/);
  assert.throws(() => spinSystem({ n: 2, edges: [], bogus: 1 } as never), /unknown option "bogus"/);
});

test("constructors: sizes, geometry, boundaries and seeded reproducibility", () => {
  const p = isingSquare({ L: 4 });
  assert.equal(p.edges.i.length, 32);
  assert.deepEqual(p.geometry, { grid: [4, 4], periodic: [true, true] });
  const o = isingSquare({ L: 4, boundary: "open", J: -1 });
  assert.equal(o.edges.i.length, 24);
  assert.ok(Array.from(o.edges.J).every((j) => j === -1));
  // all-up ground state energy of the periodic ferromagnet: −2N
  assert.equal(p.energyOf(new Float64Array(16).fill(1)), -32);
  assert.equal(ea3d({ L: 3, seed: 0 }).edges.i.length, 81);
  assert.equal(ea3d({ L: 3, seed: 0, boundary: "open" }).edges.i.length, 54);
  assert.equal(triangularAF({ L: 3 }).edges.i.length, 27);
  const a = ea2d({ L: 6, seed: 11 });
  const b = ea2d({ L: 6, seed: 11 });
  const c = ea2d({ L: 6, seed: 12 });
  assert.deepEqual(Array.from(a.edges.J), Array.from(b.edges.J));
  assert.notDeepEqual(Array.from(a.edges.J), Array.from(c.edges.J));
  assert.ok(Array.from(a.edges.J).every((j) => j === 1 || j === -1));
  // SK: J_ij ~ N(0, 1/N): the sample variance of N(N−1)/2 couplings is within 5 standard errors
  const s = sk({ n: 200, seed: 3 });
  let v = 0;
  for (const j of s.edges.J) v += j * j;
  const m = s.edges.J.length;
  v /= m;
  assert.ok(Math.abs(v * 200 - 1) < 5 * Math.sqrt(2 / m), `variance ${v * 200}`);
  // RRG: every vertex has degree d, no duplicates (checked by the constructor)
  const g = rrg({ n: 100, d: 4, seed: 2 });
  for (let k = 0; k < 100; k++) assert.equal(g.neighbors.offsets[k + 1] - g.neighbors.offsets[k], 4);
  assert.throws(() => rrg({ n: 5, d: 3 }), /n·d must be even/);
  const cw = curieWeiss({ n: 10 });
  assert.equal(cw.energyOf(new Float64Array(10).fill(1)), -4.5);
});

test("observables: magnetisation, |m|, overlap, and the state-index convention", () => {
  ensureBackend();
  const x = tf.tensor2d([1, 1, 1, -1, -1, -1, -1, 1], [2, 4]);
  const y = tf.tensor2d([1, -1, 1, -1, 1, 1, 1, 1], [2, 4]);
  assert.deepEqual(Array.from(tf.tidy(() => magnetization(x).dataSync())), [0.5, -0.5]);
  assert.deepEqual(Array.from(tf.tidy(() => absMagnetization(x).dataSync())), [0.5, 0.5]);
  assert.deepEqual(Array.from(tf.tidy(() => overlap(x, y).dataSync())), [0.5, -0.5]);
  assert.equal(overlapOf([1, 1, -1], [1, -1, -1]), 1 / 3);
  assert.throws(() => overlap(x, tf.zeros([2, 3]) as tf.Tensor2D), /same shape/);
  tf.dispose([x, y]);
  // bit k ↔ spin k, 1 ↔ +1
  assert.deepEqual(Array.from(stateFromIndex(0b0101, 4)), [1, -1, 1, -1]);
  for (let idx = 0; idx < 64; idx++) assert.equal(indexOfState(stateFromIndex(idx, 6)), idx);
  const all = allStates(3);
  assert.deepEqual(Array.from(all.dataSync().slice(3 * 6, 3 * 7)), Array.from(stateFromIndex(6, 3)));
  all.dispose();
});

test("parseSystemSpec builds each family and rejects bad specs", () => {
  assert.equal(parseSystemSpec("ising:L=8,boundary=open,J=-1").edges.i.length, 112);
  assert.equal(parseSystemSpec("sk:n=10,seed=2").n, 10);
  assert.deepEqual(Array.from(parseSystemSpec("ea2d:L=5,seed=3,couplings=gauss").edges.J), Array.from(ea2d({ L: 5, seed: 3, couplings: "gauss" }).edges.J));
  assert.equal(parseSystemSpec("ea3d:L=3,seed=1,boundary=open").n, 27);
  assert.equal(parseSystemSpec("rrg:n=32,d=3,seed=1").edges.i.length, 48);
  assert.equal(parseSystemSpec("triangular:L=6").n, 36);
  assert.equal(parseSystemSpec("cw:n=10").n, 10);
  assert.throws(() => parseSystemSpec("potts:q=3"), /unknown system family "potts"/);
  assert.throws(() => parseSystemSpec("ising:L=4,size=3"), /unknown key "size"/);
  assert.throws(() => parseSystemSpec("ising:L=four"), /L must be a number/);
  assert.throws(() => parseSystemSpec("ising:L=4,boundary=twisted"), /boundary must be one of/);
  assert.throws(() => parseSystemSpec("ising:L"), /must be key=value/);
});
