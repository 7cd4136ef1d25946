#!/bin/sh
# skintrack documentation that cannot drift (POSIX sh).
#
#   SKINTRACK=build/skintrack BUILD=build sh tests/docs.sh [--update]
#
# 1. The examples in README.md and docs/skintrack.1 are made by running
#    them: each sits between the markers
#        <!-- example NAME -->  ...  <!-- end example -->      (README)
#        .\" example NAME       ...  .\" end example           (man page)
#    and is the commands of NAME below, each shown as "$ command" and
#    followed by what it printed (standard output, then standard error).
#    The test makes them again from the bundled sample course and fails if
#    a document differs; --update rewrites the documents instead (make
#    docs).
# 2. Every option of every command's --help is in the man page, in the
#    sections that command reads (its own and the shared ones).

set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
update=0
[ "${1:-}" = --update ] && update=1

. "$ROOT/tests/shlib.sh"

# ---- the examples ----
# Run in a folder holding the sample course as samples/ and a cut-short
# photo as broken.jpg, so the commands read as a user in the source tree
# would type them.
work=$tmp/work
mkdir -p "$work"
ln -s "$ROOT/samples" "$work/samples"
head -c 20000 "$ROOT/samples/demo-patient/2026-01-12.jpg" >"$work/broken.jpg"
mkdir -p "$tmp/bin"
ln -s "$SKINTRACK" "$tmp/bin/skintrack"

# example NAME COMMAND...: runs each command (a shell line) in $work and
# writes the transcript to $tmp/NAME.txt
example() {
    name=$1
    shift
    : >"$tmp/$name.txt"
    for cmd in "$@"; do
        printf '$ %s\n' "$cmd" >>"$tmp/$name.txt"
        (cd "$work" && PATH="$tmp/bin:$PATH" && eval "$cmd") \
            >"$tmp/ex.out" 2>"$tmp/ex.err"
        cat "$tmp/ex.out" "$tmp/ex.err" >>"$tmp/$name.txt"
    done
}

example info 'skintrack info samples/demo-patient/2026-01-12.jpg broken.jpg'
example course \
    'skintrack course samples/demo-patient --summary summary.csv -o course.csv' \
    'cut -d, -f3,7,10-13 summary.csv | grep -e ^metric -e pore_mean_diameter_px' \
    'cut -d, -f3,4,6,8 course.csv | uniq'
example report \
    'skintrack report samples/demo-patient -o report.html' \
    "grep -o 'class=\"chart\"' report.html | wc -l"

# The README form of a transcript: a fenced block.
as_markdown() {
    printf '```\n'
    cat "$1"
    printf '```\n'
}

# The man page form: no fill, roff's special characters escaped.
as_roff() {
    printf '.PP\n.nf\n'
    sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" "$1"
    printf '.fi\n'
}

for f in "$tmp"/*.txt; do
    as_markdown "$f" >"${f%.txt}.md"
    as_roff "$f" >"${f%.txt}.roff"
done

# fill FILE BEGIN END EXT: FILE with each block between a line starting
# BEGIN NAME and a line starting END replaced by $tmp/NAME.EXT.
fill() {
    BEGIN_MARK=$2 END_MARK=$3 awk -v dir="$tmp" -v ext="$4" '
    BEGIN { begin = ENVIRON["BEGIN_MARK"]; end = ENVIRON["END_MARK"] }
    skip && index($0, end) == 1 { skip = 0 }
    skip { next }
    { print }
    index($0, begin " ") == 1 {
        name = substr($0, length(begin) + 2)
        sub(/ .*/, "", name)
        file = dir "/" name "." ext
        if ((getline l < file) <= 0) {
            print "no example " name > "/dev/stderr"
            exit 1
        }
        do print l; while ((getline l < file) > 0)
        close(file)
        skip = 1
    }' "$1"
}

check_doc() {
    doc=$1
    fill "$ROOT/$doc" "$2" "$3" "$4" >"$tmp/new" || {
        not_ok "$doc: examples made"
        return
    }
    blocks=$(MARK="$2 " awk 'index($0, ENVIRON["MARK"]) == 1' "$ROOT/$doc" |
        wc -l | tr -d " ")
    if [ "$update" -eq 1 ]; then
        cmp -s "$tmp/new" "$ROOT/$doc" || cp "$tmp/new" "$ROOT/$doc"
        ok "$doc: $blocks examples written"
    elif cmp -s "$tmp/new" "$ROOT/$doc"; then
        ok "$doc: its $blocks examples are what the commands print"
    else
        not_ok "$doc: its examples are what the commands print (make docs rewrites them)" \
            "$(diff "$ROOT/$doc" "$tmp/new" | head -n 8 | tr '\t' ' ')"
    fi
}
check_doc README.md '<!-- example' '<!-- end example' md
check_doc docs/skintrack.1 '.\" example' '.\" end example' roff

# ---- every option in the man page ----
man=$ROOT/docs/skintrack.1
# section TITLE: the man page's ".SS TITLE" section (up to the next .SS or
# .SH); "OPTIONS" is the part of .SH OPTIONS before its first .SS.
section() {
    awk -v t="$1" '
    (t == "OPTIONS" && $0 == ".SH OPTIONS") || $0 == ".SS " t { on = 1; next }
    on && /^\.S[SH] / { on = 0 }
    on' "$man"
}
for cmd in info align metrics compare course report chart synth; do
    case $cmd in
    info) secs="OPTIONS" ;;
    align) secs="align options" ;;
    metrics) secs="OPTIONS|metrics options" ;;
    compare) secs="OPTIONS|compare options|metrics options|align options" ;;
    course | report) secs="course and report options|metrics options|align options" ;;
    synth) secs="synth options" ;;
    esac
    : >"$tmp/sec"
    IFS='|'
    for s in $secs "Options of every command"; do
        section "$s" >>"$tmp/sec"
    done
    unset IFS
    "$SKINTRACK" help "$cmd" >"$tmp/help"
    missing=
    # the option lines (an option first), every option named on them
    for o in $( (grep -e '^  -' "$tmp/help" | grep -o -e '--[a-z][a-z0-9-]*'
        grep -o -e '^  -[a-zA-Z],' "$tmp/help" | tr -d ' ,') | sort -u); do
        r=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
        grep -e "$r" "$tmp/sec" >/dev/null || missing="$missing $o"
    done
    if [ -z "$missing" ]; then
        ok "man page: every option of $cmd --help ($(grep -c -e '^  -' "$tmp/help") lines) is in its sections"
    else
        not_ok "man page: every option of $cmd --help is in its sections" \
            "missing:$missing"
    fi
done

finish
