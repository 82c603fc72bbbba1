# Talks to the API gateway from inside an app, as the app: its UID, its network, its platform files and
# env (PLATFORM_GATEWAY_URL, PLATFORM_CA_FILE, PLATFORM_CERT_FILE/KEY_FILE, PLATFORM_OAUTH_*). Python's
# ssl + http.client only. Prints one JSON line: {"attack": "inconclusive", "steps": [result, ...]}; the
# verdicts are the caller's.
#
# ARGS: {"steps": [step, ...], "timeout": s, "deadline_seconds": s,
#        "identities": {name: {"cert": PEM, "key": PEM}},   # certificates other than the app's own
#        "clients": {name: {"client_id": ..., "client_secret": ...}}}   # OAuth2 clients other than its own
# step: {"id": str,
#        "identity": "own" | "none" | <identity name>,          # client certificate (default own)
#        "await_tls_verdict": bool,  # after the handshake, wait briefly for the server's verdict on the
#                                    # certificate (TLS 1.3 sends it after the client's Finished)
#        "token_request": "own" | <client name>,   # POST client_credentials to the token route instead
#        "store_token": name,                      #   ... and keep the token under this name
#        "client_secret": str,                     #   ... overriding the client's secret (wrong-secret case)
#        "method": "GET", "path": "/...", "headers": {...}, "body": str,
#        "token": "none" | "own" | <stored name> | {"literal": str},    # Authorization: Bearer
#        "repeat": n, "max_seconds": s, "interval_ms": ms}  # n requests (a flood, or calls ms apart)
# Attack material (other apps' keys, forged certificates) arrives in ARGS and is loaded from anonymous
# memory files: nothing is written into the container's filesystem.
import base64, http.client, socket, ssl, time, urllib.parse

ENV = os.environ
GATEWAY = urllib.parse.urlparse(ARGS.get("gateway") or ENV["PLATFORM_GATEWAY_URL"])
HOST, PORT = GATEWAY.hostname, GATEWAY.port
TIMEOUT = ARGS.get("timeout", 10)
DEADLINE = time.time() + ARGS.get("deadline_seconds", 60)
TOKEN_PATH = urllib.parse.urlparse(ENV["PLATFORM_OAUTH_TOKEN_URL"]).path
CA_FILE = ENV.get("PLATFORM_CA_FILE", "/etc/platform/tls/ca.pem")
KEPT_HEADERS = ("content-type", "www-authenticate", "x-envoy-upstream-service-time", "x-platform-rate-limited", "location", "server", "connection")
contexts, tokens, memfiles = {}, {}, []


def memory_file(text, name):
    fd = os.memfd_create(name)
    os.write(fd, text.encode())
    memfiles.append(fd)
    return "/proc/self/fd/%d" % fd


def context(identity):
    if identity not in contexts:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(CA_FILE)  # the gateway must prove itself too (its certificate names this address)
        if identity == "own":
            ctx.load_cert_chain(ENV["PLATFORM_CERT_FILE"], ENV["PLATFORM_KEY_FILE"])
        elif identity != "none":
            material = ARGS["identities"][identity]
            ctx.load_cert_chain(memory_file(material["cert"], "cert"), memory_file(material["key"], "key"))
        contexts[identity] = ctx
    return contexts[identity]


def tls_error(error):
    # OpenSSL names an alert received from the peer SSLV3_*/TLSV1_*/TLSV13_* (e.g. TLSV1_ALERT_UNKNOWN_CA,
    # TLSV1_BAD_CERTIFICATE_HASH_VALUE); its own failures have other names (CERTIFICATE_VERIFY_FAILED, ...)
    reason = getattr(error, "reason", None)
    return {"error": type(error).__name__, "reason": reason or str(error), "alert": bool(reason and (reason.startswith("SSLV3_") or reason.startswith("TLSV1")))}


def connect(step):
    """A TLS connection, or None with the refusal recorded in `out`."""
    out = {}
    try:
        raw = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
    except OSError as error:
        return None, {"tls": "no-connection", "tls_error": {"error": type(error).__name__, "reason": str(error), "alert": False}}
    try:
        tls = context(step.get("identity", "own")).wrap_socket(raw, server_hostname=HOST)
    except (ssl.SSLError, OSError) as error:
        raw.close()
        return None, {"tls": "refused", "tls_stage": "handshake", "tls_error": tls_error(error)}
    out["tls_version"] = tls.version()
    if step.get("await_tls_verdict"):
        tls.settimeout(1.5)
        try:
            early = tls.recv(1)
            if not early:
                tls.close()
                return None, {**out, "tls": "refused", "tls_stage": "after handshake", "tls_error": {"error": "EOF", "reason": "closed before any request", "alert": False}}
            out["early_bytes"] = early.decode("latin-1")
        except socket.timeout:
            pass  # no verdict is the server's acceptance: it waits for a request
        except (ssl.SSLError, OSError) as error:
            tls.close()
            return None, {**out, "tls": "refused", "tls_stage": "after handshake", "tls_error": tls_error(error)}
        tls.settimeout(TIMEOUT)
    out["tls"] = "ok"
    return tls, out


def exchange(tls, method, path, headers, body):
    conn = http.client.HTTPSConnection(HOST, PORT, timeout=TIMEOUT)
    conn.sock = tls
    sent = time.time()
    conn.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers)
    response = conn.getresponse()
    data = response.read()  # whole body, so the connection can carry the next request
    result = {
        "status": response.status,
        "headers": {k.lower(): v for k, v in response.getheaders() if k.lower() in KEPT_HEADERS},
        "body": data[:4000].decode("utf-8", "replace"),
        "local_reply": response.getheader("x-envoy-upstream-service-time") is None,
        "sent_ms": int(sent * 1000),
        "elapsed_ms": int((time.time() - sent) * 1000),
    }
    return conn, result, response.will_close


def claims(token):
    try:
        part = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        return {k: data.get(k) for k in ("azp", "scope", "aud", "iss", "exp", "iat")}
    except Exception as error:  # a token that is not a JWT is evidence too
        return {"unreadable": str(error)}


def client_of(name, step):
    if name == "own":
        with open(ENV["PLATFORM_OAUTH_CLIENT_SECRET_FILE"]) as handle:
            client = {"client_id": ENV["PLATFORM_OAUTH_CLIENT_ID"], "client_secret": handle.read().strip()}
    else:
        client = dict(ARGS["clients"][name])
    if "client_secret" in step:
        client["client_secret"] = step["client_secret"]
    return client


def token_for(ref):
    if ref in (None, "none"):
        return None
    if isinstance(ref, dict):
        return ref["literal"]
    if ref not in tokens:
        if ref != "own":
            raise KeyError("no token stored as %r" % ref)
        fetched = run_step({"id": "own-token", "token_request": "own", "store_token": "own"})
        if ref not in tokens:
            raise RuntimeError("could not get the app's own token: %s" % json.dumps(fetched)[:300])
    return tokens[ref]


def request_of(step):
    headers = dict(step.get("headers", {}))
    body = step.get("body")
    if step.get("token_request"):
        client = client_of(step["token_request"], step)
        body = urllib.parse.urlencode({"grant_type": "client_credentials", **client})
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return "POST", step.get("path", TOKEN_PATH), headers, body
    token = token_for(step.get("token", "none"))
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    return step.get("method", "GET"), step["path"], headers, body


def run_step(step):
    result = {"id": step["id"]}
    try:
        method, path, headers, body = request_of(step)
    except Exception as error:
        return {**result, "error": "cannot build the request: %s" % error}
    repeat, interval = step.get("repeat", 1), step.get("interval_ms", 0) / 1000
    stop_at = min(DEADLINE, time.time() + step.get("max_seconds", TIMEOUT * 3))
    tls, conn, outcomes = None, None, []
    started = time.time()
    for i in range(repeat):
        if time.time() > stop_at:
            result["stopped_early"] = "time bound reached after %d of %d requests" % (i, repeat)
            break
        if interval and i:  # from the previous send, so the first handshake does not shorten the first gap
            time.sleep(max(0, last_sent + interval - time.monotonic()))
        if tls is None:
            tls, handshake = connect(step)
            result.update(handshake)
            if tls is None:
                break
        last_sent = time.monotonic()
        try:
            conn, outcome, closing = exchange(tls, method, path, headers, body)
        except (OSError, http.client.HTTPException) as error:
            outcome, closing = {"error": "%s: %s" % (type(error).__name__, error), "sent_ms": int(time.time() * 1000)}, True
        outcomes.append(outcome)
        if closing:
            (conn or tls).close()
            tls, conn = None, None
    if tls is not None:
        (conn or tls).close()
    result["started_ms"], result["ended_ms"] = int(started * 1000), int(time.time() * 1000)
    if repeat == 1:
        result.update(outcomes[0] if outcomes else {})
    else:
        statuses = {}
        for outcome in outcomes:
            key = str(outcome.get("status", "error"))
            statuses[key] = statuses.get(key, 0) + 1
        result["count"] = len(outcomes)
        result["statuses"] = statuses
        result["sequence"] = [o.get("status", 0) for o in outcomes][:400]
        result["sent_ms"] = [o.get("sent_ms", 0) for o in outcomes][:400]
        result["samples"] = {}
        for outcome in outcomes:  # one response of each status, as evidence
            result["samples"].setdefault(str(outcome.get("status", "error")), outcome)
    if step.get("token_request") and result.get("status") == 200:
        try:
            token = json.loads(result["body"])["access_token"]
            result["claims"] = claims(token)
            result["body"] = "(token response, %d bytes)" % len(result["body"])
            if step.get("store_token"):
                tokens[step["store_token"]] = token
            result["access_token"] = token
        except (ValueError, KeyError) as error:
            result["token_error"] = str(error)
    return result


results = []
for step in ARGS["steps"]:
    if time.time() > DEADLINE:
        results.append({"id": step["id"], "error": "not run: the script's deadline passed"})
        continue
    results.append(run_step(step))
report("inconclusive", "%d gateway exchanges from uid %d" % (len(results), os.getuid()), steps=results, uid=os.getuid(), gateway="%s:%d" % (HOST, PORT))
