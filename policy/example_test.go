package policy_test

import (
	"errors"
	"fmt"

	"github.com/safedocker/safedocker/policy"
)

// New builds the default evaluator (Baseline, the latest check set, the
// default command validator); Container judges a request and returns every
// finding at once.
func ExampleNew() {
	e, err := policy.New(policy.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	sec, _ := policy.ParseSecurityOpts("HostConfig.SecurityOpt", []string{"seccomp:unconfined"})
	d := e.Container(&policy.Container{
		Image:    "alpine:3.20",
		Cmd:      []string{"sh", "-c", "nsenter -t 1 -m sh"},
		CapAdd:   []string{"chown", "cap_sys_admin"},
		Security: sec,
	})
	fmt.Println("allowed:", d.Allowed)
	for _, f := range d.Findings {
		fmt.Printf("%s %s %q\n", f.Check, f.Field, f.Value)
	}
	fmt.Println(errors.Is(d.Err(), policy.ErrDenied))
	// Output:
	// allowed: false
	// capabilities HostConfig.CapAdd[1] "cap_sys_admin"
	// commands Config.Cmd[2] "nsenter"
	// seccomp HostConfig.SecurityOpt[0] "seccomp=unconfined"
	// true
}

// Exceptions are explicit and narrow; Tighten makes a stricter evaluator for
// one caller and refuses to loosen.
func ExampleEvaluator_Tighten() {
	e, _ := policy.New(policy.Config{Exceptions: policy.Exceptions{Capabilities: []string{"NET_ADMIN"}}})
	c := &policy.Container{Image: "alpine:3.20", CapAdd: []string{"NET_ADMIN"}}
	fmt.Println(e.Container(c).Allowed)

	strict, _ := e.Tighten(policy.DropExceptions())
	fmt.Println(strict.Container(c).Allowed)

	_, err := e.Tighten(policy.NarrowExceptions(policy.Exceptions{Capabilities: []string{"SYS_ADMIN"}}))
	fmt.Println(errors.Is(err, policy.ErrWouldLoosen))
	// Output:
	// true
	// false
	// true
}

// The Privileged level runs no checks and needs the acknowledgement constant
// written in code.
func ExampleAcknowledgeNoChecks() {
	_, err := policy.New(policy.Config{Level: policy.LevelPrivileged})
	fmt.Println(errors.Is(err, policy.ErrInvalidConfig))

	e, _ := policy.New(policy.Config{Level: policy.LevelPrivileged, Acknowledge: policy.AcknowledgeNoChecks})
	fmt.Println(e.Container(&policy.Container{Privileged: true}).Allowed)
	// Output:
	// true
	// true
}

// A finding names the field, the offending value, the reason and the fix.
func ExampleFinding() {
	e, _ := policy.New(policy.Config{Level: policy.LevelRestricted})
	x := e.Exec(&policy.Exec{Container: "web", Cmd: []string{"id"}, User: "root"})
	for _, f := range x.Findings {
		fmt.Printf("%s: %s=%q\n  %s\n  fix: %s\n", f.Check, f.Field, f.Value, f.Reason, f.Remediation)
	}
	// Output:
	// runAsNonRoot: User="root"
	//   the user is not a numeric UID; a name's UID is defined by the image and may be 0
	//   fix: set the user to a numeric non-zero UID, e.g. 65532 or 1000:1000
}
