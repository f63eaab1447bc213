package decode_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"

	"github.com/safedocker/safedocker/internal/engine/docker/decode"
	"github.com/safedocker/safedocker/policy"
)

// typicalBody is `docker create --name web -e FOO=bar -l app=web -p 8080:80
// --tmpfs /run:rw,size=64m --restart unless-stopped --health-cmd ... -v
// data:/var/lib/data nginx:1.27` as docker CLI 28.2.2 sends it.
const typicalBody = `{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["FOO=bar"],"Cmd":null,"Healthcheck":{"Test":["CMD-SHELL","curl -f http://localhost/ || exit 1"]},"Image":"nginx:1.27","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{"app":"web"},"HostConfig":{"Binds":["data:/var/lib/data"],"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]},"RestartPolicy":{"Name":"unless-stopped","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"ConsoleSize":[0,0],"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"Tmpfs":{"/run":"rw,size=64m"},"UTSMode":"","UsernsMode":"","ShmSize":0,"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":[],"BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],"BlkioDeviceWriteIOps":[],"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":[],"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{"default":{"IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"","DriverOpts":null,"GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}}}`

// worstBody is a large create body that exercises every part of the decoder
// and most checks: 32 binds (under an allowed root), 16 mounts, 64 env
// variables, 64 labels, 16 port bindings, security options, sysctls,
// lower-case and duplicate keys. With legacy, it also carries top-level
// HostConfig fields, so that the legacy reading is built and judged too.
func worstBody(legacy bool) string {
	var b strings.Builder
	b.WriteString(`{"Image":"registry.example.com/team/app:1.2.3","User":"1000:1000","Cmd":["/app","--serve"],"Env":[`)
	for i := range 64 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"KEY_` + strconv.Itoa(i) + `=value-` + strconv.Itoa(i) + `"`)
	}
	b.WriteString(`],"Labels":{`)
	for i := range 64 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"com.example.label` + strconv.Itoa(i) + `":"v` + strconv.Itoa(i) + `"`)
	}
	b.WriteString(`},"Healthcheck":{"Test":["CMD","/app","--health"],"Interval":10000000000},"hostconfig":{"Binds":[`)
	for i := range 32 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"/srv/data/project` + strconv.Itoa(i) + `/sub//dir:/mnt/p` + strconv.Itoa(i) + `:ro"`)
	}
	b.WriteString(`],"Mounts":[`)
	for i := range 16 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"Type":"volume","Source":"vol` + strconv.Itoa(i) + `","Target":"/v` + strconv.Itoa(i) + `","VolumeOptions":{"NoCopy":true,"Labels":{"a":"b"}}}`)
	}
	b.WriteString(`],"PortBindings":{`)
	for i := range 16 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + strconv.Itoa(8000+i) + `/tcp":[{"HostIp":"127.0.0.1","HostPort":"` + strconv.Itoa(18000+i) + `"}]`)
	}
	b.WriteString(`},"SecurityOpt":["no-new-privileges","apparmor=docker-default","seccomp=builtin","label=level:s0:c100,c200"],` +
		`"CapDrop":["ALL"],"CapAdd":["NET_BIND_SERVICE","chown"],"Sysctls":{"net.ipv4.ip_unprivileged_port_start":"0","kernel.shm_rmid_forced":"1"},` +
		`"Tmpfs":{"/tmp":"rw,noexec,size=64m","/run":"rw,size=8m"},"ReadonlyRootfs":true,"Memory":268435456,"PidsLimit":256,` +
		`"privileged":true,"Privileged":false,"Dns":["1.1.1.1"],"ExtraHosts":["db:10.0.0.2"],"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3},` +
		`"Ulimits":[{"Name":"nofile","Soft":1024,"Hard":2048}],"LogConfig":{"Type":"json-file","Config":{"max-size":"10m"}}},` +
		`"NetworkingConfig":{"EndpointsConfig":{"appnet":{"Aliases":["app"]}}}`)
	if legacy {
		b.WriteString(`,"Memory":268435456,"VolumeDriver":"local"`)
	}
	b.WriteString(`}`)
	return b.String()
}

func newEvaluator(b *testing.B) *policy.Evaluator {
	ev, err := policy.New(policy.Config{Exceptions: policy.Exceptions{BindRoots: []policy.BindRoot{{Path: "/srv/data"}}}})
	if err != nil {
		b.Fatal(err)
	}
	return ev
}

// decodeAsDaemon is what the daemon does with a create body anyway: decode it
// into its API type with encoding/json and check for trailing data.
func decodeAsDaemon(body []byte) (*container.CreateRequest, error) {
	var w container.CreateRequest
	var out any = &w
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errTrailing
	}
	return &w, nil
}

var errTrailing = bytes.ErrTooLarge

var benchBodies = []struct {
	name string
	body []byte
}{
	{"typical", []byte(typicalBody)},
	{"worst", []byte(worstBody(false))},
	{"worst-legacy", []byte(worstBody(true))},
}

// BenchmarkDecodeOnly is the baseline: the daemon's own decode of the body.
func BenchmarkDecodeOnly(b *testing.B) {
	for _, bb := range benchBodies {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.body)))
			for b.Loop() {
				if _, err := decodeAsDaemon(bb.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// judge is what safedocker.JudgeRequest does after routing: decode, then
// evaluate the current reading and, when present, the legacy one. (The
// safedocker package has BenchmarkJudgeRequest for the whole call.)
func judge(ev *policy.Evaluator, target string, body []byte) (bool, error) {
	r, err := decode.Decode("POST", target, body)
	if err != nil {
		return false, err
	}
	if r.Legacy != nil {
		d, l := ev.ContainerReadings(r.Container, r.Legacy)
		return d.Allowed && l.Allowed, nil
	}
	return ev.Container(r.Container).Allowed, nil
}

// BenchmarkDecodeAndJudge is decode (route, strict decode, key scan only when a
// key is unknown, model mapping) plus evaluation; for worst-legacy the legacy
// reading is built and evaluated as well.
func BenchmarkDecodeAndJudge(b *testing.B) {
	ev := newEvaluator(b)
	for _, bb := range benchBodies {
		b.Run(bb.name, func(b *testing.B) {
			const target = "/v1.41/containers/create?name=web"
			ok, err := judge(ev, target, bb.body)
			if err != nil {
				b.Fatal(err)
			}
			if bb.name == "typical" && !ok {
				b.Fatal("typical body denied")
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.body)))
			for b.Loop() {
				if _, err := judge(ev, target, bb.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecode is the decoder alone (no evaluation), for the breakdown.
func BenchmarkDecode(b *testing.B) {
	for _, bb := range benchBodies {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decode.Decode("POST", "/v1.41/containers/create", bb.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestWorstBodyIsJudgedBothWays(t *testing.T) {
	r, err := decode.Decode("POST", "/v1.41/containers/create", []byte(worstBody(true)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Legacy == nil || len(r.Container.Mounts) != 32+16+2 || r.Container.Privileged /* the last duplicate wins */ {
		t.Errorf("worst body: legacy %v, %d mounts, privileged %v", r.Legacy != nil, len(r.Container.Mounts), r.Container.Privileged)
	}
}

var updateBench = flag.Bool("update-bench", false, "rewrite testdata/bench-*.json")

// TestBenchBodiesInTestdata keeps testdata/bench-*.json (read by the safedocker
// package's BenchmarkJudgeRequest) equal to the bodies benchmarked here.
func TestBenchBodiesInTestdata(t *testing.T) {
	for _, bb := range benchBodies {
		file := filepath.Join("testdata", "bench-"+bb.name+".json")
		if *updateBench {
			if err := os.WriteFile(file, bb.body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(file)
		if err != nil || !bytes.Equal(got, bb.body) {
			t.Errorf("%s is missing or stale (go test -run BenchBodies -update-bench): %v", file, err)
		}
	}
}
