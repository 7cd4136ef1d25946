#!/bin/sh
# skintrack end-to-end tests of the HEIF/HEIC/AVIF, TIFF and camera raw
# readers through the program (POSIX sh).
#
#   SKINTRACK=build/skintrack BUILD=build sh tests/formats.sh
#
# A synthetic course (`skintrack synth`, JPEG) is turned into the same
# photos as HEIC (heif-enc, lossy), 16-bit TIFF and DNG (build/tests/imgconv:
# libtiff's writer; the DNG's CFA holds the photo's linear light, mosaicked)
# and `info`, `metrics`, `compare`, `course` and `report` run on them.
# Truth: the colour of a photo does not depend on the file it came in.
# The 16-bit TIFF holds the JPEG's samples to 1/65535, so its metrics equal
# the JPEG's to print precision; the HEIC is lossy (x265, quality 92) and the
# DNG is demosaiced, so their mean CIELAB over the photo moves by little:
# 0.1 for the HEIC and 0.05 for the DNG are a few times what was measured
# (0.002 and 0.005), far below the 1-unit shifts the course tracks. Pores
# and texture are not compared for the DNG: demosaicing makes fine detail
# of its own.

set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)

. "$ROOT/tests/shlib.sh"
RFC=$BUILD/tests/rfc4180
CONV=$BUILD/tests/imgconv

col() {
    "$RFC" "$1" "$2"
}

# close DESCRIPTION A_FILE B_FILE COLUMN TOL: row by row, the numbers of
# COLUMN in two CSVs differ by at most TOL.
close() {
    col "$2" "$4" >"$tmp/a.col"
    col "$3" "$4" >"$tmp/b.col"
    if [ -s "$tmp/a.col" ] &&
        paste -d' ' "$tmp/a.col" "$tmp/b.col" | awk -v t="$5" '
            NF != 2 || $1 == "" || $2 == "" { bad = 1 }
            { d = $1 - $2; if (d < 0) d = -d; if (d > t) bad = 1 }
            END { exit bad }'; then
        ok "$1 ($4 within $5)"
    else
        not_ok "$1 ($4 within $5)" "$(paste -d' ' "$tmp/a.col" "$tmp/b.col" | head -5)"
    fi
}

if ! command -v heif-enc >/dev/null 2>&1; then
    skip "heif-enc (libheif-examples) not installed: no HEIC course"
    have_heif=0
else
    have_heif=1
fi

# ---- the same course in four formats ----
c=$tmp/jpeg
run synth -q --out "$c" --width 480 --sessions 2 --post-days 2 --followup 90
expect_rc "synth: exits 0" 0
rm -f "$c/truth.csv"
mkdir "$tmp/heic" "$tmp/tiff" "$tmp/dng"
# an EXIF date in the first photo, which heif-enc carries into the HEIC
exiftool -q -overwrite_original -DateTimeOriginal="2026:01:12 10:00:00" \
    -OffsetTimeOriginal=+01:00 "$c/2026-01-12.jpg" ||
    not_ok "exiftool writes the date"
for f in "$c"/*.jpg; do
    b=$(basename "$f" .jpg)
    if [ "$have_heif" = 1 ]; then
        heif-enc -q 92 "$f" -o "$tmp/heic/$b.HEIC" >/dev/null 2>&1 ||
            not_ok "heif-enc $b"
    fi
    "$CONV" tiff16 "$f" "$tmp/tiff/$b.Tif" || not_ok "imgconv tiff16 $b"
    "$CONV" dng "$f" "$tmp/dng/$b.dng" || not_ok "imgconv dng $b"
done
one=$(ls "$c"/*.jpg | head -1)
b1=$(basename "$one" .jpg)

# ---- info ----
run info "$tmp/tiff/$b1.Tif" "$tmp/dng/$b1.dng"
expect_rc "info on TIFF and DNG: exits 0" 0
expect_eq "info: TIFF format" tiff "$(field "$out" 2 11)"
expect_eq "info: TIFF 16 bits" 16 "$(field "$out" 2 7)"
expect_eq "info: TIFF one page" 1 "$(field "$out" 2 12)"
expect_eq "info: DNG format" raw "$(field "$out" 3 11)"
expect_eq "info: DNG names the camera" "Skintrack Phantom CFA" \
    "$(field "$out" 3 13)"
expect_eq "info: DNG colour from the camera matrix" \
    "camera matrix to linear sRGB, white balance as shot" "$(field "$out" 3 9)"
if [ "$have_heif" = 1 ]; then
    run info "$tmp/heic/$b1.HEIC"
    expect_rc "info on HEIC: exits 0" 0
    expect_eq "info: HEIC format" heif "$(field "$out" 2 11)"
    expect_eq "info: HEIC keeps the JPEG's EXIF date" \
        "2026-01-12T10:00:00+01:00" "$(field "$out" 2 10)"
fi
run info --formats
expect_rc "info --formats: exits 0" 0
expect_has "info --formats lists camera raw" "$out" ".dng .cr2 .cr3"
expect_has "info --formats lists HEIF" "$out" ".heic .heif .hif .avif"

# ---- metrics: the same colour whatever the file ----
run metrics -o "$tmp/m-jpeg.csv" "$c"/*.jpg
expect_rc "metrics on JPEG: exits 0" 0
run metrics -o "$tmp/m-tiff.csv" "$tmp"/tiff/*.Tif
expect_rc "metrics on TIFF: exits 0" 0
run metrics -o "$tmp/m-dng.csv" "$tmp"/dng/*.dng
expect_rc "metrics on DNG: exits 0" 0
for m in l_star_mean a_star_mean b_star_mean erythema_index pore_count \
    texture_fine_share; do
    close "metrics: 16-bit TIFF as the JPEG" "$tmp/m-jpeg.csv" \
        "$tmp/m-tiff.csv" $m 0.001
done
for m in l_star_mean a_star_mean b_star_mean; do
    close "metrics: DNG as the JPEG" "$tmp/m-jpeg.csv" "$tmp/m-dng.csv" $m 0.05
done
if [ "$have_heif" = 1 ]; then
    run metrics -o "$tmp/m-heic.csv" "$tmp"/heic/*.HEIC
    expect_rc "metrics on HEIC: exits 0" 0
    for m in l_star_mean a_star_mean b_star_mean; do
        close "metrics: HEIC as the JPEG" "$tmp/m-jpeg.csv" "$tmp/m-heic.csv" \
            $m 0.1
    done
fi

# ---- compare and course over folders of each format ----
last=$(ls "$tmp"/dng/*.dng | tail -1)
run compare "$tmp/dng/$b1.dng" "$last"
expect_rc "compare two DNGs: exits 0" 0
run course -q --layout wide -o "$tmp/c-jpeg.csv" "$c"
expect_rc "course over JPEGs: exits 0" 0
n=$(col "$tmp/c-jpeg.csv" file | wc -l | tr -d ' ')
for f in tiff dng heic; do
    [ "$f" = heic ] && [ "$have_heif" = 0 ] && continue
    run course -q --layout wide -o "$tmp/c-$f.csv" "$tmp/$f"
    expect_rc "course over a folder of $f (any letter case): exits 0" 0
    expect_eq "course over $f: every photo found" "$n" \
        "$(col "$tmp/c-$f.csv" file | wc -l | tr -d ' ')"
    expect_eq "course over $f: every photo ok" "" \
        "$(col "$tmp/c-$f.csv" status | grep -v '^ok$')"
    expect_eq "course over $f: same phases" "$(col "$tmp/c-jpeg.csv" phase)" \
        "$(col "$tmp/c-$f.csv" phase)"
done
close "course: DNG a* as the JPEG's" "$tmp/c-jpeg.csv" "$tmp/c-dng.csv" \
    a_star_mean 0.05
close "course: TIFF L* as the JPEG's" "$tmp/c-jpeg.csv" "$tmp/c-tiff.csv" \
    l_star_mean 0.001

# ---- report over a folder of DNGs (the page is written) ----
run report -q -o "$tmp/r.html" "$tmp/dng"
expect_rc "report over DNGs: exits 0" 0
if [ -s "$tmp/r.html" ]; then ok "report: page written"; else
    not_ok "report: page written"; fi

# ---- a folder with no photo lists what it looks for ----
mkdir "$tmp/none"
echo text >"$tmp/none/notes.txt"
run course -q "$tmp/none"
expect_rc "course over a folder without photos: exits 1" 1
expect_has "no photos: the extensions are listed" "$out" ".heic .heif"
expect_has "no photos: raw extensions too" "$out" ".dng .cr2"

finish
