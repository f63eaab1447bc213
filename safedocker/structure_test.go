package safedocker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// nonOperations are the exported methods of *Client that are not operations:
// they do no I/O and need no capability. Every other exported method must
// require a capability and pass the pipeline; TestEveryClientMethodIsGated
// proves it for each one by reflection, so a method added without the pipeline
// fails the test. Add a method here only if it touches neither the engine nor
// the daemon.
var nonOperations = map[string]bool{
	"Close":        true, // releases the connection
	"Narrow":       true, // builds a smaller client
	"Grant":        true, // reads the grant
	"NewContainer": true, // starts a builder; Create is the operation
}

// callArgs builds arguments for m: a context, "abc" for strings, zero values
// otherwise, no variadic arguments.
func callArgs(ctx context.Context, recv reflect.Value, m reflect.Method) []reflect.Value {
	ft := m.Type
	args := []reflect.Value{recv}
	n := ft.NumIn()
	if ft.IsVariadic() {
		n--
	}
	ctxType := reflect.TypeFor[context.Context]()
	for i := 1; i < n; i++ {
		in := ft.In(i)
		switch {
		case in == ctxType:
			args = append(args, reflect.ValueOf(ctx))
		case in.Kind() == reflect.String:
			args = append(args, reflect.ValueOf("abc").Convert(in))
		default:
			args = append(args, reflect.Zero(in))
		}
	}
	return args
}

// callErr calls m and returns its error result (the last result), recovering
// from panics as test failures.
func callErr(t *testing.T, recv reflect.Value, m reflect.Method, ctx context.Context) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v", m.Name, r)
			err = nil
		}
	}()
	out := m.Func.Call(callArgs(ctx, recv, m))
	if len(out) == 0 {
		t.Fatalf("%s returns nothing: an operation must return an error", m.Name)
	}
	last := out[len(out)-1]
	if last.Type() != reflect.TypeFor[error]() {
		t.Fatalf("%s: last result is %s, not error", m.Name, last.Type())
	}
	if last.IsNil() {
		return nil
	}
	return last.Interface().(error)
}

func TestEveryClientMethodIsGated(t *testing.T) {
	ct := reflect.TypeFor[*Client]()
	ops := 0
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		if nonOperations[m.Name] {
			continue
		}
		ops++
		t.Run(m.Name, func(t *testing.T) {
			// 1. With an empty grant: ErrCapabilityDenied, nothing else consulted.
			empty := newTestClient(t)
			empty.fake.Forbid()
			err := callErr(t, reflect.ValueOf(empty.Client), m, ctxFor(t))
			var ce *CapabilityError
			if !errors.As(err, &ce) {
				t.Fatalf("with an empty grant: err = %v, want *CapabilityError", err)
			}
			if calls, _ := empty.lim.counts(); calls != 0 {
				t.Errorf("limiter consulted before the capability check")
			}
			if n := len(empty.fake.Calls()); n != 0 {
				t.Errorf("engine called %d times", n)
			}

			// 2. Granted exactly that capability: it passes the pipeline, which
			// logs exactly one decision event for the operation and takes one
			// rate-limit slot, released by the end.
			only := newTestClient(t, WithCapabilities(ce.Capability))
			err = callErr(t, reflect.ValueOf(only.Client), m, ctxFor(t))
			if errors.Is(err, ErrCapabilityDenied) {
				t.Fatalf("granted %s, still denied: %v", ce.Capability, err)
			}
			d := only.audit.decisions(t)
			if len(d) != 1 || d[0]["op"] != ce.Op || d[0]["capability"] != ce.Capability.String() {
				t.Fatalf("decision events = %v, want one for %s", d, ce.Op)
			}
			calls, released := only.lim.counts()
			if calls != 1 || released != 1 {
				t.Errorf("limiter: %d acquired, %d released; want 1 and 1", calls, released)
			}
		})
	}
	if ops < 11 {
		t.Fatalf("found %d operations on *Client; the container operations alone are 11", ops)
	}
}

// interfaceCaps maps each per-capability interface to the capabilities its
// methods need. Every method of the interface must be refused by a client
// holding every capability except these.
var interfaceCaps = map[reflect.Type][]Capability{
	reflect.TypeFor[ContainerReader]():    {CapContainerRead},
	reflect.TypeFor[ContainerLogReader](): {CapContainerLogs},
	reflect.TypeFor[ContainerCreator]():   {CapContainerCreate},
	reflect.TypeFor[ContainerLifecycle](): {CapContainerStart, CapContainerStop, CapContainerRestart, CapContainerKill, CapContainerWait},
	reflect.TypeFor[ContainerRemover]():   {CapContainerRemove},
	reflect.TypeFor[Pinger]():             {CapSystemRead},
	reflect.TypeFor[Executor]():           {CapExec},
	reflect.TypeFor[ImageReader]():        {CapImageRead},
	reflect.TypeFor[ImagePuller]():        {CapImagePull},
	reflect.TypeFor[ImageRemover]():       {CapImageRemove},
	reflect.TypeFor[VolumeReader]():       {CapVolumeRead},
	reflect.TypeFor[VolumeCreator]():      {CapVolumeCreate},
	reflect.TypeFor[VolumeRemover]():      {CapVolumeRemove},
	reflect.TypeFor[NetworkReader]():      {CapNetworkRead},
	reflect.TypeFor[NetworkCreator]():     {CapNetworkCreate},
	reflect.TypeFor[NetworkConnector]():   {CapNetworkConnect},
	reflect.TypeFor[NetworkRemover]():     {CapNetworkRemove},
	reflect.TypeFor[SystemReader]():       {CapSystemRead},
}

func TestInterfacesNeedTheirCapabilities(t *testing.T) {
	ct := reflect.TypeFor[*Client]()
	for it, caps := range interfaceCaps {
		if !ct.Implements(it) {
			t.Errorf("*Client does not implement %s", it)
			continue
		}
		others := NewGrant(AllCapabilities()...)
		for _, c := range caps {
			others = Grant{bits: others.bits &^ (1 << c)}
		}
		for i := range it.NumMethod() {
			name := it.Method(i).Name
			if nonOperations[name] {
				continue
			}
			m, _ := ct.MethodByName(name)
			t.Run(it.Name()+"."+name, func(t *testing.T) {
				tc := newTestClient(t, WithGrant(others))
				tc.fake.Forbid()
				err := callErr(t, reflect.ValueOf(tc.Client), m, ctxFor(t))
				var ce *CapabilityError
				if !errors.As(err, &ce) {
					t.Fatalf("with every capability but %v: err = %v, want *CapabilityError", caps, err)
				}
				found := false
				for _, c := range caps {
					found = found || c == ce.Capability
				}
				if !found {
					t.Errorf("needs %s, which is not among the interface's %v", ce.Capability, caps)
				}
			})
		}
	}
}

// moduleRoot returns the module's root directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// forbiddenPrefixes are import paths no exported identifier may mention, and
// (for the Docker SDK) that no package outside internal/engine/docker may
// import.
var forbiddenPrefixes = []string{
	"github.com/docker/", "github.com/moby/", "github.com/containerd/",
	"github.com/opencontainers/", "github.com/redis/",
}

// TestOnlyTheAdapterImportsDocker fails if any package of the module other
// than internal/engine/docker (and its subpackages) imports the Docker SDK,
// in its code or its tests.
func TestOnlyTheAdapterImportsDocker(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	root := moduleRoot(t)
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const adapter = "github.com/safedocker/safedocker/internal/engine/docker"
	dec := json.NewDecoder(bytes.NewReader(out))
	n := 0
	for {
		var p struct {
			ImportPath                         string
			Imports, TestImports, XTestImports []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		if p.ImportPath == adapter || strings.HasPrefix(p.ImportPath, adapter+"/") {
			continue
		}
		for _, imp := range append(append(p.Imports, p.TestImports...), p.XTestImports...) {
			if strings.HasPrefix(imp, "github.com/docker/docker") || strings.HasPrefix(imp, "github.com/moby/moby") {
				t.Errorf("%s imports %s: only %s may import the Docker SDK", p.ImportPath, imp, adapter)
			}
		}
	}
	if n < 5 {
		t.Fatalf("go list returned %d packages", n)
	}
}

// TestExportedAPIHasNoForeignTypes walks every exported identifier of the
// public packages (functions, methods, struct fields, type definitions,
// variables and constants, following our own named types) and fails if any
// type from the Docker SDK, moby, containerd, OCI or Redis appears.
func TestExportedAPIHasNoForeignTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles export data")
	}
	public := []string{
		"github.com/safedocker/safedocker/safedocker",
		"github.com/safedocker/safedocker/policy",
		"github.com/safedocker/safedocker/validate",
		"github.com/safedocker/safedocker/ratelimit",
		"github.com/safedocker/safedocker/ratelimit/memorystore",
	}
	imp, exports := exportImporter(t, public...)
	for _, path := range public {
		if exports[path] == "" {
			t.Errorf("%s: no export data (does it build?)", path)
			continue
		}
		pkg, err := imp.Import(path)
		if err != nil {
			t.Errorf("importing %s: %v", path, err)
			continue
		}
		w := &apiWalker{t: t, seen: map[types.Type]bool{}}
		scope := pkg.Scope()
		for _, name := range scope.Names() {
			obj := scope.Lookup(name)
			if !obj.Exported() {
				continue
			}
			w.walk(path+"."+name, obj.Type())
		}
		if w.named == 0 {
			t.Errorf("%s: walked no named types", path)
		}
	}
}

// exportImporter compiles export data for pkgs and their dependencies and
// returns an importer reading it, with the export file of each package.
func exportImporter(t *testing.T, pkgs ...string) (types.Importer, map[string]string) {
	t.Helper()
	root := moduleRoot(t)
	cmd := exec.Command("go", append([]string{"list", "-e", "-export", "-deps", "-json=ImportPath,Export"}, pkgs...)...)
	cmd.Dir = root
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct{ ImportPath, Export string }
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	return imp, exports
}

// TestEveryCapabilityInterfaceIsChecked fails when an exported interface that
// *Client implements is missing from interfaceCaps (so its methods would not
// be proven to need their capabilities).
func TestEveryCapabilityInterfaceIsChecked(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles export data")
	}
	const self = "github.com/safedocker/safedocker/safedocker"
	imp, _ := exportImporter(t, self)
	pkg, err := imp.Import(self)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for it := range interfaceCaps {
		listed[it.Name()] = true
	}
	client := types.NewPointer(pkg.Scope().Lookup("Client").Type())
	for _, name := range pkg.Scope().Names() {
		obj, ok := pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok || !obj.Exported() || obj.IsAlias() {
			continue
		}
		iface, ok := obj.Type().Underlying().(*types.Interface)
		if !ok || iface.NumMethods() == 0 || !types.Implements(client, iface) {
			continue
		}
		if !listed[name] {
			t.Errorf("interface %s is implemented by *Client but not listed in interfaceCaps", name)
		}
	}
}

type apiWalker struct {
	t     *testing.T
	seen  map[types.Type]bool
	named int
}

func (w *apiWalker) walk(where string, typ types.Type) {
	if typ == nil || w.seen[typ] {
		return
	}
	w.seen[typ] = true
	switch tt := typ.(type) {
	case *types.Alias:
		w.walk(where, types.Unalias(tt))
	case *types.Named:
		w.named++
		obj := tt.Obj()
		if obj.Pkg() != nil {
			p := obj.Pkg().Path()
			for _, f := range forbiddenPrefixes {
				if strings.HasPrefix(p, f) {
					w.t.Errorf("%s mentions %s.%s", where, p, obj.Name())
					return
				}
			}
			if !strings.HasPrefix(p, "github.com/safedocker/safedocker") {
				return // standard library or another allowed module: stop here
			}
		}
		w.walk(where, tt.Underlying())
		for i := range tt.NumMethods() {
			m := tt.Method(i)
			if m.Exported() {
				w.walk(where+"."+m.Name(), m.Type())
			}
		}
		if targs := tt.TypeArgs(); targs != nil {
			for i := range targs.Len() {
				w.walk(where, targs.At(i))
			}
		}
	case *types.Pointer:
		w.walk(where, tt.Elem())
	case *types.Slice:
		w.walk(where, tt.Elem())
	case *types.Array:
		w.walk(where, tt.Elem())
	case *types.Map:
		w.walk(where, tt.Key())
		w.walk(where, tt.Elem())
	case *types.Chan:
		w.walk(where, tt.Elem())
	case *types.Signature:
		for i := range tt.Params().Len() {
			w.walk(where, tt.Params().At(i).Type())
		}
		for i := range tt.Results().Len() {
			w.walk(where, tt.Results().At(i).Type())
		}
	case *types.Struct:
		for i := range tt.NumFields() {
			f := tt.Field(i)
			if f.Exported() || f.Embedded() {
				w.walk(where+"."+f.Name(), f.Type())
			}
		}
	case *types.Interface:
		for i := range tt.NumMethods() {
			m := tt.Method(i)
			if m.Exported() {
				w.walk(where+"."+m.Name(), m.Type())
			}
		}
	}
}
