# A fixed amount of work; prints how long it took (the victim's latency measure).
import time
start = time.time()
total = 0
for i in range(ARGS["iterations"]):
    total += i * i
report("inconclusive", "task took %.3f s" % (time.time() - start), seconds=time.time() - start)
