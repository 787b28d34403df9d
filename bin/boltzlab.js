#!/usr/bin/env node
"use strict";
// Errors end in one line on stderr, never a stack trace: main() reports its own
// and resolves to the exit code; this catches only a missing build or a bug.
const fail = (e) => {
  process.stderr.write(`boltzlab: ${String((e && e.message) || e).split("\n")[0]}\n`);
  process.exitCode = 1;
};
let cli;
try {
  cli = require("../dist/cli/main.js");
} catch (e) {
  fail(e && e.code === "MODULE_NOT_FOUND" && /dist[\\/]cli[\\/]main\.js/.test(e.message) ? new Error(`cannot load ${require("path").join(__dirname, "..", "dist", "cli", "main.js")}; run \`npm run build\``) : e);
}
if (cli !== undefined) cli.main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, fail);
