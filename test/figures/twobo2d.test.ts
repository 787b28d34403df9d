/**
 * twobo-2d in its quick setting (the periodic ±J L = 16 instance
 * 2D_EA_PM_L16_0, β = 0.5 … 3, TwoBo and MADE depth 1 with 100 steps of 128
 * samples per β stage): the CSV's columns and the physics — the reference is
 * the exact Pfaffian F; F_q ≥ F within 3 standard errors at every β (the
 * variational bound); TwoBo's relative error of F_q at β = 3 is below a
 * third of MADE's (measured: 3.7e-3 against 0.11) with fewer parameters
 * (12 091 against 32 896), the TwoBo paper's point. Bad settings are refused
 * before any work, leaving the output directory empty.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../tempdir";
import { run } from "../../src/figures/index";

const HEADER = "instance,n,model,parameters,beta,freeEnergyVariational,freeEnergyVariationalError,freeEnergyImportance,freeEnergyImportanceError,paretoK,essFraction,"
  + "referenceFreeEnergy,referenceError,reference,relativeError,relativeErrorError,relativeErrorImportance,relativeErrorImportanceError,status";

test("twobo-2d quick: columns, exact Pfaffian reference, variational bound, TwoBo below MADE at β = 3 with fewer parameters", async () => {
  const out = tempDir("bz-twobo2d-");
  const r = await run("twobo-2d", { out, progress: false });
  assert.equal(r.complete, true);
  const header = fs.readFileSync(path.join(out, "twobo-2d.csv"), "utf8").split("\n")[0];
  assert.equal(header, HEADER);
  assert.equal(r.rows.length, 12);
  for (const row of r.rows) {
    assert.match(String(row.status), /^ok/, JSON.stringify(row));
    assert.equal(row.reference, "exact (pfaffian)");
    assert.equal(row.n, 256);
    const rel = row.relativeError as number;
    assert.ok(rel > -3 * (row.relativeErrorError as number), `${row.model} β=${row.beta}: F_q below F: ${rel}`);
    assert.ok(Math.abs((row.referenceFreeEnergy as number) + 1.4) < 0.5, `F/N at β=${row.beta}: ${row.referenceFreeEnergy}`);
  }
  const at = (model: string) => r.rows.find((x) => x.model === model && x.beta === 3) as Record<string, number>;
  const tb = at("TwoBo");
  const md = at("MADE depth 1");
  assert.ok(tb.relativeError < md.relativeError / 3, `TwoBo ${tb.relativeError} vs MADE ${md.relativeError}`);
  assert.ok(tb.parameters < md.parameters, `parameters ${tb.parameters} vs ${md.parameters}`);
  assert.equal(r.headline?.twoboRelativeError_2D_EA_PM_L16_0, tb.relativeError);
  assert.equal(r.headline?.madeParameters_2D_EA_PM_L16_0, md.parameters);
});

test("twobo-2d: bad settings are refused before any work", async () => {
  const out = tempDir("bz-twobo2d-bad-");
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ instances: ["2D_EA_PM_L99_0"] }, /twobo-2d: instance "2D_EA_PM_L99_0" not found/],
    [{ betas: [2, 1] }, /twobo-2d: betas must increase/],
    [{ betas: [0, 1] }, /twobo-2d: betas must be numbers > 0/],
    [{ models: ["pixelcnn"] }, /twobo-2d: unknown model "pixelcnn"/],
    [{ steps: 0 }, /twobo-2d: steps must be an integer ≥ 1/],
    [{ lr: -1 }, /twobo-2d: lr must be a number > 0/],
  ];
  for (const [settings, message] of cases) await assert.rejects(run("twobo-2d", { out, progress: false, settings }), message, JSON.stringify(settings));
  assert.deepEqual(fs.readdirSync(out), []);
});
