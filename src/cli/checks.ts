/**
 * Checks the commands run on their input before any work starts (before a
 * system or model is built and before TensorFlow loads): each failing check
 * throws a `UsageError` whose one-line message names the command and the
 * option, so `main` exits with code 2 and nothing is written.
 */
import fs from "node:fs";
import path from "node:path";
import { isUsageError, UsageError } from "../core/errors";
import { verifyCheckpoint, type VerifiedCheckpoint } from "../train/checkpoint";

/** Throws a UsageError with `message` unless `ok`. */
export function need(ok: boolean, message: string): asserts ok {
  if (!ok) throw new UsageError(message);
}

/**
 * Runs `f`; an Error it throws (a lower layer refusing input, e.g. a system
 * spec it cannot parse) becomes a UsageError prefixed with `prefix`
 * (command and option). The first line of the message is kept.
 */
export function asUsage<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isUsageError(e)) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new UsageError(`${prefix}: ${msg.split("\n")[0]}`);
  }
}

/**
 * `--out DIR`: an existing directory we may write in, or a path that can be
 * created (its nearest existing ancestor is a writable directory). Refuses an
 * existing file. Creates nothing.
 */
export function checkOutDir(dir: string, where: string, option = "--out"): void {
  need(dir.trim() !== "", `${where}: ${option} must be a directory path, got ""`);
  const abs = path.resolve(dir);
  let probe = abs;
  for (;;) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(probe);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw new UsageError(`${where}: ${option} ${dir} cannot be used (${code ?? (e as Error).message} at ${probe})`);
    }
    if (st !== null) {
      if (!st.isDirectory()) {
        throw new UsageError(
          probe === abs ? `${where}: ${option} ${dir} is an existing file, not a directory` : `${where}: ${option} ${dir} cannot be created: ${probe} is a file`,
        );
      }
      try {
        fs.accessSync(probe, fs.constants.W_OK | fs.constants.X_OK);
      } catch {
        throw new UsageError(`${where}: ${option} ${dir} ${probe === abs ? "is not writable" : `cannot be created: ${probe} is not writable`}`);
      }
      return;
    }
    const up = path.dirname(probe);
    if (up === probe) throw new UsageError(`${where}: ${option} ${dir} cannot be created`);
    probe = up;
  }
}

/**
 * A checkpoint named by `option` (`--resume`, `--model`): it exists and
 * passes `verifyCheckpoint` (complete, checksum, finite weights). Returns
 * what it holds.
 */
export function checkCheckpointFile(file: string, where: string, option: string): VerifiedCheckpoint {
  need(fs.existsSync(file), `${where}: ${option} ${file} does not exist`);
  need(fs.statSync(file).isFile(), `${where}: ${option} ${file} is not a file`);
  try {
    return verifyCheckpoint({ path: file });
  } catch (e) {
    throw new UsageError(`${where}: ${option} ${(e as Error).message.replace(/^verifyCheckpoint: /, "").split("\n")[0]}`);
  }
}
