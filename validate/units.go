package validate

import (
	"math"
	"strings"
	"time"
)

// ParseDuration parses a Go duration ("90s", "1m30s", "250ms") and requires
// min <= d <= max. Bare numbers are refused (seconds or nanoseconds would be
// a guess). Input over 32 bytes is refused.
func ParseDuration(s string, min, max time.Duration) (time.Duration, error) {
	if s == "" || len(s) > 32 {
		return 0, newError("duration", s, "empty or longer than 32 bytes")
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, newError("duration", s, "not a duration such as 30s or 1m30s")
	}
	if d < min || d > max {
		return 0, newError("duration", s, "out of range "+min.String()+" to "+max.String())
	}
	return d, nil
}

// ParseByteSize parses a size with an optional binary unit, as Docker's
// memory options take it: "512", "512b", "64k", "1.5g", "2GiB", "10MB" (k,
// m, g, t, each ×1024, with optional "i" and "b"; case-insensitive; at most
// three fractional digits). It requires min <= n <= max. The result is in
// bytes.
func ParseByteSize(s string, min, max int64) (int64, error) {
	fail := func(reason string) (int64, error) { return 0, newError("size", s, reason) }
	if s == "" || len(s) > 32 {
		return fail("empty or longer than 32 bytes")
	}
	num := s
	unit := ""
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != '.' {
			num, unit = s[:i], strings.ToLower(s[i:])
			break
		}
	}
	var mult int64
	switch strings.TrimSuffix(strings.TrimSuffix(unit, "b"), "i") {
	case "":
		if strings.HasSuffix(unit, "i") || unit == "ib" {
			return fail("unknown unit")
		}
		mult = 1
	case "k":
		mult = 1 << 10
	case "m":
		mult = 1 << 20
	case "g":
		mult = 1 << 30
	case "t":
		mult = 1 << 40
	default:
		return fail("unknown unit (use b, k, m, g or t)")
	}
	whole, frac, hasDot := strings.Cut(num, ".")
	if !isDigits(whole) || (hasDot && (!isDigits(frac) || len(frac) > 3)) || len(whole) > 19 {
		return fail("not a number such as 512m or 1.5g")
	}
	var w int64
	for i := 0; i < len(whole); i++ {
		d := int64(whole[i] - '0')
		if w > (math.MaxInt64-d)/10 {
			return fail("too large")
		}
		w = w*10 + d
	}
	if w > math.MaxInt64/mult {
		return fail("too large")
	}
	n := w * mult
	if hasDot {
		var f, scale int64 = 0, 1
		for i := 0; i < len(frac); i++ {
			f = f*10 + int64(frac[i]-'0')
			scale *= 10
		}
		add := f * mult / scale
		if n > math.MaxInt64-add {
			return fail("too large")
		}
		n += add
	}
	if n < min || n > max {
		return fail("out of range")
	}
	return n, nil
}
