/**
 * van-4a in its quick setting (SK N = 20, β = 0.1, 0.5, 1, 2, 3, 5; VAN
 * with 300 steps): the CSV's columns, and the physics — at β = 1 the naive
 * mean field's relative error of F is more than ten times the VAN's (the VAN's
 * below 1 %), NMF is an upper bound on F at every β, and a mean-field method
 * that does not converge is a row with null values and the reason, not a crash.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../tempdir";
import { run } from "../../src/figures/index";

test("van-4a quick: columns, NMF's error larger than VAN's at β = 1, NMF an upper bound, missing points with a reason", async () => {
  const out = tempDir("bz-van4a-");
  const r = await run("van-4a", { out, progress: false });
  assert.equal(r.complete, true);
  const header = fs.readFileSync(path.join(out, "van-4a.csv"), "utf8").split("\n")[0];
  assert.equal(header, "n,beta,method,freeEnergy,freeEnergyError,exactFreeEnergy,relativeError,relativeErrorError,status,note");
  assert.equal(r.rows.length, 24);
  const at = (method: string, beta: number) => r.rows.find((x) => x.method === method && x.beta === beta);
  const van = at("VAN (MADE)", 1)?.relativeError as number;
  const nmf = at("naive mean field", 1)?.relativeError as number;
  assert.ok(van < 0.01, `VAN |ΔF/F| at β=1: ${van}`);
  assert.ok(nmf > 10 * van, `NMF ${nmf} vs VAN ${van}`);
  for (const row of r.rows) {
    if (row.status === "ok") assert.equal(typeof row.relativeError, "number", JSON.stringify(row));
    else {
      assert.match(String(row.status), /^not converged: meanfield\.(tap|bethe): did not converge/);
      assert.equal(row.freeEnergy, null);
    }
    if (row.method === "naive mean field") assert.ok((row.freeEnergy as number) >= (row.exactFreeEnergy as number) - 1e-12, `NMF bound at β=${row.beta}`);
    // F_q ≥ F within 3 standard errors
    if (row.method === "VAN (MADE)") assert.ok((row.freeEnergy as number) > (row.exactFreeEnergy as number) - 3 * (row.freeEnergyError as number), `F_q bound at β=${row.beta}`);
  }
  assert.equal(r.headline?.vanRelativeError, van);
});
