/**
 * Displaying results: `show(spec)` puts a vega-lite chart in the notebook as
 * the vega-lite MIME bundle (interactive in JupyterLab) together with a static
 * SVG (or PNG) in the same output, so saved notebooks, GitHub and VS Code show
 * it too; `show(dataFrame)` renders an HTML table. Outside a notebook, `show`
 * prints a text form. `savePlot(spec, "fig.svg" | "fig.png")` writes figures.
 */
import fs from "node:fs";
import path from "node:path";
import { displayBundle, inNotebook, type MimeBundle } from "../core/notebook";
import { frameToHtml, isDataFrame, type DataFrame } from "../core/table";
import { checkKeys, checkNumber, checkOneOf } from "../core/validate";
import { renderSvg, svgToPng } from "./render";
import { isVegaLiteSpec, type VegaLiteSpec } from "./specs";

/** The MIME type JupyterLab 4 renders vega-lite with. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

export interface ShowOptions {
  /** Static image(s) to include beside the interactive chart (default "svg"). */
  image?: "svg" | "png" | "both";
  /** PNG scale factor (default 2). */
  scale?: number;
}

function chartTitle(spec: VegaLiteSpec): string {
  const t = spec.title;
  if (typeof t === "string") return t;
  if (t !== null && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return "chart";
}

/** The MIME bundle `show` would display for a chart. */
export function chartBundle(spec: VegaLiteSpec, options: ShowOptions = {}): MimeBundle {
  const where = "show";
  checkKeys(options, ["image", "scale"], where);
  const image = options.image === undefined ? "svg" : checkOneOf(options.image, ["svg", "png", "both"] as const, "options.image", where);
  const scale = options.scale === undefined ? 2 : checkNumber(options.scale, "options.scale", where, { above: 0 });
  const svg = renderSvg(spec);
  const bundle: MimeBundle = { [VEGA_LITE_MIME]: spec, "text/plain": `<vega-lite chart: ${chartTitle(spec)}>` };
  if (image === "svg" || image === "both") bundle["image/svg+xml"] = svg;
  if (image === "png" || image === "both") bundle["image/png"] = Buffer.from(svgToPng(svg, scale)).toString("base64");
  return bundle;
}

/**
 * Show a chart spec, a polars DataFrame, or any value (as text) in the
 * current notebook cell; outside a notebook, print a text form to stdout.
 */
export function show(x: unknown, options: ShowOptions = {}): void {
  if (x === undefined || x === null) throw new Error("show: nothing to show (got " + String(x) + ")");
  if (isVegaLiteSpec(x)) {
    if (inNotebook()) {
      displayBundle(chartBundle(x, options));
    } else {
      renderSvg(x); // still validates the spec
      process.stdout.write(`<vega-lite chart: ${chartTitle(x)}> (use bz.savePlot(spec, "fig.svg") to write it to a file)\n`);
    }
    return;
  }
  if (isDataFrame(x)) {
    const df = x as DataFrame;
    if (!displayBundle({ "text/html": frameToHtml(df), "text/plain": String(df.toString()) })) {
      process.stdout.write(String(df.toString()) + "\n");
    }
    return;
  }
  if (typeof x === "object" && Array.isArray(x) === false && ("layer" in (x as object) || "encoding" in (x as object))) {
    throw new Error("show: the object looks like a vega-lite spec but has no mark, layer or concat");
  }
  const text = typeof x === "string" ? x : JSON.stringify(x, null, 2) ?? String(x);
  if (!displayBundle({ "text/plain": text })) process.stdout.write(text + "\n");
}

export interface SaveOptions {
  /** PNG scale factor (default 2). */
  scale?: number;
}

/**
 * Write a chart to a file headlessly: `.svg` (vega), `.png` (resvg), or
 * `.json` (the vega-lite spec). Written atomically. Returns the path and size.
 */
export function savePlot(spec: VegaLiteSpec, file: string, options: SaveOptions = {}): { path: string; bytes: number } {
  const where = "savePlot";
  checkKeys(options, ["scale"], where);
  if (!isVegaLiteSpec(spec)) throw new Error(`${where}: spec is not a vega-lite spec (no mark, layer or concat)`);
  if (typeof file !== "string" || file === "") throw new Error(`${where}: file must be a path ending in .svg, .png or .json`);
  const ext = path.extname(file).toLowerCase();
  let data: string | Uint8Array;
  if (ext === ".svg") data = renderSvg(spec);
  else if (ext === ".png") data = svgToPng(renderSvg(spec), options.scale === undefined ? 2 : checkNumber(options.scale, "options.scale", where, { above: 0 }));
  else if (ext === ".json") data = JSON.stringify(spec, null, 2) + "\n";
  else throw new Error(`${where}: file "${file}" must end in .svg, .png or .json`);
  const abs = path.resolve(file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const tmp = `${abs}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, abs);
  return { path: abs, bytes: typeof data === "string" ? Buffer.byteLength(data) : data.length };
}
