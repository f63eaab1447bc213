package policy

import "testing"

func TestRunAsNonRoot(t *testing.T) {
	fn := checkRunAsNonRoot().Versions[0]
	for _, tt := range []struct {
		user string
		deny bool
	}{
		{"", true}, {"root", true}, {"0", true}, {"0:0", true}, {"root:root", true},
		{"nobody", true}, {"toor", true}, {"1000:", false}, {"-1", true}, {"4294967296", true},
		{"1000", false}, {"65532:65532", false}, {"1000:0", false}, {"1000:staff", false},
	} {
		var want []string
		if tt.deny {
			want = []string{"Config.User=" + tt.user}
		}
		ckWant(t, "user "+tt.user, ckRun(fn.Container, &Container{User: tt.user}, nil), want...)
		if tt.deny {
			want = []string{"User=" + tt.user}
		}
		ckWant(t, "exec user "+tt.user, ckRunExec(fn.Exec, &Exec{User: tt.user}, nil), want...)
	}
}
