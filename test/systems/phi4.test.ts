import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import { freePhi4, parsePhi4Spec, phi4, phi4Estimates, isPhi4Spec } from "../../src/systems/continuous/phi4";

ensureBackend();

/** The action by a direct double loop over sites and the two forward neighbours, written independently. */
function directAction(x: ArrayLike<number>, L: number, m2: number, lambda: number): number {
  let s = 0;
  const at = (r: number, c: number) => x[((r + L) % L) * L + ((c + L) % L)];
  for (let r = 0; r < L; r++) {
    for (let c = 0; c < L; c++) {
      const v = at(r, c);
      s += -2 * v * at(r + 1, c) - 2 * v * at(r, c + 1) + (4 + m2) * v * v + lambda * v ** 4;
    }
  }
  return s;
}

test("phi4: energyOf equals the direct action; the tensor energy agrees (float32); a constant field has the on-site action", () => {
  const rng = new Rng(1);
  for (const [L, m2, lambda] of [[4, -4, 8], [5, 1, 0], [2, -1.5, 0.7], [8, 0.3, 2]] as const) {
    const s = phi4({ L, m2, lambda });
    assert.equal(s.dim, L * L);
    const xs: Float64Array[] = [];
    for (let k = 0; k < 6; k++) {
      const x = new Float64Array(L * L);
      rng.fillNormal(x);
      xs.push(x);
      const want = directAction(x, L, m2, lambda);
      assert.ok(Math.abs(s.energyOf(x) - want) < 1e-10 * (1 + Math.abs(want)), `L=${L}: ${s.energyOf(x)} vs ${want}`);
    }
    const flat = new Float32Array(6 * L * L);
    xs.forEach((x, k) => flat.set(x, k * L * L));
    const e = tf.tidy(() => s.energy(tf.tensor2d(flat, [6, L * L])).arraySync() as number[]);
    xs.forEach((x, k) => {
      const want = s.energyOf(Float32Array.from(x));
      assert.ok(Math.abs(e[k] - want) < 1e-4 * (1 + Math.abs(want)), `tensor energy ${e[k]} vs ${want}`);
    });
    // φ ≡ a: −2·2·a² per site from the bonds, (4 + m²)a² + λa⁴ on site: V(m² a² + λ a⁴)
    const a = 0.7;
    const c = new Float64Array(L * L).fill(a);
    assert.ok(Math.abs(s.energyOf(c) - L * L * (m2 * a * a + lambda * a ** 4)) < 1e-10 * L * L);
  }
});

test("phi4: gradientOf against central finite differences of energyOf", () => {
  const rng = new Rng(2);
  for (const [L, m2, lambda] of [[4, -4, 8], [3, 0.5, 1.3], [2, 1, 0]] as const) {
    const s = phi4({ L, m2, lambda });
    const x = new Float64Array(L * L);
    rng.fillNormal(x);
    const g = s.gradientOf(x);
    const h = 1e-5;
    for (let i = 0; i < x.length; i++) {
      const xp = Float64Array.from(x), xm = Float64Array.from(x);
      xp[i] += h;
      xm[i] -= h;
      const fd = (s.energyOf(xp) - s.energyOf(xm)) / (2 * h);
      assert.ok(Math.abs(fd - g[i]) < 1e-5 * (1 + Math.abs(g[i])), `L=${L} site ${i}: ${g[i]} vs ${fd}`);
    }
    // the out array is filled and returned
    const out = new Float64Array(L * L);
    assert.equal(s.gradientOf(x, out), out);
    assert.deepEqual(Array.from(out), Array.from(g));
  }
});

test("phi4: the tensor energy's autodiff gradient equals gradientOf", () => {
  const s = phi4({ L: 4, m2: -2, lambda: 3 });
  const x = new Float64Array(16);
  new Rng(3).fillNormal(x);
  const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(s.energy(t as tf.Tensor2D)))(tf.tensor2d(Float32Array.from(x), [1, 16])).dataSync());
  const want = s.gradientOf(Float32Array.from(x));
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(g[i] - want[i]) < 1e-4 * (1 + Math.abs(want[i])), `site ${i}: ${g[i]} vs ${want[i]}`);
});

test("freePhi4: ⟨φ²⟩ from the momentum sum equals the diagonal of (2K)⁻¹ by direct inversion; G(t) sums to χ", () => {
  for (const [L, m2] of [[4, 1], [3, 0.5], [6, 2]] as const) {
    const V = L * L;
    // K = (4 + m²) I − A; invert 2K by Gauss–Jordan in float64
    const n = V;
    const A = new Float64Array(n * 2 * n);
    for (let r = 0; r < L; r++) for (let c = 0; c < L; c++) {
      const i = r * L + c;
      A[i * 2 * n + i] += 2 * (4 + m2);
      for (const [dr, dc] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) A[i * 2 * n + (((r + dr + L) % L) * L + ((c + dc + L) % L))] -= 2;
      A[i * 2 * n + n + i] = 1;
    }
    for (let p = 0; p < n; p++) {
      const piv = A[p * 2 * n + p];
      for (let j = 0; j < 2 * n; j++) A[p * 2 * n + j] /= piv;
      for (let q = 0; q < n; q++) {
        if (q === p) continue;
        const f = A[q * 2 * n + p];
        if (f !== 0) for (let j = 0; j < 2 * n; j++) A[q * 2 * n + j] -= f * A[p * 2 * n + j];
      }
    }
    const C = (i: number, j: number) => A[i * 2 * n + n + j];
    let diag = 0;
    for (let i = 0; i < n; i++) diag += C(i, i);
    const ex = freePhi4({ L, m2 });
    assert.ok(Math.abs(ex.phi2 - diag / n) < 1e-12, `L=${L}: ${ex.phi2} vs ${diag / n}`);
    for (let t = 0; t < L; t++) {
      let g = 0;
      for (let c = 0; c < L; c++) g += C(0, t * L + c);
      assert.ok(Math.abs(ex.twoPoint[t] - g) < 1e-12, `G(${t})`);
    }
    let chi = 0;
    for (let t = 0; t < L; t++) chi += ex.twoPoint[t];
    assert.ok(Math.abs(chi - ex.susceptibility) < 1e-12);
    let varM = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) varM += C(i, j);
    assert.ok(Math.abs(varM / V - ex.susceptibility) < 1e-12);
  }
});

test("phi4Estimates: exact Gaussian samples of the free theory give ⟨φ²⟩, ⟨|M|⟩/V, χ and G(t) within their errors", () => {
  // free field sampled exactly in momentum space is awkward; sample φ = (2K)^{-1/2} ξ by Cholesky instead
  const L = 4, m2 = 1, V = 16;
  const K = new Float64Array(V * V);
  for (let r = 0; r < L; r++) for (let c = 0; c < L; c++) {
    const i = r * L + c;
    K[i * V + i] += 2 * (4 + m2);
    for (const [dr, dc] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) K[i * V + (((r + dr + L) % L) * L + ((c + dc + L) % L))] -= 2;
  }
  // Cholesky of 2K = U U^T; φ = U^{-T} ξ has covariance (2K)^{-1}
  const U = new Float64Array(V * V);
  for (let i = 0; i < V; i++) for (let j = 0; j <= i; j++) {
    let s = K[i * V + j];
    for (let k = 0; k < j; k++) s -= U[i * V + k] * U[j * V + k];
    U[i * V + j] = i === j ? Math.sqrt(s) : s / U[j * V + j];
  }
  const n = 20000;
  const rng = new Rng(4);
  const xs = new Float64Array(n * V);
  const xi = new Float64Array(V);
  for (let k = 0; k < n; k++) {
    rng.fillNormal(xi);
    // solve Lᵀ φ = ξ (L = lower factor) by back substitution
    for (let i = V - 1; i >= 0; i--) {
      let s = xi[i];
      for (let j = i + 1; j < V; j++) s -= U[j * V + i] * xs[k * V + j];
      xs[k * V + i] = s / U[i * V + i];
    }
  }
  const est = phi4Estimates({ samples: xs, L });
  const ex = freePhi4({ L, m2 });
  const tol = (v: number) => 5 * v / Math.sqrt(n) * 2;
  assert.ok(Math.abs(est.phi2 - ex.phi2) < tol(ex.phi2), `phi2 ${est.phi2} vs ${ex.phi2}`);
  assert.ok(Math.abs(est.absMagnetization - ex.absMagnetization) < tol(ex.absMagnetization), `|M| ${est.absMagnetization} vs ${ex.absMagnetization}`);
  assert.ok(Math.abs(est.susceptibility2 - ex.susceptibility) < tol(ex.susceptibility), `χ2 ${est.susceptibility2} vs ${ex.susceptibility}`);
  for (let t = 0; t < L; t++) assert.ok(Math.abs(est.twoPoint[t] - ex.twoPoint[t]) < tol(ex.twoPoint[0]), `G(${t}) ${est.twoPoint[t]} vs ${ex.twoPoint[t]}`);
});

test("phi4: observables, geometry and spec parsing", () => {
  const s = parsePhi4Spec("phi4:L=6,m2=-4,lambda=8");
  assert.equal(s.L, 6);
  assert.equal(s.m2, -4);
  assert.equal(s.lambda, 8);
  assert.deepEqual(s.geometry, { grid: [6, 6], periodic: [true, true] });
  assert.match(s.name, /phi4 L=6 m2=-4 lambda=8/);
  const x = new Float64Array(36).map((_, i) => (i % 3) - 1.2);
  let M = 0, q = 0;
  for (const v of x) (M += v), (q += v * v);
  assert.ok(Math.abs(s.observables.magnetization(x) - M / 36) < 1e-14);
  assert.ok(Math.abs(s.observables.absMagnetization(x) - Math.abs(M) / 36) < 1e-14);
  assert.ok(Math.abs(s.observables.phi2(x) - q / 36) < 1e-14);
  assert.equal(s.observables.action(x), s.energyOf(x));
  assert.ok(isPhi4Spec("phi4:L=4,m2=1,lambda=0") && isPhi4Spec("phi4") && !isPhi4Spec("ising:L=4") && !isPhi4Spec("phi42:L=3"));
});

test("phi4 bad input names the function and the argument", () => {
  const cases: [() => unknown, string][] = [
    [() => phi4({ L: 1, m2: 1, lambda: 1 }), "phi4: L must be ≥ 2"],
    [() => phi4({ L: 4.5, m2: 1, lambda: 1 }), "phi4: L must be an integer"],
    [() => phi4({ L: 4, m2: NaN, lambda: 1 }), "phi4: m2 must be a finite number"],
    [() => phi4({ L: 4, m2: 1, lambda: -1 }), "phi4: lambda must be ≥ 0"],
    [() => phi4({ L: 4, m2: -1, lambda: 0 }), "needs m2 > 0"],
    [() => phi4({ L: 4, m2: 1, lambda: 1, mu: 2 } as never), 'unknown option "mu"'],
    [() => parsePhi4Spec("ising:L=4"), 'must start with "phi4:"'],
    [() => parsePhi4Spec("phi4:L=4,m2=1"), "lambda is required"],
    [() => parsePhi4Spec("phi4:L=4,m2=x,lambda=1"), "m2 must be a number"],
    [() => parsePhi4Spec("phi4:L=4,m2=1,lambda=1,g=2"), 'unknown key "g"'],
    [() => parsePhi4Spec("phi4:L=4,L=5,m2=1,lambda=1"), 'key "L" given twice'],
    [() => parsePhi4Spec("phi4:L=1,m2=1,lambda=1"), "L must be ≥ 2"],
    [() => parsePhi4Spec("phi4:L"), "must be key=value"],
    [() => freePhi4({ L: 4, m2: 0 }), "freePhi4: m2 must be > 0"],
    [() => phi4Estimates({ samples: new Float64Array(16), L: 4 }), "phi4Estimates: samples must hold n·16 numbers with n ≥ 2"],
    [() => phi4Estimates({ samples: new Float64Array(32), L: 4, weights: [1] }), "weights must have 2 entries"],
    [() => phi4({ L: 4, m2: 1, lambda: 1 }).energy(tf.zeros([2, 15]) as tf.Tensor2D), "energy: x must have shape [batch, 16]"],
  ];
  for (const [f, msg] of cases) assert.throws(f, (e: Error) => e.message.includes(msg), msg);
});

test("phi4 energy frees its intermediate tensors", () => {
  const s = phi4({ L: 4, m2: -4, lambda: 8 });
  const x = tf.randomNormal([3, 16]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const e = s.energy(x);
  assert.equal(tf.memory().numTensors, before + 1);
  tf.dispose([e, x]);
});
