# Tries to read a marker file the sandbox placed on the host, through the routes a container could
# have: the path itself, a /host mount, and the root of every process it can see (/proc/<pid>/root,
# which reaches the host's filesystem when the container shares the host's PID namespace).
path, nonce = ARGS["path"], ARGS["nonce"]
tried, denied = [], 0
routes = [path, "/host" + path] + ["/proc/%s/root%s" % (pid, path) for pid in sorted((p for p in os.listdir("/proc") if p.isdigit()), key=int)[:4000]]
for route in routes:
    try:
        with open(route) as handle:
            if nonce in handle.read():
                report("succeeded", "read the host's marker through %s" % route)
                sys.exit(0)
        tried.append("%s: readable, no marker" % route)
    except OSError as error:
        if len(tried) < 3:
            tried.append("%s: %s" % (route, errname(error.errno)))
        denied += 1
report("blocked", "%d routes tried, none reached the host file (%s)" % (len(routes), "; ".join(tried)))
