#!/bin/sh
# skintrack course end-to-end tests (POSIX sh).
#
#   SKINTRACK=build/skintrack BUILD=build sh tests/course.sh
#
# Makes a synthetic course with `skintrack synth` (its truth.csv says what
# every photo is) and checks `skintrack course` against that truth: phases,
# sessions and days from file names, manifests and EXIF; the summary trend
# and the recovery half-life against values worked out from the truth;
# error rows for a corrupt, a missing and an unrelated photo and a bad
# manifest line, with every other row still written; the same bytes for
# any --jobs; --shard parts that add up to the whole run. Every CSV is
# read back with tests/rfc4180.c, a strict RFC 4180 parser.

set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)

. "$ROOT/tests/shlib.sh"
RFC=$BUILD/tests/rfc4180

# strict FILE DESCRIPTION: FILE is strict RFC 4180.
strict() {
    if "$RFC" "$1" >"$tmp/rfc" 2>&1; then
        ok "$2: strict RFC 4180 ($(cat "$tmp/rfc") records fields)"
    else
        not_ok "$2: strict RFC 4180" "$(cat "$tmp/rfc")"
    fi
}

# col FILE COLUMN: the column's values, one per data record.
col() {
    "$RFC" "$1" "$2"
}

# within DESCRIPTION GOT WANT TOLERANCE: |GOT - WANT| <= TOLERANCE.
within() {
    if awk -v g="$2" -v w="$3" -v t="$4" \
        'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= t) }'
    then
        ok "$1 ($2, want $3 +- $4)"
    else
        not_ok "$1" "got $2, want $3 +- $4"
    fi
}

# ---- a synthetic course ----
# 2 treatments 28 days apart, post photos 1, 2, 3 and 5 days after each,
# a followup 90 days after the last: 11 photos.
c=$tmp/alice
run synth -q --out "$c" --sessions 2 --post-days 1,2,3,5 --followup 90
expect_rc "synth: exits 0" 0
truth=$c/truth.csv
strict "$truth" "synth truth.csv"
expect_eq "synth: 11 photos" 11 "$(ls "$c"/*.jpg | wc -l | tr -d ' ')"
card=$(awk -F, 'NR == 2 { print $23 "," $24 "," $25 "," $26 }' "$truth")
run synth --out "$tmp/bad" --post-days 0,3
expect_rc "synth --post-days 0,3: usage error" 2

# ---- dates from file names, phases and sessions worked out ----
run course -q -j 3 --white-balance "patch:$card" -o "$tmp/long.csv" \
    --summary "$tmp/sum.csv" --recovery "$tmp/rec.csv" "$c"
expect_rc "course over a folder: exits 0" 0
strict "$tmp/long.csv" "course long CSV"
strict "$tmp/sum.csv" "course --summary CSV"
strict "$tmp/rec.csv" "course --recovery CSV"
expect_eq "long layout: 22 numeric rows per photo" 242 "$(col "$tmp/long.csv" file | wc -l | tr -d ' ')"
expect_eq "long layout: value is a number or empty" 0 \
    "$(col "$tmp/long.csv" value | grep -v '^$' | grep -cv '^-\{0,1\}[0-9][0-9.e+-]*$')"
expect_eq "long layout: no pct_change for interval-scale a_star_mean" "" \
    "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i } $h["metric"] == "a_star_mean" { printf "%s", $h["pct_change"] }' "$tmp/long.csv")"
run course -q --layout wide -o "$tmp/wide.csv" "$c"
strict "$tmp/wide.csv" "course --layout wide"
expect_eq "wide layout: one row per photo" 11 "$(col "$tmp/wide.csv" file | wc -l | tr -d ' ')"
for v in phase session days_since_baseline; do
    expect_eq "$v of every photo matches the truth" \
        "$(col "$truth" $v | paste -sd, -)" "$(col "$tmp/wide.csv" $v | paste -sd, -)"
done
expect_eq "days since the last treatment" ",1,2,3,5,28,1,2,3,5,90" \
    "$(col "$tmp/wide.csv" days_since_last_treatment | paste -sd, -)"
expect_eq "every photo registered ok" "ok" "$(col "$tmp/long.csv" status | sort -u)"

# summary trend of the pore diameter against the truth's least-squares
# trend over the same photos (baseline, pre, followup: days 0, 28, 118).
# Photo to photo, a measured pore diameter scatters by about 3% (0.18 px:
# misalignment, lighting, noise, JPEG); over these days that gives the
# slope a standard error of 0.18 / sqrt(Sxx = 7602) x 30 = 0.062 px per
# 30 days, so the test allows two of them.
want=$(awk -F, 'NR > 1 && $5 != "post" {
        n++; x = $3; y = $18; sx += x; sy += y; sxx += x * x; sxy += x * y }
    END { printf "%.6f", 30 * (n * sxy - sx * sy) / (n * sxx - sx * sx) }' "$truth")
got=$(awk -F, '$3 == "pore_mean_diameter_px" { print $13 }' "$tmp/sum.csv")
within "summary: pore diameter trend per 30 days" "$got" "$want" 0.124
got=$(awk -F, '$3 == "pore_mean_diameter_px" { print $14 }' "$tmp/sum.csv")
within "summary: the trend's standard error is of that size" "$got" 0.062 0.062
expect_eq "summary: 3 photos in the trend (baseline, pre, followup)" 3 \
    "$(awk -F, '$3 == "pore_mean_diameter_px" { print $5 }' "$tmp/sum.csv")"
expect_eq "summary: latest is the followup" followup \
    "$(awk -F, '$3 == "a_star_mean" { print $9 }' "$tmp/sum.csv")"

# recovery: a* excess over the photo before each treatment, and the
# half-life fitted from the day-2 peak on, against the truth's 1.2 days.
# Exposure varies +-6% between photos; the grey card takes it out, so
# the excess is within 0.5 a* of the truth and the half-life within 10%.
hl=$(awk -F, 'NR == 3 { print $22 }' "$truth")
for s in 1 2; do
    got=$(awk -F, -v s=$s '$3 == s && $5 == "a_star_mean" && $10 == 2 { print $14 }' "$tmp/rec.csv")
    within "recovery: session $s half-life (days)" "$got" "$hl" \
        "$(awk -v h="$hl" 'BEGIN { print 0.1 * h }')"
    got=$(awk -F, -v s=$s '$3 == s && $5 == "a_star_mean" && $10 == 2 { print $13 }' "$tmp/rec.csv")
    want=$(awk -F, '$6 == 2 { print $21; exit }' "$truth")
    within "recovery: session $s day-2 a* excess" "$got" "$want" 0.5
done
expect_eq "recovery: 4 post days x 3 redness metrics x 2 sessions" 24 \
    "$(col "$tmp/rec.csv" file | wc -l | tr -d ' ')"

# ---- the same bytes for any --jobs ----
run course -q -j 1 --white-balance "patch:$card" -o "$tmp/j1.csv" "$c"
if cmp -s "$tmp/j1.csv" "$tmp/long.csv"; then
    ok "course: byte-identical output with --jobs 1 and the default"
else
    not_ok "course: byte-identical output with --jobs 1 and the default"
fi

# ---- a manifest: given phases, relative paths, and bad inputs ----
# Columns in another order and case, an extra column, a BOM; a corrupt
# photo, a missing one, an unrelated picture (flat colour: it cannot be
# registered), a bad date and a bad phase. Every photo keeps its row.
m=$tmp/study
mkdir -p "$m/photos"
cp "$c/2026-01-12.jpg" "$m/photos/a.jpg"
cp "$c/2026-02-09.jpg" "$m/photos/b.jpg"
cp "$c/2026-05-10.jpg" "$m/photos/c.jpg"
head -c 3000 "$c/2026-01-13.jpg" >"$m/photos/cut.jpg"
# a flat grey 64x48 picture: nothing to register
"$SKINTRACK" synth -q --out "$tmp/flat" --width 64 --sessions 1 --post-days none --followup 0 --misalign 0 >/dev/null 2>&1
cp "$tmp/flat/2026-01-12.jpg" "$m/photos/flat.jpg"
{
    printf '\357\273\277Path,Notes,SUBJECT,date,Phase,session\r\n'
    printf 'photos/a.jpg,first,"=alice, left",2026-01-12,baseline,1\r\n'
    printf 'photos/b.jpg,,"=alice, left",2026-02-09,pre,2\r\n'
    printf 'photos/cut.jpg,"cut short","=alice, left",2026-02-10,post,2\r\n'
    printf 'photos/nope.jpg,,"=alice, left",2026-02-11,post,2\r\n'
    printf 'photos/flat.jpg,,"=alice, left",2026-02-12,post,2\r\n'
    printf 'photos/c.jpg,,"=alice, left",2026-02-31,followup,2\r\n'
    printf 'photos/c.jpg,,"=alice, left",2026-05-10,later,2\r\n'
    printf 'photos/c.jpg,,"=alice, left",2026-05-10,followup,2\r\n'
} >"$m/study.csv"
run course -j 2 --layout wide -o "$tmp/m.csv" "$m/study.csv"
expect_rc "manifest with bad rows: exits 1" 1
strict "$tmp/m.csv" "manifest course CSV"
expect_eq "manifest: a row for each of the 8 lines" 8 "$(col "$tmp/m.csv" file | wc -l | tr -d ' ')"
expect_eq "manifest: statuses in date order" \
    "ok,ok,error,error,low_confidence,ok,error,error" \
    "$(col "$tmp/m.csv" status | paste -sd, -)"
expect_eq "manifest: subject formula-guarded, comma kept" "'=alice, left" \
    "$(col "$tmp/m.csv" subject | sort -u)"
expect_has "manifest: the corrupt photo's cause" "$tmp/m.csv" "cut.jpg,error,"
expect_has "manifest: the missing photo's cause" "$tmp/m.csv" "nope.jpg,error,cannot open"
expect_has "manifest: a bad date names its line" "$tmp/m.csv" "line 7: date '2026-02-31'"
expect_has "manifest: a bad phase names its line" "$tmp/m.csv" "line 8: phase 'later'"
expect_eq "manifest: relative paths resolved beside the manifest" \
    "$m/photos/a.jpg" "$(col "$tmp/m.csv" file | head -n 1)"
expect_eq "stderr: one line per failed photo, naming it" 5 "$(count_lines "$err")"
expect_has "stderr: the unrelated photo is low confidence" "$err" "flat.jpg: registration"

# ---- dates from EXIF ----
e=$tmp/exif/bob
mkdir -p "$e"
cp "$c/2026-01-12.jpg" "$e/first.jpg"
cp "$c/2026-02-09.jpg" "$e/second.jpg"
cp "$c/2026-05-10.jpg" "$e/undated.jpg"
if command -v exiftool >/dev/null 2>&1; then
    exiftool -q -overwrite_original -DateTimeOriginal='2024:02:28 09:30:00' \
        -OffsetTimeOriginal=+01:00 "$e/first.jpg"
    exiftool -q -overwrite_original -DateTimeOriginal='2024:03:27 18:00:00' \
        "$e/second.jpg"
    run course -q --layout wide -o "$tmp/e.csv" "$e"
    expect_rc "course with an undated photo: exits 1" 1
    expect_eq "EXIF dates across 29 February" "2024-02-28,2024-03-27," \
        "$(col "$tmp/e.csv" date | paste -sd, -)"
    expect_eq "EXIF: days since baseline" "0,28," \
        "$(col "$tmp/e.csv" days_since_baseline | paste -sd, -)"
    expect_has "a photo with no date is an error row" "$tmp/e.csv" "undated.jpg,error,no date"
else
    skip "exiftool is not installed: EXIF dates"
fi

# ---- light: a white-balance change flagged, a chart in both cancels it ----
astro=/usr/lib/python3/dist-packages/skimage/data/astronaut.png
if [ -f "$astro" ] && [ -x "$BUILD/tests/chartimg" ]; then
    mkdir -p "$tmp/light/pat"
    "$BUILD/tests/chartimg" "$astro" "$tmp/light/pat/2026-01-05.png" 1 \
        chart 16 420 440 2
    "$BUILD/tests/chartimg" "$astro" "$tmp/light/pat/2026-02-02.png" 1 \
        chart 16 420 440 2 light 1.15 0 0 0 1 0 0 0 0.8 seed 3
    run course -q --layout wide --roi 190,120,22,22 -o "$tmp/l0.csv" "$tmp/light/pat"
    expect_eq "no target: calibration none" "none,none" \
        "$(col "$tmp/l0.csv" calibration | paste -sd, -)"
    expect_eq "no target: the warmer photo is flagged" ",white_balance" \
        "$(col "$tmp/l0.csv" light_flag | paste -sd, -)"
    within "light_wb_red of a red gain of 1.15" \
        "$(col "$tmp/l0.csv" light_wb_red | tail -n 1)" 1.15 0.03
    run course -q --layout wide --roi 190,120,22,22 --white-balance auto \
        -o "$tmp/l1.csv" "$tmp/light/pat"
    expect_eq "auto: the chart found in both" "chart,chart" \
        "$(col "$tmp/l1.csv" calibration | paste -sd, -)"
    within "auto: the chart's light_wb_red" \
        "$(col "$tmp/l1.csv" light_wb_red | tail -n 1)" 1.15 0.01
    expect_eq "auto: no a* shift left, only the clipped white patch flagged" \
        "0,target_clipped" \
        "$(col "$tmp/l1.csv" light_a_star_shift | tail -n 1),$(col "$tmp/l1.csv" light_flag | tail -n 1)"
    run report -q --roi 190,120,22,22 -o "$tmp/l.html" "$tmp/light/pat"
    expect_rc "report of the two lights: exits 0" 0
    if grep -q '<td>lighting</td>' "$tmp/l.html" &&
        grep -q '<td>none</td>.*<td>white_balance</td>' "$tmp/l.html"; then
        ok "report: the white-balance change flagged, target none shown"
    else
        not_ok "report: the white-balance change flagged" "$(grep -c lighting "$tmp/l.html")"
    fi
fi

# ---- shards add up to the whole run ----
cp -r "$e" "$tmp/exif/carol"
cp -r "$e" "$tmp/exif/dave"
rm -f "$tmp/exif/"*/undated.jpg
for f in "$tmp/exif/"*/*.jpg; do
    n=$(basename "$f" .jpg)
    [ "$n" = first ] && mv "$f" "$(dirname "$f")/2026-01-05.jpg"
    [ "$n" = second ] && mv "$f" "$(dirname "$f")/2026-02-02.jpg"
done
run course -q -o "$tmp/all.csv" "$tmp/exif/"*
expect_rc "three subjects: exits 0" 0
: >"$tmp/parts.csv"
for k in 1 2 3; do
    run course -q --shard $k/3 -o "$tmp/part$k.csv" "$tmp/exif/"*
    strict "$tmp/part$k.csv" "--shard $k/3"
    tail -n +2 "$tmp/part$k.csv" >>"$tmp/parts.csv"
done
tail -n +2 "$tmp/all.csv" | sort >"$tmp/want"
sort "$tmp/parts.csv" >"$tmp/got"
if cmp -s "$tmp/want" "$tmp/got"; then
    ok "--shard 1/3, 2/3, 3/3 together give the rows of the whole run"
else
    not_ok "--shard parts add up to the whole run" "$(diff "$tmp/want" "$tmp/got" | grep "^>" | head -2)"
fi

# ---- empty folders and usage errors ----
mkdir "$tmp/empty"
run course -q "$tmp/empty"
expect_rc "an empty folder: exits 1" 1
expect_has "an empty folder: an error row" "$out" "no photos"
usage_error "course with no input" course
usage_error "course --jobs 0" course --jobs 0 "$c"
usage_error "course --shard 4/3" course --shard 4/3 "$c"
usage_error "course --shard 1/0" course --shard 1/0 "$c"
usage_error "course --layout tall" course --layout tall "$c"
usage_error "course --overlay" course --overlay "$tmp" "$c"
usage_error "course --followup-after 3 --post-days 7" course --followup-after 3 "$c"

finish
