package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// host_paths: tries to read a marker file the sandbox placed on the host, through the routes a
// container could have: the path itself, a /host mount, and the root of every process it can see
// (/proc/<pid>/root, which reaches the host's filesystem when the container shares the host's PID
// namespace).
func hostPaths(a args) {
	path, nonce := a.text("path"), a.text("nonce")
	routes := []string{path, "/host" + path}
	for _, pid := range visiblePids(4000) {
		routes = append(routes, fmt.Sprintf("/proc/%d/root%s", pid, path))
	}
	var tried []string
	for _, route := range routes {
		content, err := os.ReadFile(route)
		if err != nil {
			if len(tried) < 3 {
				tried = append(tried, fmt.Sprintf("%s: %s", route, errorName(err)))
			}
			continue
		}
		if strings.Contains(string(content), nonce) {
			report("succeeded", "read the host's marker through "+route, nil)
			return
		}
		tried = append(tried, route+": readable, no marker")
	}
	report("blocked", fmt.Sprintf("%d routes tried, none reached the host file (%s)", len(routes), strings.Join(tried, "; ")), nil)
}

// visiblePids lists the processes in /proc in numeric order, at most limit of them.
func visiblePids(limit int) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, entry := range entries {
		if pid, err := strconv.Atoi(entry.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	if len(pids) > limit {
		pids = pids[:limit]
	}
	return pids
}
