/** Coupling instances (JSON load/save, the TwoBo/scipy `.npz` reader) and result tables to CSV/Parquet. */
export {
  loadInstance,
  saveInstance,
  instanceFromJSON,
  instanceToJSON,
  instanceFromNpz,
  twoboGeometry,
  type InstanceJSON,
  type LoadInstanceOptions,
  type SaveInstanceOptions,
} from "./instance";
export { parseNpy, parseNpz, readZip, type NpyArray } from "./npz";
export { writeTable, type TableFormat, type WriteTableOptions, type WriteTableResult } from "./table";
