//go:build !unix

package safedocker

import "io/fs"

// fileOwner cannot read ownership on this platform, so every socket check
// fails closed with ErrSocketOwner.
func fileOwner(fs.FileInfo) (uid, gid uint32, ok bool) { return 0, 0, false }
