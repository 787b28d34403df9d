import assert from "node:assert/strict";
import { test } from "node:test";
import { Options, parseArgs } from "../../src/cli/args";
import { exactCommand } from "../../src/cli/exact";
import { sampleCommand } from "../../src/cli/sample";
import { runMain } from "./capture";

async function run(cmd: "sample" | "exact", argv: string[]): Promise<Record<string, any>> {
  const parsed = parseArgs([cmd, ...argv]);
  const c = cmd === "sample" ? sampleCommand : exactCommand;
  return JSON.parse(JSON.stringify(await c.run(new Options(parsed, cmd), parsed.positional.slice(1)))) as Record<string, any>;
}

test("boltzlab sample on Potts: every sampler within 4σ of the enumerated E and order parameter", async () => {
  for (const sampler of ["metropolis", "heatbath", "wolff", "sw"]) {
    const r = await run("sample", ["--system", "potts:L=3,q=3", "--beta", "0.9", "--sampler", sampler, "--sweeps", sampler === "wolff" ? "8000" : "4000", "--chains", "2", "--seed", "4"]);
    for (const k of ["energyPerSpin", "orderParameter", "tauInt", "rHat", "acceptance", "energyPerSpinExact", "orderParameterExact", "updatesPerSecond"]) assert.ok(k in r, `${sampler}: ${k}`);
    assert.equal(r.exactMethod, "enumerate");
    assert.equal(r.q, 3);
    assert.ok(Math.abs(r.energyPerSpin.mean - r.energyPerSpinExact) < 4 * r.energyPerSpin.error, `${sampler} E ${JSON.stringify(r.energyPerSpin)} vs ${r.energyPerSpinExact}`);
    assert.ok(Math.abs(r.orderParameter.mean - r.orderParameterExact) < 4 * r.orderParameter.error, `${sampler} m ${JSON.stringify(r.orderParameter)} vs ${r.orderParameterExact}`);
    assert.ok(r.tauInt.energy > 0 && Number.isFinite(r.rHat.energy));
  }
  // a strip: the exact energy from the transfer matrix
  const strip = await run("sample", ["--system", "potts:L=8,cols=4,q=3", "--beta", "1", "--sampler", "sw", "--sweeps", "400", "--seed", "1"]);
  assert.equal(strip.exactMethod, "transfer-matrix");
  assert.equal(strip.orderParameterExact, null);
});

test("boltzlab sample on XY: Metropolis and Wolff on a ring against the Bessel formulas; grids print Υ, vortices and 2/(πβ)", async () => {
  for (const sampler of ["metropolis", "wolff"]) {
    const r = await run("sample", ["--system", "xychain:n=8,boundary=periodic", "--beta", "1.2", "--sampler", sampler, "--sweeps", sampler === "wolff" ? "8000" : "4000", "--seed", "2", "--chains", "2"]);
    assert.equal(r.exactMethod, "xy-ring");
    assert.ok(Math.abs(r.energyPerSpin.mean - r.energyPerSpinExact) < 4 * r.energyPerSpin.error, `${sampler} E ${JSON.stringify(r.energyPerSpin)} vs ${r.energyPerSpinExact}`);
    assert.equal(typeof r.helicityModulusExact, "number");
  }
  const g = await run("sample", ["--system", "xy:L=4", "--beta", "1", "--sweeps", "200", "--step", "0.8", "--seed", "3"]);
  for (const k of ["helicityModulus", "vortexDensity", "absMagnetizationPerSpin", "universalJump"]) assert.ok(k in g, k);
  assert.ok(Math.abs(g.universalJump - 2 / Math.PI) < 1e-15);
  assert.equal(g.energyPerSpinExact, null);
  assert.ok(g.diagnostics.stepSize > 0);
});

test("boltzlab exact on Potts and XY systems", async () => {
  const e = await run("exact", ["--system", "potts:L=3,q=3", "--beta", "1"]);
  assert.equal(e.method, "enumerate");
  assert.ok(Math.abs(e.criticalBeta - Math.log(1 + Math.sqrt(3))) < 1e-15);
  assert.equal(typeof e.orderParameter, "number");
  const t = await run("exact", ["--system", "potts:L=12,cols=4,q=3", "--beta", "1", "--method", "transfer-matrix"]);
  assert.equal(t.method, "transfer-matrix");
  assert.equal(t.n, 48);
  const c = await run("exact", ["--system", "xychain:n=12", "--beta", "2"]);
  assert.equal(c.method, "xy-chain");
  const s = await run("exact", ["--system", "ising:L=4", "--beta", "0.4"]);
  assert.equal(s.method, "enumerate");
});

test("bad usage exits 2 with the option named, before any work", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["sample", "--system", "xy:L=4", "--beta", "1", "--sampler", "sw"], /--sampler must be one of metropolis, wolff for XY systems, got "sw"/],
    [["sample", "--system", "potts:L=3,q=3", "--beta", "1", "--sampler", "pt"], /--sampler must be one of metropolis, heatbath, wolff, sw for Potts/],
    [["sample", "--system", "potts:L=3,q=3,J=-1", "--beta", "1", "--sampler", "wolff"], /--sampler wolff needs ferromagnetic couplings .*J = -1/],
    [["sample", "--system", "potts:L=3,q=3,h=0.2", "--beta", "1", "--sampler", "sw"], /--sampler sw needs zero fields/],
    [["sample", "--system", "xy:L=3,h=0.2", "--beta", "1", "--sampler", "wolff"], /--sampler wolff needs h = 0/],
    [["sample", "--system", "potts:L=3,q=3", "--beta", "1", "--step", "0.5"], /--step is for --sampler metropolis on XY/],
    [["sample", "--system", "xy:L=3", "--beta", "1", "--step", "5"], /--step must be in \(0, π\]/],
    [["sample", "--system", "potts:L=3,q=3", "--beta", "0"], /--beta must be > 0/],
    [["sample", "--system", "potts:L=3,q=3", "--beta", "1", "--sweeps", "2"], /--sweeps must be ≥ 4/],
    [["sample", "--system", "potts:L=3,q=1", "--beta", "1"], /--system potts:L=3,q=1: .*q must be ≥ 2/],
    [["sample", "--system", "potts:L=3,q=3", "--beta", "1", "--betas", "1,2"], /unknown option --betas/],
    [["exact", "--system", "xy:L=3", "--beta", "1"], /no exact method applies to --system xy-2d/],
    [["exact", "--system", "potts:L=3,q=3", "--beta", "1", "--method", "kaufman"], /--method must be one of auto, enumerate, transfer-matrix for Potts/],
    [["exact", "--system", "pottsglass:L=3,q=3,seed=x", "--beta", "1"], /seed must be a number/],
    [["exact", "--system", "xychain:n=5", "--beta", "1", "--method", "quadrature"], /--method quadrature does not apply/],
  ];
  for (const [argv, re] of cases) {
    const r = await runMain(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: exit ${r.code}, stderr ${r.stderr}`);
    assert.match(r.stderr, re, argv.join(" "));
  }
});
