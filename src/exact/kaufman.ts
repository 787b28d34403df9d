/**
 * Kaufman's exact partition function of the finite M×N Ising model on a torus
 * (periodic in both directions, uniform coupling J, zero field), B. Kaufman,
 * Phys. Rev. 76, 1232 (1949); form as in P. D. Beale, PRL 76, 78 (1996):
 *
 *   Z = ½ (2 sinh 2K)^{MN/2} [Π 2cosh(Mγ_{2r+1}/2) + Π 2sinh(Mγ_{2r+1}/2)
 *                            + Π 2cosh(Mγ_{2r}/2)   + Π 2sinh(Mγ_{2r}/2)],   r = 0..N−1,
 *   cosh γ_k = cosh 2K coth 2K − cos(πk/N)  (k ≥ 1),   γ_0 = 2K + ln tanh K  (signed),
 *
 * K = βJ, M rows, N columns. Evaluated in log space with signs (γ_0 < 0 above
 * T_c), and γ_k = acosh(1 + x_k) with x_k = (1 − sinh 2K)²/sinh 2K + 2 sin²(πk/2N)
 * computed without cancellation. An antiferromagnet (J < 0) on a torus with
 * even M and N maps to the ferromagnet by flipping one sublattice.
 * Energy, entropy and specific heat from finite differences (derivatives.ts).
 */
import { checkInteger, checkKeys, checkNumber, checkPositive } from "../core/validate";
import type { ExactResult, SpinSystem } from "../systems/types";
import { withDerivatives } from "./derivatives";

function logCosh2(x: number): number {
  // ln(2 cosh x)
  const a = Math.abs(x);
  return a + Math.log1p(Math.exp(-2 * a));
}

function logAbsSinh2(x: number): number {
  // ln|2 sinh x|
  const a = Math.abs(x);
  return a + Math.log1p(-Math.exp(-2 * a));
}

/** ln Z of the M×N torus at K = βJ > 0 (ferromagnet). */
export function kaufmanLogZ(M: number, N: number, K: number): number {
  const s = Math.sinh(2 * K);
  const base = Math.log(2 * s) * ((M * N) / 2) - Math.LN2;
  const gam = (k: number): number => {
    if (k % (2 * N) === 0) return 2 * K + Math.log(Math.tanh(K));
    const sn = Math.sin((Math.PI * k) / (2 * N));
    const x = ((1 - s) * (1 - s)) / s + 2 * sn * sn;
    return Math.log1p(x + Math.sqrt(x * (x + 2)));
  };
  // four products: [log magnitude, sign]
  const terms: Array<[number, number]> = [];
  for (const parity of [1, 0]) {
    let lc = 0;
    let ls = 0;
    let sign = 1;
    for (let r = 0; r < N; r++) {
      const g = gam(2 * r + parity);
      const x = (M * g) / 2;
      lc += logCosh2(x);
      if (x === 0) {
        ls = -Infinity;
      } else {
        ls += logAbsSinh2(x);
        if (x < 0) sign = -sign;
      }
    }
    terms.push([lc, 1], [ls, sign]);
  }
  const mx = Math.max(...terms.map((t) => t[0]));
  let sum = 0;
  for (const [l, sg] of terms) if (l > -Infinity) sum += sg * Math.exp(l - mx);
  return base + mx + Math.log(sum);
}

interface TorusInfo {
  M: number;
  N: number;
  J: number;
}

function torusOf(system: SpinSystem): { error: string; info: null } | { error: null; info: TorusInfo } {
  const g = system.geometry;
  if (system.fields !== null) return { error: "Kaufman's formula needs zero field", info: null };
  if (g === null || g.grid.length !== 2) return { error: "Kaufman's formula needs a 2-D grid geometry", info: null };
  if (!g.periodic[0] || !g.periodic[1]) return { error: "Kaufman's formula needs periodic boundaries in both directions", info: null };
  const [M, N] = g.grid;
  if (M < 3 || N < 3) return { error: `Kaufman's formula needs a torus of at least 3×3, got ${M}×${N}`, info: null };
  const { i, j, J } = system.edges;
  if (i.length !== 2 * M * N) return { error: `Kaufman's formula needs the ${2 * M * N} nearest-neighbour bonds of the ${M}×${N} torus, got ${i.length} edges`, info: null };
  const J0 = J[0];
  for (let k = 0; k < i.length; k++) {
    if (J[k] !== J0) return { error: "Kaufman's formula needs one uniform coupling J (this system has several values)", info: null };
    const [r1, c1] = [Math.floor(i[k] / N), i[k] % N];
    const [r2, c2] = [Math.floor(j[k] / N), j[k] % N];
    const dr = Math.min((r2 - r1 + M) % M, (r1 - r2 + M) % M);
    const dc = Math.min((c2 - c1 + N) % N, (c1 - c2 + N) % N);
    if (dr + dc !== 1) return { error: `Kaufman's formula needs nearest-neighbour bonds only; edge (${i[k]}, ${j[k]}) is not one`, info: null };
  }
  if (J0 === 0) return { error: "Kaufman's formula needs J ≠ 0", info: null };
  if (J0 < 0 && (M % 2 !== 0 || N % 2 !== 0)) return { error: `the antiferromagnet maps to Kaufman's ferromagnet only for even sizes, got ${M}×${N}`, info: null };
  return { error: null, info: { M, N, J: J0 } };
}

/** Why Kaufman's formula does not apply, or null. */
export function kaufmanRefusal(system: SpinSystem): string | null {
  return torusOf(system).error;
}

/** Exact result for the uniform periodic M×N Ising model (Kaufman). */
export function kaufman(system: SpinSystem, beta: number, options: Record<string, never> = {}): ExactResult {
  const W = "exact.kaufman";
  checkKeys(options, [], W);
  checkPositive(beta, "beta", W);
  const t = torusOf(system);
  if (t.error !== null) throw new Error(`${W}: ${t.error}`);
  const { M, N, J } = t.info;
  const a = Math.abs(J);
  return withDerivatives("kaufman", M * N, beta, (b) => kaufmanLogZ(M, N, b * a), { maxJ: a });
}

export interface KaufmanLatticeOptions {
  /** Rows (linear size L of an L×L torus). */
  L: number;
  /** Columns (default L). */
  cols?: number;
  /** Inverse temperature. */
  beta: number;
  /** Coupling (default 1; negative needs even sizes). */
  J?: number;
}

/** Kaufman's result for an L×L (or L×cols) periodic Ising model without building the system. */
export function kaufmanLattice(options: KaufmanLatticeOptions): ExactResult {
  const W = "exact.kaufmanLattice";
  checkKeys(options, ["L", "cols", "beta", "J"], W);
  const M = checkInteger(options?.L, "L", W, { min: 3 });
  const N = checkInteger(options.cols ?? M, "cols", W, { min: 3 });
  const beta = checkPositive(options.beta, "beta", W);
  const J = checkNumber(options.J ?? 1, "J", W);
  if (J === 0) throw new Error(`${W}: J must be non-zero`);
  if (J < 0 && (M % 2 !== 0 || N % 2 !== 0)) throw new Error(`${W}: the antiferromagnet needs even sizes, got ${M}×${N}`);
  const a = Math.abs(J);
  return withDerivatives("kaufman", M * N, beta, (b) => kaufmanLogZ(M, N, b * a), { maxJ: a });
}
