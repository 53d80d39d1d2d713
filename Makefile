# lanattach — `make test` is the one test command (README, .ci/run).
GO      ?= go
PREFIX  ?= /usr/local
BIN     := bin/lanattach
FPBIN   := bin/lanattach-failpoint
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
GOBUILD := CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)"

export LANATTACH_BIN := $(abspath $(BIN))
export LANATTACH_FAILPOINT_BIN := $(abspath $(FPBIN))

.PHONY: all build deps test unit hosttest vmtest bench demo lint install clean

all: build

build:
	$(GOBUILD) -o $(BIN) ./cmd/lanattach
	$(GOBUILD) -tags failpoint -o $(FPBIN) ./cmd/lanattach

# deps installs the Debian packages the tests, demo and VM runs need.
deps:
	hack/deps.sh

# unit runs the tests that need no root and no namespaces.
unit:
	$(GO) test -count=1 ./arpcheck/... ./link/... ./nsattach/... ./cmd/...

# hosttest runs every test on this machine's kernel (root, namespaces).
hosttest: deps build
	$(GO) test -count=1 -timeout 20m ./...

# vmtest runs the integration suite in a QEMU guest on a Debian kernel.
vmtest: deps build
	hack/vmtest

test: hosttest vmtest

bench: deps build
	$(GO) test -run '^$$' -bench . -benchtime 20x -count 1 -timeout 20m ./tests/...

demo: deps build
	hack/demo.sh

lint:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags failpoint ./...
	$(GO) mod tidy -diff

install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/lanattach

clean:
	rm -rf bin
