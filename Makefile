# odbctx — GNU make. `make help` lists the targets.
#
# Sources are found by wildcard, so adding a file needs no edit here:
#   c/*.c                 -> $(BUILD)/libodbctx.so    (C core + capture)
#   cpp/*.cpp             -> $(BUILD)/libodbctx++.so  (C++ layer)
#   tools/NAME.c|.cpp     -> $(BUILD)/bin/NAME
#   tests/SUITE/*.cpp|.c  -> $(BUILD)/tests/SUITE     (one Catch2 binary per
#                            folder that defines CATCH_CONFIG_MAIN or _RUNNER,
#                            tests/support/*.cpp|.c linked into each)
#   fuzz/NAME.c           -> $(BUILD)/fuzz/NAME       (`make fuzz`, clang libFuzzer)
# A special rule belongs at the end of this file, in a block saying what it is for.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR ?=

BUILD ?= build
ASAN_BUILD ?= build-asan

CFLAGS ?= -O2 -g
CXXFLAGS ?= -O2 -g
# Extra compile and link flags for every object and binary; check-asan sets it.
SANITIZE ?=

# The version macros in the header are the single source of the version.
version_part = $(shell sed -n 's/^[#]define ODBCTX_VERSION_$(1)[[:space:]]*\([0-9][0-9]*\).*/\1/p' include/odbctx.h)
MAJOR := $(call version_part,MAJOR)
MINOR := $(call version_part,MINOR)
PATCH := $(call version_part,PATCH)
ifeq ($(strip $(MAJOR)),)
$(error cannot read ODBCTX_VERSION_MAJOR from include/odbctx.h)
endif
VERSION := $(MAJOR).$(MINOR).$(PATCH)

# Flags the project needs live here, not in CFLAGS/CXXFLAGS, so that
# `make CFLAGS=...` changes optimisation without dropping them.
WARN := -Wall -Wextra
DEPFLAGS = -MMD -MP
LIB_CFLAGS = -std=c11 -D_GNU_SOURCE -Iinclude -Ic -fPIC -fvisibility=hidden $(WARN) $(SANITIZE) $(CPPFLAGS) $(CFLAGS)
LIB_CXXFLAGS = -std=c++23 -Iinclude -Icpp -fPIC $(WARN) $(SANITIZE) $(CPPFLAGS) $(CXXFLAGS)
TEST_CFLAGS = -std=c11 -D_GNU_SOURCE -Iinclude -Itests/support $(WARN) $(SANITIZE) $(CPPFLAGS) $(CFLAGS)
TEST_CXXFLAGS = -std=c++23 -Iinclude -Itests/support -DODBCTX_SOURCE_DIR='"$(CURDIR)"' $(WARN) $(SANITIZE) $(CPPFLAGS) $(CXXFLAGS)
ALL_LDFLAGS = $(SANITIZE) $(LDFLAGS)

# ---- sources ----
CORE_SRCS := $(sort $(shell find c -name '*.c'))
CPP_SRCS := $(sort $(shell find cpp -name '*.cpp'))
TOOL_C_SRCS := $(sort $(wildcard tools/*.c))
TOOL_CXX_SRCS := $(sort $(wildcard tools/*.cpp))
SUPPORT_SRCS := $(sort $(wildcard tests/support/*.cpp tests/support/*.c))
# A folder is a Catch2 suite when one of its .cpp files defines Catch2's main;
# other .cpp files under tests/ (a consumer project, say) are left alone.
SUITES := $(sort $(filter-out db support,$(patsubst tests/%/,%,$(dir \
    $(shell grep -l -E '^[[:space:]]*[#][[:space:]]*define[[:space:]]+CATCH_CONFIG_(MAIN|RUNNER)' tests/*/*.cpp 2>/dev/null)))))
FUZZ_SRCS := $(sort $(wildcard fuzz/*.c))

obj = $(patsubst %,$(BUILD)/obj/%.o,$(basename $(1)))
CORE_OBJS := $(call obj,$(CORE_SRCS))
CPP_OBJS := $(call obj,$(CPP_SRCS))
SUPPORT_OBJS := $(call obj,$(SUPPORT_SRCS))
suite_objs = $(call obj,$(sort $(wildcard tests/$(1)/*.cpp tests/$(1)/*.c)))

LIBC_REAL := $(BUILD)/libodbctx.so.$(VERSION)
LIBC_LINKS := $(BUILD)/libodbctx.so.$(MAJOR) $(BUILD)/libodbctx.so
LIBCXX_REAL := $(BUILD)/libodbctx++.so.$(VERSION)
LIBCXX_LINKS := $(BUILD)/libodbctx++.so.$(MAJOR) $(BUILD)/libodbctx++.so

# The C++ library exists only once cpp/ has sources.
ifneq ($(CPP_SRCS),)
LIBS := $(LIBC_REAL) $(LIBC_LINKS) $(LIBCXX_REAL) $(LIBCXX_LINKS)
CXX_LINK_LIBS := -lodbctx++ -lodbctx -lodbc
else
LIBS := $(LIBC_REAL) $(LIBC_LINKS)
CXX_LINK_LIBS := -lodbctx -lodbc
endif

TOOLS := $(patsubst tools/%,$(BUILD)/bin/%,$(basename $(TOOL_C_SRCS) $(TOOL_CXX_SRCS)))
TEST_BINS := $(patsubst %,$(BUILD)/tests/%,$(SUITES))
FUZZ_BINS := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

# -lodbctx must come before -lodbc: that order is what makes the program's
# own ODBC calls resolve to odbctx's interposed entry points.
# $ORIGIN keeps the build tree relocatable and lets installed tools find
# the library in ../lib.
TEST_RPATH := -Wl,-rpath,'$$ORIGIN/..'
TOOL_RPATH := -Wl,-rpath,'$$ORIGIN/..:$$ORIGIN/../lib'

# Objects reached through pattern rules are not intermediate files to delete;
# a target whose recipe failed is.
.SECONDARY:
.DELETE_ON_ERROR:

.PHONY: all lib tools tests check check-asan valgrind install uninstall deps \
        example bench fuzz fuzz-build clean help

all: lib tools

lib: $(LIBS)

tools: $(TOOLS)

tests: $(TEST_BINS)

# ---- objects ----
$(BUILD)/obj/c/%.o: c/%.c
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/cpp/%.o: cpp/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(LIB_CXXFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/tools/%.o: tools/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(TEST_CXXFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(TEST_CXXFLAGS) $(DEPFLAGS) -c $< -o $@

# ---- libraries ----
$(LIBC_REAL): $(CORE_OBJS)
	$(CC) -shared -Wl,-soname,libodbctx.so.$(MAJOR) -Wl,--no-undefined $(ALL_LDFLAGS) \
	    -o $@ $(CORE_OBJS) -lodbc -ldl -lpthread

$(LIBCXX_REAL): $(CPP_OBJS) $(LIBC_LINKS)
	$(CXX) -shared -Wl,-soname,libodbctx++.so.$(MAJOR) -Wl,--no-undefined $(ALL_LDFLAGS) \
	    -Wl,-rpath,'$$ORIGIN' -o $@ $(CPP_OBJS) -L$(BUILD) -lodbctx -lodbc

$(BUILD)/%.so.$(MAJOR): $(BUILD)/%.so.$(VERSION)
	ln -sf $(<F) $@

$(BUILD)/%.so: $(BUILD)/%.so.$(MAJOR)
	ln -sf $(<F) $@

# ---- tools and tests ----
$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(LIBS)
	@mkdir -p $(@D)
	$(if $(filter tools/$*.cpp,$(TOOL_CXX_SRCS)),$(CXX),$(CC)) $(ALL_LDFLAGS) $(TOOL_RPATH) \
	    -o $@ $< -L$(BUILD) $(if $(filter tools/$*.cpp,$(TOOL_CXX_SRCS)),$(CXX_LINK_LIBS),-lodbctx -lodbc)

define suite_rule
$(BUILD)/tests/$(1): $(call suite_objs,$(1)) $(SUPPORT_OBJS) $(LIBS)
	@mkdir -p $$(@D)
	$$(CXX) $$(ALL_LDFLAGS) $$(TEST_RPATH) -o $$@ $(call suite_objs,$(1)) $(SUPPORT_OBJS) \
	    -L$$(BUILD) $$(CXX_LINK_LIBS) -lpthread
endef
$(foreach s,$(SUITES),$(eval $(call suite_rule,$(s))))

# ---- running tests ----
# Every target that runs something first makes sure the Debian packages are
# there (fast when they are; ODBCTX_SKIP_DEPS=1 skips it on other systems).
# A part that fails to build does not stop the run: tests/run counts a suite
# that was not built as failed, and the target still fails at the end.
# build_then_run(make arguments, tests/run environment)
define build_then_run
	@+$(MAKE) --no-print-directory -k $(1) all tests; built=$$?; \
	if [ $$built -ne 0 ]; then echo "make $@: the build failed (see above); running what was built" >&2; fi; \
	$(2) tests/run; ran=$$?; \
	test $$built -eq 0 && test $$ran -eq 0
endef

check: deps
	$(call build_then_run,,ODBCTX_BUILD=$(BUILD))

# ASan+UBSan build in its own tree. Libraries loaded into an uninstrumented
# process (LD_PRELOAD of libodbctx.so by odbctx-run, ctypes in Python) need
# the sanitizer runtimes preloaded first: tests/run exports them as
# ODBCTX_SANITIZER_PRELOAD for the code that builds such an LD_PRELOAD.
# GCC 12's flow analysis sees the sanitizers' instrumentation and reports
# -Wmaybe-uninitialized in libstdc++'s <regex> (pulled in by Catch2) that
# the normal build does not: that one warning is off in this build only.
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    -Wno-maybe-uninitialized
check-asan: deps
	$(call build_then_run,BUILD=$(ASAN_BUILD) SANITIZE='$(ASAN_FLAGS)' CFLAGS='-O1 -g' CXXFLAGS='-O1 -g',\
	    ODBCTX_BUILD=$(ASAN_BUILD) ODBCTX_SANITIZE=1)

# The C API's tests (core, reliability) on SQLite under valgrind; any
# memory error or definite leak makes the binary exit 99 and counts as a failure.
VALGRIND_SUITES ?= $(filter core c reliability,$(SUITES))
VALGRIND ?= valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --track-origins=yes --suppressions=tests/support/valgrind.supp
valgrind: deps
	@test -n "$(VALGRIND_SUITES)" || { echo "make valgrind: no core test suite (tests/core or tests/c) yet" >&2; exit 1; }
	$(call build_then_run,,ODBCTX_BUILD=$(BUILD) ODBCTX_DBS=sqlite ODBCTX_SUITES='$(VALGRIND_SUITES)' \
	    ODBCTX_WRAPPER='$(VALGRIND)' ODBCTX_TEST_TIMEOUT=3600)

deps:
	@if [ "$(ODBCTX_SKIP_DEPS)" != 1 ]; then .ci/deps; fi

# The newcomer's main job (issue 8): examples/run builds and runs the example
# suite. Until it exists this says so and fails rather than pretend.
example: deps
	@test -x examples/run || { echo "make example: there is no example suite yet (examples/run is missing)" >&2; exit 1; }
	$(MAKE) --no-print-directory all example-build
	ODBCTX_BUILD=$(BUILD) examples/run

# bench/run starts its own servers from tests/db/ and stops them after.
bench: deps
	$(MAKE) --no-print-directory all bench-build
	ODBCTX_BUILD=$(BUILD) bench/run

# ---- fuzzing: the core's sources are compiled straight into each target ----
CLANG ?= clang
FUZZ_TIME ?= 30
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -Iinclude -Ic -g -O1 -Wall -Wextra
FUZZ_CORE_OBJS := $(patsubst c/%.c,$(BUILD)/fuzz/obj/%.o,$(CORE_SRCS))

$(BUILD)/fuzz/obj/%.o: c/%.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined $(DEPFLAGS) -c $< -o $@

$(BUILD)/fuzz/%: fuzz/%.c $(FUZZ_CORE_OBJS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $(DEPFLAGS) -MF $@.d \
	    -o $@ $< $(FUZZ_CORE_OBJS) -lodbc -ldl -lpthread

fuzz-build: $(FUZZ_BINS)

# Each target runs FUZZ_TIME seconds from its seed corpus (fuzz/corpus/NAME,
# if any); a crash fails the target and leaves the input in $(BUILD)/fuzz/.
# Each target counts as one test in the closing "N passed, N failed".
fuzz: deps
	@test -n "$(FUZZ_BINS)" || { echo "make fuzz: no fuzz targets in fuzz/" >&2; exit 1; }
	$(MAKE) --no-print-directory fuzz-build
	@pass=0; fail=0; for f in $(FUZZ_BINS); do \
	    n=$${f##*/}; mkdir -p $(BUILD)/fuzz/corpus/$$n; \
	    seeds=; if [ -d fuzz/corpus/$$n ]; then seeds=fuzz/corpus/$$n; fi; \
	    if $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/$$n- \
	        $(BUILD)/fuzz/corpus/$$n $$seeds >$(BUILD)/fuzz/$$n.log 2>&1; then \
	        pass=$$((pass + 1)); \
	        echo "fuzz $$n: ok, $$(grep -o 'stat::number_of_executed_units: [0-9]*' $(BUILD)/fuzz/$$n.log | grep -o '[0-9]*$$') runs in $(FUZZ_TIME) s"; \
	    else \
	        fail=$$((fail + 1)); tail -n 40 $(BUILD)/fuzz/$$n.log; echo "fuzz $$n: FAILED"; \
	    fi; \
	done; \
	echo "$$pass passed, $$fail failed"; test $$fail -eq 0

# ---- install ----
HEADERS_TOP := include/odbctx.h $(wildcard include/odbctx.hpp)
HEADERS_SUB := $(sort $(wildcard include/odbctx/*.hpp include/odbctx/*.h))
# libdir and includedir are written relative to ${prefix} when they are under
# it, so `pkg-config --define-prefix` works on a staged or moved install.
pc_path = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
PC_SED = -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(call pc_path,$(LIBDIR))|g' \
         -e 's|@INCLUDEDIR@|$(call pc_path,$(INCLUDEDIR))|g' -e 's|@VERSION@|$(VERSION)|g'

install: all
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 $(HEADERS_TOP) $(DESTDIR)$(INCLUDEDIR)/
ifneq ($(HEADERS_SUB),)
	install -d $(DESTDIR)$(INCLUDEDIR)/odbctx
	install -m 644 $(HEADERS_SUB) $(DESTDIR)$(INCLUDEDIR)/odbctx/
endif
	install -m 755 $(LIBC_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf libodbctx.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libodbctx.so.$(MAJOR)
	ln -sf libodbctx.so.$(MAJOR) $(DESTDIR)$(LIBDIR)/libodbctx.so
	sed $(PC_SED) pkgconfig/odbctx.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/odbctx.pc
ifneq ($(CPP_SRCS),)
	install -m 755 $(LIBCXX_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf libodbctx++.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libodbctx++.so.$(MAJOR)
	ln -sf libodbctx++.so.$(MAJOR) $(DESTDIR)$(LIBDIR)/libodbctx++.so
	sed $(PC_SED) pkgconfig/odbctx++.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/odbctx++.pc
endif
ifneq ($(TOOLS),)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)/
endif
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(notdir $(HEADERS_TOP)))
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/odbctx/,$(notdir $(HEADERS_SUB)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/odbctx 2>/dev/null
	rm -f $(DESTDIR)$(LIBDIR)/libodbctx.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libodbctx.so.$(MAJOR) \
	      $(DESTDIR)$(LIBDIR)/libodbctx.so
	rm -f $(DESTDIR)$(LIBDIR)/libodbctx++.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libodbctx++.so.$(MAJOR) \
	      $(DESTDIR)$(LIBDIR)/libodbctx++.so
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/odbctx.pc $(DESTDIR)$(PKGCONFIGDIR)/odbctx++.pc
	-rmdir $(DESTDIR)$(PKGCONFIGDIR) 2>/dev/null
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS)))
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

help:
	@echo 'make            libodbctx.so, libodbctx++.so and tools into $(BUILD)/'
	@echo 'make example    the example suite on the embedded SQLite default'
	@echo 'make check      every test suite on SQLite, PostgreSQL and MariaDB (tests/run)'
	@echo 'make check-asan the same, built with ASan+UBSan into $(ASAN_BUILD)/'
	@echo 'make valgrind   the C core tests on SQLite under valgrind'
	@echo 'make fuzz       build and run each fuzz target for FUZZ_TIME seconds'
	@echo 'make bench      benchmarks'
	@echo 'make deps       install the Debian packages the project needs'
	@echo 'make install    PREFIX=$(PREFIX) DESTDIR=; make uninstall'

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- ecosystem (issue 8): GoogleTest suite, CMake package, example app ----
# GoogleTest sources are tests/gtest/*.cc (not .cpp, so the Catch2 suite
# wildcard above skips them). Their binary lives outside $(BUILD)/tests/,
# where tests/run takes every executable for a Catch2 suite; the script
# tests/gtest/run.test.sh runs it. gtest_main provides main():
# <odbctx/gtest.hpp> registers itself when the program starts.
GTEST_SRCS := $(sort $(wildcard tests/gtest/*.cc))
GTEST_BIN := $(BUILD)/gtest/odbctx_gtest
ifneq ($(GTEST_SRCS),)
tests: $(GTEST_BIN)
endif

$(BUILD)/obj/tests/gtest/%.o: tests/gtest/%.cc
	@mkdir -p $(@D)
	$(CXX) $(TEST_CXXFLAGS) $(DEPFLAGS) -c $< -o $@

$(GTEST_BIN): $(call obj,$(GTEST_SRCS)) $(LIBS)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) $(TEST_RPATH) -o $@ $(call obj,$(GTEST_SRCS)) \
	    -L$(BUILD) $(CXX_LINK_LIBS) -lgtest_main -lgtest -lpthread

# CMake package config: find_package(odbctx) then odbctx::odbctx++ or
# odbctx::odbctx. The files locate the installation relative to themselves,
# so DESTDIR staging and moving the prefix both work.
CMAKEDIR ?= $(LIBDIR)/cmake/odbctx
POINTER_SIZE := $(shell echo | $(CC) -dM -E - | sed -n 's/^\#define __SIZEOF_POINTER__ //p')
CMAKE_SED = -e 's|@VERSION@|$(VERSION)|g' -e 's|@MAJOR@|$(MAJOR)|g' -e 's|@MINOR@|$(MINOR)|g' \
    -e 's|@SIZEOF_VOID_P@|$(POINTER_SIZE)|g' \
    -e "s|@CMAKE_TO_LIBDIR@|$$(realpath -m --relative-to=$(CMAKEDIR) $(LIBDIR))|g" \
    -e "s|@CMAKE_TO_INCLUDEDIR@|$$(realpath -m --relative-to=$(CMAKEDIR) $(INCLUDEDIR))|g" \
    -e "s|@CMAKE_TO_BINDIR@|$$(realpath -m --relative-to=$(CMAKEDIR) $(BINDIR))|g"

.PHONY: install-cmake uninstall-cmake example-build
install: install-cmake
install-cmake: all
	install -d $(DESTDIR)$(CMAKEDIR)
	sed $(CMAKE_SED) cmake/odbctxConfig.cmake.in >$(DESTDIR)$(CMAKEDIR)/odbctxConfig.cmake
	sed $(CMAKE_SED) cmake/odbctxConfigVersion.cmake.in >$(DESTDIR)$(CMAKEDIR)/odbctxConfigVersion.cmake

uninstall: uninstall-cmake
uninstall-cmake:
	rm -f $(DESTDIR)$(CMAKEDIR)/odbctxConfig.cmake $(DESTDIR)$(CMAKEDIR)/odbctxConfigVersion.cmake
	-rmdir $(DESTDIR)$(CMAKEDIR) 2>/dev/null

# The public headers include include/odbctx/detail/*.hpp, which the install
# rule above does not copy; tests/consumer found it. (For BUILD to fold into
# the install rule; harmless if both copy them.)
HEADERS_DETAIL := $(sort $(wildcard include/odbctx/detail/*.hpp))
.PHONY: install-detail-headers uninstall-detail-headers
install: install-detail-headers
install-detail-headers:
ifneq ($(HEADERS_DETAIL),)
	install -d $(DESTDIR)$(INCLUDEDIR)/odbctx/detail
	install -m 644 $(HEADERS_DETAIL) $(DESTDIR)$(INCLUDEDIR)/odbctx/detail/
endif
uninstall: uninstall-detail-headers
uninstall-detail-headers:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/odbctx/detail/,$(notdir $(HEADERS_DETAIL)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/odbctx/detail 2>/dev/null

# The example app and its Catch2 suite (`make example` runs examples/run):
# the legacy C module, the C++ service and the tests in one binary, plus the
# leftover counter that checks the database from a fresh connection.
EXAMPLE_SRCS := $(sort $(wildcard examples/legacy/*.c examples/app/*.cpp examples/tests/*.cpp))
EXAMPLE_BIN := $(BUILD)/example/inventory_tests
EXAMPLE_LEFTOVERS := $(BUILD)/example/leftovers

$(BUILD)/obj/examples/%.o: examples/%.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/examples/%.o: examples/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(TEST_CXXFLAGS) $(DEPFLAGS) -c $< -o $@

$(EXAMPLE_BIN): $(call obj,$(EXAMPLE_SRCS)) $(LIBS)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) $(TEST_RPATH) -o $@ $(call obj,$(EXAMPLE_SRCS)) \
	    -L$(BUILD) $(CXX_LINK_LIBS) -lpthread

# Not linked against odbctx on purpose: it must see the database as any
# other client does.
$(EXAMPLE_LEFTOVERS): examples/check/leftovers.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(SANITIZE) $(CPPFLAGS) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lodbc

example-build: $(EXAMPLE_BIN) $(EXAMPLE_LEFTOVERS)

# `make check` runs the example too (tests/example/run.test.sh), on every database.
tests: example-build

# ---- benchmarks (issue 6): bench/*.cpp -> $(BUILD)/bench/odbctx-bench, ----
# bench/passthrough.c -> $(BUILD)/bench/bench-passthrough (libodbc only, so
# that it meets odbctx through LD_PRELOAD alone). The bench exports send()
# and recv() (bench/netcount.list) to count round trips in the drivers.
BENCH_SRCS := $(sort $(wildcard bench/*.cpp))
BENCH_OBJS := $(call obj,$(BENCH_SRCS))

$(BUILD)/obj/bench/%.o: bench/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(TEST_CXXFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/bench/odbctx-bench: $(BENCH_OBJS) $(LIBS) bench/netcount.list
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) $(TEST_RPATH) -Wl,--dynamic-list=bench/netcount.list -o $@ $(BENCH_OBJS) \
	    -L$(BUILD) $(CXX_LINK_LIBS) -ldl

$(BUILD)/bench/bench-passthrough: bench/passthrough.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lodbc

.PHONY: bench-build
bench-build: $(BUILD)/bench/odbctx-bench $(BUILD)/bench/bench-passthrough

# ---- core suite (issue 2): a fake ODBC driver for the unknown-DBMS test ----
# tests/core/fakedb/fakedb.c -> $(BUILD)/fakedb/libodbctx_fakedb.so, a driver
# whose SQL_DBMS_NAME odbctx does not know, loaded through the driver manager
# like any other. It lives outside $(BUILD)/tests/ so that tests/run does not
# take it for a suite; the core suite looks for it in $(BUILD)/fakedb/.
FAKEDB := $(BUILD)/fakedb/libodbctx_fakedb.so

$(FAKEDB): tests/core/fakedb/fakedb.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) -fPIC -shared \
	    -fvisibility=hidden -Wl,-Bsymbolic -o $@ $<

$(BUILD)/tests/core: $(FAKEDB)

# ---- capture (issue 5): the ledger module as a plain program ----
# tests/capture/ledger.c is linked into the capture suite like any test
# source; here the same module and legacy/ledger_main.c become a program
# linked with libodbc only, so that it meets odbctx through odbctx-run
# (LD_PRELOAD) alone. tests/capture/run.test.sh runs it.
CAPTURE_PROG := $(BUILD)/capture/ledger-prog
$(CAPTURE_PROG): tests/capture/ledger.c tests/capture/legacy/ledger_main.c tests/capture/ledger.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Itests/capture $(ALL_LDFLAGS) -o $@ tests/capture/ledger.c \
	    tests/capture/legacy/ledger_main.c -lodbc
tests: $(CAPTURE_PROG)
