package redisstore

import (
	"crypto/sha1"
	"encoding/hex"
	"testing"
)

func TestScriptSHA(t *testing.T) {
	h := sha1.Sum([]byte(script))
	if got := hex.EncodeToString(h[:]); got != scriptSHA {
		t.Fatalf("scriptSHA = %s, but the script hashes to %s: update the constant", scriptSHA, got)
	}
}
