//go:build nodist

package web

import "io/fs"

// Embedded is empty: this binary was built with -tags nodist and carries no
// admin SPA.
var Embedded fs.FS = emptyFS{}

// BuiltWithout reports whether the binary was built with the nodist tag.
const BuiltWithout = true

type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
