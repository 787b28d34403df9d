import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import { rationalQuadraticSpline, RationalQuadraticSpline } from "../../src/flows";

ensureBackend();

const max = (t: tf.Tensor) => tf.max(t).dataSync()[0];
const maxAbs = (t: tf.Tensor) => tf.max(tf.abs(t)).dataSync()[0];

/** The spline in float64 scalar code, written from the paper's formulas (eqs. 4 and 5 of Durkan et al. 2019). */
function reference(sp: RationalQuadraticSpline, theta: ArrayLike<number>, x: number): { y: number; dydx: number } {
  const K = sp.bins, B = sp.bound;
  const knots = (off: number, m: number) => {
    const u = Array.from({ length: K }, (_, k) => theta[off + k]);
    const top = Math.max(...u);
    const e = u.map((v) => Math.exp(v - top));
    const z = e.reduce((a, b) => a + b, 0);
    const out = [-B];
    let c = 0;
    for (let k = 0; k < K; k++) {
      c += m + (1 - m * K) * (e[k] / z);
      out.push(k + 1 === K ? B : -B + 2 * B * c);
    }
    return out;
  };
  const xk = knots(0, sp.minBinWidth), yk = knots(K, sp.minBinHeight);
  const shift = Math.log(Math.expm1(1 - sp.minDerivative));
  const dk = [1, ...Array.from({ length: K - 1 }, (_, k) => sp.minDerivative + Math.log1p(Math.exp(theta[2 * K + k] + shift))), 1];
  if (x < -B || x > B) return { y: x, dydx: 1 };
  let k = 0;
  while (k + 1 < K && x >= xk[k + 1]) k++;
  const w = xk[k + 1] - xk[k], h = yk[k + 1] - yk[k], s = h / w;
  const xi = (x - xk[k]) / w;
  const den = s + (dk[k + 1] + dk[k] - 2 * s) * xi * (1 - xi);
  const y = yk[k] + (h * (s * xi * xi + dk[k] * xi * (1 - xi))) / den;
  const dydx = (s * s * (dk[k + 1] * xi * xi + 2 * s * xi * (1 - xi) + dk[k] * (1 - xi) ** 2)) / (den * den);
  return { y, dydx };
}

/** Random raw parameters θ ~ N(0, scale²), [n, 3K − 1], and points spread over [−1.2B, 1.2B] plus the knots and ±B. */
function setup(sp: RationalQuadraticSpline, n: number, scale: number, seed: number) {
  const r = new Rng(seed);
  const P = sp.paramsPerElement;
  const theta = new Float32Array(n * P);
  for (let i = 0; i < theta.length; i++) theta[i] = scale * r.normal();
  const params = tf.tensor2d(theta, [n, P]);
  return { theta, params };
}

test("θ = 0 is the identity with zero log-determinant (equal bins, unit derivatives), in the tails too", () => {
  tf.tidy(() => {
    for (const bins of [2, 8, 13]) {
      const sp = rationalQuadraticSpline({ bins, bound: 3 });
      const x = tf.linspace(-5, 5, 101);
      const p = tf.zeros([101, sp.paramsPerElement]);
      const f = sp.forward(x, p), b = sp.inverse(x, p);
      assert.ok(maxAbs(tf.sub(f.y, x)) < 2e-6, `bins ${bins}: forward ${maxAbs(tf.sub(f.y, x))}`);
      assert.ok(maxAbs(tf.sub(b.x, x)) < 2e-6, `bins ${bins}: inverse`);
      assert.ok(maxAbs(f.logDet) < 1e-6 && maxAbs(b.logDet) < 1e-6, `bins ${bins}: logDet ${maxAbs(f.logDet)}`);
    }
  });
});

test("forward equals a float64 scalar implementation of the paper's formulas (value to 1e-5, derivative to 1e-4 relative)", () => {
  const sp = rationalQuadraticSpline({ bins: 6, bound: 2 });
  const n = 400;
  tf.tidy(() => {
    const { theta, params } = setup(sp, n, 1, 3);
    const r = new Rng(4);
    const xs = Float32Array.from({ length: n }, () => 5 * (r.uniform() - 0.5));
    const f = sp.forward(tf.tensor1d(xs), params);
    const y = f.y.dataSync(), ld = f.logDet.dataSync();
    const P = sp.paramsPerElement;
    for (let i = 0; i < n; i++) {
      const ref = reference(sp, theta.subarray(i * P, (i + 1) * P), xs[i]);
      assert.ok(Math.abs(y[i] - ref.y) < 1e-5, `x = ${xs[i]}: y ${y[i]} vs ${ref.y}`);
      assert.ok(Math.abs(ld[i] - Math.log(ref.dydx)) < 1e-4, `x = ${xs[i]}: ln dy/dx ${ld[i]} vs ${Math.log(ref.dydx)}`);
    }
  });
});

test("interpolation: T(x⁽ᵏ⁾) = y⁽ᵏ⁾ and T'(x⁽ᵏ⁾) = δ⁽ᵏ⁾ at every knot (autodiff), continuous value and slope 1 at ±B", () => {
  const sp = rationalQuadraticSpline({ bins: 5, bound: 4 });
  const n = 20, K = sp.bins;
  tf.tidy(() => {
    const { params } = setup(sp, n, 1, 5);
    const kn = sp.knotsOf(params);
    // every knot of every element as its own point: x [n·(K+1)], params repeated
    const xk = tf.reshape(kn.x, [-1]);
    const pRep = tf.reshape(tf.tile(tf.expandDims(params, 1), [1, K + 1, 1]), [-1, sp.paramsPerElement]);
    const y = sp.forward(xk, pRep).y;
    assert.ok(maxAbs(tf.sub(y, tf.reshape(kn.y, [-1]))) < 1e-5, `T(x_k) − y_k: ${maxAbs(tf.sub(y, tf.reshape(kn.y, [-1])))}`);
    const slope = tf.grad((t: tf.Tensor) => tf.sum(sp.forward(t, pRep).y))(xk);
    const rel = tf.div(tf.abs(tf.sub(slope, tf.reshape(kn.derivative, [-1]))), tf.reshape(kn.derivative, [-1]));
    assert.ok(max(rel) < 1e-3, `T'(x_k)/δ_k − 1: ${max(rel)}`);
    // the knots run from −B to B, increasing
    const xa = kn.x.arraySync() as number[][];
    for (const row of xa) {
      assert.equal(row[0], -4);
      assert.equal(row[K], 4);
      for (let k = 0; k < K; k++) assert.ok(row[k + 1] > row[k]);
    }
    // just inside and outside ±B: values and slopes agree
    const eps = 1e-3;
    const edge = tf.tensor1d([-4 - eps, -4 + eps, 4 - eps, 4 + eps]);
    const p4 = tf.tile(tf.slice(params, [0, 0], [1, -1]), [4, 1]);
    const ye = sp.forward(edge, p4).y.dataSync();
    assert.ok(Math.abs(ye[1] - ye[0] - 2 * eps) < 1e-4 && Math.abs(ye[3] - ye[2] - 2 * eps) < 1e-4, `tails: ${Array.from(ye)}`);
  });
});

test("round trips to 1e-5: forward→inverse and inverse→forward, at random points, bin edges, ±B and in the tails", () => {
  for (const [bins, bound, seed] of [[8, 5, 1], [4, 2, 2], [16, 3, 3]] as const) {
    const sp = rationalQuadraticSpline({ bins, bound });
    const n = 3000;
    tf.tidy(() => {
      for (const [scale, absolute] of [[0.5, true], [1, false]] as const) {
        const { params } = setup(sp, n, scale, seed);
        const r = new Rng(seed + 10);
        const kn = sp.knotsOf(params);
        // the points: the first K+1 per row block are knots (x side and y side), the rest random over [−1.3B, 1.3B], then ±B and tails
        const pick = (knots: tf.Tensor) => {
          const k = Int32Array.from({ length: n }, () => r.int(bins + 1));
          return tf.sum(tf.mul(knots, tf.oneHot(tf.tensor1d(k, "int32"), bins + 1)), 1);
        };
        const rand = tf.tensor1d(Float32Array.from({ length: n }, () => 2.6 * bound * (r.uniform() - 0.5)));
        const special = tf.tensor1d(Float32Array.from({ length: n }, (_, i) => [-bound, bound, -2 * bound, 2 * bound, -bound - 1e-4, bound + 1e-4][i % 6]));
        for (const [label, x] of [["random", rand], ["x knots", pick(kn.x)], ["±B and tails", special]] as const) {
          const f = sp.forward(x, params);
          const back = sp.inverse(f.y, params);
          const err = tf.abs(tf.sub(back.x, x));
          // float32 cannot do better than ulp(y)/T'(x) where the spline is flat; the tolerance says so for θ ~ N(0, 1)
          const tol = absolute ? tf.scalar(1e-5) : tf.mul(1e-5, tf.maximum(1, tf.exp(tf.neg(f.logDet))));
          assert.ok(max(tf.sub(err, tol)) <= 0, `bins ${bins} θ scale ${scale} ${label}: forward→inverse error ${max(err)}`);
          assert.ok(maxAbs(tf.add(f.logDet, back.logDet)) < (absolute ? 1e-4 : 1e-2), `${label}: logDets sum to ${maxAbs(tf.add(f.logDet, back.logDet))}`);
        }
        for (const [label, y] of [["random", rand], ["y knots", pick(kn.y)], ["±B and tails", special]] as const) {
          const b = sp.inverse(y, params);
          const fw = sp.forward(b.x, params);
          const err = tf.abs(tf.sub(fw.y, y));
          const tol = absolute ? tf.scalar(1e-5) : tf.mul(1e-5, tf.maximum(1, tf.exp(fw.logDet)));
          assert.ok(max(tf.sub(err, tol)) <= 0, `bins ${bins} θ scale ${scale} ${label}: inverse→forward error ${max(err)}`);
        }
        // tails are the identity exactly
        const tails = tf.tensor1d(Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) * (bound * 1.01 + i)));
        const ft = sp.forward(tails, params);
        assert.equal(maxAbs(tf.sub(ft.y, tails)), 0);
        assert.equal(maxAbs(ft.logDet), 0);
      }
    });
  }
});

test("log-determinant equals ln of the autodiff derivative per element, forward and inverse, for rank-1 and rank-3 inputs", () => {
  const sp = rationalQuadraticSpline({ bins: 8, bound: 3 });
  tf.tidy(() => {
    const n = 500;
    const { params } = setup(sp, n, 1, 7);
    const r = new Rng(8);
    const x = tf.tensor1d(Float32Array.from({ length: n }, () => 8 * (r.uniform() - 0.5)));
    for (const dir of ["forward", "inverse"] as const) {
      const run = (t: tf.Tensor) => (dir === "forward" ? sp.forward(t, params).y : sp.inverse(t, params).x);
      const ld = dir === "forward" ? sp.forward(x, params).logDet : sp.inverse(x, params).logDet;
      const g = tf.grad((t: tf.Tensor) => tf.sum(run(t)))(x);
      assert.ok(tf.min(g).dataSync()[0] > 0, `${dir}: derivative must be positive`);
      const diff = maxAbs(tf.sub(tf.log(g), ld));
      assert.ok(diff < 2e-4, `${dir}: |ln T' − logDet| = ${diff}`);
    }
    // rank 3: x [2, 3, 4] with params [2, 3, 4, P]; logDet [2] is the sum over each sample's 12 elements
    const x3 = tf.reshape(tf.slice(x, [0], [24]), [2, 3, 4]);
    const p3 = tf.reshape(tf.slice(params, [0, 0], [24, -1]), [2, 3, 4, sp.paramsPerElement]);
    const f3 = sp.forward(x3, p3);
    assert.deepEqual(f3.y.shape, [2, 3, 4]);
    assert.deepEqual(f3.logDet.shape, [2]);
    const per = sp.forward(tf.slice(x, [0], [24]), tf.slice(params, [0, 0], [24, -1])).logDet;
    const sums = tf.sum(tf.reshape(per, [2, 12]), 1);
    assert.ok(maxAbs(tf.sub(sums, f3.logDet)) < 1e-5);
    assert.ok(maxAbs(tf.sub(tf.reshape(f3.y, [-1]), sp.forward(tf.slice(x, [0], [24]), tf.slice(params, [0, 0], [24, -1])).y)) < 1e-6);
  });
});

test("monotone: on a dense grid through all bins and tails, y is strictly increasing", () => {
  const sp = rationalQuadraticSpline({ bins: 10, bound: 2 });
  tf.tidy(() => {
    const rows = 16, m = 2001;
    const { params } = setup(sp, rows, 1.5, 11);
    const x = tf.tile(tf.expandDims(tf.linspace(-3, 3, m), 0), [rows, 1]);
    const p = tf.tile(tf.expandDims(params, 1), [1, m, 1]);
    const y = sp.forward(x, p).y;
    const dy = tf.sub(tf.slice(y, [0, 1], [rows, m - 1]), tf.slice(y, [0, 0], [rows, m - 1]));
    assert.ok(tf.min(dy).dataSync()[0] >= 0, "y must not decrease");
    // strictly: the float32 steps are positive except where the spline is flatter than the grid's resolution allows
    assert.ok(tf.sum(tf.cast(tf.lessEqual(dy, 0), "float32")).dataSync()[0] < 1e-3 * rows * m);
    const yInv = sp.inverse(x, p).x;
    const dx = tf.sub(tf.slice(yInv, [0, 1], [rows, m - 1]), tf.slice(yInv, [0, 0], [rows, m - 1]));
    assert.ok(tf.min(dx).dataSync()[0] >= 0, "the inverse must not decrease");
  });
});

test("gradients w.r.t. the parameters are finite, and zero for elements in the tails", () => {
  const sp = rationalQuadraticSpline({ bins: 8, bound: 2 });
  tf.tidy(() => {
    const { params } = setup(sp, 6, 2, 13);
    const x = tf.tensor1d([-3, -2, -0.5, 0, 1.999, 2.5]);
    for (const dir of ["forward", "inverse"] as const) {
      const g = tf.grad((q: tf.Tensor) => {
        const r = dir === "forward" ? sp.forward(x, q) : sp.inverse(x, q);
        const out = dir === "forward" ? (r as { y: tf.Tensor }).y : (r as { x: tf.Tensor }).x;
        return tf.add(tf.sum(tf.sin(out)), tf.sum(r.logDet));
      })(params);
      assert.ok(tf.all(tf.isFinite(g)).dataSync()[0] === 1, `${dir}: non-finite gradient`);
      const rows = g.arraySync() as number[][];
      assert.ok(rows[0].every((v) => v === 0) && rows[5].every((v) => v === 0), `${dir}: tails must not depend on θ`);
      assert.ok(rows[2].some((v) => Math.abs(v) > 1e-3), `${dir}: the interior depends on θ`);
    }
  });
});

test("hand-written gradients equal tfjs autodiff w.r.t. inputs and parameters, both directions (rel. 1e-3)", () => {
  for (const opts of [{ bins: 7, bound: 3 }, { bins: 5, bound: 2, minBinWidth: 1e-2, minBinHeight: 2e-3, minDerivative: 0.05 }]) {
    const a = rationalQuadraticSpline(opts);
    const b = rationalQuadraticSpline({ ...opts, customGradient: false });
    tf.tidy(() => {
      const n = 400;
      const { params } = setup(a, n, 1, 17);
      const r = new Rng(18);
      const x = tf.tensor2d(Float32Array.from({ length: n }, () => 8 * (r.uniform() - 0.5)), [n / 2, 2]);
      const p = tf.reshape(params, [n / 2, 2, a.paramsPerElement]);
      const wts = r.normalTensor([n / 2, 2]);
      for (const dir of ["forward", "inverse"] as const) {
        const loss = (sp: RationalQuadraticSpline) => (u: tf.Tensor, q: tf.Tensor) => {
          const o = dir === "forward" ? sp.forward(u, q) : sp.inverse(u, q);
          const out = "y" in o ? o.y : o.x;
          return tf.add(tf.sum(tf.mul(tf.sin(out), wts)), tf.sum(tf.mul(o.logDet, 0.7))) as tf.Scalar;
        };
        const ga = tf.grads(loss(a))([x, p]), gb = tf.grads(loss(b))([x, p]);
        ["x", "params"].forEach((name, i) => {
          const rel = max(tf.div(tf.abs(tf.sub(ga[i], gb[i])), tf.add(tf.abs(gb[i]), 0.1)));
          assert.ok(rel < 1e-3, `${JSON.stringify(opts)} ${dir} ∂/∂${name}: relative difference ${rel}`);
          assert.ok(maxAbs(gb[i]) > 0.1, `${dir} ∂/∂${name} is not trivially zero`);
        });
      }
    });
  }
});

test("no tensor leaks: forward, inverse, knotsOf and gradients leave the count unchanged", () => {
  const sp = rationalQuadraticSpline();
  const x = tf.ones([3, 2]);
  const p = tf.zeros([3, 2, sp.paramsPerElement]);
  const bad = tf.zeros([3, 2, 5]);
  const before = tf.memory().numTensors;
  const f = sp.forward(x, p);
  const b = sp.inverse(f.y, p);
  const k = sp.knotsOf(p);
  tf.dispose([f.y, f.logDet, b.x, b.logDet, k.x, k.y, k.derivative]);
  tf.tidy(() => {
    tf.grads((a: tf.Tensor, q: tf.Tensor) => tf.sum(sp.inverse(a, q).logDet))([x, p]);
  });
  assert.throws(() => sp.forward(x, bad));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, p, bad]);
});

test("bad arguments are named, before any work", () => {
  const sp = rationalQuadraticSpline({ bins: 4 });
  const x = tf.zeros([2, 3]);
  const cases: [() => unknown, RegExp][] = [
    [() => rationalQuadraticSpline({ bins: 1 }), /rationalQuadraticSpline: bins must be ≥ 2/],
    [() => rationalQuadraticSpline({ bins: 2.5 }), /rationalQuadraticSpline: bins must be an integer/],
    [() => rationalQuadraticSpline({ bound: 0 }), /rationalQuadraticSpline: bound must be > 0/],
    [() => rationalQuadraticSpline({ bound: Infinity }), /rationalQuadraticSpline: bound must be a finite number/],
    [() => rationalQuadraticSpline({ bins: 4, minBinWidth: 0.25 }), /rationalQuadraticSpline: minBinWidth must be < 1\/bins/],
    [() => rationalQuadraticSpline({ minBinHeight: -1 }), /rationalQuadraticSpline: minBinHeight must be > 0/],
    [() => rationalQuadraticSpline({ minDerivative: 1 }), /rationalQuadraticSpline: minDerivative must be < 1/],
    [() => rationalQuadraticSpline({ bins: 1024 }), /rationalQuadraticSpline: minBinWidth must be given with bins = 1024/],
    [() => rationalQuadraticSpline({ knots: 3 } as never), /rationalQuadraticSpline: unknown option "knots"/],
    [() => rationalQuadraticSpline({ customGradient: 1 } as never), /rationalQuadraticSpline: customGradient must be true or false/],
    [() => sp.forward(x, tf.zeros([2, 3, 10])), /rationalQuadraticSpline.forward: params must have shape \[2, 3, 11\]/],
    [() => sp.inverse(x, tf.zeros([2, 11])), /rationalQuadraticSpline.inverse: params must have shape \[2, 3, 11\]/],
    [() => sp.forward(null as never, tf.zeros([2, 11])), /rationalQuadraticSpline.forward: x must be a tensor/],
    [() => sp.knotsOf(tf.zeros([2, 3])), /rationalQuadraticSpline.knotsOf: params must be a tensor whose last axis has paramsPerElement = 11/],
  ];
  for (const [run, msg] of cases) tf.tidy(() => assert.throws(run, msg));
  assert.equal(sp.paramsPerElement, 11);
  assert.deepEqual(sp.config, { name: "spline", bins: 4, bound: 5, minBinWidth: 1e-3, minBinHeight: 1e-3, minDerivative: 1e-3 });
  x.dispose();
});
