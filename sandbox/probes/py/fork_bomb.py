# Forks sleeping children until fork fails or the cap is reached, holds them, then reaps them.
import signal, time
cap, hold = ARGS["cap"], ARGS["hold_seconds"]
children, failure = [], None
# generous: under gVisor on a loaded 2-core host one fork+exec can take 0.5 s
deadline = time.time() + ARGS.get("deadline_seconds", 45)
while len(children) < cap and time.time() < deadline:
    try:
        pid = os.fork()
    except OSError as error:
        failure = errname(error.errno)
        break
    if pid == 0:
        # a small process per child (not a whole Python), as a shell fork bomb would leave
        try: os.execv("/bin/sleep", ["sleep", str(hold + 5)])
        finally: os._exit(0)
    children.append(pid)
sys.stderr.write("holding %d children\n" % len(children)); sys.stderr.flush()
time.sleep(hold)
for pid in children:
    try: os.kill(pid, signal.SIGKILL)
    except OSError: pass
for pid in children:
    try: os.waitpid(pid, 0)
    except OSError: pass
if failure:
    report("blocked", "fork failed with %s after %d processes" % (failure, len(children)), forked=len(children), errno=failure)
elif len(children) >= cap:
    report("succeeded", "forked %d processes without hitting a limit" % len(children), forked=len(children))
else:
    # neither the limit nor the cap was reached: proves nothing either way
    report("inconclusive", "ran out of time after %d forks, before any limit or the cap of %d" % (len(children), cap), forked=len(children))
