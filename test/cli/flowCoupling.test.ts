import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Options, parseArgs } from "../../src/cli/args";
import { UsageError } from "../../src/core/errors";
import { flowCommand } from "../../src/cli/flow";

const run = (argv: string[]) => {
  const parsed = parseArgs(["flow", ...argv]);
  return flowCommand.run(new Options(parsed, "flow"), parsed.positional.slice(1));
};

test("boltzlab flow --coupling spline trains a neural spline flow on the double well and frees its tensors", async () => {
  const before = tf.memory().numTensors;
  const r = (await run(["--coupling", "spline", "--loss", "combined", "--steps", "6", "--seed", "1", "--samples", "4000", "--layers", "2", "--hidden", "8", "--batch", "64"])) as Record<string, any>;
  assert.equal(tf.memory().numTensors, before);
  assert.equal(r.coupling, "spline");
  assert.ok(r.essFraction > 0 && r.essFraction <= 1);
  assert.ok(Number.isFinite(r.deltaF.mean));
  const a = (await run(["--steps", "2", "--samples", "100", "--layers", "1", "--hidden", "4", "--batch", "8"])) as Record<string, any>;
  assert.equal(a.coupling, "affine", "affine stays the default");
});

test("boltzlab flow refuses an unknown --coupling by name, as a usage error", async () => {
  await assert.rejects(run(["--coupling", "rqs"]), (e: Error) => e instanceof UsageError && /boltzlab flow: --coupling must be one of "affine", "spline"/.test(e.message));
});
