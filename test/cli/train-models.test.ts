import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..");

function cli(args: string[]): { status: number | null; out: Record<string, unknown> | null; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", `require("./src/cli/main").main(process.argv.slice(1)).then(c => process.exit(c))`, ...args], {
    cwd: root, encoding: "utf8", env: { ...process.env, BOLTZLAB_PROGRESS: "0" },
  });
  let out: Record<string, unknown> | null = null;
  try { out = JSON.parse(r.stdout) as Record<string, unknown>; } catch { /* not JSON */ }
  return { status: r.status, out, stderr: r.stderr };
}

for (const [model, extra] of [["pixelcnn", ["--width", "4", "--half-kernel", "1"]], ["twobo", ["--width", "4"]]] as const) {
  test(`boltzlab train --model ${model} trains, estimates F with errors, and its checkpoint drives neural MCMC`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `boltzlab-${model}-`));
    const t = cli(["train", "--system", "ising:L=3", "--model", model, ...extra, "--z2", "--beta", "0.3", "--steps", "40", "--batch", "64",
      "--samples", "4000", "--anneal", "0.9", "--seed", "0", "--out", dir]);
    assert.equal(t.status, 0, t.stderr);
    const out = t.out as { model: { type: string }; fVariational: { mean: number; error: number }; fImportance: { mean: number; error: number }; fExact: number; parameters: number };
    assert.equal(out.model.type, model);
    assert.ok(out.parameters > 0);
    // F_q ≥ F up to its error; the importance-sampled F is unbiased
    assert.ok(out.fVariational.mean >= out.fExact - 4 * out.fVariational.error, `F_q ${out.fVariational.mean} < F ${out.fExact}`);
    assert.ok(Math.abs(out.fImportance.mean - out.fExact) < 4 * out.fImportance.error + 1e-6, `F_IS ${out.fImportance.mean} ± ${out.fImportance.error} vs ${out.fExact}`);
    // one result type: energy is reweighted, energyModel under q; k̂ and warnings come with every importance-sampled summary
    const o = t.out as Record<string, any>;
    assert.equal(o.energyPerSpinReweighted, o.energy.mean);
    assert.equal(o.energyPerSpin, o.energyModel.mean);
    assert.ok(typeof o.paretoK === "number" && Array.isArray(o.warnings));
    for (const w of o.warnings as string[]) assert.ok(t.stderr.includes(`boltzlab train: warning: ${w}`), "each warning is printed on stderr");
    const s = cli(["sample", "--system", "ising:L=3", "--beta", "0.3", "--sampler", "nmcmc", "--model", path.join(dir, "checkpoint.json"), "--sweeps", "300", "--seed", "2"]);
    assert.equal(s.status, 0, s.stderr);
    assert.ok((s.out as { acceptance: number }).acceptance > 0.2, "a trained model is a good proposal at high temperature");
    fs.rmSync(dir, { recursive: true });
  });
}

test("boltzlab train refuses options that do not apply to the model", () => {
  const a = cli(["train", "--system", "sk:n=6", "--model", "made", "--half-kernel", "2", "--beta", "1", "--steps", "2"]);
  assert.equal(a.status, 2);
  assert.match(a.stderr, /--half-kernel applies to --model pixelcnn only/);
  const b = cli(["train", "--system", "sk:n=6", "--model", "pixelcnn", "--beta", "1", "--steps", "2"]);
  assert.notEqual(b.status, 0);
  assert.match(b.stderr, /grid/);
  const c = cli(["train", "--system", "sk:n=6", "--model", "nade", "--beta", "1", "--steps", "2"]);
  assert.match(c.stderr, /--model must be one of made, pixelcnn, twobo/);
});
