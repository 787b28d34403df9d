/**
 * Temporary folders for tests, removed when the test process exits (whether
 * the test passed or failed), so test runs leave nothing behind in /tmp.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const made: string[] = [];
let hooked = false;

/** A fresh folder under the system's temp dir, named `prefix` + random; removed at exit. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    process.on("exit", () => {
      for (const d of made) fs.rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}
