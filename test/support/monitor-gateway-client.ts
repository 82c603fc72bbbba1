// An app's own client for the real gateway, run inside the app's container (docker exec, as the
// container's user) with python3's ssl + http.client and the app's platform material: the gateway URL,
// CA, client certificate and key, OAuth2 client id and secret file (README "Apps receive ..."). The
// secret and the token stay inside the container: the script prints statuses and errors only.
import type Docker from "dockerode";
import { execIn } from "../../sandbox/exec";

const CLIENT_PY = String.raw`
import http.client, json, os, socket, ssl, sys, time, urllib.parse

args = json.loads(sys.argv[1])
gateway = urllib.parse.urlparse(os.environ["PLATFORM_GATEWAY_URL"])
proxy = urllib.parse.urlparse(os.environ["HTTPS_PROXY"])

def context():
    ctx = ssl.create_default_context(cafile=os.environ["PLATFORM_CA_FILE"])
    ctx.load_cert_chain(os.environ["PLATFORM_CERT_FILE"], os.environ["PLATFORM_KEY_FILE"])
    return ctx

def request(ctx, method, path, body=None, headers=None, timeout=5):
    conn = http.client.HTTPSConnection(gateway.hostname, gateway.port, context=ctx, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(4096)
    finally:
        conn.close()

def failure(error):
    return type(error).__name__ + ": " + str(error)

def tcp(host, port):
    try:
        socket.create_connection((host, port), timeout=3).close()
        return {"ok": True}
    except OSError as error:
        return {"ok": False, "error": failure(error)}

out = {"uid": os.getuid()}
mode = args["mode"]
if mode == "connect":
    out["gateway"] = tcp(gateway.hostname, gateway.port)
    out["egress"] = tcp(proxy.hostname, proxy.port)
elif mode == "flood":
    # one new mTLS connection per request, no token, at a fixed pace; stops early once the gateway is gone
    ctx, results, failures, start = context(), [], 0, time.time()
    for i in range(args["count"]):
        delay = start + i * args["intervalMs"] / 1000 - time.time()
        if delay > 0:
            time.sleep(delay)
        sent = time.time()
        try:
            status, _ = request(ctx, "GET", args["path"], timeout=3)
            results.append({"sent": sent, "status": status})
            failures = 0
        except (OSError, http.client.HTTPException) as error:
            results.append({"sent": sent, "error": failure(error)})
            failures += 1
            if failures >= args["stopAfterFailures"]:
                break
    out["results"] = results
elif mode == "granted":
    ctx = context()
    with open(os.environ["PLATFORM_OAUTH_CLIENT_SECRET_FILE"]) as f:
        secret = f.read().strip()
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": os.environ["PLATFORM_OAUTH_CLIENT_ID"], "client_secret": secret})
    try:
        status, data = request(ctx, "POST", urllib.parse.urlparse(os.environ["PLATFORM_OAUTH_TOKEN_URL"]).path, form, {"Content-Type": "application/x-www-form-urlencoded"})
        out["token"] = status
        if status == 200:
            status, data = request(ctx, "GET", args["path"], headers={"Authorization": "Bearer " + json.loads(data)["access_token"]})
            out["call"] = status
            out["body"] = data[:200].decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        out["error"] = failure(error)
elif mode == "garbage":
    # not HTTP at all, over valid mTLS: Envoy answers 400 before it has a request line
    ctx = context()
    with ctx.wrap_socket(socket.create_connection((gateway.hostname, gateway.port), timeout=5), server_hostname=gateway.hostname) as tls:
        tls.sendall(b"GARBAGE\x01 / HTTP/1.1\r\n\r\n")
        out["answer"] = tls.recv(64).decode("latin-1").split("\r\n")[0]
print(json.dumps(out))
`;

interface Reachability {
  ok: boolean;
  error?: string;
}

export interface FloodResult {
  /** epoch seconds (the app's clock, which is the host's) */
  sent: number;
  status?: number;
  error?: string;
}

interface ClientOutput {
  uid: number;
  gateway?: Reachability;
  egress?: Reachability;
  results?: FloodResult[];
  token?: number;
  call?: number;
  body?: string;
  error?: string;
  answer?: string;
}

async function runClient(container: Docker.Container, args: Record<string, unknown>, timeoutMs: number): Promise<ClientOutput> {
  const exec = await execIn(container, ["python3", "-c", CLIENT_PY, JSON.stringify(args)], { timeoutMs });
  const line = exec.stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!line) throw new Error(`the gateway client (${String(args.mode)}) printed no result (${exec.timedOut ? "timed out" : `exit ${exec.exitCode}`}): ${(exec.stderr || exec.stdout).trim().split("\n").slice(-3).join(" | ")}`);
  return JSON.parse(line) as ClientOutput;
}

/** A plain TCP connect from the app to the gateway and to the egress proxy in its subnet (no HTTP, so no log line). */
export async function reachability(container: Docker.Container): Promise<{ uid: number; gateway: Reachability; egress: Reachability }> {
  const out = await runClient(container, { mode: "connect" }, 20_000);
  return { uid: out.uid, gateway: out.gateway!, egress: out.egress! };
}

/** `count` GETs of `path` without a token, one every `intervalMs`, each on a new mTLS connection. */
export async function floodWithoutToken(container: Docker.Container, options: { count: number; intervalMs: number; path: string; stopAfterFailures: number }): Promise<{ uid: number; results: FloodResult[] }> {
  const bound = options.count * (options.intervalMs + 4000) + 10_000;
  const out = await runClient(container, { mode: "flood", ...options }, bound);
  return { uid: out.uid, results: out.results! };
}

/** The app's token from Keycloak through the gateway, then a granted call with it: both statuses. */
export async function tokenAndGrantedCall(container: Docker.Container, path: string): Promise<{ token?: number; call?: number; body?: string; error?: string }> {
  return runClient(container, { mode: "granted", path }, 30_000);
}

/** Bytes that are not HTTP, over valid mTLS: the first line of Envoy's answer (a 400). */
export async function sendGarbage(container: Docker.Container): Promise<string | undefined> {
  return (await runClient(container, { mode: "garbage" }, 20_000)).answer;
}
