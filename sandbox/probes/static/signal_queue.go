package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// rtSignal is SIGRTMIN+1 in the C library's numbering; signal_queue.py queues SIGRTMIN (34). Go's
// runtime unblocks 34 on every thread it starts (musl's SIGSYNCCALL), so 34 could never stay pending in
// a Go process; 35 is the first real-time signal Go leaves alone. Which real-time signal is queued makes
// no difference to what is measured: every queued signal counts against RLIMIT_SIGPENDING alike.
const rtSignal = 35

// blockedMarker is the last argument of the probe's re-execution with rtSignal blocked.
const blockedMarker = "--rt-signal-blocked"

// signal_queue: blocks a real-time signal and queues it to itself (rt_sigqueueinfo, as sigqueue(3))
// until the kernel refuses (RLIMIT_SIGPENDING is per UID), then holds the queue so another app can test
// whether it can still signal. (kill(2) is no use here: over the limit the kernel silently drops a
// kill()ed signal instead of failing.)
//
// A signal sent to the process stays queued only while every thread blocks it, and Go's runtime gives
// each new thread the signal mask the process started with. So the probe first re-executes itself
// from a thread that blocks the signal: the mask survives execve, and every thread of the new image
// inherits it.
func signalQueue(a args) {
	if !currentThreadBlocks(rtSignal) {
		if os.Args[len(os.Args)-1] == blockedMarker {
			report("inconclusive", "could not start with the real-time signal blocked", nil)
			return
		}
		runtime.LockOSThread()
		mask := uint64(1) << (rtSignal - 1)
		syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 0 /* SIG_BLOCK */, uintptrOf(&mask), 0, 8, 0, 0)
		err := syscall.Exec("/proc/self/exe", append(append([]string{}, os.Args...), blockedMarker), os.Environ())
		report("inconclusive", "could not re-execute with the real-time signal blocked: "+errorName(err), nil)
		return
	}
	if unblocking := threadsNotBlocking(rtSignal); unblocking != "" {
		report("inconclusive", "a thread does not block the real-time signal: "+unblocking, nil)
		return
	}
	limit, hold := a.integer("cap"), a.number("hold_seconds")
	queued, failure := 0, ""
	for queued < limit {
		if code := sigqueue(os.Getpid(), rtSignal, int32(queued)); code != 0 {
			failure = errname(code)
			break
		}
		queued++
	}
	pending := readStatusField("/proc/self/status", "SigQ")
	progress("queued %d, SigQ %s", queued, pending)
	time.Sleep(seconds(hold))
	if failure != "" {
		report("blocked", fmt.Sprintf("sigqueue failed with %s after %d pending signals (SigQ %s)", failure, queued, pending), map[string]any{"queued": queued, "errno": failure})
		return
	}
	report("succeeded", fmt.Sprintf("queued %d pending signals without hitting a limit (SigQ %s)", queued, pending), map[string]any{"queued": queued})
}

// sigqueue is glibc's sigqueue(3): rt_sigqueueinfo with si_code SI_QUEUE, the sender's pid and uid
// and the value.
func sigqueue(pid, signal int, value int32) syscall.Errno {
	var info [128]byte // siginfo_t
	order := binary.NativeEndian
	order.PutUint32(info[0:], uint32(signal))
	order.PutUint32(info[8:], uint32(0xffffffff)) // SI_QUEUE (-1)
	order.PutUint32(info[16:], uint32(os.Getpid()))
	order.PutUint32(info[20:], uint32(os.Getuid()))
	order.PutUint32(info[24:], uint32(value)) // sival_int
	_, _, code := syscall.RawSyscall(syscall.SYS_RT_SIGQUEUEINFO, uintptr(pid), uintptr(signal), uintptr(unsafe.Pointer(&info[0])))
	return code
}

func currentThreadBlocks(signal int) bool {
	var mask uint64
	syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 0, 0, uintptrOf(&mask), 8, 0, 0)
	return mask&(1<<(signal-1)) != 0
}

// threadsNotBlocking names the threads (/proc/self/task/<tid>) whose SigBlk lacks the signal. A status
// without a SigBlk line (gVisor's procfs has none of the Sig* fields) cannot be checked: the thread then
// counts as blocking, as it inherited the mask the process was started with like every other thread.
func threadsNotBlocking(signal int) string {
	statuses, _ := filepath.Glob("/proc/self/task/*/status")
	var found []string
	for _, status := range statuses {
		field := readStatusField(status, "SigBlk")
		if field == "?" {
			continue
		}
		mask, err := strconv.ParseUint(field, 16, 64)
		if err != nil || mask&(1<<(signal-1)) == 0 {
			found = append(found, filepath.Base(filepath.Dir(status)))
		}
	}
	return strings.Join(found, ", ")
}
