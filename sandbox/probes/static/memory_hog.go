package main

import "fmt"

var hogBlocks [][]byte // held until the end (or the OOM kill)

// memory_hog: allocates and touches memory in 16 MiB steps up to a cap, printing progress; an OOM kill
// ends it.
func memoryHog(a args) {
	capMB := a.integer("cap_mb")
	const step = 16
	allocated := 0
	for allocated+step <= capMB {
		block := make([]byte, step*1024*1024)
		for i := 0; i < len(block); i += 4096 {
			block[i] = 1
		}
		hogBlocks = append(hogBlocks, block)
		allocated += step
		progress("allocated %d", allocated)
	}
	report("succeeded", fmt.Sprintf("allocated %d MiB without being stopped", allocated), map[string]any{"allocated_mb": allocated})
}
