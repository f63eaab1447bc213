package engine

import (
	"errors"
	"reflect"
	"testing"

	"github.com/safedocker/safedocker/policy"
)

// SecurityOptStrings is the inverse of policy.ParseSecurityOpts.
func TestSecurityOptStringsRoundTrip(t *testing.T) {
	in := []string{"no-new-privileges=true", "writable-cgroups=false", "seccomp=unconfined",
		"apparmor=my-profile", "label=disable", "label=type:spc_t", "label=level:s0:c1"}
	so, errs := policy.ParseSecurityOpts("SecurityOpt", in)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	out, err := SecurityOptStrings(so)
	if err != nil {
		t.Fatal(err)
	}
	again, errs := policy.ParseSecurityOpts("SecurityOpt", out)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	again.Fields, so.Fields = nil, nil
	if !reflect.DeepEqual(again, so) {
		t.Errorf("round trip:\n %+v\n %+v (rendered %q)", so, again, out)
	}
	if _, err := SecurityOptStrings(policy.SecurityOptions{Seccomp: policy.SeccompProfile{Mode: 99}}); !errors.Is(err, errUnknownMode) {
		t.Errorf("unknown seccomp mode: %v", err)
	}
}
