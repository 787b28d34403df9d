/**
 * bg-doublewell in its quick setting (300 training steps per generator,
 * 20 000 reweighted samples): the CSV's columns and panels, and the physics —
 * the Metropolis chain from the left well never reaches the right one (which
 * holds 3.3 % of the probability), while the combined generator's reweighted
 * ΔF = F_right − F_left is within max(4σ, 0.1 kT) of quadrature's.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../tempdir";
import { run } from "../../src/figures/index";

test("bg-doublewell quick: columns, stuck MCMC, reweighted ΔF against quadrature", async () => {
  const out = tempDir("bz-bgdw-");
  const r = await run("bg-doublewell", { out, progress: false });
  assert.equal(r.complete, true);
  const header = fs.readFileSync(path.join(out, "bg-doublewell.csv"), "utf8").split("\n")[0];
  assert.equal(header, "panel,method,quantity,x,y,value,error,exact");
  assert.deepEqual([...new Set(r.rows.map((x) => x.panel))].sort(), ["profile", "samples", "summary", "trace"]);
  const h = r.headline as Record<string, number>;
  assert.ok(Math.abs(h.exactRightFraction - 0.0329) < 0.001, `exact right-well fraction ${h.exactRightFraction}`);
  assert.ok(h.mcmcRightFraction < 0.005, `MCMC right-well fraction ${h.mcmcRightFraction}`);
  const dev = Math.abs(h.deltaF_combined - h.deltaFExact);
  assert.ok(dev < Math.max(4 * h.deltaFError_combined, 0.1), `ΔF ${h.deltaF_combined} ± ${h.deltaFError_combined} vs ${h.deltaFExact}`);
  for (const k of ["energy", "example", "combined"]) assert.ok(h[`essFraction_${k}`] > 0 && h[`essFraction_${k}`] <= 1, k);
});
