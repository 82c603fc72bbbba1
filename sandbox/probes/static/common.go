package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// report prints the one JSON line a probe ends with, as _common.py's report does:
// {"attack": "succeeded" | "blocked" | "inconclusive", "evidence": "...", ...details}.
func report(attack, evidence string, details map[string]any) {
	var line bytes.Buffer
	line.WriteString("{")
	write := func(key string, value any) {
		if line.Len() > 1 {
			line.WriteString(", ")
		}
		line.WriteString(jsonText(key) + ": " + jsonText(value))
	}
	write("attack", attack)
	write("evidence", evidence)
	keys := make([]string, 0, len(details))
	for key := range details {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		write(key, details[key])
	}
	line.WriteString("}\n")
	os.Stdout.Write(line.Bytes())
}

func jsonText(value any) string {
	var out bytes.Buffer
	encoder := json.NewEncoder(&out)
	encoder.SetEscapeHTML(false) // evidence is read by people and by JSON.parse, not by a browser
	if err := encoder.Encode(value); err != nil {
		return strconv.Quote(fmt.Sprintf("unencodable: %v", err))
	}
	return strings.TrimSuffix(out.String(), "\n")
}

// progress writes one line on stderr at once (the TS side reads some of them, e.g. memory_hog's).
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

// errname is _common.py's errname: the errno's symbolic name, or its number.
func errname(code syscall.Errno) string {
	if name, ok := errnoNames[int(code)]; ok {
		return name
	}
	return strconv.Itoa(int(code))
}

// errnoOf finds the errno inside an error from the standard library (os, net, syscall).
func errnoOf(err error) (syscall.Errno, bool) {
	var code syscall.Errno
	if errors.As(err, &code) {
		return code, true
	}
	return 0, false
}

func isTimeout(err error) bool {
	var timeout interface{ Timeout() bool }
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &timeout) && timeout.Timeout())
}

// errorName is how the Python probes name an OSError: errname(errno), or Python's text for a socket
// timeout ("timed out"), or the error's own text when it carries no errno.
func errorName(err error) string {
	if code, ok := errnoOf(err); ok {
		return errname(code)
	}
	if isTimeout(err) {
		return "timed out"
	}
	return err.Error()
}

// args is the probe's one JSON argument (the Python scripts' ARGS).
type args map[string]any

// usageError ends a probe without a report, as a Python script ends on a missing ARGS key.
type usageError string

func (a args) has(key string) bool {
	_, ok := a[key]
	return ok
}

func (a args) number(key string) float64 {
	value, ok := a[key].(float64)
	if !ok {
		panic(usageError(fmt.Sprintf("argument %q: a number is required, got %s", key, jsonText(a[key]))))
	}
	return value
}

func (a args) numberOr(key string, fallback float64) float64 {
	if !a.has(key) {
		return fallback
	}
	return a.number(key)
}

func (a args) integer(key string) int { return int(a.number(key)) }

func (a args) text(key string) string {
	value, ok := a[key].(string)
	if !ok {
		panic(usageError(fmt.Sprintf("argument %q: a string is required, got %s", key, jsonText(a[key]))))
	}
	return value
}

func (a args) textOr(key, fallback string) string {
	if value, ok := a[key].(string); ok && value != "" {
		return value
	}
	return fallback
}

func seconds(value float64) time.Duration { return time.Duration(value * float64(time.Second)) }

// unixSeconds is Python's time.time().
func unixSeconds(at time.Time) float64 { return float64(at.UnixNano()) / 1e9 }

// readStatusField reads one field of /proc/self/status ("Seccomp", "SigQ"), "?" when it cannot.
func readStatusField(path, field string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			if parts := strings.Fields(line); len(parts) > 1 {
				return parts[1]
			}
		}
	}
	return "?"
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) }

func uintptrOf[T any](value *T) uintptr { return uintptr(unsafe.Pointer(value)) }
