# Connects to each target (host, port) with a timeout. A refused connection still proves the address is
# reachable; only silence or an unreachable route means it is not.
import socket
outcomes, reached = [], False
for host, port in ARGS["targets"]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(ARGS.get("timeout", 3))
    try:
        sock.connect((host, port))
        outcomes.append("%s:%d connected" % (host, port)); reached = True
    except socket.timeout:
        outcomes.append("%s:%d timed out" % (host, port))
    except OSError as error:
        name = errname(error.errno)
        outcomes.append("%s:%d %s" % (host, port, name))
        if name == "ECONNREFUSED":
            reached = True
    finally:
        sock.close()
report("succeeded" if reached else "blocked", "; ".join(outcomes))
