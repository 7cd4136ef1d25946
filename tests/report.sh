#!/bin/sh
# skintrack report tests (POSIX sh), in a real browser.
#
#   SKINTRACK=build/skintrack BUILD=build sh tests/report.sh
#
# Writes reports of the sample course, of several subjects (one named with
# <&"> in it), of a course with a corrupt and an unrelated photo and of a
# 20-photo synthetic course, and opens them in headless Chromium (Debian's
# chromium package; `make test` installs it): the page must load with no
# console message and no network request, its script must run to the end,
# the DOM must hold the charts, photos and maps the course calls for, and
# a screenshot must show photos, not a blank page. The harness is first
# shown a page with a script error and an outside image, to prove it sees
# both. Without Chromium the browser checks skip, unless
# SKINTRACK_REQUIRE_BROWSER=1 (CI), when they fail.

set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SAMPLES=$ROOT/samples/demo-patient

. "$ROOT/tests/shlib.sh"
IMGSTAT=$BUILD/tests/imgstat

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser ||
    true)}
have_browser=0
if [ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ]; then
    have_browser=1
elif [ "${SKINTRACK_REQUIRE_BROWSER:-0}" = 1 ]; then
    not_ok "Chromium is installed (make deps-test installs it)"
fi

# browse FILE NAME [ARGS...]: loads FILE in headless Chromium with a fresh
# profile; the DOM after the scripts ran goes to $tmp/NAME.dom, the
# browser's log (console messages included) to $tmp/NAME.log and its
# network log to $tmp/NAME.net.
browse() {
    file=$1
    name=$2
    shift 2
    rm -rf "$tmp/profile"
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
        --disable-background-networking --user-data-dir="$tmp/profile" \
        --enable-logging=stderr --v=0 --log-net-log="$tmp/$name.net" \
        "$@" "file://$file" >"$tmp/$name.dom" 2>"$tmp/$name.log"
    brc=$?
}

# console NAME: the console messages the page logged.
console() {
    grep 'CONSOLE' "$tmp/$1.log"
}

# requests NAME: URLs the page itself asked the network for (requests
# the browser makes for itself carry no file:// isolation key).
requests() {
    grep 'network_isolation_key":"file:' "$tmp/$1.net" |
        grep -o '"url":"[^"]*"'
}

# dom_count NAME PATTERN: occurrences of PATTERN (grep -E) in the DOM.
dom_count() {
    grep -o -E "$2" "$tmp/$1.dom" | wc -l | tr -d ' '
}

# clean_load NAME DESC: the page loaded, ran its script to the end, logged
# nothing and fetched nothing.
clean_load() {
    expect_eq "$2: browser exits 0" 0 "$brc"
    expect_eq "$2: the script ran to the end" 1 \
        "$(dom_count "$1" 'data-ready="1"')"
    if console "$1" >"$tmp/console"; then
        not_ok "$2: no console messages" "$(show "$tmp/console")"
    else
        ok "$2: no console messages"
    fi
    if requests "$1" >"$tmp/requests"; then
        not_ok "$2: no network requests" "$(show "$tmp/requests")"
    else
        ok "$2: no network requests"
    fi
}

# ---- the harness sees what it must ----
if [ "$have_browser" = 1 ]; then
    cat >"$tmp/bad.html" <<'EOF'
<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png">
<script>console.error("seen"); noSuchFunction();</script></body></html>
EOF
    browse "$tmp/bad.html" bad --dump-dom
    expect_eq "harness: a console error is seen" 2 \
        "$(console bad | wc -l | tr -d ' ')"
    expect_eq "harness: an outside request is seen" \
        '"url":"http://127.0.0.1:9/x.png"' "$(requests bad)"
fi

# ---- the sample course ----
run report --summary "$tmp/summary.csv" -o "$tmp/r.html" "$SAMPLES"
expect_rc "report of the sample course: exit 0" 0
expect_empty "report: nothing on stdout" "$out"
html=$tmp/r.html
expect_has "report: says it is not a diagnosis" "$html" "not a diagnosis"
expect_has "report: forbids the browser to fetch" "$html" \
    "default-src 'none'; img-src data:"
# every src/href is inline data or a link within the page
if grep -o -E '(src|href)="[^"]{0,12}' "$html" |
    grep -v -E '(src|href)="(data:|#)' >"$tmp/refs"; then
    not_ok "report: no outside references" "$(show "$tmp/refs")"
else
    ok "report: no outside references"
fi
size=$(wc -c <"$html" | tr -d ' ')
if [ "$size" -lt 2000000 ]; then
    ok "report: $size bytes for 5 photos (< 2 MB)"
else
    not_ok "report: under 2 MB for 5 photos" "got $size bytes"
fi
# one chart per metric the summary has a baseline value for
nmetrics=0
n=$(count_lines "$tmp/summary.csv")
i=2
while [ "$i" -le "$n" ]; do
    [ -n "$(field "$tmp/summary.csv" "$i" 7)" ] && nmetrics=$((nmetrics + 1))
    i=$((i + 1))
done
expect_eq "report: one chart per summary metric (HTML)" "$nmetrics" \
    "$(grep -o 'class="chart"' "$html" | wc -l | tr -d ' ')"

# the record of the run: version, command line, settings
expect_has "report: how it was made" "$html" "How this report was made"
expect_has "report: the command line" "$html" \
    "<code>skintrack report --summary $tmp/summary.csv -o $tmp/r.html $SAMPLES</code>"
expect_has "report: the settings (registration model)" "$html" \
    "<tr><td>registration_model</td><td>similarity (shift, rotation, scale)</td></tr>"
expect_has "report: the settings (white balance)" "$html" \
    "<tr><td>white_balance</td><td>none</td></tr>"

# repeatability bands: around the baseline, 1.96 sqrt(2) x the SD that
# docs/metrics.md measured (a_star_mean: CV 0.78%, melanin_index: SD 0.98),
# on every chart of a metric with a figure and on no other
# chart_of ID: the SVG of the chart with that id (tooltips span lines)
chart_of() {
    awk -v id="id=\"$1\"" '
    !on && index($0, id) { on = 1; $0 = substr($0, index($0, id)) }
    on { e = index($0, "</svg>"); if (e) { print substr($0, 1, e); exit } print }' "$html"
}
base_a=$(awk -F, '$3 == "a_star_mean" { print $7 }' "$tmp/summary.csv")
want=$(awk -v b="$base_a" 'BEGIN { printf "%.2g", 1.96 * sqrt(2) * 0.0078 * (b < 0 ? -b : b) }')
if chart_of c1-a_star_mean | grep -F ">repeatability ±$want<" >/dev/null; then
    ok "report: the band's label is in a_star_mean's own chart"
else
    not_ok "report: the band's label is in a_star_mean's own chart" "want ±$want"
fi
want=$(awk 'BEGIN { printf "%.2g", 1.96 * sqrt(2) * 0.98 }')
if chart_of c1-melanin_index | grep -F ">repeatability ±$want<" >/dev/null; then
    ok "report: melanin_index's band is 1.96 sqrt(2) x SD 0.98 ($want)"
else
    not_ok "report: melanin_index's band is 1.96 sqrt(2) x SD 0.98" "want ±$want"
fi
nbands=$(grep -o 'class="band"' "$html" | wc -l | tr -d ' ')
nnone=$(grep -o 'No repeatability figure has been measured' "$html" | wc -l | tr -d ' ')
expect_eq "report: a band or a note saying there is none, on every chart" \
    "$nmetrics" "$((nbands + nnone))"
chart_of c1-orientation_deg >"$tmp/orient.svg"
expect_has "report: orientation_deg has its chart" "$tmp/orient.svg" 'class="pt dot"'
if grep -F 'class="band"' "$tmp/orient.svg" >/dev/null; then
    not_ok "report: no band where no figure was measured (orientation_deg)"
else
    ok "report: no band where no figure was measured (orientation_deg)"
fi
if grep -F '>0 ± 0<' "$html" >/dev/null; then
    not_ok "report: no trend printed as 0 ± 0"
else
    ok "report: no trend printed as 0 ± 0"
fi

# the same numbers as course's CSV: course --report gives the CSV of a
# plain course run byte for byte, and the same report
run course -o "$tmp/plain.csv" "$SAMPLES"
run course --report "$tmp/r2.html" -o "$tmp/with.csv" "$SAMPLES"
expect_rc "course --report: exit 0" 0
if cmp -s "$tmp/plain.csv" "$tmp/with.csv"; then
    ok "course --report: the CSV is unchanged"
else
    not_ok "course --report: the CSV is unchanged"
fi
# but for the record of its own command line and options
sed '/<section class="run"/,/<\/section>/d' "$html" >"$tmp/r1.body"
sed '/<section class="run"/,/<\/section>/d' "$tmp/r2.html" >"$tmp/r2.body"
if cmp -s "$tmp/r1.body" "$tmp/r2.body" && ! cmp -s "$html" "$tmp/r2.html"; then
    ok "course --report and report write the same report (but the record of the run)"
else
    not_ok "course --report and report write the same report (but the record of the run)"
fi

if [ "$have_browser" = 1 ]; then
    browse "$html" sample --dump-dom
    clean_load sample "sample report"
    expect_eq "sample: charts" "$nmetrics" "$(dom_count sample '<svg[^>]* class="chart"')"
    expect_eq "sample: a photo per measured photo" 5 \
        "$(dom_count sample '<img class="photo"')"
    expect_eq "sample: before/after slider" 1 \
        "$(dom_count sample '<input class="slider"')"
    expect_eq "sample: the script put the baseline and a photo in it" 2 \
        "$(dom_count sample '<img class="(before|after) view"[^>]* src="data:image/jpeg')"
    expect_eq "sample: pore maps with rings" 5 \
        "$(dom_count sample '<svg class="map pores"')"
    expect_eq "sample: redness maps (not the baseline's)" 4 \
        "$(dom_count sample '<img class="map redness"')"
    expect_eq "sample: texture maps" 5 \
        "$(dom_count sample '<img class="map texture"')"
    expect_eq "sample: one photo's maps shown, the rest hidden" 4 \
        "$(dom_count sample 'class="maps" data-i="[0-9]+" hidden')"
    rings=$(dom_count sample '<circle cx="[0-9.]+" cy="[0-9.]+" r="[0-9.]+"')
    if [ "$rings" -gt 20 ]; then
        ok "sample: pores circled ($rings rings)"
    else
        not_ok "sample: pores circled" "got $rings rings"
    fi
    expect_eq "sample: one index row" 1 "$(dom_count sample 'href="#course-1"')"
    # ids are unique and every url(#id) finds its element (a legend's
    # gradient must not hide in another, hidden, map)
    dups=$(grep -o ' id="[^"]*"' "$tmp/sample.dom" | sort | uniq -d)
    expect_eq "sample: element ids are unique" "" "$dups"
    missing=
    for ref in $(grep -o 'url(#[^)]*)' "$tmp/sample.dom" | sed 's/url(#\(.*\))/\1/' | sort -u); do
        grep -q " id=\"$ref\"" "$tmp/sample.dom" || missing="$missing $ref"
    done
    expect_eq "sample: every url(#id) is defined" "" "$missing"

    browse "$html" shot --window-size=1200,1800 --screenshot="$tmp/shot.png"
    if [ -s "$tmp/shot.png" ] && stats=$("$IMGSTAT" "$tmp/shot.png"); then
        set -- $stats
        # a blank page has no spread of luma and nothing but background;
        # the photos make up a good part of the first screen
        if awk -v sd="$3" -v busy="$4" -v skin="$5" \
            'BEGIN { exit !(sd > 0.05 && busy > 10 && skin > 10) }'; then
            ok "screenshot is not blank (luma sd $3, $4% not background, $5% skin)"
        else
            not_ok "screenshot is not blank" "luma sd $3, $4% not background, $5% skin"
        fi
    else
        not_ok "screenshot written and readable"
    fi
else
    skip "browser checks of the sample report (no chromium)"
fi

# ---- many subjects, a hostile name, 1 and 2 photo courses ----
evil='<script>alert(1)</script> & "Co"'
{
    echo 'subject,region,date,path'
    for f in "$SAMPLES"/*.jpg; do
        d=$(basename "$f" .jpg)
        echo "\"$(printf '%s' "$evil" | sed 's/"/""/g')\",cheek,$d,$f"
    done
    echo "single,forehead,2026-01-12,$SAMPLES/2026-01-12.jpg"
    echo "pair,chin,2026-01-12,$SAMPLES/2026-01-12.jpg"
    echo "pair,chin,2026-07-06,$SAMPLES/2026-07-06.jpg"
} >"$tmp/many.csv"
run report -q -o "$tmp/many.html" "$tmp/many.csv"
expect_rc "report of 3 subjects: exit 0" 0
if grep -F '<script>alert(1)' "$tmp/many.html" >/dev/null; then
    not_ok "a subject's name is escaped"
else
    ok "a subject's name is escaped"
fi
expect_has "the escaped name is shown" "$tmp/many.html" \
    '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;'
if [ "$have_browser" = 1 ]; then
    browse "$tmp/many.html" many --dump-dom
    clean_load many "3-subject report"
    expect_eq "3 subjects: an index row each" 3 \
        "$(dom_count many '<a href="#course-[0-9]+">')"
    expect_eq "3 subjects: a section each" 3 \
        "$(dom_count many '<section class="course"')"
    expect_eq "3 subjects: only skintrack's script" 1 \
        "$(dom_count many '<script')"
    expect_eq "3 subjects: 5 + 1 + 2 photos" 8 \
        "$(dom_count many '<img class="photo"')"
else
    skip "browser checks of the 3-subject report (no chromium)"
fi

# ---- flags: a corrupt photo and an unrelated one ----
mkdir "$files/flagged"
cp "$SAMPLES"/2026-01-12.jpg "$SAMPLES"/2026-02-09.jpg "$files/flagged/"
head -c 20000 "$SAMPLES/2026-03-09.jpg" >"$files/flagged/2026-03-09.jpg"
"$SKINTRACK" synth --out "$tmp/other" --seed 99 --width 800 --sessions 1 \
    --post-days none >/dev/null 2>&1
cp "$(ls "$tmp"/other/*.jpg | head -n 1)" "$files/flagged/2026-04-06.jpg"
run report -o "$tmp/flagged.html" "$files/flagged"
expect_rc "report with a corrupt and an unrelated photo: exit 1" 1
expect_has "flags: the corrupt photo" "$tmp/flagged.html" \
    '<td>error</td><td>'
expect_has "flags: the unrelated photo" "$tmp/flagged.html" \
    '<td>low confidence</td>'
if [ "$have_browser" = 1 ]; then
    browse "$tmp/flagged.html" flagged --dump-dom
    clean_load flagged "flagged report"
    expect_eq "flagged: 3 photos shown (the corrupt one has none)" 3 \
        "$(dom_count flagged '<img class="photo"')"
    expect_eq "flagged: the unrelated photo drawn as a cross" 1 \
        "$(dom_count flagged 'class="pt cross"' | awk '{print ($1 > 0)}')"
fi

# ---- a 20-photo course ----
"$SKINTRACK" synth --out "$tmp/c20" --width 640 --sessions 5 \
    --post-days 1,2 --followup 60 -q >/dev/null 2>&1
n20=$(ls "$tmp"/c20/*.jpg | wc -l | tr -d ' ')
expect_eq "synthetic course of 16 photos" 16 "$n20"
cp "$(ls "$tmp"/c20/*.jpg | tail -n 1)" "$tmp/c20/2026-12-01.jpg"
cp "$(ls "$tmp"/c20/*.jpg | tail -n 1)" "$tmp/c20/2027-01-01.jpg"
cp "$(ls "$tmp"/c20/*.jpg | tail -n 1)" "$tmp/c20/2027-02-01.jpg"
cp "$(ls "$tmp"/c20/*.jpg | tail -n 1)" "$tmp/c20/2027-03-01.jpg"
run report -o "$tmp/c20.html" "$tmp/c20"
expect_rc "report of 20 photos: exit 0" 0
size=$(wc -c <"$tmp/c20.html" | tr -d ' ')
if [ "$size" -lt 8000000 ]; then
    ok "20 photos: $size bytes (< 8 MB)"
else
    not_ok "20 photos: under 8 MB" "got $size bytes"
fi
if [ "$have_browser" = 1 ]; then
    browse "$tmp/c20.html" c20 --dump-dom
    clean_load c20 "20-photo report"
    expect_eq "20 photos: all in the strip" 20 \
        "$(dom_count c20 '<img class="photo"')"
    expect_eq "20 photos: post-treatment points drawn as rings" 1 \
        "$(dom_count c20 'class="pt ring"' | awk '{print ($1 > 0)}')"
    expect_eq "20 photos: 5 sessions marked on a chart" 5 \
        "$(sed -n 's/.*<svg[^>]*id="c1-a_star_mean"\(.*\)/\1/p' "$tmp/c20.dom" |
            sed 's/<\/svg>.*//' | grep -o 'class="marker"' | wc -l |
            tr -d ' ')"
fi

# ---- killed mid-run: none of the four outputs is left, whole or partial ----
mkdir "$tmp/killed"
"$SKINTRACK" course -q -j 1 -o "$tmp/killed/c.csv" \
    --summary "$tmp/killed/s.csv" --recovery "$tmp/killed/r.csv" \
    --report "$tmp/killed/r.html" "$tmp/c20" &
pid=$!
sleep 1
kill -TERM "$pid" 2>/dev/null
wait "$pid"
krc=$?
expect_eq "SIGTERM: the run dies of it" 143 "$krc"
expect_eq "SIGTERM: no output and no temporary file left" "" \
    "$(ls -A "$tmp/killed")"

# ---- usage and output errors ----
# ---- a copy for the patient: --share, printed to PDF ----
# The shared report names no file and no folder: no path, no file name, no
# subject folder (subjects are numbered), no command line. Printed by
# Chromium (as "Save as PDF" does) it gives A4 pages, none blank, the
# photos on them, no screen-only controls or hints.
mkdir -p "$tmp/Anna Smith"
cp "$SAMPLES"/*.jpg "$tmp/Anna Smith/"
run report -q --share -o "$tmp/share.html" "$tmp/Anna Smith"
expect_rc "report --share: exit 0" 0
for word in "$tmp" "Anna" ".jpg" "2026-01-12.jpg" "skintrack report -q"; do
    if grep -F -e "$word" "$tmp/share.html" >/dev/null; then
        not_ok "report --share: names no file or folder ('$word' found)"
    else
        ok "report --share: names no file or folder ('$word' absent)"
    fi
done
expect_has "report --share: subjects numbered" "$tmp/share.html" ">Subject 1</a>"
expect_has "report --share: says it is a copy for sharing" "$tmp/share.html" \
    "This copy is for sharing"
run report -q -o "$tmp/full.html" "$tmp/Anna Smith"
expect_has "report without --share: the subject's folder name" "$tmp/full.html" \
    ">Anna Smith</a>"
usage_error "course --share without a report" course --share "$SAMPLES"
if [ "$have_browser" = 1 ] && command -v pdftoppm >/dev/null 2>&1 &&
    command -v pdftotext >/dev/null 2>&1; then
    rm -rf "$tmp/profile"
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
        --user-data-dir="$tmp/profile" --no-pdf-header-footer \
        --print-to-pdf="$tmp/share.pdf" "file://$tmp/share.html" \
        >"$tmp/pdf.log" 2>&1
    expect_eq "print to PDF: browser exits 0" 0 "$?"
    pdftotext -layout "$tmp/share.pdf" "$tmp/share.txt"
    pdftoppm -r 30 -png "$tmp/share.pdf" "$tmp/page"
    pages=$(ls "$tmp"/page*.png 2>/dev/null | wc -l | tr -d ' ')
    if [ "$pages" -ge 3 ]; then
        ok "print to PDF: $pages pages"
    else
        not_ok "print to PDF: at least 3 pages (index, photos, charts)" "got $pages"
    fi
    set -- $("$IMGSTAT" "$(ls "$tmp"/page*.png | head -n 1)")
    # A4 at 30 dpi: 8.27 x 11.69 in = 248 x 351 px (portrait)
    expect_eq "print to PDF: A4 portrait pages" "248 351" "$1 $2"
    blank=0 skin=0
    for p in "$tmp"/page*.png; do
        set -- $("$IMGSTAT" "$p")
        awk -v b="$4" 'BEGIN { exit !(b < 1) }' && blank=$((blank + 1))
        awk -v s="$5" 'BEGIN { exit !(s > 10) }' && skin=$((skin + 1))
    done
    expect_eq "print to PDF: no blank page" 0 "$blank"
    if [ "$skin" -ge 1 ]; then
        ok "print to PDF: the photos are printed ($skin pages mostly skin)"
    else
        not_ok "print to PDF: the photos are printed"
    fi
    for word in "Subject 1" "How this report was made" "repeatability" \
        "right the latest photo"; do
        expect_has "print to PDF: the text holds '$word'" "$tmp/share.txt" "$word"
    done
    for word in "drag the slider" "Hover a point" ".jpg" "Anna"; do
        if grep -F -e "$word" "$tmp/share.txt" >/dev/null; then
            not_ok "print to PDF: no '$word' on paper"
        else
            ok "print to PDF: no '$word' on paper"
        fi
    done
else
    skip "Chromium or poppler-utils (pdftoppm, pdftotext) missing: printing"
fi

usage_error "report --layout" report --layout wide -o "$tmp/x.html" "$SAMPLES"
usage_error "report --report" report --report "$tmp/x.html" "$SAMPLES"
usage_error "report without inputs" report -o "$tmp/x.html"
# without -o, on a terminal: a usage error, not a page of HTML on the
# screen (script(1) gives the program a terminal); into a pipe it is fine
if command -v script >/dev/null 2>&1; then
    script -qec "'$SKINTRACK' report -q '$SAMPLES'; echo \"rc=\$?\"" /dev/null \
        >"$tmp/tty.txt" 2>&1
    expect_has "report on a terminal without -o: exit 2" "$tmp/tty.txt" "rc=2"
    expect_has "report on a terminal without -o: says to use -o" "$tmp/tty.txt" "-o REPORT.html"
    if grep -F "<html" "$tmp/tty.txt" >/dev/null; then
        not_ok "report on a terminal without -o: no HTML on the terminal"
    else
        ok "report on a terminal without -o: no HTML on the terminal"
    fi
else
    skip "script(1) is not installed: report on a terminal"
fi
run report -o "$tmp/no/such/dir/r.html" "$SAMPLES"
expect_rc "report into a missing folder: exit 1" 1
expect_has "report into a missing folder: says where" "$err" \
    "$tmp/no/such/dir/r.html"
if [ -e "$tmp/no" ]; then
    not_ok "report into a missing folder: nothing made"
else
    ok "report into a missing folder: nothing made"
fi

finish
