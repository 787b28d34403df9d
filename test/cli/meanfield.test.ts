import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { Options, parseArgs } from "../../src/cli/args";
import { meanfieldCommand } from "../../src/cli/meanfield";
import { enumerate } from "../../src/exact";
import { loadInstance } from "../../src/io";
import { sk } from "../../src/systems";
import { runMain } from "./capture";

const TWOBO = path.resolve(__dirname, "../../data/twobo");

async function run(argv: string[]): Promise<Record<string, unknown>> {
  const parsed = parseArgs(["meanfield", ...argv]);
  const out = await meanfieldCommand.run(new Options(parsed, "meanfield"), parsed.positional.slice(1));
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

const mainCaptured = async (argv: string[]) => {
  const r = await runMain(argv);
  return { code: r.code, out: r.stdout, err: r.stderr };
};

test("boltzlab meanfield prints F/N, U/N, converged and iterations for nmf, tap and bethe", async () => {
  const exactF = enumerate(sk({ n: 12, seed: 1 }), 0.5).freeEnergyPerSpin;
  for (const method of ["nmf", "tap", "bethe"]) {
    const r = await run(["--method", method, "--system", "sk:n=12,seed=1", "--beta", "0.5", "--seed", "3"]);
    for (const k of ["freeEnergyPerSpin", "energyPerSpin", "converged", "iterations", "method", "n", "beta"]) assert.ok(k in r, `${method}: ${k}`);
    assert.equal(r.method, method);
    assert.equal(r.converged, true);
    assert.ok((r.iterations as number) >= 1);
    assert.ok(Math.abs((r.freeEnergyPerSpin as number) - exactF) < 0.1 * Math.abs(exactF), `${method}: ${r.freeEnergyPerSpin} vs ${exactF}`);
    if (method === "nmf") assert.ok((r.freeEnergyPerSpin as number) >= exactF);
  }
  // instance files; the output through main() is the same JSON
  const file = path.join(TWOBO, "2D_EA_PM_L4_0.npz");
  const viaMain = await mainCaptured(["meanfield", "--method", "bethe", "--instance", file, "--beta", "0.3"]);
  assert.equal(viaMain.code, 0, viaMain.err);
  const j = JSON.parse(viaMain.out) as Record<string, number>;
  assert.equal(j.n, 16);
  const ef = enumerate(loadInstance(file), 0.3).freeEnergyPerSpin;
  assert.ok(Math.abs(j.freeEnergyPerSpin - ef) < 0.01 * Math.abs(ef));
});

test("boltzlab meanfield: usage errors exit 2, non-convergence exits 1 with the reason", async () => {
  const bad: Array<[string[], RegExp]> = [
    [["--system", "sk:n=8", "--beta", "1"], /--method is required/],
    [["--method", "exact", "--system", "sk:n=8", "--beta", "1"], /--method must be one of nmf, tap, bethe/],
    [["--method", "nmf", "--beta", "1"], /exactly one of --system or --instance/],
    [["--method", "nmf", "--system", "sk:n=8", "--instance", "x.npz", "--beta", "1"], /exactly one of/],
    [["--method", "nmf", "--system", "sk:n=8"], /--beta is required/],
    [["--method", "nmf", "--system", "sk:n=8", "--beta", "0"], /--beta must be > 0/],
    [["--method", "nmf", "--system", "sk:n=8", "--beta", "x"], /--beta must be a number/],
    [["--method", "nmf", "--system", "sk:n=8", "--beta", "1", "--damping", "1"], /--damping must be in \[0, 1\)/],
    [["--method", "nmf", "--system", "sk:n=8", "--beta", "1", "--tolerance", "0"], /--tolerance must be > 0/],
    [["--method", "nmf", "--system", "sk:n=8", "--beta", "1", "--max-iterations", "0"], /--max-iterations must be ≥ 1/],
    [["--method", "nmf", "--system", "sk:n=8", "--beta", "1", "--restarts", "1.5"], /--restarts must be an integer/],
    [["--method", "nmf", "--system", "sk:n=8", "--beta", "1", "--seed", "-2"], /--seed must be ≥ 0/],
    [["--method", "nmf", "--system", "blob:n=8", "--beta", "1"], /unknown system family/],
    [["--method", "nmf", "--system", "sk:n=8", "--beta", "1", "--bogus", "1"], /unknown option --bogus/],
  ];
  for (const [argv, re] of bad) {
    await assert.rejects(run(argv), re, argv.join(" "));
    const m = await mainCaptured(["meanfield", ...argv]);
    assert.equal(m.code, 2, `${argv.join(" ")}: ${m.err}`);
    assert.equal(m.out, "");
  }
  const nc = await mainCaptured(["meanfield", "--method", "bethe", "--system", "sk:n=20,seed=1", "--beta", "2", "--seed", "3", "--max-iterations", "500"]);
  assert.equal(nc.code, 1);
  assert.match(nc.err, /meanfield\.bethe: did not converge within maxIterations = 500/);
  assert.equal(nc.out, "");
});
