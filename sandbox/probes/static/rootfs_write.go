package main

import (
	"fmt"
	"os"
	"strings"
)

// rootfs_write: tries to create and modify files on the root filesystem.
func rootfsWrite(args) {
	var results []string
	written := false
	for _, target := range []struct {
		path  string
		flags int
	}{
		{"/platform-probe-write", os.O_WRONLY | os.O_CREATE | os.O_TRUNC},
		{"/etc/passwd", os.O_WRONLY | os.O_CREATE | os.O_APPEND},
		{"/usr/bin/platform-probe", os.O_WRONLY | os.O_CREATE | os.O_TRUNC},
	} {
		file, err := os.OpenFile(target.path, target.flags, 0o666)
		if err != nil {
			results = append(results, fmt.Sprintf("%s: %s", target.path, errorName(err)))
			continue
		}
		file.Close()
		results = append(results, target.path+": written")
		written = true
	}
	attack := "blocked"
	if written {
		attack = "succeeded"
	}
	report(attack, strings.Join(results, "; "), nil)
}
