# Runs a setuid-root binary as a non-root user: under no-new-privileges it must not gain euid 0.
import subprocess
binary = ARGS["binary"]
if not os.path.exists(binary):
    report("inconclusive", "%s is not in this image" % binary)
    sys.exit(0)
def drop():
    if os.geteuid() == 0:  # the negative control runs as root: become an ordinary user first
        os.setgroups([]); os.setgid(65534); os.setuid(65534)
result = subprocess.run([binary, "-u"], capture_output=True, text=True, preexec_fn=drop, timeout=10)
euid = result.stdout.strip()
caller = "65534" if os.geteuid() == 0 else str(os.geteuid())
if euid == "0":
    report("succeeded", "setuid-root %s ran with euid 0 (caller uid %s)" % (binary, caller))
else:
    report("blocked", "setuid-root %s ran with euid %s (caller uid %s): no privilege gained" % (binary, euid or result.stderr.strip(), caller))
