#!/bin/sh
# skintrack fault tests (POSIX sh): outputs under a full disk, a read-only
# folder, failing fsync and rename, a file size limit, a full standard
# output, SIGINT mid-run; inputs at the resource bounds (a manifest of
# 100 000 lines, a 1 MB line).
#
#   SKINTRACK=build/skintrack BUILD=build sh tests/faults.sh
#
# Faults come from tests/faultshim.c ($BUILD/tests/faultshim.so) through
# LD_PRELOAD, so they need neither root nor a small file system; the file
# size limit (ulimit -f) and /dev/full are real ones. Every case checks the
# promise of docs/csv.md: exit status 1, one line on stderr naming the
# file and the cause, no partial file and no temporary file left, and the
# previous file of the same name untouched.

set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)

. "$ROOT/tests/shlib.sh"
SHIM=$BUILD/tests/faultshim.so
RFC=$BUILD/tests/rfc4180
P=$ROOT/samples/demo-patient
P1=$P/2026-01-12.jpg
P5=$P/2026-07-06.jpg

# faulty FAULT ARGS...: runs the program with FAULT injected (see
# faultshim.c). The sanitizer runtime, if any, need not come first.
faulty() {
    fault=$1
    shift
    SKINTRACK_FAULT=$fault LD_PRELOAD=$SHIM \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
        "$SKINTRACK" "$@" >"$out" 2>"$err"
    rc=$?
}

# fresh DIR FILE...: DIR emptied, holding FILE... with "previous" in each.
fresh() {
    d=$1
    shift
    rm -rf "$d"
    mkdir -p "$d"
    for f in "$@"; do
        echo previous >"$d/$f"
    done
}

# untouched DESCRIPTION DIR FILE...: DIR holds exactly FILE..., each still
# "previous" (no temporary file, nothing new, nothing damaged).
untouched() {
    desc=$1
    d=$2
    shift 2
    want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
    got=$(ls -A "$d" | sort | tr '\n' ' ')
    bad=
    for f in "$@"; do
        [ "$(cat "$d/$f" 2>/dev/null)" = previous ] || bad="$bad $f"
    done
    if [ "$got" = "$want" ] && [ -z "$bad" ]; then
        ok "$desc: previous files untouched, nothing left behind"
    else
        not_ok "$desc: previous files untouched, nothing left behind" \
            "files: $got (wanted $want)" "changed:$bad"
    fi
}

# one_error DESCRIPTION TEXT...: exit status 1, and a stderr line holding
# every TEXT.
one_error() {
    desc=$1
    shift
    expect_rc "$desc: exit status 1" 1
    pat=
    for t in "$@"; do
        if [ -z "$pat" ]; then
            pat=$(printf '%s' "$t" | sed 's/[][\.*^$/]/\\&/g')
        else
            pat="$pat.*$(printf '%s' "$t" | sed 's/[][\.*^$/]/\\&/g')"
        fi
    done
    if grep -q "^skintrack.*$pat" "$err"; then
        ok "$desc: one line names the file and the cause"
    else
        not_ok "$desc: one line names the file and the cause" \
            "wanted: $*" "stderr: $(show "$err")"
    fi
}

if [ ! -f "$SHIM" ]; then
    not_ok "fault shim $SHIM exists (make $SHIM)"
    finish
fi

o=$tmp/out

# ---- -o FILE: every way writing the file can fail ----
for f in "write:ENOSPC:0|No space left on device" \
    "write:ENOSPC:300|No space left on device" \
    "write:EDQUOT:0|Disk quota exceeded" \
    "open:EROFS|Read-only file system" "open:EACCES|Permission denied" \
    "fsync:EIO|Input/output error" "rename:EIO|Input/output error"; do
    fault=${f%%|*}
    cause=${f#*|}
    fresh "$o" m.csv
    faulty "$fault" metrics -o "$o/m.csv" "$P1"
    one_error "metrics -o, $fault" "$o/m.csv" "$cause"
    untouched "metrics -o, $fault" "$o" m.csv
done

fresh "$o" c.csv
faulty write:ENOSPC:1000 compare -o "$o/c.csv" "$P1" "$P5"
one_error "compare -o, disk full after 1000 bytes" "$o/c.csv" \
    "No space left on device"
untouched "compare -o, disk full" "$o" c.csv

# the overlay pictures are written through the same atomic path
fresh "$o" m.csv
mkdir "$o/ov"
faulty write:ENOSPC:0 metrics --overlay "$o/ov" -o "$o/m.csv" "$P1"
expect_rc "metrics --overlay, disk full: exit status 1" 1
expect_has "metrics --overlay, disk full: the cause is named" "$err" \
    "No space left on device"
expect_eq "metrics --overlay, disk full: no picture, whole or partial" "" \
    "$(ls -A "$o/ov")"
rmdir "$o/ov"
untouched "metrics --overlay, disk full" "$o" m.csv

fresh "$o" w.png
faulty write:ENOSPC:5000 align -o "$o/w.png" "$P1" "$P5"
one_error "align -o picture, disk full" "$o/w.png" "No space left on device"
untouched "align -o picture, disk full" "$o" w.png

fresh "$o" r.html
faulty write:ENOSPC:20000 report -q -j 1 -o "$o/r.html" "$P"
one_error "report -o, disk full after 20 kB" "$o/r.html" \
    "No space left on device"
untouched "report -o, disk full" "$o" r.html

# course with three outputs: the disk fills in each of them in turn. They
# are committed as a group (all synced before any is renamed), so every
# previous file stays as it was.
for budget in 0 3000 9000; do
    fresh "$o" k.csv s.csv r.csv
    faulty "write:ENOSPC:$budget" course -q -j 1 -o "$o/k.csv" \
        --summary "$o/s.csv" --recovery "$o/r.csv" "$P"
    expect_rc "course, disk full after $budget bytes: exit status 1" 1
    expect_has "course, disk full after $budget bytes: the cause is named" \
        "$err" "No space left on device"
    untouched "course, disk full after $budget bytes" "$o" k.csv s.csv r.csv
done
fresh "$o" k.csv s.csv
faulty rename:EIO course -q -j 1 -o "$o/k.csv" --summary "$o/s.csv" "$P"
one_error "course, rename fails" "$o/k.csv" "Input/output error"
untouched "course, rename fails" "$o" k.csv s.csv

# synth writes a folder of photos: none may be left half-written
rm -rf "$o"
mkdir "$o"
faulty write:ENOSPC:200000 synth -q --out "$o/syn" --width 800 --sessions 2
expect_rc "synth, disk full: exit status 1" 1
expect_has "synth, disk full: the cause is named" "$err" \
    "No space left on device"
expect_eq "synth, disk full: no temporary file left" "" \
    "$(ls -A "$o/syn" | grep '\.tmp$')"
bad=
for f in "$o"/syn/*.jpg; do
    [ -e "$f" ] || continue
    "$SKINTRACK" info "$f" >/dev/null 2>&1 || bad="$bad $(basename "$f")"
done
expect_eq "synth, disk full: every photo left is whole" "" "$bad"

# ---- real faults: a file size limit, a full standard output ----
fresh "$o" r.html
(trap '' XFSZ && ulimit -f 8 && exec "$SKINTRACK" report -q -j 1 \
    -o "$o/r.html" "$P") >"$out" 2>"$err"
rc=$?
one_error "report -o, 4 kB file size limit (ulimit -f)" "$o/r.html" \
    "File too large"
untouched "report -o, file size limit" "$o" r.html

if [ -w /dev/full ]; then
    "$SKINTRACK" metrics "$P1" >/dev/full 2>"$err"
    rc=$?
    one_error "metrics to a full standard output" "standard output" \
        "No space left on device"
else
    skip "no /dev/full"
fi

# a folder without write permission, for real when not root (root writes
# anyway: the shim's open:EACCES case above stands in)
if [ "$(id -u)" != 0 ]; then
    fresh "$o" m.csv
    chmod 555 "$o"
    run metrics -o "$o/m.csv" "$P1"
    chmod 755 "$o"
    one_error "metrics -o into a read-only folder" "$o/m.csv" \
        "Permission denied"
    untouched "metrics -o into a read-only folder" "$o" m.csv
else
    skip "running as root: folder permissions do not bind"
fi

# ---- SIGINT during a course run ----
# A course long enough to interrupt (6 photos of 1600 px, one thread).
"$SKINTRACK" synth -q --out "$tmp/long" --width 1600 --sessions 2 \
    --post-days 1 --followup 0 >/dev/null 2>&1
fresh "$o" k.csv s.csv
# perl restores SIGINT's default action: a shell ignores it in background
# jobs, and skintrack keeps signals it finds ignored.
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die "exec: $!"' \
    "$SKINTRACK" course -q -j 1 -o "$o/k.csv" --summary "$o/s.csv" \
    "$tmp/long" >/dev/null 2>"$err" &
pid=$!
n=0
while [ "$n" -lt 400 ] && ! ls -A "$o" | grep -q '\.tmp$'; do
    sleep 0.05
    n=$((n + 1))
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
krc=$?
expect_eq "SIGINT mid-run: the run dies of it (status 130)" 130 "$krc"
untouched "SIGINT mid-run" "$o" k.csv s.csv

# ---- resource bounds: a manifest of 100 000 lines, a 1 MB line ----
# Every photo is missing, so each line becomes an error row; the reader
# holds one record at a time. Outside the sanitizer build (and valgrind),
# the run must fit in 1 GB of address space.
awk 'BEGIN { print "path,date";
             for (i = 1; i <= 100000; i++)
                 printf "missing-%06d.jpg,2026-01-%02d\n", i, i % 28 + 1 }' \
    >"$tmp/big.csv"
fresh "$o"
case $BUILD in
*asan*) limit=unlimited ;;
*) limit=1048576 ;;
esac
[ -n "${SKINTRACK_VALGRIND:-}" ] && limit=unlimited
(ulimit -v "$limit" && exec "$SKINTRACK" course -q -j 2 -o "$o/big.csv" \
    "$tmp/big.csv") >"$out" 2>"$err"
rc=$?
expect_rc "manifest of 100 000 lines: exit status 1 (photos missing)" 1
expect_eq "manifest of 100 000 lines: an error row for every photo" \
    100000 "$("$RFC" "$o/big.csv" file | wc -l | tr -d ' ')"

{
    echo "path,date"
    echo "missing-a.jpg,2026-01-01"
    awk 'BEGIN { s = "x"; while (length(s) < 1048576) s = s s;
                 print s ".jpg,2026-01-02" }'
    echo "missing-b.jpg,2026-01-03"
} >"$tmp/long-line.csv"
run course -q -j 1 -o "$o/ll.csv" "$tmp/long-line.csv"
expect_rc "manifest with a 1 MB line: exit status 1" 1
expect_has "manifest with a 1 MB line: the line is an error row" \
    "$o/ll.csv" "long-line.csv:3"
expect_has "manifest with a 1 MB line: the next line is still read" \
    "$o/ll.csv" "missing-b.jpg"

finish
