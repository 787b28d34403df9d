/**
 * boltzlab: generative models and samplers for statistical physics.
 *
 * Importing this module does no work: the TensorFlow backend is chosen on
 * first use (or by `await init()`), and native modules load lazily.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, type BackendInfo, type InitOptions } from "./core/backend";
import { guardKernelSends, inNotebook } from "./core/notebook";
import { setSeed } from "./core/random";
import { loadPlotting } from "./plot/render";

export { tf };
export { backend, backendInfo, ensureBackend, type BackendInfo, type BackendName } from "./core/backend";
export { Rng, setSeed as seed, globalGenerator, type RandomOptions } from "./core/random";
export { progress, type Progress, type ProgressOptions } from "./core/progress";
export { polars, frameFromRows, frameFromColumns, type DataFrame } from "./core/table";
export { version } from "./version";
export * as plot from "./plot/index";
export { show, savePlot, chartBundle, VEGA_LITE_MIME, type ShowOptions, type SaveOptions } from "./plot/show";
export { renderSvg, renderSvgAsync, svgToPng } from "./plot/render";

// Physics, one namespace per concept: bz.systems.isingSquare(...), bz.exact(system, beta)
// (also bz.exact.kaufman(...) etc.), bz.stats.mean(...), bz.samplers.wolff(...),
// bz.models.made(...), bz.train.trainVan(...), bz.estimates.estimateVan(...),
// bz.meanfield.nmf(system, {beta}) (also tap, bethe).
export * as systems from "./systems/index";
export * as io from "./io/index";
export * as stats from "./stats/index";
export * as samplers from "./samplers/index";
export * as models from "./models/index";
export * as train from "./train/index";
export * as estimates from "./estimates/index";
export * as flows from "./flows/index";
export * as bg from "./bg/index";
export * as meanfield from "./meanfield/index";
export * as figures from "./figures/index";
// Workshop exercises: bz.workshop.check.<name>(yourFunction) prints "correct" or a hint (notebooks/workshop/).
export * as workshop from "./workshop/index";
export type { SpinSystem, ContinuousSystem, System, Geometry, ExactResult } from "./systems/types";
export type { GenerativeModel, Sample } from "./models/types";
export type { SamplerOptions, SamplerResult } from "./samplers/types";
export type { Stats } from "./stats/index";

import * as exactNamespace from "./exact/index";
/**
 * Exact references. Call it, `bz.exact(system, beta, {method?})`, to get the
 * best applicable method's result, or use a method directly:
 * `bz.exact.enumerate`, `bz.exact.kaufman`, `bz.exact.onsager`,
 * `bz.exact.transferMatrix`, `bz.exact.kacWard`.
 */
export const exact: typeof exactNamespace.exact & typeof exactNamespace = Object.assign(
  (...args: Parameters<typeof exactNamespace.exact>) => exactNamespace.exact(...args),
  exactNamespace,
);

export interface BoltzlabInitOptions extends InitOptions {
  /** Global seed for every boltzlab function not given its own. */
  seed?: number;
}

/**
 * Initialise boltzlab for a session: choose the backend (tensorflow, else
 * wasm, else cpu), set the global seed if given, and preload the plotting
 * modules so that `show` renders quickly. Returns the backend info.
 */
export async function init(options: BoltzlabInitOptions = {}): Promise<BackendInfo> {
  const { seed, ...rest } = options;
  if (seed !== undefined) setSeed(seed);
  // in a tslab kernel: queue output that zeromq refuses while a cell blocks (core/notebook.ts)
  if (inNotebook()) guardKernelSends();
  const [info] = await Promise.all([initBackend(rest), loadPlotting()]);
  return info;
}
