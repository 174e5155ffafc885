# limes - the front door.  `make demo` and `make check` do all the set-up on
# a fresh Debian 12 machine; the real build is Meson (meson.build).
BUILD      ?= build
SAN_BUILD  ?= build-san
FUZZ_BUILD ?= build-fuzz
LISTEN     ?= 127.0.0.1:8080
DB         ?= var/limes.db

.PHONY: all deps build demo check test fuzz bench clean web web-test-deps

all: build

deps:
	@tools/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build web
	$(BUILD)/limes demo --db $(DB) --listen $(LISTEN) --web web

# The web interface's generated files (web/generated: the Arabic font from
# fonts-noto-core, country names from iso-codes), and for its browser tests
# playwright-core installed from package-lock.json.
web: deps
	tools/web-assets.py

web-test-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Every test, built with AddressSanitizer and UndefinedBehaviorSanitizer
# (no recovery), warnings as errors; ends with an "N passed, N failed" line.
# A throwaway PostgreSQL (tools/pg-test.sh) runs for the *-pg tests.
$(SAN_BUILD)/build.ninja:
	CC=gcc meson setup $(SAN_BUILD) --buildtype=debug -Dwerror=true \
	  -Db_sanitize=address,undefined -Db_lundef=false \
	  -Dc_args=-fno-sanitize-recover=all

check: deps web web-test-deps $(SAN_BUILD)/build.ninja $(FUZZ_BUILD)/build.ninja
	ninja -C $(SAN_BUILD)
	ninja -C $(FUZZ_BUILD)
	export LIMES_PG_STATE=$(abspath $(SAN_BUILD))/pg-test.state; \
	LIMES_TEST_PG=$$(tools/pg-test.sh start || true); export LIMES_TEST_PG; \
	LIMES_FUZZ_BUILD=$(abspath $(FUZZ_BUILD)) tools/run-tests.sh $(SAN_BUILD); \
	rc=$$?; tools/pg-test.sh stop; exit $$rc

test: check

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) --buildtype=debug -Dfuzz=true \
	  -Db_sanitize=address,undefined -Db_lundef=false

fuzz: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)

bench: build
	bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)
