import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Options, parseArgs } from "../../src/cli/args";
import { flowCommand } from "../../src/cli/flow";
import { runMain } from "./capture";

const run = (argv: string[]) => {
  const parsed = parseArgs(["flow", ...argv]);
  return flowCommand.run(new Options(parsed, "flow"), parsed.positional.slice(1));
};

const SHORT = ["--system", "dimer", "--steps", "4", "--seed", "1", "--samples", "200", "--layers", "2", "--hidden", "8", "--batch", "16", "--sweeps", "60", "--windows", "3", "--window-sweeps", "100"];

test("boltzlab flow --system dimer: a short run prints ΔF, the umbrella reference, ESS, populations and wall times, and frees its tensors", async () => {
  const before = tf.memory().numTensors;
  const r = (await run(SHORT)) as Record<string, any>;
  assert.equal(tf.memory().numTensors, before);
  assert.equal(r.dim, 76);
  assert.equal(r.split, 1.5);
  for (const k of ["deltaF", "deltaFReference"]) {
    assert.ok(typeof r[k].mean === "number" && typeof r[k].error === "number", `${k} must be {mean, error}`);
  }
  assert.ok(Number.isFinite(r.deltaFReference.mean) && r.deltaFReference.error >= 0);
  assert.ok(typeof r.essFraction === "number" && r.essFraction > 0 && r.essFraction <= 1);
  for (const k of ["generator", "reweighted", "reference"]) {
    const p = r.populations[k];
    assert.ok(p.open >= 0 && p.open <= 1 && Math.abs(p.open + p.closed - 1) < 1e-12, k);
  }
  // MCMC started in one state stays there at these lengths
  assert.equal(r.populations.mcmc.closedStart, 0);
  assert.equal(r.populations.mcmc.openStart, 1);
  // BAR per state against fresh Metropolis samples: a number with an error, or null with the reason (too few samples of a state)
  if (r.deltaFBar === null) assert.match(r.bar.reason, /fewer than 40 generator or data samples in a state/);
  else {
    assert.ok(Number.isFinite(r.deltaFBar.mean) && r.deltaFBar.error > 0, JSON.stringify(r.deltaFBar));
    for (const s of ["closed", "open"]) assert.ok(r.bar[s].dataSamples > 0 && r.bar[s].generatorSamples > 0 && r.bar[s].forwardExp >= r.bar[s].reverseExp - 1e-9, s);
  }
  for (const k of ["mcmc", "train", "reweight", "bar", "umbrella"]) assert.ok(typeof r.seconds[k] === "number" && r.seconds[k] >= 0, k);
  assert.ok(r.msPerStep > 0);
  assert.equal(r.umbrella.windows, 3);
  assert.ok(Array.isArray(r.warnings));
  assert.doesNotThrow(() => JSON.stringify(r));
});

test("boltzlab flow --system dimer: bad input exits 2 naming the option, before any work", async () => {
  const cases: [string[], RegExp][] = [
    [["--steps", "0"], /--steps must be ≥ 1/],
    [["--hidden", "8,x"], /--hidden must be comma-separated positive integers/],
    [["--windows", "1"], /--windows must be ≥ 2/],
    [["--window-sweeps", "50"], /--window-sweeps must be ≥ 100/],
    [["--kappa", "-1"], /--kappa must be > 0/],
    [["--sweeps", "10"], /--sweeps must be ≥ 50/],
    [["--lr", "0"], /--lr must be > 0/],
    [["--samples", "1"], /--samples must be ≥ 2/],
    [["--energy-weight", "-0.5"], /--energy-weight must be ≥ 0/],
    [["--seed", "1.5"], /--seed must be an integer/],
    [["--solvent", "-1"], /--solvent must be between 0 and 64/],
    [["--dim", "3"], /unknown option --dim/],
  ];
  for (const [extra, re] of cases) {
    const r = await runMain(["flow", "--system", "dimer", ...extra]);
    assert.equal(r.code, 2, `${extra.join(" ")}: exit ${r.code}, ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.match(r.stderr, /boltzlab flow/);
    assert.equal(r.stdout, "");
  }
});
