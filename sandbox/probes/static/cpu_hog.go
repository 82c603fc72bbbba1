package main

import (
	"fmt"
	"syscall"
	"time"
)

// cpu_hog: runs one busy child per worker for a while and reports the CPU time they got per second of
// wall time (the children's rusage, as cpu_hog.py reads os.times()).
func cpuHog(a args) {
	workers, duration := a.integer("workers"), a.number("seconds")
	null := openDevNull()
	start := time.Now()
	var pids []int
	for range workers {
		pid, err := spawnSelf(null, nil, "spin", fmt.Sprint(duration))
		if err != nil {
			fail("cpu_hog: cannot start a worker: %s", errorName(err))
		}
		pids = append(pids, pid)
	}
	for _, pid := range pids {
		reap(pid)
	}
	wall := time.Since(start).Seconds()
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &usage)
	cpu := timeval(usage.Utime) + timeval(usage.Stime)
	report("inconclusive", fmt.Sprintf("%d busy workers got %.2f CPU-seconds in %.2f s (%.2f CPUs)", workers, cpu, wall, cpu/wall), map[string]any{"cpus": cpu / wall, "wall": wall})
}

func timeval(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
