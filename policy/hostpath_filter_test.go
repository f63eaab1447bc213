package policy

import (
	"strings"
	"testing"
)

// checkCredentialFilter fails when mayBeCredential rules out a component that
// credentialMatch would match.
func checkCredentialFilter(t *testing.T, comp, prev, prev2 string) {
	t.Helper()
	for _, k := range []int{1, 2, 3} {
		for _, dp := range []int{k, k + 1} {
			if _, ok := credentialMatch(comp, prev, prev2, k, dp); ok && !mayBeCredential(comp, prev, prev2) {
				t.Errorf("mayBeCredential(%q, %q, %q) = false, but credentialMatch matches (k=%d, dp=%d)", comp, prev, prev2, k, dp)
			}
		}
	}
}

func TestMayBeCredentialNeverHidesAMatch(t *testing.T) {
	words := []string{"", "x", "srv", ".local", ".LOCAL", "share", "\u017fhare", ".config", "\u212a"}
	for _, n := range credentialNames {
		words = append(words, n, strings.ToUpper(n))
	}
	for _, p := range credentialPairs {
		words = append(words, p[1], strings.ToUpper(p[1]), strings.ReplaceAll(p[1], "s", "\u017f"))
	}
	words = append(words, "id_rsa", "ID_X", "containers", "keyrings", "container\u017f", "\u212aeyrings")
	for _, c := range words {
		if c == "" {
			continue
		}
		for _, p := range words {
			for _, p2 := range words {
				checkCredentialFilter(t, c, p, p2)
			}
		}
	}
}

func FuzzMayBeCredential(f *testing.F) {
	f.Add(".ssh", "", "")
	f.Add("gcloud", ".config", "home")
	f.Add("keyrings", "share", ".local")
	f.Fuzz(func(t *testing.T, comp, prev, prev2 string) {
		if comp == "" || strings.Contains(comp+prev+prev2, "/") {
			return
		}
		checkCredentialFilter(t, comp, prev, prev2)
	})
}

func TestSensitiveIndexCoversTable(t *testing.T) {
	n := 0
	for _, b := range sensitiveByInitial {
		n += len(b)
	}
	if n != len(sensitivePaths) || len(allSensitive) != len(sensitivePaths) {
		t.Fatalf("index holds %d (all: %d) of %d entries: every entry must start with an ASCII letter", n, len(allSensitive), len(sensitivePaths))
	}
	for _, e := range sensitivePaths {
		for _, p := range []string{e.path, strings.ToUpper(e.path), e.path + "/x"} {
			if _, ok := firstSensitive(p, -1); !ok {
				t.Errorf("firstSensitive(%q) found no match", p)
			}
		}
	}
}
