import { test } from "node:test";
import assert from "node:assert/strict";
import * as plot from "../../src/plot/index";
import { loadPlotting, renderSvg, sansTextWidth, vegaLiteWarnings } from "../../src/plot/render";
import { frameFromColumns, frameToHtml } from "../../src/core/table";

const rows = [{ x: 1, y: 2, e: 0.1, g: "a" }, { x: 2, y: 3, e: 0.2, g: "b" }];

test("line: records, column objects and error bands give valid vega-lite", () => {
  const a = plot.line(rows, { x: "x", y: "y" });
  assert.equal(a.mark && (a.mark as { type: string }).type, "line");
  assert.deepEqual((a.data as { values: unknown[] }).values.length, 2);
  const b = plot.line({ x: [1, 2, 3], y: [4, 5, 6], e: [0.1, 0.1, 0.1] }, { x: "x", y: "y", error: "e" });
  const layers = b.layer as Array<{ mark: { type: string } }>;
  assert.deepEqual(layers.map((l) => l.mark.type), ["area", "line"]);
  const vals = (b.data as { values: Array<Record<string, number>> }).values;
  assert.ok(Math.abs(vals[1].__lower - 4.9) < 1e-12 && Math.abs(vals[1].__upper - 5.1) < 1e-12);
  const svg = renderSvg(b);
  assert.match(svg, /^<svg/);
  assert.match(svg, /<path/);
});

test("bad input names the argument", () => {
  assert.throws(() => plot.line([], { x: "x", y: "y" }), /plot\.line: data is empty/);
  assert.throws(() => plot.line({ x: [1, 2], y: [1] }, { x: "x", y: "y" }), /mismatched lengths \("x" has 2, "y" has 1\)/);
  assert.throws(() => plot.line(rows, { x: "x", y: "nope" }), /plot\.line: y field "nope" is not in data/);
  assert.throws(() => plot.scatter(rows, { x: "x", y: "y", color: "zz" }), /plot\.scatter: color field "zz"/);
  assert.throws(() => plot.line(rows, { x: "x", y: "y", colour: "g" } as never), /unknown option "colour"/);
  assert.throws(() => plot.histogram([], {}), /plot\.histogram: data is empty/);
  assert.throws(() => plot.histogram([1, 2], { bins: 0 }), /bins must be ≥ 1/);
  assert.throws(() => plot.heatmap([[1, 2], [3]]), /matrix row 1 has length 1, expected 2/);
  assert.throws(() => plot.heatmap({ values: [1, 2, 3], rows: 2, cols: 2 }), /matrix.values has length 3/);
  assert.throws(() => plot.density2d(rows, { x: "x", y: "w" }), /y field "w"/);
  assert.throws(() => plot.spins([1, -1, 1]), /not square/);
  assert.throws(() => plot.rule({}), /exactly one of x or y/);
  assert.throws(() => plot.layer(), /at least one spec/);
});

test("histogram bins count every value once and densities integrate to one", () => {
  const xs = Array.from({ length: 1000 }, (_, k) => Math.sin(k) * 3);
  const h = plot.histogram(xs, { bins: 17, density: true });
  const vals = (h.data as { values: Array<{ bin_start: number; bin_end: number; density: number }> }).values;
  assert.equal(vals.length, 17);
  const integral = vals.reduce((a, v) => a + v.density * (v.bin_end - v.bin_start), 0);
  assert.ok(Math.abs(integral - 1) < 1e-12, `integral ${integral}`);
  const { counts } = plot.binCounts([0, 0.5, 1, 1, 2], 2, [0, 2]);
  assert.deepEqual(counts, [2, 3]);
});

test("heatmap, spins and density2d map cells to the right places", () => {
  const h = plot.heatmap([[1, 2, 3], [4, 5, 6]]);
  const v = (h.data as { values: Array<{ x: number; y: number; value: number }> }).values;
  assert.equal(v.length, 6);
  assert.deepEqual(v.find((c) => c.x === 2 && c.y === 1)?.value, 6);
  const s = plot.spins([1, -1, -1, 1]);
  assert.equal(((s.data as { values: unknown[] }).values).length, 4);
  const d = plot.density2d({ a: [0, 0, 1], b: [0, 0, 1] }, { x: "a", y: "b", bins: 2 });
  const dv = (d.data as { values: Array<{ value: number }> }).values;
  const cellArea = 0.25;
  assert.ok(Math.abs(dv.reduce((acc, c) => acc + c.value * cellArea, 0) - 1) < 1e-12);
  assert.match(renderSvg(plot.layer(h, plot.rule({ x: 1, label: "βc" }))), /βc/);
});

test("bar: categories in data order, grouped by colour, error bars, log y; bad fields named", () => {
  const data = [
    { sampler: "metropolis", tau: 9.2, err: 0.5, obs: "|m|" },
    { sampler: "wolff", tau: 1.4, err: 0.1, obs: "|m|" },
    { sampler: "metropolis", tau: 5.4, err: 0.3, obs: "E" },
    { sampler: "wolff", tau: 1.2, err: 0.1, obs: "E" },
  ];
  const b = plot.bar(data, { x: "sampler", y: "tau", color: "obs", error: "err", logY: true, title: "τ" });
  const layers = b.layer as Array<{ mark: { type: string }; encoding: Record<string, { field?: string; sort?: unknown[]; scale?: { type?: string } }> }>;
  assert.deepEqual(layers.map((l) => l.mark.type), ["bar", "rule"]);
  assert.deepEqual(layers[0].encoding.x.sort, ["metropolis", "wolff"]);
  assert.equal(layers[0].encoding.xOffset.field, "obs");
  assert.equal(layers[0].encoding.y.scale?.type, "log");
  assert.deepEqual(layers[0].encoding.y2, { datum: 1 }); // log bars rise from the power of ten below min τ = 1.2
  const vals = (b.data as { values: Array<Record<string, number>> }).values;
  assert.ok(Math.abs(vals[0].__lower - 8.7) < 1e-12 && Math.abs(vals[0].__upper - 9.7) < 1e-12);
  assert.match(renderSvg(b), /^<svg[\s\S]*metropolis[\s\S]*<\/svg>$/);
  const simple = plot.bar({ k: ["a", "b"], v: [1, 2] }, { x: "k", y: "v" });
  assert.equal((simple.mark as { type: string }).type, "bar");
  assert.throws(() => plot.bar([{ k: "a", v: 0 }], { x: "k", y: "v", logY: true }), /plot\.bar: logY needs positive values in "v"/);
  assert.throws(() => plot.bar(data, { x: "sampler", y: "nope" }), /plot\.bar: y field "nope" is not in data/);
  assert.throws(() => plot.bar(data, { x: "sampler", y: "tau", logX: true } as never), /plot\.bar: unknown option "logX"/);
});

test("polars frames are accepted as data", () => {
  const df = frameFromColumns({ x: [1, 2, 3], y: [2, 4, 8] });
  const spec = plot.scatter(df, { x: "x", y: "y" });
  assert.equal((spec.data as { values: unknown[] }).values.length, 3);
});

test("every chart helper gives a spec vega-lite compiles without a warning (log axes carry no zero)", async () => {

  const pos = [{ x: 1, y: 2, e: 0.1, g: "a" }, { x: 2, y: 30, e: 0.2, g: "b" }, { x: 3, y: 400, e: 0.3, g: "a" }];
  const specs: Record<string, plot.VegaLiteSpec> = {
    line: plot.line(pos, { x: "x", y: "y" }),
    lineLogY: plot.line(pos, { x: "x", y: "y", logY: true, color: "g" }),
    lineLogXYBand: plot.line(pos, { x: "x", y: "y", logX: true, logY: true, error: "e" }),
    lineLogYDomain: plot.line(pos, { x: "x", y: "y", logY: true, yDomain: [1, 1000] }),
    scatterLog: plot.scatter(pos, { x: "x", y: "y", logY: true, color: "g" }),
    bar: plot.bar(pos, { x: "g", y: "y" }),
    barLog: plot.bar(pos, { x: "g", y: "y", logY: true, error: "e" }),
    histogram: plot.histogram([1, 2, 2, 3, 3, 3], { bins: 3 }),
    histogramLog: plot.histogram([1, 2, 2, 3, 3, 3], { bins: 3, logY: true }),
    heatmap: plot.heatmap([[1, 2], [3, 4]]),
    spins: plot.spins([1, -1, -1, 1]),
    density2d: plot.density2d(pos, { x: "x", y: "y", bins: 4 }),
    layerLog: plot.layer(plot.line(pos, { x: "x", y: "y", logY: true }), plot.rule({ x: 2, label: "β_c" })),
    hconcat: plot.hconcat(plot.line(pos, { x: "x", y: "y", color: "g" }), plot.line(pos, { x: "x", y: "y", logY: true, color: "g" })),
    grid: plot.grid([plot.line(pos, { x: "x", y: "y" }), plot.scatter(pos, { x: "x", y: "y" }), plot.bar(pos, { x: "g", y: "y" })], { columns: 2 }),
  };
  for (const [name, spec] of Object.entries(specs)) {
    assert.deepEqual(await vegaLiteWarnings(spec), [], `${name} compiles with warnings`);
  }
});

test("side-by-side charts fit a notebook's output area, with legends below and labels in full", async () => {
  await loadPlotting(); // as after bz.init(): concatenations are measured and shrunk to fit
  const long = [{ x: 1, y: 2, g: "by energy reweighted" }, { x: 2, y: 3, g: "by example, then by energy" }];
  const three = plot.hconcat(...[0, 1, 2].map(() => plot.line(long, { x: "x", y: "y", color: "g", width: 400 })));
  const svg = renderSvg(three);
  const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1]);
  assert.ok(width > 0 && width <= plot.NOTEBOOK_WIDTH, `three panels are ${width} px wide`);
  // rule labels hang over the right edge of a panel; measuring catches that too
  const withRules = plot.hconcat(...[0, 1, 2].map(() => plot.layer(plot.line(long, { x: "x", y: "y", color: "g", width: 400 }), plot.rule({ y: 2.5, label: "exact (transfer-matrix)" }))));
  const w2 = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(renderSvg(withRules))?.[1]);
  assert.ok(w2 > 0 && w2 <= plot.NOTEBOOK_WIDTH, `three panels with rule labels are ${w2} px wide`);
  // long panel titles wrap instead of widening the row, and panels keep a useful width
  const titled = plot.hconcat(...[0, 1, 2].map(() => plot.line(long, { x: "x", y: "y", width: 260, title: "right-well fraction of the reweighted samples (rule: exact 3.29 %)" })));
  const w3 = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(renderSvg(titled))?.[1]);
  assert.ok(w3 > 0 && w3 <= plot.NOTEBOOK_WIDTH, `three titled panels are ${w3} px wide`);
  for (const p of titled.hconcat as Array<{ width: number; title: unknown }>) {
    assert.ok(p.width >= 120, `a panel shrank to ${p.width} px`);
    assert.ok(Array.isArray(p.title), "the long title is wrapped into lines");
  }
  assert.equal(((three.config as Record<string, { orient: string }>).legend).orient, "bottom");
  // a single chart keeps its width; labels are not truncated
  const one = plot.line(long, { x: "x", y: "y", color: "g" });
  assert.equal(one.width, 400);
  assert.equal(((one.encoding as Record<string, { legend: { labelLimit: number } }>).color).legend.labelLimit, 0);
  assert.match(renderSvg(one), /by example, then by energy/);
  const g = plot.grid([one, one, one, one], { columns: 2 });
  assert.ok((g.concat as Array<{ width: number }>).every((p) => p.width * 2 + 2 * 100 + 20 <= plot.NOTEBOOK_WIDTH));
});

test("polars tables show plain dtype names under the column names", () => {
  const html = frameToHtml(frameFromColumns({ beta: [0.1, 0.2], name: ["a", "b"] }));
  assert.doesNotMatch(html, /DataType\(/);
  assert.match(html, /beta<br><small>Float64<\/small>/);
});

test("vegaLiteWarnings also reports what vega warns about when it runs the data (text on a quantitative axis)", async () => {
  const raw = { data: { values: [{ m: "a", y: 1 }, { m: "b", y: 2 }] }, mark: "line", encoding: { x: { field: "m", type: "quantitative" }, y: { field: "y", type: "quantitative" } } };
  assert.match((await vegaLiteWarnings(raw)).join("\n"), /Infinite extent for field "m"/);
  // plot.line and plot.scatter put text x values on a discrete axis in data order, and draw them
  const modes = [{ mode: "mode 1", f: 0.3 }, { mode: "mode 0", f: 0.6 }, { mode: "mode 2", f: 0.1 }];
  for (const spec of [plot.line(modes, { x: "mode", y: "f", points: true }), plot.scatter(modes, { x: "mode", y: "f" })]) {
    const x = (spec.encoding as Record<string, { type: string; sort: string[] }>).x;
    assert.equal(x.type, "ordinal");
    assert.deepEqual(x.sort, ["mode 1", "mode 0", "mode 2"]);
    assert.deepEqual(await vegaLiteWarnings(spec), []);
    assert.match(renderSvg(spec), /mode 2/);
  }
});

test("slider and highlight: vega-lite parameters bound to a range input and to the legend, valid alone and combined", async () => {
  const rows: Record<string, unknown>[] = [];
  // y near 1 at beta 0.5 and near 500 at beta 1.5: the drawn axis shows which rows pass the slider's filter
  for (const beta of [0.5, 1, 1.5]) for (let x = 0; x < 4; x++) rows.push({ beta, x, y: beta === 1.5 ? 500 + x : beta * x, e: 0.1, model: x % 2 === 0 ? "MADE depth 1" : "TwoBo" });
  const s = plot.line(rows, { x: "x", y: "y", slider: { field: "beta" } });
  assert.deepEqual(s.params, [{ name: "beta", value: 0.5, bind: { input: "range", min: 0.5, max: 1.5, step: 0.5, name: "beta " } }]);
  assert.deepEqual(s.transform, [{ filter: 'abs(datum["beta"] - beta) <= 0.25' }]);
  const ticks = (svg: string) => [...svg.matchAll(/<text[^>]*>([\d.,]+)<\/text>/g)].map((m) => Number(m[1].replace(/,/g, "")));
  assert.ok(Math.max(...ticks(renderSvg(s))) < 100, "at the start value only the beta = 0.5 rows are drawn");
  const late = plot.line(rows, { x: "x", y: "y", slider: { field: "beta", value: 1.5, label: "β" } });
  assert.ok(Math.min(...ticks(renderSvg(late)).filter((v) => v >= 100)) >= 490, "at beta = 1.5 the y axis is around 500");
  assert.equal(((late.params as { bind: { name: string } }[])[0]).bind.name, "β ");

  const h = plot.line(rows, { x: "x", y: "y", color: "model", error: "e", highlight: true });
  const layers = h.layer as { params?: { name: string; bind: string; select: { fields: string[] } }[]; encoding: { opacity: { condition: { param: string } } } }[];
  assert.deepEqual(layers[1].params, [{ name: "pick", select: { type: "point", fields: ["model"] }, bind: "legend" }]);
  assert.equal(layers[0].encoding.opacity.condition.param, "pick");
  assert.equal(layers[1].encoding.opacity.condition.param, "pick");

  // combined: each name defined once; sliders on the combined chart (vega scopes a nested view's variable to it)
  const panel = () => plot.layer(plot.line(rows, { x: "x", y: "y", color: "model", highlight: true, slider: { field: "beta" } }), plot.rule({ y: 1 }));
  const both = plot.hconcat(panel(), panel());
  assert.deepEqual((both.params as { name: string }[]).map((p) => p.name), ["beta"]);
  const defs = JSON.stringify(both).match(/"name":"pick"/g) ?? [];
  assert.equal(defs.length, 1, "the legend selection is defined once and shared");
  const specs: Record<string, plot.VegaLiteSpec> = {
    s, late, h, both,
    layered: panel(),
    vconcat: plot.vconcat(panel(), panel()),
    grid: plot.grid([panel(), panel(), panel()], { columns: 2 }),
    sliderBand: plot.line(rows, { x: "x", y: "y", error: "e", color: "model", slider: { field: "beta" }, highlight: true }),
  };
  for (const [name, spec] of Object.entries(specs)) {
    assert.deepEqual(await vegaLiteWarnings(spec), [], `${name} compiles and runs with warnings`);
    assert.match(renderSvg(spec), /^<svg/);
  }
});

test("slider and highlight: bad input names the option", () => {
  const rows = [{ x: 1, y: 2, b: 0.5, g: "a", t: "hot" }, { x: 2, y: 3, b: 1, g: "b", t: "cold" }];
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ slider: { field: "nope" } }, /plot\.line: slider\.field field "nope" is not in data|slider\.field/],
    [{ slider: { field: "t" } }, /slider\.field "t" must hold finite numbers/],
    [{ slider: { field: "b", min: 1, max: 1 } }, /slider needs max > min/],
    [{ slider: { field: "b", step: 0 } }, /slider\.step/],
    [{ slider: { field: "b", value: 3 } }, /slider\.value/],
    [{ slider: { field: "b", stepp: 1 } }, /unknown option "stepp"/],
    [{ slider: 3 }, /slider must be \{field/],
    [{ highlight: true }, /highlight needs a color field/],
    [{ highlight: "yes", color: "g" }, /highlight must be true or false/],
    [{ logX: true, x: "t" }, /logX and xDomain need numbers in x field "t"/],
  ];
  for (const [extra, message] of cases) {
    assert.throws(() => plot.line(rows, { x: "x", y: "y", ...extra } as never), message, JSON.stringify(extra));
  }
});

test("fixed axis ranges cut off marks outside them instead of piling them up on the edge", async () => {
  const pts = [{ x: -10, y: 0 }, { x: 0, y: 1 }, { x: 1, y: 20 }];
  const s = plot.scatter(pts, { x: "x", y: "y", xDomain: [-2, 2], yDomain: [0, 5] });
  assert.equal((s.mark as { clip: boolean }).clip, true);
  const enc = s.encoding as Record<string, { scale: Record<string, unknown> }>;
  assert.deepEqual(enc.x.scale, { zero: false, domain: [-2, 2] });
  assert.equal(enc.y.scale.clamp, undefined);
  const l = plot.line(pts, { x: "x", y: "y", yDomain: [0, 5], error: "y" });
  assert.deepEqual((l.layer as { mark: { clip?: boolean } }[]).map((p) => p.mark.clip), [true, true]);
  assert.equal((plot.line(pts, { x: "x", y: "y" }).mark as { clip?: boolean }).clip, undefined);
  for (const spec of [s, l]) assert.deepEqual(await vegaLiteWarnings(spec), []);
});

test("static images measure text like a browser, so panels with long titles fit the notebook as they do in JupyterLab", () => {
  // Helvetica advance widths: "Hello" is 0.722+0.556+0.222+0.222+0.556 em
  assert.ok(Math.abs(sansTextWidth({ fontSize: 10 }, "Hello") - 22.78) < 1e-9);
  assert.ok(Math.abs(sansTextWidth({ fontSize: 10, fontWeight: "bold" }, "Hello") - 22.78 * 1.06) < 1e-9);
  assert.equal(sansTextWidth({ fontSize: 10, limit: 5 }, "Hello"), 5);
  assert.equal(sansTextWidth({ text: "  " }), 0);
  // vega's own estimate without a canvas is 0.8 em a character: 426 px for this 13-px bold title; a browser draws about 250
  const title = "right-well fraction (rule: exact 3.29 %)";
  const w = sansTextWidth({ fontSize: 13, fontWeight: "bold" }, title);
  assert.ok(w > 200 && w < 280, `title ${w} px`);
  const pts = [{ x: 0, y: 0.4 }, { x: 0.5, y: 0.1 }, { x: 1, y: 0.01 }];
  const three = plot.hconcat(...[0, 1, 2].map(() => plot.line(pts, { x: "x", y: "y", logY: true, points: true, title, width: 260 })));
  const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(renderSvg(three))?.[1]);
  assert.ok(width > 0 && width <= plot.NOTEBOOK_WIDTH + 40, `three titled panels are ${width} px wide`);
});
