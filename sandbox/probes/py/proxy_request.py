# Sends one CONNECT host:port through the HTTP proxy and reports the proxy's status line.
import socket
proxy_host, proxy_port, method, target = ARGS["proxy_host"], ARGS["proxy_port"], ARGS["method"], ARGS["target"]
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.settimeout(ARGS.get("timeout", 10))
try:
    sock.connect((proxy_host, proxy_port))
    sock.sendall(("%s %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (method, target, target)).encode())
    status = sock.recv(4096).decode("latin-1").split("\r\n")[0]
    code = int(status.split(" ")[1]) if status.startswith("HTTP/") else 0
    report("inconclusive", "%s %s via %s:%d → %s" % (method, target, proxy_host, proxy_port, status or "(no answer)"), status=code)
except OSError as error:
    report("inconclusive", "proxy %s:%d: %s" % (proxy_host, proxy_port, errname(error.errno) if error.errno else str(error)), status=-1)
finally:
    sock.close()
