// Command tinyprog is the single program of the dockertest tiny image. It is
// compiled statically (CGO_ENABLED=0) and copied into a FROM scratch image;
// its behaviour is chosen by its arguments:
//
//	print <text>...     write the texts, space-separated, and a newline to stdout
//	stderr <text>...    the same on stderr
//	sleep <duration>    sleep (Go duration, e.g. 30s); SIGTERM/SIGINT end it with code 143
//	spam <bytes>        write exactly that many bytes to stdout (lines of 'x')
//	exit <code>         exit with that code (0-255)
//	id                  print "uid=<uid> gid=<gid> groups=<g1,g2>"
//	ls <dir>            print the directory's entry names, one per line
//	cat <file>          copy the file to stdout
//	write <file> <text> create or truncate the file and write the text to it
//
// Unknown commands and bad arguments exit with code 2.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: tiny print|stderr|sleep|spam|exit|id|ls|cat|write ...")
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "print":
		fmt.Fprintln(stdout, strings.Join(rest, " "))
		return 0
	case "stderr":
		fmt.Fprintln(stderr, strings.Join(rest, " "))
		return 0
	case "sleep":
		if len(rest) != 1 {
			return usage(stderr, "sleep <duration>")
		}
		d, err := time.ParseDuration(rest[0])
		if err != nil || d < 0 {
			return usage(stderr, "sleep <duration>")
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		select {
		case <-time.After(d):
			return 0
		case <-sig:
			return 143
		}
	case "spam":
		if len(rest) != 1 {
			return usage(stderr, "spam <bytes>")
		}
		n, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil || n < 0 {
			return usage(stderr, "spam <bytes>")
		}
		return spam(stdout, stderr, n)
	case "exit":
		if len(rest) != 1 {
			return usage(stderr, "exit <code>")
		}
		code, err := strconv.Atoi(rest[0])
		if err != nil || code < 0 || code > 255 {
			return usage(stderr, "exit <code 0-255>")
		}
		return code
	case "id":
		groups, _ := os.Getgroups()
		gs := make([]string, len(groups))
		for i, g := range groups {
			gs[i] = strconv.Itoa(g)
		}
		fmt.Fprintf(stdout, "uid=%d gid=%d groups=%s\n", os.Getuid(), os.Getgid(), strings.Join(gs, ","))
		return 0
	case "ls":
		if len(rest) != 1 {
			return usage(stderr, "ls <dir>")
		}
		entries, err := os.ReadDir(rest[0])
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		for _, e := range entries {
			fmt.Fprintln(stdout, e.Name())
		}
		return 0
	case "cat":
		if len(rest) != 1 {
			return usage(stderr, "cat <file>")
		}
		f, err := os.Open(rest[0])
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer f.Close()
		if _, err := io.Copy(stdout, f); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	case "write":
		if len(rest) != 2 {
			return usage(stderr, "write <file> <text>")
		}
		if err := os.WriteFile(rest[0], []byte(rest[1]), 0o644); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n", cmd)
	return 2
}

func usage(stderr io.Writer, s string) int {
	fmt.Fprintln(stderr, "usage: tiny "+s)
	return 2
}

func spam(stdout, stderr io.Writer, n int64) int {
	line := []byte(strings.Repeat("x", 63) + "\n")
	for n > 0 {
		chunk := line
		if n < int64(len(chunk)) {
			chunk = chunk[:n]
		}
		w, err := stdout.Write(chunk)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		n -= int64(w)
	}
	return 0
}
