package main

import (
	"bytes"
	"os"
	"strings"
	"syscall"
)

// kernel: what kernel the app sees, for the gvisor.kernel control in an app without a shell's uname
// and dmesg. Prints the uname(2) release on the first line and the first two lines of the kernel log
// (syslog(2), which gVisor's own kernel fills with "Starting gVisor...") on the second, joined by a
// space; the second line is empty when the log cannot be read (a host kernel refuses it to a
// non-root UID). Not an attack: the TS side decides the verdict.
func kernelInfo() {
	var name syscall.Utsname
	release := "?"
	if err := syscall.Uname(&name); err == nil {
		release = utsText(name.Release[:])
	} else if version, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		release = strings.TrimSpace(string(version))
	}
	log := ""
	buffer := make([]byte, 16*1024)
	const readAll = 3 // SYSLOG_ACTION_READ_ALL
	if n, err := syscall.Klogctl(readAll, buffer); err == nil && n > 0 {
		lines := strings.Split(strings.TrimSpace(string(buffer[:n])), "\n")
		if len(lines) > 2 {
			lines = lines[:2]
		}
		log = strings.Join(lines, " ")
	}
	os.Stdout.WriteString(release + "\n" + log + "\n")
}

// utsText reads a NUL-terminated uname field (int8 on amd64, uint8 on arm64).
func utsText[T int8 | uint8](field []T) string {
	raw := make([]byte, 0, len(field))
	for _, c := range field {
		raw = append(raw, byte(c))
	}
	if end := bytes.IndexByte(raw, 0); end >= 0 {
		raw = raw[:end]
	}
	return string(raw)
}
