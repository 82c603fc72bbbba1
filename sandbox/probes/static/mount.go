package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

const probeMountPoint = "/tmp/platform-probe-mnt"

// mount: mount(2) a tmpfs, and unshare(2) a user+mount namespace (the unprivileged route to mount).
func mountProbe(args) {
	if err := os.MkdirAll(probeMountPoint, 0o777); err != nil {
		fail("mount: cannot create %s: %s", probeMountPoint, errorName(err))
	}
	mounted := mountTmpfs(probeMountPoint)
	mountText := "mounted"
	if mounted != 0 {
		mountText = errname(mounted)
	}
	unshared := unshareUserMount()
	unshareText := "created"
	if unshared != 0 {
		unshareText = errname(unshared)
	}
	seccomp := readStatusField("/proc/self/status", "Seccomp")
	attack := "blocked"
	if mounted == 0 || unshared == 0 {
		attack = "succeeded"
	}
	report(attack, fmt.Sprintf("mount tmpfs: %s; unshare(NEWUSER|NEWNS): %s; seccomp mode %s", mountText, unshareText, seccomp), map[string]any{"mounted": mounted == 0, "unshared": unshared == 0})
}

// mountTmpfs is mount("none", target, "tmpfs", 0, NULL): 0 or the errno.
func mountTmpfs(target string) syscall.Errno {
	source, _ := syscall.BytePtrFromString("none")
	where, _ := syscall.BytePtrFromString(target)
	kind, _ := syscall.BytePtrFromString("tmpfs")
	_, _, code := syscall.Syscall6(syscall.SYS_MOUNT, uintptr(unsafe.Pointer(source)), uintptr(unsafe.Pointer(where)), uintptr(unsafe.Pointer(kind)), 0, 0, 0)
	return code
}

// unshareUserMount calls unshare(CLONE_NEWUSER|CLONE_NEWNS) in a child, as the script does: 0 or the
// errno. The kernel refuses a new user namespace to a multi-threaded caller, and a Go process has
// threads from its start, so the call is made by Go's fork/exec in the single-threaded child between
// fork and exec (SysProcAttr.Unshareflags), where an error comes back as the start's error. Go then
// marks / private in the new mount namespace, which the owner of a new user namespace may always do.
func unshareUserMount() syscall.Errno {
	pid, err := spawnSelf(openDevNull(), &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS}, "sleep", "0")
	if err != nil {
		if code, ok := errnoOf(err); ok {
			return code
		}
		fail("mount: cannot start the unshare child: %v", err)
	}
	reap(pid)
	return 0
}
