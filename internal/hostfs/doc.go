// Package hostfs does the host file-system work that package policy must not do:
// it resolves bind-mount sources on this host so that the policy can judge where
// a path really leads.
//
// # Resolver
//
// [Resolver] implements [policy.PathResolver]. It follows symbolic links the way
// the kernel would when the daemon mounts the source, and, unlike
// [path/filepath.EvalSymlinks], it tolerates a missing tail: the daemon creates a
// missing bind source (Binds) or mount point (CreateMountpoint) with MkdirAll, so
// "$dir/etc/nonexistent" where "$dir/etc" links to "/etc" resolves to
// "/etc/nonexistent", the directory the daemon would create.
//
// # What cannot be checked
//
// Resolution is only meaningful when the daemon runs on this host and sees the
// same file system. For a remote daemon (TCP, SSH, a VM such as Docker Desktop,
// or a policy running in a container without the host's root file system):
//
//   - symlinks on the daemon's host cannot be followed: a bind source that is a
//     symlink there is judged by its spelling only, so allow only bind roots that
//     untrusted callers cannot write to;
//   - named volumes created outside the library (for example a local-driver
//     volume with o=bind,device=/) are invisible in a create request; the
//     safedocker client inspects a named volume before it uses it, and the
//     policy judges volume-create requests it sees;
//   - the check and the mount are not atomic (TOCTOU): a path can be replaced by
//     a symlink between the check and the daemon's mount, also on this host.
//     Writable bind roots shared with other workloads make this practical, which
//     is why binds are read-only unless a root is marked writable.
//
// A Resolver is stateless and safe for concurrent use.
package hostfs
