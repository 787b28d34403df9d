/**
 * A long synchronous cell that redraws a progress bar many thousands of times
 * and shows thousands of outputs must run to the end on the tslab kernel, with
 * every output delivered in order (src/core/notebook.ts, src/core/progress.ts).
 * Before the fix this cell failed a few seconds in with an error that had no
 * name or message (zeromq's EBUSY thrown out of tslab's unawaited send).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const python = path.join(root, ".venv", "bin", "python");
const fixture = path.join(root, "test", "fixtures", "notebooks", "progress-stress.ipynb");

interface Output { output_type: string; text?: string | string[]; data?: Record<string, string | string[]> }
const join = (t: string | string[] | undefined): string => (Array.isArray(t) ? t.join("") : (t ?? ""));

test("a minute of synchronous work with a progress bar and 2000 outputs runs to the end on tslab", { timeout: 10 * 60 * 1000 }, () => {
  assert.ok(fs.existsSync(python), ".venv is missing: run `npm run setup`");
  const out = path.join(root, "test", ".out", "progress-stress.ipynb");
  const r = spawnSync(python, [path.join(root, "kernel-setup", "run_notebook.py"), fixture, "--out", out], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, BOLTZLAB_PROGRESS: "1", PYTHONWARNINGS: "ignore" },
    maxBuffer: 64 * 1024 * 1024,
  });
  const summary = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { error: string | null };
  assert.equal(summary.error, null, `the stress cell failed:\n${summary.error}\n${r.stderr.slice(-2000)}`);
  const nb = JSON.parse(fs.readFileSync(out, "utf8")) as { cells: { cell_type: string; outputs?: Output[] }[] };
  const code = nb.cells.filter((c) => c.cell_type === "code");
  const outputs = code[1].outputs ?? [];
  const texts = outputs.filter((o) => o.output_type === "display_data").map((o) => join(o.data?.["text/plain"]));
  const shows = texts.filter((t) => t.startsWith("out "));
  assert.equal(shows.length, 2000, "every shown output arrives");
  shows.forEach((t, k) => assert.equal(t, `out ${k}`, `output ${k} in order`));
  const bar = texts.find((t) => t.startsWith("stress "));
  assert.ok(bar !== undefined && bar.includes("200000/200000"), `the bar ends full, got ${bar}`);
  const stdout = outputs.filter((o) => o.output_type === "stream").map((o) => join(o.text)).join("");
  assert.match(stdout, /STRESS ticks=200000 shown=2000/);
  assert.match(join((code[2].outputs ?? []).map((o) => join(o.text))), /STRESS next cell ran/);
});
