export { line, scatter, bar, histogram, heatmap, spins, density2d, rule, layer, hconcat, vconcat, grid, binCounts, isVegaLiteSpec, NOTEBOOK_WIDTH, VEGA_LITE_SCHEMA } from "./specs";
export type { VegaLiteSpec, ChartOptions, LineOptions, ScatterOptions, HistogramOptions, HeatmapOptions, SpinsOptions, Density2dOptions, RuleOptions, Matrix } from "./specs";
export type { PlotData } from "./data";
