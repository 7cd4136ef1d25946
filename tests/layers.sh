#!/bin/sh
# skintrack's layers, checked on the built objects (POSIX sh + nm).
#
#   BUILD=build sh tests/layers.sh
#
# 1. Each family of imgproc/ (a folder) calls only the families below it,
#    as docs/layers.md draws them: a symbol an object needs must be defined
#    in its own family or in one the table allows.
# 2. Each family's source includes only the internal headers of the
#    families it may call.
# 3. The program (cli/) reaches third-party libraries only through
#    libskintrack: no cli object needs a libjpeg, libpng, FFTW, lcms2,
#    libexif, libheif, libtiff, LibRaw, VLFeat or dlib symbol.
# 4. No function in imgproc/ or cli/ is longer than 100 lines (from the
#    line of its opening brace to its closing one).

set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
cd "$ROOT" || exit 1

# family: the families it may call (core calls none)
allowed() {
    case $1 in
    core) echo "" ;;
    io | color | register) echo "core" ;;
    measure | face | synth) echo "core color" ;;
    track) echo "core io color register measure face" ;;
    render) echo "core color register measure" ;;
    *) echo "?" ;;
    esac
}

fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# ---- 1. calls between families ----
: >"$tmp/defs"
: >"$tmp/uses"
nobj=0
for o in "$BUILD"/imgproc/*/*.o; do
    [ -f "$o" ] || continue
    nobj=$((nobj + 1))
    fam=$(basename "$(dirname "$o")")
    nm "$o" | awk -v f="$fam" -v o="$o" '
        $1 == "U" { print f, $2, o >> "'"$tmp/uses"'" }
        NF == 3 && $2 ~ /^[TDBRC]$/ { print $3, f >> "'"$tmp/defs"'" }'
done
[ "$nobj" -gt 0 ] || fail "no objects under $BUILD/imgproc/*/ (build first)"
for fam in $(ls -d imgproc/*/ | xargs -n1 basename); do
    [ "$(allowed "$fam")" = "?" ] && fail "imgproc/$fam: a family tests/layers.sh does not know"
done
awk 'NR == FNR { def[$1] = $2; next }
     ($2 in def) && def[$2] != $1 { print $1, def[$2], $2, $3 }' \
    "$tmp/defs" "$tmp/uses" | sort -u >"$tmp/calls"
while read -r from to sym obj; do
    case " $(allowed "$from") " in
    *" $to "*) ;;
    *) fail "$obj ($from) calls $sym of family $to" ;;
    esac
done <"$tmp/calls"

# ---- 2. internal headers ----
for f in imgproc/*/*.c imgproc/*/*.cpp imgproc/*/*.h; do
    fam=$(basename "$(dirname "$f")")
    for inc in $(sed -n 's/^#include "\([a-z]*\)\/[a-z_]*\.h".*/\1/p' "$f"); do
        [ "$inc" = "$fam" ] || [ "$inc" = skintrack ] && continue
        case " $(allowed "$fam") " in
        *" $inc "*) ;;
        *) fail "$f ($fam) includes an internal header of $inc" ;;
        esac
    done
done
grep -l '#include "[a-z_]*\.h"' imgproc/*/*.c imgproc/*/*.h 2>/dev/null |
    while read -r f; do
        echo "FAIL: $f includes an internal header without its family folder"
    done >"$tmp/flat"
[ -s "$tmp/flat" ] && { cat "$tmp/flat"; fails=$((fails + 1)); }

# ---- 3. the program and third-party libraries ----
for o in "$BUILD"/cli/*.o; do
    [ -f "$o" ] || continue
    nm "$o" | awk '$1 == "U" { print $2 }' |
        grep -E '^(jpeg_|jpeg|png_|fftwf?_|cms[A-Z]|_cms|exif_|heif_|TIFF|libraw_|vl_|_ZN4dlib)' |
        while read -r s; do echo "FAIL: $o calls $s directly"; done
done >"$tmp/third"
[ -s "$tmp/third" ] && { cat "$tmp/third"; fails=$((fails + 1)); }

# ---- 4. function length ----
# Functions open with "{" alone in column 0 and close with "}" in column 0
# (the project's style, clang-format enforced).
for f in imgproc/*/*.c cli/*.c; do
    awk -v f="$f" '
        /^[A-Za-z_].*\(/ { sig = $0 }
        /^\{/ { start = FNR; name = sig }
        /^\}/ && start { n = FNR - start + 1
                         if (n > 100) printf "FAIL: %s:%d %s is %d lines\n", f, start, name, n
                         start = 0 }
' "$f"
done >"$tmp/long"
[ -s "$tmp/long" ] && { cat "$tmp/long"; fails=$((fails + 1)); }

if [ "$fails" -eq 0 ]; then
    echo "layers: $nobj objects, families call only the ones below them"
    exit 0
fi
echo "layers: $fails failure(s)"
exit 1
