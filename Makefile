# lanattach — `make test` is the one test command (README, .ci/run).
GO      ?= go
PREFIX  ?= /usr/local
BIN     := bin/lanattach
FPBIN   := bin/lanattach-failpoint
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# urfave_cli_no_docs leaves out urfave/cli's markdown man pages (lanattach
# writes its own): a smaller binary that starts faster (CNI runs it often).
TAGS    := urfave_cli_no_docs
GOBUILD := CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)"
DOCS    := build/docs
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
CNIBINDIR   ?= /opt/cni/bin

export LANATTACH_BIN := $(abspath $(BIN))
export LANATTACH_FAILPOINT_BIN := $(abspath $(FPBIN))

.PHONY: all build deps test unit hosttest vmtest bench demo lint docs install deb clean

all: build

build:
	$(GOBUILD) -tags $(TAGS) -o $(BIN) ./cmd/lanattach
	$(GOBUILD) -tags $(TAGS),failpoint -o $(FPBIN) ./cmd/lanattach

# deps installs the Debian packages the tests, demo and VM runs need.
deps:
	hack/deps.sh

# unit runs the tests that need no root and no namespaces.
unit:
	$(GO) test -count=1 ./arpcheck/... ./dhcp/... ./link/... ./nsattach/... ./doctor/... ./cni/... ./cmd/...

# hosttest runs every test on this machine's kernel (root, namespaces),
# printing failures, package results and the skipped tests by reason.
hosttest: deps build
	hack/gotest.sh ./...

# vmtest runs the integration suite in a QEMU guest on a Debian kernel.
vmtest: deps build
	hack/vmtest

test: hosttest vmtest

# bench prints one table: lanattach next to its peers, and at scale
# (tests/bench_test.go). It runs in a mount namespace of its own (private
# propagation) with tmpfs on /run/netns, so that its 500 named netns stay
# its own, and on /run/lanattach, as /run is on a systemd host (on a disk
# every record write would wait for its fsync). The table takes its own
# medians; the pairs after it (dual-stack vs IPv4-only attach, the CNI
# plugin vs the stock macvlan plugin, --ip dhcp vs udhcpc) run 20 times
# each and report their ratio. The /22 scan runs in memory (arpcheck's
# BenchmarkScanGrowth): no /22 lies in the documentation ranges.
bench: deps build
	mkdir -p /run/netns /run/lanattach
	unshare -m sh -c 'mount -t tmpfs -o mode=0755 lanattach-bench /run/netns && \
		mount -t tmpfs -o mode=0700 lanattach-bench /run/lanattach && \
		$(GO) test -run "^$$" -bench Table -benchtime 1x -count 1 -timeout 30m ./tests/ && \
		$(GO) test -run "^$$" -bench ScanGrowth -benchtime 1x -count 1 ./arpcheck/ && \
		exec $(GO) test -run "^$$" -bench "AttachDualStack|CNIAddDel|DHCPVsUdhcpc" -benchtime 20x -count 1 -timeout 30m ./tests/'

demo: deps build
	hack/demo.sh

lint:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags failpoint ./...
	$(GO) mod tidy -diff

# docs writes the man pages and shell completions, generated from the
# command definitions by the built binary, into build/docs.
docs: build
	rm -rf $(DOCS)
	$(BIN) __gen-docs $(DOCS)

# install honours DESTDIR and PREFIX (and the *DIR variables above); the
# CNI plugin is the same binary, linked into CNIBINDIR as lanattach (the
# "type" in a network config) and lanattach-cni.
install: build docs
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/lanattach
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(DOCS)/man8/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -D -m 0644 $(DOCS)/bash/lanattach $(DESTDIR)$(BASHCOMPDIR)/lanattach
	install -D -m 0644 $(DOCS)/zsh/_lanattach $(DESTDIR)$(ZSHCOMPDIR)/_lanattach
	install -D -m 0644 $(DOCS)/fish/lanattach.fish $(DESTDIR)$(FISHCOMPDIR)/lanattach.fish
	install -d $(DESTDIR)$(CNIBINDIR)
	ln -sf $(PREFIX)/bin/lanattach $(DESTDIR)$(CNIBINDIR)/lanattach
	ln -sf $(PREFIX)/bin/lanattach $(DESTDIR)$(CNIBINDIR)/lanattach-cni

# deb builds build/lanattach_VERSION_ARCH.deb with dpkg-deb alone.
deb: docs
	hack/mkdeb.sh $(BIN) $(DOCS) $(VERSION) $(shell $(GO) env GOARCH) build

clean:
	rm -rf bin build
