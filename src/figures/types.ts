/**
 * What a figure is: a list of independent points (β values, sizes, seeds,
 * instances, methods), a `computePoint` that turns one point into tidy rows
 * (usually one row per point, with its error), and a `chart` that builds the
 * paper's panel from all rows. The runner (./run.ts) owns everything else:
 * seeds, progress, per-point result files, resume, shards, merge, provenance.
 */
import type { Rng } from "../core/random";
import type { VegaLiteSpec } from "../plot/specs";

/** One CSV cell. */
export type Cell = number | string | boolean | null;

/** One tidy row of a figure's CSV. */
export type Row = Record<string, Cell>;

/** A figure's settings: plain JSON (numbers, strings, booleans and arrays of them). */
export type Settings = Record<string, number | string | boolean | ReadonlyArray<number | string>>;

/** One independent point of a figure. `id` is unique within the figure and names its result file. */
export interface FigurePoint {
  id: string;
  [key: string]: Cell;
}

/** What `computePoint` gets besides the point and the settings. */
export interface PointContext {
  /** The point's own seed: derived from the figure seed and the point id, so it does not depend on sharding or order. */
  seed: number;
  /** A generator seeded with `seed`. */
  rng: Rng;
  /** A seed shared by all points of the figure for the given tag (e.g. the instance or a data set all points use). */
  sharedSeed(tag: string): number;
}

/** A figure of one of the papers. */
export interface FigureDefinition<S extends Settings = Settings> {
  /** Command-line name, e.g. "van-4a". */
  name: string;
  /** Chart title (like the paper's panel). */
  title: string;
  /** The paper and panel it reproduces. */
  paper: string;
  /** One line: what the figure shows. */
  summary: string;
  /** The quick setting (default; ≤ 2 minutes on 2 cores). */
  quick: S;
  /** The paper's setting, or the largest practical one (`--full`). */
  full: S;
  /** Expected wall time in minutes on 2 cores: quick and full. */
  minutes: { quick: number; full: number };
  /** Every CSV column, in order (rows missing one get null). */
  columns: readonly string[];
  /** The independent points of a setting, in a fixed order. */
  points(settings: S): FigurePoint[];
  /** Compute one point: its tidy rows. A method that fails at a point returns a row with null values and the reason in `status`, it does not throw. */
  computePoint(point: FigurePoint, settings: S, context: PointContext): Row[];
  /** The chart (vega-lite) of all rows. */
  chart(rows: Row[], settings: S): VegaLiteSpec;
  /** The figure's headline numbers (written to NAME.json and returned by `run`). */
  headline(rows: Row[], settings: S): Record<string, Cell>;
}
