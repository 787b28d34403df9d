import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../src/core/backend";
import { Rng } from "../../src/core/random";
import { modelFromConfig } from "../../src/models/registry";
import { lnI0Scaled, lnI0ScaledTensor, vonMisesDraw, xyMade, XyMade, type XyMadeOptions } from "../../src/models/xyMade";
import { chiSquare } from "../../src/stats/chisquare";

ensureBackend();

const TWO_PI = 2 * Math.PI;

/** ln I₀(x) in float64: the power series Σ (x²/4)^k/(k!)² up to x = 60, the asymptotic series beyond (both ≪ 1e-12 off there). */
function lnI0Reference(x: number): number {
  if (x <= 60) {
    const q = (x * x) / 4;
    let term = 1;
    let sum = 1;
    for (let k = 1; k < 400; k++) {
      term *= q / (k * k);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return Math.log(sum);
  }
  // e^x/√(2πx) Σ_k a_k/x^k with a_k = ((2k−1)!!)²/(k! 8^k)
  let s = 1;
  let a = 1;
  for (let k = 1; k < 12; k++) {
    a *= (2 * k - 1) ** 2 / (k * 8 * x);
    s += a;
  }
  return x - 0.5 * Math.log(2 * Math.PI * x) + Math.log(s);
}

/** Angles of a regular grid over [0, 2π)^n, [G^n × n] row-major (points at (j + offset)·2π/G). */
function angleGrid(n: number, g: number, offset = 0): Float32Array {
  const total = g ** n;
  const out = new Float32Array(total * n);
  for (let idx = 0; idx < total; idx++) {
    let r = idx;
    for (let i = n - 1; i >= 0; i--) {
      out[idx * n + i] = (TWO_PI * ((r % g) + offset)) / g;
      r = Math.floor(r / g);
    }
  }
  return out;
}

function logProbOf(m: XyMade, x: Float32Array): Float32Array {
  return tf.tidy(() => m.logProb(tf.tensor2d(x, [x.length / m.size, m.size])).dataSync() as Float32Array);
}

/** Sharpen a model: every raw concentration's bias set to `r` (κ ≈ softplus(r)), so the tests see peaked conditionals too (no-op without biases). */
function setKappaBias(m: XyMade, r: number): void {
  const k = m.components;
  const at = m.variableNames.indexOf(`b${m.depth - 1}`);
  if (at < 0) return; // a model without biases keeps its concentrations
  const last = m.trainableVariables[at];
  const b = Float32Array.from(last.dataSync());
  for (let i = 0; i < m.size; i++) for (let c = 0; c < k; c++) b[i * 4 * k + 3 * k + c] = r;
  tf.tidy(() => last.assign(tf.tensor1d(b)));
}

test("ln I₀: the A&S 9.8.1/9.8.2 approximation (asymptotic series from κ = 20) is within 1e-7 of the float64 series for κ in [0, 500], in float64 and in the float32 tensor version", () => {
  const ks: number[] = [];
  for (let k = 0; k <= 2000; k++) ks.push(k * 0.01);
  for (let k = 1; k <= 480; k++) ks.push(20 + k);
  let worst = 0;
  for (const k of ks) worst = Math.max(worst, Math.abs(lnI0Scaled(k) + k - lnI0Reference(k)));
  assert.ok(worst < 1e-7, `float64: max |Δ ln I₀| = ${worst}`);
  const t = tf.tidy(() => lnI0ScaledTensor(tf.tensor1d(ks)).dataSync());
  let worstT = 0;
  ks.forEach((k, j) => (worstT = Math.max(worstT, Math.abs(t[j] + k - lnI0Reference(k)) / Math.max(1, Math.abs(t[j])))));
  assert.ok(worstT < 1e-6, `float32 tensor: max |Δ ln(I₀e^{−κ})| = ${worstT}`);
  // the gradient is finite on both sides of the branch point, including κ = 0
  const g = tf.tidy(() => tf.grad((k: tf.Tensor) => tf.sum(lnI0ScaledTensor(k)))(tf.tensor1d([0, 1, 3.75, 4, 100])).dataSync());
  for (const v of g) assert.ok(Number.isFinite(v), `gradient ${Array.from(g)}`);
  // d/dκ ln(I₀ e^{−κ}) = I₁/I₀ − 1: −1 at 0 and ≈ −1/(2κ) for large κ
  assert.ok(Math.abs(g[0] + 1) < 1e-5 && Math.abs(g[4] + 0.5 / 100 + 0.125 / 1e4) < 1e-4, `gradient ${Array.from(g)}`);
});

test("von Mises draws (Best–Fisher) follow VM(μ, κ): chi-square over 40 bins, κ from 0 to 150", () => {
  const bins = 40;
  for (const [kappa, mu] of [[0, 1], [0.05, 2], [1, 5.5], [8, 0.1], [150, 3]] as const) {
    const rng = new Rng(7 + Math.round(kappa));
    const obs = new Float64Array(bins);
    for (let k = 0; k < 20000; k++) {
      const t = vonMisesDraw(rng, mu, kappa);
      assert.ok(t >= 0 && t < TWO_PI);
      obs[Math.floor((t / TWO_PI) * bins)] += 1;
    }
    const exp = new Float64Array(bins);
    const sub = 200;
    for (let j = 0; j < bins * sub; j++) {
      const t = ((j + 0.5) / (bins * sub)) * TWO_PI;
      exp[Math.floor(j / sub)] += Math.exp(kappa * (Math.cos(t - mu) - 1));
    }
    const r = chiSquare({ observed: obs, expected: exp });
    assert.ok(r.pValue > 1e-3, `κ = ${kappa}: χ² = ${r.chi2.toFixed(1)}, dof ${r.dof}, p = ${r.pValue}`);
  }
});

const CONFIGS: Omit<XyMadeOptions, "size">[] = [
  { components: 1, depth: 1 },
  { components: 3, depth: 2, width: 3 },
  { components: 2, depth: 3, width: 2, residual: true, symmetry: "uniformFirst" },
  { components: 4, depth: 2, width: 2, symmetry: "rotation" },
  { components: 2, depth: 2, width: 2, bias: false },
];

test("q integrates to 1 over [0, 2π)^n: 2 sites on a 128² grid, 3 sites on a 48³ grid, to 1e-4, broad and peaked (κ ≈ 5, 30) conditionals", () => {
  for (const [k, cfg] of CONFIGS.entries()) {
    // [sites, grid points per angle, bias of the raw concentrations (null: as initialised)]
    for (const [n, g, r] of [[2, 128, null], [2, 128, 5], [2, 256, 30], [3, 48, null], [3, 48, 5]] as const) {
      const m = xyMade({ size: n, seed: 20 + k, ...cfg });
      if (r !== null) setKappaBias(m, r);
      const lq = logProbOf(m, angleGrid(n, g));
      let z = 0;
      for (const v of lq) z += Math.exp(v);
      z *= (TWO_PI / g) ** n;
      assert.ok(Math.abs(z - 1) < 1e-4, `${JSON.stringify(cfg)} n=${n} κ-bias=${r}: ∫q = ${z}`);
      m.dispose();
    }
  }
});

test("sampled angles follow the model: chi-square of a 1-site histogram (36 bins) and a 2-site joint histogram (12×12 bins) against q integrated over the bins", () => {
  for (const [k, cfg] of CONFIGS.entries()) {
    for (const n of [1, 2]) {
      const m = xyMade({ size: n, seed: 40 + k, ...cfg });
      setKappaBias(m, 1.5);
      const bins = n === 1 ? 36 : 12;
      const sub = n === 1 ? 40 : 8;
      const g = bins * sub;
      const lq = logProbOf(m, angleGrid(n, g, 0.5)); // midpoints of the sub-cells
      const exp = new Float64Array(bins ** n);
      for (let idx = 0; idx < lq.length; idx++) {
        const a = Math.floor(idx / g);
        const b = idx % g;
        const cell = n === 1 ? Math.floor(b / sub) : Math.floor(a / sub) * bins + Math.floor(b / sub);
        exp[cell] += Math.exp(lq[idx]);
      }
      const draws = 20000;
      const s = m.sampleAngles(draws, { seed: 5 + k });
      const obs = new Float64Array(bins ** n);
      for (let b = 0; b < draws; b++) {
        let cell = 0;
        for (let i = 0; i < n; i++) cell = cell * bins + Math.floor((s.x[b * n + i] / TWO_PI) * bins);
        obs[cell] += 1;
      }
      const r = chiSquare({ observed: obs, expected: exp });
      assert.ok(r.pValue > 1e-3, `${JSON.stringify(cfg)} n=${n}: χ² = ${r.chi2.toFixed(1)}, dof ${r.dof}, p = ${r.pValue}`);
      m.dispose();
    }
  }
});

test("the cached sampler's float64 ln q equals the full logProb pass; angles are in [0, 2π); the same seed gives the same samples", () => {
  for (const [k, cfg] of CONFIGS.entries()) {
    const n = 12;
    const m = xyMade({ size: n, seed: 60 + k, ...cfg });
    setKappaBias(m, 2);
    const s = m.sampleAngles(300, { seed: 9 });
    for (const t of s.x) assert.ok(t >= 0 && t < TWO_PI, `angle ${t}`);
    const lq = logProbOf(m, s.x);
    const js = m.logProbArrays(s.x, 300);
    let worst = 0;
    let worstJs = 0;
    for (let b = 0; b < 300; b++) {
      worst = Math.max(worst, Math.abs(lq[b] - s.logProb[b]));
      worstJs = Math.max(worstJs, Math.abs(js[b] - s.logProb[b]));
    }
    assert.ok(worst < 1e-4, `${JSON.stringify(cfg)}: max |ln q sampler − ln q pass| = ${worst}`);
    // logProbArrays evaluates the float32-rounded angles: only that rounding separates it from the sampler's ln q
    assert.ok(worstJs < 1e-4, `${JSON.stringify(cfg)}: max |ln q sampler − logProbArrays| = ${worstJs}`);
    const again = m.sampleAngles(300, { seed: 9 });
    assert.deepEqual(again.x, s.x);
    const other = m.sampleAngles(300, { seed: 10 });
    assert.notDeepEqual(other.x, s.x);
    m.dispose();
  }
});

test("autoregressive: changing θ_j leaves the conditionals of sites ≤ j unchanged and changes later ones", () => {
  const n = 6;
  for (const cfg of CONFIGS) {
    const m = xyMade({ size: n, seed: 3, ...cfg });
    const s = m.sampleAngles(4, { seed: 1 });
    for (let j = 0; j < n; j++) {
      const y = Float32Array.from(s.x);
      for (let b = 0; b < 4; b++) y[b * n + j] = (y[b * n + j] + 1.3) % TWO_PI;
      const [a, c] = tf.tidy(() => [m.siteLogProb(tf.tensor2d(s.x, [4, n])).arraySync(), m.siteLogProb(tf.tensor2d(y, [4, n])).arraySync()]);
      for (let b = 0; b < 4; b++) {
        for (let i = 0; i < j; i++) assert.ok(Math.abs(a[b][i] - c[b][i]) < 1e-6, `${JSON.stringify(cfg)}: site ${i} moved with θ_${j}`);
        if (j + 1 < n && cfg.depth !== 1 && !(cfg.symmetry === "rotation" && j === 0)) {
          let moved = 0;
          for (let i = j + 1; i < n; i++) moved = Math.max(moved, Math.abs(a[b][i] - c[b][i]));
          assert.ok(moved > 1e-4, `${JSON.stringify(cfg)}: no later site depends on θ_${j}`);
        }
      }
    }
    m.dispose();
  }
});

test("symmetry: \"uniformFirst\" gives q(θ_0) = 1/2π; \"rotation\" makes q invariant under global rotations (\"none\" is not)", () => {
  const n = 5;
  const uf = xyMade({ size: n, seed: 4, symmetry: "uniformFirst" });
  setKappaBias(uf, 3);
  const s = uf.sampleAngles(50, { seed: 2 });
  const site = tf.tidy(() => uf.siteLogProb(tf.tensor2d(s.x, [50, n])).arraySync());
  for (const row of site) assert.ok(Math.abs(row[0] + Math.log(TWO_PI)) < 1e-6, `ln q_0 = ${row[0]}`);
  uf.dispose();
  for (const sym of ["rotation", "none"] as const) {
    const m = xyMade({ size: n, seed: 4, symmetry: sym });
    setKappaBias(m, 3);
    const x = m.sampleAngles(50, { seed: 3 }).x;
    const rotated = x.map((t, k) => (t + 0.7 + 0.1 * Math.floor(k / n)) % TWO_PI);
    const a = logProbOf(m, x);
    const b = logProbOf(m, rotated);
    let worst = 0;
    for (let k = 0; k < 50; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
    if (sym === "rotation") assert.ok(worst < 1e-4, `rotation: max |Δ ln q| = ${worst}`);
    else assert.ok(worst > 1e-2, `none: max |Δ ln q| = ${worst} (expected to change)`);
    m.dispose();
  }
});

test("config()/fromConfig and the registry rebuild the same architecture; with the weights copied, the same ln q", () => {
  const m = xyMade({ size: 6, components: 3, depth: 3, width: 2, residual: true, kappaMax: 50, symmetry: "rotation", seed: 1 });
  const c = m.config();
  assert.deepEqual(c, { type: "xymade", size: 6, components: 3, depth: 3, width: 2, residual: true, bias: true, kappaMax: 50, symmetry: "rotation" });
  const r = modelFromConfig(c) as XyMade;
  assert.ok(r instanceof XyMade);
  assert.deepEqual(r.config(), c);
  assert.deepEqual(r.variableNames, m.variableNames);
  r.trainableVariables.forEach((v, k) => v.assign(m.trainableVariables[k]));
  const x = m.sampleAngles(20, { seed: 1 }).x;
  assert.deepEqual(Array.from(logProbOf(r, x)), Array.from(logProbOf(m, x)));
  assert.ok(m.parameterCount() > 0);
  m.dispose();
  r.dispose();
});

test("no tensor leaks over sampling, logProb, conditionals and gradients; dispose frees everything", () => {
  const before = tf.memory().numTensors;
  const m = xyMade({ size: 8, components: 3, depth: 3, width: 2, symmetry: "rotation", seed: 1 });
  for (let k = 0; k < 10; k++) {
    const s = m.sample(16, { seed: k });
    const lq = m.logProb(s.x);
    const c = m.conditionals(s.x);
    const g = tf.variableGrads(() => tf.mean(m.logProb(s.x)) as tf.Scalar, m.trainableVariables);
    for (const v of Object.values(g.grads)) assert.ok((v.dataSync() as Float32Array).every(Number.isFinite));
    tf.dispose([s.x, s.logProb, lq, c.logWeights, c.kappa, c.ux, c.uy, g.value, ...Object.values(g.grads)]);
  }
  m.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("bad arguments throw Errors that name the argument, before any work", () => {
  const before = tf.memory().numTensors;
  const cases: [() => unknown, RegExp][] = [
    [() => xyMade(undefined as unknown as XyMadeOptions), /xyMade: options must be an object/],
    [() => xyMade({ size: 0 }), /xyMade: size/],
    [() => xyMade({ size: 2.5 }), /xyMade: size/],
    [() => xyMade({ size: 4, components: 0 }), /xyMade: components/],
    [() => xyMade({ size: 4, depth: 0 }), /xyMade: depth/],
    [() => xyMade({ size: 4, width: 1.5 }), /xyMade: width/],
    [() => xyMade({ size: 4, kappaMax: 0 }), /xyMade: kappaMax/],
    [() => xyMade({ size: 4, kappaMax: 1e5 }), /xyMade: kappaMax/],
    [() => xyMade({ size: 4, symmetry: "z2" as unknown as "none" }), /xyMade: symmetry/],
    [() => xyMade({ size: 4, residual: 1 as unknown as boolean }), /xyMade: residual/],
    [() => xyMade({ size: 4, compnents: 3 } as unknown as XyMadeOptions), /unknown option "compnents"/],
    [() => XyMade.fromConfig({ type: "made", size: 4 }), /xyMade.fromConfig: config.type must be "xymade"/],
    [() => XyMade.fromConfig({ type: "xymade", size: 4, z2: true }), /xyMade.fromConfig: unknown config key "z2"/],
  ];
  for (const [f, re] of cases) assert.throws(f, re);
  assert.equal(tf.memory().numTensors, before, "a refused constructor left tensors behind");
  const m = xyMade({ size: 4, seed: 1 });
  assert.throws(() => m.sampleAngles(0), /xyMade.sample: batch/);
  assert.throws(() => m.logProbArrays([0, 1, 2], 1), /xyMade.logProbArrays: x must hold batch·size = 4 angles, got 3/);
  assert.throws(() => m.logProbArrays([0, 1, NaN, 2], 1), /xyMade.logProbArrays: x\[2\] = NaN/);
  assert.throws(() => m.sample(3, { seed: -1 }), /seed/);
  assert.throws(() => tf.tidy(() => m.logProb(tf.ones([2, 5]) as tf.Tensor2D)), /xyMade.logProb: theta must be a \[batch, 4\] tensor/);
  assert.throws(() => m.logProb([1, 2] as unknown as tf.Tensor2D), /xyMade.logProb: theta/);
  m.dispose();
  assert.throws(() => m.sample(2), /xyMade.sample: the model has been disposed/);
  assert.throws(() => tf.tidy(() => m.logProb(tf.zeros([1, 4]) as tf.Tensor2D)), /disposed/);
});
