package decode

import (
	"bufio"
	"errors"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"

	"github.com/safedocker/safedocker/policy"
)

func mustCreate(t *testing.T, target, body string) *Request {
	t.Helper()
	r, err := Decode("POST", target, []byte(body))
	if err != nil {
		t.Fatalf("Decode(%s) error: %v", body, err)
	}
	if r.Container == nil {
		t.Fatalf("Decode(%s): no container", body)
	}
	return r
}

func invalidFields(inv []policy.InvalidValue) []string {
	var out []string
	for _, v := range inv {
		out = append(out, v.Field)
	}
	return out
}

// TestJSONSemantics pins the encoding/json behaviour the daemon has.
func TestJSONSemantics(t *testing.T) {
	t.Run("case-insensitive keys", func(t *testing.T) {
		r := mustCreate(t, "/containers/create", `{"image":"x","hostconfig":{"privileged":true,"BINDS":["/:/h"]}}`)
		if !r.Container.Privileged || r.Container.Image != "x" || len(r.Container.Mounts) != 1 {
			t.Errorf("lower/upper-case keys not honoured: %+v", r.Container)
		}
		if len(r.Container.Invalid) != 0 {
			t.Errorf("folded keys reported as unknown: %v", r.Container.Invalid)
		}
	})
	t.Run("unicode folding and escaped keys", func(t *testing.T) {
		// U+017F (long s) folds to s; \u0050 is P.
		r := mustCreate(t, "/containers/create", `{"Image":"x","HostConfig":{"ſecurityOpt":["seccomp=unconfined"],"\u0050rivileged":true}}`)
		if r.Container.Security.Seccomp.Mode != policy.SeccompUnconfined || !r.Container.Privileged {
			t.Errorf("folded/escaped keys not honoured: %+v", r.Container.Security)
		}
		if len(r.Container.Invalid) != 0 {
			t.Errorf("folded keys reported as unknown: %v", r.Container.Invalid)
		}
	})
	t.Run("duplicate keys last wins", func(t *testing.T) {
		r := mustCreate(t, "/containers/create", `{"Image":"x","HostConfig":{"Privileged":false,"privileged":true,"PidMode":"","PidMode":"host"}}`)
		if !r.Container.Privileged || r.Container.PIDMode.Kind != policy.NamespaceHost {
			t.Errorf("last duplicate not honoured: %+v", r.Container)
		}
	})
	t.Run("duplicate HostConfig objects merge", func(t *testing.T) {
		r := mustCreate(t, "/containers/create", `{"Image":"x","HostConfig":{"Privileged":true},"HostConfig":{"Memory":1}}`)
		if !r.Container.Privileged || r.Container.Resources.Memory != 1 {
			t.Errorf("second HostConfig object must merge into the first: %+v", r.Container)
		}
	})
	t.Run("trailing data rejected", func(t *testing.T) {
		for _, body := range []string{`{"Image":"x"} {"Image":"y"}`, `{"Image":"x"}x`, `{"Image":"x"}{`, `{"Image":"x"} 1`} {
			_, err := Decode("POST", "/containers/create", []byte(body))
			if !errors.Is(err, ErrBody) {
				t.Errorf("%s: error %v; want ErrBody", body, err)
			}
		}
	})
	t.Run("trailing closer accepted as the daemon does", func(t *testing.T) {
		mustCreate(t, "/containers/create", `{"Image":"x"}]`)
		mustCreate(t, "/containers/create", "{\"Image\":\"x\"}\n")
	})
	t.Run("create bodies the daemon rejects", func(t *testing.T) {
		for _, body := range []string{``, ` `, `null`, `{}`, `{"HostConfig":{"Privileged":true}}`, `[]`, `"x"`, `{"Image":1}`, `{"Image":"x","HostConfig":{"Privileged":"yes"}}`, `{"Image":"x"`} {
			_, err := Decode("POST", "/containers/create", []byte(body))
			var be *BodyError
			if !errors.As(err, &be) || be.Op != OpContainerCreate {
				t.Errorf("%q: error %v; want *BodyError", body, err)
			}
		}
	})
	t.Run("exec bodies", func(t *testing.T) {
		for _, body := range []string{``, `null`, `{}`, `{"Cmd":[]}`, ` `} {
			if _, err := Decode("POST", "/containers/c/exec", []byte(body)); !errors.Is(err, ErrBody) {
				t.Errorf("exec %q: error %v; want ErrBody", body, err)
			}
		}
		r, err := Decode("POST", "/containers/c/exec", []byte(`{"cmd":["id"],"privileged":true}`))
		if err != nil || !r.Exec.Privileged || !slices.Equal(r.Exec.Cmd, []string{"id"}) || r.Exec.Container != "c" {
			t.Errorf("exec decode: %+v, %v", r, err)
		}
	})
	t.Run("volume bodies", func(t *testing.T) {
		for _, body := range []string{``, `null`, `{}`} {
			r, err := Decode("POST", "/volumes/create", []byte(body))
			if err != nil || r.Volume == nil || r.Volume.Driver != "" {
				t.Errorf("volume %q: %+v, %v; want the zero request", body, r, err)
			}
		}
		if _, err := Decode("POST", "/volumes/create", []byte(` `)); !errors.Is(err, ErrBody) {
			t.Errorf("whitespace-only volume body: %v; want ErrBody", err)
		}
	})
}

func TestLegacyTopLevelHostConfig(t *testing.T) {
	t.Run("used wholesale without a HostConfig key", func(t *testing.T) {
		r := mustCreate(t, "/containers/create", `{"Image":"x","Privileged":true,"Binds":["/var/run/docker.sock:/s"],"CapAdd":["ALL"]}`)
		if r.Container.Privileged || len(r.Container.Mounts) != 0 {
			t.Errorf("modern reading must ignore top-level fields: %+v", r.Container)
		}
		l := r.Legacy
		if l == nil || !l.Privileged || len(l.Mounts) != 1 || l.Mounts[0].Field != "Binds[0]" || !slices.Equal(l.CapAdd, []string{"ALL"}) {
			t.Fatalf("legacy reading wrong: %+v", l)
		}
	})
	t.Run("merged into an inner HostConfig", func(t *testing.T) {
		r := mustCreate(t, "/v1.41/containers/create", `{"Image":"x","HostConfig":{"Memory":5},"Binds":["/:/h"],"Privileged":true,"VolumeDriver":"evil","MemorySwap":9,"Memory":7,"Cpuset":"0-1"}`)
		l := r.Legacy
		if l == nil {
			t.Fatal("no legacy reading")
		}
		if l.Privileged || len(l.Mounts) != 0 {
			t.Errorf("only Memory, MemorySwap, CpuShares, CpusetCpus, VolumeDriver merge: %+v", l)
		}
		if l.VolumeDriver != "evil" || l.Resources.MemorySwap != 9 || l.Resources.Memory != 5 {
			t.Errorf("merge wrong: driver %q swap %d mem %d", l.VolumeDriver, l.Resources.MemorySwap, l.Resources.Memory)
		}
		if r.Container.VolumeDriver != "" {
			t.Errorf("modern reading picked up a top-level field")
		}
	})
	t.Run("lower-case top-level keys", func(t *testing.T) {
		r := mustCreate(t, "/containers/create", `{"image":"x","privileged":true}`)
		if r.Legacy == nil || !r.Legacy.Privileged {
			t.Errorf("lower-case top-level HostConfig field missed: %+v", r.Legacy)
		}
	})
	t.Run("not for API 1.46 and later", func(t *testing.T) {
		r := mustCreate(t, "/v1.46/containers/create", `{"Image":"x","Privileged":true}`)
		if r.Legacy != nil || r.Container.Privileged || len(r.Container.Invalid) != 0 {
			t.Errorf("API 1.46 is only served by daemons without the legacy reading: %+v", r)
		}
		r = mustCreate(t, "/v1.45/containers/create", `{"Image":"x","Privileged":true}`)
		if r.Legacy == nil || !r.Legacy.Privileged {
			t.Errorf("API 1.45 may be served by a v26 daemon")
		}
	})
	t.Run("absent for ordinary bodies", func(t *testing.T) {
		r := mustCreate(t, "/containers/create", `{"Image":"x","HostConfig":{"Privileged":true},"NetworkingConfig":{}}`)
		if r.Legacy != nil {
			t.Errorf("legacy reading without top-level HostConfig fields")
		}
	})
}

func TestUnknownKeys(t *testing.T) {
	r := mustCreate(t, "/containers/create", `{"Image":"x","HostConfig":{"Capabilities":["CAP_SYS_MODULE"],"Foo":{"a":1},"Bar":null,"Baz":0,"Qux":"","Quux":false,"Empty":{},"List":[]},"Top":"v","NetworkingConfig":{"EndpointsConfig":{"n":{"Weird":true}}}}`)
	c := r.Container
	if !slices.Equal(c.Capabilities, []string{"CAP_SYS_MODULE"}) {
		t.Errorf("HostConfig.Capabilities (API 1.40) not mapped: %v", c.Capabilities)
	}
	got := invalidFields(c.Invalid)
	want := []string{"HostConfig.Foo", "HostConfig.List", "Top", "NetworkingConfig.EndpointsConfig{}.Weird"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("unknown keys as Invalid = %v; want %v", got, want)
	}
	x, err := Decode("POST", "/containers/c/exec", []byte(`{"Cmd":["id"],"Capabilities":["ALL"]}`))
	if err != nil || len(x.Exec.Invalid) != 1 || x.Exec.Invalid[0].Field != "Capabilities" {
		t.Errorf("unknown exec key: %+v, %v", x, err)
	}
	v, err := Decode("POST", "/volumes/create", []byte(`{"Driver":"local","Options":{"o":"bind"}}`))
	if err != nil || len(v.Volume.Invalid) != 1 || v.Volume.Invalid[0].Field != "Options" {
		t.Errorf("unknown volume key: %+v, %v", v, err)
	}
}

func TestMapping(t *testing.T) {
	body := `{"Image":"nginx","User":"1000","Env":["A=1","B"],"Cmd":"sh -c id","Entrypoint":["/e"],"WorkingDir":"/w",
"Volumes":{"/data":{},"rel":{}},"Healthcheck":{"Test":["CMD","true"]},"Labels":{"l":"v"},
"HostConfig":{"Binds":["/srv/a/../b//:/b:ro,rshared","vol:/v","bad:spec:x:y:z"],"VolumeDriver":"d",
"SecurityOpt":["seccomp:unconfined","no-new-privileges","bogus=1"],"PidMode":"weird","IpcMode":"","CgroupnsMode":"",
"Tmpfs":{"/run":"rw,size=1m","/ro":"ro"},"PidsLimit":0,"PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}],"53/udp":[{"HostIp":"","HostPort":""}],"1000-1001/tcp":[{}],"81":[{"HostIp":"nope"}]},
"Links":["db:db"],"Devices":[{"PathOnHost":"/dev/sda","PathInContainer":"/dev/sda","CgroupPermissions":"rwm"}],
"Mounts":[{"Type":"bind","Source":"//var/run/docker.sock","Target":"/s","ReadOnly":true,"BindOptions":{"Propagation":"shared","CreateMountpoint":true}},
{"Type":"volume","Target":"/x","VolumeOptions":{"DriverConfig":{"Name":"local","Options":{"o":"bind","device":"/","type":"none"}}}},
{"Type":"tmpfs","Target":"/t","VolumeOptions":{}},{"Type":"weird","Target":"/w"}],
"Sysctls":{"kernel.shm_rmid_forced":"1"},"Annotations":{"a":"b"}},
"NetworkingConfig":{"EndpointsConfig":{"mynet":{"DriverOpts":{"com.docker.network.endpoint.sysctls":"net.ipv4.conf.IFNAME.forwarding=1","x.y":"z"}}}}}`
	r := mustCreate(t, "/v1.39/containers/create?name=web", body)
	c := r.Container
	if c.Name != "web" || c.User != "1000" || !slices.Equal(c.Cmd, []string{"sh -c id"}) || c.WorkingDir != "/w" {
		t.Errorf("config fields: %+v", c)
	}
	if len(c.Env) != 2 || c.Env[0] != (policy.EnvVar{Key: "A", Value: "1", HasValue: true}) || c.Env[1].HasValue {
		t.Errorf("env: %+v", c.Env)
	}
	if c.Security.Seccomp.Mode != policy.SeccompUnconfined || c.Security.NoNewPrivileges == nil || !*c.Security.NoNewPrivileges {
		t.Errorf("security opts: %+v", c.Security)
	}
	if c.IPCMode.Kind != policy.NamespaceShareable || c.CgroupnsMode.Kind != policy.NamespaceDefault {
		t.Errorf("API 1.39 defaults: ipc %v cgroupns %v", c.IPCMode, c.CgroupnsMode)
	}
	if c.Resources.PidsLimit != nil {
		t.Errorf("PidsLimit 0 must be unlimited (nil)")
	}
	if c.Annotations != nil {
		t.Errorf("annotations are ignored before API 1.43")
	}
	byField := map[string]policy.Mount{}
	for _, m := range c.Mounts {
		byField[m.Field] = m
	}
	if m := byField["HostConfig.Binds[0]"]; m.Source != "/srv/b" || !m.ReadOnly || m.Propagation != policy.PropagationRShared {
		t.Errorf("bind 0: %+v", m)
	}
	if m := byField["HostConfig.Binds[1]"]; m.Type != policy.MountVolume || m.VolumeDriver != "d" {
		t.Errorf("bind 1: %+v", m)
	}
	if m := byField["HostConfig.Mounts[0]"]; m.Source != "/var/run/docker.sock" || m.Propagation != policy.PropagationShared || m.CreateMountpoint /* dropped before API 1.42 */ {
		t.Errorf("mount 0: %+v", m)
	}
	if m := byField["HostConfig.Mounts[1]"]; m.VolumeDriver != "local" || m.VolumeOptions["o"] != "bind" {
		t.Errorf("mount 1: %+v", m)
	}
	if m := byField["HostConfig.Tmpfs[/ro]"]; !m.ReadOnly || m.Type != policy.MountTmpfs {
		t.Errorf("tmpfs: %+v", m)
	}
	if m := byField["Config.Volumes[/data]"]; m.Type != policy.MountVolume || m.VolumeDriver != "d" {
		t.Errorf("anonymous volume: %+v", m)
	}
	wantPorts := []policy.PortBinding{
		{Field: "HostConfig.PortBindings[53/udp][0]", ContainerPort: 53, Protocol: policy.ProtocolUDP},
		{Field: "HostConfig.PortBindings[80/tcp][0]", ContainerPort: 80, Protocol: policy.ProtocolTCP, HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 8080},
	}
	if !slices.Equal(c.Ports, wantPorts) {
		t.Errorf("ports = %+v; want %+v", c.Ports, wantPorts)
	}
	if c.Sysctls["net.ipv4.conf.IFNAME.forwarding"] != "1" || c.Sysctls["kernel.shm_rmid_forced"] != "1" {
		t.Errorf("sysctls: %v", c.Sysctls)
	}
	if len(c.Devices) != 1 || c.Devices[0].PathOnHost != "/dev/sda" || c.Devices[0].Field != "HostConfig.Devices[0]" {
		t.Errorf("devices: %+v", c.Devices)
	}
	got := invalidFields(c.Invalid)
	for _, want := range []string{
		"HostConfig.Binds[2]", "HostConfig.SecurityOpt[2]", "HostConfig.PidMode", "HostConfig.Links",
		"HostConfig.PortBindings[1000-1001/tcp]", "HostConfig.PortBindings[81][0].HostIp",
		"HostConfig.Mounts[3].Type", "Config.Volumes[rel]", "NetworkingConfig.EndpointsConfig[mynet].DriverOpts[x.y]",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing Invalid %s in %v", want, got)
		}
	}
	// Before API 1.42 the daemon drops options of another mount type.
	if slices.Contains(got, "HostConfig.Mounts[2].VolumeOptions") {
		t.Errorf("VolumeOptions on tmpfs is dropped before API 1.42, not invalid")
	}
	r = mustCreate(t, "/v1.44/containers/create", `{"Image":"x","HostConfig":{"Mounts":[{"Type":"tmpfs","Target":"/t","VolumeOptions":{}}]}}`)
	if !slices.Contains(invalidFields(r.Container.Invalid), "HostConfig.Mounts[0].VolumeOptions") {
		t.Errorf("VolumeOptions on tmpfs is rejected from API 1.42")
	}
	// Unversioned: the daemon default applies.
	r = mustCreate(t, "/containers/create", `{"Image":"x"}`)
	if c := r.Container; c.IPCMode.Kind != policy.NamespaceDefault || c.CgroupnsMode.Kind != policy.NamespaceDefault || c.NetworkMode.Kind != policy.NetworkDefault {
		t.Errorf("unversioned defaults: %+v", c)
	}
}

func TestMaskedPathsNilVersusEmpty(t *testing.T) {
	r := mustCreate(t, "/containers/create", `{"Image":"x","HostConfig":{"MaskedPaths":[],"ReadonlyPaths":null}}`)
	if r.Container.MaskedPaths == nil || len(r.Container.MaskedPaths) != 0 || r.Container.ReadonlyPaths != nil {
		t.Errorf("nil and empty must stay distinct: %#v %#v", r.Container.MaskedPaths, r.Container.ReadonlyPaths)
	}
}

func TestVolumeClusterSpecByVersion(t *testing.T) {
	body := []byte(`{"Name":"v","ClusterVolumeSpec":{"Group":"g"}}`)
	r, err := Decode("POST", "/v1.41/volumes/create", body)
	if err != nil || r.Volume.ClusterVolume {
		t.Errorf("API 1.41 ignores the cluster spec: %+v %v", r, err)
	}
	r, err = Decode("POST", "/volumes/create", body)
	if err != nil || !r.Volume.ClusterVolume {
		t.Errorf("cluster spec not seen: %+v %v", r, err)
	}
}

// TestRecordedCLIRequests decodes requests recorded from docker CLI 28.2.2.
func TestRecordedCLIRequests(t *testing.T) {
	f, err := os.Open("testdata/recorded-cli-28.2.2.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		parts := strings.SplitN(line, " ", 3)
		r, err := Decode(parts[0], parts[1], []byte(parts[2]))
		if strings.Contains(parts[1], "/exec/") {
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: %v; want ErrUnsupported", parts[1], err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", parts[1], err)
			continue
		}
		n++
		var inv []policy.InvalidValue
		switch {
		case r.Container != nil:
			inv = r.Container.Invalid
			if r.Legacy != nil {
				t.Errorf("CLI request has a legacy reading")
			}
		case r.Exec != nil:
			inv = r.Exec.Invalid
		case r.Volume != nil:
			inv = r.Volume.Invalid
		}
		if len(inv) != 0 {
			t.Errorf("CLI request %s has Invalid entries: %+v", parts[2][:min(80, len(parts[2]))], inv)
		}
	}
	if n < 25 {
		t.Errorf("decoded only %d recorded requests", n)
	}
}

// TestLegacyWrapperShape pins what lets one decode serve both readings: every
// key of the current CreateRequest selects the same field in the legacy
// wrapper, the wrapper adds only the HostConfig fields and Cpuset, and no two
// of its keys fold to the same name (so case-insensitive matching cannot move
// a key between Config and the top-level HostConfig).
func TestLegacyWrapperShape(t *testing.T) {
	names := func(tp reflect.Type) map[string]string {
		out := map[string]string{}
		for _, f := range structFields(tp) {
			out[f.name] = f.embedded + "/" + f.typ.String()
		}
		return out
	}
	modern := names(reflect.TypeFor[container.CreateRequest]())
	legacy := names(reflect.TypeFor[legacyCreateRequest]())
	hostFields := names(reflect.TypeFor[container.HostConfig]())
	for name, typ := range modern {
		lt, ok := legacy[name]
		if !ok || strings.SplitN(lt, "/", 2)[1] != strings.SplitN(typ, "/", 2)[1] {
			t.Errorf("key %s: current %s, legacy %s", name, typ, lt)
		}
	}
	for name := range hostFields {
		if _, ok := legacy[name]; !ok {
			t.Errorf("HostConfig key %s is not promoted to the top level of the legacy wrapper (name collision?)", name)
		}
	}
	if len(legacy) != len(modern)+len(hostFields)+1 {
		t.Errorf("legacy wrapper has %d keys; want %d", len(legacy), len(modern)+len(hostFields)+1)
	}
	folded := map[string]string{}
	for name := range legacy {
		k := strings.ToUpper(strings.ToLower(name))
		if other, ok := folded[k]; ok {
			t.Errorf("keys %s and %s fold together", name, other)
		}
		folded[k] = name
	}
}

func TestLegacyMergePatch(t *testing.T) {
	r := mustCreate(t, "/containers/create", `{"Image":"x","HostConfig":{"Memory":5},"Memory":7,"Cpuset":"1","CpusetCpus":"2"}`)
	if r.Legacy != nil {
		t.Errorf("a merge that changes nothing in the model needs no legacy reading: %+v", r.Legacy)
	}
	r = mustCreate(t, "/containers/create", `{"Image":"x","Volumes":{"/anon":{}},"HostConfig":{"Binds":["named:/n","/srv:/s:ro"]},"VolumeDriver":"evil","CpuShares":3}`)
	l := r.Legacy
	if l == nil || l.VolumeDriver != "evil" || l.Resources.CPUShares != 3 {
		t.Fatalf("legacy merge: %+v", l)
	}
	for _, m := range l.Mounts {
		want := "evil"
		if m.Type == policy.MountBind {
			want = ""
		}
		if m.VolumeDriver != want {
			t.Errorf("legacy mount %s driver %q; want %q", m.Field, m.VolumeDriver, want)
		}
	}
	for _, m := range r.Container.Mounts {
		if m.VolumeDriver != "" {
			t.Errorf("current reading mount %s took the top-level driver", m.Field)
		}
	}
}

func TestIndexedFields(t *testing.T) {
	got := indexedFields("HostConfig.Binds", 12)
	if len(got) != 12 || got[0] != "HostConfig.Binds[0]" || got[11] != "HostConfig.Binds[11]" {
		t.Errorf("indexedFields = %q", got)
	}
	if indexedFields("x", 0) != nil {
		t.Error("indexedFields(x, 0) must be nil")
	}
}

func TestLogConfig(t *testing.T) {
	for body, want := range map[string][]string{
		`{"Image":"x","HostConfig":{"LogConfig":{"Type":"","Config":{}}}}`:                                            nil,
		`{"Image":"x","HostConfig":{"LogConfig":{"Type":"json-file","Config":{"max-size":"10m","max-file":"3"}}}}`:    nil,
		`{"Image":"x","HostConfig":{"LogConfig":{"Type":"syslog","Config":{"syslog-address":"tcp://10.0.0.1:514"}}}}`: {"HostConfig.LogConfig.Type", "HostConfig.LogConfig.Config[syslog-address]"},
		`{"Image":"x","HostConfig":{"LogConfig":{"Type":"","Config":{"fluentd-address":"evil:24224","tag":"t"}}}}`:    {"HostConfig.LogConfig.Config[fluentd-address]"},
		`{"Image":"x","HostConfig":{"LogConfig":{"Type":"awslogs","Config":{}}}}`:                                     {"HostConfig.LogConfig.Type"},
	} {
		r := mustCreate(t, "/containers/create", body)
		if got := invalidFields(r.Container.Invalid); !slices.Equal(got, want) {
			t.Errorf("%s: Invalid %v; want %v", body, got, want)
		}
	}
}

func TestInvalidValuesCarryNoSecrets(t *testing.T) {
	r := mustCreate(t, "/containers/create", `{"Image":"x","Envv":["PASSWORD=hunter2"],"HostConfig":{"LogConfig":{"Type":"splunk","Config":{"splunk-token":"hunter2"}}},"NetworkingConfig":{"EndpointsConfig":{"n":{"DriverOpts":{"x":"hunter2"}}}}}`)
	if len(r.Container.Invalid) != 4 {
		t.Fatalf("Invalid = %+v", r.Container.Invalid)
	}
	for _, v := range r.Container.Invalid {
		if strings.Contains(v.Value, "hunter2") || strings.Contains(v.Reason, "hunter2") {
			t.Errorf("Invalid entry leaks a value: %+v", v)
		}
	}
}

// TestTmpfsOptions pins the tmpfs options judged: the daemon passes the mount
// flags of HostConfig.Tmpfs to runc unchanged, so "remount" on a destination
// the daemon does not match against its own mounts ("/sys/") remounts the
// read-only sysfs read-write, and "bind" turns the tmpfs into a bind mount.
func TestTmpfsOptions(t *testing.T) {
	for body, want := range map[string][]string{
		`{"Image":"x","HostConfig":{"Tmpfs":{"/run":"rw,noexec,nosuid,size=65536k","/tmp":"mode=1777,uid=1000,gid=1000,nr_inodes=1k","/x":""}}}`: nil,
		`{"Image":"x","HostConfig":{"Tmpfs":{"/x":"ro,exec,suid,dev,private,noatime,mpol=default"}}}`:                                            nil,
		`{"Image":"x","HostConfig":{"Tmpfs":{"/sys/":"remount"}}}`:                                                                               {"HostConfig.Tmpfs[/sys/]"},
		`{"Image":"x","HostConfig":{"Tmpfs":{"/sys/.":"remount,rw"}}}`:                                                                           {"HostConfig.Tmpfs[/sys/.]"},
		`{"Image":"x","HostConfig":{"Tmpfs":{"/data":"rw,bind"}}}`:                                                                               {"HostConfig.Tmpfs[/data]"},
		`{"Image":"x","HostConfig":{"Tmpfs":{"/data":"rbind"}}}`:                                                                                 {"HostConfig.Tmpfs[/data]"},
		`{"Image":"x","HostConfig":{"Tmpfs":{"/data":"rshared"}}}`:                                                                               {"HostConfig.Tmpfs[/data]"},
		`{"Image":"x","HostConfig":{"Tmpfs":{"/data":"size"}}}`:                                                                                  {"HostConfig.Tmpfs[/data]"},
		`{"Image":"x","HostConfig":{"Mounts":[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"Options":[["exec"],["size","1m"]]}}]}}`:             nil,
		`{"Image":"x","HostConfig":{"Mounts":[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"Options":[["remount"]]}}]}}`:                        {"HostConfig.Mounts[0].TmpfsOptions.Options[0]"},
		`{"Image":"x","HostConfig":{"Mounts":[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"Options":[["a","b","c"]]}}]}}`:                      {"HostConfig.Mounts[0].TmpfsOptions.Options[0]"},
	} {
		r := mustCreate(t, "/v1.47/containers/create", body)
		if got := invalidFields(r.Container.Invalid); !slices.Equal(got, want) {
			t.Errorf("%s: Invalid %v; want %v", body, got, want)
		}
	}
}
