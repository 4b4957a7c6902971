# Sidekick Forge developer commands. Every target runs on a fresh machine
# with Go, PostgreSQL on 127.0.0.1:5432 and the Go module proxy.

GO ?= go

.PHONY: run test test-go test-frontend vet generate build livekit chromium demo bench

## run: start the platform with local defaults on 127.0.0.1:8080
run:
	$(GO) run ./server serve

## build: build the server binary into bin/sidekick-forge
build:
	$(GO) build -o bin/sidekick-forge ./server

## test: install what the tests need (LiveKit server, Chromium, npm
## packages), then run every Go test and the admin SPA's unit and browser tests
test: livekit chromium vet test-go test-frontend

test-go:
	$(GO) test -count=1 -timeout 20m ./...

test-frontend:
	npm ci --no-audit --no-fund
	npm test
	npm run e2e

## chromium: install Debian's Chromium for the browser tests
chromium:
	bash scripts/install-chromium.sh

vet:
	$(GO) vet ./...

## generate: regenerate the GraphQL executor and models from graph/schema
generate:
	$(GO) tool gqlgen generate

## livekit: build livekit-server v1.13.5 once into $(go env GOPATH)/bin
livekit:
	bash scripts/install-livekit.sh

## demo: run the main job end to end on loopback, as a new user would see it
demo: livekit
	$(GO) run ./tools/demo

## bench: run the benchmarks recorded in docs/benchmarks.md
bench:
	bash scripts/bench.sh
