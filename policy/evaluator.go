package policy

import (
	"cmp"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// noChecksAcknowledgement is the type of AcknowledgeNoChecks. It is unexported
// so that only a constant written in code (AcknowledgeNoChecks, or the same
// untyped string literal) can be assigned to Config.Acknowledge: a string read
// at run time from a flag, file or environment variable does not compile.
type noChecksAcknowledgement string

// AcknowledgeNoChecks must be set in Config.Acknowledge to build an evaluator at
// LevelPrivileged, which runs no checks at all. Writing it in code is the
// signature: grep for it to find every place that turns the checks off.
const AcknowledgeNoChecks noChecksAcknowledgement = "I accept that LevelPrivileged runs no policy checks and that any request may take over the Docker host"

// Config configures an evaluator. The zero value is LevelBaseline at the latest
// check-set version, no exceptions, no symlink resolution, digests not required
// and (through New) the default command validator.
type Config struct {
	// Level is the policy level; the zero value is LevelBaseline.
	Level Level
	// Version pins the check-set version; the zero value (VersionLatest) selects
	// the newest behaviour of every check.
	Version Version
	// Acknowledge must be AcknowledgeNoChecks when Level is LevelPrivileged and
	// is ignored otherwise.
	Acknowledge noChecksAcknowledgement
	// Exceptions are explicit, narrow allowances; see Exceptions.
	Exceptions Exceptions
	// Commands judges the programs a container or exec would run. With New, nil
	// means the validate package's default list-command validator; with
	// NewEvaluator, nil means commands are not checked.
	Commands CommandValidator
	// Paths resolves host paths (symlinks) for the bind and device checks. Nil
	// means no symlink resolution, which is the only option for a remote daemon.
	Paths PathResolver
	// RequireDigest denies images that are not pinned by digest.
	RequireDigest bool
}

// Decision is the verdict on one request.
type Decision struct {
	// Allowed is true when no check found anything. The zero Decision is a
	// denial with no findings.
	Allowed bool
	// Findings are all the reasons for a denial, ordered by check ID and then by
	// field (numeric indexes compare as numbers). Nil when Allowed.
	Findings []Finding
	// Level and Version are the level and the resolved check-set version that
	// judged the request.
	Level   Level
	Version Version
}

// Err returns nil when d is allowed, else a *DeniedError carrying the findings,
// which matches ErrDenied.
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	return &DeniedError{Findings: d.Findings}
}

// step is one check's function for one kind of request.
type step[T any] struct {
	id CheckID
	fn func(*T, *Settings, *Report)
}

// Evaluator judges requests against a fixed set of checks at one level and
// version. It is immutable after construction and safe for concurrent use by
// any number of goroutines; evaluation is pure (no I/O apart from the optional
// PathResolver and whatever the CommandValidator does, no context, no error).
type Evaluator struct {
	settings Settings
	// pinned is Config.Version as given (0 = latest); version is the resolved one.
	pinned, version Version
	newest          Version
	ack             noChecksAcknowledgement
	checks          []Check
	container       []step[Container]
	exec            []step[Exec]
	volume          []step[VolumeCreate]
	// mountsOnly marks the container steps whose function judges only the
	// mounts (see ContainerReadings).
	mountsOnly []bool
	reports    *sync.Pool
}

// New returns an evaluator running DefaultChecks. When cfg.Commands is nil it
// uses the validate package's default list-command validator.
func New(cfg Config) (*Evaluator, error) {
	if cfg.Commands == nil {
		v, err := defaultCommandValidator()
		if err != nil {
			return nil, err
		}
		cfg.Commands = v
	}
	return NewEvaluator(cfg, DefaultChecks()...)
}

// NewEvaluator returns an evaluator running the given checks; it copies them. It
// validates the check set (at least one check; unique identifier IDs; baseline
// or restricted levels; a title; versions starting at V1 and strictly
// increasing) and the configuration (a known level, a pinned version no newer
// than the newest check version, AcknowledgeNoChecks for LevelPrivileged,
// well-formed exceptions), and returns a *ConfigError matching
// ErrInvalidConfig for the first problem found. cfg.Commands nil means commands
// are not checked.
func NewEvaluator(cfg Config, checks ...Check) (*Evaluator, error) {
	newest, err := validateChecks(checks)
	if err != nil {
		return nil, err
	}
	switch cfg.Level {
	case LevelBaseline, LevelRestricted:
	case LevelPrivileged:
		if cfg.Acknowledge != AcknowledgeNoChecks {
			return nil, configErr("Acknowledge", string(cfg.Acknowledge), "LevelPrivileged runs no checks and requires Acknowledge: policy.AcknowledgeNoChecks")
		}
	default:
		return nil, configErr("Level", cfg.Level.String(), "unknown level")
	}
	if cfg.Version > newest {
		return nil, configErr("Version", strconv.Itoa(int(cfg.Version)), "unknown check-set version; the newest is "+strconv.Itoa(int(newest)))
	}
	compiled, err := compileExceptions(cfg.Exceptions)
	if err != nil {
		return nil, err
	}
	e := &Evaluator{
		settings: Settings{
			Level:         cfg.Level,
			Exceptions:    copyExceptions(cfg.Exceptions),
			Commands:      cfg.Commands,
			Paths:         cfg.Paths,
			RequireDigest: cfg.RequireDigest,
			compiled:      compiled,
		},
		pinned: cfg.Version,
		newest: newest,
		ack:    cfg.Acknowledge,
		checks: make([]Check, len(checks)),
	}
	for i, c := range checks {
		e.checks[i] = copyCheck(c)
	}
	slices.SortFunc(e.checks, func(a, b Check) int { return cmp.Compare(a.ID, b.ID) })
	e.plan()
	return e, nil
}

// plan resolves the version and precomputes the functions to run, in ID order.
func (e *Evaluator) plan() {
	e.version = e.pinned
	if e.version == VersionLatest {
		e.version = e.newest
	}
	e.container, e.exec, e.volume, e.mountsOnly = nil, nil, nil, nil
	e.reports = &sync.Pool{New: func() any { return new(Report) }}
	if e.settings.Level == LevelPrivileged {
		return
	}
	for _, c := range e.checks {
		if c.Level == LevelRestricted && e.settings.Level != LevelRestricted {
			continue
		}
		vc := versionFor(c, e.version)
		if vc.Container != nil {
			e.container = append(e.container, step[Container]{c.ID, vc.Container})
			e.mountsOnly = append(e.mountsOnly, mountsOnly(vc.Container))
		}
		if vc.Exec != nil {
			e.exec = append(e.exec, step[Exec]{c.ID, vc.Exec})
		}
		if vc.Volume != nil {
			e.volume = append(e.volume, step[VolumeCreate]{c.ID, vc.Volume})
		}
	}
}

// Settings returns a copy of the evaluator's settings (the exception lists are
// copied too).
func (e *Evaluator) Settings() Settings {
	s := e.settings
	s.Exceptions = copyExceptions(s.Exceptions)
	return s
}

// Container judges a container-create request. A nil c is denied.
func (e *Evaluator) Container(c *Container) Decision {
	return evaluate(e, "container", c, e.container)
}

// Exec judges an exec-create request. A nil x is denied.
func (e *Evaluator) Exec(x *Exec) Decision {
	return evaluate(e, "exec", x, e.exec)
}

// Volume judges a volume-create request. A nil v is denied.
func (e *Evaluator) Volume(v *VolumeCreate) Decision {
	return evaluate(e, "volume", v, e.volume)
}

// evaluate runs steps on req and collects every finding; a nil req is denied.
func evaluate[T any](e *Evaluator, kind string, req *T, steps []step[T]) Decision {
	d := Decision{Level: e.settings.Level, Version: e.version}
	if req == nil {
		d.Findings = []Finding{nilRequest(kind)}
		return d
	}
	r := e.reports.Get().(*Report)
	for _, st := range steps {
		r.check = st.id
		st.fn(req, &e.settings, r)
	}
	d.Findings, d.Allowed = e.finish(r)
	return d
}

// finish takes the findings out of r, returns r to the pool and orders the
// findings. The allow path allocates nothing.
func (e *Evaluator) finish(r *Report) ([]Finding, bool) {
	f := r.findings
	r.findings = nil
	r.check = ""
	clear(r.argv)
	r.argv = r.argv[:0]
	e.reports.Put(r)
	if len(f) == 0 {
		return nil, true
	}
	sortFindings(f)
	return f, false
}

func nilRequest(kind string) Finding {
	return Finding{
		Check:       checkUnrecognised,
		Field:       "",
		Value:       "",
		Reason:      "the " + kind + " request is nil",
		Remediation: "pass a request to judge",
	}
}

// sortFindings orders findings by check ID, then by field with numeric indexes
// compared as numbers; findings of one check on one field keep their order.
func sortFindings(f []Finding) {
	slices.SortStableFunc(f, func(a, b Finding) int {
		if c := cmp.Compare(a.Check, b.Check); c != 0 {
			return c
		}
		return compareField(a.Field, b.Field)
	})
}

// compareField compares two field paths, treating runs of digits as numbers so
// that "Cmd[2]" sorts before "Cmd[10]".
func compareField(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na := strings.TrimLeft(a[si:i], "0")
			nb := strings.TrimLeft(b[sj:j], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			continue
		}
		if c := cmp.Compare(a[i], b[j]); c != 0 {
			return c
		}
		i++
		j++
	}
	return cmp.Compare(len(a)-i, len(b)-j)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// TightenOption makes an evaluator stricter; see Evaluator.Tighten. The set of
// options is closed: only this package can create them.
type TightenOption interface {
	apply(*Evaluator) error
}

type tightenFunc func(*Evaluator) error

func (f tightenFunc) apply(e *Evaluator) error { return f(e) }

// strictness orders the levels: privileged < baseline < restricted.
func strictness(l Level) int {
	switch l {
	case LevelPrivileged:
		return 0
	case LevelBaseline:
		return 1
	case LevelRestricted:
		return 2
	}
	return -1
}

// RaiseLevel sets the level to l, which must be at least as strict as the
// evaluator's (privileged < baseline < restricted); a lower level is an error
// matching ErrWouldLoosen.
func RaiseLevel(l Level) TightenOption {
	return tightenFunc(func(e *Evaluator) error {
		if strictness(l) < 0 {
			return configErr("Level", l.String(), "unknown level")
		}
		if strictness(l) < strictness(e.settings.Level) {
			return loosenErr("Level", l.String(), "lower than the evaluator's level "+e.settings.Level.String())
		}
		e.settings.Level = l
		return nil
	})
}

// DropExceptions removes every exception.
func DropExceptions() TightenOption {
	return tightenFunc(func(e *Evaluator) error {
		e.settings.Exceptions = Exceptions{}
		c, _ := compileExceptions(Exceptions{})
		e.settings.compiled = c
		return nil
	})
}

// NarrowExceptions replaces the exceptions with ex, every entry of which must
// already be allowed by the evaluator's exceptions: the same bind root (a
// read-only root may not become writable), capability, sysctl, device,
// runtime, AppArmor profile or device driver, or an annotation key or prefix
// covered by an existing entry. Anything else is an error matching
// ErrWouldLoosen.
func NarrowExceptions(ex Exceptions) TightenOption {
	return tightenFunc(func(e *Evaluator) error {
		nc, err := compileExceptions(ex)
		if err != nil {
			return err
		}
		if err := narrower(nc, e.settings.compiled); err != nil {
			return err
		}
		e.settings.Exceptions = copyExceptions(ex)
		e.settings.compiled = nc
		return nil
	})
}

// RequireDigestPinning denies images that are not pinned by digest.
func RequireDigestPinning() TightenOption {
	return tightenFunc(func(e *Evaluator) error {
		e.settings.RequireDigest = true
		return nil
	})
}

// Tighten returns a new evaluator that is at least as strict as e, for one call
// or one caller: raise the level, narrow or drop exceptions, require digests.
// Any option that would loosen the policy makes Tighten fail with an error
// matching ErrWouldLoosen; e itself never changes. Raising LevelPrivileged to
// a checked level is allowed.
func (e *Evaluator) Tighten(opts ...TightenOption) (*Evaluator, error) {
	t := &Evaluator{
		settings: e.settings,
		pinned:   e.pinned,
		newest:   e.newest,
		ack:      e.ack,
		checks:   e.checks, // immutable once built
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(t); err != nil {
			return nil, err
		}
	}
	t.plan()
	return t, nil
}

// compiledExceptions are the normalised exceptions the checks consult.
type compiledExceptions struct {
	bindRoots          []BindRoot // cleaned
	caps               map[string]bool
	sysctls            map[string]bool
	devices            map[string]bool
	runtimes           map[string]bool
	annotations        map[string]bool
	annotationPrefixes []string
	apparmor           map[string]bool
	deviceDrivers      map[string]bool
	anyDeviceDriver    bool
	volumeDrivers      map[string]bool
}

// exceptions returns the compiled exceptions, compiling them (best effort,
// invalid entries allow nothing) for a Settings built by hand.
func (s *Settings) exceptions() *compiledExceptions {
	if s.compiled != nil {
		return s.compiled
	}
	c, _ := compileExceptions(s.Exceptions)
	return c
}

// compileExceptions validates and normalises ex. It always returns the
// compiled form of the valid entries, and the first error found.
func compileExceptions(ex Exceptions) (*compiledExceptions, error) {
	c := &compiledExceptions{}
	var first error
	fail := func(err error) {
		if first == nil {
			first = err
		}
	}
	for i, b := range ex.BindRoots {
		f := "Exceptions.BindRoots[" + strconv.Itoa(i) + "].Path"
		switch {
		case b.Path == "" || !path.IsAbs(b.Path):
			fail(configErr(f, b.Path, "a bind root must be an absolute path"))
		case strings.ContainsAny(b.Path, "\x00\\"):
			fail(configErr(f, b.Path, "a bind root must not contain NUL or backslash"))
		case hasDotDot(b.Path):
			fail(configErr(f, b.Path, "a bind root must not contain .. components; name the directory itself"))
		case path.Clean(b.Path) == "/":
			fail(configErr(f, b.Path, "the host root / cannot be a bind root"))
		default:
			c.bindRoots = append(c.bindRoots, BindRoot{Path: path.Clean(b.Path), Writable: b.Writable})
		}
	}
	set := func(m *map[string]bool, k string) {
		if *m == nil {
			*m = make(map[string]bool)
		}
		(*m)[k] = true
	}
	for i, capName := range ex.Capabilities {
		f := "Exceptions.Capabilities[" + strconv.Itoa(i) + "]"
		n, ok := normalizeCap(capName)
		switch {
		case n == "ALL":
			fail(configErr(f, capName, "ALL cannot be excepted; name each capability"))
		case !ok:
			fail(configErr(f, capName, "unknown capability"))
		default:
			set(&c.caps, n)
		}
	}
	for i, k := range ex.Sysctls {
		f := "Exceptions.Sysctls[" + strconv.Itoa(i) + "]"
		n := normalizeSysctl(k)
		if !validSysctlKey(n) {
			fail(configErr(f, k, "not a sysctl key"))
			continue
		}
		set(&c.sysctls, n)
	}
	for i, d := range ex.Devices {
		f := "Exceptions.Devices[" + strconv.Itoa(i) + "]"
		if !path.IsAbs(d) || path.Clean(d) != d || strings.ContainsAny(d, "\x00\\") || d == "/dev" || !underDir(d, "/dev") || procLinkDevice(d) {
			fail(configErr(f, d, "a device must be a clean absolute path of a device node under /dev"))
			continue
		}
		set(&c.devices, d)
	}
	for i, rt := range ex.Runtimes {
		if !validObjectName(rt) {
			fail(configErr("Exceptions.Runtimes["+strconv.Itoa(i)+"]", rt, "not a runtime name"))
			continue
		}
		set(&c.runtimes, rt)
	}
	for i, a := range ex.Annotations {
		f := "Exceptions.Annotations[" + strconv.Itoa(i) + "]"
		prefix, isPrefix := strings.CutSuffix(a, "*")
		switch {
		case prefix == "":
			fail(configErr(f, a, "an annotation exception must name a key or a non-empty prefix"))
		case strings.Contains(prefix, "*"):
			fail(configErr(f, a, "only a trailing * is supported"))
		case isPrefix:
			c.annotationPrefixes = append(c.annotationPrefixes, prefix)
		default:
			set(&c.annotations, a)
		}
	}
	for i, p := range ex.AppArmorProfiles {
		f := "Exceptions.AppArmorProfiles[" + strconv.Itoa(i) + "]"
		if p == "" || p == "unconfined" || strings.ContainsAny(p, "\x00\n") {
			fail(configErr(f, p, "not an allowable AppArmor profile name"))
			continue
		}
		set(&c.apparmor, p)
	}
	for i, d := range ex.DeviceRequests {
		f := "Exceptions.DeviceRequests[" + strconv.Itoa(i) + "]"
		switch {
		case d == "*":
			c.anyDeviceDriver = true
		case validObjectName(d):
			set(&c.deviceDrivers, d)
		default:
			fail(configErr(f, d, "not a device driver name"))
		}
	}
	for i, d := range ex.VolumeDrivers {
		if localDriver(d) || !validPluginName(d) {
			fail(configErr("Exceptions.VolumeDrivers["+strconv.Itoa(i)+"]", d, "not a volume driver plugin name (the local driver needs no exception)"))
			continue
		}
		set(&c.volumeDrivers, d)
	}
	return c, first
}

// validPluginName reports whether s looks like a plugin reference such as
// "convoy", "rexray/ebs" or "vieux/sshfs:latest": components of Docker's object
// name grammar separated by "/", with an optional ":tag" at the end.
func validPluginName(s string) bool {
	name, tag, hasTag := strings.Cut(s, ":")
	if hasTag && !validObjectName(tag) {
		return false
	}
	for _, c := range strings.Split(name, "/") {
		if !validObjectName(c) {
			return false
		}
	}
	return true
}

// narrower reports (as an ErrWouldLoosen error) the first entry of n that old
// does not already allow.
func narrower(n, old *compiledExceptions) error {
	for i, b := range n.bindRoots {
		ok := false
		for _, ob := range old.bindRoots {
			if ob.Path == b.Path && (ob.Writable || !b.Writable) {
				ok = true
				break
			}
		}
		if !ok {
			return loosenErr("Exceptions.BindRoots["+strconv.Itoa(i)+"]", b.Path, "not an existing bind root (or writable where the existing one is read-only)")
		}
	}
	subset := func(field string, m, om map[string]bool) error {
		for k := range m {
			if !om[k] {
				return loosenErr(field, k, "not an existing exception")
			}
		}
		return nil
	}
	if err := subset("Exceptions.Capabilities", n.caps, old.caps); err != nil {
		return err
	}
	if err := subset("Exceptions.Sysctls", n.sysctls, old.sysctls); err != nil {
		return err
	}
	if err := subset("Exceptions.Devices", n.devices, old.devices); err != nil {
		return err
	}
	if err := subset("Exceptions.Runtimes", n.runtimes, old.runtimes); err != nil {
		return err
	}
	if err := subset("Exceptions.AppArmorProfiles", n.apparmor, old.apparmor); err != nil {
		return err
	}
	if err := subset("Exceptions.VolumeDrivers", n.volumeDrivers, old.volumeDrivers); err != nil {
		return err
	}
	for k := range n.annotations {
		if !old.annotationAllowed(k) {
			return loosenErr("Exceptions.Annotations", k, "not covered by an existing exception")
		}
	}
	for _, p := range n.annotationPrefixes {
		ok := false
		for _, op := range old.annotationPrefixes {
			if strings.HasPrefix(p, op) {
				ok = true
				break
			}
		}
		if !ok {
			return loosenErr("Exceptions.Annotations", p+"*", "not covered by an existing exception")
		}
	}
	if n.anyDeviceDriver && !old.anyDeviceDriver {
		return loosenErr("Exceptions.DeviceRequests", "*", "not an existing exception")
	}
	if !old.anyDeviceDriver {
		if err := subset("Exceptions.DeviceRequests", n.deviceDrivers, old.deviceDrivers); err != nil {
			return err
		}
	}
	return nil
}

func (c *compiledExceptions) annotationAllowed(k string) bool {
	if c.annotations[k] {
		return true
	}
	for _, p := range c.annotationPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

func (c *compiledExceptions) deviceDriverAllowed(d string) bool {
	return c.anyDeviceDriver || (d != "" && c.deviceDrivers[d])
}

// copyExceptions deep-copies ex.
func copyExceptions(ex Exceptions) Exceptions {
	return Exceptions{
		BindRoots:        slices.Clone(ex.BindRoots),
		Devices:          slices.Clone(ex.Devices),
		Capabilities:     slices.Clone(ex.Capabilities),
		Sysctls:          slices.Clone(ex.Sysctls),
		Runtimes:         slices.Clone(ex.Runtimes),
		Annotations:      slices.Clone(ex.Annotations),
		AppArmorProfiles: slices.Clone(ex.AppArmorProfiles),
		DeviceRequests:   slices.Clone(ex.DeviceRequests),
		VolumeDrivers:    slices.Clone(ex.VolumeDrivers),
	}
}

// indexField returns field[i], e.g. "HostConfig.CapAdd[1]".
func indexField(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}

// keyField returns field[key], e.g. "HostConfig.Sysctls[net.ipv4.ip_forward]".
func keyField(field, key string) string {
	return field + "[" + key + "]"
}

// hasDotDot reports whether p has a ".." component.
func hasDotDot(p string) bool {
	for _, c := range strings.Split(p, "/") {
		if c == ".." {
			return true
		}
	}
	return false
}
