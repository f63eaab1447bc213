package safedocker_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/safedocker"
)

func newEvaluator(t testing.TB) *policy.Evaluator {
	t.Helper()
	ev, err := policy.New(policy.Config{Exceptions: policy.Exceptions{BindRoots: []policy.BindRoot{{Path: "/srv/data"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// cliNginx is `docker create --name web -e FOO=bar -l app=web -p 8080:80
// --tmpfs /run:rw,size=64m --restart unless-stopped --health-cmd ... -v
// data:/var/lib/data nginx:1.27` as sent by docker CLI 28.2.2.
const cliNginx = `{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["FOO=bar"],"Cmd":null,"Healthcheck":{"Test":["CMD-SHELL","curl -f http://localhost/ || exit 1"]},"Image":"nginx:1.27","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{"app":"web"},"HostConfig":{"Binds":["data:/var/lib/data"],"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]},"RestartPolicy":{"Name":"unless-stopped","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"ConsoleSize":[0,0],"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"Tmpfs":{"/run":"rw,size=64m"},"UTSMode":"","UsernsMode":"","ShmSize":0,"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":[],"BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],"BlkioDeviceWriteIOps":[],"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":[],"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{"default":{"IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"","DriverOpts":null,"GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}}}`

func checks(v safedocker.Verdict) []string {
	var out []string
	for _, f := range v.Findings {
		out = append(out, string(f.Check)+" "+f.Field)
	}
	return out
}

func TestJudgeRequest(t *testing.T) {
	ev := newEvaluator(t)
	tests := []struct {
		name      string
		req       safedocker.RawRequest
		allowed   bool
		op        string
		wantCheck string // "check field" that must be among the findings
	}{
		{"cli nginx", safedocker.RawRequest{"POST", "/v1.41/containers/create?name=web", []byte(cliNginx)}, true, "container.create", ""},
		{"unversioned minimal", safedocker.RawRequest{"POST", "/containers/create", []byte(`{"Image":"alpine"}`)}, true, "container.create", ""},
		{"ro bind under root", safedocker.RawRequest{"POST", "/v1.47/containers/create", []byte(`{"Image":"alpine","HostConfig":{"Binds":["/srv/data/x:/x:ro"]}}`)}, true, "container.create", ""},
		{"privileged", safedocker.RawRequest{"POST", "/v1.41/containers/create", []byte(`{"Image":"alpine","HostConfig":{"Privileged":true}}`)}, false, "container.create", "privileged HostConfig.Privileged"},
		{"lower-case keys", safedocker.RawRequest{"POST", "/containers/create", []byte(`{"image":"alpine","hostconfig":{"privileged":true}}`)}, false, "container.create", "privileged HostConfig.Privileged"},
		{"duplicate last dangerous", safedocker.RawRequest{"POST", "/containers/create", []byte(`{"Image":"alpine","HostConfig":{"Privileged":false,"Privileged":true}}`)}, false, "container.create", "privileged HostConfig.Privileged"},
		{"legacy top-level", safedocker.RawRequest{"POST", "/v1.41/containers/create", []byte(`{"Image":"alpine","Binds":["/var/run/docker.sock:/s"]}`)}, false, "container.create", "sensitivePaths Binds[0]"},
		{"double slash socket", safedocker.RawRequest{"POST", "/containers/create", []byte(`{"Image":"alpine","HostConfig":{"Binds":["//var/run/docker.sock:/s"]}}`)}, false, "container.create", "sensitivePaths HostConfig.Binds[0]"},
		{"dotdot socket", safedocker.RawRequest{"POST", "/containers/create", []byte(`{"Image":"alpine","HostConfig":{"Binds":["/var/run/../run/docker.sock:/s:ro"]}}`)}, false, "container.create", "sensitivePaths HostConfig.Binds[0]"},
		{"capabilities 1.40", safedocker.RawRequest{"POST", "/v1.40/containers/create", []byte(`{"Image":"alpine","HostConfig":{"Capabilities":["CAP_SYS_ADMIN"]}}`)}, false, "container.create", ""},
		{"unknown field", safedocker.RawRequest{"POST", "/containers/create", []byte(`{"Image":"alpine","HostConfig":{"Futuristic":true}}`)}, false, "container.create", ""},
		{"exec privileged", safedocker.RawRequest{"POST", "/v1.41/containers/web/exec", []byte(`{"User":"root","Privileged":true,"Cmd":["id"]}`)}, false, "container.exec", "privileged Privileged"},
		{"exec ordinary", safedocker.RawRequest{"POST", "/v1.41/containers/web/exec", []byte(`{"AttachStdout":true,"AttachStderr":true,"Cmd":["ls","-la"]}`)}, true, "container.exec", ""},
		{"volume bind", safedocker.RawRequest{"POST", "/v1.41/volumes/create", []byte(`{"Driver":"local","DriverOpts":{"device":"/etc","o":"bind","type":"none"},"Name":"hostetc"}`)}, false, "volume.create", ""},
		{"volume plain", safedocker.RawRequest{"POST", "/v1.41/volumes/create", []byte(`{"Driver":"local","DriverOpts":{},"Labels":{"a":"b"},"Name":"data"}`)}, true, "volume.create", ""},
		{"empty create body", safedocker.RawRequest{"POST", "/containers/create", nil}, false, "container.create", "decode body"},
		{"trailing data", safedocker.RawRequest{"POST", "/containers/create", []byte(`{"Image":"a"}{"Image":"b"}`)}, false, "container.create", "decode body"},
		{"unclean path", safedocker.RawRequest{"POST", "//containers/create", []byte(`{"Image":"a"}`)}, false, "", "request-path path"},
		{"encoded slash", safedocker.RawRequest{"POST", "/containers%2Fcreate", []byte(`{"Image":"a"}`)}, false, "", "request-path path"},
		{"bad version", safedocker.RawRequest{"POST", "/v1..41/containers/create", []byte(`{"Image":"a"}`)}, false, "", "request-path path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := safedocker.JudgeRequest(ev, tc.req)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if v.Allowed != tc.allowed || v.Operation != tc.op {
				t.Fatalf("verdict = allowed %v op %q findings %v; want allowed %v op %q", v.Allowed, v.Operation, checks(v), tc.allowed, tc.op)
			}
			if !v.Allowed && len(v.Findings) == 0 {
				t.Fatal("a denial without findings")
			}
			if v.Allowed && v.Findings != nil {
				t.Fatalf("allowed with findings %v", checks(v))
			}
			if tc.wantCheck != "" && !slices.Contains(checks(v), tc.wantCheck) {
				t.Errorf("findings %v lack %q", checks(v), tc.wantCheck)
			}
		})
	}
}

func TestJudgeRequestLegacyFindingsMarked(t *testing.T) {
	v, err := safedocker.JudgeRequest(newEvaluator(t), safedocker.RawRequest{"POST", "/containers/create", []byte(`{"Image":"alpine","Privileged":true}`)})
	if err != nil || v.Allowed {
		t.Fatalf("legacy top-level Privileged: %+v, %v", v, err)
	}
	if len(v.Findings) != 1 || v.Findings[0].Check != "privileged" || !strings.Contains(v.Findings[0].Reason, "before v27") {
		t.Errorf("legacy finding = %+v", v.Findings)
	}
	// API 1.46 is only served by daemons that ignore top-level fields.
	v, err = safedocker.JudgeRequest(newEvaluator(t), safedocker.RawRequest{"POST", "/v1.46/containers/create", []byte(`{"Image":"alpine","Privileged":true}`)})
	if err != nil || !v.Allowed || v.APIVersion != "1.46" {
		t.Errorf("API 1.46 top-level Privileged is ignored by the daemon: %+v, %v", v, err)
	}
}

func TestJudgeRequestUnsupported(t *testing.T) {
	ev := newEvaluator(t)
	for _, req := range []safedocker.RawRequest{
		{"GET", "/containers/json", nil},
		{"POST", "/v1.41/containers/web/start", nil},
		{"POST", "/v1.41/exec/abc/start", []byte(`{"Detach":false}`)},
		{"POST", "/networks/create", []byte(`{"Name":"n"}`)},
		{"DELETE", "/containers/web", nil},
	} {
		v, err := safedocker.JudgeRequest(ev, req)
		if !errors.Is(err, safedocker.ErrUnsupportedRequest) || v.Allowed {
			t.Errorf("%s %s: %+v, %v; want ErrUnsupportedRequest and a denial", req.Method, req.Path, v, err)
		}
	}
	if _, err := safedocker.JudgeRequest(nil, safedocker.RawRequest{"POST", "/containers/create", []byte(`{"Image":"a"}`)}); !errors.Is(err, safedocker.ErrInvalidInput) {
		t.Errorf("nil evaluator: %v", err)
	}
}

func ExampleJudgeRequest() {
	ev, err := policy.New(policy.Config{})
	if err != nil {
		panic(err)
	}
	v, err := safedocker.JudgeRequest(ev, safedocker.RawRequest{
		Method: "POST",
		Path:   "/v1.47/containers/create?name=web",
		Body:   []byte(`{"Image":"nginx:1.27","hostconfig":{"privileged":true}}`),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Operation, v.Allowed)
	for _, f := range v.Findings {
		fmt.Println(f.Check, f.Field)
	}
	// Output:
	// container.create false
	// privileged HostConfig.Privileged
}

// BenchmarkJudgeRequest is the whole public call on the bodies that the decode
// package benchmarks against a plain encoding/json decode (BenchmarkDecodeOnly
// there): typical is a docker CLI create, worst a large body, worst-legacy the
// large body with top-level HostConfig fields (two readings judged).
func BenchmarkJudgeRequest(b *testing.B) {
	ev := newEvaluator(b)
	for _, name := range []string{"typical", "worst", "worst-legacy"} {
		body, err := os.ReadFile(filepath.Join("..", "internal", "engine", "docker", "decode", "testdata", "bench-"+name+".json"))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			req := safedocker.RawRequest{Method: "POST", Path: "/v1.41/containers/create?name=web", Body: body}
			if v, err := safedocker.JudgeRequest(ev, req); err != nil || name == "typical" && !v.Allowed {
				b.Fatalf("%+v, %v", v, err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := safedocker.JudgeRequest(ev, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
