package main

import (
	"syscall"
	"unsafe"
)

// kernel_module: init_module(2) with a buffer that is not a module: EPERM/ENOSYS mean the call was
// refused before the loader ran; any other error means the kernel's module loader parsed it
// (CAP_SYS_MODULE is there).
func kernelModule(args) {
	image := append([]byte("\x7fELF-not-a-module"), make([]byte, 65)...) // as the script's 82-byte buffer
	params := []byte{0}
	result, _, code := syscall.Syscall(syscall.SYS_INIT_MODULE, uintptr(unsafe.Pointer(&image[0])), 80, uintptr(unsafe.Pointer(&params[0])))
	name := "loaded?!"
	if result != 0 {
		name = errname(code)
	}
	switch {
	case result != 0 && (name == "EPERM" || name == "EACCES"):
		report("blocked", "init_module: "+name, nil)
	case result != 0 && name == "ENOSYS":
		report("inconclusive", "init_module: ENOSYS (the kernel answering has no module loader)", nil)
	default:
		report("succeeded", "init_module reached the module loader: "+name, nil)
	}
}
