# Prepended to every probe script. A probe prints exactly one JSON line on stdout:
#   {"attack": "succeeded" | "blocked" | "inconclusive", "evidence": "...", ...details}
import ctypes, errno, json, os, platform, sys

def report(attack, evidence, **details):
    sys.stdout.write(json.dumps(dict(attack=attack, evidence=evidence, **details)) + "\n")
    sys.stdout.flush()

def errname(code):
    return errno.errorcode.get(code, str(code))

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

# syscall numbers of the two architectures Debian's Docker runs on here
SYSCALLS = {
    "x86_64": {"init_module": 175, "mount": 165, "unshare": 272, "ptrace": 101},
    "aarch64": {"init_module": 105, "mount": 40, "unshare": 97, "ptrace": 117},
}[platform.machine()]

def syscall(name, *args):
    result = libc.syscall(SYSCALLS[name], *args)
    return result, (ctypes.get_errno() if result == -1 else 0)

ARGS = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
