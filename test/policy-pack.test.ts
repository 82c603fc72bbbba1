// The real pack (policies/index.ts) served by @pulumi/policy's own analyzer server in a child
// process, driven over gRPC the way the Pulumi CLI drives it during `pulumi preview --policy-pack`.
// The server listens on 127.0.0.1 only; the child is killed when the suite ends.
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { allRules } from "../policies/registry";
import { UNKNOWN } from "../policies/runtime";
import { CONTAINER, hardenedAppProps } from "./fixtures/policy/resources";

/* eslint-disable @typescript-eslint/no-require-imports */
const analyzer = require("@pulumi/pulumi/proto/analyzer_pb");
const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

const POLICIES_DIR = join(__dirname, "..", "policies");
const LEVEL = analyzer.EnforcementLevel as Record<"ADVISORY" | "MANDATORY" | "DISABLED" | "REMEDIATE", number>;

interface Diagnostic {
  policy: string;
  message: string;
  level: number;
  urn: string;
}

describe("policies/index.ts served by the CrossGuard analyzer server", { timeout: 90_000 }, () => {
  let child: ChildProcess;
  let client: any;

  before(async () => {
    child = spawn(process.execPath, ["--import", "tsx", "index.ts"], { cwd: POLICIES_DIR, stdio: ["ignore", "pipe", "pipe"] });
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      let err = "";
      const timer = setTimeout(() => reject(new Error(`no port within 60 s; stderr: ${err}`)), 60_000);
      child.stdout!.on("data", (chunk) => {
        out += chunk;
        const match = /^(\d+)\s*$/m.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.stderr!.on("data", (chunk) => (err += chunk));
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`policy pack exited with ${code}: ${err}`));
      });
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    if (child && child.exitCode === null) child.kill("SIGTERM");
  });

  const call = <T>(method: string, request: unknown): Promise<T> =>
    new Promise((resolve, reject) => client[method](request, { deadline: Date.now() + 20_000 }, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))));

  const options = () => {
    const opts = new analyzer.AnalyzerResourceOptions();
    opts.setCustomtimeouts(new analyzer.AnalyzerResourceOptions.CustomTimeouts());
    return opts;
  };

  async function analyze(name: string, props: Record<string, unknown>): Promise<Diagnostic[]> {
    const request = new analyzer.AnalyzeRequest();
    request.setType(CONTAINER);
    request.setName(name);
    request.setUrn(`urn:pulumi:dev::secure-app-platform::${CONTAINER}::${name}`);
    request.setProperties(Struct.fromJavaScript(props));
    request.setOptions(options());
    const response = await call<any>("analyze", request);
    return response.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), message: d.getMessage(), level: d.getEnforcementlevel(), urn: d.getUrn() }));
  }

  async function configure(config: Record<string, { level: number; properties?: Record<string, unknown> }>): Promise<void> {
    const request = new analyzer.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [policy, { level, properties }] of Object.entries(config)) {
      const entry = new analyzer.PolicyConfig();
      entry.setEnforcementlevel(level);
      entry.setProperties(Struct.fromJavaScript(properties ?? {}));
      map.set(policy, entry);
    }
    await call("configure", request);
  }

  it("describes every rule to the CLI with its level, severity and remediation", async () => {
    const info = await call<any>("getAnalyzerInfo", new Empty());
    assert.equal(info.getName(), "secure-app-platform");
    assert.equal(info.getVersion(), require("../policies/package.json").version);
    const policies = info.getPoliciesList();
    assert.deepEqual(policies.map((p: any) => p.getName()), allRules.map((r) => r.id));
    for (const [i, policy] of policies.entries()) {
      assert.equal(policy.getEnforcementlevel(), LEVEL[allRules[i].enforcementLevel.toUpperCase() as "MANDATORY"], allRules[i].id);
      assert.equal(policy.getRemediationSteps(), allRules[i].remediation);
    }
  });

  it("the hardened app container passes every rule", async () => {
    assert.deepEqual(await analyze("alpha", hardenedAppProps()), []);
  });

  it("an insecure container gets mandatory diagnostics with the rule's messages", async () => {
    const diagnostics = await analyze("alpha", { ...hardenedAppProps(), privileged: true, pidMode: "host" });
    assert.deepEqual(
      diagnostics.map((d) => [d.policy, d.level, d.message]),
      [
        // the runtime puts the policy's description on the first line
        ["cis-5.5-privileged", LEVEL.MANDATORY, 'Containers are never privileged.\ncontainer "alpha": privileged is true. Fix: remove privileged or set it to false'],
        ["cis-5.16-host-pid", LEVEL.MANDATORY, 'Containers do not share the host\'s process namespace (pidMode host).\ncontainer "alpha": pidMode is "host" (the host\'s process namespace is shared). Fix: remove pidMode so the container gets a private process namespace'],
      ],
    );
  });

  it("an unknown value during preview gives an advisory, not a pass", async () => {
    const diagnostics = await analyze("alpha", { ...hardenedAppProps(), image: UNKNOWN.string });
    assert.deepEqual(
      diagnostics.map((d) => [d.policy, d.level, d.message]),
      [["cis-5.28-image-pinned", LEVEL.ADVISORY, "can't run policy 'cis-5.28-image-pinned' from policy pack 'secure-app-platform@v0.1.0' during preview: string value at .image can't be known during preview"]],
    );
  });

  it("takes levels and settings from the pack config", async () => {
    await configure({ "cis-5.5-privileged": { level: LEVEL.ADVISORY }, "cis-5.11-memory-limit": { level: LEVEL.MANDATORY, properties: { maxMemoryMb: 128 } } });
    const diagnostics = await analyze("alpha", { ...hardenedAppProps(), privileged: true });
    assert.deepEqual(
      diagnostics.map((d) => [d.policy, d.level, d.message]),
      [
        ["cis-5.5-privileged", LEVEL.ADVISORY, 'Containers are never privileged.\ncontainer "alpha": privileged is true. Fix: remove privileged or set it to false'],
        ["cis-5.11-memory-limit", LEVEL.MANDATORY, "Containers have a memory limit, no larger than the configured maximum.\ncontainer \"alpha\": memory is 256 MB, above the maximum of 128 MB. Fix: lower memory to at most 128"],
      ],
    );
  });

  it("runs the stack rules over the whole stack (analyzeStack) and names the offending resource", async () => {
    const resource = (name: string, role: string, network: string) => {
      const props = { ...hardenedAppProps(), labels: [{ label: "platform.role", value: role }, { label: "platform.app", value: name }], networksAdvanced: [{ name: network }] };
      const r = new analyzer.AnalyzerResource();
      r.setType(CONTAINER);
      r.setName(name);
      r.setUrn(`urn:pulumi:dev::secure-app-platform::${CONTAINER}::${name}`);
      r.setProperties(Struct.fromJavaScript(props));
      r.setOptions(options());
      return r;
    };
    const request = new analyzer.AnalyzeStackRequest();
    request.setResourcesList([resource("alpha", "app", "plat-services"), resource("weather", "service", "plat-services")]);
    const response = await call<any>("analyzeStack", request);
    const diagnostics: Diagnostic[] = response.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), message: d.getMessage(), level: d.getEnforcementlevel(), urn: d.getUrn() }));
    assert.deepEqual([...new Set(diagnostics.map((d) => d.policy))], ["stack-app-single-network", "stack-app-service-isolation", "stack-app-certificate", "stack-app-oauth-client"]);
    for (const d of diagnostics) {
      assert.equal(d.urn, `urn:pulumi:dev::secure-app-platform::${CONTAINER}::alpha`);
      assert.equal(d.level, LEVEL.MANDATORY);
    }
  });
});
