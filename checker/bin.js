#!/usr/bin/env node
// CommonJS shim for the `platform-policy-check` bin: registers tsx, then runs the TypeScript CLI.
"use strict";
require("tsx/cjs");
const { main } = require("./cli.ts");
const { exitWith } = require("../cli/args.ts");
// a crash certifies nothing: exitWith exits 2, never 0 or 1
exitWith(main(process.argv.slice(2)));
