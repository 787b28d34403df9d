/** The Potts and XY part of the samplers' public API (one line in index.ts). */
export { PottsChainState, XYChainState, POTTS_OBSERVABLES, xyObservableNames } from "./pottsState";
export {
  pottsMetropolis,
  pottsHeatBath,
  pottsWolff,
  pottsSwendsenWang,
  pottsMetropolisMove,
  pottsHeatBathMove,
  pottsWolffMove,
  pottsSwendsenWangMove,
  runPottsMove,
} from "./pottsMoves";
export { xyMetropolis, xyWolff, xyMetropolisMove, xyWolffMove, runXYMove, type XYMetropolisOptions, type XYMetropolisMoveOptions } from "./xyMoves";
