#!/usr/bin/env bash
# The seed recipe in C++ as docs/cpp.md shows it ("The seed recipe in C++"):
# extracted from the document, built against this tree and run on the
# database of the run, so that the document cannot drift from the library.
# Last line: "N passed, N failed[, N skipped]".
. "$(dirname "$0")/../../support/prelude.sh" doc-seed
cxx=${CXX:-g++}

awk '/^### The seed recipe in C\+\+/ { f = 1 } f && /^```cpp/ { g = 1; next } g && /^```$/ { exit } g' \
    docs/cpp.md >"$tmp/seed.cpp"
if [ ! -s "$tmp/seed.cpp" ]; then
    bad "docs/cpp.md has no \"The seed recipe in C++\" example"
    finish
fi
mkdir -p "$tmp/schema"
cp bench/scenario/schema/*.sql "$tmp/schema/"
# Against a sanitized build, with the sanitizers too.
san=()
[ -n "${ODBCTX_SANITIZER_PRELOAD:-}" ] && san=(-fsanitize=address,undefined)
if "$cxx" -std=c++23 "${san[@]}" -I"$root/include" "$tmp/seed.cpp" -o "$tmp/seed" -L"$build" \
    -lodbctx++ -lodbctx -lodbc -Wl,-rpath,"$build" >"$tmp/build.log" 2>&1; then
    ok "the example of docs/cpp.md builds"
else
    sed 's/^/    /' "$tmp/build.log" | head -20
    bad "the example of docs/cpp.md does not build"
    finish
fi
if (cd "$tmp" && ./seed) >"$tmp/run.log" 2>&1 && grep -q 'All tests passed (3 assertions in 2 test cases)' "$tmp/run.log"; then
    ok "its two tests pass on ${ODBCTX_DB:-sqlite}"
else
    sed 's/^/    /' "$tmp/run.log" | head -20
    bad "its tests fail on ${ODBCTX_DB:-sqlite}"
fi
password_hidden "its output" "$tmp/run.log"
finish
