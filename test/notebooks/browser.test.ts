/**
 * What a person sees: every executed notebook in test/.out/ (written there by
 * notebooks.test.ts; including test/.out/workshop/) is opened in the project's
 * JupyterLab in headless Chromium at a 1280×800 window, and for each one
 *  - every vega-lite output of the file renders as a chart (an svg or canvas
 *    inside its .vega-embed);
 *  - no output shows an error or a warning (stderr boxes, error outputs, vega
 *    warnings on the console);
 *  - no chart is wider than the notebook's output area;
 *  - the kernel is the TypeScript (tslab) kernel;
 *  - charts with a bound range input (a slider) have it, and moving it
 *    changes the drawn marks (no kernel round trip).
 * One screenshot per notebook goes to test/.out/screens/.
 *
 * Chromium is Debian's `chromium` (installed by `node kernel-setup/setup.mjs
 * --browser`, which .ci/run calls), driven by playwright-core. Without it the
 * test fails, saying so; locally (not in CI) BOLTZLAB_NO_BROWSER=1 skips it
 * with a notice. test/run.mjs runs this file as a step of its own after the
 * notebook tests (`node --test a.ts b.ts` runs files concurrently, so this
 * file would look at the previous run's copies). Run alone, it executes any
 * notebooks/*.ipynb whose executed copy is missing or older than its source
 * (workshop notebooks: when workshop.test.ts has executed them).
 * BOLTZLAB_BROWSER_NOTEBOOKS=03,05 restricts it to matching paths.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { freePort, sleep } from "./net";

const root = path.resolve(__dirname, "..", "..");
const outDir = path.join(root, "test", ".out");
const screens = path.join(outDir, "screens");
const python = path.join(root, ".venv", "bin", "python");
const jupyter = path.join(root, ".venv", "bin", "jupyter");
const WINDOW = { width: 1280, height: 800 };
const VEGA_LITE = /^application\/vnd\.vegalite\.v\d+\+json$/;
const STDERR = "application/vnd.jupyter.stderr";

/** Debian's chromium (or another Chromium) on PATH, or null. */
export function findChromium(): string | null {
  if (process.env.BOLTZLAB_CHROMIUM) return fs.existsSync(process.env.BOLTZLAB_CHROMIUM) ? process.env.BOLTZLAB_CHROMIUM : null;
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim() !== "") return r.stdout.trim();
  }
  return null;
}

/** Source notebooks (notebooks/**\/*.ipynb, not figures or checkpoints), relative to notebooks/. */
function sourceNotebooks(dir = path.join(root, "notebooks"), rel = ""): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!e.name.startsWith(".") && e.name !== "figures") out.push(...sourceNotebooks(path.join(dir, e.name), path.join(rel, e.name)));
    } else if (e.name.endsWith(".ipynb")) out.push(path.join(rel, e.name));
  }
  return out.sort();
}

/** Executed notebooks under test/.out/ (not the full-setting runs or screenshots), relative to it. */
function executedNotebooks(dir = outDir, rel = ""): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!e.name.startsWith(".") && rel === "" && (e.name === "full" || e.name === "screens")) continue;
      if (!e.name.startsWith(".")) out.push(...executedNotebooks(path.join(dir, e.name), path.join(rel, e.name)));
    } else if (e.name.endsWith(".ipynb")) out.push(path.join(rel, e.name));
  }
  return out.sort();
}

/**
 * Execute the notebooks/*.ipynb (those notebooks.test.ts executes) that have no
 * executed copy newer than their source, when this file runs alone. Workshop
 * notebooks are looked at when their test has executed them into test/.out/workshop/.
 */
function executeMissing(): string[] {
  const done: string[] = [];
  for (const rel of sourceNotebooks().filter((r) => !r.includes(path.sep))) {
    const src = path.join(root, "notebooks", rel);
    const out = path.join(outDir, rel);
    if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) continue;
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const r = spawnSync(python, [path.join(root, "kernel-setup", "run_notebook.py"), src, "--out", out], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, BOLTZLAB_FAST: process.env.BOLTZLAB_FAST ?? "1", BOLTZLAB_PROGRESS: "1", PYTHONWARNINGS: "ignore" },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0 && !fs.existsSync(out)) throw new Error(`executing ${rel} failed (exit ${r.status}):\n${(r.stderr ?? "").slice(-3000)}`);
    done.push(rel);
  }
  return done;
}

interface Output { output_type: string; name?: string; data?: Record<string, unknown> }
interface ExecutedNotebook { cells: { cell_type: string; outputs?: Output[] }[] }

/**
 * A notebook with what the test must catch: a chart wider than the output
 * area, a spec vega cannot draw, and a warning on stderr. Opened first; if the
 * test does not report all three, it is blind and fails.
 */
export function selfCheckNotebook(): ExecutedNotebook & Record<string, unknown> {
  const chart = (spec: Record<string, unknown>) => ({ output_type: "display_data", metadata: {}, data: { "application/vnd.vegalite.v5+json": spec, "text/plain": "<chart>" } });
  const wide = { width: 1400, height: 60, data: { values: [{ a: 1 }, { a: 2 }] }, mark: "bar", encoding: { x: { field: "a", type: "quantitative" } } };
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: [
      { cell_type: "markdown", metadata: {}, source: "browser test self-check" } as never,
      {
        cell_type: "code", metadata: {}, execution_count: 1, source: "",
        outputs: [chart(wide), chart({ mark: "no-such-mark", data: { values: [] } }), { output_type: "stream", name: "stderr", text: "WARN self-check\n" }],
      } as never,
    ],
  };
}
const SELF_CHECK = "_browser-self-check.ipynb";

/** What the file says should be on screen: vega-lite outputs, and outputs that are stderr or errors. */
export function expectedOutputs(nb: ExecutedNotebook): { charts: number; sliders: number; stderr: number; legendSelections: number[] } {
  let charts = 0;
  let sliders = 0;
  const legendSelections: number[] = []; // indices of the charts with a legend-bound selection
  let stderr = 0;
  for (const c of nb.cells) {
    for (const o of c.outputs ?? []) {
      if (o.output_type === "error" || (o.output_type === "stream" && o.name === "stderr")) stderr++;
      const key = Object.keys(o.data ?? {}).find((k) => VEGA_LITE.test(k));
      if (key === undefined) continue;
      const text = JSON.stringify(o.data![key]);
      if (/"bind":\{"input":"range"/.test(text)) sliders++;
      if (/"bind":"legend"/.test(text)) legendSelections.push(charts);
      charts++;
    }
  }
  return { charts, sliders, stderr, legendSelections };
}


/** JupyterLab from the project's .venv on a temp copy of the executed notebooks, with fresh user settings. */
async function startLab(dir: string): Promise<{ base: string; token: string; child: ChildProcess; log: () => string }> {
  const port = await freePort();
  const token = `bzbrowser${process.pid}`;
  const settings = path.join(dir, ".lab-user-settings");
  // every cell in the DOM (not windowed), so charts below the fold render and can be measured
  const tracker = path.join(settings, "@jupyterlab", "notebook-extension");
  fs.mkdirSync(tracker, { recursive: true });
  fs.writeFileSync(path.join(tracker, "tracker.jupyterlab-settings"), JSON.stringify({ windowingMode: "none" }));
  const args = [
    "lab", "--no-browser", `--port=${port}`, "--ServerApp.port_retries=0", `--ServerApp.token=${token}`, "--ServerApp.ip=127.0.0.1",
    `--ServerApp.root_dir=${path.join(dir, "nb")}`, `--LabApp.user_settings_dir=${settings}`, `--LabApp.workspaces_dir=${path.join(dir, ".lab-workspaces")}`,
  ];
  if (typeof process.getuid === "function" && process.getuid() === 0) args.push("--allow-root");
  const child = spawn(jupyter, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, JUPYTER_CONFIG_DIR: path.join(dir, ".jupyter") } });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  for (let k = 0; k < 240; k++) {
    try {
      const r = await fetch(`${base}/api?token=${token}`, { signal: AbortSignal.timeout(3000) });
      if (r.status === 200) return { base, token, child, log: () => log };
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) break;
    await sleep(500);
  }
  child.kill("SIGTERM");
  throw new Error(`JupyterLab did not come up on ${base}:\n${log.slice(-3000)}`);
}

async function stopLab(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 10000);
  await gone;
  clearTimeout(t);
}

// Code run in the page is kept as text: tsx would add helpers (__name) to
// compiled functions that do not exist in the browser, and the project's
// TypeScript settings have no DOM types.
/** A page function from its source text (page.evaluate and locator.evaluate send it as text and call it there). */
function inPage(src: string): (arg?: unknown) => unknown {
  return new Function(`return (${src});`)() as (arg?: unknown) => unknown;
}

/** In the page: the open notebook's stderr boxes, charts and their widths against the output area. */
const MEASURE = String.raw`(STDERR) => {
  const panels = [...document.querySelectorAll(".jp-NotebookPanel")].filter((p) => !p.classList.contains("lm-mod-hidden"));
  const el = panels[panels.length - 1];
  const px = (r) => Math.round(r.width) + " px";
  const stderr = [];
  el.querySelectorAll('.jp-OutputArea-output[data-mime-type="' + STDERR + '"], .jp-RenderedText[data-mime-type="' + STDERR + '"]').forEach((o) => {
    const text = (o.textContent || "").trim().replace(/\s+/g, " ").slice(0, 200) || "(empty: a renderer failed)";
    if (!stderr.includes(text)) stderr.push(text);
  });
  const tooWide = [];
  const notebook = el.querySelector(".jp-Notebook").getBoundingClientRect();
  const embeds = [...el.querySelectorAll(".vega-embed")];
  embeds.forEach((v, k) => {
    const area = v.closest(".jp-OutputArea-output") || v.parentElement;
    const a = area.getBoundingClientRect();
    const drawing = v.querySelector("canvas, svg");
    const b = (drawing || v).getBoundingClientRect();
    const e = v.getBoundingClientRect();
    const right = Math.max(b.right, e.right);
    if (right > a.right + 1 || right > notebook.right + 1) {
      tooWide.push("chart " + (k + 1) + ": " + px(b) + " drawn (" + px(e) + " with its menu), right edge " + Math.round(right) + " past the output area's " + Math.round(a.right) + " (notebook " + Math.round(notebook.right) + ")");
    }
  });
  return { charts: embeds.length, chartsRendered: embeds.filter((v) => v.querySelector("svg, canvas") !== null).length, stderr, tooWide };
}`;

/** In the page, on a .vega-embed: its drawing as text (canvas pixels or svg markup). */
const MARKS = `(v) => { const c = v.querySelector("canvas"); return c ? c.toDataURL() : (v.querySelector("svg") || { innerHTML: "" }).innerHTML; }`;

/**
 * In the page, on a .vega-embed drawn on a canvas: where to click the first
 * legend entry. Legends are below the plot, so the lowest pixel of the first
 * series' colour (vega's first category colour, #4c78a8, on white) is its legend symbol.
 */
const LEGEND_SPOT = `(v) => {
  const c = v.querySelector("canvas");
  if (!c) return null;
  const r = c.getBoundingClientRect();
  const img = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  // #4c78a8 blended with the white background to any degree (thin legend strokes are anti-aliased)
  const near = (k) => img[k + 2] > img[k] + 30 && img[k + 2] > img[k + 1] + 15 && img[k + 1] > img[k] + 10;
  for (let y = c.height - 1; y >= 0; y--) {
    for (let x = 0; x < c.width; x++) {
      if (near(4 * (y * c.width + x))) return { x: r.left + (x * r.width) / c.width, y: r.top + (y * r.height) / c.height };
    }
  }
  return null;
}`;

/** In the page, on an input: its range and value. */
const RANGE = `(i) => ({ min: Number(i.min), max: Number(i.max), value: Number(i.value) })`;

/** In the page: scroll the open notebook to its top. */
const TO_TOP = `() => { document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer, .jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").forEach((e) => { e.scrollTop = 0; }); }`;

/** In the page: the height of the open notebook's content. */
const HEIGHT = `() => {
  const panels = [...document.querySelectorAll(".jp-NotebookPanel")].filter((p) => !p.classList.contains("lm-mod-hidden"));
  const scrollers = [...panels[panels.length - 1].querySelectorAll(".jp-WindowedPanel-outer, .jp-Notebook")];
  return Math.max(...scrollers.map((e) => e.scrollHeight - e.clientHeight));
}`;

interface Seen {
  charts: number;
  chartsRendered: number;
  stderr: string[];
  tooWide: string[];
  kernelName: string;
  sliders: number;
  slidersMoved: number;
  interactionProblems: string[];
  legendsClicked: number;
}

/** Measure an opened notebook: charts drawn, stderr boxes, widths, the kernel shown, sliders. */
async function inspect(page: Page, expectedCharts: number, legendSelections: number[], shotName: string): Promise<Seen> {
  const panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").last();
  await panel.waitFor({ state: "visible", timeout: 60000 });
  // outputs render once the file has loaded; vega-embed draws asynchronously
  const drawn = panel.locator(".vega-embed").filter({ has: page.locator("svg.marks, canvas.marks, svg, canvas") });
  const failed = panel.locator(`.jp-OutputArea-output[data-mime-type="${STDERR}"]`); // a renderer that failed shows as one
  const t0 = Date.now();
  while (Date.now() - t0 < 60000) {
    if ((await drawn.count()) + (await failed.count()) >= expectedCharts && (await panel.locator(".jp-OutputArea-output").count()) > 0) break;
    await sleep(250);
  }
  await sleep(500);
  // the kernel shown in the toolbar: it starts asynchronously
  const kernelLabel = panel.locator(".jp-KernelName, .jp-Toolbar-kernelName").first();
  let kernelName = "";
  for (let k = 0; k < 120; k++) {
    kernelName = ((await kernelLabel.textContent().catch(() => "")) ?? "").trim();
    if (kernelName !== "" && !/^(No Kernel|Kernel|Starting)/i.test(kernelName)) break;
    await sleep(250);
  }
  const measured = (await page.evaluate(inPage(MEASURE), STDERR)) as Omit<Seen, "kernelName" | "sliders" | "slidersMoved" | "interactionProblems" | "legendsClicked">;
  // sliders: a bound range input inside the view; moving it redraws the marks without the kernel
  const interactionProblems: string[] = [];
  let sliders = 0;
  let slidersMoved = 0;
  const views = panel.locator(".vega-embed").filter({ has: page.locator('input[type="range"]') });
  const nViews = await views.count();
  for (let k = 0; k < nViews; k++) {
    const view = views.nth(k);
    await view.scrollIntoViewIfNeeded();
    const input = view.locator('input[type="range"]').first();
    sliders++;
    const marks = async () => (await view.evaluate(inPage(MARKS))) as string;
    const before = await marks();
    const { min, max, value } = (await input.evaluate(inPage(RANGE))) as { min: number; max: number; value: number };
    const target = Math.abs(value - min) > Math.abs(max - value) ? min : max;
    await input.fill(String(target));
    await sleep(400);
    const after = await marks();
    if (before === after) interactionProblems.push(`slider ${k + 1}: moving it from ${value} to ${target} did not change the chart`);
    else slidersMoved++;
    await input.fill(String(value));
  }
  // legend selections: clicking the first legend entry fades the other series
  let legendsClicked = 0;
  for (const k of legendSelections) {
    const view = panel.locator(".vega-embed").nth(k);
    await view.scrollIntoViewIfNeeded();
    await sleep(200);
    const before = (await view.evaluate(inPage(MARKS))) as string;
    const spot = (await view.evaluate(inPage(LEGEND_SPOT))) as { x: number; y: number } | null;
    if (spot === null) {
      interactionProblems.push(`chart ${k + 1}: no legend entry of the first series' colour found to click`);
      continue;
    }
    let changed = false;
    // the symbol, then its label to the right of it
    for (const dx of [0, 14, 24]) {
      await page.mouse.click(spot.x + dx, spot.y);
      await sleep(300);
      if (((await view.evaluate(inPage(MARKS))) as string) !== before) { changed = true; break; }
    }
    if (changed) {
      legendsClicked++;
      await view.screenshot({ path: path.join(screens, `${shotName}__chart${k + 1}-legend-click.png`) });
    }
    else {
      interactionProblems.push(`chart ${k + 1}: clicking its legend at (${Math.round(spot.x)}, ${Math.round(spot.y)}) did not change the chart (the highlight selection)`);
      await view.screenshot({ path: path.join(screens, `${shotName}__chart${k + 1}-legend-click-failed.png`) });
    }
    await page.keyboard.press("Escape");
  }
  return { ...measured, kernelName, sliders, slidersMoved, interactionProblems, legendsClicked };
}

const noBrowser = process.env.BOLTZLAB_NO_BROWSER === "1";
const chromium = findChromium();

test("executed notebooks look right in JupyterLab in headless Chromium", { timeout: 30 * 60 * 1000 }, async (t) => {
  if (noBrowser && !process.env.CI) {
    process.stdout.write("browser test skipped: BOLTZLAB_NO_BROWSER=1 (the notebooks were not looked at in a browser)\n");
    t.skip("BOLTZLAB_NO_BROWSER=1");
    return;
  }
  if (noBrowser) process.stdout.write("BOLTZLAB_NO_BROWSER=1 is ignored in CI\n");
  if (chromium === null) {
    assert.fail(
      process.env.CI
        ? "Chromium could not be installed: `chromium` is not on PATH after `node kernel-setup/setup.mjs --browser` (apt-get install chromium failed?)"
        : "Chromium is missing: install it with `node kernel-setup/setup.mjs --browser` (apt-get install chromium, as root) or skip this test with BOLTZLAB_NO_BROWSER=1",
    );
  }
  assert.ok(fs.existsSync(jupyter), ".venv is missing: run `npm run setup`");
  const t0 = Date.now();
  const ran = executeMissing();
  if (ran.length > 0) t.diagnostic(`executed first (no up-to-date copy in test/.out/): ${ran.join(", ")}`);
  // BOLTZLAB_BROWSER_NOTEBOOKS=03,05 looks at only the notebooks whose path contains one of these
  const only = (process.env.BOLTZLAB_BROWSER_NOTEBOOKS ?? "").split(",").filter((x) => x !== "");
  const names = executedNotebooks().filter((n) => only.length === 0 || only.some((o) => n.includes(o)));
  assert.ok(names.length >= 1, "no executed notebooks in test/.out/");

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "boltzlab-browser-"));
  for (const rel of names) {
    fs.mkdirSync(path.dirname(path.join(tmp, "nb", rel)), { recursive: true });
    fs.copyFileSync(path.join(outDir, rel), path.join(tmp, "nb", rel));
  }
  fs.writeFileSync(path.join(tmp, "nb", SELF_CHECK), JSON.stringify(selfCheckNotebook()));
  fs.mkdirSync(screens, { recursive: true });
  const { chromium: pw } = await import("playwright-core");
  let lab: Awaited<ReturnType<typeof startLab>> | null = null;
  let browser: Browser | null = null;
  const problems: string[] = [];
  let selfCheck: string[] = [];
  try {
    lab = await startLab(tmp);
    const tLab = Date.now();
    browser = await pw.launch({
      executablePath: chromium!,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    });
    const context = await browser.newContext({ viewport: WINDOW });
    const page = await context.newPage();
    const consoleLines: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "warning" || m.type() === "error") consoleLines.push(`${m.type()}: ${m.text().slice(0, 300)}`);
    });
    page.on("pageerror", (e) => consoleLines.push(`page error: ${String(e).slice(0, 300)}`));
    // log in once with the token (a cookie), then open notebooks by URL
    await page.goto(`${lab.base}/lab?token=${lab.token}`, { waitUntil: "domcontentloaded" });
    await page.locator(".jp-LabShell, #jp-main-dock-panel").first().waitFor({ timeout: 120000 });
    for (const rel of [SELF_CHECK, ...names]) {
      const tNb = Date.now();
      const nb = JSON.parse(fs.readFileSync(path.join(tmp, "nb", rel), "utf8")) as ExecutedNotebook;
      const want = expectedOutputs(nb);
      consoleLines.length = 0;
      const url = `${lab.base}/lab/tree/${rel.split(path.sep).map(encodeURIComponent).join("/")}?reset`;
      await page.goto(url, { waitUntil: "domcontentloaded" });
      const shotBase = rel.replace(/\.ipynb$/, "").split(path.sep).join("__");
      const seen = await inspect(page, want.charts, want.legendSelections, shotBase);
      const mine: string[] = [];
      if (seen.chartsRendered !== want.charts) mine.push(`${seen.chartsRendered} charts drawn (${seen.charts} vega-embed elements), the file has ${want.charts} vega-lite outputs`);
      for (const s of seen.stderr) mine.push(`an error or warning box: ${s}`);
      if (want.stderr > 0 && seen.stderr.length === 0) mine.push(`the file has ${want.stderr} stderr/error outputs that did not show`);
      mine.push(...seen.tooWide);
      if (!/TypeScript|tslab/i.test(seen.kernelName)) mine.push(`kernel shown as "${seen.kernelName}", not the TypeScript (tslab) kernel`);
      if (seen.sliders !== want.sliders) mine.push(`${seen.sliders} sliders shown, the file has ${want.sliders} charts bound to a range input`);
      mine.push(...seen.interactionProblems);
      for (const c of consoleLines) if (/\bWARN\b|vega|Error/i.test(c) && !/favicon|404|\/api\/|\/lab\/api\//i.test(c)) mine.push(`console ${c}`);
      // the sessions API: the notebook's kernel is tslab
      const sessions = (await (await fetch(`${lab.base}/api/sessions?token=${lab.token}`)).json()) as { id: string; path: string; kernel: { name: string } | null }[];
      const session = sessions.find((s) => s.path === rel.split(path.sep).join("/"));
      if (session?.kernel?.name !== "tslab") mine.push(`the session's kernel is ${session?.kernel?.name ?? "missing"}, not tslab`);
      if (rel === SELF_CHECK) {
        selfCheck = mine;
        if (session !== undefined) await fetch(`${lab.base}/api/sessions/${session.id}?token=${lab.token}`, { method: "DELETE" });
        continue;
      }
      // screenshot: the whole notebook when it fits a tall window, else the first screenful
      const shot = path.join(screens, `${shotBase}.png`);
      const height = (await page.evaluate(inPage(HEIGHT))) as number;
      await page.evaluate(inPage(TO_TOP));
      await page.setViewportSize({ width: WINDOW.width, height: Math.min(12000, WINDOW.height + height) });
      await sleep(300);
      await page.screenshot({ path: shot });
      await page.setViewportSize(WINDOW);
      // close: stop the kernel, so kernels do not pile up
      if (session !== undefined) await fetch(`${lab.base}/api/sessions/${session.id}?token=${lab.token}`, { method: "DELETE" });
      const line = `${rel}: ${seen.chartsRendered}/${want.charts} charts, ${seen.sliders} sliders (${seen.slidersMoved} redraw), ${seen.legendsClicked}/${want.legendSelections.length} legend highlights work, kernel "${seen.kernelName}", ${((Date.now() - tNb) / 1000).toFixed(1)} s, ${path.relative(root, shot)}`;
      t.diagnostic(line);
      process.stdout.write(`browser ${line}\n`);
      for (const m of mine) problems.push(`${rel}: ${m}`);
    }
    const msg = `browser test: ${names.length} notebooks in ${((Date.now() - t0) / 1000).toFixed(1)} s (lab up in ${((tLab - t0) / 1000).toFixed(1)} s)`;
    t.diagnostic(msg);
    process.stdout.write(msg + "\n");
  } finally {
    await browser?.close().catch(() => undefined);
    if (lab !== null) await stopLab(lab.child);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // the self-check notebook's faults were all seen (else the checks above prove nothing)
  const caught = selfCheck.join("\n");
  t.diagnostic(`self-check notebook, faults caught: ${selfCheck.join(" | ")}`);
  assert.match(caught, /1 charts drawn .* the file has 2 vega-lite outputs/, `self-check: the undrawable chart went unnoticed:\n${caught}`);
  assert.match(caught, /WARN self-check/, `self-check: the stderr warning went unnoticed:\n${caught}`);
  assert.match(caught, /chart 1: .* past the output area/, `self-check: the too-wide chart went unnoticed:\n${caught}`);
  assert.deepEqual(problems, [], "what a reader would see in JupyterLab");
});
