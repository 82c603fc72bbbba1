// platform-probe: the sandbox's attack probes (sandbox/probes/py/*.py) as one static executable, so they
// run in any app image (busybox, Alpine, distroless without a shell or python3). Usage:
//
//	platform-probe <probe> '<json arguments>'
//
// Each probe takes the same JSON object as its Python script's ARGS and prints the same single JSON line
// on stdout. Two more subcommands serve the probes' own child processes, which re-execute this file
// (/proc/self/exe) so that the image needs no /bin/sleep: `spin <seconds>` (a CPU hog's worker) and
// `sleep <seconds> [tag...]` (the mount probe's unshare child; also the ptrace probe's victim process,
// named by its tag). Two serve the TS side where an app has no python3 or shell: `listen <port>
// <seconds>` (lateral.other-app's victim listener) and `kernel` (gvisor.kernel's uname and kernel log).
// `node-fixture '<json>'` is the Swarm sandbox's stand-in on a node's host (node_fixture.go).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"syscall"
	"time"
)

var probes = map[string]func(args){
	"cpu_hog":         cpuHog,
	"cpu_task":        cpuTask,
	"docker_socket":   dockerSocket,
	"fork_bomb":       forkBomb,
	"gateway_request": gatewayRequest,
	"host_paths":      hostPaths,
	"kernel_module":   kernelModule,
	"memory_hog":      memoryHog,
	"mount":           mountProbe,
	"proxy_request":   proxyRequest,
	"ptrace":          ptraceProbe,
	"raw_socket":      rawSocket,
	"rootfs_write":    rootfsWrite,
	"setuid":          setuidProbe,
	"signal_queue":    signalQueue,
	"tcp_connect":     tcpConnect,
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: platform-probe <probe> '<json arguments>'; probes: %v", probeNames())
	}
	switch os.Args[1] {
	case "sleep":
		time.Sleep(seconds(childSeconds()))
		return
	case "spin":
		spin(seconds(childSeconds()))
		return
	case "listen":
		listenVictim()
		return
	case "kernel":
		kernelInfo()
		return
	case "node-fixture":
		nodeFixture()
		return
	}
	probe, ok := probes[os.Args[1]]
	if !ok {
		fail("unknown probe %q; probes: %v", os.Args[1], probeNames())
	}
	arguments := args{}
	if len(os.Args) > 2 {
		if err := json.Unmarshal([]byte(os.Args[2]), &arguments); err != nil {
			fail("%s: the argument must be one JSON object: %v", os.Args[1], err)
		}
	}
	defer func() {
		if problem := recover(); problem != nil {
			if usage, ok := problem.(usageError); ok {
				fail("%s: %s", os.Args[1], string(usage))
			}
			panic(problem)
		}
	}()
	probe(arguments)
}

func probeNames() []string {
	names := make([]string, 0, len(probes))
	for name := range probes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// fail ends the probe without a report (the TS side then describes the exit and stderr).
func fail(format string, values ...any) {
	fmt.Fprintf(os.Stderr, "platform-probe: "+format+"\n", values...)
	os.Exit(2)
}

func childSeconds() float64 {
	if len(os.Args) < 3 {
		fail("%s: seconds required", os.Args[1])
	}
	value, err := strconv.ParseFloat(os.Args[2], 64)
	if err != nil || value < 0 {
		fail("%s: seconds must be a non-negative number, got %q", os.Args[1], os.Args[2])
	}
	return value
}

// spin keeps one CPU busy until the time is up (a CPU hog's worker).
func spin(duration time.Duration) {
	end := time.Now().Add(duration)
	for time.Now().Before(end) {
	}
}

// openDevNull opens /dev/null for children's standard streams (closed in them when it cannot).
func openDevNull() uintptr {
	fd, err := syscall.Open("/dev/null", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return ^uintptr(0) // the child then starts with closed descriptors; Go's runtime opens /dev/null itself
	}
	return uintptr(fd)
}

// spawnSelf starts this executable again as a child (`sleep`, `spin`), with /dev/null for its
// standard streams. GOMAXPROCS=1 keeps each child to the fewest threads Go allows (its main thread and
// the runtime's monitor): every thread counts against the UID's nproc limit.
func spawnSelf(null uintptr, attr *syscall.SysProcAttr, arguments ...string) (int, error) {
	return syscall.ForkExec("/proc/self/exe", append([]string{"platform-probe"}, arguments...), &syscall.ProcAttr{
		Env:   append(os.Environ(), "GOMAXPROCS=1"),
		Files: []uintptr{null, null, null},
		Sys:   attr,
	})
}

// reap waits for a child (EINTR retried), returning its wait status.
func reap(pid int) (syscall.WaitStatus, error) {
	var status syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &status, 0, nil)
		if err != syscall.EINTR {
			return status, err
		}
	}
}
