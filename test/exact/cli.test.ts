import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { Options, parseArgs } from "../../src/cli/args";
import { exactCommand } from "../../src/cli/exact";
import { exact } from "../../src/exact";
import { isingSquare } from "../../src/systems";

const TWOBO = path.resolve(__dirname, "../../data/twobo");

async function run(argv: string[]): Promise<Record<string, unknown>> {
  const parsed = parseArgs(["exact", ...argv]);
  const out = await exactCommand.run(new Options(parsed, "exact"), parsed.positional.slice(1));
  // what the CLI prints is the JSON of this object
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

test("boltzlab exact prints JSON for each system family and for instance files", async () => {
  const specs: Array<[string, string]> = [
    ["ising:L=16", "kaufman"],
    ["ising:L=6,boundary=open,J=-1", "transfer-matrix"],
    ["sk:n=12,seed=1", "enumerate"],
    ["ea2d:L=8,seed=2,boundary=open,couplings=gauss", "transfer-matrix"],
    ["ea3d:L=2,seed=1", "enumerate"],
    ["rrg:n=16,d=3,seed=1", "enumerate"],
  ];
  for (const [spec, method] of specs) {
    const r = await run(["--system", spec, "--beta", "0.7"]);
    for (const k of ["method", "n", "beta", "logZ", "freeEnergyPerSpin"]) assert.ok(k in r, `${spec}: ${k}`);
    assert.equal(r.method, method, spec);
    assert.equal(r.beta, 0.7);
    assert.ok(Number.isFinite(r.logZ as number));
  }
  const k = await run(["--system", "ising:L=16", "--beta", "0.7"]);
  assert.equal(k.logZ, exact(isingSquare({ L: 16 }), 0.7).logZ);
  const inst = await run(["--instance", path.join(TWOBO, "2D_EA_PM_L4_0.npz"), "--beta", "1", "--method", "transfer-matrix"]);
  const en = await run(["--instance", path.join(TWOBO, "2D_EA_PM_L4_0.npz"), "--beta=1", "--method=enumerate"]);
  assert.equal(inst.n, 16);
  assert.ok(Math.abs((inst.freeEnergyPerSpin as number) - (en.freeEnergyPerSpin as number)) < 1e-12);
});

test("boltzlab exact rejects bad arguments", async () => {
  await assert.rejects(run(["--beta", "1"]), /exactly one of --system or --instance/);
  await assert.rejects(run(["--system", "ising:L=4", "--instance", "x.json", "--beta", "1"]), /exactly one/);
  await assert.rejects(run(["--system", "ising:L=4"]), /--beta is required/);
  await assert.rejects(run(["--system", "ising:L=4", "--beta", "0"]), /--beta must be > 0/);
  await assert.rejects(run(["--system", "ising:L=4", "--beta", "1", "--method", "monte-carlo"]), /--method must be one of/);
  await assert.rejects(run(["--system", "ising:L=4", "--beta", "1", "--bogus", "2"]), /unknown option --bogus/);
  await assert.rejects(run(["--system", "ising:L=6", "--beta", "1", "--method", "kac-ward"]), /does not apply/);
});
