/** The Potts and XY part of the systems' public API (one line in index.ts, so merges stay trivial). */
export {
  SparsePottsSystem,
  pottsSystem,
  pottsSquare,
  pottsGlass,
  pottsOnGraph,
  checkPottsSystem,
  MAX_POTTS_Q,
  type PottsSystemOptions,
  type PottsSquareOptions,
  type PottsGlassOptions,
  type PottsOnGraphOptions,
} from "./potts";
export {
  SparseXYSystem,
  xySystem,
  xySquare,
  xyChain,
  xyOnGraph,
  checkXYSystem,
  type XYSystemOptions,
  type XYSquareOptions,
  type XYChainOptions,
  type XYOnGraphOptions,
} from "./xy";
export {
  pottsStateCounts,
  pottsStateCountsBatch,
  pottsOrderParameter,
  pottsOrderParameterOf,
  pottsEnergies,
  pottsStateFromIndex,
  pottsIndexOfState,
  allPottsStates,
  isingToPotts,
} from "./pottsObservables";
export {
  xyMagnetization,
  xyMagnetizationOf,
  xyAbsMagnetization,
  xyXBonds,
  xyHelicityTermsOf,
  xyHelicityOf,
  xyPlaquettes,
  xyVorticityOf,
  xyVortexDensityOf,
  xyVortexDensities,
  wrapAngle,
  type XBonds,
  type Plaquettes,
} from "./xyObservables";
export { parseAnySystemSpec, specKind, MULTI_SYSTEM_FAMILIES, ALL_SYSTEM_FAMILIES } from "./parseMulti";
