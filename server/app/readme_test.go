package app

import (
	"os"
	"strings"
	"testing"
)

// The README's configuration table is what operators read; every setting
// must be in it, under its variable and its flag.
func TestReadme_listsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range (&Config{}).Options() {
		row := "| `" + o.Env + "` | `--" + o.Flag + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md has no configuration row for %s (%s)", o.Env, o.Flag)
		}
	}
}
