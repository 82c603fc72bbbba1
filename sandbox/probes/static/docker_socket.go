package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// docker_socket: looks for a container-engine API socket and asks it for its version.
func dockerSocket(args) {
	var found []string
	for _, path := range []string{"/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock", "/var/run/docker/docker.sock"} {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		reply, err := askVersion(path)
		if err != nil {
			found = append(found, fmt.Sprintf("%s: %s", path, errorName(err)))
			continue
		}
		if strings.Contains(reply, "ApiVersion") {
			report("succeeded", fmt.Sprintf("%s answered: %s", path, strings.SplitN(reply, "\r\n", 2)[0]), nil)
			return
		}
		found = append(found, path+": connected, no API answer")
	}
	if len(found) == 0 {
		report("blocked", "no engine socket in the container", nil)
		return
	}
	report("blocked", strings.Join(found, "; "), nil)
}

// askVersion sends GET /version and returns the first chunk of the answer (one recv, as the script).
func askVersion(path string) (string, error) {
	conn, err := net.DialTimeout("unix", path, 3*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := conn.Write([]byte("GET /version HTTP/1.0\r\nHost: docker\r\n\r\n")); err != nil {
		return "", err
	}
	buffer := make([]byte, 4096)
	n, err := conn.Read(buffer)
	if n == 0 && err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return latin1(buffer[:n]), nil
}

// latin1 decodes bytes as ISO-8859-1 (every byte one character), as the scripts' .decode("latin-1").
func latin1(data []byte) string {
	runes := make([]rune, len(data))
	for i, b := range data {
		runes[i] = rune(b)
	}
	return string(runes)
}
