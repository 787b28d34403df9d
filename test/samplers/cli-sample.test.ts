import { test } from "node:test";
import assert from "node:assert/strict";
import { Options, parseArgs } from "../../src/cli/args";
import { sampleCommand } from "../../src/cli/sample";

async function run(argv: string[]): Promise<Record<string, any>> {
  const parsed = parseArgs(["sample", ...argv]);
  return (await sampleCommand.run(new Options(parsed, "sample"), parsed.positional.slice(1))) as Record<string, any>;
}

test("boltzlab sample: metropolis and wolff on 4×4 Ising agree with the exact energy within 4 errors", async () => {
  for (const sampler of ["metropolis", "wolff", "heatbath", "pt"]) {
    const r = await run(["--system", "ising:L=4", "--beta", "0.44", "--sampler", sampler, "--sweeps", "20000", "--seed", "3"]);
    for (const k of ["energyPerSpin", "absMagnetizationPerSpin", "tauInt", "acceptance", "energyPerSpinExact", "updatesPerSecond"]) assert.ok(k in r, `${sampler}: key ${k}`);
    assert.equal(typeof r.energyPerSpinExact, "number");
    assert.ok(r.tauInt.energy > 0 && r.tauInt.absMagnetization > 0);
    assert.ok(Math.abs(r.energyPerSpin.mean - r.energyPerSpinExact) < 4 * r.energyPerSpin.error, `${sampler}: ${JSON.stringify(r.energyPerSpin)} vs ${r.energyPerSpinExact}`);
  }
});

test("boltzlab sample: exact value is null where unknown; bad usage is named", async () => {
  const r = await run(["--system", "sk:n=40,seed=1", "--beta", "0.5", "--sweeps", "200", "--seed", "1"]);
  assert.equal(r.energyPerSpinExact, null);
  await assert.rejects(run(["--system", "sk:n=10", "--beta", "1", "--sampler", "wolff", "--sweeps", "10"]), /wolff: Wolff cluster updates need ferromagnetic couplings/);
  await assert.rejects(run(["--beta", "1"]), /boltzlab sample: one of --system SPEC or --instance FILE is required/);
  await assert.rejects(run(["--system", "ising:L=4", "--beta", "1", "--sampler", "glauber"]), /--sampler must be one of/);
  await assert.rejects(run(["--system", "ising:L=4", "--beta", "1", "--sampler", "nmcmc", "--sweeps", "10"]), /--model CHECKPOINT is required/);
  await assert.rejects(run(["--system", "ising:L=4", "--beta", "1", "--sweep", "10"]), /unknown option --sweep/);
});

test("boltzlab sample: with --chains ≥ 2 the output carries split-R̂ of E and |m|, with one chain it does not", async () => {
  const r = await run(["--system", "ising:L=4", "--beta", "0.3", "--sweeps", "2000", "--chains", "3", "--seed", "2"]);
  for (const k of ["energy", "absMagnetization"]) assert.ok(Math.abs(r.rHat[k] - 1) < 0.05, `rHat.${k} = ${r.rHat[k]}`);
  const one = await run(["--system", "ising:L=4", "--beta", "0.3", "--sweeps", "200", "--seed", "2"]);
  assert.equal(one.rHat, undefined);
});
