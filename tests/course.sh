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
expect_eq "long layout: a row per numeric metric per photo (11 photos)" \
    $((11 * $(metrics_count numeric))) "$(col "$tmp/long.csv" file | wc -l | tr -d ' ')"
expect_eq "long layout: value is a number or empty" 0 \
    "$(col "$tmp/long.csv" value | grep -v '^$' | grep -cv '^-\{0,1\}[0-9][0-9.e+-]*$')"
expect_eq "long layout: no pct_change for interval-scale a_star_mean" "" \
    "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i } $h["metric"] == "a_star_mean" { printf "%s", $h["pct_change"] }' "$tmp/long.csv")"
run course -q --layout wide -o "$tmp/wide.csv" --pore-list "$tmp/pores.csv" "$c"
strict "$tmp/wide.csv" "course --layout wide"
strict "$tmp/pores.csv" "course --pore-list"
# --pore-list: as many rows per photo as its pore_count
col "$tmp/wide.csv" file >"$tmp/wf"
col "$tmp/wide.csv" pore_count >"$tmp/wn"
want=$(paste -d: "$tmp/wf" "$tmp/wn" | sort | paste -sd' ' -)
got=$(col "$tmp/pores.csv" file | sort | uniq -c |
    awk '{ print $2 ":" $1 }' | sort | paste -sd' ' -)
expect_eq "course --pore-list: a row per pore of every photo" "$want" "$got"
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
# Its standard error, with one degree of freedom here, can be anything
# from near 0 to several times 0.062, so the test recomputes it from the
# course's own numbers instead: sqrt(s^2 / Sxx) x 30 with s^2 the residual
# variance (n - 2 degrees of freedom) of the measured diameters of those
# photos against their days, to the CSV's round-trip precision.
want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $h["metric"] == "pore_mean_diameter_px" && $h["phase"] != "post" {
        n++; x[n] = $h["days_since_baseline"]; y[n] = $h["value"] }
    END {
        for (i = 1; i <= n; i++) { mx += x[i] / n; my += y[i] / n }
        for (i = 1; i <= n; i++) {
            sxx += (x[i] - mx) ^ 2; sxy += (x[i] - mx) * (y[i] - my) }
        b = sxy / sxx
        for (i = 1; i <= n; i++) ss += (y[i] - my - b * (x[i] - mx)) ^ 2
        printf "%.9f", 30 * sqrt(ss / (n - 2) / sxx) }' "$tmp/long.csv")
got=$(awk -F, '$3 == "pore_mean_diameter_px" { print $14 }' "$tmp/sum.csv")
within "summary: the trend's standard error is the least-squares one of the measured diameters" \
    "$got" "$want" 0.000001
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

# ---- manifest sessions and phases kept as written ----
# Sessions 1, 4, 8 on three photos (more than the photos: a course whose
# earlier sessions were photographed elsewhere), and a followup phase
# written on a photo 28 days after a treatment, which the dates alone
# would call pre.
{
    printf 'path,session,phase,date\n'
    printf '%s,1,baseline,2026-01-12\n' "$c/2026-01-12.jpg"
    printf '%s,4,pre,2026-02-09\n' "$c/2026-02-09.jpg"
    printf '%s,8,followup,2026-03-09\n' "$c/2026-05-10.jpg"
} >"$tmp/sessions.csv"
run course -q --layout wide -o "$tmp/s.csv" "$tmp/sessions.csv"
expect_rc "manifest sessions 1, 4, 8: exits 0" 0
expect_eq "manifest sessions 1, 4, 8 kept as written" "1,4,8" \
    "$(col "$tmp/s.csv" session | paste -sd, -)"
expect_eq "manifest phases kept as written" "baseline,pre,followup" \
    "$(col "$tmp/s.csv" phase | paste -sd, -)"

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
    # one treatment day photographed twice: the 11:00 photo's name sorts
    # first, but the 09:00 one is the session (pre), the 11:00 its post
    t=$tmp/times/erin
    mkdir -p "$t"
    cp "$c/2026-01-12.jpg" "$t/2026-01-12.jpg"
    cp "$c/2026-02-09.jpg" "$t/2026-02-09_a.jpg"
    cp "$c/2026-02-10.jpg" "$t/2026-02-09_b.jpg"
    exiftool -q -overwrite_original -DateTimeOriginal='2026:02:09 11:00:00' "$t/2026-02-09_a.jpg"
    exiftool -q -overwrite_original -DateTimeOriginal='2026:02:09 09:00:00' "$t/2026-02-09_b.jpg"
    run course -q --layout wide -o "$tmp/t.csv" "$t"
    expect_eq "one day's photos in EXIF time order" \
        "$t/2026-01-12.jpg,$t/2026-02-09_b.jpg,$t/2026-02-09_a.jpg" \
        "$(col "$tmp/t.csv" file | paste -sd, -)"
    expect_eq "the 09:00 photo is the session, the 11:00 its post" \
        "baseline,pre,post" "$(col "$tmp/t.csv" phase | paste -sd, -)"
    expect_eq "datetime column: EXIF times, empty when unknown" \
        ",2026-02-09T09:00:00,2026-02-09T11:00:00" \
        "$(col "$tmp/t.csv" datetime | paste -sd, -)"
    # an EXIF time of another day than the file name's is not used
    exiftool -q -overwrite_original -DateTimeOriginal='2025:12:31 08:00:00' "$t/2026-01-12.jpg"
    run course -q --layout wide -o "$tmp/t.csv" "$t"
    expect_eq "an EXIF time of another day is not the photo's" "" \
        "$(col "$tmp/t.csv" datetime | head -n 1)"
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

# ---- one day's photos: times in file names, before and after ----
t=$tmp/names/fay
mkdir -p "$t"
cp "$c/2026-01-12.jpg" "$t/2026-01-12.jpg"
cp "$c/2026-02-09.jpg" "$t/2026-02-09_before.jpg"
cp "$c/2026-02-10.jpg" "$t/2026-02-09_after.jpg"
run course -q --layout wide -o "$tmp/n.csv" "$t"
expect_eq "_before and _after on one day: before first (the session)" \
    "baseline,pre,post" "$(col "$tmp/n.csv" phase | paste -sd, -)"
expect_eq "_before and _after on one day: the after photo is the post" \
    "$t/2026-02-09_after.jpg" "$(col "$tmp/n.csv" file | tail -n 1)"
rm "$t"/2026-02-09_*.jpg
cp "$c/2026-02-09.jpg" "$t/IMG_20260209_083000.jpg"
cp "$c/2026-02-10.jpg" "$t/IMG_20260209_074500.jpg"
run course -q --layout wide -o "$tmp/n.csv" "$t"
expect_eq "times in file names order one day's photos" \
    ",2026-02-09T07:45:00,2026-02-09T08:30:00" \
    "$(col "$tmp/n.csv" datetime | paste -sd, -)"

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

# ---- treatment dates ----
# Treatments on days 0 and 28 (2026-01-12, 2026-02-09); a check-up photo
# 14 days after the first (2026-01-26) is a checkup, not a session; the
# photo of 2026-05-10 comes after the last treatment: followup, 90 days
# after it.
t=$tmp/treated/gil
mkdir -p "$t"
cp "$c/2026-01-12.jpg" "$c/2026-02-09.jpg" "$c/2026-05-10.jpg" "$t/"
cp "$c/2026-01-13.jpg" "$t/2026-01-26.jpg"
run course -q --layout wide -o "$tmp/g0.csv" "$t"
expect_eq "without treatment dates the check-up is taken for a session" \
    "baseline,pre,pre,followup" "$(col "$tmp/g0.csv" phase | paste -sd, -)"
run course -q --layout wide --treatment-dates 2026-02-09,2026-01-12 -o "$tmp/g1.csv" "$t"
expect_rc "course --treatment-dates: exits 0" 0
expect_eq "--treatment-dates: the check-up is a checkup" \
    "baseline,checkup,pre,followup" "$(col "$tmp/g1.csv" phase | paste -sd, -)"
expect_eq "--treatment-dates: sessions count treatments" "1,1,2,2" \
    "$(col "$tmp/g1.csv" session | paste -sd, -)"
expect_eq "--treatment-dates: days since the real treatments" ",14,28,90" \
    "$(col "$tmp/g1.csv" days_since_last_treatment | paste -sd, -)"
# the same from a manifest's treatment column, marked on one region's
# rows only: a treatment is of the person, so every region has it
{
    printf 'subject,region,path,treatment\n'
    printf 'gil,cheek,gil/2026-01-12.jpg,yes\n'
    printf 'gil,cheek,gil/2026-01-26.jpg,\n'
    printf 'gil,cheek,gil/2026-02-09.jpg,x\n'
    printf 'gil,cheek,gil/2026-05-10.jpg,no\n'
    printf 'gil,chin,gil/2026-01-12.jpg,\n'
    printf 'gil,chin,gil/2026-01-26.jpg,\n'
    printf 'gil,chin,gil/2026-02-09.jpg,\n'
    printf 'gil,zz,gil/2026-02-09.jpg,maybe\n'
} >"$tmp/treated/m.csv"
run course -q --layout wide -o "$tmp/g2.csv" "$tmp/treated/m.csv"
expect_eq "manifest treatment column: phases of both regions" \
    "baseline,checkup,pre,followup,baseline,checkup,pre," \
    "$(col "$tmp/g2.csv" phase | paste -sd, -)"
expect_has "manifest treatment column: a bad mark names its line" "$tmp/g2.csv" \
    "line 9: treatment 'maybe' is not yes or no"
usage_error "course --treatment-dates with a bad date" course --treatment-dates 2026-02-30 "$t"
usage_error "course --treatment-dates with a bad list" course --treatment-dates 2026-02-01,,2026-03-01 "$t"

# ---- visit folders ----
# anna/2026-01-12/IMG_front.jpg ...: folders named by date are visits of
# one course, dated by the folder, not one-photo regions. A region's own
# date folders are its visits (bo/cheek/2026-...).
v=$tmp/visits
for d in 2026-01-12 2026-02-09 2026-05-10; do
    mkdir -p "$v/anna/$d" "$v/bo/cheek/$d"
    cp "$c/$d.jpg" "$v/anna/$d/IMG_front.jpg"
    cp "$c/$d.jpg" "$v/bo/cheek/$d/IMG_0001.jpg"
done
run course --layout wide -o "$tmp/v.csv" "$v/anna" "$v/bo"
expect_rc "visit folders: exits 0" 0
expect_eq "visit folders: one course each, dated by the folder" \
    "anna,,2026-01-12,baseline anna,,2026-02-09,pre anna,,2026-05-10,followup bo,cheek,2026-01-12,baseline bo,cheek,2026-02-09,pre bo,cheek,2026-05-10,followup" \
    "$(for k in subject region date phase; do col "$tmp/v.csv" $k >"$tmp/v.$k"; done
       paste -d, "$tmp/v.subject" "$tmp/v.region" "$tmp/v.date" "$tmp/v.phase" | paste -sd' ' -)"
expect_empty "visit folders: no warning" "$err"
# folders not named by date are regions: each with one photo, a warning
mkdir -p "$v/cy/visit1" "$v/cy/visit2"
cp "$c/2026-01-12.jpg" "$v/cy/visit1/"
cp "$c/2026-02-09.jpg" "$v/cy/visit2/"
run course --layout wide -o "$tmp/v.csv" "$v/cy"
expect_rc "one-photo regions: exits 0" 0
expect_has "one-photo regions: a warning naming the subject" "$err" \
    "warning: cy: every region has a single photo"
expect_lines "one-photo regions: one warning line" "$err" 1
run course -q --layout wide -o "$tmp/v.csv" "$v/cy"
expect_empty "one-photo regions: no warning with -q" "$err"

# ---- the record of a run: --meta ----
# The JSON holds the version, the command line word for word and the
# options the run used, defaults filled in; running its command line again
# gives the same CSV.
run course -q --roi 100,80,900,700 --white-balance "patch:$card" \
    --post-days 5 --treatment-dates 2026-01-12 --min-confidence 0.3 \
    --meta "$tmp/run.json" -o "$tmp/meta.csv" "$tmp/sessions.csv"
expect_rc "course --meta: exits 0" 0
expect_has "--meta: the version" "$tmp/run.json" "\"skintrack_version\": \"$("$SKINTRACK" --version | awk '{ print $NF }')\""
expect_has "--meta: the command line, word by word" "$tmp/run.json" \
    "\"command_line\": [\"skintrack\", \"course\", \"-q\", \"--roi\", \"100,80,900,700\", \"--white-balance\", \"patch:$card\","
expect_has "--meta: the region" "$tmp/run.json" '"region": "roi 100,80,900,700 (baseline px)"'
expect_has "--meta: the white balance" "$tmp/run.json" "\"white_balance\": \"patch:$card\""
expect_has "--meta: the thresholds (given)" "$tmp/run.json" '"min_confidence": 0.3,'
expect_has "--meta: the thresholds (defaults)" "$tmp/run.json" '"red_threshold_a_star": 20,'
expect_has "--meta: the registration model" "$tmp/run.json" '"registration_model": "auto"'
expect_has "--meta: the planning" "$tmp/run.json" '"post_days": 5,'
expect_has "--meta: the treatment dates" "$tmp/run.json" '"treatment_dates": "2026-01-12"'
expect_has "--meta: no value is null but px_per_mm" "$tmp/run.json" '"px_per_mm": null'
expect_eq "--meta: one null only" 1 "$(grep -c ': null' "$tmp/run.json")"
# the command line read back from the record and run again
words=$(sed -n 's/^  "command_line": \[\(.*\)\],$/\1/p' "$tmp/run.json" |
    sed 's/"skintrack", //; s/", "/\n/g; s/^"//; s/"$//' |
    sed "s|^$tmp/run.json\$|$tmp/run2.json|; s|^$tmp/meta.csv\$|$tmp/meta2.csv|")
set --
while IFS= read -r w; do set -- "$@" "$w"; done <<EOF_WORDS
$words
EOF_WORDS
run "$@"
if cmp -s "$tmp/meta.csv" "$tmp/meta2.csv"; then
    ok "--meta: the recorded command line gives the same CSV"
else
    not_ok "--meta: the recorded command line gives the same CSV" "rc $rc, $*"
fi
usage_error "course --meta without a file" course "$c" --meta

# ---- pictures of a course: --overlay and --aligned ----
# Two subjects whose photos share file names: the pictures get the
# subject's folder in their names instead of overwriting each other. An
# aligned photo registered again to the baseline needs no more turning:
# the synthetic photo was shifted by (dx, dy) of the truth (tens of px),
# its aligned copy by less than half a pixel.
mkdir "$tmp/ov" "$tmp/al"
run course -q --overlay "$tmp/ov" --aligned "$tmp/al" -o "$tmp/pics.csv" \
    "$tmp/exif/carol" "$tmp/exif/dave"
expect_rc "course --overlay --aligned: exits 0" 0
expect_eq "course --overlay: two maps per photo, names unique" \
    "carol_2026-01-05-pores.png carol_2026-01-05-redness.png carol_2026-02-02-pores.png carol_2026-02-02-redness.png dave_2026-01-05-pores.png dave_2026-01-05-redness.png dave_2026-02-02-pores.png dave_2026-02-02-redness.png" \
    "$(ls "$tmp/ov" | paste -sd' ' -)"
expect_eq "course --aligned: one photo per registered photo" \
    "carol_2026-01-05.jpg carol_2026-02-02.jpg dave_2026-01-05.jpg dave_2026-02-02.jpg" \
    "$(ls "$tmp/al" | paste -sd' ' -)"
run info "$tmp/ov/carol_2026-02-02-pores.png" "$tmp/ov/carol_2026-02-02-redness.png"
expect_rc "course --overlay: the maps are readable images" 0
# the centres (800 x 600 of 1200 x 900), clear of the border the turn
# leaves, registered to the baseline's centre
if command -v convert >/dev/null 2>&1; then
    convert "$tmp/exif/carol/2026-01-05.jpg" -crop 800x600+200+150 +repage "$tmp/c0.png"
    convert "$tmp/exif/carol/2026-02-02.jpg" -crop 800x600+200+150 +repage "$tmp/c1.png"
    convert "$tmp/al/carol_2026-02-02.jpg" -crop 800x600+200+150 +repage "$tmp/c2.png"
    run align "$tmp/c0.png" "$tmp/c1.png"
    expect_eq "the photo as taken is off the baseline (|dx| + |dy| > 5 px)" 1 \
        "$(awk -F, 'NR == 2 { d = ($5 < 0 ? -$5 : $5) + ($6 < 0 ? -$6 : $6); print (d > 5) }' "$out")"
    run align "$tmp/c0.png" "$tmp/c2.png"
    expect_eq "course --aligned: the aligned photo sits on the baseline (|dx|, |dy| < 0.2 px, |rotation| < 0.02 deg)" 1 \
        "$(awk -F, 'NR == 2 { a = $5 < 0 ? -$5 : $5; b = $6 < 0 ? -$6 : $6; r = $7 < 0 ? -$7 : $7; print (a < 0.2 && b < 0.2 && r < 0.02) }' "$out")"
else
    skip "ImageMagick's convert is not installed: aligned photo's position"
fi
run info "$tmp/al/carol_2026-02-02.jpg"
expect_eq "course --aligned: the baseline's size" "1200,900" \
    "$(field "$out" 2 4),$(field "$out" 2 5)"
usage_error "course --aligned into a missing folder" course --aligned "$tmp/no/such" "$c"
usage_error "course --overlay into a missing folder" course --overlay "$tmp/no/such" "$c"

# ---- inputs that are neither a folder nor a manifest ----
run course -q -o "$tmp/typo.csv" "$tmp/typo"
expect_rc "course over a missing path: exits 1" 1
expect_has "a missing path: no such folder or manifest" "$tmp/typo.csv" "no such folder or manifest"
run course -q -o "$tmp/photo.csv" "$c/2026-01-12.jpg"
expect_rc "course over one photo: exits 1" 1
expect_has "a photo given as the input: says so" "$tmp/photo.csv" "a photo, not a folder or a manifest"

# ---- photos above the registration's finest level ----
# against_truth LABEL DIR CSV SCALE_TOL: every photo of the course made in
# DIR (by synth, truth.csv) registered ok in CSV (wide), its map within
# 0.1 px (shift), 0.01 deg and SCALE_TOL of the truth.
against_truth() {
    for v in dx_px dy_px rotation_deg scale; do
        col "$2/truth.csv" $v >"$tmp/bt"
        col "$3" align_$v >"$tmp/bg"
        case $v in rotation_deg) tol=0.01 ;; scale) tol=$4 ;; *) tol=0.1 ;; esac
        expect_eq "$1 course: align_$v of every photo within $tol of the truth" 3 \
            "$(paste -d' ' "$tmp/bt" "$tmp/bg" | awk -v t=$tol '{ d = $1 - $2; if (d < 0) d = -d; n += ($2 != "" && d <= t) } END { print n }')"
    done
    expect_eq "$1 course: every photo registered ok" "ok" "$(col "$3" status | sort -u)"
}
# align_as_course LABEL DIR CSV: `align` writing no picture registers on
# the same reduced decode as course's pass 1, so its numbers for DIR's
# second photo are the course row's, to the digit; with --overlay it
# decodes at full size, and the two maps agree within the accuracy both
# have against the truth (shift within 0.02 px).
align_as_course() {
    run align --csv "$tmp/al_small.csv" "$2/2026-01-12.jpg" "$2/2026-02-09.jpg"
    expect_rc "align of $1 photos: exits 0" 0
    run align --csv "$tmp/al_full.csv" --overlay "$tmp/al.jpg" "$2/2026-01-12.jpg" "$2/2026-02-09.jpg"
    expect_rc "align of $1 photos with --overlay: exits 0" 0
    for v in align_dx_px align_dy_px align_rotation_deg align_scale \
        align_residual_p95_px h02 h12; do
        expect_eq "align of $1 photos: $v as course's pass 1" \
            "$(col "$3" $v | sed -n 2p)" "$(col "$tmp/al_small.csv" $v)"
    done
    for v in dx_px dy_px; do
        within "align of $1 photos: $v from the reduced and the full decode" \
            "$(col "$tmp/al_small.csv" align_$v)" "$(col "$tmp/al_full.csv" align_$v)" 0.02
    done
}
# 2400 x 1800 px (4.3 MP): registration averages such a photo 2 x 2 for
# its finest pyramid level, so pass 1 decodes the JPEGs at 1/2 (libjpeg's
# DCT scaling) and takes the map back to full resolution. Registration
# then works at the same level scale as from the full decode, so each map
# must match the truth as a full decode's does (about 0.03 px here): shift
# within 0.1 px, rotation within 0.01 deg, scale within 1e-4, the
# residual in full-resolution px (under the 2 px bound); and the numbers
# must not depend on --jobs.
run synth -q --out "$tmp/big" --width 2400 --sessions 3 --post-days none --followup 0
expect_rc "synth 2400 px wide: exits 0" 0
run course -q --layout wide -j 1 -o "$tmp/big1.csv" "$tmp/big"
expect_rc "course over 4.3 MP photos: exits 0" 0
run course -q --layout wide -j 2 -o "$tmp/big2.csv" "$tmp/big"
expect_eq "course over 4.3 MP photos: the same CSV for --jobs 1 and 2" "" \
    "$(cmp "$tmp/big1.csv" "$tmp/big2.csv" 2>&1)"
against_truth "4.3 MP" "$tmp/big" "$tmp/big1.csv" 0.0001
expect_eq "4.3 MP course: residual p95 in full-resolution px, over 0.05 and under 2" 1 \
    "$(col "$tmp/big1.csv" align_residual_p95_px | awk 'NR > 1 && ($1 < 0.05 || $1 > 2) { bad = 1 } END { print !bad }')"
align_as_course "4.3 MP" "$tmp/big" "$tmp/big1.csv"
# 1600 x 1200 px (1.9 MP): under the 3.2 MP finest level, but from 1.5 MP
# on registration takes the photo decoded at 1/2 (align.c's
# HALF_MIN_PIXELS): the map, taken back to full resolution, must match
# the truth as the full decode's does here (0.03-0.07 px): shift within
# 0.1 px, rotation within 0.01 deg, scale within 2e-4 (0.16 px at the
# corners); and `align` as above.
run synth -q --out "$tmp/mid" --width 1600 --sessions 3 --post-days none --followup 0
expect_rc "synth 1600 px wide: exits 0" 0
run course -q --layout wide -j 1 -o "$tmp/mid.csv" "$tmp/mid"
expect_rc "course over 1.9 MP photos: exits 0" 0
against_truth "1.9 MP" "$tmp/mid" "$tmp/mid.csv" 0.0002
align_as_course "1.9 MP" "$tmp/mid" "$tmp/mid.csv"

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
usage_error "course --followup-after 3 --post-days 7" course --followup-after 3 "$c"

finish
