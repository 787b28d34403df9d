/**
 * Every notebooks/*.ipynb runs top to bottom on the tslab kernel (through
 * nbclient, with BOLTZLAB_FAST=1), without a cell error, showing at least one
 * image, on the backend that setup provided. Notebooks are committed without
 * outputs. Executed copies are written to test/.out/ for inspection.
 */
import { test } from "node:test";
import { crossCellShorthand } from "./shorthand";
import { fullRun, recordFullTime, selected } from "./fullrun";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { NOTEBOOK_WIDTH } from "../../src/plot/specs";
import { vegaLiteWarnings } from "../../src/plot/render";
import { VEGA_LITE_MIME } from "../../src/plot/show";

const root = path.resolve(__dirname, "..", "..");
const nbDir = path.join(root, "notebooks");
const notebooks = fs.readdirSync(nbDir).filter((f) => f.endsWith(".ipynb")).sort();
const python = path.join(root, ".venv", "bin", "python");

interface Cell { cell_type: string; source: string | string[]; outputs?: unknown[]; execution_count?: number | null }
interface ExecutedOutput { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }
interface Notebook { cells: Cell[]; metadata: { kernelspec?: { name?: string } } }

function expectedBackend(): string {
  if (process.env.BOLTZLAB_BACKEND) return process.env.BOLTZLAB_BACKEND;
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(root, ".cache", "backend.json"), "utf8")) as { backend: string };
    return stamp.backend;
  } catch {
    return "tensorflow";
  }
}

test("there are notebooks", () => {
  assert.ok(notebooks.length >= 1, "no notebooks found in notebooks/");
});

for (const name of notebooks) {
  test(`${name} is committed without outputs, on the tslab kernel`, () => {
    const nb = JSON.parse(fs.readFileSync(path.join(nbDir, name), "utf8")) as Notebook;
    assert.equal(nb.metadata.kernelspec?.name, "tslab", "kernelspec.name must be tslab");
    nb.cells.forEach((c, k) => {
      if (c.cell_type !== "code") return;
      assert.deepEqual(c.outputs ?? [], [], `cell ${k} has outputs`);
      assert.ok(c.execution_count === null || c.execution_count === undefined, `cell ${k} has an execution count`);
    });
    assert.ok(nb.cells.some((c) => c.cell_type === "markdown"), "a notebook explains itself in markdown");
  });
}


for (const name of notebooks) {
  test(`${name} has no object shorthand for another cell's variable (a tslab pitfall)`, () => {
    const nb = JSON.parse(fs.readFileSync(path.join(nbDir, name), "utf8")) as Notebook;
    assert.deepEqual(crossCellShorthand(nb), []);
  });
}

/** Physics the notebooks print, checked here: bounds that hold however short the training. */
const NUMBER_CHECKS: Record<string, (printed: string) => void> = {
  "03-van-sk-spin-glass.ipynb": (printed) => {
    const m = /BOUNDS minVanGapInErrors=(-?[\d.]+) minNmfGap=(-?[\d.e+-]+)/.exec(printed);
    assert.ok(m !== null, "notebook 03 prints its BOUNDS line");
    assert.ok(Number(m[1]) > -4, `F_q is a variational upper bound: the smallest (F_q − F)/error is ${m[1]}`);
    assert.ok(Number(m[2]) >= -1e-9, `naive mean field is an upper bound: the smallest F_NMF − F is ${m[2]}`);
  },
  "07-reproducing-the-papers.ipynb": (printed) => {
    const c = /COMPARE figure=(\S+) compared=(\d+) maxAbsZ=([\d.]+) over3=\d+ onlyInOne=(\d+) passed=(true|false)/.exec(printed);
    assert.ok(c !== null, "notebook 07 prints its COMPARE line");
    assert.ok(Number(c[2]) >= 20 && Number(c[3]) <= 4 && c[5] === "true", `the rerun of ${c[1]} matches its committed quick reference: ${c[0]}`);
    assert.equal(Number(c[4]), 0, `every row of the rerun has its counterpart in the reference: ${c[0]}`);
    const v = /VAN4B beta=([\d.]+) van=([\d.e+-]+) nmf=([\d.e+-]+) sm=([\d.e+-]+)/.exec(printed);
    assert.ok(v !== null, "notebook 07 prints its VAN4B line");
    assert.ok(Number(v[2]) < Number(v[3]) / 5 && Number(v[2]) < Number(v[4]), `van-4b at the largest β: the VAN inversion well below NMF and SM: ${v[0]}`);
  },
  "10-dimer-in-solvent.ipynb": (printed) => {
    const m = /DIMER referenceDeltaF=(-?[\d.]+) referenceError=([\d.]+) .*generatorOpenFraction=([\d.]+) .*mcOpenFromClosed=([\d.]+) mcOpenFromOpen=([\d.]+)/.exec(printed);
    assert.ok(m !== null, "notebook 10 prints its DIMER line");
    // umbrella + WHAM: a finite ΔF(open − closed) with an error bar; MCMC stays in the state it started in
    assert.ok(Math.abs(Number(m[1])) < 6 && Number(m[2]) > 0, `reference ΔF ${m[1]} ± ${m[2]}`);
    assert.equal(Number(m[4]), 0, "Metropolis from the closed state never opens");
    assert.equal(Number(m[5]), 1, "Metropolis from the open state never closes");
    assert.ok(Number(m[3]) > 0, `the generator draws open configurations too (fraction ${m[3]})`);
    // BAR per state against fresh Metropolis samples: an estimate with a finite error and both states' divergences, or the reason it could not run
    const b = /BAR deltaF=(-?[\d.]+) error=([\d.]+) jeffreysClosed=(\S+) jeffreysOpen=(\S+)/.exec(printed);
    if (b === null) assert.match(printed, /BAR needs at least 40 generator and Metropolis samples in each state/);
    else assert.ok(Number(b[2]) > 0 && Number(b[3]) > 0 && Number(b[4]) > 0, `BAR line: ${b[0]}`);
  },
  "08-potts-and-xy.ipynb": (printed) => {
    const m = /POTTS3 L=(\d+) reference=(\S+) fRef=(\S+) fRefErr=(\S+) fq=(\S+) relErr=(\S+) fIS=(\S+) sigmasIS=(\S+) tiSigmas=(\S+)/.exec(printed);
    assert.ok(m !== null, "notebook 08 prints its POTTS3 line");
    const [relErr, sigmasIS, tiSigmas] = [Number(m[6]), Number(m[8]), Number(m[9])];
    // F_q is a variational upper bound (up to its sampling noise), and close to the reference after training
    assert.ok(relErr > -1e-3 && relErr < 0.05, `3-state Potts: (F_q − F)/|F| = ${relErr}`);
    assert.ok(Math.abs(sigmasIS) < 5, `importance-sampled F within 5σ of the reference: ${sigmasIS}σ`);
    // with an exact reference, the Wolff thermodynamic integration must agree with it
    if (m[2] === "exact") assert.ok(Math.abs(tiSigmas) < 4, `Wolff thermodynamic integration within 4σ of exact: ${tiSigmas}σ`);
  },
  "09-phi4-flow-mcmc.ipynb": (printed) => {
    const m = /AGREEMENT maxAbsMSigma=([\d.]+) pairs=(\d+)/.exec(printed);
    assert.ok(m !== null, "notebook 09 prints its AGREEMENT line");
    assert.ok(Number(m[2]) >= 2, `notebook 09 compares at least two (L, λ) points, got ${m[2]}`);
    assert.ok(Number(m[1]) <= 4, `flow MCMC and HMC are both exact: the largest |⟨|M|⟩_flow − ⟨|M|⟩_HMC| / σ is ${m[1]}`);
  },
};

// `npm run test:full` (BOLTZLAB_FULL_RUN=1): default settings, hours per notebook; wall times are merged into test/.out/full-times.json
for (const name of notebooks.filter(selected)) {
  test(`${name} executes top to bottom on the tslab kernel`, { timeout: (fullRun ? 4 * 60 : 30) * 60 * 1000 }, async (t) => {
    assert.ok(fs.existsSync(python), ".venv is missing: run `npm run setup`");
    const out = path.join(root, "test", ".out", fullRun ? "full" : "", name);
    const cellTimeout = fullRun ? ["--timeout", String(4 * 3600)] : [];
    const r = spawnSync(python, [path.join(root, "kernel-setup", "run_notebook.py"), path.join(nbDir, name), "--out", out, ...cellTimeout], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, BOLTZLAB_FAST: process.env.BOLTZLAB_FAST ?? "1", BOLTZLAB_PROGRESS: "1", PYTHONWARNINGS: "ignore" },
      maxBuffer: 64 * 1024 * 1024,
    });
    const last = r.stdout.trim().split("\n").pop() ?? "";
    let summary: { error: string | null; images: number; backend: string | null; seconds: number; cells: number };
    try {
      summary = JSON.parse(last);
    } catch {
      assert.fail(`run_notebook.py gave no summary (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
    }
    t.diagnostic(`notebook ${name} executed: ${summary.cells} cells in ${summary.seconds} s on backend ${summary.backend}, ${summary.images} image outputs`);
    process.stdout.write(`notebook ${name}: executed ${summary.cells} cells in ${summary.seconds} s, backend ${summary.backend}, ${summary.images} images\n`);
    assert.equal(summary.error, null, `cell error in ${name}:\n${summary.error}`);
    assert.ok(summary.images >= 1, `${name} produced no image output`);
    assert.equal(summary.backend, expectedBackend(), `${name} ran on ${summary.backend}`);
    // What a person would see in JupyterLab: no vega warning boxes, charts that fit the output area.
    const executed = JSON.parse(fs.readFileSync(out, "utf8")) as { cells: (Omit<Cell, "outputs"> & { outputs?: ExecutedOutput[] })[] };
    const problems: string[] = [];
    for (const [k, cell] of executed.cells.entries()) {
      for (const o of cell.outputs ?? []) {
        const text = Array.isArray(o.text) ? o.text.join("") : (o.text ?? "");
        if (o.output_type === "stream" && o.name === "stderr" && /^WARN\b/m.test(text)) problems.push(`cell ${k}: stderr ${text.trim().slice(0, 200)}`);
        const spec = o.data?.[VEGA_LITE_MIME];
        if (spec !== undefined) {
          for (const w of await vegaLiteWarnings(spec as Record<string, unknown>)) problems.push(`cell ${k}: vega-lite warns: ${w}`);
        }
        const svg = o.data?.["image/svg+xml"];
        if (svg !== undefined) {
          const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(Array.isArray(svg) ? svg.join("") : String(svg))?.[1]);
          if (width > NOTEBOOK_WIDTH + 40) problems.push(`cell ${k}: a chart ${width} px wide (the output area at a 1280-px window is about ${NOTEBOOK_WIDTH + 40})`);
        }
      }
    }
    assert.deepEqual(problems, [], `${name}: what a reader would see`);
    // numbers the notebooks print for these checks
    const printed = executed.cells.flatMap((c) => (c.outputs ?? []).map((o) => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? "")))).join("\n");
    const check = NUMBER_CHECKS[name];
    if (check !== undefined) check(printed);
    // a full-setting time counts only for a run that passed every check above
    if (fullRun) recordFullTime(name, summary.seconds, summary.cells);
  });
}
