import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Options, parseArgs } from "../../src/cli/args";
import { flowCommand } from "../../src/cli/flow";
import { sampleCommand } from "../../src/cli/sample";
import { freePhi4 } from "../../src/systems/continuous/phi4";
import { runMain } from "./capture";

const run = (cmd: typeof flowCommand, argv: string[]) => {
  const parsed = parseArgs([cmd.name, ...argv]);
  return cmd.run(new Options(parsed, cmd.name), parsed.positional.slice(1));
};

test("boltzlab sample --system phi4 --sampler hmc prints phi2, absMagnetization, tauInt and acceptance; free theory within 4σ of exact", async () => {
  const r = (await run(sampleCommand, ["--system", "phi4:L=4,m2=1,lambda=0", "--sampler", "hmc", "--sweeps", "4000", "--seed", "2"])) as Record<string, any>;
  const ex = freePhi4({ L: 4, m2: 1 });
  for (const k of ["phi2", "absMagnetization"]) assert.ok("mean" in r[k] && "error" in r[k], k);
  assert.ok(Math.abs(r.phi2.mean - ex.phi2) < 4 * r.phi2.error, `${r.phi2.mean} ± ${r.phi2.error} vs ${ex.phi2}`);
  assert.equal(r.exact.phi2, ex.phi2);
  assert.ok(r.tauInt.absMagnetization > 0 && r.tauInt.action > 0);
  assert.ok(r.acceptance > 0.5 && r.acceptance < 1);
  assert.equal(r.sampler, "hmc");
});

test("boltzlab flow --system phi4 trains a conv flow and runs flow MCMC: the JSON has acceptance, phi2, absMagnetization, tauInt, essFraction, timings; frees its tensors", async () => {
  const before = tf.memory().numTensors;
  const r = (await run(flowCommand, ["--system", "phi4:L=4,m2=1,lambda=0", "--steps", "40", "--samples", "1500", "--seed", "1", "--layers", "2", "--hidden", "8", "--batch", "64"])) as Record<string, any>;
  assert.equal(tf.memory().numTensors, before);
  for (const k of ["acceptance", "phi2", "absMagnetization", "tauInt", "essFraction", "timings", "msPerIndependentSample"]) assert.ok(k in r, `missing ${k}`);
  assert.ok(r.acceptance > 0 && r.acceptance <= 1);
  assert.ok(r.essFraction > 0 && r.essFraction <= 1);
  const ex = freePhi4({ L: 4, m2: 1 });
  assert.ok(Math.abs(r.phi2.mean - ex.phi2) < 5 * r.phi2.error + 0.01, `${r.phi2.mean} ± ${r.phi2.error} vs ${ex.phi2}`);
  assert.ok(r.timings.msPerStep > 0 && r.timings.trainSeconds > 0);
});

test("boltzlab flow --system phi4 --example-weight 1 trains by energy and by example on its own HMC run: free theory within 5σ of exact; frees its tensors", async () => {
  const before = tf.memory().numTensors;
  const r = (await run(flowCommand, ["--system", "phi4:L=4,m2=1,lambda=0", "--steps", "40", "--samples", "1500", "--seed", "1", "--layers", "2", "--hidden", "8", "--batch", "64", "--example-weight", "1", "--data-sweeps", "800"])) as Record<string, any>;
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(r.loss, { kind: "combined", exampleWeight: 1, dataSweeps: 800 });
  assert.ok(Number.isFinite(r.finalExampleLoss), `example loss ${r.finalExampleLoss}`);
  assert.ok(r.timings.dataSeconds > 0);
  assert.ok(Array.isArray(r.warnings));
  const ex = freePhi4({ L: 4, m2: 1 });
  assert.ok(Math.abs(r.phi2.mean - ex.phi2) < 5 * r.phi2.error + 0.01, `${r.phi2.mean} ± ${r.phi2.error} vs ${ex.phi2}`);
});

test("phi4 CLI bad input exits 2 with a message naming the option, before any work", async () => {
  const cases: [string[], string][] = [
    [["flow", "--system", "phi4:L=4,m2=1"], "lambda is required"],
    [["flow", "--system", "phi4:L=1,m2=1,lambda=1"], "L must be ≥ 2"],
    [["flow", "--system", "phi4:L=4,m2=-1,lambda=0"], "needs m2 > 0"],
    [["flow", "--system", "phi4:L=4,m2=1,lambda=1", "--steps", "0"], "--steps must be ≥ 1"],
    [["flow", "--system", "phi4:L=4,m2=1,lambda=1", "--samples", "5"], "--samples must be ≥ 20"],
    [["flow", "--system", "phi4:L=4,m2=1,lambda=1", "--hidden", "8,x"], "--hidden must be comma-separated"],
    [["flow", "--system", "phi4:L=4,m2=1,lambda=1", "--kernel", "4"], "--kernel must be an odd integer"],
    [["flow", "--system", "phi4:L=4,m2=1,lambda=1", "--loss", "example"], "unknown option --loss"],
    [["flow", "--system", "phi4:L=4,m2=1,lambda=1", "--seed", "-1"], "--seed must be ≥ 0"],
    [["flow", "--system", "phi4:L=4,m2=1,lambda=1", "--example-weight", "-1"], "--example-weight must be ≥ 0"],
    [["flow", "--system", "phi4:L=4,m2=1,lambda=1", "--data-sweeps", "100"], "--data-sweeps must be ≥ 600"],
    [["sample", "--system", "phi4:L=4,m2=1,lambda=1", "--sampler", "wolff"], '--sampler must be hmc for a phi4 system, got "wolff"'],
    [["sample", "--system", "phi4:L=4,m2=1,lambda=1", "--sweeps", "10"], "--sweeps must leave ≥ 20 recorded steps"],
    [["sample", "--system", "phi4:L=4,m2=1,lambda=1", "--step-size", "0"], "--step-size must be > 0"],
    [["sample", "--system", "phi4:L=4,m2=1,lambda=1", "--beta", "2"], "unknown option --beta"],
    [["sample", "--system", "phi4:L=4,m2=1,lambda=x"], "lambda must be a number"],
  ];
  for (const [argv, msg] of cases) {
    const r = await runMain(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: exit ${r.code}, stderr ${r.stderr}`);
    assert.ok(r.stderr.includes(msg), `${argv.join(" ")}: stderr ${r.stderr}`);
    assert.equal(r.stdout, "");
  }
});
