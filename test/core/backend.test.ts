import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { backend, backendInfo, ensureBackend } from "../../src/core/backend";
import { formatProgress, progress } from "../../src/core/progress";

const root = path.resolve(__dirname, "..", "..");

test("the native tensorflow backend is active after setup (unless forced otherwise)", () => {
  const info = ensureBackend();
  const forced = process.env.BOLTZLAB_BACKEND;
  assert.equal(info.name, forced === undefined || forced === "" ? "tensorflow" : forced === "wasm" ? "cpu" : forced);
  assert.equal(backend(), tf.getBackend());
  assert.ok(backendInfo().threads >= 1);
});

test("BOLTZLAB_BACKEND=cpu forces the cpu backend; a bad value is named", () => {
  const run = (value: string) => spawnSync(process.execPath, ["--import", "tsx", "-e",
    "const b=require('./src/core/backend'); process.stdout.write(b.backend())"], {
    cwd: root, encoding: "utf8", env: { ...process.env, BOLTZLAB_BACKEND: value } });
  const cpu = run("cpu");
  assert.equal(cpu.stdout, "cpu", cpu.stderr);
  const bad = run("gpu");
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /BOLTZLAB_BACKEND must be one of tensorflow, wasm, cpu; got "gpu"/);
});

test("importing boltzlab does no work: no backend chosen, no native module loaded", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e",
    "require('./src/index'); const loaded = Object.keys(require.cache).filter(k => /tfjs-node|nodejs-polars|resvg|tslab/.test(k)); process.stdout.write(JSON.stringify(loaded))"], {
    cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test("the progress line shows count, rate and ETA; a disabled bar writes nothing", () => {
  const line = formatProgress("train", 50, 100, 10, "F=-1.2");
  assert.match(line, /^train █{12}░{12} 50\/100 \[10s<10s, 5\.0 it\/s\] F=-1\.2$/);
  const orig = process.stderr.write.bind(process.stderr);
  let wrote = false;
  (process.stderr as unknown as { write: () => boolean }).write = () => { wrote = true; return true; };
  try {
    const p = progress({ total: 3, enabled: false });
    p.tick(); p.tick(); p.done();
  } finally {
    (process.stderr as unknown as { write: typeof orig }).write = orig;
  }
  assert.equal(wrote, false);
});
