/** Coupling instances: JSON load/save and the TwoBo/scipy `.npz` reader. */
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
