/**
 * The workshop track (notebooks/workshop/ and its solutions/): every notebook
 * is committed without outputs on the tslab kernel, has exercises marked
 * `// TODO(student)` followed by a `bz.workshop.check.<name>` cell, and has a
 * solution with the same cells apart from the exercises. Executed headlessly
 * (kernel-setup/run_notebook.py, BOLTZLAB_FAST=1 unless set): the unfilled
 * notebooks run to the end without a cell error and print a hint for every
 * check (and the note that boltzlab's function is used instead); the
 * solutions print "correct" for every check and no hint. Executed copies go
 * to test/.out/workshop/ (the browser test opens them too).
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
const dir = path.join(root, "notebooks", "workshop");
const solDir = path.join(dir, "solutions");
const python = path.join(root, ".venv", "bin", "python");
const outDir = path.join(root, "test", ".out", ...(fullRun ? ["full"] : []), "workshop");
const notebooks = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort() : [];

interface Output { output_type: string; name?: string; text?: string | string[]; ename?: string; evalue?: string; data?: Record<string, unknown> }
interface Cell { cell_type: string; source: string | string[]; outputs?: Output[]; execution_count?: number | null }
interface Notebook { cells: Cell[]; metadata: { kernelspec?: { name?: string } } }

const read = (p: string): Notebook => JSON.parse(fs.readFileSync(p, "utf8")) as Notebook;
const src = (c: Cell): string => (Array.isArray(c.source) ? c.source.join("") : c.source);
const text = (o: Output): string => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? ""));

/** Checks whose result goes to bz.workshop.fallback (the notebook then uses boltzlab's function when the check fails). */
function fallbacksOf(nb: Notebook): string[] {
  const all = nb.cells.map(src).join("\n");
  const names: string[] = [];
  for (const m of all.matchAll(/const\s+(\w+)\s*=\s*bz\.workshop\.check\.(\w+)\(/g)) {
    if (new RegExp(`bz\\.workshop\\.fallback\\(\\s*${m[1]}\\b`).test(all)) names.push(m[2]);
  }
  return names;
}

/** The checks a notebook calls, in order: bz.workshop.check.<name>( */
function checksOf(nb: Notebook): string[] {
  return nb.cells.filter((c) => c.cell_type === "code").flatMap((c) => [...src(c).matchAll(/bz\.workshop\.check\.(\w+)\(/g)].map((m) => m[1]));
}

test("the shorthand check flags { a } for another cell's a, not call arguments or destructuring", () => {
  const code = (source: string): Cell => ({ cell_type: "code", source: source, outputs: [], execution_count: null });
  const nb: Notebook = { metadata: {}, cells: [code("const a = 1;\nconst b = 2;"), code("f(a, b, 3);\nconst { a: c, b } = g();\nconst o = { x: 1, a };")] };
  assert.deepEqual(crossCellShorthand(nb), ["cell 1, line 3: { a } — write { a: a }"]);
});

test("there are three workshop notebooks, each with a solution", () => {
  assert.deepEqual(notebooks, ["01-metropolis.ipynb", "02-reinforce.ipynb", "03-reverse-kl.ipynb"]);
  for (const name of notebooks) assert.ok(fs.existsSync(path.join(solDir, name)), `solutions/${name} is missing`);
});

for (const name of notebooks) {
  test(`workshop ${name}: committed without outputs, exercises marked and checked, solution matching`, () => {
    const nb = read(path.join(dir, name));
    const sol = read(path.join(solDir, name));
    for (const [which, book] of [["exercise", nb], ["solution", sol]] as const) {
      assert.equal(book.metadata.kernelspec?.name, "tslab", `${which}: kernelspec.name must be tslab`);
      book.cells.forEach((c, k) => {
        if (c.cell_type !== "code") return;
        assert.deepEqual(c.outputs ?? [], [], `${which} cell ${k} has outputs`);
        assert.ok(c.execution_count === null || c.execution_count === undefined, `${which} cell ${k} has an execution count`);
      });
      assert.deepEqual(crossCellShorthand(book), [], `${which}: object shorthand for another cell's variable (a tslab pitfall)`);
      assert.ok(book.cells.some((c) => c.cell_type === "markdown" && src(c).includes("$")), `${which}: markdown with equations`);
    }
    assert.equal(sol.cells.length, nb.cells.length, "the solution has the same cells");
    const todo = nb.cells.filter((c) => c.cell_type === "code" && src(c).includes("TODO(student)"));
    assert.ok(todo.length >= 1, "no exercise cell marked // TODO(student)");
    assert.ok(!sol.cells.some((c) => c.cell_type === "code" && src(c).includes("TODO(student)")), "the solution still has TODOs");
    const checks = checksOf(nb);
    assert.equal(checks.length, todo.length, `one check per exercise (checks: ${checks.join(", ")})`);
    assert.deepEqual(checksOf(sol), checks);
    // every exercise cell is directly followed by its check
    nb.cells.forEach((c, k) => {
      if (c.cell_type === "code" && src(c).includes("TODO(student)")) assert.match(src(nb.cells[k + 1]), /bz\.workshop\.check\.\w+\(/, `cell ${k + 1} should check exercise cell ${k}`);
    });
    // apart from the exercise cells, the solution is the same notebook
    nb.cells.forEach((c, k) => {
      if (c.cell_type !== "code" || !src(c).includes("TODO(student)")) assert.equal(src(sol.cells[k]), src(c), `cell ${k} differs between exercise and solution`);
    });
  });
}

/** Execute one notebook; returns the run's summary and every stdout/stderr text and error per cell. */
function execute(file: string, out: string): { seconds: number; cells: number; error: string | null; images: number; stdout: string[]; errors: string[] } {
  const cellTimeout = fullRun ? ["--timeout", String(3600)] : [];
  const r = spawnSync(python, [path.join(root, "kernel-setup", "run_notebook.py"), file, "--out", out, ...cellTimeout], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, BOLTZLAB_FAST: process.env.BOLTZLAB_FAST ?? "1", BOLTZLAB_PROGRESS: "1", PYTHONWARNINGS: "ignore" },
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  let summary: { error: string | null; images: number; seconds: number; cells: number };
  try {
    summary = JSON.parse(last);
  } catch {
    assert.fail(`run_notebook.py gave no summary (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  }
  const executed = read(out);
  const stdout: string[] = [];
  const errors: string[] = [];
  for (const c of executed.cells) {
    for (const o of c.outputs ?? []) {
      if (o.output_type === "stream" && o.name === "stdout") stdout.push(text(o));
      if (o.output_type === "stream" && o.name === "stderr") errors.push(text(o));
      if (o.output_type === "error") errors.push(`${o.ename}: ${o.evalue}`);
    }
  }
  return { seconds: summary.seconds, cells: summary.cells, error: summary.error, images: summary.images, stdout: stdout, errors: errors };
}

/** What a reader would see that is wrong (as in notebooks.test.ts): vega-lite warnings, charts wider than the output area. */
async function readerProblems(out: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [k, cell] of read(out).cells.entries()) {
    for (const o of cell.outputs ?? []) {
      const spec = o.data?.[VEGA_LITE_MIME];
      if (spec !== undefined) for (const w of await vegaLiteWarnings(spec as Record<string, unknown>)) problems.push(`cell ${k}: vega-lite warns: ${w}`);
      const svg = o.data?.["image/svg+xml"];
      if (svg !== undefined) {
        const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(Array.isArray(svg) ? svg.join("") : String(svg))?.[1]);
        if (width > NOTEBOOK_WIDTH + 40) problems.push(`cell ${k}: a chart ${width} px wide`);
      }
    }
  }
  return problems;
}

for (const name of notebooks.filter((n) => selected(`workshop/${n}`))) {
  test(`workshop ${name}: the unfilled notebook runs to the end with a hint for every check`, { timeout: 20 * 60 * 1000 }, async (t) => {
    assert.ok(fs.existsSync(python), ".venv is missing: run `npm run setup`");
    const checks = checksOf(read(path.join(dir, name)));
    const r = execute(path.join(dir, name), path.join(outDir, name));
    t.diagnostic(`${name} (unfilled): ${r.seconds} s, ${r.images} images`);
    process.stdout.write(`workshop ${name} (unfilled): executed in ${r.seconds} s, ${r.images} images\n`);
    assert.equal(r.error, null, `cell error in ${name}:\n${r.error}`);
    assert.deepEqual(r.errors, [], "stderr output or errors");
    assert.ok(r.images >= 2, `${name}: only ${r.images} image outputs`);
    const lines = r.stdout.join("").split("\n");
    for (const c of checks) {
      assert.ok(lines.some((l) => l.startsWith(`${c}: hint — `)), `${c}: no hint printed`);
      assert.ok(!lines.some((l) => l.startsWith(`${c}: correct`)), `${c}: the placeholder passed its check`);
    }
    const fallbacks = fallbacksOf(read(path.join(dir, name)));
    assert.ok(fallbacks.length >= 1, "the notebook never falls back to boltzlab's function");
    for (const c of fallbacks) assert.ok(lines.some((l) => l.startsWith(`note: ${c} did not pass its check`)), `${c}: no note that boltzlab's ${c} is used instead`);
    assert.deepEqual(await readerProblems(path.join(outDir, name)), [], `${name}: what a reader would see`);
    if (fullRun) recordFullTime(`workshop/${name}`, r.seconds, r.cells); // counted only when every check above passed
  });

  test(`workshop solutions/${name}: every check prints "correct", no hint`, { timeout: 20 * 60 * 1000 }, async (t) => {
    assert.ok(fs.existsSync(python), ".venv is missing: run `npm run setup`");
    const checks = checksOf(read(path.join(solDir, name)));
    const r = execute(path.join(solDir, name), path.join(outDir, "solutions", name));
    t.diagnostic(`solutions/${name}: ${r.seconds} s, ${r.images} images`);
    process.stdout.write(`workshop solutions/${name}: executed in ${r.seconds} s, ${r.images} images\n`);
    assert.equal(r.error, null, `cell error in solutions/${name}:\n${r.error}`);
    assert.deepEqual(r.errors, [], "stderr output or errors");
    const lines = r.stdout.join("").split("\n");
    for (const c of checks) assert.ok(lines.some((l) => l.startsWith(`${c}: correct (`)), `${c}: "correct" not printed`);
    const hints = lines.filter((l) => / hint — /.test(l) || l.startsWith("note: "));
    assert.deepEqual(hints, [], "a solution printed hints or fell back to boltzlab's functions");
    assert.deepEqual(await readerProblems(path.join(outDir, "solutions", name)), [], `solutions/${name}: what a reader would see`);
    if (fullRun) recordFullTime(`workshop/solutions/${name}`, r.seconds, r.cells);
  });
}
