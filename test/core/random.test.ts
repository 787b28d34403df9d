import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, resolveRng, setSeed, globalGenerator } from "../../src/core/random";

test("same seed gives the same stream; different seeds differ", () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xa = Array.from({ length: 10 }, () => a.uniform());
  const xb = Array.from({ length: 10 }, () => b.uniform());
  const xc = Array.from({ length: 10 }, () => c.uniform());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test("uniforms have mean 1/2 and variance 1/12 within 5 standard errors", () => {
  const r = new Rng(7);
  const n = 200000;
  let s = 0, s2 = 0;
  for (let k = 0; k < n; k++) { const u = r.uniform(); assert.ok(u >= 0 && u < 1); s += u; s2 += u * u; }
  const mean = s / n, v = s2 / n - mean * mean;
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / n), `mean ${mean}`);
  assert.ok(Math.abs(v - 1 / 12) < 5 * Math.sqrt(1 / 180 / n), `variance ${v}`);
});

test("normals have mean 0, variance 1 and kurtosis 3 within error", () => {
  const r = new Rng(11);
  const n = 200000;
  let s = 0, s2 = 0, s4 = 0;
  for (let k = 0; k < n; k++) { const x = r.normal(); s += x; s2 += x * x; s4 += x ** 4; }
  assert.ok(Math.abs(s / n) < 5 / Math.sqrt(n));
  assert.ok(Math.abs(s2 / n - 1) < 5 * Math.sqrt(2 / n));
  assert.ok(Math.abs(s4 / n - 3) < 5 * Math.sqrt(96 / n));
});

test("int(n) covers 0..n-1 uniformly (chi-square, 9 dof, p≈0.001 cut)", () => {
  const r = new Rng(3);
  const counts = new Array(10).fill(0);
  const n = 100000;
  for (let k = 0; k < n; k++) counts[r.int(10)]++;
  const chi2 = counts.reduce((a, c) => a + (c - n / 10) ** 2 / (n / 10), 0);
  assert.ok(chi2 < 27.9, `chi2 ${chi2}`);
});

test("resolveRng: rng beats seed beats global; bad seeds are named", () => {
  const g = new Rng(5);
  assert.equal(resolveRng({ rng: g, seed: 1 }, "f"), g);
  assert.equal(resolveRng({ seed: 9 }, "f").seed, 9);
  setSeed(123);
  assert.equal(resolveRng(undefined, "f"), globalGenerator());
  assert.equal(globalGenerator().seed, 123);
  assert.throws(() => resolveRng({ seed: -1 }, "myFn"), /myFn: seed must be/);
  assert.throws(() => resolveRng({ seed: 1.5 }, "myFn"), /myFn: seed must be an integer/);
});

test("getState/setState continue the exact stream, including the cached Box–Muller normal; bad states are named", () => {
  const a = new Rng(42);
  a.uniform();
  a.normal(); // leaves a spare normal cached
  const st = JSON.parse(JSON.stringify(a.getState()));
  const next = [a.normal(), a.uniform(), a.nextU32(), a.normal(), a.int(17)];
  const b = new Rng(7);
  b.setState(st);
  assert.deepEqual([b.normal(), b.uniform(), b.nextU32(), b.normal(), b.int(17)], next);
  for (const [bad, msg] of [
    [{ ...st, type: "mt" }, /Rng.setState: state must come from Rng.getState/],
    [{ ...st, words: [1, 2, 3] }, /state.words must be four 32-bit/],
    [{ ...st, words: [0, 0, 0, 0] }, /not all 0/],
    [{ ...st, words: [1, 2, 3, 2 ** 32] }, /state.words/],
    [{ ...st, spare: NaN }, /state.spare/],
  ] as const) {
    assert.throws(() => new Rng(1).setState(bad as never), msg);
  }
});
