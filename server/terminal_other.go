//go:build !linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// isTerminal reports false off Linux, where the password is read from
// stdin as a script would send it.
//
// NOTE: off Linux a typed password is echoed; pipe it in instead.
func isTerminal(*os.File) bool { return false }

func promptHidden(f *os.File, out io.Writer, prompt string) (string, error) {
	fmt.Fprint(out, prompt)
	line, err := bufio.NewReader(f).ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}
