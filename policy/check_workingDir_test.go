package policy

import "testing"

func TestWorkingDir(t *testing.T) {
	fn := checkWorkingDir().Versions[0]
	for _, tt := range []struct {
		wd   string
		deny bool
	}{
		{"", false},
		{"/app", false},
		{"/procfoo", false},
		{"/home/proc/self/fd", false},
		{"/proc/self/fd/7", true},
		{"/proc/1/cwd", true},
		{"/proc/thread-self/root", true},
		{"/proc/self/task/1/fd/3", true},
		{"//proc/self/fd/7", true},
		{"/app/../proc/self/fd/8", true},
		{"/proc/./self/fd/", true},
		{"/proc", true},
		{"/dev/fd/7", true},
		{"proc/self/fd/7", true},
	} {
		var want []string
		if tt.deny {
			want = []string{"Config.WorkingDir=" + tt.wd}
		}
		ckWant(t, "container "+tt.wd, ckRun(fn.Container, &Container{WorkingDir: tt.wd}, nil), want...)
		if tt.deny {
			want = []string{"WorkingDir=" + tt.wd}
		}
		ckWant(t, "exec "+tt.wd, ckRunExec(fn.Exec, &Exec{WorkingDir: tt.wd}, nil), want...)
	}
}
