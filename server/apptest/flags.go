package apptest

import (
	"flag"
	"io"
)

func newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("apptest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}
