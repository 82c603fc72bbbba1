// Steps 3 and 4 (paper V-C): the app, with its own image, grants and whitelist, stood up in the sandbox
// beside the stack's services, gateway, identity provider and egress proxy. The stack comes up first; the
// app's container is started only once it is ready, and is watched from that moment for the observation
// window. Only then do the attack probes run inside it (their own traffic would otherwise be charged to
// the app). Everything the run made is removed at the end, whatever happened.
import type Docker from "dockerode";
import type { RuleSettings } from "../../config/monitor";
import { attacksRun, buildReport } from "../../sandbox/report";
import { newRunId, SandboxSession } from "../../sandbox/session";
import type { StackInput } from "../../sandbox/stack-input";
import { observeApp } from "../observe";
import type { AttackStep, BehaviourStep } from "../report/model";
import { AppLimits, attackRuling, behaviourRuling, Ruling } from "../verdict";

export interface SandboxOutcome {
  attacks: { step: AttackStep; ruling: Ruling };
  behaviour: { step: BehaviourStep; ruling: Ruling };
}

export interface SandboxStepInput {
  input: StackInput;
  app: string;
  limits: AppLimits;
  observeMs: number;
  rules: RuleSettings;
  log: (line: string) => void;
  /** leave the run in place afterwards (to look at it); the next run removes it */
  keep?: boolean;
  /** called with the session once it exists, so that a signal handler can tear it down */
  onSession?: (session: SandboxSession) => void;
}

const errorRuling = (message: string): Ruling => ({ status: "error", reasons: [message], notes: [] });

/** How the probes ran inside the app: with its own python3, or with the static probe the sandbox mounted. */
function probeRuntime(session: SandboxSession, app: string): string {
  const target = session.probedApps.find((t) => t.name === app);
  if (!target) return "none: the app was not among the probed containers";
  if (target.hasPython) return "python3, the image's own";
  if (target.hasStaticProbe) return "the static probe, mounted read-only at /opt/platform-probe for the run only";
  if (target.probeUnavailable) return `none: ${target.probeUnavailable}`;
  return "none: the image has no python3 and the static probe is absent";
}

export async function runSandboxStep(step: SandboxStepInput): Promise<SandboxOutcome> {
  const { app, log } = step;
  const runId = newRunId();
  const session = new SandboxSession(runId, step.input, { log, holdBackApp: app });
  step.onSession?.(session);
  // a run that ended early: nothing was attacked or observed; `notStarted` names what the stack left down
  const failed = (where: string, error: unknown, notStarted: AttackStep["notStarted"] = []): SandboxOutcome => {
    const message = `${where}: ${(error as Error).message}`;
    const attacks: AttackStep = { status: "error", runId, sandboxOnly: [], results: [], summary: {}, attacksRun: 0, discrepancies: [], notStarted, error: message };
    return {
      attacks: { step: attacks, ruling: errorRuling(`the attacks did not run: ${message}`) },
      behaviour: { step: { status: "error", error: message }, ruling: errorRuling(`the app was not observed: ${message}`) },
    };
  };
  try {
    log(`sandbox run ${runId}: stack ${step.input.stack} as "${step.input.stackName}"`);
    log("dir" in session.staticProbe ? `static probe: ${session.staticProbe.dir}, mounted read-only at /opt/platform-probe in app containers for the run only` : `static probe: absent: ${session.staticProbe.absent}`);
    let up;
    try {
      up = await session.standUp();
    } catch (error) {
      return failed("the stack did not come up", error);
    }
    const notStarted = up.notStarted.map((n) => ({ resource: n.name, reason: n.reason }));
    if (notStarted.length) return failed("the stack did not come up", new Error(`not started: ${notStarted.map((n) => `${n.resource} (${n.reason})`).join("; ")}`), notStarted);

    let started;
    try {
      started = await session.startHeldApp();
    } catch (error) {
      return failed(`app ${app} did not start`, error);
    }
    log(`observing app ${app} for ${Math.round(step.observeMs / 1000)} s from its start`);
    const observation = await observeApp(session.mirror.docker as Docker, {
      app,
      container: started.id,
      gateway: session.containerOf("gateway"),
      egress: session.containerOf("egress"),
      durationMs: step.observeMs,
      rules: step.rules,
      since: started.startedAt,
    });
    const observed = behaviourRuling(observation, step.limits);
    const behaviour = { step: { status: observed.status, observation } as BehaviourStep, ruling: observed };

    log(`attacking from inside app ${app}`);
    const results = await session.probe({ apps: [app], onResult: (r) => log(`  ${r.verdict.padEnd(11)} ${r.probe}`) });
    const ruling = attackRuling(results, up.discrepancies);
    const appContainer = up.containers.find((c) => c.id === started.id);
    return {
      attacks: {
        step: {
          status: ruling.status,
          runId,
          probeRuntime: probeRuntime(session, app),
          sandboxOnly: appContainer?.sandboxOnly ?? [],
          results,
          // the verdict counts, as `npm run sandbox` prints them (sandbox/report.ts owns the tally)
          summary: buildReport(runId, step.input.stackName, started.startedAt, notStarted, up.discrepancies, results).summary,
          attacksRun: attacksRun(results),
          discrepancies: up.discrepancies,
          notStarted,
        },
        ruling,
      },
      behaviour,
    };
  } catch (error) {
    return failed("the sandbox run failed", error);
  } finally {
    log(`tearing run ${runId} down`);
    const removed = await session.teardown(step.keep).catch((error: Error) => (log(`teardown failed: ${error.message}`), []));
    log(step.keep ? `--keep: run ${runId} left in place (the next run removes it)` : `teardown: removed ${removed.length} resources of run ${runId}`);
  }
}
