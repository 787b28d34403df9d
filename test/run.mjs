#!/usr/bin/env node
/**
 * `npm test`: set up what is missing, type-check, then run every
 * test/**\/*.test.ts with Node's test runner (TypeScript through tsx). The
 * notebook tests (test/notebooks/) execute every notebooks/*.ipynb on the
 * tslab kernel with BOLTZLAB_FAST=1.
 *
 *   node test/run.mjs            everything
 *   node test/run.mjs --unit     skip the notebook tests (and the Python venv)
 *   node test/run.mjs --full [P..]  only the notebooks (workshop ones included),
 *                                each in its default (full) setting with
 *                                progress bars on, one at a time; merges each
 *                                one's wall time into test/.out/full-times.json
 *                                (`npm run test:full [-- P..]`; hours, not for
 *                                CI). With patterns, only the notebooks whose
 *                                name starts with one, e.g. `-- 04 workshop/`
 *   node test/run.mjs PATTERN..  only test files whose path contains a PATTERN
 *
 * The browser test (test/notebooks/browser.test.ts) opens the notebooks that
 * the notebook test executed into test/.out/, so it runs as a step of its own
 * after the others (Node's runner may run files concurrently), also when they
 * failed, so that a broken chart is reported beside a failed unit test.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const unit = argv.includes("--unit");
const full = argv.includes("--full");
const patterns = argv.filter((a) => !a.startsWith("--"));

function step(name, cmd, args, env = {}, { exit = true } = {}) {
  process.stderr.write(`\n== ${name}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) {
    process.stderr.write(`\n${name} failed (exit ${r.status ?? r.signal})\n`);
    if (exit) process.exit(r.status ?? 1);
  }
  return r.status ?? 1;
}

function findTests(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "fixtures" && !e.name.startsWith(".")) out.push(...findTests(p));
    } else if (e.name.endsWith(".test.ts")) out.push(p);
  }
  return out.sort();
}

const needsNotebooks = !unit;
step("setup", process.execPath, [path.join(root, "kernel-setup", "setup.mjs"), ...(needsNotebooks ? [] : ["--no-venv"])]);
step("type check", process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--noEmit"]);

let files = findTests(path.join(root, "test")).map((f) => path.relative(root, f));
if (unit) files = files.filter((f) => !f.startsWith(path.join("test", "notebooks")));
const fullFiles = ["notebooks.test.ts", "workshop.test.ts"].map((f) => path.join("test", "notebooks", f));
if (full) files = files.filter((f) => fullFiles.includes(f));
if (patterns.length > 0 && !full) files = files.filter((f) => patterns.some((p) => f.includes(p)));
if (files.length === 0) {
  process.stderr.write("no test files matched\n");
  process.exit(1);
}
const browserTest = path.join("test", "notebooks", "browser.test.ts");
const browser = files.includes(browserTest) && !full;
files = files.filter((f) => f !== browserTest);
const testEnv = {
  BOLTZLAB_FAST: full ? "0" : (process.env.BOLTZLAB_FAST ?? "1"),
  BOLTZLAB_PROGRESS: "0",
  ...(full ? { BOLTZLAB_FULL_RUN: "1", BOLTZLAB_NOTEBOOKS: patterns.join(",") } : {}),
  TF_CPP_MIN_LOG_LEVEL: "2",
};
// spec output on the terminal, and a TAP copy of each step's results so that one closing line can count both steps
const tapDir = path.join(root, "test", ".out");
fs.mkdirSync(tapDir, { recursive: true });
const runner = (tap) => [process.execPath, ["--import", "tsx", "--test", ...(full ? ["--test-concurrency=1"] : []), "--test-reporter=spec", "--test-reporter-destination=stdout", "--test-reporter=tap", `--test-reporter-destination=${tap}`]];
const taps = [];
function tapCounts(file) {
  try {
    const text = fs.readFileSync(file, "utf8");
    const count = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
    return { pass: count("pass"), fail: count("fail") + count("cancelled") };
  } catch {
    return { pass: 0, fail: 0 };
  }
}
let status = 0;
if (files.length > 0) {
  const tap = path.join(tapDir, "results-tests.tap");
  taps.push(tap);
  const [cmd, args] = runner(tap);
  status = step(`unit and notebook tests (${files.length} files)`, cmd, [...args, ...files], testEnv, { exit: !browser });
}
if (browser) {
  const tap = path.join(tapDir, "results-browser.tap");
  taps.push(tap);
  const [cmd, args] = runner(tap);
  const b = step("browser test (the executed notebooks in JupyterLab, headless Chromium)", cmd, [...args, browserTest], testEnv, { exit: false });
  status = status || b;
}
const total = taps.map(tapCounts).reduce((a, c) => ({ pass: a.pass + c.pass, fail: a.fail + c.fail }), { pass: 0, fail: 0 });
if (status !== 0 && total.fail === 0) total.fail = 1; // a step that failed without a failing test (a crash) still fails
process.stdout.write(`\nTotal: ${total.pass} passed, ${total.fail} failed\n`);
process.exit(status);
