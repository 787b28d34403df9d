/**
 * The papers' figures, reproduced from one call: `run(name, {full, out, seed,
 * shard, merge, progress})` writes NAME.csv, NAME.svg, NAME.png and NAME.json;
 * `list()` names them with their expected run times. One file per figure
 * (./van4a.ts, ./van2b.ts, ./bgDoublewell.ts), a line each in ./registry.ts;
 * the runner (./run.ts, ./store.ts) handles seeds, resume, shards and merge;
 * `compare(name, {reference})` checks a fresh run against a committed one (./compare.ts).
 */
export { run, list, type FigureRunOptions, type FigureRunResult, type FigureInfo } from "./run";
export { hashSeed, parseShard, type Shard, type PointRecord, type Fingerprint } from "./store";
export { FIGURES, UNAVAILABLE } from "./registry";
export { compare, parseCsv, referenceRoot, KEY_COLUMNS, DEFAULT_THRESHOLD, type CompareOptions, type CompareResult, type ComparisonRow } from "./compare";
export { WANNIER_ENTROPY } from "./van2b";
export type { FigureDefinition, FigurePoint, PointContext, Row, Settings, Cell } from "./types";
