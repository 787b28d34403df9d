/**
 * van-4b in its quick setting at two of its β values (0.5 and 2; SK N = 20,
 * couplings from exact correlations): the CSV's columns, and the physics —
 * TAP equals NMF at zero field; at β = 0.5 (weak coupling) NMF's RMS error is
 * below 10 % of the coupling scale and SM's below NMF's; at β = 2 the VAN's
 * likelihood inversion is more than five times better than NMF and better
 * than SM and IP, with an error bar.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../tempdir";
import { run } from "../../src/figures/index";

test("van-4b quick (β = 0.5, 2): columns; TAP = NMF at zero field; VAN far below NMF at β = 2", async () => {
  const out = tempDir("bz-van4b-");
  const r = await run("van-4b", { out, progress: false, settings: { betas: [0.5, 2] } });
  assert.equal(r.complete, true);
  const header = fs.readFileSync(path.join(out, "van-4b.csv"), "utf8").split("\n")[0];
  assert.equal(header, "n,beta,method,rmsError,rmsErrorError,relativeError,couplingScale,essFraction,seconds,status,note");
  assert.equal(r.rows.length, 10);
  for (const row of r.rows) assert.equal(row.status, "ok", JSON.stringify(row));
  const at = (method: string, beta: number) => r.rows.find((x) => x.method === method && x.beta === beta)?.rmsError as number;
  const scale = r.rows[0].couplingScale as number;
  assert.ok(Math.abs(scale - Math.sqrt((19 / 20) / 20)) < 0.06, `coupling scale ${scale}`); // √(mean J²) ≈ √((N−1)/N²)
  for (const b of [0.5, 2]) assert.equal(at("TAP", b), at("naive mean field", b));
  assert.ok(at("naive mean field", 0.5) < 0.1 * scale, `NMF at β=0.5: ${at("naive mean field", 0.5)}`);
  assert.ok(at("Sessak–Monasson", 0.5) < at("naive mean field", 0.5));
  const van = at("VAN (MADE)", 2);
  assert.ok(van < at("naive mean field", 2) / 5, `VAN ${van} vs NMF ${at("naive mean field", 2)}`);
  assert.ok(van < at("Sessak–Monasson", 2) && van < at("independent pairs", 2), `VAN ${van}`);
  const vr = r.rows.find((x) => x.method === "VAN (MADE)" && x.beta === 2);
  assert.ok(typeof vr?.rmsErrorError === "number" && (vr.rmsErrorError as number) > 0 && (vr.rmsErrorError as number) < van);
  assert.equal(r.headline?.vanRmsErrorAtLargestBeta, van);
  assert.ok((r.headline?.smallestBetaVanBeatsNmf as number) <= 2);
});
