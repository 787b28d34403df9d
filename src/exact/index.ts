/** Exact references: enumeration, Kaufman, Onsager, transfer matrix, Kac–Ward, and `exact()` choosing among them. */
export type { ExactResult } from "../systems/types";
export { exact, applicableMethods, AUTO_ORDER, type ExactMethod, type ExactOptions } from "./exact";
export { enumerate, MAX_ENUMERATE_N, type EnumerateOptions, type EnumerationResult } from "./enumerate";
