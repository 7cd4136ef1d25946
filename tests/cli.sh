#!/bin/sh
# skintrack CLI end-to-end tests (POSIX sh).
#
#   SKINTRACK=build/skintrack BUILD=build sh tests/cli.sh
#
# Runs the program as a user or a batch script would and checks what the
# design promises them: --help on stdout with exit 0, misuse as one line on
# stderr with exit 2, a CSV row for every input (good or bad) with exit 1
# when some failed, messages "skintrack: FILE: cause", atomic -o output,
# quoting and formula guards in the CSV, EXIF orientation, ICC profile and
# date of a phone-style JPEG (made with exiftool when it is installed).
#
# Each check prints "ok - ..." or "not ok - ..." (with expected and got);
# the last line is "cli: N passed, M failed", and the exit status is 1 when
# M > 0.

set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)

. "$ROOT/tests/shlib.sh"

HEADER='file,status,error,width,height,channels,bit_depth,orientation,icc_profile,datetime_original,format,pages,camera'

# A 40x30 RGB PNG (flat colour, 1200 pixels), written without any tool.
good=$files/good.png
{
    printf '\211\120\116\107\015\012\032\012\000\000\000\015\111\110\104\122'
    printf '\000\000\000\050\000\000\000\036\010\002\000\000\000\321\277\313'
    printf '\212\000\000\000\053\111\104\101\124\170\332\355\315\061\015\000'
    printf '\000\010\003\260\151\107\004\232\220\205\014\070\232\364\157\246'
    printf '\353\104\304\142\261\130\054\026\213\305\142\261\130\374\067\136'
    printf '\043\111\312\171\004\100\242\132\000\000\000\000\111\105\116\104'
    printf '\256\102\140\202'
} >"$good"
missing=$files/missing.jpg
garbage=$files/garbage.jpg
printf 'this is not a picture\n' >"$garbage"

# ---- help, version, usage errors ----

run --help
expect_rc "--help exits 0" 0
expect_has "--help prints Usage: on stdout" "$out" "Usage:"
expect_empty "--help writes nothing on stderr" "$err"

run -h
expect_rc "-h exits 0" 0

run --version
expect_rc "--version exits 0" 0
if head -n 1 "$out" | grep '^skintrack [0-9]' >/dev/null; then
    ok "--version prints 'skintrack VERSION'"
else
    not_ok "--version prints 'skintrack VERSION'" "got: $(show "$out")"
fi

run help info
expect_rc "help info exits 0" 0
expect_has "help info shows the info usage" "$out" "Usage: skintrack info"

run info --help
expect_rc "info --help exits 0" 0
expect_has "info --help shows the info usage" "$out" "Usage: skintrack info"
expect_empty "info --help writes nothing on stderr" "$err"

run help no-such-command
expect_rc "help of an unknown command exits 2" 2

run
expect_rc "no arguments exits 2" 2
expect_empty "no arguments writes nothing on stdout" "$out"


usage_error "unknown command" no-such-command
usage_error "info without files" info
usage_error "info --bogus" info --bogus "$good"
expect_has "info --bogus names the option" "$err" "--bogus"
usage_error "info -Zq (unknown short option)" info -Zq "$good"
expect_has "info -Zq names the option -Z" "$err" "-Z"
usage_error "--max-megapixels abc" info --max-megapixels abc "$good"
# 0 would silently mean the default threshold (20)
usage_error "--red-threshold 0" metrics --red-threshold 0 "$good"
# a value with a newline is quoted on the same line
usage_error "--roi with a newline" metrics --roi "1,2
,3,4" "$good"
usage_error "--max-megapixels -5" info --max-megapixels -5 "$good"
usage_error "--max-megapixels without a value" info "$good" --max-megapixels

# ---- good and bad files ----

run info "$good" "$missing" "$garbage"
expect_rc "good + missing + garbage: exits 1" 1
expect_eq "CSV header" "$HEADER" "$(line "$out" 1)"
expect_lines "one row per file" "$out" 4
expect_eq "good file: status ok" "ok" "$(field "$out" 2 2)"
expect_eq "good file: no error" "" "$(field "$out" 2 3)"
expect_eq "good file: size, channels, depth, orientation" "40,30,3,8,1" \
    "$(field "$out" 2 4),$(field "$out" 2 5),$(field "$out" 2 6),$(field "$out" 2 7),$(field "$out" 2 8)"
expect_eq "missing file: row names it" "$missing" "$(field "$out" 3 1)"
expect_eq "missing file: status error" "error" "$(field "$out" 3 2)"
case $(field "$out" 3 3) in
*"No such file"*) ok "missing file: error says No such file" ;;
*) not_ok "missing file: error says No such file" "got: $(field "$out" 3 3)" ;;
esac
expect_eq "garbage file: status error" "error" "$(field "$out" 4 2)"
case $(field "$out" 4 3) in
*"not a photo skintrack reads"*) ok "garbage file: error says not a photo skintrack reads" ;;
*) not_ok "garbage file: error says not a photo skintrack reads" "got: $(field "$out" 4 3)" ;;
esac
expect_eq "failed rows: ten empty fields" ",,,,,,,,," \
    "$(line "$out" 4 | cut -d, -f4-)"
expect_has "stderr: skintrack: FILE: cause (missing)" "$err" \
    "skintrack: $missing: cannot open: No such file"
expect_has "stderr: skintrack: FILE: cause (garbage)" "$err" \
    "skintrack: $garbage: not a photo skintrack reads"
expect_lines "stderr: one line per failed file" "$err" 2

run info "$good" "$good"
expect_rc "all files good: exits 0" 0
expect_empty "all files good: nothing on stderr" "$err"

run info -q "$good" "$garbage"
expect_rc "-q: still exits 1" 1
expect_empty "-q: failed files not reported on stderr" "$err"
expect_lines "-q: still a row per file" "$out" 3

run info --crlf "$good" "$garbage"
crlf_lines=$(tr -d '\n' <"$out" | tr '\r' '\n' | wc -l | tr -d ' ')
expect_eq "--crlf: every record ends with CRLF" "3" "$crlf_lines"

# ---- the metric registry ----

run info --metrics
expect_rc "info --metrics: exits 0" 0
expect_eq "info --metrics: header" "metric,unit,type,scale,better,needs,title" \
    "$(line "$out" 1)"
awk -F, 'NR > 1 { print $1 }' "$out" >"$tmp/registry"
expect_eq "info --metrics: 4 _rel metrics need a reference region" 4 \
    "$(awk -F, '$6 == "reference"' "$out" | wc -l | tr -d ' ')"
# metrics' header holds every metric of the registry, in its order
run metrics "$good"
expect_eq "info --metrics: metrics' columns, in the registry's order" \
    "$(paste -sd, "$tmp/registry")" \
    "$(line "$out" 1 | tr ',' '\n' | grep -xFf "$tmp/registry" | paste -sd, -)"
usage_error "info --metrics with an image" info --metrics "$good"

run info "$good" -o "$tmp/after.csv"
expect_rc "options after operands: exits 0" 0
expect_empty "options after operands: nothing on stdout" "$out"
expect_eq "options after operands: -o file written" "$HEADER" \
    "$(line "$tmp/after.csv" 1)"

run info "$good" "$garbage"
cp "$out" "$tmp/expected.csv"
mkdir "$tmp/o"
printf 'previous\n' >"$tmp/o/out.csv"
run info -o "$tmp/o/out.csv" "$good" "$garbage"
expect_rc "-o with a failed file: exits 1" 1
expect_empty "-o: nothing on stdout" "$out"
if cmp -s "$tmp/expected.csv" "$tmp/o/out.csv"; then
    ok "-o: file holds the same CSV as stdout would (replacing the old one)"
else
    not_ok "-o: file holds the same CSV as stdout would" \
        "got: $(show "$tmp/o/out.csv")"
fi
leftover=$(find "$tmp/o" -name '.out.csv.*.tmp' | wc -l | tr -d ' ')
expect_eq "-o: no .out.csv.*.tmp left behind" 0 "$leftover"
expect_eq "-o: nothing else in the folder" "out.csv" "$(ls -A "$tmp/o")"

before=$(ls -A "$tmp")
run info -o "$tmp/no-such-folder/out.csv" "$good"
expect_rc "-o into a missing folder: exits 1" 1
expect_has "-o into a missing folder: message names the path" "$err" \
    "$tmp/no-such-folder/out.csv"
if head -n 1 "$err" | grep '^skintrack: ' >/dev/null; then
    ok "-o into a missing folder: message starts with skintrack:"
else
    not_ok "-o into a missing folder: message starts with skintrack:" \
        "got: $(show "$err")"
fi
expect_empty "-o into a missing folder: nothing on stdout" "$out"
expect_eq "-o into a missing folder: creates nothing" "$before" "$(ls -A "$tmp")"

if [ -w /dev/full ]; then
    "$SKINTRACK" info "$good" >/dev/full 2>"$err"
    rc=$?
    expect_rc "stdout on a full disk: exits 1" 1
    expect_has "stdout on a full disk: says so" "$err" "skintrack: "
else
    skip "no /dev/full"
fi

# ---- CSV quoting of file names ----

mkdir "$tmp/names"
cp "$good" "$tmp/names/a,b.png"
cp "$good" "$tmp/names/=cmd.png"
cp "$good" "$tmp/names/=x,y.png"
cp "$good" "$tmp/names/@sum.png"
run_in "$tmp/names" info "a,b.png" "=cmd.png" "=x,y.png" "@sum.png"
expect_rc "odd file names: exits 0" 0
expect_eq "name with a comma is quoted" '"a,b.png",ok' \
    "$(line "$out" 2 | cut -d, -f1-3)"
expect_eq "name starting with = is guarded" "'=cmd.png,ok" \
    "$(line "$out" 3 | cut -d, -f1-2)"
expect_eq "name with = and a comma is guarded inside quotes" \
    "\"'=x,y.png\",ok" "$(line "$out" 4 | cut -d, -f1-3)"
expect_eq "name starting with @ is guarded" "'@sum.png,ok" \
    "$(line "$out" 5 | cut -d, -f1-2)"

# ---- pixel limit ----

run info --max-megapixels 0.001 "$good"
expect_rc "--max-megapixels 0.001 (1000 px) refuses 1200 px: exits 1" 1
case $(field "$out" 2 3) in
*megapixels*) ok "--max-megapixels 0.001: error mentions megapixels" ;;
*) not_ok "--max-megapixels 0.001: error mentions megapixels" \
    "got: $(show "$out")" ;;
esac

run info --max-megapixels 0.0001 "$good"
expect_rc "--max-megapixels 0.0001 makes a good file fail (exit 1)" 1
case $(field "$out" 2 2),$(field "$out" 2 3) in
error,*megapixels*) ok "--max-megapixels 0.0001: error row mentions megapixels" ;;
*) not_ok "--max-megapixels 0.0001: error row mentions megapixels" \
    "stdout: $(show "$out")" "stderr: $(show "$err")" ;;
esac
expect_has "--max-megapixels 0.0001: stderr mentions megapixels" "$err" \
    "megapixels"

run info --max-megapixels 0.0012 "$good"
expect_rc "--max-megapixels 0.0012 allows exactly 1200 px" 0

# ---- a phone-style JPEG ----

sample=
for f in "$ROOT"/samples/demo-patient/*.jpg; do
    if [ -f "$f" ]; then
        sample=$f
        break
    fi
done

if ! command -v exiftool >/dev/null 2>&1; then
    skip "exiftool not installed"
elif [ -z "$sample" ]; then
    skip "no sample JPEG"
else
    phone=$files/phone.jpg
    cp "$sample" "$phone"
    icc=/usr/share/color/icc/colord/AdobeRGB1998.icc
    if [ -f "$icc" ]; then
        exiftool -q -overwrite_original -Orientation#=6 \
            -DateTimeOriginal='2026:03:14 09:30:00' \
            -OffsetTimeOriginal='+01:00' "-ICC_Profile<=$icc" "$phone"
    else
        exiftool -q -overwrite_original -Orientation#=6 \
            -DateTimeOriginal='2026:03:14 09:30:00' \
            -OffsetTimeOriginal='+01:00' "$phone"
    fi
    xrc=$?
    expect_eq "exiftool tags the copy" 0 "$xrc"

    run info "$sample"
    w0=$(field "$out" 2 4)
    h0=$(field "$out" 2 5)
    run info "$phone"
    expect_rc "phone JPEG: exits 0" 0
    if [ -n "$w0" ] && [ "$w0" != "$h0" ]; then
        expect_eq "phone JPEG: width and height swapped" "${h0}x$w0" \
            "$(field "$out" 2 4)x$(field "$out" 2 5)"
    else
        not_ok "phone JPEG: sample has a usable size" "got ${w0}x${h0}"
    fi
    expect_eq "phone JPEG: orientation 6" 6 "$(field "$out" 2 8)"
    if [ -f "$icc" ]; then
        case $(field "$out" 2 9) in
        *Adobe*) ok "phone JPEG: icc_profile names Adobe RGB" ;;
        *) not_ok "phone JPEG: icc_profile names Adobe RGB" \
            "got: $(field "$out" 2 9)" ;;
        esac
    else
        skip "no $icc"
    fi
    expect_eq "phone JPEG: datetime_original with offset" \
        "2026-03-14T09:30:00+01:00" "$(field "$out" 2 10)"

    run info --ignore-orientation "$phone"
    expect_rc "phone JPEG --ignore-orientation: exits 0" 0
    expect_eq "phone JPEG --ignore-orientation: size as stored" \
        "${w0}x$h0" "$(field "$out" 2 4)x$(field "$out" 2 5)"
    expect_eq "phone JPEG --ignore-orientation: orientation 1" 1 \
        "$(field "$out" 2 8)"
fi


# ---- align: the bundled sample course has a known transform per photo ----
base=$ROOT/samples/demo-patient/2026-01-12.jpg
later=$ROOT/samples/demo-patient/2026-02-09.jpg
truth=$ROOT/samples/demo-patient-truth.csv
# close A B TOL: |A - B| <= TOL
close() {
    awk -v a="$1" -v b="$2" -v t="$3" \
        'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'
}
if [ -f "$base" ] && [ -f "$later" ] && [ -f "$truth" ]; then
    run align "$base" "$later" -o "$tmp/aligned.png" --overlay "$tmp/check.jpg"
    expect_rc "align sample: exits 0" 0
    expect_eq "align: header" \
        "reference,moving,status,error,align_dx_px,align_dy_px,align_rotation_deg,align_scale,align_confidence,overlap_pct,align_residual_px,align_residual_p95_px,align_model,h00,h01,h02,h10,h11,h12,h20,h21,h22" \
        "$(line "$out" 1)"
    expect_eq "align sample: status ok" ok "$(field "$out" 2 3)"
    t=$(grep '^demo-patient/2026-02-09.jpg,' "$truth")
    for pair in "5 5 0.05 align_dx_px" "6 6 0.05 align_dy_px" \
        "7 7 0.01 align_rotation_deg" "8 8 0.0005 align_scale" \
        "14 9 0.0005 h00" "15 10 0.0005 h01" "16 11 0.05 h02" \
        "19 14 0.05 h12"; do
        set -- $pair
        want=$(printf '%s\n' "$t" | cut -d, -f"$2")
        got=$(field "$out" 2 "$1")
        if close "$got" "$want" "$3"; then
            ok "align sample: $4 $got within $3 of the truth $want"
        else
            not_ok "align sample: $4 within $3 of the truth" \
                "expected: $want" "got:      $got"
        fi
    done
    expect_eq "align sample: h22 is 1" 1 "$(field "$out" 2 22)"
    if awk -v m="$(field "$out" 2 11)" -v p="$(field "$out" 2 12)" \
        'BEGIN { exit !(m != "" && p != "" && m >= 0 && m <= p && p < 1.5) }'
    then
        ok "align sample: residual median <= p95 < 1.5 px"
    else
        not_ok "align sample: residual" "got: $(field "$out" 2 11) / $(field "$out" 2 12)"
    fi
    run align --model homography "$base" "$later"
    expect_rc "align --model homography: exits 0" 0
    expect_eq "align --model homography: model column" homography \
        "$(field "$out" 2 13)"
    run info "$tmp/aligned.png" "$tmp/check.jpg"
    expect_rc "align -o and --overlay: both files readable" 0
    expect_eq "aligned image: reference size with alpha" "1200,900,4" \
        "$(field "$out" 2 4),$(field "$out" 2 5),$(field "$out" 2 6)"
    expect_eq "overlay: reference size, RGB" "1200,900,3" \
        "$(field "$out" 3 4),$(field "$out" 3 5),$(field "$out" 3 6)"

    usage_error "align -o with an unknown image type (before any work)" \
        align "$base" "$later" -o "$tmp/aligned.tif"
    usage_error "align --overlay with an unknown image type" \
        align "$base" "$later" --overlay "$tmp/check.gif"
    run align --translation-only "$later" "$later" --csv "$tmp/self.csv"
    expect_rc "align a photo with itself: exits 0" 0
    expect_eq "align with itself: shift below 0.001 px" "ok,1,1" \
        "$(cut -d, -f3,5,6 "$tmp/self.csv" | sed -n 2p |
            awk -F, '{ x = $2 < 0 ? -$2 : $2; y = $3 < 0 ? -$3 : $3
                       printf "%s,%d,%d", $1, x < 0.001, y < 0.001 }')"

    run align "$base" "$good"
    expect_rc "align to an unrelated picture: exits 1" 1
    expect_eq "align to an unrelated picture: low_confidence" \
        low_confidence "$(field "$out" 2 3)"
    field "$out" 2 4 >"$tmp/why.txt"
    expect_has "align to an unrelated picture: the cause in error" \
        "$tmp/why.txt" "confidence"
    expect_has "align to an unrelated picture: stderr says why" "$err" \
        "below"

    run align "$base" "$files/missing.jpg"
    expect_rc "align to a missing file: exits 1" 1
    expect_eq "align to a missing file: status error" error \
        "$(field "$out" 2 3)"
    expect_has "align to a missing file: stderr names it" "$err" \
        "missing.jpg"
else
    skip "no sample course to align"
fi
run align "$good"
expect_rc "align with one image: usage error" 2
run align --model perspective "$good" "$good"
expect_rc "align --model perspective: usage error" 2
expect_has "align --model perspective: names the choices" "$err" \
    "similarity, affine, homography or auto"
run align --max-rotation abc "$good" "$good"
expect_rc "align --max-rotation abc: usage error" 2
run align --max-scale 0.5 "$good" "$good"
expect_rc "align --max-scale 0.5: usage error" 2


# ---- metrics ----
if [ -f "$base" ]; then
    run metrics "$base" --roi 300,100,800,700 -o "$tmp/m.csv"
    expect_rc "metrics sample: exits 0" 0
    hdr=$(line "$tmp/m.csv" 1)
    for col in file status error \
        $("$SKINTRACK" info --metrics | awk -F, 'NR > 1 { print $1 }'); do
        case ",$hdr," in
        *",$col,"*) ok "metrics header has $col" ;;
        *) not_ok "metrics header has $col" "header: $hdr" ;;
        esac
    done
    expect_eq "metrics sample: status ok" ok "$(field "$tmp/m.csv" 2 2)"
    expect_eq "metrics: uncalibrated density per cm2 is empty" "" \
        "$(named "$tmp/m.csv" 2 pore_density_per_cm2)"
    # the sample's pores are 6.0 px across at baseline (truth file)
    if close "$(named "$tmp/m.csv" 2 pore_mean_diameter_px)" 6.0 0.6; then
        ok "metrics sample: pore diameter near the truth 6.0 px"
    else
        not_ok "metrics sample: pore diameter near 6.0 px" \
            "got $(named "$tmp/m.csv" 2 pore_mean_diameter_px)"
    fi
    run metrics "$base" --px-per-mm 20 --roi 300,100,800,700
    expect_rc "metrics calibrated: exits 0" 0
    if close "$(named "$out" 2 pore_mean_diameter_mm)" 0.3 0.03; then
        ok "metrics calibrated: diameter 6 px = 0.3 mm at 20 px/mm"
    else
        not_ok "metrics calibrated: diameter in mm" "got $(named "$out" 2 pore_mean_diameter_mm)"
    fi
    # --pore-list: one row per pore, as many as pore_count
    run metrics "$base" --roi 300,100,800,700 --px-per-mm 20 \
        --pore-list "$tmp/pores.csv"
    expect_rc "metrics --pore-list: exits 0" 0
    expect_eq "metrics --pore-list: header" \
        "file,x_px,y_px,diameter_px,diameter_mm,depth,significance" \
        "$(line "$tmp/pores.csv" 1)"
    expect_eq "metrics --pore-list: a row per pore (pore_count)" \
        "$(named "$out" 2 pore_count)" "$(($(wc -l <"$tmp/pores.csv") - 1))"
    "$BUILD/tests/rfc4180" "$tmp/pores.csv" >/dev/null 2>&1 &&
        ok "metrics --pore-list: RFC 4180" ||
        not_ok "metrics --pore-list: RFC 4180"
    # every pore lies inside the region and is 0.05..0.5 mm (default range)
    bad=$(awk -F, 'NR > 1 && ($2 < 300 || $2 >= 1100 || $3 < 100 ||
        $3 >= 800 || $5 < 0.05 || $5 > 0.5 ||
        ($4 / 20 - $5) > 1e-6 || ($5 - $4 / 20) > 1e-6)' "$tmp/pores.csv" |
        wc -l)
    expect_eq "metrics --pore-list: inside the region, in range, mm = px / 20" \
        0 "$bad"
    run metrics "$base" --white-balance patch:150,660,80,80 \
        --roi 300,100,800,700
    expect_rc "metrics --white-balance patch: exits 0" 0
    run metrics "$base" --roi 1000,800,400,400
    expect_rc "metrics --roi outside the photo: exits 1" 1
    expect_eq "metrics --roi outside the photo: status error" error \
        "$(field "$out" 2 2)"
    if [ -f "$tmp/aligned.png" ]; then
        run metrics "$base" --mask "$tmp/aligned.png"
        expect_rc "metrics --mask (an aligned image's coverage): exits 0" 0
    fi
fi
run metrics --roi 1,2,3 "$good"
expect_rc "metrics --roi 1,2,3: usage error" 2
run metrics --roi 1,2,-3,4 "$good"
expect_rc "metrics --roi with a negative size: usage error" 2
run metrics --white-balance sepia "$good"
expect_rc "metrics --white-balance sepia: usage error" 2
run metrics --px-per-mm 0 "$good"
expect_rc "metrics --px-per-mm 0: usage error" 2


# ---- compare ----
follow=$ROOT/samples/demo-patient/2026-07-06.jpg
if [ -f "$base" ] && [ -f "$follow" ]; then
    run compare "$base" "$follow" --roi 300,100,800,700 -o "$tmp/c.csv"
    expect_rc "compare sample: exits 0" 0
    expect_eq "compare: long header" \
        "before_file,after_file,status,error,metric,unit,before,after,delta,pct_change,align_confidence,overlap_pct,align_dx_px,align_dy_px,align_rotation_deg,align_scale,align_residual_px,align_residual_p95_px,align_model,h00,h01,h02,h10,h11,h12,h20,h21,h22,calibration_before,calibration_after,light_flag" \
        "$(line "$tmp/c.csv" 1)"
    expect_eq "compare: one row per numeric metric (24) plus the header" 25 \
        "$(wc -l <"$tmp/c.csv" | tr -d ' ')"
    run compare "$base" "$follow" --roi 300,100,800,700 \
        --pore-list "$tmp/cpores.csv" -o "$tmp/c2.csv"
    expect_rc "compare --pore-list: exits 0" 0
    expect_eq "compare --pore-list: header" \
        "file,x_px,y_px,diameter_px,diameter_mm,depth,significance,baseline_x_px,baseline_y_px" \
        "$(line "$tmp/cpores.csv" 1)"
    nb=$(grep -c "2026-01-12" "$tmp/cpores.csv")
    na=$(grep -c "2026-07-06" "$tmp/cpores.csv")
    expect_eq "compare --pore-list: the before photo's rows (pore_count)" \
        "$(awk -F, '$5 == "pore_count" { print $7 }' "$tmp/c2.csv")" "$nb"
    expect_eq "compare --pore-list: the after photo's rows (pore_count)" \
        "$(awk -F, '$5 == "pore_count" { print $8 }' "$tmp/c2.csv")" "$na"
    # the baseline's own pores sit where they are
    bad=$(awk -F, '/2026-01-12/ && ($2 != $8 || $3 != $9)' \
        "$tmp/cpores.csv" | wc -l)
    expect_eq "compare --pore-list: baseline positions of the baseline" 0 "$bad"
    # the truth file: pores 6.0 px at baseline, 4.8 px at follow-up (-20%)
    got=$(grep ',pore_mean_diameter_px,' "$tmp/c.csv" | cut -d, -f10)
    if close "$got" -20 5; then
        ok "compare sample: pore diameter change $got% near the truth -20%"
    else
        not_ok "compare sample: pore diameter change near -20%" "got $got"
    fi
    expect_eq "compare long: no text metric in the value columns" 0 \
        "$(grep -c ',ita_category,' "$tmp/c.csv")"
    # a* has an arbitrary zero: a delta but no percentage; pores have both
    got=$(grep ',a_star_mean,' "$tmp/c.csv" | cut -d, -f9-10)
    case "$got" in
    ?*,) ok "compare: a_star_mean has delta, no pct_change ($got)" ;;
    *) not_ok "compare: a_star_mean has delta, no pct_change" "got $got" ;;
    esac
    got=$(grep ',pore_count,' "$tmp/c.csv" | cut -d, -f10)
    case "$got" in
    ?*) ok "compare: pore_count has a pct_change ($got)" ;;
    *) not_ok "compare: pore_count has a pct_change" "empty" ;;
    esac
    run compare --layout wide "$base" "$follow" --roi 300,100,800,700
    expect_rc "compare --layout wide: exits 0" 0
    expect_eq "compare --layout wide: header and one row" 2 \
        "$(wc -l <"$out" | tr -d ' ')"
    case ",$(line "$out" 1)," in
    *,pore_mean_diameter_px_pct_change,*) ok "compare wide: METRIC_pct_change columns" ;;
    *) not_ok "compare wide: METRIC_pct_change columns" "$(line "$out" 1)" ;;
    esac
    # a reference region: the _rel rows appear, and the region against
    # itself differs by 0 in every unit
    run compare "$base" "$follow" --roi 300,100,800,700 \
        --reference-region 300,100,800,700
    expect_rc "compare --reference-region: exits 0" 0
    expect_eq "compare --reference-region: 4 _rel rows" 4 \
        "$(grep -c '_rel,' "$out")"
    got=$(grep ',a_star_rel,' "$out" | cut -d, -f7)
    if close "$got" 0 1e-9; then ok "a_star_rel of the region against itself: $got"
    else not_ok "a_star_rel of the region against itself is 0" "got $got"; fi
    run compare "$base" "$follow" --reference-region face:forehead
    expect_rc "--reference-region face:forehead (a zone is no reference): usage" 2
    # threads change the speed, not one byte of the result
    run compare --jobs 1 "$base" "$follow" --roi 300,100,800,700
    cp "$out" "$tmp/c1.csv"
    run compare --jobs 3 --timing "$base" "$follow" --roi 300,100,800,700
    expect_rc "compare --jobs 3 --timing: exits 0" 0
    if cmp -s "$tmp/c1.csv" "$out"; then
        ok "compare: --jobs 1 and --jobs 3 write the same CSV"
    else
        not_ok "compare: --jobs 1 and --jobs 3 write the same CSV" \
            "$(diff "$tmp/c1.csv" "$out" | head -4)"
    fi
    expect_lines "compare --timing: one line on stderr" "$err" 1
    # eight stages and the total, each printed to 1 ms: their rounding
    # alone moves the sum against the total by up to 9 x 0.0005 s
    if grep -E '^skintrack: timing \(s\): decode [0-9.]+ region [0-9.]+ registration [0-9.]+ warp [0-9.]+ colour [0-9.]+ pores [0-9.]+ texture [0-9.]+ output [0-9.]+ total [0-9.]+$' "$err" >/dev/null &&
        awk '{ s = 0; for (i = 4; i < NF - 1; i += 2) s += $(i + 1);
               d = s - $NF; exit !(d <= 0.0046 && d >= -0.0046 && $NF > 0) }' "$err"; then
        ok "compare --timing: every stage, and they add up to the total"
    else
        not_ok "compare --timing: every stage, adding up" "$(show "$err")"
    fi
    run metrics --jobs 2 --timing "$base"
    expect_rc "metrics --jobs 2 --timing: exits 0" 0
    expect_has "metrics --timing: the stage line" "$err" "timing (s): decode"
    run compare "$base" "$good"
    expect_rc "compare with an unrelated picture: exits 1" 1
    expect_eq "compare with an unrelated picture: low_confidence" \
        low_confidence "$(field "$out" 2 3)"
    run compare "$base" "$files/missing.jpg"
    expect_rc "compare with a missing file: exits 1" 1
    expect_eq "compare with a missing file: status error" error \
        "$(field "$out" 2 3)"
fi
run compare "$good"
expect_rc "compare with one image: usage error" 2
run compare --layout tall "$good" "$good"
expect_rc "compare --layout tall: usage error" 2
usage_error "compare --jobs 0" compare --jobs 0 "$good" "$good"
usage_error "metrics --jobs 1.5" metrics --jobs 1.5 "$good"


# ---- the sample's truth numbers sessions and phases as course does ----
if [ -f "$truth" ]; then
    run course -q --layout wide -o "$tmp/sample-wide.csv" "$ROOT/samples/demo-patient"
    expect_eq "sample truth: sessions as course numbers them" \
        "$(awk -F, 'NR > 1 { print $3 }' "$truth" | paste -sd, -)" \
        "$(awk -F, 'NR > 1 { print $3 }' "$tmp/sample-wide.csv" | paste -sd, -)"
    expect_eq "sample truth: phases as course gives them" \
        "$(awk -F, 'NR > 1 { print $4 }' "$truth" | paste -sd, -)" \
        "$(awk -F, 'NR > 1 { print $8 }' "$tmp/sample-wide.csv" | paste -sd, -)"
fi

# ---- skin mask and overlays ----
if [ -f "$base" ] && [ -f "$follow" ]; then
    run metrics --skin-mask auto "$base"
    expect_rc "metrics --skin-mask auto: exits 0" 0
    # the sample is all skin but its 120 x 120 grey card
    px=$(field "$out" 2 "$(line "$out" 1 | tr , '\n' | grep -n '^region_px$' | cut -d: -f1)")
    if close "$px" 1065600 3000; then
        ok "skin mask leaves out the grey card only ($px px)"
    else
        not_ok "skin mask leaves out the grey card only" "region_px $px"
    fi
    mkdir "$tmp/ov"
    run metrics --overlay "$tmp/ov" "$base"
    expect_rc "metrics --overlay: exits 0" 0
    run info "$tmp/ov/2026-01-12-pores.png" "$tmp/ov/2026-01-12-redness.png"
    expect_rc "metrics --overlay: pore map and redness map readable" 0
    run compare --overlay "$tmp/ov" "$base" "$follow" --roi 300,100,800,700
    expect_rc "compare --overlay: exits 0" 0
    for f in before-2026-01-12-pores after-2026-07-06-pores \
        before-2026-01-12-redness after-2026-07-06-redness; do
        if [ -s "$tmp/ov/$f.png" ]; then
            ok "compare --overlay wrote $f.png"
        else
            not_ok "compare --overlay wrote $f.png"
        fi
    done
    usage_error "metrics --overlay into a missing folder" \
        metrics --overlay "$tmp/no/such/dir" "$base"
    # two photos named alike in two folders: neither overwrites the other
    mkdir -p "$tmp/two/a" "$tmp/two/b" "$tmp/ov2"
    cp "$base" "$tmp/two/a/base.jpg"
    cp "$follow" "$tmp/two/b/base.jpg"
    run metrics --overlay "$tmp/ov2" "$tmp/two/a/base.jpg" "$tmp/two/b/base.jpg"
    expect_rc "metrics --overlay, two base.jpg: exits 0" 0
    expect_eq "metrics --overlay, two base.jpg: four maps, names unique" \
        "a_base-pores.png a_base-redness.png b_base-pores.png b_base-redness.png" \
        "$(ls "$tmp/ov2" | paste -sd' ' -)"
    if cmp -s "$tmp/ov2/a_base-pores.png" "$tmp/ov2/b_base-pores.png"; then
        not_ok "metrics --overlay, two base.jpg: each map is of its own photo"
    else
        ok "metrics --overlay, two base.jpg: each map is of its own photo"
    fi
fi
run metrics --skin-mask maybe "$good"
expect_rc "metrics --skin-mask maybe: usage error" 2

# ---- colour targets: a chart and a card painted into the NASA portrait ----
astro=/usr/lib/python3/dist-packages/skimage/data/astronaut.png
chartimg=${BUILD:-build}/tests/chartimg
if [ -f "$astro" ] && [ -x "$chartimg" ]; then
    "$chartimg" "$astro" "$tmp/chart0.png" 2 chart 40 700 760 3
    "$chartimg" "$astro" "$tmp/chart1.png" 2 chart 30 300 800 93 \
        light 1.15 0 0 0 1 0 0 0 0.8 seed 2
    "$chartimg" "$astro" "$tmp/card.png" 2 card 700 700 160 110 0.3 \
        light 0.85 0 0 0 1 0 0 0 1.2
    "$chartimg" "$astro" "$tmp/bare.png" 1
    run chart "$tmp/chart0.png" "$tmp/chart1.png" "$tmp/bare.png"
    expect_rc "chart: a photo without a chart fails the run" 1
    expect_eq "chart: header" \
        "file,status,error,chart,patch,name,x_px,y_px,l_star,a_star,b_star,ref_l_star,ref_a_star,ref_b_star,delta_e00,clipped" \
        "$(line "$out" 1)"
    expect_eq "chart: 24 ok rows per chart" 48 "$(grep -c ',ok,' "$out")"
    expect_eq "chart: an error row for the bare photo" \
        "$tmp/bare.png,error,no colour chart found" \
        "$(grep 'bare.png,error,' "$out" | cut -d, -f1-3)"
    # patch 1 of the turned chart: its centre where the chart was painted
    # (30 px patches turned 93 degrees clockwise about 300,800: the chart
    # is 8.25 x 5.75 patches, dark skin's centre 1 patch in from its top
    # left corner, so at 300 + cos(93) (-93.75) - sin(93) (-56.25),
    # 800 + sin(93) (-93.75) + cos(93) (-56.25) = 361.1,709.3)
    got=$(grep "chart1.png,ok,,classic-2014,1," "$out" | cut -d, -f7-8)
    if close "${got%,*}" 361.1 3 && close "${got#*,}" 709.3 3; then
        ok "chart: patch 1 of a turned chart at its painted centre ($got)"
    else
        not_ok "chart: patch 1 of a turned chart at its painted centre" "got $got"
    fi
    mean=$(grep ',ok,' "$out" | awk -F, '{ s += $15; n++ } END { print s / n }')
    if close "$mean" 0 1; then ok "chart: mean CIEDE2000 after correction $mean"
    else not_ok "chart: mean CIEDE2000 after correction below 1" "got $mean"; fi
    run metrics --white-balance auto --roi 380,240,44,44 \
        "$tmp/chart0.png" "$tmp/card.png" "$tmp/bare.png"
    expect_rc "metrics --white-balance auto: exits 0" 0
    expect_eq "metrics auto: chart, card, none" "chart,card,none" \
        "$("${BUILD:-build}/tests/rfc4180" "$out" calibration | paste -sd, -)"
    run metrics --white-balance chart "$tmp/bare.png"
    expect_rc "metrics --white-balance chart without a chart: fails" 1
    printf 'CGATS.17\nBEGIN_DATA_FORMAT\nSAMPLE_ID LAB_L LAB_A LAB_B\nEND_DATA_FORMAT\nBEGIN_DATA\n1 50 0 0\nEND_DATA\n' >"$tmp/short.cie"
    usage_error "--chart-reference with 1 patch" chart \
        --chart-reference "$tmp/short.cie" "$tmp/chart0.png"
    usage_error "--white-balance card:2" metrics --white-balance card:2 \
        "$tmp/chart0.png"
    # compare: the same scene under a warmer light
    "$chartimg" "$astro" "$tmp/chart2.png" 2 chart 40 700 760 3 \
        light 1.15 0 0 0 1 0 0 0 0.8 seed 4
    run compare --layout wide --roi 380,240,44,44 "$tmp/chart0.png" "$tmp/chart2.png"
    expect_eq "compare: the warmer light flagged" "none,none,white_balance" \
        "$(line "$out" 2 | awk -F, '{ print $(NF - 2) "," $(NF - 1) "," $NF }')"
    run compare --layout wide --roi 380,240,44,44 --white-balance auto \
        "$tmp/chart0.png" "$tmp/chart2.png"
    expect_eq "compare auto: both corrected by the chart, the clipped white flagged" \
        "chart,chart,target_clipped" \
        "$(line "$out" 2 | awk -F, '{ print $(NF - 2) "," $(NF - 1) "," $NF }')"
fi

finish
