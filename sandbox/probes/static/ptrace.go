package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
)

// ptrace: finds a victim process (started by the sandbox in another app) by a nonce in its command
// line, and tries to PTRACE_ATTACH to it.
func ptraceProbe(a args) {
	nonce := []byte(a.text("nonce"))
	victim := 0
	for _, pid := range visiblePids(1 << 30) {
		if pid == os.Getpid() {
			continue // its own command line carries the nonce too (in the JSON argument)
		}
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err == nil && bytes.Contains(cmdline, nonce) {
			victim = pid
			break
		}
	}
	if victim == 0 {
		report("blocked", "the victim process is not visible (own PID namespace)", nil)
		return
	}
	// a tracee belongs to the thread that attached: attach and detach from the same one
	runtime.LockOSThread()
	const attach, detach = 16, 17 // PTRACE_ATTACH, PTRACE_DETACH
	if _, _, code := syscall.Syscall6(syscall.SYS_PTRACE, attach, uintptr(victim), 0, 0, 0, 0); code != 0 {
		report("blocked", fmt.Sprintf("victim pid %d visible, PTRACE_ATTACH: %s", victim, errname(code)), nil)
		return
	}
	time.Sleep(200 * time.Millisecond)
	syscall.Syscall6(syscall.SYS_PTRACE, detach, uintptr(victim), 0, 0, 0, 0)
	report("succeeded", fmt.Sprintf("attached to victim pid %d with ptrace", victim), nil)
}
