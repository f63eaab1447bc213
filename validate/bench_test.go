package validate

import (
	"strings"
	"testing"
)

// BenchmarkValidateArgv5 measures a 5-argument exec-form command (target: at
// most 1 µs per op).
func BenchmarkValidateArgv5(b *testing.B) {
	v, err := NewCommandValidator()
	if err != nil {
		b.Fatal(err)
	}
	argv := []string{"/usr/local/bin/server", "--listen", "0.0.0.0:8080", "--config", "/etc/server/config.yaml"}
	b.ReportAllocs()
	for b.Loop() {
		if err := v.ValidateArgv(argv); err != nil {
			b.Fatal(err)
		}
	}
}

// bench200 is a 200-byte healthcheck-style script.
const bench200 = `set -e; if [ -f /tmp/ready ]; then curl -fsS http://127.0.0.1:8080/healthz | grep -q ok || exit 1; fi; ` +
	`for f in /etc/app/*.conf; do test -r "$f" || exit 2; done; echo "$(date +%s) ok" > /tmp/hc`

// BenchmarkValidateScript200B measures a 200-byte sh -c script (target: at
// most 20 µs per op).
func BenchmarkValidateScript200B(b *testing.B) {
	v, err := NewCommandValidator()
	if err != nil {
		b.Fatal(err)
	}
	script := bench200
	if n := len(script); n < 190 || n > 210 {
		b.Fatalf("script is %d bytes", n)
	}
	argv := []string{"sh", "-c", script}
	b.SetBytes(int64(len(script)))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.ValidateArgv(argv); err != nil {
			b.Fatal(err)
		}
	}
	_ = strings.Repeat
}
