package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// setuid: runs a setuid-root binary as a non-root user: under no-new-privileges it must not gain euid 0.
func setuidProbe(a args) {
	binary := a.text("binary")
	if _, err := os.Stat(binary); err != nil {
		report("inconclusive", binary+" is not in this image", nil)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	command := exec.CommandContext(ctx, binary, "-u")
	if os.Geteuid() == 0 { // the negative control runs as root: become an ordinary user first
		command.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}}
	}
	var stdout, stderr bytes.Buffer
	command.Stdout, command.Stderr = &stdout, &stderr
	err := command.Run()
	if ctx.Err() != nil {
		fail("setuid: %s -u did not finish within 10 s", binary)
	}
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		fail("setuid: cannot run %s: %s", binary, errorName(err))
	}
	euid := strings.TrimSpace(stdout.String())
	caller := strconv.Itoa(os.Geteuid())
	if os.Geteuid() == 0 {
		caller = "65534"
	}
	if euid == "0" {
		report("succeeded", fmt.Sprintf("setuid-root %s ran with euid 0 (caller uid %s)", binary, caller), nil)
		return
	}
	if euid == "" {
		euid = strings.TrimSpace(stderr.String())
	}
	report("blocked", fmt.Sprintf("setuid-root %s ran with euid %s (caller uid %s): no privilege gained", binary, euid, caller), nil)
}
