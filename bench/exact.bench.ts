/** Exact references: Gray-code enumeration of N = 24 SK, Kac–Ward on a 32×32 open ±J grid, transfer matrix at width 12. */
import { enumerate, kacWard, transferMatrix } from "../src/exact";
import { ea2d, isingSquare, sk } from "../src/systems";
import type { BenchContext } from "./run";

function time<T>(f: () => T): { value: T; seconds: number } {
  const t = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - t) / 1000 };
}

export async function run(ctx: BenchContext): Promise<Record<string, number>> {
  const nSK = ctx.fast ? 20 : 24;
  const L = ctx.fast ? 16 : 32;
  const W = ctx.fast ? 10 : 12;
  const e = time(() => enumerate(sk({ n: nSK, seed: 0 }), 1.0, { probabilities: false }));
  const grid = ea2d({ L, boundary: "open", seed: 0 });
  const kwLogZ = time(() => kacWard(grid, 1.0, { logZOnly: true }));
  const kwFull = time(() => kacWard(grid, 1.0));
  const open = ea2d({ L: W, boundary: "open", seed: 0, couplings: "gauss" });
  const tmOpen = time(() => transferMatrix(open, 1.0));
  const cylOpen = isingSquare({ L: 4 * W, cols: W, boundary: "open", h: 0.1 });
  const tmStrip = time(() => transferMatrix(cylOpen, 0.44));
  const torusSide = ctx.fast ? 8 : 10;
  const tmTorus = time(() => transferMatrix(isingSquare({ L: torusSide, h: 0.1 }), 0.44));
  return {
    [`enumerateSK_N${nSK}_seconds`]: e.seconds,
    [`enumerateSK_N${nSK}_statesPerSecond`]: 2 ** nSK / e.seconds,
    [`kacWard_${L}x${L}_open_pmJ_logZOnly_seconds`]: kwLogZ.seconds,
    [`kacWard_${L}x${L}_open_pmJ_withEnergy_seconds`]: kwFull.seconds,
    [`kacWard_${L}x${L}_freeEnergyPerSpin`]: kwFull.value.freeEnergyPerSpin,
    [`transferMatrix_${W}x${W}_open_gauss_seconds`]: tmOpen.seconds,
    [`transferMatrix_${4 * W}x${W}_open_field_seconds`]: tmStrip.seconds,
    [`transferMatrix_${torusSide}x${torusSide}_torus_field_seconds`]: tmTorus.seconds,
  };
}
