/**
 * van-2a on its quick lattice (8×8 periodic, PixelCNN 120 and MADE 300
 * training steps) at two of its five β values to keep the test near 30 s of
 * CPU (settings override betas = [0.1, 0.44]): the CSV's columns and the
 * physics — F_q ≥ F within 3 standard errors (variational bound), the
 * relative error below 2 %, and larger near β_c = 0.4407 than at β = 0.1
 * for both models (criticality is where the variational problem is hard).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../tempdir";
import { run } from "../../src/figures/index";

test("van-2a quick (two β): columns, variational bound, errors small and largest near β_c", async () => {
  const out = tempDir("bz-van2a-");
  const r = await run("van-2a", { out, progress: false, settings: { betas: [0.1, 0.44] } });
  assert.equal(r.complete, true);
  const header = fs.readFileSync(path.join(out, "van-2a.csv"), "utf8").split("\n")[0];
  assert.equal(header, "L,beta,model,parameters,freeEnergy,freeEnergyError,exactFreeEnergy,relativeError,relativeErrorError,essFraction,status");
  assert.equal(r.rows.length, 4);
  for (const model of ["PixelCNN", "MADE"]) {
    const at = (beta: number) => r.rows.find((x) => x.model === model && x.beta === beta) as Record<string, number>;
    for (const beta of [0.1, 0.44]) {
      const row = at(beta);
      assert.ok(row.relativeError > -3 * row.relativeErrorError, `${model} β=${beta}: F_q below F: ${row.relativeError}`);
      assert.ok(row.relativeError < 0.02, `${model} β=${beta}: ${row.relativeError}`);
    }
    assert.ok(at(0.44).relativeError > at(0.1).relativeError, `${model}: ${at(0.44).relativeError} vs ${at(0.1).relativeError}`);
  }
});
