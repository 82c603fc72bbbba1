# Runs one busy child per CPU for a while and reports the CPU time they got per second of wall time.
import time
workers, seconds = ARGS["workers"], ARGS["seconds"]
start = time.time()
pids = []
for _ in range(workers):
    pid = os.fork()
    if pid == 0:
        end = time.time() + seconds
        while time.time() < end:
            pass
        os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
wall = time.time() - start
times = os.times()
cpu = times.children_user + times.children_system
report("inconclusive", "%d busy workers got %.2f CPU-seconds in %.2f s (%.2f CPUs)" % (workers, cpu, wall, cpu / wall), cpus=cpu / wall, wall=wall)
