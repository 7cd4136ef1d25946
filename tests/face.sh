#!/bin/sh
# skintrack face end-to-end tests (POSIX sh).
#
#   SKINTRACK=build/skintrack BUILD=build sh tests/face.sh
#
# --regions face and --skin-mask face on public-domain portraits that
# Debian ships (matplotlib's grace_hopper, scikit-image's astronaut;
# TEST_PKGS installs them; the checks that need one skip without it):
# five zone rows per photo in anatomical order (forehead above nose above
# chin, the subject's right cheek on the image's left), one error row for
# a photo without a face and for a missing model, compare and course by
# zone, usage errors; and PNG alpha: transparent pixels are outside the
# region (an RGBA PNG written here with Python's zlib, no image library).

set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)

. "$ROOT/tests/shlib.sh"
RFC=$BUILD/tests/rfc4180

hopper=/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg
astronaut=/usr/lib/python3/dist-packages/skimage/data/astronaut.png
noface=$ROOT/samples/demo-patient/2026-01-12.jpg

# col FILE COLUMN: the column's values, one per data record.
col() {
    "$RFC" "$1" "$2"
}

# lt DESCRIPTION A B: A < B (numbers).
lt() {
    if awk -v a="$2" -v b="$3" 'BEGIN { exit !(a != "" && b != "" && a + 0 < b + 0) }'
    then
        ok "$1 ($2 < $3)"
    else
        not_ok "$1" "$2 is not below $3"
    fi
}

# value FILE ZONE COLUMN: COLUMN of ZONE's row of a metrics CSV.
value() {
    col "$1" region >"$tmp/zcol"
    col "$1" "$3" >"$tmp/vcol"
    paste -d' ' "$tmp/zcol" "$tmp/vcol" | awk -v z="$2" '$1 == z { print $2 }'
}

if [ -r "$hopper" ]; then
    run metrics --regions face -o "$tmp/h.csv" "$hopper"
    expect_rc "metrics --regions face grace_hopper: exits 0" 0
    expect_eq "five zone rows and the header (3 + every metric + 4 region + 7 calibration columns)" \
        "6 $((14 + $(metrics_count)))" "$("$RFC" "$tmp/h.csv")"
    expect_eq "zones in order" "forehead cheek_left cheek_right nose chin" \
        "$(col "$tmp/h.csv" region | tr '\n' ' ' | sed 's/ $//')"
    expect_eq "every zone ok" "ok ok ok ok ok" \
        "$(col "$tmp/h.csv" status | tr '\n' ' ' | sed 's/ $//')"
    # the colour options with the zones: each zone calibrated as asked;
    # a reference region is refused (it is not mapped per zone)
    run metrics --regions face --white-balance grayworld -o "$tmp/hg.csv" "$hopper"
    expect_eq "--white-balance grayworld: every zone calibrated so" \
        "grayworld grayworld grayworld grayworld grayworld" \
        "$(col "$tmp/hg.csv" calibration | tr '\n' ' ' | sed 's/ $//')"
    run metrics --regions face --white-balance chart -o "$tmp/hc.csv" "$hopper"
    expect_rc "--white-balance chart, no chart in the portrait: exits 1" 1
    expect_eq "--white-balance chart, no chart: an error row per zone" \
        "error error error error error" \
        "$(col "$tmp/hc.csv" status | tr '\n' ' ' | sed 's/ $//')"
    for cmd in metrics compare course; do
        run $cmd --regions face --reference-region 1,1,10,10 "$hopper" "$hopper"
        expect_rc "$cmd --regions face --reference-region: usage" 2
    done
    lt "forehead above the nose" "$(value "$tmp/h.csv" forehead region_cy_px)" \
        "$(value "$tmp/h.csv" nose region_cy_px)"
    lt "nose above the chin" "$(value "$tmp/h.csv" nose region_cy_px)" \
        "$(value "$tmp/h.csv" chin region_cy_px)"
    lt "subject's right cheek left of the nose" \
        "$(value "$tmp/h.csv" cheek_right region_cx_px)" \
        "$(value "$tmp/h.csv" nose region_cx_px)"
    lt "nose left of the subject's left cheek" \
        "$(value "$tmp/h.csv" nose region_cx_px)" \
        "$(value "$tmp/h.csv" cheek_left region_cx_px)"
    lt "a zone holds pixels" 100 "$(value "$tmp/h.csv" chin region_px)"

    # a photo without a face, and the batch goes on
    run metrics --regions face "$noface" "$hopper"
    expect_rc "no face in one photo: exits 1" 1
    expect_eq "no face: one error row, then five rows" 7 \
        "$(count_lines "$out")"
    expect_eq "no face: the cause" "no face found" "$(field "$out" 2 3)"
    expect_has "no face: stderr names the file" "$err" "$noface: no face found"

    # the model: a missing file, by option and by environment
    run metrics --regions face --face-model "$tmp/none.dat" "$hopper"
    expect_rc "missing model: exits 1" 1
    expect_has "missing model: the row names the model" "$out" \
        "face model $tmp/none.dat: No such file or directory"
    expect_eq "missing model: one stderr line" 1 "$(count_lines "$err")"
    out2=$(SKINTRACK_FACE_MODEL="$tmp/none.dat" "$SKINTRACK" metrics \
        --regions face "$hopper" 2>/dev/null)
    case $out2 in
    *"face model $tmp/none.dat"*) ok "SKINTRACK_FACE_MODEL overrides the default" ;;
    *) not_ok "SKINTRACK_FACE_MODEL overrides the default" "$out2" ;;
    esac

    # the face's skin as a region
    run metrics --skin-mask face -o "$tmp/s.csv" "$hopper"
    expect_rc "metrics --skin-mask face: exits 0" 0
    expect_eq "--skin-mask face: region face_skin" face_skin \
        "$(col "$tmp/s.csv" region)"
    lt "--skin-mask face: more than the zones" \
        "$(value "$tmp/h.csv" cheek_left region_px)" \
        "$(col "$tmp/s.csv" region_px)"

    # compare: the same photo on both sides changes nothing
    run compare --regions face -o "$tmp/c.csv" "$hopper" "$hopper"
    expect_rc "compare --regions face: exits 0" 0
    expect_eq "compare: numeric metrics x 5 zones and the header" \
        "$((5 * $(metrics_count numeric) + 1)) 38" \
        "$("$RFC" "$tmp/c.csv")"
    expect_eq "compare: zone pixels the same in both" "" \
        "$(paste -d, "$(col "$tmp/c.csv" before_region_px >"$tmp/b"; echo "$tmp/b")" \
            "$(col "$tmp/c.csv" after_region_px >"$tmp/a"; echo "$tmp/a")" |
            awk -F, '$1 != $2')"
    expect_eq "compare: no a* change on the same photo" "0 0 0 0 0" \
        "$(awk -F, 'NR > 1 && $5 == "a_star_mean" { printf "%s ", $9 }' \
            "$tmp/c.csv" | sed 's/ $//')"

    # course: rows per zone, the region column says which
    mkdir -p "$tmp/alice"
    cp "$hopper" "$tmp/alice/2026-01-05.jpg"
    cp "$hopper" "$tmp/alice/2026-02-02.jpg"
    run course --regions face -o "$tmp/k.csv" "$tmp/alice"
    expect_rc "course --regions face: exits 0" 0
    expect_eq "course: regions" "cheek_left cheek_right chin forehead nose" \
        "$(col "$tmp/k.csv" region | LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//')"
    expect_eq "course: 2 photos x 5 zones x the numeric metrics" \
        $((10 * $(metrics_count numeric))) \
        "$(col "$tmp/k.csv" region | wc -l | tr -d ' ')"

    # the report: the baseline with its zones, then a section per zone
    run report --regions face -o "$tmp/r.html" "$tmp/alice"
    expect_rc "report --regions face: exits 0" 0
    expect_has "report: the zones figure" "$tmp/r.html" \
        "alice — face zones on the baseline"
    expect_eq "report: a section per zone" 5 \
        "$(grep -c '<section class="course"' "$tmp/r.html")"
    expect_has "report: the cheek_left section" "$tmp/r.html" \
        "<h2>alice — cheek_left</h2>"

    # --overlay: the zones outlined, one picture per photo
    mkdir "$tmp/ov"
    run metrics --regions face --overlay "$tmp/ov" "$hopper"
    expect_rc "metrics --regions face --overlay: exits 0" 0
    if [ -s "$tmp/ov/grace_hopper-zones.png" ]; then
        ok "--overlay writes NAME-zones.png"
    else
        not_ok "--overlay writes NAME-zones.png" "$(ls "$tmp/ov")"
    fi

    usage_error "--regions with --roi" metrics --regions face --roi 1,1,9,9 "$hopper"
else
    skip "grace_hopper.jpg not installed (python3-matplotlib)"
fi
usage_error "--regions bogus" metrics --regions bogus "$noface"
usage_error "--skin-mask bogus" metrics --skin-mask bogus "$noface"

if [ -r "$astronaut" ]; then
    # a small face (eyes 43 px apart): zones too small for the texture
    # spectrum get an error row of their own, the others are measured
    run metrics --regions face -o "$tmp/a.csv" "$astronaut"
    expect_rc "astronaut: some zones too small: exits 1" 1
    expect_eq "astronaut: five rows all the same" 6 "$(count_lines "$tmp/a.csv")"
    expect_eq "astronaut: both cheeks measured" "ok ok" \
        "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i } $h["region"] == "cheek_left" || $h["region"] == "cheek_right" { printf "%s ", $2 }' \
            "$tmp/a.csv" | sed 's/ $//')"
else
    skip "astronaut.png not installed (python3-skimage)"
fi

# ---- PNG alpha: transparent pixels are outside the region ----
# 64 x 48 RGBA, skin-coloured, alpha 0 on columns 0-31 and 255 on 32-63
python3 - "$tmp/alpha.png" <<'PY'
import struct, sys, zlib
w, h = 64, 48
raw = b"".join(b"\0" + b"".join(bytes((200, 150, 120, 0 if x < 32 else 255))
                                 for x in range(w)) for y in range(h))
def chunk(t, d):
    c = struct.pack(">I", len(d)) + t + d
    return c + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
PY
run metrics -o "$tmp/al.csv" "$tmp/alpha.png"
expect_rc "RGBA PNG: exits 0" 0
expect_eq "RGBA PNG: only the opaque half measured" 1536 \
    "$(col "$tmp/al.csv" region_px)"
expect_eq "RGBA PNG: centroid of columns 32-63" 47.5 \
    "$(col "$tmp/al.csv" region_cx_px)"

finish
