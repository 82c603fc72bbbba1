package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// nodeFixture is the Swarm sandbox's stand-in on one node's host (sandbox/swarm/node-fixtures.ts),
// run in a container on the host's network with the host's /tmp bound at args.tmp:
//   - <tmp>/<dir>/host-marker, the nonce (0644): what breakout.host-paths tries to read from an app task
//   - <tmp>/<dir>/probe/platform-probe, a copy of this executable (0755): the source of the app tasks'
//     read-only /opt/platform-probe bind, which must exist on whichever node a task lands
//   - a TCP listener on 0.0.0.0:<port> of the host: what lateral.host-services tries to reach
//
// It prints "ready" once all three are in place; on SIGTERM it removes <tmp>/<dir> and exits 0.
func nodeFixture() {
	var a struct {
		Tmp   string `json:"tmp"`
		Dir   string `json:"dir"`
		Nonce string `json:"nonce"`
		Port  int    `json:"port"`
	}
	if len(os.Args) < 3 || json.Unmarshal([]byte(os.Args[2]), &a) != nil || a.Tmp == "" || a.Dir == "" || filepath.Base(a.Dir) != a.Dir || a.Nonce == "" || a.Port < 1 || a.Port > 65535 {
		fail(`node-fixture: usage: node-fixture '{"tmp": "/node-tmp", "dir": "<name>", "nonce": "<text>", "port": <1-65535>}'`)
	}
	// asked to stop before "ready": the directory still goes
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	dir := filepath.Join(a.Tmp, a.Dir)
	if err := placeFiles(dir, a.Nonce); err != nil {
		removeAndFail(dir, "node-fixture: %s", err)
	}
	listener, err := net.Listen("tcp4", net.JoinHostPort("0.0.0.0", strconv.Itoa(a.Port)))
	if err != nil {
		removeAndFail(dir, "node-fixture: listen on port %d: %s", a.Port, errorName(err))
	}
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			conn.SetWriteDeadline(time.Now().Add(time.Second))
			conn.Write([]byte("platform-sandbox-host\n"))
			conn.Close()
		}
	}()
	fmt.Println("ready")
	<-stop
	listener.Close()
	if err := os.RemoveAll(dir); err != nil {
		fail("node-fixture: removing %s: %s", dir, err)
	}
	fmt.Println("removed")
}

// removeAndFail takes the files away before failing, and says so as a stop would ("removed").
func removeAndFail(dir, format string, values ...any) {
	if os.RemoveAll(dir) == nil {
		fmt.Println("removed")
	}
	fail(format, values...)
}

// placeFiles writes the marker and the probe's copy, with their modes whatever the umask.
func placeFiles(dir, nonce string) error {
	if err := os.MkdirAll(filepath.Join(dir, "probe"), 0o755); err != nil {
		return err
	}
	for _, d := range []string{dir, filepath.Join(dir, "probe")} {
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	if err := writeFile(filepath.Join(dir, "host-marker"), 0o644, func(w io.Writer) error { _, err := io.WriteString(w, nonce+"\n"); return err }); err != nil {
		return err
	}
	self, err := os.Open("/proc/self/exe")
	if err != nil {
		return err
	}
	defer self.Close()
	return writeFile(filepath.Join(dir, "probe", "platform-probe"), 0o755, func(w io.Writer) error { _, err := io.Copy(w, self); return err })
}

func writeFile(path string, mode os.FileMode, fill func(io.Writer) error) error {
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if err := fill(file); err != nil {
		file.Close()
		return err
	}
	if err := file.Chmod(mode); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}
