// The quick start's deploy command must fail clearly, and early, when a prerequisite is missing, take
// its own arguments anywhere on the command line (the rest goes to `pulumi up`), answer --help like
// every other command, and refuse an invalid stack config before anything happens, listing each
// problem once and without a stack trace.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./support/stack-config";

/** A PATH holding only the named real tools plus fake ones written as shell scripts (a fake replaces a real tool of its name). */
function pathWith(real: string[], fakes: Record<string, string>): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "deploy-test-"));
  for (const tool of real.filter((t) => !(t in fakes))) {
    const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (found) symlinkSync(found, join(dir, tool));
  }
  for (const [tool, body] of Object.entries(fakes)) {
    writeFileSync(join(dir, tool), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  return { dir, path: dir };
}

function deploy(path: string, args: string[] = []) {
  return spawnSync("/bin/bash", [join(REPO_ROOT, "scripts", "deploy.sh"), ...args], { cwd: REPO_ROOT, encoding: "utf8", env: { PATH: path, HOME: tmpdir() }, timeout: 120_000 });
}

/** Runs deploy.sh with a working Pulumi CLI and Docker engine stood in by fakes; `docker` may add cases. */
function deployWithFakes(args: string[], dockerCases = "") {
  const docker = `case "$1 $2" in\n${dockerCases}\n"network ls") exit 0;;\nesac\nexit 0`;
  // a fake npm: the test must never run \`npm ci\` in the shared tree
  const { dir, path } = pathWith([...BASICS, "sh"], { pulumi: "echo \"pulumi $*\" >&2; exit 0", docker, npm: "exit 0" });
  try {
    return deploy(path, args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BASICS = ["dirname", "head", "base64", "grep", "mkdir", "cat", "env", "node", "npm", "npx"];

describe("scripts/deploy.sh", () => {
  it("stops with a clear message when the Pulumi CLI is missing", () => {
    const { dir, path } = pathWith(BASICS, {});
    try {
      const result = deploy(path);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^deploy: the Pulumi CLI is not installed\. Install it \(https:\/\/www\.pulumi\.com\/docs\/install\/\), then run this again\.$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops with a clear message when no Docker engine answers", () => {
    const { dir, path } = pathWith(BASICS, { pulumi: "exit 0", docker: 'echo "Cannot connect to the Docker daemon" >&2; exit 1' });
    try {
      const result = deploy(path);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^deploy: no Docker engine answers\. Start it/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("arguments", () => {
    const usage = () => {
      const { dir, path } = pathWith(BASICS, {});
      try {
        return deploy(path, ["--help"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it("--help and -h print the usage on stdout and exit 0, before any prerequisite is checked", () => {
      const help = usage();
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /^usage: npm run deploy \[-- \[--stack NAME\] \[PULUMI_UP_FLAGS\.\.\.\]\]\n/);
      assert.equal(help.stderr, "");
      const { dir, path } = pathWith(BASICS, {});
      try {
        assert.equal(deploy(path, ["--yes", "-h"]).stdout, help.stdout);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("a --stack without a name is a usage error (exit 2) in the shared form, not \"unbound variable\"", () => {
      const { stdout: text } = usage();
      const { dir, path } = pathWith(BASICS, {});
      try {
        for (const [args, problem] of [
          [["--stack"], "--stack needs a value"],
          [["--yes", "--stack"], "--stack needs a value"],
          [["--stack", "--yes"], "--stack needs a value"],
          [["-s"], "-s needs a value"],
          [["--stack="], "--stack needs a value"],
          [["--stack", "../etc"], '--stack must be a stack name (letters, digits, \'_\', \'.\', \'-\'), not "../etc"'],
        ] as [string[], string][]) {
          const result = deploy(path, args);
          assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
          assert.equal(result.stdout, "");
          assert.equal(result.stderr, `deploy: ${problem}\n\n${text}`, args.join(" "));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("--stack is honoured anywhere on the command line, in every spelling", () => {
      for (const args of [["--yes", "--stack", "nosuch"], ["--stack=nosuch", "--yes"], ["--yes", "-s", "nosuch", "--skip-preview"]]) {
        const result = deployWithFakes(args);
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stderr, /^deploy: there is no Pulumi\.nosuch\.yaml: /m, args.join(" "));
      }
    });
  });

  describe("an invalid stack config", { timeout: 120_000 }, () => {
    it("is refused before anything happens: each problem once, no stack trace", () => {
      const stack = `deploytest-${process.pid}`;
      const file = join(REPO_ROOT, `Pulumi.${stack}.yaml`);
      writeFileSync(file, readFileSync(join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8").replace("cpus: 0.25", "cpus: lots"));
      try {
        const result = deployWithFakes(["--stack", stack, "--yes"]);
        assert.equal(result.status, 1, result.stderr);
        const problem = 'platform:apps[1].resources.cpus: expected a number, got the string "lots"';
        assert.equal(result.stderr.split(problem).length - 1, 1, result.stderr);
        assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
        assert.doesNotMatch(result.stderr, /ConfigError|problems: \[/);
        assert.match(result.stderr, /^deploy: Pulumi\.deploytest-\d+\.yaml is not valid \(the problems are listed above\); nothing was deployed\.$/m);
        assert.doesNotMatch(result.stderr, /pulumi /, "pulumi was never run");
      } finally {
        rmSync(file, { force: true });
      }
    });
  });

  describe("a Swarm stack", { timeout: 120_000 }, () => {
    it("runs the Swarm preflight first and deploys nothing when the engine is not a ready swarm", () => {
      const stack = `deploytest-swarm-${process.pid}`;
      const file = join(REPO_ROOT, `Pulumi.${stack}.yaml`);
      writeFileSync(file, readFileSync(join(REPO_ROOT, "Pulumi.swarm.yaml"), "utf8"));
      try {
        // the preflight talks to the engine's API itself: pointed at a socket nothing listens on
        const { dir, path } = pathWith([...BASICS, "sh"], { pulumi: 'echo "pulumi $*" >&2; exit 0', docker: 'case "$1 $2" in\n"network ls") exit 0;;\nesac\nexit 0', npm: "exit 0" });
        try {
          const result = spawnSync("/bin/bash", [join(REPO_ROOT, "scripts", "deploy.sh"), "--stack", stack, "--yes"], {
            cwd: REPO_ROOT,
            encoding: "utf8",
            env: { PATH: path, HOME: tmpdir(), DOCKER_HOST: "unix:///tmp/platform-no-such-engine.sock" },
            timeout: 120_000,
          });
          assert.equal(result.status, 1, result.stderr);
          assert.match(result.stderr, /^swarm:preflight: /m);
          assert.match(result.stderr, new RegExp(`^deploy: the swarm is not ready for Pulumi\\.${stack}\\.yaml \\(see above; npm run swarm:node-setup -- --stack ${stack} --write on a node that fails\\); nothing was deployed\\.$`, "m"));
          assert.doesNotMatch(result.stderr, /pulumi /, "pulumi was never run");
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      } finally {
        rmSync(file, { force: true });
      }
    });
  });

  describe("networks the engine already has", { timeout: 120_000 }, () => {
    it("an overlap with an existing Docker network stops the deploy before anything is created", () => {
      const inspect = JSON.stringify([{ Name: "other-project", IPAM: { Config: [{ Subnet: "10.208.0.0/24" }] } }]);
      const result = deployWithFakes(["--yes"], `"network ls") echo net1; exit 0;;\n"network inspect") echo '${inspect}'; exit 0;;`);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /network plat-dev-services \(10\.208\.0\.0\/24\) overlaps the engine's network other-project \(10\.208\.0\.0\/24\)/);
      assert.match(result.stderr, /^deploy: the stack's networks overlap networks of the Docker engine \(listed above\); nothing was deployed\.$/m);
      assert.doesNotMatch(result.stderr, /pulumi /, "pulumi was never run");
    });
  });
});
