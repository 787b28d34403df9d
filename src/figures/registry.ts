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

/** Implemented figures, in the order `list()` shows them. */
export const FIGURES: ReadonlyArray<FigureDefinition> = [van2a, van2b, van3, van4a, twobo2d, twoboSparse, bgDoublewell, bgMullerbrown];

/** Figures of issue 14 that are not implemented yet. */
export const UNAVAILABLE: ReadonlyArray<{ name: string; title: string; paper: string; summary: string; reason: string }> = [
  { name: "van-4b", title: "inverse Ising on SK: coupling reconstruction error", paper: "Wu, Wang & Zhang, PRL 122, 080602 (2019)", summary: "SK N = 20: VAN against NMF and TAP inversion", reason: "not implemented yet (needs an inverse-Ising solver)" },
];
