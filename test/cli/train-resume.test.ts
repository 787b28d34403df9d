import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Options, parseArgs } from "../../src/cli/args";
import { trainCommand } from "../../src/cli/train";

const run = (argv: string[]) => {
  const parsed = parseArgs(["train", ...argv]);
  return trainCommand.run(new Options(parsed, "train"), parsed.positional.slice(1));
};

/** history.csv as rows of numbers keyed by column. */
function readCsv(file: string): Record<string, number>[] {
  const [head, ...lines] = fs.readFileSync(file, "utf8").trim().split("\n");
  const cols = head.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, k) => [cols[k], Number(v)])));
}

test("boltzlab train --steps 30 --out A, then --steps 60 --resume A/checkpoint.json --out B: B's steps 31–60 equal those of one --steps 60 run", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bz-train-resume-"));
  const [A, B, C] = ["A", "B", "C"].map((x) => path.join(dir, x));
  const common = ["--system", "sk:n=6,seed=2", "--beta", "1.5", "--batch", "32", "--depth", "2", "--width", "2", "--lr", "0.01",
    "--anneal", "0.9", "--clip", "1", "--samples", "1000", "--seed", "3"];
  await run([...common, "--steps", "30", "--out", A]);
  const b = (await run([...common, "--steps", "60", "--resume", path.join(A, "checkpoint.json"), "--out", B])) as Record<string, unknown>;
  await run([...common, "--steps", "60", "--out", C]);
  const hb = readCsv(path.join(B, "history.csv"));
  const hc = readCsv(path.join(C, "history.csv"));
  // B's history holds the steps this run made: 31–60 (A's file has 1–30)
  assert.deepEqual(hb.map((r) => r.step), Array.from({ length: 30 }, (_, k) => 31 + k));
  assert.equal(readCsv(path.join(A, "history.csv")).length, 30);
  assert.equal(hc.length, 60);
  for (let k = 0; k < 30; k++) {
    for (const col of ["beta", "lr", "freeEnergy", "freeEnergyError", "energy", "gradNorm"]) {
      assert.equal(hb[k][col], hc[30 + k][col], `step ${31 + k}: ${col}`);
    }
  }
  // β was annealing through the resume point (not restarted from β₀)
  assert.ok(hb[0].beta > hc[28].beta && hb[0].beta < 1.5);
  assert.equal(b.steps, 30);
  // the trained models agree, so do their summaries' estimates (same seed for the estimate)
  const sb = JSON.parse(fs.readFileSync(path.join(B, "summary.json"), "utf8"));
  const sc = JSON.parse(fs.readFileSync(path.join(C, "summary.json"), "utf8"));
  assert.deepEqual(sb.fVariational, sc.fVariational);
  // a resume with another β or batch is refused, naming the difference, and writes nothing
  await assert.rejects(run([...common, "--beta", "2", "--steps", "90", "--resume", path.join(C, "checkpoint.json"), "--out", path.join(dir, "D")]), /differs in beta\.beta \(checkpoint 1\.5, now 2\)/);
  await assert.rejects(run([...common, "--batch", "64", "--steps", "90", "--resume", path.join(C, "checkpoint.json"), "--out", path.join(dir, "D")]), /differs in batch \(checkpoint 32, now 64\)/);
  await assert.rejects(run([...common, "--steps", "60", "--resume", path.join(C, "checkpoint.json"), "--out", path.join(dir, "D")]), /steps \(60\) is the total and .* is already at step 60/);
  assert.equal(fs.existsSync(path.join(dir, "D")), false);
  fs.rmSync(dir, { recursive: true });
});
