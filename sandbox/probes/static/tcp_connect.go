package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// tcp_connect: connects to each target (host, port) with a timeout. A refused connection still proves
// the address is reachable; only silence or an unreachable route means it is not.
func tcpConnect(a args) {
	targets, ok := a["targets"].([]any)
	if !ok {
		panic(usageError(`argument "targets": a list of [host, port] is required`))
	}
	timeout := seconds(a.numberOr("timeout", 3))
	var outcomes []string
	reached := false
	for _, entry := range targets {
		pair, _ := entry.([]any)
		if len(pair) != 2 {
			panic(usageError(fmt.Sprintf("targets: %s is not [host, port]", jsonText(entry))))
		}
		host, hostOK := pair[0].(string)
		port, portOK := pair[1].(float64)
		if !hostOK || !portOK {
			panic(usageError(fmt.Sprintf("targets: %s is not [host, port]", jsonText(entry))))
		}
		label := fmt.Sprintf("%s:%d", host, int(port))
		conn, err := net.DialTimeout("tcp4", net.JoinHostPort(host, strconv.Itoa(int(port))), timeout)
		switch {
		case err == nil:
			conn.Close()
			outcomes = append(outcomes, label+" connected")
			reached = true
		case isTimeout(err):
			outcomes = append(outcomes, label+" timed out")
		default:
			name := errorName(err)
			outcomes = append(outcomes, label+" "+name)
			if name == "ECONNREFUSED" {
				reached = true
			}
		}
	}
	attack := "blocked"
	if reached {
		attack = "succeeded"
	}
	report(attack, strings.Join(outcomes, "; "), nil)
}
