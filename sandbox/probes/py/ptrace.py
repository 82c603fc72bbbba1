# Finds a victim process (started by the sandbox in another app) by a nonce in its command line, and
# tries to PTRACE_ATTACH to it.
import time
nonce = ARGS["nonce"]
victim = None
for entry in os.listdir("/proc"):
    # this probe's own command line carries the nonce too (in its arguments): never take itself for the victim
    if not entry.isdigit() or int(entry) == os.getpid():
        continue
    try:
        with open("/proc/%s/cmdline" % entry, "rb") as handle:
            if nonce.encode() in handle.read():
                victim = int(entry)
                break
    except OSError:
        pass
if victim is None:
    report("blocked", "the victim process is not visible (own PID namespace)")
    sys.exit(0)
PTRACE_ATTACH, PTRACE_DETACH = 16, 17
result, code = syscall("ptrace", PTRACE_ATTACH, victim, None, None)
if result == 0:
    time.sleep(0.2)
    syscall("ptrace", PTRACE_DETACH, victim, None, None)
    report("succeeded", "attached to victim pid %d with ptrace" % victim)
else:
    report("blocked", "victim pid %d visible, PTRACE_ATTACH: %s" % (victim, errname(code)))
