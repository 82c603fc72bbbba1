package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// proxy_request: sends one CONNECT host:port through the HTTP proxy and reports the proxy's status line.
func proxyRequest(a args) {
	host, port, method, target := a.text("proxy_host"), a.integer("proxy_port"), a.text("method"), a.text("target")
	timeout := seconds(a.numberOr("timeout", 10))
	status, err := proxyStatusLine(net.JoinHostPort(host, strconv.Itoa(port)), timeout, fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\n\r\n", method, target, target))
	if err != nil {
		report("inconclusive", fmt.Sprintf("proxy %s:%d: %s", host, port, errorName(err)), map[string]any{"status": -1})
		return
	}
	code := 0
	if strings.HasPrefix(status, "HTTP/") {
		if fields := strings.Split(status, " "); len(fields) > 1 {
			code, _ = strconv.Atoi(fields[1])
		}
	}
	shown := status
	if shown == "" {
		shown = "(no answer)"
	}
	report("inconclusive", fmt.Sprintf("%s %s via %s:%d → %s", method, target, host, port, shown), map[string]any{"status": code})
}

// proxyStatusLine sends the request and returns the first line of the first chunk of the answer.
func proxyStatusLine(address string, timeout time.Duration, request string) (string, error) {
	conn, err := net.DialTimeout("tcp", address, timeout)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write([]byte(request)); err != nil {
		return "", err
	}
	buffer := make([]byte, 4096)
	n, err := conn.Read(buffer)
	if n == 0 && err != nil && !isEOF(err) {
		return "", err
	}
	return strings.SplitN(latin1(buffer[:n]), "\r\n", 2)[0], nil
}
