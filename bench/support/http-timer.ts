// The measuring client of the live benchmarks: one python3 process inside a container (docker exec, as
// the container's own user) sends sequential HTTP(S) requests to a few targets and times each one with
// perf_counter. Targets take turns in rounds (order reversed every other round), so load from elsewhere
// on the machine falls on all of them alike. Bounded: every target gets at most `requests` and every
// round slot at most maxSeconds / (rounds × targets); readiness and warm-up have time limits of their
// own, every request a timeout, and the exec itself is killed after the sum of them all.
import type Docker from "dockerode";
import { execIn } from "../../sandbox/exec";

const TIMER_PY = String.raw`
import http.client, json, socket, ssl, sys, time

job = json.loads(sys.argv[1])
TIMEOUT = job["timeoutSeconds"]
ERRORS = (OSError, http.client.HTTPException)

class TlsConnection(http.client.HTTPSConnection):
    """HTTPS to an address whose certificate is checked for another name (e.g. a service's DNS SAN)."""
    def __init__(self, host, port, context, server_name):
        super().__init__(host, port, context=context, timeout=TIMEOUT)
        self.server_name = server_name
    def connect(self):
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.server_name)

def tls_context(tls):
    ctx = ssl.create_default_context(cafile=tls.get("caFile"), cadata=tls.get("caPem"))
    if tls.get("certFile"):
        ctx.load_cert_chain(tls["certFile"], tls["keyFile"])
    return ctx

def describe(error):
    return type(error).__name__ + ": " + str(error)

class Target:
    def __init__(self, spec):
        self.label, self.host, self.port, self.path = spec["label"], spec["host"], spec["port"], spec["path"]
        self.method, self.body, self.headers = spec.get("method", "GET"), spec.get("body"), spec.get("headers", {})
        self.keep_alive = spec["keepAlive"]
        tls = spec.get("tls")
        self.context = tls_context(tls) if tls else None
        self.server_name = tls.get("serverName", self.host) if tls else None
        self.conn, self.opened, self.latencies, self.warmup, self.first = None, 0, [], [], None

    def connection(self):
        conn = TlsConnection(self.host, self.port, self.context, self.server_name) if self.context else http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.opened += 1
        return conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def once(self):
        """One request, timed from before the connect (when there is none open) to the last body byte."""
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = self.connection()
            self.conn.request(self.method, self.path, body=self.body, headers=self.headers)
            response = self.conn.getresponse()
            response.read()
        except ERRORS:
            self.close()
            raise
        elapsed = (time.perf_counter() - started) * 1000
        if not self.keep_alive or response.will_close:
            self.close()
        return elapsed, response.status

targets = [Target(spec) for spec in job["targets"]]
out = {"targets": {}}

def finish(failure=None):
    for t in targets:
        t.close()
        out["targets"][t.label] = {"latencies": [round(x, 4) for x in t.latencies], "warmup": [round(x, 4) for x in t.warmup], "first": t.first, "connections": t.opened}
    if failure:
        out["failure"] = failure
    print(json.dumps(out))
    sys.exit(0)

# each target first answers the expected status (a gateway fetching its keys, a server starting)
for t in targets:
    deadline, last = time.monotonic() + job["readySeconds"], None
    while True:
        try:
            elapsed, status = t.once()
            if status == job["expectStatus"]:
                t.first = elapsed
                break
            last = "status %d" % status
        except ERRORS as error:
            last = describe(error)
        if time.monotonic() > deadline:
            finish({"target": t.label, "phase": "ready", "detail": last})
        time.sleep(0.25)

for t in targets:
    warm_ends = time.monotonic() + job["warmupSeconds"]
    for _ in range(job["warmup"]):
        if time.monotonic() > warm_ends:
            break
        try:
            elapsed, status = t.once()
        except ERRORS as error:
            finish({"target": t.label, "phase": "warm-up", "detail": describe(error)})
        t.warmup.append(elapsed)
    t.opened = 0

per_round = -(-job["requests"] // job["rounds"])
slot = job["maxSeconds"] / (job["rounds"] * len(targets))
for r in range(job["rounds"]):
    for t in (targets if r % 2 == 0 else targets[::-1]):
        ends = time.monotonic() + slot
        for _ in range(per_round):
            if len(t.latencies) >= job["requests"] or time.monotonic() > ends:
                break
            try:
                elapsed, status = t.once()
            except ERRORS as error:
                finish({"target": t.label, "phase": "measure", "detail": describe(error)})
            if status != job["expectStatus"]:
                finish({"target": t.label, "phase": "measure", "detail": "status %d" % status})
            t.latencies.append(elapsed)
finish()
`;

/** the warm-up of one target stops after its count or this long */
const WARMUP_SECONDS = 10;

export interface TimedTarget {
  label: string;
  host: string;
  port: number;
  path: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  /** one connection for all requests, or a new connection (and TLS handshake) per request */
  keepAlive: boolean;
  /** HTTPS: the CA as a file in the container or as PEM text, an optional client certificate (files), the name to verify */
  tls?: { caFile?: string; caPem?: string; certFile?: string; keyFile?: string; serverName?: string };
}

export interface TimerJob {
  targets: TimedTarget[];
  /** per target */
  requests: number;
  rounds: number;
  /** the whole measurement, all targets together */
  maxSeconds: number;
  /** untimed requests per target before the measurement (at most WARMUP_SECONDS; reported apart) */
  warmup: number;
  /** how long each target may take to answer expectStatus at all */
  readySeconds: number;
  expectStatus: number;
  timeoutSeconds: number;
}

export interface TargetTimes {
  latencies: number[];
  warmup: number[];
  /** the first request that got expectStatus (ms): what the first caller after a start waits */
  first: number | null;
  /** connections opened during the measurement */
  connections: number;
}

export interface TimerResult {
  targets: Record<string, TargetTimes>;
  failure?: { target: string; phase: string; detail: string };
}

/** Runs the job in `container`; throws when a target failed (a figure from failed requests means nothing). */
export async function timeRequests(container: Docker.Container, job: TimerJob): Promise<TimerResult> {
  const perTarget = job.readySeconds + WARMUP_SECONDS + job.timeoutSeconds;
  const hardLimitMs = (perTarget * job.targets.length + job.maxSeconds + job.timeoutSeconds + 30) * 1000;
  const run = await execIn(container, ["python3", "-c", TIMER_PY, JSON.stringify({ ...job, warmupSeconds: WARMUP_SECONDS })], { timeoutMs: hardLimitMs, maxOutputBytes: 16 * 2 ** 20 });
  const line = run.stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!line) throw new Error(`the timing client printed no result (${run.timedOut ? "timed out" : `exit ${run.exitCode}`}): ${(run.stderr || run.stdout).trim().split("\n").slice(-3).join(" | ")}`);
  const result = JSON.parse(line) as TimerResult;
  if (result.failure) throw new Error(`${result.failure.target} failed during ${result.failure.phase}: ${result.failure.detail}`);
  return result;
}
