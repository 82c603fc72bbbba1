# mount(2) a tmpfs, and unshare(2) a user+mount namespace (the unprivileged route to mount).
os.makedirs("/tmp/platform-probe-mnt", exist_ok=True)
result, code = syscall("mount", b"none", b"/tmp/platform-probe-mnt", b"tmpfs", 0, None)
mount = "mount tmpfs: %s" % ("mounted" if result == 0 else errname(code))
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
pid = os.fork()
if pid == 0:
    result, code = syscall("unshare", CLONE_NEWUSER | CLONE_NEWNS)
    os._exit(0 if result == 0 else min(code, 250))
_, status = os.waitpid(pid, 0)
code = os.WEXITSTATUS(status)
unshare = "unshare(NEWUSER|NEWNS): %s" % ("created" if code == 0 else errname(code))
with open("/proc/self/status") as status:
    seccomp = next((line.split()[1] for line in status if line.startswith("Seccomp:")), "?")
report("succeeded" if "mounted" in mount or "created" in unshare else "blocked", "%s; %s; seccomp mode %s" % (mount, unshare, seccomp), mounted="mounted" in mount, unshared="created" in unshare)
