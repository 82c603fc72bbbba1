// The one argument parser (cli/args.ts): strict parsing, one usage error (`<command>: <problem>`, the
// usage, exit 2) and --help (usage on stdout, exit 0), in the module and in every command that uses it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CommandIo, parseCommandLine, runCommand, UsageError, USAGE_EXIT_CODE } from "../cli/args";

const REPO = join(__dirname, "..");

const COMMAND = {
  name: "demo",
  usage: "usage: demo [--stack NAME] [--keep] [--format text|json] FILE",
  options: {
    stack: { type: "string" },
    keep: { type: "boolean" },
    format: { type: "string", default: "text", choices: ["text", "json"] },
  },
  positionals: { name: "FILE", min: 1, max: 1 },
} as const;

function usageError(argv: string[]): string {
  try {
    parseCommandLine(COMMAND, argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${error}`);
    return error.message;
  }
  assert.fail(`${argv.join(" ")} parsed`);
}

async function run(argv: string[], body: () => number = () => 0): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CommandIo = { stdout: (t) => (out += `${t}\n`), stderr: (t) => (err += `${t}\n`) };
  const code = await runCommand(COMMAND, argv, body, io);
  return { code, out, err };
}

describe("cli/args: parseCommandLine", () => {
  it("parses options and a positional, with defaults; booleans are never undefined", () => {
    assert.deepEqual(parseCommandLine(COMMAND, ["--stack", "dev", "app.yaml"]), { values: { stack: "dev", keep: false, format: "text" }, positionals: ["app.yaml"] });
    assert.deepEqual(parseCommandLine(COMMAND, ["a.yaml", "--format=json", "--keep"]), { values: { stack: undefined, keep: true, format: "json" }, positionals: ["a.yaml"] });
    assert.deepEqual(parseCommandLine(COMMAND, ["--", "--not-an-option"])?.positionals, ["--not-an-option"]);
  });

  it("answers --help and -h with undefined (the caller prints the usage)", () => {
    assert.equal(parseCommandLine(COMMAND, ["--help"]), undefined);
    assert.equal(parseCommandLine(COMMAND, ["-h"]), undefined);
  });

  it("one wording for every usage problem", () => {
    assert.equal(usageError(["--bogus", "a"]), "unknown option --bogus");
    assert.equal(usageError(["-x", "a"]), "unknown option -x");
    assert.equal(usageError(["a", "--stack"]), "--stack needs a value");
    assert.equal(usageError(["--stack", "--keep", "a"]), "--stack needs a value");
    assert.equal(usageError(["--keep=yes", "a"]), "--keep takes no value");
    assert.equal(usageError(["--format", "xml", "a"]), '--format must be text or json, not "xml"');
    assert.equal(usageError([]), "missing FILE");
    assert.equal(usageError(["a", "b"]), 'unexpected argument "b"');
  });

  it("refuses positionals a command does not take", () => {
    const none = { name: "none", usage: "usage: none", options: {} } as const;
    assert.throws(() => parseCommandLine(none, ["stray"]), (error: Error) => error instanceof UsageError && error.message === 'unexpected argument "stray"');
  });
});

describe("cli/args: runCommand", () => {
  it("--help prints the usage on stdout and returns 0 without running the command", async () => {
    const result = await run(["--help"], () => assert.fail("ran"));
    assert.deepEqual(result, { code: 0, out: `${COMMAND.usage}\n`, err: "" });
  });

  it("a usage error, from the parser or the command, prints `name: problem` and the usage on stderr and returns 2", async () => {
    const parser = await run(["--bogus"]);
    assert.deepEqual(parser, { code: USAGE_EXIT_CODE, out: "", err: `demo: unknown option --bogus\n\n${COMMAND.usage}\n` });
    const command = await run(["a"], () => {
      throw new UsageError("a is not a manifest");
    });
    assert.deepEqual(command, { code: 2, out: "", err: `demo: a is not a manifest\n\n${COMMAND.usage}\n` });
  });

  it("returns the command's code and lets other errors through", async () => {
    assert.equal((await run(["a"], () => 1)).code, 1);
    await assert.rejects(run(["a"], () => assert.fail("boom")), /boom/);
  });
});

// Every command through the module, as a process: `--help` → usage on stdout, 0; an unknown option → 2.
const COMMANDS: { name: string; argv: string[] }[] = [
  { name: "sandbox", argv: ["--import", "tsx", join(REPO, "sandbox/cli.ts")] },
  { name: "monitor", argv: ["--import", "tsx", join(REPO, "monitor/cli.ts")] },
  { name: "platform-policy-check", argv: [join(REPO, "checker/bin.js")] },
  { name: "bench", argv: ["--import", "tsx", join(REPO, "bench/run.ts")] },
  { name: "list-images", argv: ["--import", "tsx", join(REPO, "scripts/list-images.ts")] },
  { name: "engine-networks", argv: ["--import", "tsx", join(REPO, "scripts/engine-networks.ts")] },
];

describe("every command parses through cli/args", { timeout: 120_000 }, () => {
  for (const command of COMMANDS) {
    it(`${command.name}: --help exits 0 with the usage, an unknown option exits 2 with the shared message`, () => {
      const help = spawnSync(process.execPath, [...command.argv, "--help"], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /^usage: /);
      assert.equal(help.stderr, "");
      const wrong = spawnSync(process.execPath, [...command.argv, "--no-such-option"], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
      assert.equal(wrong.status, 2, wrong.stderr);
      assert.equal(wrong.stdout, "");
      assert.equal(wrong.stderr, `${command.name}: unknown option --no-such-option\n\n${help.stdout}`);
    });
  }
});
