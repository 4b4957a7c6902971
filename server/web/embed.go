//go:build !nodist

package web

import (
	"embed"
	"io/fs"
)

// dist holds the Vite build under dist/app. The committed dist/.gitignore
// keeps the pattern matching on a fresh clone, before any build exists.
//
//go:embed all:dist
var dist embed.FS

// Embedded is the admin SPA compiled into this binary: the Vite build, or
// an empty folder when the binary was built before `npm run build`.
var Embedded fs.FS = subtree(dist, "dist/app")

// BuiltWithout reports whether the binary was built with the nodist tag.
const BuiltWithout = false

func subtree(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		// fs.Sub fails only on an invalid path, and dir is a constant.
		panic(err)
	}
	return sub
}
