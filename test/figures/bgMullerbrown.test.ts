/**
 * bg-mullerbrown in its quick setting (300 training steps per generator,
 * 20 000 reweighted samples): the CSV's columns and panels, and the physics —
 * Metropolis from the upper-left minimum never enters the lower-right basin
 * x > 0.2 (2.2 % of the probability by quadrature), while the combined
 * generator's reweighted basin probability is within 0.006 of quadrature's
 * and its reweighted ln Z within max(4σ, 0.05) of it.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../tempdir";
import { run } from "../../src/figures/index";

test("bg-mullerbrown quick: columns, stuck MCMC, reweighted basin probability and ln Z against quadrature", async () => {
  const out = tempDir("bz-bgmb-");
  const r = await run("bg-mullerbrown", { out, progress: false });
  assert.equal(r.complete, true);
  const header = fs.readFileSync(path.join(out, "bg-mullerbrown.csv"), "utf8").split("\n")[0];
  assert.equal(header, "panel,method,quantity,x,y,value,error,exact");
  assert.deepEqual([...new Set(r.rows.map((x) => x.panel))].sort(), ["profile", "samples", "summary", "trace"]);
  const h = r.headline as Record<string, number>;
  assert.ok(h.basinFractionExact > 0.015 && h.basinFractionExact < 0.03, `exact basin ${h.basinFractionExact}`);
  assert.ok(h.mcmcBasinFraction < 0.002, `MCMC basin ${h.mcmcBasinFraction}`);
  assert.ok(Math.abs(h.basinFraction_combined - h.basinFractionExact) < 0.006, `combined basin ${h.basinFraction_combined} vs ${h.basinFractionExact}`);
  assert.ok(Math.abs(h.logZ_combined - h.logZExact) < Math.max(4 * h.logZError_combined, 0.05), `ln Z ${h.logZ_combined} ± ${h.logZError_combined} vs ${h.logZExact}`);
});
