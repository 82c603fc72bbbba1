package main

import (
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// fork_bomb: forks sleeping children until fork fails or the cap is reached, holds them, then reaps
// them. The script's child is /bin/sleep, "a small process per child, as a shell fork bomb would
// leave": here a child is a plain fork(2) that only sleeps, one task like /bin/sleep, and needs nothing
// in the image. (Re-executing this file instead would make each child a Go runtime of three threads,
// every one counted against the UID's nproc limit, and of a megabyte or two of memory.)
//
// The parent must never need a new thread of its own once the limit is met (Go's runtime cannot survive
// failing to make one), so it makes the few it can need before the first fork and runs on one P.
func forkBomb(a args) {
	limit, hold := a.integer("cap"), a.number("hold_seconds")
	// generous: under gVisor on a loaded 2-core host one fork+exec can take 0.5 s
	deadline := time.Now().Add(seconds(a.numberOr("deadline_seconds", 45)))
	runtime.GOMAXPROCS(1)
	warmThreads(4)
	sleeperSpan = syscall.NsecToTimespec(seconds(hold + 5).Nanoseconds())
	var children []int
	failure := ""
	for len(children) < limit && time.Now().Before(deadline) {
		pid, code := forkSleeper()
		if code != 0 {
			failure = errname(code)
			break
		}
		children = append(children, pid)
	}
	progress("holding %d children", len(children))
	time.Sleep(seconds(hold))
	for _, pid := range children {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, pid := range children {
		reap(pid)
	}
	forked := len(children)
	switch {
	case failure != "":
		report("blocked", fmt.Sprintf("fork failed with %s after %d processes", failure, forked), map[string]any{"forked": forked, "errno": failure})
	case forked >= limit:
		report("succeeded", fmt.Sprintf("forked %d processes without hitting a limit", forked), map[string]any{"forked": forked})
	default:
		// neither the limit nor the cap was reached: proves nothing either way
		report("inconclusive", fmt.Sprintf("ran out of time after %d forks, before any limit or the cap of %d", forked, limit), map[string]any{"forked": forked})
	}
}

// warmThreads makes the runtime create n threads now (goroutines blocked in system calls each hold
// one); idle afterwards, they are reused whenever the runtime later needs a thread.
func warmThreads(n int) {
	var group sync.WaitGroup
	for range n {
		group.Add(1)
		go func() {
			defer group.Done()
			pause := syscall.Timespec{Nsec: 30_000_000}
			syscall.Syscall(syscall.SYS_NANOSLEEP, uintptrOf(&pause), 0, 0)
		}()
	}
	group.Wait()
}

// sleeperSpan is how long a child sleeps; set before any fork, so the child touches nothing else.
var sleeperSpan syscall.Timespec

// forkSleeper forks a child that sleeps for sleeperSpan and exits. The child is a copy of this process
// with one thread and no working Go runtime, so from the fork on it makes raw system calls only, in
// functions that never grow their stack (nosplit), as Go's own fork-and-exec child does.
//
//go:nosplit
//go:norace
func forkSleeper() (int, syscall.Errno) {
	pid, _, code := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
	if code != 0 {
		return 0, code
	}
	if pid == 0 {
		span := uintptr(unsafe.Pointer(&sleeperSpan))
		for {
			// interrupted, nanosleep leaves the time still to sleep in its second argument
			if _, _, code := syscall.RawSyscall(syscall.SYS_NANOSLEEP, span, span, 0); code != syscall.EINTR {
				break
			}
		}
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	}
	return int(pid), 0
}
