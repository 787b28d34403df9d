/** The figures `run` knows, one line each, and those not available yet (with why). */
import { bgDoublewell } from "./bgDoublewell";
import { bgMullerbrown } from "./bgMullerbrown";
import { twobo2d } from "./twobo2d";
import { twoboSparse } from "./twoboSparse";
import type { FigureDefinition } from "./types";
import { van2a } from "./van2a";
import { van2b } from "./van2b";
import { van3 } from "./van3";
import { van4a } from "./van4a";
import { van4b } from "./van4b";

/** Implemented figures, in the order `list()` shows them. */
export const FIGURES: ReadonlyArray<FigureDefinition> = [van2a, van2b, van3, van4a, van4b, twobo2d, twoboSparse, bgDoublewell, bgMullerbrown];

/** Figures of issue 14 that are not implemented yet. */
export const UNAVAILABLE: ReadonlyArray<{ name: string; title: string; paper: string; summary: string; reason: string }> = [
];
