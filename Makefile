# odbctx — GNU make. `make help` lists the targets (from their `## ` comments).
#
# Sources are found by wildcard, so adding a file needs no edit here:
#   c/**.c                     -> $(BUILD)/libodbctx.so     C core and its wings
#   cpp/**.cpp                 -> $(BUILD)/libodbctx++.so   C++ layer
#   tools/NAME.c|.cpp          -> $(BUILD)/bin/NAME
#   tests/LAYER/NAME/*.cpp|.c  -> $(BUILD)/tests/LAYER/NAME  one Catch2 binary per
#                                 folder that defines CATCH_CONFIG_MAIN or _RUNNER,
#                                 tests/support/*.cpp|.c linked into each
#   fuzz/NAME.c                -> $(BUILD)/fuzz/NAME        clang libFuzzer
#   man/NAME.1                 -> $(PREFIX)/share/man/man1  on install
# Programs the tests drive but that are not suites (a fake driver, a legacy
# program, the GoogleTest binary) are built outside $(BUILD)/tests/, where
# tests/run takes every executable for a Catch2 suite.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR ?= $(LIBDIR)/cmake/odbctx
MANDIR ?= $(PREFIX)/share/man
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
# Programs that must meet odbctx only as any other ODBC client does: linked
# with libodbc alone, no odbctx headers.
PLAIN_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(SANITIZE) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANITIZE) $(LDFLAGS)

# ---- sources ----
CORE_SRCS := $(sort $(shell find c -name '*.c'))
CPP_SRCS := $(sort $(shell find cpp -name '*.cpp'))
TOOL_C_SRCS := $(sort $(wildcard tools/*.c))
TOOL_CXX_SRCS := $(sort $(wildcard tools/*.cpp))
SUPPORT_SRCS := $(sort $(wildcard tests/support/*.cpp tests/support/*.c))
# A folder is a Catch2 suite when one of its .cpp files defines Catch2's main;
# other .cpp files under tests/ (a consumer project, say) are left alone.
# tests/run finds suites the same way.
CATCH_MAIN := '^[[:space:]]*[\#][[:space:]]*define[[:space:]]+CATCH_CONFIG_(MAIN|RUNNER)'
SUITES := $(sort $(patsubst tests/%/,%,$(dir $(shell grep -l -E $(CATCH_MAIN) tests/*/*/*.cpp 2>/dev/null))))
FUZZ_SRCS := $(sort $(wildcard fuzz/*.c))
MAN_PAGES := $(sort $(wildcard man/*.1))
HEADERS_TOP := include/odbctx.h include/odbctx.hpp
HEADERS_SUB := $(sort $(wildcard include/odbctx/*.hpp include/odbctx/*.h))
HEADERS_DETAIL := $(sort $(wildcard include/odbctx/detail/*.hpp))

obj = $(patsubst %,$(BUILD)/obj/%.o,$(basename $(1)))
CORE_OBJS := $(call obj,$(CORE_SRCS))
CPP_OBJS := $(call obj,$(CPP_SRCS))
SUPPORT_OBJS := $(call obj,$(SUPPORT_SRCS))
suite_objs = $(call obj,$(sort $(wildcard tests/$(1)/*.cpp tests/$(1)/*.c)))

LIBC_REAL := $(BUILD)/libodbctx.so.$(VERSION)
LIBCXX_REAL := $(BUILD)/libodbctx++.so.$(VERSION)
# odbctx as an ODBC driver: names only (driver/odbctx-driver.c), no soname
# version: driver managers load it by path from odbcinst.ini.
DRIVER_LIB := $(BUILD)/libodbctx-driver.so
DRIVER_NARROW_LIB := $(BUILD)/libodbctx-driver-narrow.so
LIBS := $(LIBC_REAL) $(BUILD)/libodbctx.so.$(MAJOR) $(BUILD)/libodbctx.so \
        $(LIBCXX_REAL) $(BUILD)/libodbctx++.so.$(MAJOR) $(BUILD)/libodbctx++.so $(DRIVER_LIB) \
        $(DRIVER_NARROW_LIB)
# -lodbctx must come before -lodbc: that order is what makes the program's
# own ODBC calls resolve to odbctx's interposed entry points.
C_LINK_LIBS := -lodbctx -lodbc
CXX_LINK_LIBS := -lodbctx++ -lodbctx -lodbc

TOOLS := $(patsubst tools/%,$(BUILD)/bin/%,$(basename $(TOOL_C_SRCS) $(TOOL_CXX_SRCS)))
TEST_BINS := $(patsubst %,$(BUILD)/tests/%,$(SUITES))
FUZZ_BINS := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

# $ORIGIN keeps the build tree relocatable and lets installed tools find
# the library in ../lib. Suites sit two folders below $(BUILD)/tests.
empty :=
space := $(empty) $(empty)
up_to_build = $(subst $(space),/,$(patsubst %,..,$(subst /, ,$(patsubst $(BUILD)/%,%,$(1)))))
TEST_RPATH = -Wl,-rpath,'$$ORIGIN/$(call up_to_build,$(@D))'
TOOL_RPATH := -Wl,-rpath,'$$ORIGIN/..:$$ORIGIN/../lib'

# Objects reached through pattern rules are not intermediate files to delete;
# a target whose recipe failed is.
.SECONDARY:
.DELETE_ON_ERROR:

.PHONY: all lib tools tests check check-asan valgrind install uninstall deps \
        example example-build bench bench-build fuzz fuzz-build calls clean help

## all          libodbctx.so, libodbctx++.so and the tools into build/ (BUILD=; the default)
all: lib tools

lib: $(LIBS)

tools: $(TOOLS)

# ---- objects ----
$(BUILD)/obj/c/%.o: c/%.c
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/cpp/%.o: cpp/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(LIB_CXXFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(TEST_CXXFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(TEST_CXXFLAGS) $(DEPFLAGS) -c $< -o $@

# ---- libraries and tools ----
$(LIBC_REAL): $(CORE_OBJS)
	$(CC) -shared -Wl,-soname,libodbctx.so.$(MAJOR) -Wl,--no-undefined $(ALL_LDFLAGS) \
	    -o $@ $(CORE_OBJS) -lodbc -ldl -lpthread

driver_link = $(CC) $(PLAIN_CFLAGS) -DODBCTX_SONAME='"libodbctx.so.$(MAJOR)"' $(1) -fPIC -shared \
    -fvisibility=hidden -Wl,--no-undefined $(ALL_LDFLAGS) -Wl,-rpath,'$$ORIGIN' -o $@ $< -ldl
$(DRIVER_LIB): driver/odbctx-driver.c driver/entries.h $(BUILD)/libodbctx.so
	$(call driver_link,)
$(DRIVER_NARROW_LIB): driver/odbctx-driver.c driver/entries.h $(BUILD)/libodbctx.so
	$(call driver_link,-DODBCTX_DRIVER_NARROW)

$(LIBCXX_REAL): $(CPP_OBJS) $(BUILD)/libodbctx.so
	$(CXX) -shared -Wl,-soname,libodbctx++.so.$(MAJOR) -Wl,--no-undefined $(ALL_LDFLAGS) \
	    -Wl,-rpath,'$$ORIGIN' -o $@ $(CPP_OBJS) -L$(BUILD) $(C_LINK_LIBS)

$(BUILD)/%.so.$(MAJOR): $(BUILD)/%.so.$(VERSION)
	ln -sf $(<F) $@

$(BUILD)/%.so: $(BUILD)/%.so.$(MAJOR)
	ln -sf $(<F) $@

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(LIBS)
	@mkdir -p $(@D)
	$(if $(filter tools/$*.cpp,$(TOOL_CXX_SRCS)),$(CXX),$(CC)) $(ALL_LDFLAGS) $(TOOL_RPATH) -o $@ $< \
	    -L$(BUILD) $(if $(filter tools/$*.cpp,$(TOOL_CXX_SRCS)),$(CXX_LINK_LIBS),$(C_LINK_LIBS))

# ---- test programs ----
define suite_rule
$(BUILD)/tests/$(1): $(call suite_objs,$(1)) $(SUPPORT_OBJS) $(LIBS)
	@mkdir -p $$(@D)
	$$(CXX) $$(ALL_LDFLAGS) $$(TEST_RPATH) -o $$@ $(call suite_objs,$(1)) $(SUPPORT_OBJS) \
	    -L$$(BUILD) $$(CXX_LINK_LIBS) -lpthread
endef
$(foreach s,$(SUITES),$(eval $(call suite_rule,$(s))))

# A driver whose SQL_DBMS_NAME odbctx does not know, loaded through the
# driver manager like any other (tests/c/core looks in $(BUILD)/fakedb/).
FAKEDB := $(BUILD)/fakedb/libodbctx_fakedb.so
$(FAKEDB): tests/c/core/fakedb/fakedb.c
	@mkdir -p $(@D)
	$(CC) $(PLAIN_CFLAGS) -fPIC -shared -fvisibility=hidden -Wl,-Bsymbolic -o $@ $<
$(BUILD)/tests/c/core: $(FAKEDB)

# The ledger module of the capture suite as a program of its own, linked
# with libodbc only: it meets odbctx through odbctx-run alone.
CAPTURE_PROG := $(BUILD)/capture/ledger-prog
$(CAPTURE_PROG): tests/c/capture/ledger.c tests/c/capture/legacy/ledger_main.c tests/c/capture/ledger.h
	@mkdir -p $(@D)
	$(CC) $(PLAIN_CFLAGS) -Itests/c/capture $(ALL_LDFLAGS) -o $@ \
	    tests/c/capture/ledger.c tests/c/capture/legacy/ledger_main.c -lodbc

# The share suite's child process: plain ODBC, libodbc only, as any
# program a test starts would be.
SHARE_CHILD := $(BUILD)/share/share-child
$(SHARE_CHILD): tests/c/share/child/share_child.c
	@mkdir -p $(@D)
	$(CC) $(PLAIN_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lodbc

# A test suite in the manner of the drivers' own, each test making and
# dropping its tables (ddl_suite.test.sh runs it with and without odbctx).
DDL_SUITE := $(BUILD)/capture/ddl-suite
$(DDL_SUITE): tests/c/capture/legacy/ddl_suite.c
	@mkdir -p $(@D)
	$(CC) $(PLAIN_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lodbc

# odbctx_capture_start in programs linked in both orders (link_order.test.sh).
LINK_ORDER := $(BUILD)/capture/link-right $(BUILD)/capture/link-wrong
$(BUILD)/capture/link-right: tests/c/capture/legacy/link_order.c $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(PLAIN_CFLAGS) -Iinclude $(ALL_LDFLAGS) $(TEST_RPATH) -o $@ $< -L$(BUILD) -lodbctx -lodbc
$(BUILD)/capture/link-wrong: tests/c/capture/legacy/link_order.c $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(PLAIN_CFLAGS) -Iinclude $(ALL_LDFLAGS) $(TEST_RPATH) -o $@ $< -lodbc -L$(BUILD) -lodbctx

# The same program on iODBC (libiodbc2; its -dev package cannot be
# installed beside unixODBC's, and the program only makes narrow calls,
# whose ABI both share): compiled with unixODBC's headers, linked with
# libiodbc.so.2 by path.
IODBC_LIB := $(firstword $(wildcard /usr/lib/*/libiodbc.so.2 /usr/lib/libiodbc.so.2))
CAPTURE_PROG_IODBC := $(BUILD)/capture/ledger-prog-iodbc
$(CAPTURE_PROG_IODBC): tests/c/capture/ledger.c tests/c/capture/legacy/ledger_main.c tests/c/capture/ledger.h
	@mkdir -p $(@D)
	@test -n "$(IODBC_LIB)" || { echo "libiodbc.so.2 is missing: run make deps (package libiodbc2)"; exit 1; }
	$(CC) $(PLAIN_CFLAGS) -Itests/c/capture $(ALL_LDFLAGS) -o $@ \
	    tests/c/capture/ledger.c tests/c/capture/legacy/ledger_main.c $(IODBC_LIB)

# GoogleTest sources are .cc, so the Catch2 suite search skips them;
# gtest_main gives main(), <odbctx/gtest.hpp> registers itself at start-up.
GTEST_SRCS := $(sort $(wildcard tests/integrations/gtest/*.cc))
GTEST_BIN := $(BUILD)/gtest/odbctx_gtest
$(GTEST_BIN): $(call obj,$(GTEST_SRCS)) $(LIBS)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) $(TEST_RPATH) -o $@ $(call obj,$(GTEST_SRCS)) \
	    -L$(BUILD) $(CXX_LINK_LIBS) -lgtest_main -lgtest -lpthread

# doctest sources are .cc as well; the test file defines doctest's main(),
# <odbctx/doctest.hpp> registers its listener.
DOCTEST_SRCS := $(sort $(wildcard tests/integrations/doctest/*.cc))
DOCTEST_BIN := $(BUILD)/doctest/odbctx_doctest
$(DOCTEST_BIN): $(call obj,$(DOCTEST_SRCS)) $(LIBS)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) $(TEST_RPATH) -o $@ $(call obj,$(DOCTEST_SRCS)) \
	    -L$(BUILD) $(CXX_LINK_LIBS) -lpthread

# Boost.Test: .cc as well; BOOST_TEST_MODULE with BOOST_TEST_DYN_LINK gives
# main(), from Debian's shared libboost_unit_test_framework.
BOOST_TEST_SRCS := $(sort $(wildcard tests/integrations/boost_test/*.cc))
BOOST_TEST_BIN := $(BUILD)/boost_test/odbctx_boost_test
$(BOOST_TEST_BIN): $(call obj,$(BOOST_TEST_SRCS)) $(LIBS)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) $(TEST_RPATH) -o $@ $(call obj,$(BOOST_TEST_SRCS)) \
	    -L$(BUILD) $(CXX_LINK_LIBS) -lboost_unit_test_framework -lpthread

# The children suite (tests/integrations/children): the same cases under
# the Catch2 and the GoogleTest integration, one binary each.
CHILDREN_DIR := tests/integrations/children
CHILDREN_CATCH2 := $(BUILD)/children/catch2
CHILDREN_GTEST := $(BUILD)/children/gtest
$(call obj,$(CHILDREN_DIR)/catch2.cc $(CHILDREN_DIR)/gtest.cc): $(wildcard $(CHILDREN_DIR)/*.hpp)
$(CHILDREN_CATCH2): $(call obj,$(CHILDREN_DIR)/catch2.cc) $(LIBS)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) $(TEST_RPATH) -o $@ $< -L$(BUILD) $(CXX_LINK_LIBS) -lpthread
$(CHILDREN_GTEST): $(call obj,$(CHILDREN_DIR)/gtest.cc) $(LIBS)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) $(TEST_RPATH) -o $@ $< -L$(BUILD) $(CXX_LINK_LIBS) -lgtest_main -lgtest -lpthread

# The example app and its suite: the legacy C module, the C++ service and
# the tests in one binary, plus a row counter that reads the database from
# a connection of its own, as any other client would.
EXAMPLE_SRCS := $(sort $(wildcard examples/legacy/*.c examples/app/*.cpp examples/tests/*.cpp))
EXAMPLE_BIN := $(BUILD)/example/inventory_tests
EXAMPLE_COUNT := $(BUILD)/example/count_rows
$(EXAMPLE_BIN): $(call obj,$(EXAMPLE_SRCS)) $(LIBS)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) $(TEST_RPATH) -o $@ $(call obj,$(EXAMPLE_SRCS)) \
	    -L$(BUILD) $(CXX_LINK_LIBS) -lpthread
$(EXAMPLE_COUNT): examples/check/count_rows.c
	@mkdir -p $(@D)
	$(CC) $(PLAIN_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lodbc
example-build: $(EXAMPLE_BIN) $(EXAMPLE_COUNT)

# Everything tests/run needs built, in one list.
TEST_PREREQS := all $(TEST_BINS) $(FAKEDB) $(CAPTURE_PROG) $(CAPTURE_PROG_IODBC) $(DDL_SUITE) $(LINK_ORDER) $(SHARE_CHILD) $(GTEST_BIN) $(DOCTEST_BIN) \
    $(BOOST_TEST_BIN) $(CHILDREN_CATCH2) $(CHILDREN_GTEST) example-build
## tests        build every test suite and the programs they drive
tests: $(TEST_PREREQS)

# ---- benchmarks ----
# bench/*.cpp -> $(BUILD)/bench/odbctx-bench, which exports send() and recv()
# (bench/netcount.list) to count round trips in the drivers;
# bench/passthrough.c -> $(BUILD)/bench/bench-passthrough, libodbc only, so
# that it meets odbctx through LD_PRELOAD alone.
BENCH_SRCS := $(sort $(wildcard bench/*.cpp))
$(BUILD)/bench/odbctx-bench: $(call obj,$(BENCH_SRCS)) $(LIBS) bench/netcount.list
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) $(TEST_RPATH) -Wl,--dynamic-list=bench/netcount.list -o $@ \
	    $(call obj,$(BENCH_SRCS)) -L$(BUILD) $(CXX_LINK_LIBS) -ldl
$(BUILD)/bench/bench-passthrough: bench/passthrough.c
	@mkdir -p $(@D)
	$(CC) $(PLAIN_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lodbc
# The seed's scenario (bench/scenario/): the suite with odbctx, the same
# suite with a truncation fixture on raw ODBC, and msgcount.so, which counts
# the round trips of any client process it is preloaded into.
SCENARIO_DIR := bench/scenario
$(BUILD)/bench/scenario-odbctx: $(call obj,$(SCENARIO_DIR)/odbctx_suite.cpp) $(LIBS)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) $(TEST_RPATH) -o $@ $< -L$(BUILD) $(CXX_LINK_LIBS) -lpthread
$(call obj,$(SCENARIO_DIR)/truncate_suite.cpp): TEST_CXXFLAGS += -DSCENARIO_SCHEMA_DIR='"$(CURDIR)/$(SCENARIO_DIR)/schema"'
$(BUILD)/bench/scenario-truncate: $(call obj,$(SCENARIO_DIR)/truncate_suite.cpp)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) -o $@ $< -lodbc
$(BUILD)/bench/msgcount.so: $(SCENARIO_DIR)/msgcount.c
	@mkdir -p $(@D)
	$(CC) $(PLAIN_CFLAGS) -fPIC -shared -o $@ $< -ldl
bench-build: $(BUILD)/bench/odbctx-bench $(BUILD)/bench/bench-passthrough \
    $(BUILD)/bench/scenario-odbctx $(BUILD)/bench/scenario-truncate $(BUILD)/bench/msgcount.so

# ---- running ----
# Every target that runs something first makes sure the Debian packages are
# there (fast when they are; ODBCTX_SKIP_DEPS=1 skips it on other systems).
# A part that fails to build does not stop the run: tests/run counts a suite
# that was not built as failed, and the target still fails at the end.
# build_then_run(make arguments, tests/run environment)
define build_then_run
	@+$(MAKE) --no-print-directory -k $(1) tests; built=$$?; \
	if [ $$built -ne 0 ]; then echo "make $@: the build failed (see above); running what was built" >&2; fi; \
	$(2) tests/run; ran=$$?; \
	test $$built -eq 0 && test $$ran -eq 0
endef

## check        every test suite on SQLite, PostgreSQL and MariaDB (tests/run)
check: deps
	$(call build_then_run,,ODBCTX_BUILD=$(BUILD))

# Libraries loaded into an uninstrumented process (LD_PRELOAD of
# libodbctx.so by odbctx-run, ctypes in Python) need the sanitizer runtimes
# preloaded first: tests/run exports them as ODBCTX_SANITIZER_PRELOAD.
# GCC 12's flow analysis sees the sanitizers' instrumentation and reports
# -Wmaybe-uninitialized in libstdc++'s <regex> (pulled in by Catch2) that
# the normal build does not: that one warning is off in this build only.
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    -Wno-maybe-uninitialized
## check-asan   the same, built with ASan+UBSan into build-asan/ (ASAN_BUILD=)
check-asan: deps
	$(call build_then_run,BUILD=$(ASAN_BUILD) SANITIZE='$(ASAN_FLAGS)' CFLAGS='-O1 -g' CXXFLAGS='-O1 -g',\
	    ODBCTX_BUILD=$(ASAN_BUILD) ODBCTX_SANITIZE=1)

# Any memory error or definite leak makes the binary exit 99: a failure.
VALGRIND_SUITES ?= c/core c/reliability
VALGRIND ?= valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --track-origins=yes --suppressions=tests/support/valgrind.supp
## valgrind     the C API's suites (c/core, c/reliability) on SQLite under valgrind
valgrind: deps
	$(call build_then_run,,ODBCTX_BUILD=$(BUILD) ODBCTX_DBS=sqlite ODBCTX_SUITES='$(VALGRIND_SUITES)' \
	    ODBCTX_WRAPPER='$(VALGRIND)' ODBCTX_TEST_TIMEOUT=3600)

## deps         install the Debian packages the project needs (.ci/deps)
deps:
	@if [ "$(ODBCTX_SKIP_DEPS)" != 1 ]; then .ci/deps; fi

## example      the example suite on the embedded SQLite default (examples/run)
example: deps
	$(MAKE) --no-print-directory all example-build
	ODBCTX_BUILD=$(BUILD) examples/run

## bench        the benchmarks, as ratios against baselines of the same run (bench/run)
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
## fuzz         each fuzz target for FUZZ_TIME seconds; one target counts as one test
fuzz: deps
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

## calls        check that no two C source files call each other in a cycle
calls: lib
	tools/dev/callgraph $(BUILD)/obj/c

# ---- install ----
# pkg-config and CMake files locate the installation relative to themselves
# (${prefix}/..., relative paths), so DESTDIR staging and moving the prefix
# both work.
pc_path = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
PC_SED = -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(call pc_path,$(LIBDIR))|g' \
         -e 's|@INCLUDEDIR@|$(call pc_path,$(INCLUDEDIR))|g' -e 's|@VERSION@|$(VERSION)|g'
POINTER_SIZE := $(shell echo | $(CC) -dM -E - | sed -n 's/^\#define __SIZEOF_POINTER__ //p')
CMAKE_SED = -e 's|@VERSION@|$(VERSION)|g' -e 's|@MAJOR@|$(MAJOR)|g' -e 's|@MINOR@|$(MINOR)|g' \
    -e 's|@SIZEOF_VOID_P@|$(POINTER_SIZE)|g' \
    -e "s|@CMAKE_TO_LIBDIR@|$$(realpath -m --relative-to=$(CMAKEDIR) $(LIBDIR))|g" \
    -e "s|@CMAKE_TO_INCLUDEDIR@|$$(realpath -m --relative-to=$(CMAKEDIR) $(INCLUDEDIR))|g" \
    -e "s|@CMAKE_TO_BINDIR@|$$(realpath -m --relative-to=$(CMAKEDIR) $(BINDIR))|g"
INSTALLED_LIBS := libodbctx.so.$(VERSION) libodbctx.so.$(MAJOR) libodbctx.so \
                  libodbctx++.so.$(VERSION) libodbctx++.so.$(MAJOR) libodbctx++.so \
                  libodbctx-driver.so libodbctx-driver-narrow.so

## install      headers, libraries, pkg-config, CMake, tools, man pages (PREFIX=, DESTDIR=)
install: all
	install -d $(DESTDIR)$(INCLUDEDIR)/odbctx/detail $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(HEADERS_TOP) $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(HEADERS_SUB) $(DESTDIR)$(INCLUDEDIR)/odbctx/
	install -m 644 $(HEADERS_DETAIL) $(DESTDIR)$(INCLUDEDIR)/odbctx/detail/
	install -m 755 $(LIBC_REAL) $(LIBCXX_REAL) $(DRIVER_LIB) $(DRIVER_NARROW_LIB) $(DESTDIR)$(LIBDIR)/
	for l in odbctx odbctx++; do \
	    ln -sf lib$$l.so.$(VERSION) $(DESTDIR)$(LIBDIR)/lib$$l.so.$(MAJOR); \
	    ln -sf lib$$l.so.$(MAJOR) $(DESTDIR)$(LIBDIR)/lib$$l.so; \
	    sed $(PC_SED) pkgconfig/$$l.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/$$l.pc; \
	done
	sed $(CMAKE_SED) cmake/odbctxConfig.cmake.in >$(DESTDIR)$(CMAKEDIR)/odbctxConfig.cmake
	sed $(CMAKE_SED) cmake/odbctxConfigVersion.cmake.in >$(DESTDIR)$(CMAKEDIR)/odbctxConfigVersion.cmake
	install -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

## uninstall    remove what install put there
uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(notdir $(HEADERS_TOP))) \
	      $(addprefix $(DESTDIR)$(INCLUDEDIR)/odbctx/,$(notdir $(HEADERS_SUB))) \
	      $(addprefix $(DESTDIR)$(INCLUDEDIR)/odbctx/detail/,$(notdir $(HEADERS_DETAIL))) \
	      $(addprefix $(DESTDIR)$(LIBDIR)/,$(INSTALLED_LIBS)) \
	      $(DESTDIR)$(PKGCONFIGDIR)/odbctx.pc $(DESTDIR)$(PKGCONFIGDIR)/odbctx++.pc \
	      $(DESTDIR)$(CMAKEDIR)/odbctxConfig.cmake $(DESTDIR)$(CMAKEDIR)/odbctxConfigVersion.cmake \
	      $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS))) \
	      $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN_PAGES)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/odbctx/detail $(DESTDIR)$(INCLUDEDIR)/odbctx \
	    $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(PKGCONFIGDIR) 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

## clean        remove the build trees
clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

## help         this list
help:
	@sed -n 's/^## /make /p' $(firstword $(MAKEFILE_LIST))

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
