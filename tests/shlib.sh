# skintrack shell test helpers, sourced by tests/cli.sh, course.sh and
# report.sh.
#
# Expects ROOT (the source tree) to be set; SKINTRACK (the program) and
# BUILD default to build/skintrack and build. Makes
# a temporary folder $tmp (removed on exit) with $files in it; run/expect_*
# print "ok - ..." or "not ok - ..." and finish prints the tally.

# The program and the build folder (defaults: build/), made absolute so
# tests may change folders.
SKINTRACK=${SKINTRACK:-build/skintrack}
BUILD=${BUILD:-build}
case $SKINTRACK in
/*) ;;
*) SKINTRACK=$(pwd)/$SKINTRACK ;;
esac
case $BUILD in
/*) ;;
*) BUILD=$(pwd)/$BUILD ;;
esac

passed=0
failed=0

ok() {
    passed=$((passed + 1))
    printf 'ok - %s\n' "$1"
}

# not_ok DESCRIPTION [DETAIL...]: details go on "#" lines below.
not_ok() {
    failed=$((failed + 1))
    printf 'not ok - %s\n' "$1"
    shift
    for line in "$@"; do
        printf '#   %s\n' "$line"
    done
}

skip() {
    printf 'ok - # SKIP %s\n' "$1"
}

finish() {
    printf 'cli: %d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ] || exit 1
    exit 0
}

if [ ! -x "$SKINTRACK" ]; then
    not_ok "program $SKINTRACK exists (build it with make all)"
    finish
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/skintrack-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' 0
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

out=$tmp/stdout
err=$tmp/stderr
files=$tmp/files
mkdir "$files"

# run ARGS...: runs the program; sets rc, stdout in $out, stderr in $err.
run() {
    "$SKINTRACK" "$@" >"$out" 2>"$err"
    rc=$?
}

# run_in DIR ARGS...: the same from another working folder.
run_in() {
    dir=$1
    shift
    (cd "$dir" && exec "$SKINTRACK" "$@") >"$out" 2>"$err"
    rc=$?
}

show() {
    if [ -s "$1" ]; then
        sed -n '1,4p' "$1" | tr '\r' '~'
    else
        printf '(empty)'
    fi
}

expect_rc() {
    if [ "$rc" -eq "$2" ]; then
        ok "$1"
    else
        not_ok "$1" "expected exit $2, got $rc" "stderr: $(show "$err")"
    fi
}

expect_eq() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "expected: $2" "got:      $3"
    fi
}

# expect_has DESCRIPTION FILE TEXT: FILE holds TEXT (fixed string).
expect_has() {
    if grep -F -e "$3" "$2" >/dev/null 2>&1; then
        ok "$1"
    else
        not_ok "$1" "expected to find: $3" "got: $(show "$2")"
    fi
}

expect_empty() {
    if [ -s "$2" ]; then
        not_ok "$1" "expected nothing" "got: $(show "$2")"
    else
        ok "$1"
    fi
}

count_lines() {
    wc -l <"$1" | tr -d ' '
}

expect_lines() {
    expect_eq "$1" "$3" "$(count_lines "$2")"
}

# line FILE N: the N-th line of FILE.
line() {
    sed -n "$2p" "$1"
}

# field FILE LINE N: field N of the CSV record on LINE (RFC 4180 quoting,
# one physical line per record).
field() {
    awk -v L="$2" -v F="$3" '
    NR == L {
        n = 1; v = ""; q = 0; s = $0
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (q) {
                if (c == "\"") {
                    if (substr(s, i + 1, 1) == "\"") { v = v c; i++ }
                    else q = 0
                } else v = v c
            } else if (c == "\"") q = 1
            else if (c == ",") {
                if (n == F) { print v; exit }
                n++; v = ""
            } else v = v c
        }
        if (n == F) print v
        exit
    }' "$1"
}

# named FILE LINE NAME: the field of the CSV record on LINE in the column
# the header (line 1) names NAME (empty when there is none).
named() {
    _n=$(line "$1" 1 | tr , '\n' | grep -nx "$3" | cut -d: -f1)
    if [ -n "$_n" ]; then field "$1" "$2" "$_n"; fi
}

# metrics_count [all|numeric]: the metrics skintrack measures (its
# registry, `skintrack info --metrics`): all, or the numeric ones a long
# layout writes without a reference region.
metrics_count() {
    "$SKINTRACK" info --metrics | awk -F, -v w="${1:-all}" '
        NR > 1 && (w == "all" || ($3 == "number" && $6 == "")) { n++ }
        END { print n + 0 }'
}

# usage_error DESCRIPTION ARGS...: exit 2, one stderr line "skintrack...",
# nothing on stdout.
usage_error() {
    desc=$1
    shift
    run "$@"
    expect_rc "$desc: exits 2" 2
    expect_lines "$desc: one line on stderr" "$err" 1
    if head -n 1 "$err" | grep '^skintrack' >/dev/null; then
        ok "$desc: message starts with skintrack"
    else
        not_ok "$desc: message starts with skintrack" "got: $(show "$err")"
    fi
    expect_empty "$desc: nothing on stdout" "$out"
}
