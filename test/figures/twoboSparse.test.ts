/**
 * twobo-sparse on its quick systems (3D_EA_PM_L4_0 and RRG_PM_d3_N256_0)
 * at three of its six β values (settings override betas = [1, 2, 3], to keep
 * the test near 20 s of CPU): the CSV's columns and the physics — one
 * population-annealing curve per system, the same in every point that uses
 * it, with a relative error bar below 10⁻³ and F(β)/N increasing with β
 * (dF/dT = −S < 0); F_q ≥ F_PA within 3 combined standard errors at every β
 * (the variational bound); TwoBo's relative error of F_q at β = 3 below a
 * third of MADE's on both systems (quick run measured 5.6e-4 vs 5.3e-2 on
 * the cube, 2.8e-3 vs 0.10 on the graph), with fewer parameters on the
 * graph (10 120 against 32 896). Bad settings are refused before any work.
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
const SYSTEMS = ["3D_EA_PM_L4_0", "RRG_PM_d3_N256_0"];
const BETAS = [1, 2, 3];

test("twobo-sparse quick (three β): columns, population-annealing curve, variational bound, TwoBo below MADE at β = 3", async () => {
  const out = tempDir("bz-twobosparse-");
  const r = await run("twobo-sparse", { out, progress: false, settings: { betas: BETAS } });
  assert.equal(r.complete, true);
  const header = fs.readFileSync(path.join(out, "twobo-sparse.csv"), "utf8").split("\n")[0];
  assert.equal(header, HEADER);
  assert.equal(r.rows.length, 2 * 3 * BETAS.length);
  for (const inst of SYSTEMS) {
    const pa = BETAS.map((b) => r.rows.find((x) => x.instance === inst && x.model === "population annealing" && x.beta === b) as Record<string, number>);
    for (const [k, p] of pa.entries()) {
      assert.ok(p.referenceError > 0 && p.referenceError / Math.abs(p.referenceFreeEnergy) < 1e-3, `${inst} PA error at β=${BETAS[k]}: ${p.referenceError}`);
      if (k > 0) assert.ok(p.referenceFreeEnergy > pa[k - 1].referenceFreeEnergy, `${inst}: F/N not increasing with β at ${BETAS[k]}`);
    }
    for (const row of r.rows.filter((x) => x.instance === inst && x.model !== "population annealing")) {
      assert.match(String(row.status), /^ok/, JSON.stringify(row));
      const k = BETAS.indexOf(row.beta as number);
      assert.equal(row.referenceFreeEnergy, pa[k].referenceFreeEnergy, "every point uses the same reference curve");
      assert.ok((row.relativeError as number) > -3 * (row.relativeErrorError as number), `${inst} ${row.model} β=${row.beta}: F_q below F_PA: ${row.relativeError}`);
    }
    const at = (model: string) => r.rows.find((x) => x.instance === inst && x.model === model && x.beta === 3) as Record<string, number>;
    assert.ok(at("TwoBo").relativeError < at("MADE depth 1").relativeError / 3, `${inst}: TwoBo ${at("TwoBo").relativeError} vs MADE ${at("MADE depth 1").relativeError}`);
  }
  const graph = (model: string) => r.rows.find((x) => x.instance === "RRG_PM_d3_N256_0" && x.model === model) as Record<string, number>;
  assert.ok(graph("TwoBo").parameters < graph("MADE depth 1").parameters);
  assert.equal(typeof r.headline?.paRelativeError_RRG_PM_d3_N256_0, "number");
});

test("twobo-sparse: bad settings are refused before any work", async () => {
  const out = tempDir("bz-twobosparse-bad-");
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ instances: ["RRG_PM_d3_N7_0"] }, /twobo-sparse: instance "RRG_PM_d3_N7_0" not found/],
    [{ instances: ["ea9d:L=2"] }, /ea9d/],
    [{ betas: [1, 1] }, /twobo-sparse: betas must increase/],
    [{ paRuns: 1 }, /twobo-sparse: paRuns must be an integer ≥ 2/],
    [{ paStep: 0 }, /twobo-sparse: paStep must be a number in \(0, betas\[0\]\]/],
    [{ models: ["rbm"] }, /twobo-sparse: unknown model "rbm"/],
  ];
  for (const [settings, message] of cases) await assert.rejects(run("twobo-sparse", { out, progress: false, settings }), message, JSON.stringify(settings));
  assert.deepEqual(fs.readdirSync(out), []);
});

test("twobo-sparse: two shards merged give the CSV of one run (non-finite error bars stored as empty)", async () => {
  const d = tempDir("bz-twobosparse-shard-");
  const settings = { betas: [1, 3], steps: 10, batch: 32, samples: 200, paReplicas: 100, paRuns: 2 };
  await run("twobo-sparse", { out: path.join(d, "one"), progress: false, settings });
  await run("twobo-sparse", { out: path.join(d, "a"), shard: "1/2", progress: false, settings });
  await run("twobo-sparse", { out: path.join(d, "b"), shard: "2/2", progress: false, settings });
  await run("twobo-sparse", { out: path.join(d, "m"), merge: [path.join(d, "a"), path.join(d, "b")], progress: false });
  const one = fs.readFileSync(path.join(d, "one", "twobo-sparse.csv"), "utf8");
  assert.equal(fs.readFileSync(path.join(d, "m", "twobo-sparse.csv"), "utf8"), one);
  assert.doesNotMatch(one, /(^|,)(-?inf|NaN)(,|$)/m);
});
