/** How commands report the estimator layer's warnings and non-finite diagnostics. */

/** JSON has no ±∞/NaN: such a value (k̂ of constant weights, too few samples) prints as null. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Each estimator warning as one line on stderr, "boltzlab train: warning: …" (the JSON summary carries them too). */
export function printWarnings(command: string, warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`${command}: warning: ${w}\n`);
}
