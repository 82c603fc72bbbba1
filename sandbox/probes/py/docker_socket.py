# Looks for a container-engine API socket and asks it for its version.
import socket
found = []
for path in ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock", "/var/run/docker/docker.sock"):
    if not os.path.exists(path):
        continue
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(3)
        sock.connect(path)
        sock.sendall(b"GET /version HTTP/1.0\r\nHost: docker\r\n\r\n")
        reply = sock.recv(4096).decode("latin-1")
        sock.close()
        if "ApiVersion" in reply:
            report("succeeded", "%s answered: %s" % (path, reply.split("\r\n")[0]))
            sys.exit(0)
        found.append("%s: connected, no API answer" % path)
    except OSError as error:
        found.append("%s: %s" % (path, errname(error.errno)))
report("blocked", "; ".join(found) if found else "no engine socket in the container")
