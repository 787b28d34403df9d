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
 * differences of u for K < 1 (infinite at T_c) and by the analytic second
 * derivative of the integral for K ≥ 1 (finite differences of u ≈ −2 would
 * be rounding noise ×β² there); spontaneous |m| = (1 − sinh⁻⁴ 2K)^{1/8} below T_c.
 * Everything is written in z = e^{−2K} (κ = 4z(1−z²)/(1+z²)², ln 2cosh 2K =
 * 2K + ln(1 + z²)), finite at any β (tested to β = 1e3: f = u = −2J, S = 0).
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

/** κ = 2 sinh 2K / cosh² 2K = 4z(1 − z²)/(1 + z²)², z = e^{−2K} (no overflow at large K). */
function kappaOf(K: number): number {
  const z = Math.exp(-2 * K);
  const z2 = z * z;
  return (4 * z * -Math.expm1(-4 * K)) / ((1 + z2) * (1 + z2));
}

/** −βf per spin (K = βJ). */
export function onsagerLogZPerSpin(K: number): number {
  const kappa = kappaOf(K);
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
  // ln(2 cosh 2K) = 2K + ln(1 + e^{−4K})
  return 2 * K + Math.log1p(Math.exp(-4 * K)) + val / Math.PI;
}

/**
 * ∂²(ln Z/N)/∂K² by differentiating the integrand twice (for K ≥ 1, where it is smooth):
 * y = κ² sin²θ, g = ln((1 + √(1−y))/2), g_y = −1/(2R(1+R)), g_yy = −(1+2R)/(4R³(1+R)²),
 * κ(z) = 4z(1−z²)/(1+z²)², dz/dK = −2z; the trapezoid rule converges geometrically.
 * Returns the value and a bound on its rounding error (the ln cosh term and the
 * integral cancel to O(z⁴) at large K).
 */
function onsagerD2(K: number): { d2: number; err: number } {
  const z = Math.exp(-2 * K);
  const z2 = z * z;
  const q = 1 + z2;
  const kappa = kappaOf(K);
  const kz = (4 * (1 - 6 * z2 + z2 * z2)) / (q * q * q);
  const kzz = (4 * (-18 * z + 28 * z2 * z - 2 * z2 * z2 * z)) / (q * q * q * q);
  const kK = -2 * z * kz;
  const kKK = 4 * z2 * kzz + 4 * z * kz;
  const l0KK = (16 * z2) / (q * q);
  const integral = (m: number): [number, number] => {
    let s = 0;
    let sa = 0;
    for (let k = 0; k < m; k++) {
      const sn = Math.sin((Math.PI * k) / m);
      const s2 = sn * sn;
      const y = kappa * kappa * s2;
      const R = Math.sqrt(1 - y);
      const gy = -1 / (2 * R * (1 + R));
      const gyy = -(1 + 2 * R) / (4 * R * R * R * (1 + R) * (1 + R));
      const yK = 2 * kappa * kK * s2;
      const yKK = 2 * (kK * kK + kappa * kKK) * s2;
      s += gyy * yK * yK + gy * yKK;
      sa += Math.abs(gyy * yK * yK) + Math.abs(gy) * 2 * (kK * kK + Math.abs(kappa * kKK)) * s2;
    }
    // (1/π) ∫_0^{π/2} = (1/2π) ∫_0^π, trapezoid on the π-periodic integrand
    return [s / (2 * m), sa / (2 * m)];
  };
  let m = 16;
  let [v, va] = integral(m);
  for (; m < 1 << 16; ) {
    m *= 2;
    const [v2, va2] = integral(m);
    const done = Math.abs(v2 - v) <= 1e-15 * Math.max(va2, 1e-300);
    v = v2;
    va = va2;
    if (done) break;
  }
  return { d2: l0KK + v, err: 64 * Number.EPSILON * (l0KK + va) };
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
  const kappa = kappaOf(K);
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
  let c: number;
  if (Math.abs(K - ONSAGER_BETA_C) < 1e-12) c = Infinity;
  else if (K < 1) {
    // near T_c: central differences of the closed-form energy (step 1e-4/J)
    const h = Math.min(1e-4 / J, beta / 8);
    const du = (8 * (energyPerSpin((beta + h) * J, J) - energyPerSpin((beta - h) * J, J)) - (energyPerSpin((beta + 2 * h) * J, J) - energyPerSpin((beta - 2 * h) * J, J))) / (12 * h);
    c = -beta * beta * du;
  } else {
    // low temperature: analytic second derivative; a negative value within its rounding bound is 0
    const d = onsagerD2(K);
    c = K * K * d.d2;
    if (c < 0) {
      if (-c > K * K * d.err) throw new Error(`${W}: specific heat ${c} < 0 beyond its rounding bound at β = ${beta}`);
      c = 0;
    }
  }
  // sinh 2K = w/(2z): 1/sinh⁴ 2K = (2z/w)⁴
  const invS = (2 * Math.exp(-2 * K)) / -Math.expm1(-4 * K);
  const absM = K > ONSAGER_BETA_C ? Math.pow(Math.max(0, 1 - Math.pow(invS, 4)), 1 / 8) : 0;
  return {
    method: "onsager",
    n: Infinity,
    beta,
    logZ: Infinity,
    logZPerSpin: lz,
    freeEnergyPerSpin: -lz / beta,
    energyPerSpin: u,
    entropyPerSpin: beta * u + lz,
    specificHeatPerSpin: c,
    absMagnetizationPerSpin: absM,
  };
}
