#!/usr/bin/env bash
# The README's test command: installs what it needs, builds, and runs every test.
#
#   1. GCC build: unit tests, interop tests against FFmpeg and rtmpdump, fuzz-corpus
#      replays, the layer check
#   2. clang build with AddressSanitizer + UndefinedBehaviorSanitizer: the same tests
#   3. clang build with ThreadSanitizer: the threaded code (the server with real
#      clients, the client against an in-process server)
#   4. clang libFuzzer build: every fuzz target for FUZZ_SECONDS (default 20) each
#   5. micro-benchmarks: built and run briefly, so they keep working (figures are
#      printed; nothing is asserted on time - see bench/README.md)
#
# Environment: SLUICE_JOBS (default 2), FUZZ_SECONDS (default 20),
# SLUICE_SKIP="asan tsan fuzz bench" to leave stages out while developing.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${SLUICE_JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-20}
skip=" ${SLUICE_SKIP:-} "
passed=0
failed=0
failures=()

bash tools/install_deps.sh || { echo "test.sh: installing dependencies failed"; exit 1; }

stage() { printf '\n==== %s ====\n' "$*"; }
record() {  # record NAME EXIT_CODE
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$1"); fi
}
# Adds the pass/fail counts of a ctest run (read from its summary line) to the totals.
run_ctest() {  # run_ctest NAME BUILD_DIR [ctest args]
    local name=$1 dir=$2; shift 2
    local log="$dir/ctest.log"
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    local line total bad
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        record "$name (no ctest summary)" 1
        return
    fi
    bad=$(sed -E 's/.*passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.*failed out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + total - bad))
    failed=$((failed + bad))
    [ "$bad" -eq 0 ] && [ "$rc" -ne 0 ] && record "$name (ctest exit $rc)" 1
    [ "$bad" -ne 0 ] && failures+=("$name: $bad ctest failure(s)")
}
configure_build() {  # configure_build NAME DIR [cmake args]
    local name=$1 dir=$2; shift 2
    if cmake -S . -B "$dir" -G Ninja "$@" && cmake --build "$dir" -j"$jobs"; then
        return 0
    fi
    record "$name build" 1
    return 1
}

stage "1/5 GCC build + unit tests + corpus replay + layer check"
if configure_build gcc build/gcc -DCMAKE_CXX_COMPILER=g++ -DSLUICE_WERROR=ON; then
    run_ctest gcc build/gcc
fi

if [[ $skip != *" asan "* ]]; then
    stage "2/5 clang ASan + UBSan build + unit tests"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    if configure_build asan build/asan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
        -DSLUICE_SANITIZE="address;undefined" -DSLUICE_APPS=ON -DSLUICE_IO=ON; then
        run_ctest asan build/asan -L 'unit|fuzz_replay|interop'
    fi
fi

if [[ $skip != *" tsan "* ]]; then
    stage "3/5 clang ThreadSanitizer build: the threaded server with real clients"
    # halt_on_error: a race report ends the process with an error, so the
    # server's exit code (checked by every ServeTest) or the test itself fails.
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
    if configure_build tsan build/tsan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSLUICE_SANITIZE=thread -DSLUICE_APPS=ON -DSLUICE_IO=ON; then
        run_ctest tsan build/tsan -R '^(client\.|server\.|interop\.(Serve|ClientLibrary|NginxClient))'
    fi
    unset TSAN_OPTIONS
fi

if [[ $skip != *" fuzz "* ]]; then
    stage "4/5 libFuzzer targets, ${fuzz_seconds}s each"
    if configure_build fuzz build/fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSLUICE_FUZZ=ON -DSLUICE_TESTS=OFF -DSLUICE_APPS=OFF -DSLUICE_IO=ON -DSLUICE_SANITIZE="address;undefined"; then
        export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
        targets=()
        for src in fuzz/*_fuzz.cpp; do targets+=("$(basename "$src" .cpp)"); done
        run_fuzzer() {
            local t=$1 work="build/fuzz/work/$1"
            mkdir -p "$work"
            local dict=()
            [ -f fuzz/rtmp.dict ] && dict=(-dict=fuzz/rtmp.dict)
            "build/fuzz/fuzz/$t" "$work" "fuzz/corpus/$t" "${dict[@]}" -max_total_time="$fuzz_seconds" \
                -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build/fuzz/$t-" \
                >"build/fuzz/$t.log" 2>&1
        }
        # Two at a time: the machine has two cores.
        i=0
        while [ $i -lt ${#targets[@]} ]; do
            pids=()
            for t in "${targets[@]:$i:$jobs}"; do run_fuzzer "$t" & pids+=("$!:$t"); done
            for entry in "${pids[@]}"; do
                pid=${entry%%:*}; t=${entry#*:}
                wait "$pid"; rc=$?
                execs=$(grep -E 'stat::number_of_executed_units' "build/fuzz/$t.log" | awk '{print $2}')
                if [ $rc -eq 0 ]; then
                    echo "fuzz $t: ok, ${execs:-?} executions in ${fuzz_seconds}s"
                else
                    echo "fuzz $t: FAILED (exit $rc); log follows"; tail -n 60 "build/fuzz/$t.log"
                fi
                record "fuzz $t" $rc
            done
            i=$((i + jobs))
        done
    fi
fi

if [[ $skip != *" bench "* ]]; then
    stage "5/5 micro-benchmarks (smoke run; figures only, nothing asserted)"
    if configure_build bench build/bench -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release \
        -DSLUICE_BENCH=ON -DSLUICE_TESTS=OFF -DSLUICE_APPS=OFF -DSLUICE_IO=OFF; then
        for b in build/bench/bench/*_bench; do
            [ -x "$b" ] || continue
            "$b" --benchmark_min_time=0.01 >"$b.log" 2>&1
            rc=$?
            echo "bench $(basename "$b"): exit $rc"
            [ $rc -ne 0 ] && tail -n 30 "$b.log"
            record "bench $(basename "$b")" $rc
        done
    fi
fi

printf '\n==== summary ====\n'
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "${#failures[@]}" -eq 0 ]
