# Blocks a real-time signal and sigqueue(3)s it to itself until the kernel refuses (RLIMIT_SIGPENDING
# is per UID), then holds the queue so another app can test whether it can still signal. (kill(2) is
# no use here: over the limit the kernel silently drops a kill()ed signal instead of failing.)
import signal, time

class Sigval(ctypes.Union):
    _fields_ = [("sival_int", ctypes.c_int), ("sival_ptr", ctypes.c_void_p)]

def sigq():
    try:
        with open("/proc/self/status") as status:
            return next((line.split()[1] for line in status if line.startswith("SigQ:")), "?")
    except OSError:
        return "?"
cap, hold = ARGS["cap"], ARGS["hold_seconds"]
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGRTMIN})
queued, failure = 0, None
while queued < cap:
    if libc.sigqueue(os.getpid(), int(signal.SIGRTMIN), Sigval(queued)) != 0:
        failure = errname(ctypes.get_errno())
        break
    queued += 1
pending = sigq()
sys.stderr.write("queued %d, SigQ %s\n" % (queued, pending)); sys.stderr.flush()
time.sleep(hold)
if failure:
    report("blocked", "sigqueue failed with %s after %d pending signals (SigQ %s)" % (failure, queued, pending), queued=queued, errno=failure)
else:
    report("succeeded", "queued %d pending signals without hitting a limit (SigQ %s)" % (queued, pending), queued=queued)
