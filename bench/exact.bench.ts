/**
 * Exact references: Gray-code enumeration of N = 24 SK, Kac–Ward on a 32×32 open ±J grid, transfer matrix at width 12,
 * Pfaffian on periodic ±J glasses L = 16, 32 (TwoBo instances, β = 3, with energy) and 64 (ea2d, β = 3, ln Z only; β = 1 with energy).
 */
import { enumerate, kacWard, pfaffian, transferMatrix } from "../src/exact";
import { loadInstance } from "../src/io";
import { ea2d, isingSquare, sk } from "../src/systems";
import path from "node:path";
import type { BenchContext } from "./run";

function time<T>(f: () => T): { value: T; seconds: number } {
  const t = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - t) / 1000 };
}

export async function run(ctx: BenchContext): Promise<Record<string, number | string>> {
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
  const twobo = (L: number) => loadInstance(path.resolve(__dirname, `../data/twobo/2D_EA_PM_L${L}_0.npz`));
  const pf: Record<string, number | string> = {};
  const pfRun = (label: string, sys: Parameters<typeof pfaffian>[0], beta: number, logZOnly: boolean): void => {
    const r = time(() => pfaffian(sys, beta, { logZOnly }));
    pf[`pfaffian_${label}_beta${beta}${logZOnly ? "_logZOnly" : "_withEnergy"}_seconds`] = r.seconds;
    pf[`pfaffian_${label}_beta${beta}_freeEnergyPerSpin`] = r.value.freeEnergyPerSpin;
    pf[`pfaffian_${label}_beta${beta}_precision`] = r.value.precision;
  };
  pfRun("L16_twobo", twobo(16), 3, false);
  if (ctx.fast) pfRun("L32_twobo", twobo(32), 1, true);
  else {
    pfRun("L32_twobo", twobo(32), 3, false);
    const big = ea2d({ L: 64, seed: 0 });
    pfRun("L64_ea2d", big, 1, false);
    pfRun("L64_ea2d", big, 3, true);
  }
  return {
    ...pf,
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
