package main

import (
	"net"
	"os"
	"strconv"
	"time"
)

// listen <port> <seconds>: the victim side of lateral.other-app in an app without python3. It accepts
// connections on every address of the container for the given time and answers each with one line, so
// that the attacker's connection would prove the other app reachable. It prints nothing itself: the
// verdict is the attacker's.
func listenVictim() {
	if len(os.Args) < 4 {
		fail("listen: usage: listen <port> <seconds>")
	}
	port, err := strconv.Atoi(os.Args[2])
	if err != nil || port < 1 || port > 65535 {
		fail("listen: port must be 1-65535, got %q", os.Args[2])
	}
	os.Args = append(os.Args[:2], os.Args[3:]...) // childSeconds reads os.Args[2]
	end := time.Now().Add(seconds(childSeconds()))
	listener, err := net.Listen("tcp4", net.JoinHostPort("0.0.0.0", strconv.Itoa(port)))
	if err != nil {
		fail("listen: %s", errorName(err))
	}
	defer listener.Close()
	tcp := listener.(*net.TCPListener)
	for time.Now().Before(end) {
		tcp.SetDeadline(time.Now().Add(time.Second)) // wake up every second to honour the end time
		conn, err := tcp.Accept()
		if err != nil {
			continue
		}
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		conn.Write([]byte("victim\n"))
		conn.Close()
	}
}
