package policy

import "reflect"

// ContainerReadings judges two readings of one container-create request, such
// as the current and the legacy (pre-v27 daemon) reading that the request
// decoder produces, and returns exactly what Container(cur) and
// Container(alt) return. When alt shares its Mounts slice with cur (same
// elements, as the decoder's legacy reading does unless a mount differs), the
// checks that judge nothing but the mounts run once, on cur, and their findings
// are reused for alt. Like Container it is safe for concurrent use; neither
// request is modified.
func (e *Evaluator) ContainerReadings(cur, alt *Container) (Decision, Decision) {
	d := e.Container(cur)
	if cur == nil || alt == nil || !sameMounts(cur.Mounts, alt.Mounts) {
		return d, e.Container(alt)
	}
	da := Decision{Level: e.settings.Level, Version: e.version}
	r := e.reports.Get().(*Report)
	var reused [2]CheckID // the mounts-only checks skipped for alt
	n := 0
	for i, st := range e.container {
		if e.mountsOnly[i] && n < len(reused) {
			reused[n] = st.id
			n++
			continue
		}
		r.check = st.id
		st.fn(alt, &e.settings, r)
	}
	// cur's findings are sorted stably, so the findings of one check on one
	// field keep the order the check emitted them in; finish sorts the same way.
	for _, f := range d.Findings {
		for _, id := range reused[:n] {
			if f.Check == id {
				r.findings = append(r.findings, f)
			}
		}
	}
	da.Findings, da.Allowed = e.finish(r)
	return d, da
}

// sameMounts reports whether a and b are the same slice (same length and
// first element), so that mount checks see identical input.
func sameMounts(a, b []Mount) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// mountsOnly reports whether fn is a container check function that reads
// nothing of the request but its Mounts (and the Settings), so that two requests
// with the same Mounts get the same findings from it. Only this package's own
// functions qualify, compared by identity; TestMountsOnlyChecksReadOnlyMounts
// keeps the claim honest.
func mountsOnly(fn func(*Container, *Settings, *Report)) bool {
	p := reflect.ValueOf(fn).Pointer()
	return p == reflect.ValueOf(hostMountsV1).Pointer() || p == reflect.ValueOf(sensitivePathsV1).Pointer()
}
