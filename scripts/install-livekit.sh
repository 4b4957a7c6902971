#!/usr/bin/env bash
# Installs livekit-server v1.13.5 into $(go env GOPATH)/bin once per machine.
# Newer releases do not build from the Go module proxy (their go.mod uses
# replace directives), so the version is pinned.
set -euo pipefail

version="v1.13.5"
bin_dir="$(go env GOPATH)/bin"
target="$bin_dir/livekit-server"
stamp="$bin_dir/.livekit-server-$version"

if [[ -x "$target" && -f "$stamp" ]]; then
  echo "livekit-server $version already installed at $target"
  exit 0
fi

echo "building livekit-server $version (takes a few minutes on a cold cache)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
GOBIN="$tmp" go install "github.com/livekit/livekit-server/cmd/server@$version"
mkdir -p "$bin_dir"
mv "$tmp/server" "$target"
touch "$stamp"
echo "installed $target"
