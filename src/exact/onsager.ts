/**
 * Onsager's exact free energy of the infinite square-lattice Ising
 * ferromagnet in zero field (K = βJ, J > 0):
 *
 *   −βf = ln(2 cosh 2K) + (1/π) ∫_0^{π/2} ln[½(1 + √(1 − κ² sin²θ))] dθ,   κ = 2 sinh 2K / cosh² 2K,
 *
 * by the trapezoid rule on the periodic integrand (exponentially convergent
 * away from T_c), doubled until converged. Energy per spin from the closed form
 * u = −J coth 2K [1 + (2/π)(2 tanh² 2K − 1) K(κ)] with the complete elliptic
 * integral K by the arithmetic–geometric mean; specific heat by finite
 * differences of u (infinite at T_c); spontaneous |m| = (1 − sinh⁻⁴ 2K)^{1/8} below T_c.
 * The result has n = Infinity, logZ = Infinity and `logZPerSpin` = −βf.
 */
import { checkKeys, checkNumber, checkPositive } from "../core/validate";
import type { ExactResult } from "../systems/types";

/** Critical inverse temperature of the square lattice for J = 1: ln(1 + √2)/2. */
export const ONSAGER_BETA_C = Math.log(1 + Math.SQRT2) / 2;

export interface OnsagerOptions {
  beta: number;
  /** Coupling (default 1, must be > 0). */
  J?: number;
}

export interface OnsagerResult extends ExactResult {
  /** ln Z / N = −βf in the thermodynamic limit. */
  logZPerSpin: number;
}

/** −βf per spin (K = βJ). */
export function onsagerLogZPerSpin(K: number): number {
  const c = Math.cosh(2 * K);
  const kappa = (2 * Math.sinh(2 * K)) / (c * c);
  const k2 = Math.min(1, kappa * kappa);
  const g = (th: number) => {
    const sn = Math.sin(th);
    return Math.log(0.5 * (1 + Math.sqrt(Math.max(0, 1 - k2 * sn * sn))));
  };
  // ∫_0^{π/2} g = ½ ∫_0^π g, g π-periodic: trapezoid over one period
  let n = 16;
  let prev = NaN;
  let val = 0;
  for (;;) {
    let s = 0;
    for (let k = 0; k < n; k++) s += g((Math.PI * k) / n);
    val = (0.5 * (Math.PI / n) * s);
    if (Math.abs(val - prev) < 1e-16 || n >= 1 << 20) break;
    prev = val;
    n *= 2;
  }
  return Math.log(2 * c) + val / Math.PI;
}

/** Complete elliptic integral of the first kind K(k) (modulus k), by the AGM. */
export function ellipticK(k: number): number {
  if (!(Math.abs(k) < 1)) return Infinity;
  let a = 1;
  let b = Math.sqrt(1 - k * k);
  for (let it = 0; it < 60 && Math.abs(a - b) > 1e-16 * a; it++) [a, b] = [(a + b) / 2, Math.sqrt(a * b)];
  return Math.PI / (2 * a);
}

function energyPerSpin(K: number, J: number): number {
  const c = Math.cosh(2 * K);
  const kappa = (2 * Math.sinh(2 * K)) / (c * c);
  const t = Math.tanh(2 * K);
  // at T_c, κ = 1 and K(κ) diverges while 2 tanh² 2K − 1 vanishes: the product → 0
  const ek = kappa >= 1 - 1e-15 ? 0 : (2 * t * t - 1) * ellipticK(kappa);
  return (-J / t) * (1 + (2 / Math.PI) * ek);
}

/** Onsager's infinite-lattice result at inverse temperature β. */
export function onsager(options: OnsagerOptions): OnsagerResult {
  const W = "exact.onsager";
  checkKeys(options, ["beta", "J"], W);
  const beta = checkPositive(options?.beta, "beta", W);
  const J = checkNumber(options.J ?? 1, "J", W, { above: 0 });
  const K = beta * J;
  const lz = onsagerLogZPerSpin(K);
  const u = energyPerSpin(K, J);
  const h = Math.min(1e-4 / J, beta / 8);
  const du = (8 * (energyPerSpin((beta + h) * J, J) - energyPerSpin((beta - h) * J, J)) - (energyPerSpin((beta + 2 * h) * J, J) - energyPerSpin((beta - 2 * h) * J, J))) / (12 * h);
  const s2 = Math.sinh(2 * K);
  const absM = K > ONSAGER_BETA_C ? Math.pow(Math.max(0, 1 - Math.pow(s2, -4)), 1 / 8) : 0;
  return {
    method: "onsager",
    n: Infinity,
    beta,
    logZ: Infinity,
    logZPerSpin: lz,
    freeEnergyPerSpin: -lz / beta,
    energyPerSpin: u,
    entropyPerSpin: beta * u + lz,
    specificHeatPerSpin: Math.abs(K - ONSAGER_BETA_C) < 1e-12 ? Infinity : -beta * beta * du,
    absMagnetizationPerSpin: absM,
  };
}
