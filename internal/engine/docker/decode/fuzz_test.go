package decode

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/volume"
)

func addRecordedSeeds(f *testing.F) {
	fh, err := os.Open("testdata/recorded-cli-28.2.2.txt")
	if err != nil {
		f.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if parts := strings.SplitN(sc.Text(), " ", 3); len(parts) == 3 {
			f.Add(parts[1], []byte(parts[2]))
		}
	}
	for _, s := range []string{
		`{"image":"x","hostconfig":{"privileged":true}}`,
		`{"Image":"x","ſecurityOpt":["a"],"\u0050rivileged":true,"HostConfig":{"Capabilities":["ALL"],"X":{"y":[1,{"z":null}]}}}`,
		`{"Image":"x","Volumes":{"/a":{"k":1}},"ExposedPorts":{"80/tcp":{"":0}}}`,
		`{"Image":"x","HostConfig":{"Mounts":[{"Type":"bind","BindOptions":{"Weird":"v"}}]}}`,
	} {
		f.Add("/containers/create", []byte(s))
	}
	f.Add("/containers/c/exec", []byte(`{"Cmd":["id"],"Bogus":{"a":"b"}}`))
	f.Add("/volumes/create", []byte(`{"Name":"v","options":{"o":"bind"}}`))
}

// strictOK decodes body into a fresh value of the endpoint's type with
// DisallowUnknownFields and reports whether that succeeded.
func strictOK(op Operation, body []byte) bool {
	var out any
	switch op {
	case OpContainerExec:
		out = new(container.ExecOptions)
	case OpVolumeCreate:
		out = new(volume.CreateOptions)
	default:
		out = new(legacyCreateRequest)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(out) == nil
}

// FuzzDecode checks that Decode never panics and that the key scan agrees
// with encoding/json: a body whose keys all select a field (it decodes with
// DisallowUnknownFields) has no unknown keys, and one that fails only on
// unknown keys has at least one.
func FuzzDecode(f *testing.F) {
	addRecordedSeeds(f)
	sch := schemas()
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		r, err := Decode("POST", target, body)
		if err != nil {
			return
		}
		var n *node
		switch r.Op {
		case OpContainerCreate:
			if r.Container == nil {
				t.Fatal("create without a container")
			}
			n = sch.create
		case OpContainerExec:
			if r.Exec == nil || len(r.Exec.Cmd) == 0 {
				t.Fatal("exec without a command")
			}
			n = sch.exec
		case OpVolumeCreate:
			if r.Volume == nil {
				t.Fatal("volume create without a volume")
			}
			n = sch.volume
		}
		if len(body) == 0 {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return
		}
		first := body[:dec.InputOffset()]
		unknown := scanAllKeys(first, n)
		if ok := strictOK(r.Op, first); ok != (len(unknown) == 0) {
			t.Fatalf("encoding/json strict decode ok=%v but scan found %d unknown keys %+v in %s", ok, len(unknown), unknown, first)
		}
	})
}

func TestScanAgreesWithEncodingJSON(t *testing.T) {
	sch := schemas()
	for _, tc := range []struct {
		body string
		n    *node
		want int
	}{
		{`{"Image":"x","HostConfig":{"Privileged":true}}`, sch.create, 0},
		{`{"image":"x","HOSTCONFIG":{"privileged":true},"binds":null,"cpuset":"1"}`, sch.create, 0},
		{`{"Image":"x","HostConfig":{"Capabilities":null,"Foo":1}}`, sch.create, 2},
		{`{"Image":"x","Volumes":{"/a":{"k":1}},"ExposedPorts":{"80/tcp":{}}}`, sch.create, 1},
		{`{"Image":"x","HostConfig":{"Mounts":[{"Type":"bind","BindOptions":{"Weird":"v"}}],"PortBindings":{"80":[{"HostIP":"","X":1}]}}}`, sch.create, 2},
		{`{"Image":"x","NetworkingConfig":{"EndpointsConfig":{"n":{"IPAMConfig":{"IPv4Address":"1.2.3.4","Bad":1}}}}}`, sch.create, 1},
		{`{"Image":"x","Cmd":"sh","Entrypoint":["a"],"Healthcheck":{"Test":["NONE"],"Bogus":2}}`, sch.create, 1},
		{`{"Cmd":["id"],"privileged":true,"Capabilities":["ALL"]}`, sch.exec, 1},
		{`{"Name":"v","ClusterVolumeSpec":{"AccessMode":{"MountVolume":{"FsType":"ext4","X":1}}}}`, sch.volume, 1},
	} {
		got := scanAllKeys([]byte(tc.body), tc.n)
		if len(got) != tc.want {
			t.Errorf("%s: %d unknown keys %+v; want %d", tc.body, len(got), got, tc.want)
		}
	}
}
