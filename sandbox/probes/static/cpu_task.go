package main

import (
	"fmt"
	"time"
)

// pythonLoopCost is how many iterations of this compiled loop take as long as one of cpu_task.py's
// interpreted `total += i * i` (measured on this project's machine: CPython 3.11 about 60 ns, this loop
// about half a nanosecond). The TS side chose its iteration count for a task of about a tenth of a
// second: one a hundred times shorter would measure scheduling noise, not the victim's latency.
const pythonLoopCost = 128

var taskTotal uint64 // kept so the compiler cannot drop the loop

// cpu_task: a fixed amount of work; prints how long it took (the victim's latency measure).
func cpuTask(a args) {
	iterations := uint64(a.number("iterations")) * pythonLoopCost
	start := time.Now()
	var total uint64
	for i := uint64(0); i < iterations; i++ {
		total += i * i
	}
	taskTotal = total
	elapsed := time.Since(start).Seconds()
	report("inconclusive", fmt.Sprintf("task took %.3f s", elapsed), map[string]any{"seconds": elapsed})
}
