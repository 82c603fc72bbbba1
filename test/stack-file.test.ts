// The one reader of Pulumi.<stack>.yaml (config/load.ts readStackFile): the raw `config:` map, and
// a YAML error that names the file, line and column, for every tool that reads a stack file.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadStackFile, readStackFile, StackFileError, stackFilePath } from "../config/load";
import { loadMonitorConfig } from "../monitor/config";
import { REPO_ROOT, stackConfig } from "./support/stack-config";

describe("readStackFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "stack-file-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (stack: string, text: string) => {
    const file = stackFilePath(stack, dir);
    writeFileSync(file, text);
    return file;
  };

  it("names the file Pulumi keeps a stack's config in", () => {
    assert.equal(stackFilePath("dev", REPO_ROOT), join(REPO_ROOT, "Pulumi.dev.yaml"));
  });

  it("returns the config: map as written, every namespace, and {} when there is none", () => {
    const file = write("flat", 'config:\n  aws:region: eu-west-1\n  platform:trustDomain: t.example\n  platform:apps: "[]"\n');
    assert.deepEqual(readStackFile(file), { "aws:region": "eu-west-1", "platform:trustDomain": "t.example", "platform:apps": "[]" });
    assert.deepEqual(readStackFile(write("empty", "")), {});
    assert.deepEqual(readStackFile(write("noconfig", "encryptionsalt: x\n")), {});
    assert.deepEqual(stackConfig("dev"), readStackFile(join(REPO_ROOT, "Pulumi.dev.yaml")));
  });

  it("a YAML error carries the file, line and column", () => {
    const file = write("broken", "config:\n  platform:apps:\n    - name: a\n   bad: [\n");
    assert.throws(
      () => readStackFile(file),
      (error: unknown) => {
        assert.ok(error instanceof StackFileError);
        assert.equal(error.file, file);
        assert.equal(typeof error.line, "number");
        assert.equal(typeof error.column, "number");
        assert.equal(error.message, `${file}: invalid YAML at line ${error.line}, column ${error.column}: All mapping items must start at the same column`);
        assert.deepEqual([error.line, error.column], [4, 1]);
        return true;
      },
    );
  });

  it("refuses a config: that is not a mapping", () => {
    assert.throws(() => readStackFile(write("list", "config:\n  - a\n")), /Pulumi\.list\.yaml: config: expected a mapping of key: value$/);
  });

  it("is what loadStackFile and the monitor read", () => {
    const broken = write("mon", "config:\n  platform:monitor: {\n");
    assert.throws(() => loadStackFile(broken), StackFileError);
    // the monitor words its one-line error itself, around the reader's file, line and column
    assert.throws(() => loadMonitorConfig("mon", broken, {}), /Pulumi\.mon\.yaml: invalid YAML at line 3, column 1: .*: fix the stack file$/);
    const monitor = write("mon-ok", "config:\n  platform:monitor:\n    statsWindowSeconds: 120\n");
    assert.equal(loadMonitorConfig("mon-ok", monitor, {}).config.statsWindowSeconds, 120);
  });
});
