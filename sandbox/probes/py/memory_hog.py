# Allocates and touches memory in 16 MiB steps up to a cap, printing progress; an OOM kill ends it.
cap_mb = ARGS["cap_mb"]
step = 16
blocks = []
allocated = 0
while allocated + step <= cap_mb:
    block = bytearray(step * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    blocks.append(block)
    allocated += step
    sys.stderr.write("allocated %d\n" % allocated); sys.stderr.flush()
report("succeeded", "allocated %d MiB without being stopped" % allocated, allocated_mb=allocated)
