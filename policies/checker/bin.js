#!/usr/bin/env node
// CommonJS shim for the `platform-policy-check` bin: registers tsx, then runs the TypeScript CLI.
"use strict";
require("tsx/cjs");
const { main } = require("./cli.ts");
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // a crash certifies nothing: never exit 0 or 1
    console.error(error);
    process.exitCode = 2;
  },
);
