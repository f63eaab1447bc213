package policy

// selinux (baseline): "label=disable" (or the bare "disable") turns SELinux
// separation off; a label type other than the container types
// (container_t, container_init_t, container_kvm_t, container_engine_t), such
// as spc_t, runs the container unconfined; a label user or role is not for
// containers. A label level (MCS categories) is allowed. A filetype other than
// container_file_t or container_ro_file_t is denied, as relabelling files to
// a host type is not a container's business.

func init() { register(checkSELinux()) }

func checkSELinux() Check {
	return Check{
		ID:     "selinux",
		Level:  LevelBaseline,
		Title:  "SELinux label disabled, or a label type, user, role or file type outside the container types",
		Fields: []string{"HostConfig.SecurityOpt label"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      selinuxV1,
		}},
	}
}

func selinuxV1(c *Container, _ *Settings, r *Report) {
	l := &c.Security.Label
	f := secOptField(&c.Security, "label")
	if l.Disable {
		r.Deny(f, "label=disable", "disabling SELinux labelling removes the container's mandatory access control",
			"remove the label=disable option")
	}
	switch l.Type {
	case "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t":
	default:
		r.Deny(f, "label=type:"+l.Type, "SELinux type "+l.Type+" is not a confined container type",
			"remove the label type, or use container_t")
	}
	if l.User != "" {
		r.Deny(f, "label=user:"+l.User, "setting the SELinux user is not allowed for containers", "remove the label user option")
	}
	if l.Role != "" {
		r.Deny(f, "label=role:"+l.Role, "setting the SELinux role is not allowed for containers", "remove the label role option")
	}
	switch l.FileType {
	case "", "container_file_t", "container_ro_file_t":
	default:
		r.Deny(f, "label=filetype:"+l.FileType, "SELinux file type "+l.FileType+" is not a container file type",
			"remove the label filetype option")
	}
}
