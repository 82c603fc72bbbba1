# init_module(2) with a buffer that is not a module: EPERM/ENOSYS mean the call was refused before the
# loader ran; any other error means the kernel's module loader parsed it (CAP_SYS_MODULE is there).
image = ctypes.create_string_buffer(b"\x7fELF-not-a-module" + b"\0" * 64)
result, code = syscall("init_module", image, ctypes.c_ulong(80), b"")
name = "loaded?!" if result == 0 else errname(code)
if result != 0 and name in ("EPERM", "EACCES"):
    report("blocked", "init_module: %s" % name)
elif result != 0 and name == "ENOSYS":
    report("inconclusive", "init_module: ENOSYS (the kernel answering has no module loader)")
else:
    report("succeeded", "init_module reached the module loader: %s" % name)
