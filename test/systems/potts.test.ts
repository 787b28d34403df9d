import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import {
  allPottsStates,
  ea2d,
  isingSquare,
  isingToPotts,
  parseAnySystemSpec,
  pottsGlass,
  pottsIndexOfState,
  pottsOnGraph,
  pottsOrderParameter,
  pottsOrderParameterOf,
  pottsSquare,
  pottsStateCounts,
  pottsStateFromIndex,
  pottsSystem,
  rrg,
  specKind,
  type PottsSystem,
} from "../../src/systems";

function randomPotts(n: number, q: number, batch: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const s = new Float32Array(batch * n);
  for (let k = 0; k < s.length; k++) s[k] = rng.int(q);
  return s;
}

test("q = 2 Potts with J_P = 2 J_I, h_P = 2 h_I is Ising up to −Σ J_I − Σ h_I (s = +1 ↔ σ = 0)", () => {
  const rng = new Rng(3);
  const cases = [isingSquare({ L: 4, boundary: "open", h: 0.3 }), ea2d({ L: 4, seed: 2, couplings: "gauss" }), rrg({ n: 12, d: 3, seed: 1 })];
  for (const ising of cases) {
    const hI = ising.fields;
    const potts = pottsOnGraph({ system: ising, q: 2, scale: 2, fields: hI === null ? null : Float64Array.from(hI, (v) => 2 * v) });
    let c = 0;
    for (let k = 0; k < ising.edges.J.length; k++) c += ising.edges.J[k];
    if (hI !== null) for (let k = 0; k < hI.length; k++) c += hI[k];
    for (let t = 0; t < 20; t++) {
      const s = Float64Array.from({ length: ising.n }, () => (rng.uniform() < 0.5 ? 1 : -1));
      const e = potts.energyOf(isingToPotts(s));
      assert.ok(Math.abs(e - (ising.energyOf(s) - c)) < 1e-12, `${ising.name}: ${e} vs ${ising.energyOf(s) - c}`);
    }
  }
});

function checkTensorEnergy(sys: PottsSystem, seed: number): void {
  ensureBackend();
  const batch = 13;
  const s = randomPotts(sys.n, sys.q, batch, seed);
  const e = tf.tidy(() => sys.energy(tf.tensor2d(s, [batch, sys.n])).dataSync());
  for (let b = 0; b < batch; b++) {
    const ref = sys.energyOf(s.subarray(b * sys.n, (b + 1) * sys.n));
    assert.ok(Math.abs(e[b] - ref) < 1e-4 * (1 + Math.abs(ref)), `${sys.name}: tensor ${e[b]} vs scalar ${ref}`);
  }
}

const SYSTEMS = (): PottsSystem[] => [
  pottsSquare({ L: 4, q: 3 }),
  pottsSquare({ L: 3, cols: 5, q: 4, boundary: "open", J: -1, h: 0.7 }),
  pottsGlass({ L: 5, q: 3, seed: 4 }),
  pottsGlass({ L: 4, q: 5, seed: 1, couplings: "gauss", boundary: "open" }),
  pottsSystem({ n: 5, q: 3, edges: [[0, 4, 0.5], [1, 2, -1.25]], fields: [0.1, 0, 0, 0.3, -0.2] }),
  pottsSystem({ n: 3, q: 2, edges: [] }),
];

test("batched tensor energies equal the float64 energyOf, and free their tensors", () => {
  ensureBackend();
  SYSTEMS().forEach((s, k) => checkTensorEnergy(s, 10 + k));
  const sys = pottsSquare({ L: 4, q: 3, h: 0.5 });
  const x = tf.tensor2d(randomPotts(16, 3, 4, 1), [4, 16]);
  const before = tf.memory().numTensors;
  for (let k = 0; k < 3; k++) sys.energy(x).dispose();
  pottsOrderParameter(x, 3).dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test("deltaE equals the energy difference of the changed configuration", () => {
  const rng = new Rng(7);
  for (const sys of SYSTEMS()) {
    for (let t = 0; t < 50; t++) {
      const s = Float64Array.from({ length: sys.n }, () => rng.int(sys.q));
      const i = rng.int(sys.n);
      const k = rng.int(sys.q);
      const s2 = s.slice();
      s2[i] = k;
      const d = sys.energyOf(s2) - sys.energyOf(s);
      assert.ok(Math.abs(sys.deltaE(s, i, k) - d) < 1e-12, `${sys.name}: deltaE ${sys.deltaE(s, i, k)} vs ${d}`);
    }
  }
});

test("lattice constructors: bonds, geometry, names and symmetry flags", () => {
  const p = pottsSquare({ L: 4, q: 3 });
  assert.equal(p.kind, "potts");
  assert.equal(p.n, 16);
  assert.equal(p.edges.i.length, 32);
  assert.deepEqual(p.geometry, { grid: [4, 4], periodic: [true, true] });
  assert.equal(p.permutationSymmetric, true);
  assert.equal(pottsSquare({ L: 4, q: 3, h: 1 }).permutationSymmetric, false);
  assert.equal(pottsSquare({ L: 4, q: 3, boundary: "open" }).edges.i.length, 24);
  // the ±J glass has exactly ea2d's couplings for the same seed
  const g = pottsGlass({ L: 5, q: 3, seed: 9 });
  const e = ea2d({ L: 5, seed: 9 });
  assert.deepEqual(Array.from(g.edges.J), Array.from(e.edges.J));
  assert.deepEqual(Array.from(g.neighbors.index), Array.from(e.neighbors.index));
  assert.match(g.name, /potts-glass q=3 L=5 periodic pm seed=9/);
  const graph = pottsOnGraph({ q: 4, n: 3, edges: { i: [0, 1], j: [1, 2], J: [1, 2] }, scale: 0.5 });
  assert.deepEqual(Array.from(graph.edges.J), [0.5, 1]);
  // the ground state of the ferromagnet is all equal: E = −m J
  assert.equal(p.energyOf(new Float64Array(16).fill(2)), -32);
});

test("order parameter and state counts, scalar and batched", () => {
  ensureBackend();
  assert.equal(pottsOrderParameterOf([1, 1, 1, 1], 3), 1);
  assert.equal(pottsOrderParameterOf([0, 1, 2, 0, 1, 2], 3), 0);
  assert.ok(Math.abs(pottsOrderParameterOf([0, 0, 1, 2], 3) - (3 * 2 / 4 - 1) / 2) < 1e-15);
  assert.deepEqual(Array.from(pottsStateCounts([0, 2, 2, 1, 2], 3)), [1, 1, 3]);
  // q = 2: the Ising |m|
  assert.ok(Math.abs(pottsOrderParameterOf([0, 0, 0, 1], 2) - 0.5) < 1e-15);
  const s = randomPotts(9, 4, 6, 2);
  const m = tf.tidy(() => pottsOrderParameter(tf.tensor2d(s, [6, 9]), 4).dataSync());
  for (let b = 0; b < 6; b++) assert.ok(Math.abs(m[b] - pottsOrderParameterOf(s.subarray(b * 9, (b + 1) * 9), 4)) < 1e-6);
});

test("state index convention round-trips, and allPottsStates lists q^n configurations in index order", () => {
  ensureBackend();
  const x = pottsStateFromIndex(2 + 1 * 3 + 2 * 9, 3, 3);
  assert.deepEqual(Array.from(x), [2, 1, 2]);
  assert.equal(pottsIndexOfState([2, 1, 2], 3), 2 + 3 + 18);
  const all = allPottsStates(3, 3);
  assert.deepEqual(all.shape, [27, 3]);
  const d = all.dataSync();
  for (let k = 0; k < 27; k++) assert.equal(pottsIndexOfState(d.subarray(3 * k, 3 * k + 3), 3), k);
  all.dispose();
});

test("parseAnySystemSpec builds Potts and XY systems and hands spin families to parseSystemSpec", () => {
  const p = parseAnySystemSpec("potts:L=5,q=3,boundary=open,J=-1,h=0.5");
  assert.equal(p.kind, "potts");
  assert.equal(p.n, 25);
  assert.equal((p as PottsSystem).q, 3);
  assert.equal((p as PottsSystem).fields?.[0], 0.5);
  const g = parseAnySystemSpec("pottsglass:L=4,q=4,seed=3");
  assert.equal(g.kind, "potts");
  assert.deepEqual(Array.from(g.edges.J), Array.from(pottsGlass({ L: 4, q: 4, seed: 3 }).edges.J));
  assert.equal(parseAnySystemSpec("xy:L=4").kind, "xy");
  assert.equal(parseAnySystemSpec("xychain:n=6,boundary=periodic").edges.i.length, 6);
  assert.equal(parseAnySystemSpec("ising:L=4").kind, "spin");
  assert.equal(specKind("potts:L=2,q=3"), "potts");
  assert.equal(specKind("xychain:n=3"), "xy");
  assert.equal(specKind("ea2d:L=3"), "spin");
  assert.equal(specKind("nope"), null);
});

test("bad input names the argument", () => {
  const table: Array<[() => unknown, RegExp]> = [
    [() => pottsSquare({ L: 0, q: 3 }), /pottsSquare: L must be ≥ 1/],
    [() => pottsSquare({ L: 4, q: 1 }), /pottsSquare: q must be ≥ 2/],
    [() => pottsSquare({ L: 4, q: 2.5 }), /pottsSquare: q must be an integer/],
    [() => pottsSquare({ L: 4, q: 3, boundary: "twisted" as "open" }), /pottsSquare: boundary must be one of/],
    [() => pottsSquare({ L: 4, q: 3, J: NaN }), /pottsSquare: J must be a finite number/],
    [() => pottsSquare({ L: 4, q: 3, beta: 1 } as never), /pottsSquare: unknown option "beta"/],
    [() => pottsGlass({ L: 4, q: 3, couplings: "uniform" as "pm" }), /pottsGlass: couplings must be one of/],
    [() => pottsGlass({ L: 4, q: 3, seed: -1 }), /pottsGlass: seed must be ≥ 0/],
    [() => pottsSystem({ n: 3, q: 3, edges: [[0, 3, 1]] }), /pottsSystem: edge 0: index j = 3 out of range/],
    [() => pottsSystem({ n: 3, q: 300, edges: [] }), /pottsSystem: q must be ≤ 255/],
    [() => pottsSystem({ n: 3, q: 3, edges: [], fields: [1, 2] }), /pottsSystem: fields has length 2/],
    [() => pottsOnGraph({ q: 3 }), /pottsOnGraph: give exactly one of system or edges/],
    [() => pottsOnGraph({ q: 3, system: pottsSquare({ L: 2, q: 3 }) as never }), /pottsOnGraph: system must be a SpinSystem/],
    [() => pottsOnGraph({ q: 3, n: 2, edges: [[0, 0, 1]] }), /pottsOnGraph: edge 0: self-loop/],
    [() => parseAnySystemSpec(""), /parseAnySystemSpec: spec must be a string/],
    [() => parseAnySystemSpec("nope:L=2"), /parseAnySystemSpec: unknown system family "nope".*potts/],
    [() => parseAnySystemSpec("potts:L=4"), /parseAnySystemSpec\("potts:L=4"\): pottsSquare: q must be an integer/],
    [() => parseAnySystemSpec("potts:L=4,q=3,foo=1"), /unknown key "foo" for potts/],
    [() => parseAnySystemSpec("potts:L=x,q=3"), /L must be a number/],
    [() => parseAnySystemSpec("potts:L=4,q=3,q=4"), /key "q" given twice/],
    [() => parseAnySystemSpec("pottsglass:L=4,q=3,boundary=spiral"), /pottsGlass: boundary must be one of/],
    [() => parseAnySystemSpec("xychain:n=2,boundary=periodic"), /xyChain: a ring .* needs n ≥ 3/],
    [() => parseAnySystemSpec("ising:L=4,q=3"), /parseSystemSpec: unknown key "q" for ising/],
    [() => pottsStateCounts([0, 3], 3), /pottsStateCounts: s\[1\] = 3 is not a state/],
    [() => pottsStateFromIndex(27, 3, 3), /pottsStateFromIndex: index must be ≤ 26/],
    [() => allPottsStates(30, 3), /allPottsStates: q\^n = 3\^30 exceeds/],
  ];
  for (const [f, re] of table) assert.throws(f, re);
});
