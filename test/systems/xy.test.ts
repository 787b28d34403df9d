import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import {
  ea2d,
  wrapAngle,
  xyAbsMagnetization,
  xyChain,
  xyHelicityOf,
  xyHelicityTermsOf,
  xyMagnetization,
  xyMagnetizationOf,
  xyOnGraph,
  xySquare,
  xySystem,
  xyVortexDensities,
  xyVortexDensityOf,
  xyVorticityOf,
  xyXBonds,
  type XYSystem,
} from "../../src/systems";

function randomAngles(n: number, batch: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * batch }, () => 2 * Math.PI * rng.uniform());
}

const SYSTEMS = (): XYSystem[] => [
  xySquare({ L: 4 }),
  xySquare({ L: 3, cols: 5, boundary: "open", J: 0.7, h: 0.4 }),
  xyChain({ n: 6 }),
  xyChain({ n: 5, boundary: "periodic", J: -1, h: -0.3 }),
  xyOnGraph({ system: ea2d({ L: 4, seed: 2, couplings: "gauss" }) }),
  xySystem({ n: 3, edges: [[0, 2, 1.5]], h: 0.2 }),
];

test("batched tensor energies equal energyOf, their gradient is ∂E/∂θ_i = Σ_j J_ij sin(θ_i − θ_j) + h sin θ_i, no tensors leak", () => {
  ensureBackend();
  for (const sys of SYSTEMS()) {
    const batch = 7;
    const th = randomAngles(sys.n, batch, sys.n);
    const e = tf.tidy(() => sys.energy(tf.tensor2d(th, [batch, sys.n])).dataSync());
    for (let b = 0; b < batch; b++) {
      const ref = sys.energyOf(th.subarray(b * sys.n, (b + 1) * sys.n));
      assert.ok(Math.abs(e[b] - ref) < 1e-5 * (1 + Math.abs(ref)), `${sys.name}: ${e[b]} vs ${ref}`);
    }
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(sys.energy(x as tf.Tensor2D)))(tf.tensor2d(th, [batch, sys.n])).dataSync());
    const { offsets, index, J } = sys.neighbors;
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < sys.n; i++) {
        let ref = sys.h * Math.sin(th[b * sys.n + i]);
        for (let p = offsets[i]; p < offsets[i + 1]; p++) ref += J[p] * Math.sin(th[b * sys.n + i] - th[b * sys.n + index[p]]);
        assert.ok(Math.abs(g[b * sys.n + i] - ref) < 1e-4, `${sys.name}: gradient ${g[b * sys.n + i]} vs ${ref}`);
      }
    }
  }
  const sys = xySquare({ L: 4, h: 0.1 });
  const x = tf.tensor2d(randomAngles(16, 3, 1), [3, 16]);
  const before = tf.memory().numTensors;
  sys.energy(x).dispose();
  xyMagnetization(x).dispose();
  xyAbsMagnetization(x).dispose();
  xyVortexDensities(sys, x);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test("deltaE equals the energy difference", () => {
  const rng = new Rng(5);
  for (const sys of SYSTEMS()) {
    for (let t = 0; t < 30; t++) {
      const th = Float64Array.from({ length: sys.n }, () => 2 * Math.PI * rng.uniform());
      const i = rng.int(sys.n);
      const a = 2 * Math.PI * rng.uniform();
      const t2 = th.slice();
      t2[i] = a;
      assert.ok(Math.abs(sys.deltaE(th, i, a) - (sys.energyOf(t2) - sys.energyOf(th))) < 1e-12);
    }
  }
});

test("constructors: chain and ring bonds, grid geometry", () => {
  const c = xyChain({ n: 5 });
  assert.equal(c.edges.i.length, 4);
  assert.deepEqual(c.geometry, { grid: [5], periodic: [false] });
  const r = xyChain({ n: 5, boundary: "periodic" });
  assert.equal(r.edges.i.length, 5);
  assert.equal(r.energyOf(new Float64Array(5).fill(1.3)), -5);
  const s = xySquare({ L: 4 });
  assert.equal(s.kind, "xy");
  assert.equal(s.edges.i.length, 32);
  assert.equal(xySquare({ L: 4, boundary: "open" }).edges.i.length, 24);
});

test("magnetisation, helicity terms on uniform and twisted configurations", () => {
  const m = xyMagnetizationOf([0, Math.PI / 2]);
  assert.ok(Math.abs(m.mx - 0.5) < 1e-15 && Math.abs(m.my - 0.5) < 1e-15 && Math.abs(m.abs - Math.SQRT1_2) < 1e-15);
  const L = 6;
  const sys = xySquare({ L, J: 1.5 });
  assert.equal(xyXBonds(sys).from.length, L * L);
  const uniform = new Float64Array(L * L).fill(0.4);
  const t0 = xyHelicityTermsOf(sys, uniform);
  assert.ok(Math.abs(t0.cos - 1.5 * L * L) < 1e-12 && Math.abs(t0.sin) < 1e-12);
  assert.ok(Math.abs(xyHelicityOf(sys, uniform, 2) - 1.5) < 1e-12);
  // a uniform twist by 2π/L along x: every x-bond has θ_j − θ_i = 2π/L (across the wrap too)
  const twist = Float64Array.from({ length: L * L }, (_, k) => (2 * Math.PI * (k % L)) / L);
  const t1 = xyHelicityTermsOf(sys, twist);
  assert.ok(Math.abs(t1.cos - 1.5 * L * L * Math.cos((2 * Math.PI) / L)) < 1e-10);
  assert.ok(Math.abs(t1.sin - 1.5 * L * L * Math.sin((2 * Math.PI) / L)) < 1e-10);
  // a twist along y does not enter the x-helicity's sine sum
  const twistY = Float64Array.from({ length: L * L }, (_, k) => (2 * Math.PI * Math.floor(k / L)) / L);
  assert.ok(Math.abs(xyHelicityTermsOf(sys, twistY).sin) < 1e-10);
});

test("vorticity: a single vortex and antivortex are found at the right plaquette; a periodic grid has zero total winding", () => {
  assert.ok(Math.abs(wrapAngle(Math.PI) - Math.PI) < 1e-15);
  assert.ok(Math.abs(wrapAngle(-Math.PI) - Math.PI) < 1e-15);
  assert.ok(Math.abs(wrapAngle(3 * Math.PI / 2) + Math.PI / 2) < 1e-15);
  const L = 6;
  const open = xySquare({ L, boundary: "open" });
  const vortex = Float64Array.from({ length: L * L }, (_, k) => Math.atan2(Math.floor(k / L) - 2.5, (k % L) - 2.5));
  const v = xyVorticityOf(open, vortex);
  assert.equal(v.length, 25);
  for (let p = 0; p < 25; p++) assert.equal(v[p], p === 2 * 5 + 2 ? 1 : 0, `plaquette ${p}`);
  const anti = vortex.map((x) => -x);
  const va = xyVorticityOf(open, anti);
  assert.equal(va[12], -1);
  assert.ok(Math.abs(xyVortexDensityOf(open, anti) - 1 / 36) < 1e-15);
  const per = xySquare({ L });
  const rng = new Rng(1);
  let total = 0;
  for (let t = 0; t < 20; t++) {
    const th = Float64Array.from({ length: L * L }, () => 2 * Math.PI * rng.uniform());
    const w = xyVorticityOf(per, th);
    let sum = 0;
    for (const x of w) sum += x;
    assert.equal(sum, 0);
    total += xyVortexDensityOf(per, th);
  }
  // random angles: each plaquette holds a (anti)vortex with probability 1/3
  assert.ok(Math.abs(total / 20 - 1 / 3) < 0.08, `random vortex density ${total / 20}`);
});

test("bad input names the argument", () => {
  const table: Array<[() => unknown, RegExp]> = [
    [() => xySquare({ L: 0 }), /xySquare: L must be ≥ 1/],
    [() => xySquare({ L: 4, boundary: "x" as "open" }), /xySquare: boundary must be one of/],
    [() => xySquare({ L: 4, h: Infinity }), /xySquare: h must be a finite number/],
    [() => xyChain({ n: 1 }), /xyChain: n must be ≥ 2/],
    [() => xyChain({ n: 2, boundary: "periodic" }), /xyChain: a ring/],
    [() => xySystem({ n: 2, edges: [[0, 1, 1], [1, 0, 2]] }), /xySystem: edge 1: duplicated edge/],
    [() => xySystem({ n: 2, edges: [], q: 3 } as never), /xySystem: unknown option "q"/],
    [() => xyOnGraph({ n: 3 }), /xyOnGraph: give exactly one of system or edges/],
    [() => xyHelicityTermsOf(xySquare({ L: 4, boundary: "open" }), new Float64Array(16)), /xyHelicityTermsOf: the helicity modulus needs a grid periodic along x/],
    [() => xyHelicityTermsOf(xyChain({ n: 4 }), new Float64Array(4)), /needs a 2-D grid/],
    [() => xyVorticityOf(xyChain({ n: 4 }), new Float64Array(4)), /xyVorticityOf: vorticity needs a 2-D grid/],
    [() => xyHelicityOf(xySquare({ L: 4 }), new Float64Array(16), 0), /xyHelicityOf: beta must be > 0/],
  ];
  for (const [f, re] of table) assert.throws(f, re);
});
