import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..");

test("`boltzlab info` prints JSON with version, backend and threads", () => {
  const r = spawnSync(process.execPath, [path.join(root, "bin", "boltzlab.js"), "info"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { version: string; backend: string; threads: number };
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.ok(["tensorflow", "wasm", "cpu"].includes(info.backend));
  assert.ok(info.threads >= 1);
});

test("unknown commands and options fail with a usage error", () => {
  const a = spawnSync(process.execPath, [path.join(root, "bin", "boltzlab.js"), "frobnicate"], { encoding: "utf8" });
  assert.equal(a.status, 2);
  assert.match(a.stderr, /unknown command "frobnicate"/);
  const b = spawnSync(process.execPath, [path.join(root, "bin", "boltzlab.js"), "info", "--bogus", "1"], { encoding: "utf8" });
  assert.equal(b.status, 2);
  assert.match(b.stderr, /unknown option --bogus/);
});
