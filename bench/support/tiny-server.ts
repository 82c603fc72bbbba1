// A tiny HTTP/1.1 server for the live benchmarks, run as a container's command with python3 (the probe
// image): an origin that answers every path after a fixed delay, or a fixed set of paths (a JWKS
// document), on plain and/or TLS listeners (TLS optionally requiring a client certificate from the CA).
// Keep-alive, TCP_NODELAY, one write per response, a thread per connection.

const SERVER_PY = String.raw`
import json, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

cfg = json.loads(sys.argv[1])
DELAY = cfg.get("delayMs", 0) / 1000
ROUTES = cfg.get("routes")
CONTENT_TYPE = cfg.get("contentType", "text/plain")

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = cfg.get("body") if ROUTES is None else ROUTES.get(self.path.split("?")[0])
        if DELAY:
            time.sleep(DELAY)
        status = "200 OK" if body is not None else "404 Not Found"
        data = (body if body is not None else "not found\n").encode()
        head = "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (status, CONTENT_TYPE, len(data))
        self.wfile.write(head.encode() + data)
    do_GET = answer
    do_POST = answer
    def log_message(self, *args):
        pass

class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    def handle_error(self, request, client_address):
        pass

def serve(listener):
    server = Server(("0.0.0.0", listener["port"]), Handler)
    tls = listener.get("tls")
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls["certFile"], tls["keyFile"])
        if tls.get("clientCaFile"):
            ctx.load_verify_locations(tls["clientCaFile"])
            ctx.verify_mode = ssl.CERT_REQUIRED
        # handshakes run in the connection's thread (Handler.setup), not in the accept loop
        server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()

for listener in cfg["listeners"]:
    serve(listener)
print("listening", flush=True)
threading.Event().wait()
`;

export interface TinyServerConfig {
  listeners: { port: number; tls?: { certFile: string; keyFile: string; clientCaFile?: string } }[];
  delayMs?: number;
  /** every path answers this body ... */
  body?: string;
  /** ... or only these paths do (others 404) */
  routes?: Record<string, string>;
  contentType?: string;
}

/** The container command that runs the server. */
export function tinyServerCommand(config: TinyServerConfig): string[] {
  return ["python3", "-c", SERVER_PY, JSON.stringify(config)];
}
