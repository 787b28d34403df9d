/**
 * van-2b in its quick setting (L = 3, 6 exact at ten β, VAN at L = 6 and
 * three β): the CSV's columns, and the physics — the exact entropy at the
 * largest β (5) equals the finite-size residual entropy ln(g)/N of L = 3
 * (g ground states counted here by brute force) to 1e-6, decreases towards
 * Wannier's 0.3230659669 as L grows (L = 6 within 0.03 of it), and the VAN's
 * reweighted entropy is within 0.02 of the exact value at its β.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../tempdir";
import { run, WANNIER_ENTROPY } from "../../src/figures/index";
import { energiesOf } from "../../src/systems/observables";
import { triangularAF } from "../../src/systems/lattices";

function groundStates(L: number): number {
  const s = triangularAF({ L, boundary: "periodic" });
  const n = s.n;
  const count = 2 ** n;
  const x = new Float32Array(count * n);
  for (let c = 0; c < count; c++) for (let i = 0; i < n; i++) x[c * n + i] = (c >> i) & 1 ? 1 : -1;
  const e = energiesOf(s, x, count);
  const min = Math.min(...e);
  return Array.from(e).filter((v) => Math.abs(v - min) < 1e-9).length;
}

test("van-2b quick: columns, exact entropy at β = 5 against ln(g)/N and Wannier, VAN against exact", async () => {
  const out = tempDir("bz-van2b-");
  const r = await run("van-2b", { out, progress: false });
  assert.equal(r.complete, true);
  const header = fs.readFileSync(path.join(out, "van-2b.csv"), "utf8").split("\n")[0];
  assert.equal(header, "L,beta,method,entropy,entropyError,entropyModel,entropyModelError,energy,essFraction,status");
  const exactAt = (L: number, beta: number) => r.rows.find((x) => x.L === L && x.beta === beta && String(x.method).startsWith("exact"))?.entropy as number;
  const s3 = exactAt(3, 5);
  const s6 = exactAt(6, 5);
  const g3 = groundStates(3);
  assert.ok(Math.abs(s3 - Math.log(g3) / 9) < 1e-6, `L=3: S(β=5) = ${s3}, ln(${g3})/9 = ${Math.log(g3) / 9}`);
  assert.ok(s3 > s6 && s6 > WANNIER_ENTROPY, `approach from above: ${s3} > ${s6} > ${WANNIER_ENTROPY}`);
  assert.ok(s6 - WANNIER_ENTROPY < 0.03, `L=6: ${s6}`);
  assert.equal(r.headline?.exactEntropyL6, s6);
  const van = r.rows.filter((x) => x.method === "VAN (MADE)");
  assert.equal(van.length, 3);
  for (const v of van) {
    const e = exactAt(v.L as number, v.beta as number);
    assert.ok(Math.abs((v.entropy as number) - e) < 0.02, `VAN at β=${v.beta}: ${v.entropy} vs exact ${e}`);
  }
});
