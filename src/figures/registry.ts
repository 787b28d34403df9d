/** The figures `run` knows, one line each, and those not available yet (with why). */
import { bgDoublewell } from "./bgDoublewell";
import { bgMullerbrown } from "./bgMullerbrown";
import type { FigureDefinition } from "./types";
import { van2a } from "./van2a";
import { van2b } from "./van2b";
import { van3 } from "./van3";
import { van4a } from "./van4a";

/** Implemented figures, in the order `list()` shows them. */
export const FIGURES: ReadonlyArray<FigureDefinition> = [
  van2a as unknown as FigureDefinition,
  van2b as unknown as FigureDefinition,
  van3 as unknown as FigureDefinition,
  van4a as unknown as FigureDefinition,
  bgDoublewell as unknown as FigureDefinition,
  bgMullerbrown as unknown as FigureDefinition,
];

/** Figures of issue 14 that are not implemented yet. */
export const UNAVAILABLE: ReadonlyArray<{ name: string; title: string; paper: string; summary: string; reason: string }> = [
  { name: "van-4b", title: "inverse Ising on SK: coupling reconstruction error", paper: "Wu, Wang & Zhang, PRL 122, 080602 (2019)", summary: "SK N = 20: VAN against NMF and TAP inversion", reason: "not implemented yet (needs an inverse-Ising solver)" },
  { name: "twobo-2d", title: "TwoBo against MADE on periodic ±J L = 16", paper: "Biazzo, Wu & Carleo (TwoBo)", summary: "relative error of F_q against the exact periodic reference", reason: "needs the periodic Pfaffian exact method (not on main yet)" },
  { name: "twobo-sparse", title: "TwoBo on 3-D EA and RRG", paper: "Biazzo, Wu & Carleo (TwoBo)", summary: "against population annealing with its error band", reason: "needs population annealing (not on main yet)" },
];
