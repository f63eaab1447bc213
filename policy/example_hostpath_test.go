package policy_test

import (
	"fmt"

	"github.com/safedocker/safedocker/policy"
)

func ExampleCleanHostPath() {
	for _, p := range []string{"//var//run/docker.sock", "/tmp/../etc/", "./data", `C:\Windows`} {
		c, err := policy.CleanHostPath(p)
		fmt.Printf("%q -> %q %v\n", p, c, err)
	}
	// Output:
	// "//var//run/docker.sock" -> "/run/docker.sock" <nil>
	// "/tmp/../etc/" -> "/etc" <nil>
	// "./data" -> "" policy: host path "./data": path is not absolute
	// "C:\\Windows" -> "" policy: host path "C:\\Windows": path contains a backslash ("\"); Windows paths and escaped names are not accepted
}

func ExampleWithin() {
	fmt.Println(policy.Within("/srv/data/x", "/srv/data"))
	fmt.Println(policy.Within("/srv/database", "/srv/data"))
	// Output:
	// true
	// false
}
