/**
 * Small factories that build vega-lite specs (plain JSON) from arrays, column
 * objects or polars frames: line (with error bands), scatter, bar, histogram,
 * heatmap (grids, potentials, spin configurations), 2-D density, rules, and
 * layering / concatenation. Display them with `show`, save with `savePlot`.
 */
import { checkField, sanitize, toNumbers, toRecords, type PlotData, type Row } from "./data";
import { checkInteger, checkKeys, checkNumber } from "../core/validate";
import { plottingLoaded, renderSvg } from "./render";

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** A vega-lite specification (JSON). */
export type VegaLiteSpec = { $schema?: string } & Record<string, unknown>;

/** Options every chart takes. */
export interface ChartOptions {
  title?: string;
  /** Width and height in pixels (defaults 400 × 260). */
  width?: number;
  height?: number;
  xTitle?: string;
  yTitle?: string;
  /** Logarithmic axes. */
  logX?: boolean;
  logY?: boolean;
  /** Fixed axis ranges [min, max]. */
  xDomain?: [number, number];
  yDomain?: [number, number];
}
/**
 * Legends below the chart, one entry per line, labels and titles in full:
 * vega-lite cuts labels at 160 px ("by energy reweight…") and a legend on the
 * right widens a chart past a notebook's output area.
 */
const FULL_LEGEND = { labelLimit: 0, titleLimit: 0, orient: "bottom", direction: "vertical" };

/** Tick labels keep a few pixels apart; labels that would touch ("220240") are dropped. */
const AXIS_CONFIG = { labelSeparation: 4 };

const CHART_KEYS = ["title", "width", "height", "xTitle", "yTitle", "logX", "logY", "xDomain", "yDomain"] as const;

function base(opts: ChartOptions, where: string): VegaLiteSpec {
  const spec: VegaLiteSpec = { $schema: VEGA_LITE_SCHEMA, config: { axis: AXIS_CONFIG } };
  if (opts.title !== undefined) spec.title = String(opts.title);
  spec.width = opts.width === undefined ? 400 : checkNumber(opts.width, "width", where, { above: 0 });
  spec.height = opts.height === undefined ? 260 : checkNumber(opts.height, "height", where, { above: 0 });
  return spec;
}

function domain(d: unknown, name: string, where: string): [number, number] {
  if (!Array.isArray(d) || d.length !== 2 || d.some((v) => typeof v !== "number" || !Number.isFinite(v)) || !(d[0] < d[1])) {
    throw new Error(`${where}: ${name} must be [min, max] with min < max`);
  }
  return [d[0], d[1]];
}

function axis(field: string, title: string | undefined, log: boolean | undefined, dom: unknown, name: "x" | "y", where: string): Record<string, unknown> {
  const enc: Record<string, unknown> = { field, type: "quantitative", title: title ?? field };
  // a log scale has no zero, and vega-lite warns about any `zero` setting on one
  const scale: Record<string, unknown> = log === true ? { type: "log" } : { zero: false };
  if (dom !== undefined) { scale.domain = domain(dom, `${name}Domain`, where); scale.clamp = true; }
  enc.scale = scale;
  return enc;
}

/**
 * Marks outside fixed axis ranges are cut off at the plot's edge (`clip`), not
 * piled up on it: a clamped scale draws every far point on the border, which
 * reads as data there. Removes the scales' clamp from `enc` and says whether
 * to clip.
 */
function clipToDomains(enc: Record<string, unknown>, opts: ChartOptions): boolean {
  if (opts.xDomain === undefined && opts.yDomain === undefined) return false;
  for (const ch of ["x", "y"]) {
    const scale = (enc[ch] as { scale?: Record<string, unknown> } | undefined)?.scale;
    if (scale !== undefined) delete scale.clamp;
  }
  return true;
}

/**
 * The x encoding: quantitative for numbers; for text values (categories such as
 * "mode 0", "mode 1") a discrete axis in data order, since text on a
 * quantitative axis draws nothing (vega: "Infinite extent").
 */
function xAxis(rows: Row[], field: string, opts: ChartOptions, where: string): Record<string, unknown> {
  const first = rows.find((r) => r[field] !== null && r[field] !== undefined)?.[field];
  if (typeof first !== "string") return axis(field, opts.xTitle, opts.logX, opts.xDomain, "x", where);
  if (opts.logX === true || opts.xDomain !== undefined) throw new Error(`${where}: logX and xDomain need numbers in x field "${field}" (it holds text)`);
  const order: unknown[] = [];
  for (const r of rows) if (!order.includes(r[field])) order.push(r[field]);
  return { field, type: "ordinal", title: opts.xTitle ?? field, sort: order, axis: { labelAngle: 0, labelLimit: 0 } };
}

export interface LineOptions extends ChartOptions {
  /** Field on the x axis. */
  x: string;
  /** Field on the y axis. */
  y: string;
  /** Field that splits the data into coloured series. */
  color?: string;
  /** Field with a symmetric error (one standard error, say): drawn as a band y ± error. */
  error?: string;
  /** Fields with explicit lower and upper band limits (instead of `error`). */
  lower?: string;
  upper?: string;
  /** Show points on the line. */
  points?: boolean;
  /**
   * A slider under the chart that shows only the rows whose `field` is at its
   * value (e.g. curves precomputed at many β): drawn by vega in the browser,
   * with no round trip to the kernel. Saved images show the slider's start value.
   */
  slider?: SliderOptions;
  /**
   * Click a legend entry (shift-click for more) to highlight that series and
   * fade the others; click empty space to reset. Needs `color`.
   */
  highlight?: boolean;
}

/** A slider bound to a vega-lite parameter that filters the rows of a chart. */
export interface SliderOptions {
  /** Numeric field the slider selects on (rows with field ≈ value within step/2 are shown). */
  field: string;
  /** Range and step of the slider (defaults: the field's smallest and largest value, and the smallest gap between its values). */
  min?: number;
  max?: number;
  step?: number;
  /** Start value (default `min`). */
  value?: number;
  /** Label shown beside the slider (default: the field). */
  label?: string;
}

/** Name of the parameter behind a slider on `field`: an identifier vega expressions accept. */
function paramName(field: string): string {
  const id = field.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(id) && id !== "datum" ? id : `p_${id}`;
}

/** The params and filter transform of a slider on the rows. */
function sliderParts(rows: Row[], slider: unknown, where: string): { param: Record<string, unknown>; filter: Record<string, unknown> } {
  if (slider === null || typeof slider !== "object") throw new Error(`${where}: slider must be {field, min?, max?, step?, value?, label?}`);
  checkKeys(slider as Record<string, unknown>, ["field", "min", "max", "step", "value", "label"], `${where} slider`);
  const o = slider as SliderOptions;
  const field = checkField(rows, o.field, "slider.field", where);
  const values = [...new Set(rows.map((r) => r[field]))];
  if (values.some((v) => typeof v !== "number" || !Number.isFinite(v))) throw new Error(`${where}: slider.field "${field}" must hold finite numbers`);
  const sorted = (values as number[]).sort((a, b) => a - b);
  let gap = Infinity;
  for (let k = 1; k < sorted.length; k++) gap = Math.min(gap, sorted[k] - sorted[k - 1]);
  const min = o.min === undefined ? sorted[0] : checkNumber(o.min, "slider.min", where);
  const max = o.max === undefined ? sorted[sorted.length - 1] : checkNumber(o.max, "slider.max", where);
  if (!(max > min)) throw new Error(`${where}: slider needs max > min (the field "${field}" needs two or more values), got ${min} … ${max}`);
  const step = o.step === undefined ? Number(gap.toPrecision(12)) : checkNumber(o.step, "slider.step", where, { above: 0 });
  const value = o.value === undefined ? min : checkNumber(o.value, "slider.value", where, { min, max });
  const name = paramName(field);
  const param = { name, value, bind: { input: "range", min, max, step, name: `${o.label ?? field} ` } };
  const filter = { filter: `abs(datum[${JSON.stringify(field)}] - ${name}) <= ${step / 2}` };
  return { param, filter };
}

/** Name of the legend selection that `highlight` adds. */
const PICK = "pick";

/** A line chart, optionally with an error band and coloured series. */
export function line(data: PlotData, options: LineOptions): VegaLiteSpec {
  const where = "plot.line";
  if (options === undefined) throw new Error(`${where}: options {x, y} are required`);
  checkKeys(options, [...CHART_KEYS, "x", "y", "color", "error", "lower", "upper", "points", "slider", "highlight"], where);
  let rows = toRecords(data, where);
  const x = checkField(rows, options.x, "x", where);
  const y = checkField(rows, options.y, "y", where);
  const color = options.color === undefined ? undefined : checkField(rows, options.color, "color", where);
  let lo: string | undefined;
  let hi: string | undefined;
  if (options.error !== undefined) {
    const e = checkField(rows, options.error, "error", where);
    rows = rows.map((r) => ({ ...r, __lower: Number(r[y]) - Number(r[e]), __upper: Number(r[y]) + Number(r[e]) }));
    lo = "__lower";
    hi = "__upper";
  } else if (options.lower !== undefined || options.upper !== undefined) {
    lo = checkField(rows, options.lower, "lower", where);
    hi = checkField(rows, options.upper, "upper", where);
  }
  const spec = base(options, where);
  spec.data = { values: sanitize(rows) };
  const enc: Record<string, unknown> = {
    x: xAxis(rows, x, options, where),
    y: axis(y, options.yTitle, options.logY, options.yDomain, "y", where),
  };
  if (color !== undefined) enc.color = { field: color, type: "nominal", title: color, legend: FULL_LEGEND };
  const slider = options.slider === undefined ? null : sliderParts(rows, options.slider, where);
  if (slider !== null) {
    spec.params = [slider.param];
    spec.transform = [slider.filter];
  }
  if (options.highlight !== undefined && typeof options.highlight !== "boolean") throw new Error(`${where}: highlight must be true or false`);
  const highlight = options.highlight === true;
  if (highlight && color === undefined) throw new Error(`${where}: highlight needs a color field (it selects one series through the legend)`);
  const clip = clipToDomains(enc, options);
  const lineLayer: Record<string, unknown> = { mark: { type: "line", point: options.points === true, ...(clip ? { clip } : {}) }, encoding: enc };
  if (highlight) {
    lineLayer.params = [{ name: PICK, select: { type: "point", fields: [color] }, bind: "legend" }];
    enc.opacity = { condition: { param: PICK, value: 1, empty: true }, value: 0.12 };
  }
  if (lo === undefined) return { ...spec, ...lineLayer, ...(slider !== null && lineLayer.params !== undefined ? { params: [slider.param, ...(lineLayer.params as unknown[])] } : {}) };
  const bandEnc: Record<string, unknown> = {
    x: enc.x,
    y: { field: lo, type: "quantitative", title: options.yTitle ?? y },
    y2: { field: hi },
  };
  if (color !== undefined) bandEnc.color = enc.color;
  if (highlight) bandEnc.opacity = { condition: { param: PICK, value: 0.25, empty: true }, value: 0.04 };
  spec.layer = [{ mark: { type: "area", opacity: 0.25, ...(clip ? { clip } : {}) }, encoding: bandEnc }, lineLayer];
  return spec;
}

export interface ScatterOptions extends ChartOptions {
  x: string;
  y: string;
  color?: string;
  /** Point opacity (default 0.7). */
  opacity?: number;
  /** Point size in square pixels (default 16). */
  size?: number;
}

/** A scatter plot. */
export function scatter(data: PlotData, options: ScatterOptions): VegaLiteSpec {
  const where = "plot.scatter";
  if (options === undefined) throw new Error(`${where}: options {x, y} are required`);
  checkKeys(options, [...CHART_KEYS, "x", "y", "color", "opacity", "size"], where);
  const rows = toRecords(data, where);
  const x = checkField(rows, options.x, "x", where);
  const y = checkField(rows, options.y, "y", where);
  const spec = base(options, where);
  spec.data = { values: sanitize(rows) };
  const enc: Record<string, unknown> = {
    x: xAxis(rows, x, options, where),
    y: axis(y, options.yTitle, options.logY, options.yDomain, "y", where),
  };
  if (options.color !== undefined) {
    const c = checkField(rows, options.color, "color", where);
    const numeric = typeof rows[0][c] === "number";
    enc.color = { field: c, type: numeric ? "quantitative" : "nominal", title: c, legend: FULL_LEGEND };
  }
  const clip = clipToDomains(enc, options);
  spec.mark = {
    type: "circle",
    ...(clip ? { clip } : {}),
    opacity: options.opacity === undefined ? 0.7 : checkNumber(options.opacity, "opacity", where, { min: 0, max: 1 }),
    size: options.size === undefined ? 16 : checkNumber(options.size, "size", where, { above: 0 }),
  };
  spec.encoding = enc;
  return spec;
}

export interface BarOptions extends Omit<ChartOptions, "logX" | "xDomain"> {
  /** Category field on the x axis (any values; shown in data order). */
  x: string;
  /** Numeric field: the bar heights. */
  y: string;
  /** Field that splits each category into side-by-side coloured bars. */
  color?: string;
  /** Field with a symmetric error drawn as an error bar on each bar. */
  error?: string;
}

/** A bar chart over categories, with grouped bars by `color` and optional error bars (log y draws bars from the axis floor). */
export function bar(data: PlotData, options: BarOptions): VegaLiteSpec {
  const where = "plot.bar";
  if (options === undefined) throw new Error(`${where}: options {x, y} are required`);
  checkKeys(options, ["title", "width", "height", "xTitle", "yTitle", "logY", "yDomain", "x", "y", "color", "error"], where);
  const rows = toRecords(data, where);
  const x = checkField(rows, options.x, "x", where);
  const y = checkField(rows, options.y, "y", where);
  const spec = base(options, where);
  const order: unknown[] = [];
  for (const r of rows) if (!order.includes(r[x])) order.push(r[x]);
  const xEnc = { field: x, type: "nominal", title: options.xTitle ?? x, sort: order, axis: { labelAngle: 0 } };
  const yEnc: Record<string, unknown> = { ...axis(y, options.yTitle, options.logY, options.yDomain, "y", where), stack: null };
  if (options.logY !== true) (yEnc.scale as Record<string, unknown>).zero = true;
  else delete (yEnc.scale as Record<string, unknown>).zero; // vega-lite warns about zero on a log scale
  const enc: Record<string, unknown> = { x: xEnc, y: yEnc };
  if (options.logY === true) {
    // a log axis has no zero: bars rise from the power of ten below the smallest positive value
    const positive = rows.map((r) => Number(r[y])).filter((v) => v > 0);
    if (positive.length === 0) throw new Error(`${where}: logY needs positive values in "${y}"`);
    enc.y2 = { datum: 10 ** Math.floor(Math.log10(Math.min(...positive))) };
  }
  if (options.color !== undefined) {
    const c = checkField(rows, options.color, "color", where);
    enc.color = { field: c, type: "nominal", title: c, legend: FULL_LEGEND };
    enc.xOffset = { field: c, type: "nominal" };
  }
  let values = rows;
  if (options.error !== undefined) {
    const e = checkField(rows, options.error, "error", where);
    values = rows.map((r) => ({ ...r, __lower: Number(r[y]) - Number(r[e]), __upper: Number(r[y]) + Number(r[e]) }));
  }
  spec.data = { values: sanitize(values) };
  const bars = { mark: { type: "bar" }, encoding: enc };
  if (options.error === undefined) return { ...spec, ...bars };
  const errEnc: Record<string, unknown> = { x: xEnc, y: { ...yEnc, field: "__lower", title: yEnc.title }, y2: { field: "__upper" } };
  if (enc.xOffset !== undefined) errEnc.xOffset = enc.xOffset;
  spec.layer = [bars, { mark: { type: "rule" }, encoding: errEnc }];
  return spec;
}

export interface HistogramOptions extends ChartOptions {
  /** Field holding the values when `data` is records or a frame. */
  field?: string;
  /** Number of bins (default 40). */
  bins?: number;
  /** Normalise to a probability density (default false: counts). */
  density?: boolean;
  /** Field that splits the values into overlaid, coloured histograms. */
  color?: string;
  /** Range [min, max] of the bins (default: the data range). */
  range?: [number, number];
}

/** Bin edges and counts, in float64. Values outside `range` are dropped. */
export function binCounts(values: number[], bins: number, range: [number, number]): { edges: number[]; counts: number[] } {
  const [lo, hi] = range;
  const w = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (!Number.isFinite(v) || v < lo || v > hi) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / w))]++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, k) => lo + k * w), counts };
}

/** A histogram of numbers (an array, or a field of records / a frame). */
export function histogram(data: PlotData | ArrayLike<number>, options: HistogramOptions = {}): VegaLiteSpec {
  const where = "plot.histogram";
  checkKeys(options, [...CHART_KEYS, "field", "bins", "density", "color", "range"], where);
  const bins = options.bins === undefined ? 40 : checkInteger(options.bins, "bins", where, { min: 1, max: 10000 });
  let groups: Array<{ key: string | null; values: number[] }>;
  const isNumberArray =
    (Array.isArray(data) && (data.length === 0 || typeof data[0] === "number")) ||
    ArrayBuffer.isView(data);
  if (isNumberArray) {
    if (options.field !== undefined || options.color !== undefined) {
      throw new Error(`${where}: field and color need records or a frame, not a plain array of numbers`);
    }
    groups = [{ key: null, values: toNumbers(data, "data", where) }];
  } else {
    const rows = toRecords(data, where);
    const field = checkField(rows, options.field, "field", where);
    if (options.color === undefined) {
      groups = [{ key: null, values: toNumbers(rows.map((r) => r[field]), `field "${field}"`, where) }];
    } else {
      const c = checkField(rows, options.color, "color", where);
      const m = new Map<string, number[]>();
      for (const r of rows) {
        const k = String(r[c]);
        if (!m.has(k)) m.set(k, []);
        const v = r[field];
        if (typeof v !== "number") throw new Error(`${where}: field "${field}" must contain only numbers`);
        m.get(k)!.push(v);
      }
      groups = [...m.entries()].map(([key, values]) => ({ key, values }));
    }
  }
  let range: [number, number];
  if (options.range !== undefined) range = domain(options.range, "range", where);
  else {
    let lo = Infinity, hi = -Infinity;
    for (const g of groups) for (const v of g.values) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    if (!(lo <= hi)) throw new Error(`${where}: data has no finite values`);
    if (lo === hi) { lo -= 0.5; hi += 0.5; }
    range = [lo, hi];
  }
  const yName = options.density === true ? "density" : "count";
  const rows: Row[] = [];
  for (const g of groups) {
    const { edges, counts } = binCounts(g.values, bins, range);
    const w = edges[1] - edges[0];
    const total = g.values.length;
    counts.forEach((c, k) => {
      const r: Row = { bin_start: edges[k], bin_end: edges[k + 1], [yName]: options.density === true ? c / (total * w) : c };
      if (g.key !== null) r[options.color as string] = g.key;
      rows.push(r);
    });
  }
  const spec = base(options, where);
  spec.data = { values: rows };
  spec.mark = { type: "rect", opacity: groups.length > 1 ? 0.5 : 0.85 };
  const enc: Record<string, unknown> = {
    x: { ...axis("bin_start", options.xTitle ?? options.field ?? "value", options.logX, options.xDomain, "x", where) },
    x2: { field: "bin_end" },
    y: { field: yName, type: "quantitative", title: options.yTitle ?? yName, stack: null, ...(options.logY === true ? { scale: { type: "symlog" } } : {}) },
    y2: { datum: 0 },
  };
  if (options.color !== undefined) enc.color = { field: options.color, type: "nominal", title: options.color, legend: FULL_LEGEND };
  spec.encoding = enc;
  return spec;
}

export interface HeatmapOptions extends ChartOptions {
  /** Extent of the grid on the axes: x from x0 to x1 over the columns, y from y0 to y1 over the rows (default: indices). */
  x0?: number;
  x1?: number;
  y0?: number;
  y1?: number;
  /** Colour scheme name (vega schemes: "viridis", "greys", "redblue", ...). Default "viridis". */
  scheme?: string;
  /** Legend title (default "value"); `legend: false` hides it. */
  legendTitle?: string;
  legend?: boolean;
  /** Fixed colour range [min, max]. */
  zDomain?: [number, number];
  /** Draw row 0 at the top, as an image (default true when no y extent is given). */
  imageOrientation?: boolean;
  /** Hide axes (default false). */
  hideAxes?: boolean;
}

/** A matrix as rows of numbers, or flat values with their shape. */
export type Matrix = ReadonlyArray<ArrayLike<number>> | { values: ArrayLike<number>; rows: number; cols: number };

function matrixOf(m: unknown, where: string): { rows: number; cols: number; at: (r: number, c: number) => number } {
  if (Array.isArray(m)) {
    if (m.length === 0) throw new Error(`${where}: matrix is empty`);
    const cols = (m[0] as ArrayLike<number>)?.length;
    if (typeof cols !== "number" || cols === 0) throw new Error(`${where}: matrix rows must be non-empty arrays`);
    m.forEach((row: ArrayLike<number>, r: number) => {
      if (row?.length !== cols) throw new Error(`${where}: matrix row ${r} has length ${row?.length}, expected ${cols}`);
    });
    return { rows: m.length, cols, at: (r, c) => Number((m[r] as ArrayLike<number>)[c]) };
  }
  if (m !== null && typeof m === "object" && "values" in m) {
    const { values, rows, cols } = m as { values: ArrayLike<number>; rows: number; cols: number };
    checkInteger(rows, "matrix.rows", where, { min: 1 });
    checkInteger(cols, "matrix.cols", where, { min: 1 });
    if (values?.length !== rows * cols) {
      throw new Error(`${where}: matrix.values has length ${values?.length}, expected rows × cols = ${rows * cols}`);
    }
    return { rows, cols, at: (r, c) => Number(values[r * cols + c]) };
  }
  throw new Error(`${where}: matrix must be an array of rows or {values, rows, cols}`);
}

/** A heatmap of a matrix: potentials on a grid, 2-D densities, spin configurations. */
export function heatmap(matrix: Matrix, options: HeatmapOptions = {}): VegaLiteSpec {
  const where = "plot.heatmap";
  checkKeys(options, [...CHART_KEYS, "x0", "x1", "y0", "y1", "scheme", "legendTitle", "legend", "zDomain", "imageOrientation", "hideAxes"], where);
  const m = matrixOf(matrix, where);
  const x0 = options.x0 ?? 0, x1 = options.x1 ?? m.cols;
  const y0 = options.y0 ?? 0, y1 = options.y1 ?? m.rows;
  for (const [k, v] of Object.entries({ x0, x1, y0, y1 })) checkNumber(v, k, where);
  if (!(x1 > x0) || !(y1 > y0)) throw new Error(`${where}: need x1 > x0 and y1 > y0`);
  const image = options.imageOrientation ?? (options.y0 === undefined && options.y1 === undefined);
  const dx = (x1 - x0) / m.cols, dy = (y1 - y0) / m.rows;
  const rows: Row[] = [];
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const v = m.at(r, c);
      rows.push({ x: x0 + c * dx, x2: x0 + (c + 1) * dx, y: y0 + r * dy, y2: y0 + (r + 1) * dy, value: Number.isFinite(v) ? v : null });
    }
  }
  const defaultHeight = image ? Math.round((300 * m.rows) / m.cols) : 260;
  const spec = base({ ...options, width: options.width ?? 300, height: options.height ?? defaultHeight }, where);
  spec.data = { values: rows };
  spec.mark = { type: "rect" };
  const hide = options.hideAxes === true ? { axis: null } : {};
  const colorScale: Record<string, unknown> = { scheme: options.scheme ?? "viridis" };
  if (options.zDomain !== undefined) colorScale.domain = domain(options.zDomain, "zDomain", where);
  spec.encoding = {
    x: { field: "x", type: "quantitative", title: options.xTitle ?? "x", scale: { domain: [x0, x1], nice: false, zero: false }, ...hide },
    x2: { field: "x2" },
    y: { field: "y", type: "quantitative", title: options.yTitle ?? "y", scale: { domain: [y0, y1], nice: false, zero: false, reverse: image }, ...hide },
    y2: { field: "y2" },
    color: { field: "value", type: "quantitative", title: options.legendTitle ?? "value", scale: colorScale, ...(options.legend === false ? { legend: null } : {}) },
  };
  return spec;
}

export interface SpinsOptions {
  /** Grid shape [rows, cols] (default: square). */
  shape?: [number, number];
  title?: string;
  /** Pixel size of the image (default 160). */
  size?: number;
}

/** A spin configuration (±1 values) drawn as a black-and-white image. */
export function spins(config: ArrayLike<number>, options: SpinsOptions = {}): VegaLiteSpec {
  const where = "plot.spins";
  checkKeys(options, ["shape", "title", "size"], where);
  const s = toNumbers(config, "config", where);
  let shape = options.shape;
  if (shape === undefined) {
    const L = Math.round(Math.sqrt(s.length));
    if (L * L !== s.length) throw new Error(`${where}: config of length ${s.length} is not square; give options.shape`);
    shape = [L, L];
  }
  if (shape[0] * shape[1] !== s.length) throw new Error(`${where}: shape ${shape.join("×")} does not match config length ${s.length}`);
  const size = options.size ?? 160;
  return heatmap({ values: s, rows: shape[0], cols: shape[1] }, {
    scheme: "greys", zDomain: [-1, 1], legend: false, hideAxes: true, title: options.title,
    width: size, height: Math.round((size * shape[0]) / shape[1]),
  });
}

export interface Density2dOptions extends ChartOptions {
  x: string;
  y: string;
  /** Bins per axis (default 60). */
  bins?: number;
  /** Ranges of the bins (default: the data range). */
  xRange?: [number, number];
  yRange?: [number, number];
  /** Colour by log(1 + count) (default false). */
  logScale?: boolean;
  scheme?: string;
}

/** A 2-D histogram (density) of points, as a heatmap. */
export function density2d(data: PlotData, options: Density2dOptions): VegaLiteSpec {
  const where = "plot.density2d";
  if (options === undefined) throw new Error(`${where}: options {x, y} are required`);
  checkKeys(options, [...CHART_KEYS, "x", "y", "bins", "xRange", "yRange", "logScale", "scheme"], where);
  const rows = toRecords(data, where);
  const xf = checkField(rows, options.x, "x", where);
  const yf = checkField(rows, options.y, "y", where);
  const xs = toNumbers(rows.map((r) => r[xf]), `field "${xf}"`, where);
  const ys = toNumbers(rows.map((r) => r[yf]), `field "${yf}"`, where);
  const bins = options.bins === undefined ? 60 : checkInteger(options.bins, "bins", where, { min: 1, max: 2000 });
  const ext = (v: number[], r: unknown, name: string): [number, number] => {
    if (r !== undefined) return domain(r, name, where);
    let lo = Infinity, hi = -Infinity;
    for (const a of v) if (Number.isFinite(a)) { if (a < lo) lo = a; if (a > hi) hi = a; }
    if (!(lo <= hi)) throw new Error(`${where}: no finite values`);
    return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
  };
  const [xa, xb] = ext(xs, options.xRange, "xRange");
  const [ya, yb] = ext(ys, options.yRange, "yRange");
  const grid = Array.from({ length: bins }, () => new Float64Array(bins));
  const n = xs.length;
  for (let k = 0; k < n; k++) {
    const c = Math.floor(((xs[k] - xa) / (xb - xa)) * bins);
    const r = Math.floor(((ys[k] - ya) / (yb - ya)) * bins);
    if (c >= 0 && c <= bins && r >= 0 && r <= bins) grid[Math.min(r, bins - 1)][Math.min(c, bins - 1)] += 1;
  }
  const area = ((xb - xa) / bins) * ((yb - ya) / bins);
  const vals = grid.map((row) => Array.from(row, (c) => (options.logScale === true ? Math.log1p(c) : c / (n * area))));
  return heatmap(vals, {
    x0: xa, x1: xb, y0: ya, y1: yb, imageOrientation: false,
    xTitle: options.xTitle ?? xf, yTitle: options.yTitle ?? yf, title: options.title,
    width: options.width ?? 320, height: options.height ?? 280,
    legendTitle: options.logScale === true ? "log(1+count)" : "density", scheme: options.scheme ?? "viridis",
  });
}

export interface RuleOptions {
  /** A vertical line at this x. */
  x?: number;
  /** A horizontal line at this y. */
  y?: number;
  color?: string;
  /** Dashed (default true). */
  dashed?: boolean;
  /** A text label next to the line. */
  label?: string;
}

/** A reference line (e.g. the critical point) to layer over a chart. */
export function rule(options: RuleOptions): VegaLiteSpec {
  const where = "plot.rule";
  checkKeys(options, ["x", "y", "color", "dashed", "label"], where);
  if ((options?.x === undefined) === (options?.y === undefined)) throw new Error(`${where}: give exactly one of x or y`);
  const vertical = options.x !== undefined;
  const v = checkNumber(vertical ? options.x : options.y, vertical ? "x" : "y", where);
  const mark: Record<string, unknown> = { type: "rule", color: options.color ?? "#555" };
  if (options.dashed !== false) mark.strokeDash = [5, 4];
  const enc = vertical ? { x: { datum: v, type: "quantitative" } } : { y: { datum: v, type: "quantitative" } };
  // one-row data of its own, so the rule draws once whatever it is layered on
  const data = { values: [{}] };
  const ruleLayer: VegaLiteSpec = { data, mark, encoding: enc };
  if (options.label === undefined) return ruleLayer;
  const text: VegaLiteSpec = {
    mark: { type: "text", align: "left", dx: 4, dy: vertical ? -6 : -6, color: options.color ?? "#555", ...(vertical ? { y: 8 } : { x: 4 }) },
    encoding: { ...enc, text: { value: options.label } },
    data,
  };
  return { layer: [ruleLayer, text] };
}

function strip(spec: VegaLiteSpec, where: string, k: number): VegaLiteSpec {
  if (spec === null || typeof spec !== "object") throw new Error(`${where}: argument ${k + 1} is not a spec`);
  // $schema and config belong to the top level only (vega-lite ignores a nested config with a warning)
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { $schema, config, ...rest } = spec;
  return rest;
}

/**
 * Parameters of combined charts: a name defined twice is refused by vega, so
 * the first definition of each is kept and panels with the same one share it
 * (one slider moves all panels, one legend click highlights the series
 * everywhere). Variable parameters (sliders) are returned to be defined on the
 * combined chart: vega scopes a nested view's variable to that view. Legend
 * selections stay in the unit that defines them.
 */
function hoistParams(parts: VegaLiteSpec[]): Record<string, unknown>[] {
  const seen = new Set<string>();
  const hoisted: Record<string, unknown>[] = [];
  const visit = (s: Record<string, unknown>): void => {
    if (Array.isArray(s.params)) {
      const kept: Record<string, unknown>[] = [];
      for (const p of s.params as Record<string, unknown>[]) {
        if (seen.has(p.name as string)) continue;
        seen.add(p.name as string);
        (p.select === undefined ? hoisted : kept).push(p);
      }
      if (kept.length > 0) s.params = kept;
      else delete s.params;
    }
    for (const key of ["layer", "hconcat", "vconcat", "concat"]) {
      if (Array.isArray(s[key])) for (const child of s[key] as Record<string, unknown>[]) visit(child);
    }
  };
  for (const p of parts) visit(p);
  return hoisted;
}

/** `spec` with `params` defined on it (none: unchanged). */
function withParams(spec: VegaLiteSpec, params: Record<string, unknown>[]): VegaLiteSpec {
  return params.length === 0 ? spec : { ...spec, params };
}

/** Overlay charts that share axes (e.g. a curve, exact points and a rule). */
export function layer(...specs: VegaLiteSpec[]): VegaLiteSpec {
  const where = "plot.layer";
  if (specs.length === 0) throw new Error(`${where}: give at least one spec`);
  const parts = specs.map((s, k) => strip(s, where, k));
  const first = parts.find((p) => p.width !== undefined) ?? {};
  const out: VegaLiteSpec = { $schema: VEGA_LITE_SCHEMA, config: { axis: AXIS_CONFIG }, width: first.width ?? 400, height: first.height ?? 260 };
  const title = parts.find((p) => p.title !== undefined)?.title;
  if (title !== undefined) out.title = title;
  out.layer = parts.map(({ width: _w, height: _h, title: _t, ...p }) => p);
  return withParams(out, hoistParams(out.layer as VegaLiteSpec[]));
}

/**
 * Width in pixels that side-by-side charts are fitted into: a notebook's output
 * area in JupyterLab at a 1280-pixel-wide window with the file browser open
 * (about 1280 − 290 for the side bars − 100 for prompts and padding), of which
 * each panel's y axis takes about PANEL_AXIS.
 */
export const NOTEBOOK_WIDTH = 840;
const PANEL_AXIS = 100;
const PANEL_SPACING = 20;

/** Scale the widths of `panels` (in place) so that `perRow` of them fit NOTEBOOK_WIDTH. */
function fitPanels(panels: VegaLiteSpec[], perRow: number): void {
  const rows: VegaLiteSpec[][] = [];
  for (let k = 0; k < panels.length; k += perRow) rows.push(panels.slice(k, k + perRow));
  const widest = Math.max(...rows.map((r) => r.reduce((a, p) => a + (typeof p.width === "number" ? p.width : 400), 0)));
  const room = NOTEBOOK_WIDTH - perRow * PANEL_AXIS - (perRow - 1) * PANEL_SPACING;
  if (widest <= room) return;
  const f = room / widest;
  for (const p of panels) {
    if (typeof p.width === "number") p.width = Math.floor(p.width * f);
    else if (p.layer !== undefined || p.mark !== undefined) p.width = Math.floor(400 * f);
  }
}

/**
 * When the plotting modules are loaded (after `bz.init()`), render the
 * concatenation and shrink its panels until the drawn width — axes, titles,
 * rule labels included — fits NOTEBOOK_WIDTH (at most three passes).
 * Without them the estimate of `fitPanels` stands.
 */
function shrinkToFit(spec: VegaLiteSpec, panels: VegaLiteSpec[], perRow: number): void {
  panels.forEach(wrapTitle);
  if (!plottingLoaded()) return;
  let last = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(renderSvg(spec))?.[1]);
    if (!(width > NOTEBOOK_WIDTH) || !(width < last)) return;
    last = width;
    const rows: VegaLiteSpec[][] = [];
    for (let k = 0; k < panels.length; k += perRow) rows.push(panels.slice(k, k + perRow));
    const drawn = Math.max(...rows.map((r) => r.reduce((a, p) => a + (typeof p.width === "number" ? p.width : 0), 0)));
    if (!(drawn > 0)) return;
    const f = Math.max(0.5, (drawn - (width - NOTEBOOK_WIDTH) - 4) / drawn);
    for (const p of panels) if (typeof p.width === "number") p.width = Math.floor(p.width * f);
    panels.forEach(wrapTitle);
  }
}

/** Text marks (rule labels) inside a panel end at its right edge instead of running past it. */
function limitTextMarks(spec: VegaLiteSpec, limit: number): void {
  const mark = spec.mark as Record<string, unknown> | undefined;
  if (mark !== undefined && typeof mark === "object" && mark.type === "text") mark.limit = Math.max(40, limit);
  for (const child of (spec.layer ?? []) as VegaLiteSpec[]) limitTextMarks(child, limit);
}

/** Title characters per pixel of panel width (13 px bold titles run about 7 px a character). */
const TITLE_PX_PER_CHAR = 7;

/**
 * Break a panel's title into lines no wider than the panel: a title wider
 * than its panel widens the whole row (vega draws it in full), which is what
 * pushed side-by-side charts past a notebook's width.
 */
function wrapTitle(panel: VegaLiteSpec): void {
  if (typeof panel.width === "number") limitTextMarks(panel, panel.width - 8);
  const t = panel.title as unknown;
  const original = typeof t === "string" ? t : Array.isArray(t) ? (t as string[]).join(" ") : null;
  if (original === null || typeof panel.width !== "number") return;
  const perLine = Math.max(12, Math.floor(panel.width / TITLE_PX_PER_CHAR));
  if (original.length <= perLine) {
    panel.title = original;
    return;
  }
  const lines: string[] = [];
  let line = "";
  for (const word of original.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > perLine) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  panel.title = lines;
}

/** Legends of side-by-side charts go below them (a legend on the right widens the row and gets cut off). */
const CONCAT_CONFIG = { legend: { orient: "bottom", labelLimit: 0, titleLimit: 0 }, axis: AXIS_CONFIG };

/** Charts side by side, their widths scaled down to fit a notebook (NOTEBOOK_WIDTH) and legends below. */
export function hconcat(...specs: VegaLiteSpec[]): VegaLiteSpec {
  if (specs.length === 0) throw new Error("plot.hconcat: give at least one spec");
  const panels = specs.map((s, k) => strip(s, "plot.hconcat", k));
  fitPanels(panels, panels.length);
  const params = hoistParams(panels);
  // parameters first: measuring draws the chart, and a hoisted slider must be defined then
  const out = withParams({ $schema: VEGA_LITE_SCHEMA, hconcat: panels, config: CONCAT_CONFIG }, params);
  shrinkToFit(out, panels, panels.length);
  return out;
}

/** Charts stacked vertically. */
export function vconcat(...specs: VegaLiteSpec[]): VegaLiteSpec {
  if (specs.length === 0) throw new Error("plot.vconcat: give at least one spec");
  const panels = specs.map((s, k) => strip(s, "plot.vconcat", k));
  fitPanels(panels, 1);
  const params = hoistParams(panels);
  return withParams({ $schema: VEGA_LITE_SCHEMA, vconcat: panels, config: { axis: AXIS_CONFIG } }, params);
}

/** Charts in a grid with `columns` per row, fitted to a notebook's width like `hconcat`. */
export function grid(specs: VegaLiteSpec[], options: { columns: number; title?: string }): VegaLiteSpec {
  const where = "plot.grid";
  if (!Array.isArray(specs) || specs.length === 0) throw new Error(`${where}: specs must be a non-empty array`);
  const columns = checkInteger(options?.columns, "columns", where, { min: 1 });
  const panels = specs.map((s, k) => strip(s, where, k));
  fitPanels(panels, Math.min(columns, panels.length));
  const params = hoistParams(panels);
  let out: VegaLiteSpec = { $schema: VEGA_LITE_SCHEMA, columns, concat: panels, config: CONCAT_CONFIG };
  if (options.title !== undefined) out.title = options.title;
  out = withParams(out, params);
  shrinkToFit(out, panels, Math.min(columns, panels.length));
  return out;
}

/** True for an object that looks like a vega-lite spec. */
export function isVegaLiteSpec(x: unknown): x is VegaLiteSpec {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  return ["mark", "layer", "hconcat", "vconcat", "concat", "facet", "repeat"].some((k) => k in o);
}
