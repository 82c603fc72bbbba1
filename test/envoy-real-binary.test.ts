// The real Envoy (platform/envoy:<images/envoy/version.env>, built by `npm run images`) is the authority on
// whether Envoy accepts what the gateway renderer produces: the reviewed golden, the bootstrap the dev stack
// uploads (the whole program under Pulumi mocks), and a batch of random platforms, all validated by
// `envoy --mode validate` in one container run: every one accepted, with no deprecation warning.
// Skipped, with the shared reason, only when the image is absent (nothing is pulled).
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { runProgram } from "../mock-runner/run-program";
import { renderEnvoyYaml } from "../render/envoy/bootstrap";
import { ENVOY_CONFIG_FILE } from "../render/envoy/from-plan";
import { platform } from "./support/envoy-arbitraries";
import { sampleGatewayInput } from "./support/envoy-inputs";
import { GOLDEN_DIR } from "./support/envoy-golden";
import { describeVerdicts, envoyImageAbsentReason, REAL_ENVOY_IMAGE, validateWithRealEnvoy, type EnvoyConfigFile, type EnvoyVerdict } from "./support/real-envoy";
import { PROGRAM, stackConfig } from "./support/stack-config";

type Obj = Record<string, any>;
const RANDOM_PLATFORMS = 30;

/** The sample gateway with its apps and services renamed to words Envoy's YAML 1.1 reader takes for booleans. */
function yamlBooleanNames() {
  const input = sampleGatewayInput();
  const services = new Map(input.services.map((s, i) => [s.name, ["yes", "no"][i]]));
  return {
    ...input,
    services: input.services.map((s) => ({ ...s, name: services.get(s.name)! })),
    apps: input.apps.map((a, i) => ({ ...a, name: ["on", "off"][i], grants: a.grants.map((g) => ({ ...g, service: services.get(g.service)! })) })),
  };
}

/** The Envoy bootstrap the dev stack uploads into the gateway's TLS volume (through its upload seed). */
async function devStackBootstrap(): Promise<string> {
  const run = await runProgram(PROGRAM, { config: stackConfig("dev"), stack: "dev", material: "fast" });
  const containers = run.ofType("docker:index/container:Container");
  const gateway = containers.filter((c) => c.inputs.labels.some((l: Obj) => l.label === "platform.role" && l.value === "gateway"));
  assert.equal(gateway.length, 1, "one gateway container");
  const seed = containers.find((c) => c.inputs.name === `${gateway[0].inputs.name}-seed`);
  const upload = (seed?.inputs.uploads as Obj[] | undefined)?.find((u) => u.file === ENVOY_CONFIG_FILE);
  assert.ok(upload, `the gateway's seed uploads ${ENVOY_CONFIG_FILE}`);
  return upload.content as string;
}

describe(`real Envoy (${REAL_ENVOY_IMAGE}): envoy --mode validate on every rendered bootstrap`, { timeout: 300_000 }, () => {
  const skip = envoyImageAbsentReason() ?? false;
  const seed = Date.now() % 2 ** 31;
  let verdicts: EnvoyVerdict[] = [];

  before(async () => {
    if (skip) return;
    const randomInputs = fc.sample(platform, { numRuns: RANDOM_PLATFORMS, seed });
    const configs: EnvoyConfigFile[] = [
      { name: "golden envoy/sample-bootstrap.yaml", yaml: readFileSync(join(GOLDEN_DIR, "envoy", "sample-bootstrap.yaml"), "utf8") },
      { name: "the dev stack's uploaded bootstrap", yaml: await devStackBootstrap() },
      { name: "apps and services named yes, no, on, off, y, n (YAML 1.1 booleans to Envoy's reader)", yaml: renderEnvoyYaml(yamlBooleanNames()) },
      ...randomInputs.map((input, i) => ({ name: `random platform #${i} (fast-check seed ${seed}; ${input.apps.length} apps, ${input.services.length} services)`, yaml: renderEnvoyYaml(input) })),
    ];
    const started = Date.now();
    verdicts = validateWithRealEnvoy(configs);
    console.log(`real envoy: ${verdicts.length} bootstraps validated in one container in ${Date.now() - started} ms`);
  });

  const assertAccepted = (selected: () => EnvoyVerdict[]) => () => {
    const chosen = selected();
    assert.ok(chosen.length > 0, "nothing was validated");
    assert.equal(describeVerdicts(chosen), "", "every bootstrap accepted without a deprecation warning");
  };

  it("accepts the reviewed golden without a deprecation warning", { skip }, assertAccepted(() => verdicts.slice(0, 1)));

  it("accepts the bootstrap the dev stack uploads (Pulumi.dev.yaml through the program) without a deprecation warning", { skip }, assertAccepted(() => verdicts.slice(1, 2)));

  it("accepts names that YAML 1.1 reads as booleans: the renderer writes YAML 1.1, which quotes them", { skip }, assertAccepted(() => verdicts.slice(2, 3)));

  it(`accepts ${RANDOM_PLATFORMS} random platforms' bootstraps without a deprecation warning`, { skip }, assertAccepted(() => verdicts.slice(3)));

  it("validated each config for real: every verdict says 'configuration ... OK'", { skip }, () => {
    assert.equal(verdicts.length, 3 + RANDOM_PLATFORMS);
    for (const verdict of verdicts) assert.match(verdict.log, /configuration '\/cfg\/\d+\.yaml' OK$/, verdict.name);
  });
});
