import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { Options, parseArgs } from "../../src/cli/args";
import { flowCommand } from "../../src/cli/flow";

const run = (argv: string[]) => {
  const parsed = parseArgs(["flow", ...argv]);
  return flowCommand.run(new Options(parsed, "flow"), parsed.positional.slice(1));
};

test("boltzlab flow prints the summary keys, writes history and summary with --out, and frees its tensors", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bz-flow-"));
  const before = tf.memory().numTensors;
  const r = (await run(["--loss", "combined", "--steps", "6", "--seed", "1", "--samples", "4000", "--layers", "2", "--hidden", "8", "--batch", "64", "--out", dir])) as Record<string, any>;
  assert.equal(tf.memory().numTensors, before);
  for (const k of ["essFraction", "deltaF", "deltaFExact", "minorWellFraction", "msPerStep"]) assert.ok(k in r, `missing ${k}`);
  assert.ok(r.essFraction > 0 && r.essFraction <= 1);
  // the estimator layer's diagnostics: k̂ (null when not finite) and the warnings, also printed on stderr
  assert.ok(r.paretoK === null || typeof r.paretoK === "number");
  assert.ok(Array.isArray(r.warnings) && r.warnings.every((w: unknown) => typeof w === "string"));
  assert.ok(Math.abs(r.deltaFExact - 3.38) < 0.005);
  assert.ok(Math.abs(r.minorWellFraction.exact - 0.0329) < 1e-4);
  assert.equal(r.minorWellFraction.well, "right");
  assert.ok("mean" in r.deltaF && "error" in r.deltaF);
  assert.ok(fs.existsSync(path.join(dir, "history.csv")) && fs.existsSync(path.join(dir, "summary.json")));
  assert.equal(fs.readFileSync(path.join(dir, "history.csv"), "utf8").trim().split("\n").length, 7);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("boltzlab flow rejects unknown systems, losses and options by name", async () => {
  await assert.rejects(run(["--system", "ising"]), /--system must be one of "doublewell"/);
  await assert.rejects(run(["--loss", "kl"]), /--loss must be one of/);
  await assert.rejects(run(["--stepz", "3"]), /unknown option --stepz/);
});
