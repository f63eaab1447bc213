package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/safedocker"
)

// Exit statuses.
const (
	exitAllowed    = 0
	exitDenied     = 1
	exitUnreadable = 2
)

// maxLine bounds one input line.
const maxLine = 16 << 20

// bindFlags collects repeated --allow-bind values.
type bindFlags []policy.BindRoot

func (b *bindFlags) String() string {
	parts := make([]string, len(*b))
	for i, r := range *b {
		parts[i] = r.Path
		if r.Writable {
			parts[i] += ":rw"
		}
	}
	return strings.Join(parts, ",")
}

func (b *bindFlags) Set(s string) error {
	r := policy.BindRoot{Path: s}
	switch {
	case strings.HasSuffix(s, ":rw"):
		r = policy.BindRoot{Path: strings.TrimSuffix(s, ":rw"), Writable: true}
	case strings.HasSuffix(s, ":ro"):
		r.Path = strings.TrimSuffix(s, ":ro")
	}
	if !path.IsAbs(r.Path) {
		return fmt.Errorf("bind root %q is not an absolute path", r.Path)
	}
	*b = append(*b, r)
	return nil
}

// envelope is one input line. Only these fields are read.
type envelope struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body"`
}

// result is one output line.
type result struct {
	ID          json.RawMessage `json:"id"`
	Allowed     bool            `json:"allowed"`
	Unsupported bool            `json:"unsupported,omitempty"`
	Error       string          `json:"error,omitempty"`
	Findings    []finding       `json:"findings"`
}

type finding struct {
	Check   string `json:"check"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

type checker struct {
	ev     *policy.Evaluator
	text   bool
	out    *bufio.Writer
	stderr io.Writer
	denied bool // some request was denied or not judged
	broken bool // some input could not be read
}

// run is the whole program; main only wires the process to it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("policycheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := fs.String("level", "baseline", "policy level: baseline or restricted")
	format := fs.String("format", "json", "output format: json or text (text adds remediation)")
	var binds bindFlags
	fs.Var(&binds, "allow-bind", "allow read-only bind mounts under `PATH` (PATH:rw allows writable ones); repeatable")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: policycheck [flags] [file.jsonl ...]  (reads standard input without files)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitAllowed
		}
		return exitUnreadable
	}
	var lvl policy.Level
	switch strings.ToLower(*level) {
	case "baseline":
		lvl = policy.LevelBaseline
	case "restricted":
		lvl = policy.LevelRestricted
	default:
		fmt.Fprintf(stderr, "policycheck: --level must be baseline or restricted, not %q\n", *level)
		return exitUnreadable
	}
	if *format != "json" && *format != "text" {
		fmt.Fprintf(stderr, "policycheck: --format must be json or text, not %q\n", *format)
		return exitUnreadable
	}
	ev, err := policy.New(policy.Config{Level: lvl, Exceptions: policy.Exceptions{BindRoots: binds}})
	if err != nil {
		fmt.Fprintf(stderr, "policycheck: %v\n", err)
		return exitUnreadable
	}
	c := &checker{ev: ev, text: *format == "text", out: bufio.NewWriter(stdout), stderr: stderr}
	if fs.NArg() == 0 {
		c.input(ctx, "stdin", stdin)
	}
	for _, name := range fs.Args() {
		if ctx.Err() != nil {
			break
		}
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "policycheck: %v\n", err)
			c.broken = true
			continue
		}
		c.input(ctx, name, f)
		f.Close()
	}
	if err := c.out.Flush(); err != nil {
		fmt.Fprintf(stderr, "policycheck: writing output: %v\n", err)
		return exitUnreadable
	}
	switch {
	case c.broken || ctx.Err() != nil:
		return exitUnreadable
	case c.denied:
		return exitDenied
	}
	return exitAllowed
}

// input judges every line of r.
func (c *checker) input(ctx context.Context, name string, r io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	for lineNo := 1; ; lineNo++ {
		if ctx.Err() != nil {
			return
		}
		line, tooLong, err := readLine(br)
		where := name + ":" + strconv.Itoa(lineNo)
		switch {
		case tooLong:
			c.broken = true
			c.write(result{ID: json.RawMessage("null"), Error: where + ": line longer than 16 MiB", Findings: []finding{}}, nil)
		case len(bytes.TrimSpace(line)) > 0:
			c.line(where, line)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintf(c.stderr, "policycheck: %s: %v\n", where, err)
				c.broken = true
			}
			return
		}
	}
}

// readLine returns the next line without its newline. A line longer than
// maxLine is consumed and reported as tooLong.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > maxLine {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimSuffix(line, []byte("\n")), tooLong, err
	}
}

// line judges one input line and writes its result.
func (c *checker) line(where string, line []byte) {
	res := result{ID: json.RawMessage("null"), Findings: []finding{}}
	var env envelope
	if err := json.Unmarshal(line, &env); err != nil {
		res.Error = where + ": not a JSON envelope: " + clip(err.Error(), 200)
	} else if env.Method == "" || env.Path == "" {
		res.Error = where + ": envelope lacks \"method\" or \"path\""
	}
	if len(env.ID) > 0 {
		res.ID = env.ID
	}
	if res.Error != "" {
		c.broken = true
		c.write(res, nil)
		return
	}
	v, err := safedocker.JudgeRequest(c.ev, safedocker.RawRequest{Method: env.Method, Path: env.Path, Body: env.Body})
	switch {
	case errors.Is(err, safedocker.ErrUnsupportedRequest):
		res.Unsupported = true
		res.Findings = append(res.Findings, finding{Check: "unsupported", Field: "path", Message: "endpoint not judged by policycheck: " + env.Method + " " + clip(env.Path, 128)})
	case err != nil:
		res.Error = where + ": " + err.Error()
		c.broken = true
	default:
		res.Allowed = v.Allowed
		for _, f := range v.Findings {
			msg := f.Reason
			if f.Value != "" {
				msg = strconv.Quote(f.Value) + ": " + f.Reason
			}
			res.Findings = append(res.Findings, finding{Check: string(f.Check), Field: f.Field, Message: msg})
		}
	}
	if !res.Allowed {
		c.denied = true
	}
	c.write(res, v.Findings)
}

// write emits one result in the chosen format; full carries the remediation
// for the text format.
func (c *checker) write(res result, full []policy.Finding) {
	if !c.text {
		b, err := json.Marshal(res)
		if err != nil { // cannot happen: every field is marshalable
			b = []byte(`{"id":null,"allowed":false,"error":"policycheck: cannot encode result","findings":[]}`)
		}
		c.out.Write(b)
		c.out.WriteByte('\n')
		return
	}
	id := string(res.ID)
	var s string
	if json.Unmarshal(res.ID, &s) == nil {
		id = s
	}
	switch {
	case res.Error != "":
		fmt.Fprintf(c.out, "%s: ERROR %s\n", id, res.Error)
	case res.Allowed:
		fmt.Fprintf(c.out, "%s: allowed\n", id)
	case res.Unsupported:
		fmt.Fprintf(c.out, "%s: NOT JUDGED %s\n", id, res.Findings[0].Message)
	default:
		fmt.Fprintf(c.out, "%s: DENIED (%d finding(s))\n", id, len(full))
		for _, f := range full {
			fmt.Fprintf(c.out, "  - [%s] %s", f.Check, f.Field)
			if f.Value != "" {
				fmt.Fprintf(c.out, " = %q", f.Value)
			}
			fmt.Fprintf(c.out, "\n      why: %s\n", f.Reason)
			if f.Remediation != "" {
				fmt.Fprintf(c.out, "      fix: %s\n", f.Remediation)
			}
		}
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
