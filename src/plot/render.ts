/**
 * Headless rendering of vega-lite specs: SVG through vega (vega-lite compiles
 * the spec), PNG by rasterising the SVG with resvg. vega and vega-lite are
 * ESM-only with top-level await, so they load through `import()`:
 * `loadPlotting()` (called by `bz.init()`) loads them once, after which
 * rendering is synchronous and in-process. Before that, `renderSvg` renders
 * in a short-lived child process so it can stay synchronous.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { VegaLiteSpec } from "./specs";

// Typed loosely on purpose: vega-lite's types are ESM-only and cannot be
// imported by a CommonJS module; only the calls below are used.
interface VegaView {
  run(): VegaView;
  padding(): unknown;
  loader(): unknown;
  background(): unknown;
  scenegraph(): { root: unknown };
  finalize(): void;
}
interface VegaModules {
  vega: {
    View: new (runtime: unknown, options: { renderer: string; logger?: unknown }) => VegaView;
    parse(spec: unknown): unknown;
    renderModule(type: string): unknown;
    textMetrics: { width: (item: TextItem, text?: unknown) => number };
  };
  vl: { compile(spec: unknown, options?: { logger?: unknown }): { spec: unknown } };
}

let modules: VegaModules | null = null;

interface TextItem { text?: unknown; fontSize?: number | string; fontWeight?: number | string; limit?: number }

// Advance widths of Helvetica (the standard AFM metrics, per 1000 em) for ASCII 32–126.
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
  556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/**
 * Text width as a browser lays it out in a sans-serif font. Without a canvas,
 * vega estimates every character at 0.8 em, which makes titles and labels of
 * static images about 1.5 times too wide, so side-by-side panels that fit in
 * JupyterLab came out wider than the notebook in the saved SVG.
 */
export function sansTextWidth(item: TextItem, text?: unknown): number {
  const raw = text ?? item.text;
  const t = (Array.isArray(raw) ? raw.join(" ") : raw === null || raw === undefined ? "" : String(raw)).trim();
  const size = item.fontSize === undefined || item.fontSize === null ? 11 : Number(item.fontSize) || 0;
  let units = 0;
  for (const ch of t) {
    const c = ch.codePointAt(0)!;
    units += c >= 32 && c <= 126 ? HELVETICA[c - 32] : 600; // Greek, symbols: about a digit's width and a bit
  }
  const bold = item.fontWeight === "bold" || Number(item.fontWeight) >= 600;
  const w = (units / 1000) * size * (bold ? 1.06 : 1);
  return item.limit !== undefined && item.limit > 0 ? Math.min(w, item.limit) : w;
}

// TypeScript (module node16, CommonJS output) keeps a real dynamic import here.
const dynamicImport = (specifier: string): Promise<unknown> => import(specifier);

/** Load vega and vega-lite so that later rendering is in-process and fast. */
export async function loadPlotting(): Promise<void> {
  if (modules !== null) return;
  const [vega, vl] = await Promise.all([dynamicImport("vega"), dynamicImport("vega-lite")]);
  modules = { vega: vega as VegaModules["vega"], vl: vl as VegaModules["vl"] };
  // no canvas in Node: measure text as a browser would instead of vega's rough estimate
  modules.vega.textMetrics.width = sansTextWidth;
}

/** True once `loadPlotting()` has finished. */
export function plottingLoaded(): boolean {
  return modules !== null;
}

function renderWith(m: VegaModules, spec: VegaLiteSpec): string {
  // vega annotates data rows in place; render a copy so the caller's spec stays clean
  const compiled = m.vl.compile(JSON.parse(JSON.stringify(spec))).spec;
  const view = new m.vega.View(m.vega.parse(compiled), { renderer: "none" });
  view.run();
  // What vega's own async toSVG does, minus the awaits: the specs built here
  // have inline data and no images, so nothing needs loading.
  const v = view as unknown as { _viewWidth: number; _viewHeight: number; _origin: [number, number] };
  const pad = view.padding() as { left: number; right: number; top: number; bottom: number };
  const width = Math.max(0, v._viewWidth + pad.left + pad.right);
  const height = Math.max(0, v._viewHeight + pad.top + pad.bottom);
  const Headless = (m.vega.renderModule("svg") as unknown as { headless: new (loader: unknown) => HeadlessSvg }).headless;
  const r = new Headless(view.loader());
  r.initialize(null, width, height, [pad.left + v._origin[0], pad.top + v._origin[1]], 1).background(view.background());
  r.render(view.scenegraph().root);
  const svg = r.svg();
  view.finalize();
  return svg;
}

interface HeadlessSvg {
  initialize(el: null, w: number, h: number, origin: [number, number], scale: number): HeadlessSvg;
  background(bg: unknown): HeadlessSvg;
  render(root: unknown): HeadlessSvg;
  svg(): string;
}

function workerPath(): { file: string; execArgv: string[] } {
  const ts = __filename.endsWith(".ts");
  const file = path.join(__dirname, ts ? "render-worker.ts" : "render-worker.js");
  return { file, execArgv: ts ? ["--import", "tsx"] : [] };
}

/** Render a vega-lite spec to an SVG string (synchronously). */
export function renderSvg(spec: VegaLiteSpec): string {
  if (modules !== null) return renderWith(modules, spec);
  const w = workerPath();
  return execFileSync(process.execPath, [...w.execArgv, w.file], {
    input: JSON.stringify(spec),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Render a vega-lite spec to an SVG string, loading vega first if needed. */
export async function renderSvgAsync(spec: VegaLiteSpec): Promise<string> {
  await loadPlotting();
  return renderWith(modules!, spec);
}

/**
 * The warnings (and errors) vega-lite reports while compiling `spec` and vega
 * while running it on its data (e.g. "Infinite extent" for strings on a
 * quantitative axis) — what a browser shows as red stderr boxes under a chart
 * in JupyterLab, or on its console. Empty for a clean spec.
 */
export async function vegaLiteWarnings(spec: VegaLiteSpec): Promise<string[]> {
  await loadPlotting();
  const out: string[] = [];
  const logger = {
    level(): unknown { return logger; },
    warn(...a: unknown[]): unknown { out.push(a.map(String).join(" ")); return logger; },
    error(...a: unknown[]): unknown { out.push(a.map(String).join(" ")); return logger; },
    info(): unknown { return logger; },
    debug(): unknown { return logger; },
  };
  const compiled = modules!.vl.compile(JSON.parse(JSON.stringify(spec)), { logger }).spec;
  const view = new modules!.vega.View(modules!.vega.parse(compiled), { renderer: "none", logger });
  view.run();
  view.finalize();
  return out;
}

/**
 * The sans-serif family PNGs are drawn in: Liberation Sans where installed —
 * it has Helvetica's and Arial's metrics, which the SVG layout assumes
 * (`sansTextWidth`), so titles and labels fit where vega put them (DejaVu Sans
 * is about 10 % wider, and cut off the right panel's title in side-by-side
 * PNGs) — else DejaVu Sans.
 */
let pngFamily: string | null = null;
function sansFamily(): string {
  if (pngFamily === null) {
    const liberation = [
      "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
      "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
      "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
      "/usr/share/fonts/liberation/LiberationSans-Regular.ttf",
    ];
    pngFamily = liberation.some((f) => fs.existsSync(f)) ? "Liberation Sans" : "DejaVu Sans";
  }
  return pngFamily;
}

/** Rasterise SVG text to PNG bytes with resvg (system fonts; `scale` multiplies the pixel size). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Resvg } = require("@resvg/resvg-js") as typeof import("@resvg/resvg-js");
  const family = sansFamily();
  const r = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: family, sansSerifFamily: family },
  });
  return r.render().asPng();
}

/** The worker's entry: spec JSON on stdin, SVG on stdout. */
export async function workerMain(): Promise<void> {
  const input = fs.readFileSync(0, "utf8");
  await loadPlotting();
  process.stdout.write(renderWith(modules!, JSON.parse(input) as VegaLiteSpec));
}
