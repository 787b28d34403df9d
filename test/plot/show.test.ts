import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as plot from "../../src/plot/index";
import { chartBundle, savePlot, show, VEGA_LITE_MIME } from "../../src/plot/show";
import { loadPlotting, renderSvg } from "../../src/plot/render";

const spec = plot.line({ x: [0, 1, 2], y: [0, 1, 4] }, { x: "x", y: "y", title: "parabola" });

test("the chart bundle carries the vega-lite spec and a static image together", async () => {
  const b = chartBundle(spec);
  assert.deepEqual(b[VEGA_LITE_MIME], spec);
  assert.match(String(b["image/svg+xml"]), /^<svg[\s\S]*parabola[\s\S]*<\/svg>$/);
  const both = chartBundle(spec, { image: "both" });
  const png = Buffer.from(String(both["image/png"]), "base64");
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
  assert.throws(() => chartBundle(spec, { image: "gif" as never }), /options.image must be one of/);
  // in-process rendering (after loading vega) and the child-process path agree
  const child = renderSvg(spec);
  await loadPlotting();
  assert.equal(renderSvg(spec), child);
});

test("savePlot writes svg, png and json; refuses other extensions", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boltzlab-plot-"));
  const svg = savePlot(spec, path.join(dir, "a.svg"));
  assert.ok(svg.bytes > 1000 && fs.readFileSync(svg.path, "utf8").startsWith("<svg"));
  const png = savePlot(spec, path.join(dir, "sub", "a.png"), { scale: 1 });
  assert.equal(fs.readFileSync(png.path).subarray(1, 4).toString(), "PNG");
  const json = savePlot(spec, path.join(dir, "a.json"));
  assert.deepEqual(JSON.parse(fs.readFileSync(json.path, "utf8")), spec);
  assert.throws(() => savePlot(spec, path.join(dir, "a.gif")), /savePlot: file ".*a.gif" must end in .svg, .png or .json/);
  assert.throws(() => savePlot({ foo: 1 } as never, path.join(dir, "b.svg")), /savePlot: spec is not a vega-lite spec/);
  fs.rmSync(dir, { recursive: true });
});

test("show outside a notebook prints a text form and validates its input", () => {
  const writes: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  (process.stdout as unknown as { write: (s: string) => boolean }).write = (s: string) => { writes.push(s); return true; };
  try {
    show(spec);
    show({ a: 1 });
  } finally {
    (process.stdout as unknown as { write: typeof orig }).write = orig;
  }
  assert.match(writes[0], /vega-lite chart: parabola/);
  assert.match(writes[1], /"a": 1/);
  assert.throws(() => show(undefined), /show: nothing to show/);
});
