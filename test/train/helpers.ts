/**
 * Test helpers: damaged checkpoint files, as a buggy writer, a flipped bit or
 * a hand edit would leave them.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";

type Json = Record<string, any>;

/** The checksum a version-2 checkpoint stores: SHA-256 of the JSON text of {config, variables, optimizer, meta} (see src/train/checkpoint.ts). */
export function checksumOf(f: Json): string {
  const text = JSON.stringify({ config: f.config, variables: f.variables, optimizer: f.optimizer, meta: f.meta });
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Parse `src`, let `edit` change it, re-seal it with a valid checksum (if `reseal`), write `dst`. */
export function rewriteCheckpoint(src: string, dst: string, edit: (f: Json) => void, reseal = true): string {
  const f = JSON.parse(fs.readFileSync(src, "utf8")) as Json;
  edit(f);
  if (reseal && f.checksum !== undefined) f.checksum = { algorithm: "sha256", value: checksumOf(f) };
  fs.writeFileSync(dst, JSON.stringify(f));
  return dst;
}

/** Base64 of float32 values. */
export function f32(values: number[]): string {
  const a = Float32Array.from(values);
  return Buffer.from(a.buffer).toString("base64");
}

/** A copy of `src` whose variable `k` holds `value` (NaN by default) at index 0, with a valid checksum: only the finiteness check can catch it. */
export function nonFiniteCheckpoint(src: string, dst: string, k = 0, value = NaN): string {
  return rewriteCheckpoint(src, dst, (f) => {
    const b = Buffer.from(f.variables[k].data as string, "base64");
    b.writeFloatLE(value, 0);
    f.variables[k].data = b.toString("base64");
  });
}

/** A copy of `src` with one base64 character of a weight changed (checksum left as it was). */
export function alteredCheckpoint(src: string, dst: string): string {
  const text = fs.readFileSync(src, "utf8");
  const at = text.indexOf('"data":"') + 8 + 5;
  const c = text[at];
  fs.writeFileSync(dst, text.slice(0, at) + (c === "A" ? "B" : "A") + text.slice(at + 1));
  return dst;
}

/** A copy of `src` cut to `fraction` of its bytes. */
export function truncatedCheckpoint(src: string, dst: string, fraction = 0.5): string {
  const b = fs.readFileSync(src);
  fs.writeFileSync(dst, b.subarray(0, Math.floor(b.length * fraction)));
  return dst;
}
