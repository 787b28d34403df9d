/**
 * The exact methods at low temperature, up to β = 1e3 (the ground-state limit):
 * f → E₀/N − ln g/(βN), e → E₀/N, S → ln g/N (g the ground-state degeneracy),
 * C → 0 from above, every quantity finite (or an Error), never null/NaN.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Options, parseArgs } from "../../src/cli/args";
import { exactCommand } from "../../src/cli/exact";
import { enumerate, exact, kacWard, kaufman, kaufmanLattice, onsager, transferMatrix, type ExactResult } from "../../src/exact";
import { ea2d, isingSquare, sk, stateFromIndex, type SpinSystem } from "../../src/systems";

/** Ground-state energy and degeneracy by brute force over all states (independent of the Gray code). */
function groundState(s: SpinSystem): { E0: number; g: number } {
  let E0 = Infinity;
  let g = 0;
  const x = new Float64Array(s.n);
  for (let k = 0; k < 2 ** s.n; k++) {
    const e = s.energyOf(stateFromIndex(k, s.n, x));
    if (e < E0 - 1e-9) {
      E0 = e;
      g = 1;
    } else if (Math.abs(e - E0) <= 1e-9) g++;
  }
  return { E0, g };
}

function assertGroundLimit(r: ExactResult, E0: number, g: number, what: string): void {
  const n = r.n;
  for (const k of ["logZ", "freeEnergyPerSpin", "energyPerSpin", "entropyPerSpin", "specificHeatPerSpin"] as const) {
    assert.ok(typeof r[k] === "number" && Number.isFinite(r[k]), `${what}: ${k} = ${r[k]}`);
  }
  const fExp = E0 / n - Math.log(g) / (r.beta * n);
  assert.ok(Math.abs(r.freeEnergyPerSpin - fExp) < 1e-12 * Math.max(1, Math.abs(fExp)), `${what}: f ${r.freeEnergyPerSpin} vs ${fExp}`);
  assert.ok(Math.abs((r.energyPerSpin as number) - E0 / n) < 1e-12, `${what}: e ${r.energyPerSpin} vs ${E0 / n}`);
  assert.ok(Math.abs((r.entropyPerSpin as number) - Math.log(g) / n) < 1e-9, `${what}: S ${r.entropyPerSpin} vs ln ${g}/${n}`);
  assert.ok((r.specificHeatPerSpin as number) >= 0 && (r.specificHeatPerSpin as number) < 1e-12, `${what}: C ${r.specificHeatPerSpin}`);
}

test("ferromagnet on the torus at β = 200 and 1e3: f = e = −2 per spin, S = ln 2 / N (Kaufman, transfer matrix, enumeration, exact())", () => {
  for (const beta of [200, 1e3]) {
    assertGroundLimit(kaufman(isingSquare({ L: 8 }), beta), -128, 2, `Kaufman 8×8 β=${beta}`);
    assertGroundLimit(exact(isingSquare({ L: 8 }), beta), -128, 2, `exact() 8×8 β=${beta}`);
    assertGroundLimit(kaufmanLattice({ L: 5, cols: 7, beta }), -70, 2, `Kaufman 5×7 β=${beta}`);
    assertGroundLimit(kaufmanLattice({ L: 6, beta, J: -1 }), -72, 2, `Kaufman 6×6 antiferromagnet β=${beta}`);
    assertGroundLimit(transferMatrix(isingSquare({ L: 6, cols: 4 }), beta), -48, 2, `transfer matrix 6×4 β=${beta}`);
    assertGroundLimit(enumerate(isingSquare({ L: 4 }), beta), -32, 2, `enumeration 4×4 β=${beta}`);
  }
});

test("SK N = 12 and a ±J torus at β = 1e3: E₀ and the degeneracy from brute force (enumeration, transfer matrix)", () => {
  const s = sk({ n: 12, seed: 5 });
  const gs = groundState(s);
  assert.equal(gs.g, 2);
  assertGroundLimit(enumerate(s, 1e3), gs.E0, gs.g, "SK 12 enumeration");
  // ±J: a degenerate ground state (g > 2), found by both methods
  const pm = ea2d({ L: 4, seed: 1 });
  const gp = groundState(pm);
  assert.ok(gp.g > 2, `±J degeneracy ${gp.g}`);
  for (const beta of [200, 1e3]) {
    assertGroundLimit(enumerate(pm, beta), gp.E0, gp.g, `±J 4×4 enumeration β=${beta}`);
    assertGroundLimit(transferMatrix(pm, beta), gp.E0, gp.g, `±J 4×4 transfer matrix β=${beta}`);
  }
  // far beyond: the entropy was β⟨E⟩ + ln Z (7e283 at β = 1e300), now ln S0 + β⟨E − E_min⟩
  for (const beta of [1e10, 1e300]) {
    const r = enumerate(s, beta);
    assert.ok(Math.abs((r.entropyPerSpin as number) - Math.LN2 / 12) < 1e-12, `β=${beta}: S ${r.entropyPerSpin}`);
    assert.equal(r.specificHeatPerSpin, 0);
    assert.ok(Math.abs((r.energyPerSpin as number) - gs.E0 / 12) < 1e-14);
  }
  // with fields (no spin-flip symmetry): the unique ground state
  const h = isingSquare({ L: 4, boundary: "open", h: 0.3 });
  assertGroundLimit(transferMatrix(h, 1e3), -24 - 4.8, 1, "open 4×4 with field, transfer matrix");
  assertGroundLimit(enumerate(h, 1e3), -24 - 4.8, 1, "open 4×4 with field, enumeration");
});

test("Kaufman's specific heat is ≥ 0 for β up to 1e3 and matches the transfer matrix where both resolve it", () => {
  for (const [M, N] of [[4, 4], [8, 8], [5, 7], [16, 16], [3, 12]]) {
    let prevF = -Infinity;
    for (let k = 0; k <= 80; k++) {
      const beta = 10 ** (-2 + (5 * k) / 80);
      const r = kaufmanLattice({ L: M, cols: N, beta });
      assert.ok((r.specificHeatPerSpin as number) >= 0, `${M}×${N} β=${beta}: C = ${r.specificHeatPerSpin}`);
      assert.ok(Number.isFinite(r.logZ) && Number.isFinite(r.energyPerSpin as number), `${M}×${N} β=${beta}`);
      // f(β) = −ln Z/(βN) is non-decreasing in β
      assert.ok(r.freeEnergyPerSpin >= prevF - 1e-14, `${M}×${N} β=${beta}: f decreased`);
      prevF = r.freeEnergyPerSpin;
    }
  }
  // L = 8, β = 5 (C was −3e−8 with finite differences): C ≈ 64 β² e^{−8β} (single flips), as the transfer matrix gives
  const s = isingSquare({ L: 8 });
  const k = kaufman(s, 5);
  const t = transferMatrix(s, 5);
  const c = k.specificHeatPerSpin as number;
  assert.ok(c > 0 && Math.abs(c - (t.specificHeatPerSpin as number)) < 1e-4 * c, `C ${c} vs ${t.specificHeatPerSpin}`);
  assert.ok(Math.abs(c - 64 * 25 * Math.exp(-40)) < 1e-3 * c, `C ${c} vs low-T expansion`);
  // and at moderate β, analytic derivatives = transfer matrix
  for (const beta of [0.3, 0.44, 0.6, 1.5]) {
    const a = kaufman(isingSquare({ L: 6, cols: 5 }), beta);
    const b = transferMatrix(isingSquare({ L: 6, cols: 5 }), beta);
    assert.ok(Math.abs((a.energyPerSpin as number) - (b.energyPerSpin as number)) < 1e-12, `e β=${beta}`);
    assert.ok(Math.abs((a.specificHeatPerSpin as number) - (b.specificHeatPerSpin as number)) < 1e-10 * Math.max(1, b.specificHeatPerSpin as number), `C β=${beta}`);
  }
});

test("Onsager at β up to 1e3: f = e = −2, S = C = 0 in the limit, C ≥ 0 and = Kaufman L = 64 at β = 3", () => {
  for (const beta of [1.2, 3, 10, 200, 1e3]) {
    const o = onsager({ beta });
    for (const k of ["freeEnergyPerSpin", "energyPerSpin", "entropyPerSpin", "specificHeatPerSpin", "absMagnetizationPerSpin"] as const) assert.ok(Number.isFinite(o[k] as number), `β=${beta} ${k}`);
    assert.ok((o.specificHeatPerSpin as number) >= 0);
  }
  const o = onsager({ beta: 1e3 });
  assert.equal(o.freeEnergyPerSpin, -2);
  assert.equal(o.energyPerSpin, -2);
  assert.equal(o.absMagnetizationPerSpin, 1);
  const c3 = onsager({ beta: 3 }).specificHeatPerSpin as number;
  const k3 = kaufmanLattice({ L: 64, beta: 3 }).specificHeatPerSpin as number;
  assert.ok(Math.abs(c3 - k3) < 1e-7 * c3, `${c3} vs ${k3}`);
});

test("Kac–Ward refuses β it cannot resolve, and exact() then hands over to the transfer matrix", () => {
  const s = ea2d({ L: 6, seed: 3, boundary: "open", couplings: "gauss" });
  assert.throws(() => kacWard(s, 10), /rounding bound|lost the determinant/);
  const r = exact(s, 10);
  assert.equal(r.method, "transfer-matrix");
  assert.ok(Number.isFinite(r.specificHeatPerSpin as number));
  // ln Z alone is still available at moderate β
  assert.ok(Math.abs(kacWard(s, 5, { logZOnly: true }).freeEnergyPerSpin - transferMatrix(s, 5).freeEnergyPerSpin) < 1e-12);
});

test("boltzlab exact at β = 1e3 prints finite numbers (was null) and the ground-state values", async () => {
  const parsed = parseArgs(["exact", "--system", "ising:L=8", "--beta", "1000"]);
  const out = JSON.parse(JSON.stringify(await exactCommand.run(new Options(parsed, "exact"), []))) as Record<string, number>;
  for (const k of ["logZ", "freeEnergyPerSpin", "energyPerSpin", "entropyPerSpin", "specificHeatPerSpin"]) assert.equal(typeof out[k], "number", k);
  assert.ok(Math.abs(out.freeEnergyPerSpin + 2 + Math.LN2 / 64000) < 1e-12);
  assert.equal(out.energyPerSpin, -2);
  assert.ok(Math.abs(out.entropyPerSpin - Math.LN2 / 64) < 1e-9);
});
