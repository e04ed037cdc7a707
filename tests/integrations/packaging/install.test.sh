#!/usr/bin/env bash
# `make install` as a user outside the tree sees it: installs into temporary
# prefixes and builds consumer projects against the installed files only,
#   - with CMake: find_package(odbctx) + odbctx::odbctx++ / odbctx::odbctx,
#     from a DESTDIR-staged tree (the package config must be relocatable);
#   - with plain pkg-config (odbctx and odbctx++), from a PREFIX install;
#   - the example (examples/) on its own, both ways, run from elsewhere;
# runs them on the database of ODBCTX_CONNECT, checks the version check and
# the installed tools and man pages, and that `make uninstall` removes
# every file.
# Last line: "N passed, N failed".
. "$(dirname "$0")/../../support/prelude.sh" packaging

cflags=() ldflags=()
if [ "${ODBCTX_SANITIZE:-}" = 1 ]; then
    # The installed library is instrumented; so must the programs be.
    cflags=(-fsanitize=address,undefined) ldflags=(-fsanitize=address,undefined)
fi
# Under `make check` the jobserver descriptors of the outer make are not
# ours to use; these makes run on their own. `-o all`: install what the run
# under test built, never rebuild it here (with other flags than check-asan's,
# say, which would swap uninstrumented binaries into its tree).
unset MAKEFLAGS MFLAGS MAKELEVEL
install_make=(make -s --no-print-directory -o all BUILD="$build")

# 1. CMake against a DESTDIR-staged install of prefix /usr/local.
stage="$tmp/stage"
if "${install_make[@]}" install DESTDIR="$stage" PREFIX=/usr/local \
        >"$tmp/install1.log" 2>&1; then
    ok "make install DESTDIR=... PREFIX=/usr/local"
else
    bad "make install DESTDIR: $(tail -n 5 "$tmp/install1.log")"
fi
cfg="$stage/usr/local/lib/cmake/odbctx"
[ -f "$cfg/odbctxConfig.cmake" ] && [ -f "$cfg/odbctxConfigVersion.cmake" ] &&
    ok "lib/cmake/odbctx has odbctxConfig.cmake and odbctxConfigVersion.cmake" ||
    bad "the CMake package files were not installed"

if cmake -S tests/integrations/packaging/cmake -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$stage/usr/local" \
        -DCMAKE_C_FLAGS="${cflags[*]}" -DCMAKE_CXX_FLAGS="${cflags[*]}" \
        -DCMAKE_EXE_LINKER_FLAGS="${ldflags[*]}" >"$tmp/cmake.log" 2>&1 &&
   cmake --build "$tmp/cmake-build" >>"$tmp/cmake.log" 2>&1; then
    ok "a CMake project builds with find_package(odbctx 0.1) and odbctx::odbctx++ / odbctx::odbctx"
    for prog in consumer_cpp consumer_c; do
        if "$tmp/cmake-build/$prog" >"$tmp/$prog.log" 2>&1; then
            ok "CMake-built $prog runs isolated: $(tail -n 1 "$tmp/$prog.log")"
        else
            bad "CMake-built $prog: $(tail -n 3 "$tmp/$prog.log")"
        fi
    done
    # The program must use the staged library, not one installed elsewhere.
    # (ldd's output is read whole: `ldd | grep -q` under pipefail fails at
    # random when grep exits early and ldd dies of SIGPIPE.)
    ldd "$tmp/cmake-build/consumer_cpp" | grep "$stage/usr/local/lib/libodbctx++.so" >/dev/null &&
        ok "the CMake build links the staged libodbctx++" ||
        bad "the CMake build did not resolve to the staged library: $(ldd "$tmp/cmake-build/consumer_cpp" | grep odbctx)"
else
    bad "CMake consumer: $(tail -n 15 "$tmp/cmake.log")"
fi
# The example builds on its own with CMake (examples/CMakeLists.txt) and
# passes from another working directory.
run_example() { # label binary
    (cd "$tmp" && "$2" >"$tmp/$1.log" 2>&1)
    local rc=$?
    # 15 test cases, one of them failing on purpose ([!shouldfail]).
    if [ "$rc" -eq 0 ] && grep -q "^test cases: 15 | 14 passed | 1 failed as expected" "$tmp/$1.log"; then
        ok "$1: the example suite passes, run from another directory: $(grep '^test cases' "$tmp/$1.log")"
    else
        bad "$1: exit $rc: $(tail -n 15 "$tmp/$1.log")"
    fi
}
if cmake -S examples -B "$tmp/example-cmake" -DCMAKE_PREFIX_PATH="$stage/usr/local" \
        -DCMAKE_C_FLAGS="${cflags[*]}" -DCMAKE_CXX_FLAGS="${cflags[*]}" \
        -DCMAKE_EXE_LINKER_FLAGS="${ldflags[*]}" >"$tmp/example-cmake.log" 2>&1 &&
   cmake --build "$tmp/example-cmake" -j2 >>"$tmp/example-cmake.log" 2>&1; then
    ok "examples/ builds on its own with CMake against the installed package"
    run_example "CMake-built example" "$tmp/example-cmake/inventory_tests"
else
    bad "examples/ with CMake: $(tail -n 15 "$tmp/example-cmake.log")"
fi

if cmake -S tests/integrations/packaging/cmake-old -B "$tmp/cmake-old" -DCMAKE_PREFIX_PATH="$stage/usr/local" \
        -DWANT=9.0 >"$tmp/cmake-old.log" 2>&1; then
    bad "find_package(odbctx 9.0) succeeded against 0.x"
else
    grep -q 'version' "$tmp/cmake-old.log" && ok "find_package(odbctx 9.0) fails with a version message" ||
        bad "find_package(odbctx 9.0) failed without saying why"
fi

# 2. pkg-config against a PREFIX install.
prefix="$tmp/prefix"
if "${install_make[@]}" install PREFIX="$prefix" >"$tmp/install2.log" 2>&1; then
    ok "make install PREFIX=$prefix"
else
    bad "make install PREFIX: $(tail -n 5 "$tmp/install2.log")"
fi
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
libdir=$(pkg-config --variable=libdir odbctx)
# shellcheck disable=SC2046
if cc -std=c11 "${cflags[@]}" tests/integrations/packaging/consumer.c -o "$tmp/pc_c" $(pkg-config --cflags --libs odbctx) \
        "${ldflags[@]}" -Wl,-rpath,"$libdir" >"$tmp/pc_c.build" 2>&1; then
    ok "cc ... \$(pkg-config --cflags --libs odbctx) builds the C consumer"
    "$tmp/pc_c" >"$tmp/pc_c.log" 2>&1 && ok "pkg-config-built C consumer runs isolated: $(tail -n 1 "$tmp/pc_c.log")" ||
        bad "pkg-config-built C consumer: $(tail -n 3 "$tmp/pc_c.log")"
else
    bad "pkg-config C build: $(tail -n 10 "$tmp/pc_c.build")"
fi
# shellcheck disable=SC2046
if c++ $(pkg-config --variable=cxxstd odbctx++) "${cflags[@]}" tests/integrations/packaging/consumer.cpp -o "$tmp/pc_cpp" \
        $(pkg-config --cflags --libs odbctx++) "${ldflags[@]}" -Wl,-rpath,"$libdir" >"$tmp/pc_cpp.build" 2>&1; then
    ok "c++ ... \$(pkg-config --cflags --libs odbctx++) builds the C++ consumer"
    "$tmp/pc_cpp" >"$tmp/pc_cpp.log" 2>&1 && ok "pkg-config-built C++ consumer runs isolated: $(tail -n 1 "$tmp/pc_cpp.log")" ||
        bad "pkg-config-built C++ consumer: $(tail -n 3 "$tmp/pc_cpp.log")"
else
    bad "pkg-config C++ build: $(tail -n 10 "$tmp/pc_cpp.build")"
fi

# The example builds on its own with pkg-config (examples/Makefile).
if make -j2 -s --no-print-directory -C examples OUT="$tmp/example-pc" CFLAGS="-O0 ${cflags[*]}" \
        CXXFLAGS="-O0 ${cflags[*]}" LDFLAGS="${ldflags[*]}" >"$tmp/example-pc.log" 2>&1; then
    ok "examples/ builds on its own with make and pkg-config against the installed files"
    run_example "pkg-config-built example" "$tmp/example-pc/inventory_tests"
else
    bad "examples/ with pkg-config: $(tail -n 15 "$tmp/example-pc.log")"
fi

# 3. The installed tools run from the prefix (they find ../lib), and their
# man pages are where man looks under the prefix.
for tool in odbctx-doctor odbctx-run; do
    if [ -x "$prefix/bin/$tool" ]; then
        env -u LD_LIBRARY_PATH "$prefix/bin/$tool" --help >"$tmp/$tool.log" 2>&1
        grep -qi usage "$tmp/$tool.log" && ok "installed $tool runs" ||
            bad "installed $tool: $(tail -n 3 "$tmp/$tool.log")"
    else
        bad "$tool was not installed"
    fi
    if MANPATH="$prefix/share/man" MANWIDTH=80 man "$tool" >"$tmp/$tool.man" 2>&1 &&
        grep -q "^NAME" "$tmp/$tool.man" && grep -q "$tool" "$tmp/$tool.man"; then
        ok "man $tool shows the installed page ($(wc -l <"$tmp/$tool.man") lines)"
    else
        bad "man $tool: $(head -n 3 "$tmp/$tool.man")"
    fi
done

# 4. Uninstall leaves nothing (directories may stay).
"${install_make[@]}" uninstall PREFIX="$prefix" >"$tmp/uninstall.log" 2>&1
left=$(find "$prefix" -type f -o -type l 2>/dev/null)
[ -z "$left" ] && ok "make uninstall removes every installed file" || bad "make uninstall left: $left"

finish
