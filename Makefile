# skintrack — build, test, install.
#
#   make            library (build/libskintrack.a) and program (build/skintrack)
#   make test       unit tests (cmocka), CLI end-to-end tests (HEIC, TIFF
#                   and DNG too) and the HTML report in headless Chromium
#                   (installs what they need: make deps-test)
#   make test SANITIZE=1  (or make check-asan) the same under ASan + UBSan
#   make run        analyse the bundled sample course (info, metrics, compare,
#                   course)
#   make valgrind   the CLI end-to-end tests under valgrind memcheck (slow)
#   make docs       rewrite the examples in README.md and the man page by
#                   running them (make test checks them)
#   make fuzz       each fuzz harness for FUZZ_SECONDS (clang, libFuzzer)
#   make wisdom     rewrite the shipped FFTW wisdom (imgproc/fft_wisdom.h)
#   make bench      timings and peak memory on generated 2 and 12 MP photos:
#                   reader, align, compare (with stage times), metrics, course
#   make install PREFIX=/usr/local
#   make deps       install missing Debian build packages (apt-get); make
#                   deps-test adds what the tests need (Chromium)
#   make clean

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
CXX      ?= c++
# dlib-1: the face landmarks (imgproc/face_dlib.cpp, the only C++ file)
PKGS     := libjpeg libpng fftw3f lcms2 libexif libheif libtiff-4 libraw_r \
            dlib-1
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
BUILD    := build-asan
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
OPT      := -O1 -g
else ifeq ($(SANITIZE),fuzz)
# libFuzzer builds of the harnesses (make fuzz): clang, ASan + UBSan
BUILD    := build-fuzz
CC       := clang
CXX      := clang++
SANFLAGS := -fsanitize=address,undefined,fuzzer-no-link \
            -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1 -g
else
BUILD    := build
SANFLAGS :=
OPT      := -O3 -g
endif
# skintrack never reads floating-point exception flags, so loops with a
# select between two computed values may vectorise (results unchanged)
OPT      += -fno-trapping-math

WARN     := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-missing-field-initializers
CFLAGS   ?= $(OPT)
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude -Iimgproc \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# VLFeat (SIFT for registration) ships no pkg-config file
LDLIBS_LIB = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lvl -lstdc++ \
             -lm -lpthread
# The dlib binding: C++14, no pedantic C flags; optimised even in the
# sanitizer build, since dlib's detector is all templates compiled here.
ALL_CXXFLAGS = -std=c++14 -Wall -Wextra -O2 -g $(SANFLAGS) -Iinclude -Iimgproc \
               $(shell pkg-config --cflags dlib-1 2>/dev/null)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)

LIB_SRC  := $(wildcard imgproc/*.c)
LIB_CXX  := $(wildcard imgproc/*.cpp)
CLI_SRC  := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/test_*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cpp=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
LIB      := $(BUILD)/libskintrack.a
BIN      := $(BUILD)/skintrack
VERSION  := $(shell sed -n 's/^\#define ST_VERSION_STRING "\(.*\)"/\1/p' include/skintrack/skintrack.h)

.PHONY: all lib test test-only check check-asan run run-only install deps-test docs \
        uninstall clean deps samples bench wisdom fuzz fuzz-run fuzz-merge \
        fuzz-merge-run valgrind

all: $(LIB) $(BIN)
lib: $(LIB)

$(BUILD)/%.o: %.c $(wildcard include/skintrack/*.h imgproc/*.h cli/*.h tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.cpp imgproc/face_dlib.h include/skintrack/status.h
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS_LIB)

TEST_SUPPORT := $(BUILD)/tests/testutil.o $(BUILD)/tests/phantom.o \
                $(BUILD)/tests/testformats.o $(BUILD)/tests/chartscene.o

# Fuzz harnesses (tests/fuzz): with replay.c a plain program that runs each
# file it is given once (make test replays the corpora), with libFuzzer in
# the SANITIZE=fuzz build (make fuzz).
FUZZ_NAMES   := image manifest options date
FUZZ_BIN     := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_CLI_OBJ := $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ))
ifeq ($(SANITIZE),fuzz)
FUZZ_DRIVER  :=
FUZZ_LINK    := -fsanitize=fuzzer
else
FUZZ_DRIVER  := $(BUILD)/tests/fuzz/replay.o
FUZZ_LINK    := $(FUZZ_DRIVER)
endif
FUZZ_SEEDS   := $(BUILD)/fuzz-seeds
.SECONDARY: $(FUZZ_DRIVER)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_DRIVER) \
                      $(FUZZ_CLI_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icli -Itests/fuzz -o $@ $< $(FUZZ_LINK) \
	    $(FUZZ_CLI_OBJ) $(LIB) $(LDFLAGS_ALL) $(LDLIBS_LIB)

$(BUILD)/tests/fuzz_seeds: tests/fuzz/seeds.c $(TEST_SUPPORT) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< \
	    $(TEST_SUPPORT) $(LIB) $(LDFLAGS_ALL) \
	    $(shell pkg-config --libs cmocka) $(LDLIBS_LIB)

$(FUZZ_SEEDS)/.done: $(BUILD)/tests/fuzz_seeds
	rm -rf $(FUZZ_SEEDS)
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    $(BUILD)/tests/fuzz_seeds $(FUZZ_SEEDS)
	@touch $@

# test_pores' slow reference is FFTW in double precision (libfftw3-dev,
# the package of fftw3f too)
$(BUILD)/tests/%: tests/%.c $(TEST_SUPPORT) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< \
	    $(TEST_SUPPORT) $(LIB) $(LDFLAGS_ALL) \
	    $(shell pkg-config --libs cmocka) $(shell pkg-config --libs fftw3) \
	    $(LDLIBS_LIB)

$(BUILD)/tests/%.o: tests/%.c tests/%.h $(wildcard include/skintrack/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# Under the sanitizers any report aborts the test binary, so it fails.
# tests/lsan.supp: the HEVC encoder the tests use to make HEIC files leaks.
ASAN_ENV := ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp

# deps runs first and alone, then the build (which may be parallel) and
# the tests, so nothing compiles before the packages are there.
test: deps-test
	@$(MAKE) --no-print-directory test-only

test-only: all $(TEST_BIN) $(BUILD)/tests/rfc4180 $(BUILD)/tests/imgstat \
           $(BUILD)/tests/chartimg $(BUILD)/tests/imgconv $(FUZZ_BIN) \
           $(FUZZ_SEEDS)/.done $(BUILD)/tests/faultshim.so
	@failed=0; for t in $(TEST_BIN); do \
	    echo "== $$t"; \
	    $(ASAN_ENV) $$t || failed=1; \
	done; \
	for n in $(FUZZ_NAMES); do \
	    echo "== fuzz corpus replay: $$n"; \
	    $(ASAN_ENV) $(BUILD)/fuzz/fuzz_$$n tests/fuzz/regress/$$n \
	        tests/fuzz/corpus/$$n $(FUZZ_SEEDS)/$$n || failed=1; \
	done; \
	echo "== tests/cli.sh"; \
	$(ASAN_ENV) SKINTRACK=$(BIN) BUILD=$(BUILD) sh tests/cli.sh || failed=1; \
	echo "== tests/course.sh"; \
	$(ASAN_ENV) SKINTRACK=$(BIN) BUILD=$(BUILD) sh tests/course.sh || failed=1; \
	echo "== tests/report.sh"; \
	$(ASAN_ENV) SKINTRACK=$(BIN) BUILD=$(BUILD) sh tests/report.sh || failed=1; \
	echo "== tests/face.sh"; \
	$(ASAN_ENV) SKINTRACK=$(BIN) BUILD=$(BUILD) sh tests/face.sh || failed=1; \
	echo "== tests/formats.sh"; \
	$(ASAN_ENV) SKINTRACK=$(BIN) BUILD=$(BUILD) sh tests/formats.sh || failed=1; \
	echo "== tests/docs.sh"; \
	$(ASAN_ENV) SKINTRACK=$(BIN) BUILD=$(BUILD) sh tests/docs.sh || failed=1; \
	echo "== tests/faults.sh"; \
	$(ASAN_ENV) SKINTRACK=$(BIN) BUILD=$(BUILD) sh tests/faults.sh || failed=1; \
	exit $$failed

# The LD_PRELOAD fault injector of tests/faults.sh; never sanitized (it
# only forwards calls or fails them).
$(BUILD)/tests/faultshim.so: tests/faultshim.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Wall -Wextra -O1 -fPIC -shared -o $@ $< -ldl

# A strict RFC 4180 checker the shell tests read CSV with.
$(BUILD)/tests/rfc4180: tests/rfc4180.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(SANFLAGS) -o $@ $< $(LDFLAGS_ALL)

check: test

# Rewrites the examples in README.md and docs/skintrack.1 by running them
# (tests/docs.sh checks them in make test).
docs: all
	SKINTRACK=$(BIN) BUILD=$(BUILD) sh tests/docs.sh --update

# Benchmarks print figures; they are not tests.
# pores: the pore stage on a 12 MP plane, one thread, user CPU time;
# jobs: compare (12 and 2 MP pairs), metrics (12 MP), course (20 x 12 MP);
# inputs made once in $(BUILD)/bench (about a minute), then about 3 minutes
bench: $(BUILD)/tests/bench_io $(BUILD)/tests/bench_align \
       $(BUILD)/tests/bench_jobs $(BUILD)/tests/bench_face \
       $(BUILD)/tests/bench_pores $(BUILD)/tests/bench_target $(BIN)
	$(BUILD)/tests/bench_face
	$(BUILD)/tests/bench_target
	$(BUILD)/tests/bench_io
	$(BUILD)/tests/bench_pores
	$(BUILD)/tests/bench_align $(BIN)
	$(BUILD)/tests/bench_jobs $(BIN) $(BUILD)/bench
check-asan:
	$(MAKE) test SANITIZE=1

# Rewrites imgproc/fft_wisdom.h: FFTW_PATIENT plans of the pore tiles'
# transforms, shipped so that every run plans them alike (see fft.c)
wisdom: $(BUILD)/tests/fft_wisdom
	$(BUILD)/tests/fft_wisdom imgproc/fft_wisdom.h.tmp
	mv imgproc/fft_wisdom.h.tmp imgproc/fft_wisdom.h

# The CLI end-to-end tests with every run of the program under valgrind's
# memcheck: any error or leak fails the run (exit 99), and the logs stay
# in $(BUILD)/valgrind. Slow (tens of minutes); not part of make test.
VALGRIND_CMD := valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
    --log-file=$(CURDIR)/$(BUILD)/valgrind/%p.log
VALGRIND_TESTS ?= cli course report formats faults face
valgrind: all $(BUILD)/tests/rfc4180 $(BUILD)/tests/imgstat \
          $(BUILD)/tests/imgconv $(BUILD)/tests/faultshim.so
	@rm -rf $(BUILD)/valgrind && mkdir -p $(BUILD)/valgrind
	@printf '#!/bin/sh\nexec %s %s "$$@"\n' "$(VALGRIND_CMD)" \
	    "$(CURDIR)/$(BIN)" >$(BUILD)/valgrind/skintrack
	@chmod +x $(BUILD)/valgrind/skintrack
	@failed=0; for t in $(VALGRIND_TESTS); do \
	    echo "== tests/$$t.sh under valgrind"; \
	    SKINTRACK_VALGRIND=1 SKINTRACK=$(BUILD)/valgrind/skintrack \
	        BUILD=$(BUILD) sh tests/$$t.sh || failed=1; \
	done; \
	bad=$$(grep -l . $(BUILD)/valgrind/*.log 2>/dev/null | wc -l); \
	echo "valgrind: $$(ls $(BUILD)/valgrind/*.log | wc -l) runs," \
	    "$$bad with reports (in $(BUILD)/valgrind)"; \
	[ "$$bad" -eq 0 ] && exit $$failed; exit 1

# Fuzzing with libFuzzer (clang): each harness for FUZZ_SECONDS, from the
# seeds, the regression corpus and what earlier runs found (kept in
# build-fuzz/corpus). Crashing inputs land in build-fuzz/crashes; add them
# to tests/fuzz/regress/NAME once fixed. make -j2 fuzz runs two at once.
FUZZ_SECONDS ?= 60
fuzz:
	@$(MAKE) --no-print-directory $(FUZZ_SEEDS)/.done
	@$(MAKE) --no-print-directory SANITIZE=fuzz \
	    FUZZ_SEEDS=$(CURDIR)/$(FUZZ_SEEDS) fuzz-run

fuzz-run: $(FUZZ_NAMES:%=fuzz-run-%)

fuzz-run-%: $(BUILD)/fuzz/fuzz_%
	@sh tests/fuzz/run.sh $* $< $(FUZZ_SECONDS) $(BUILD) \
	    $(FUZZ_SEEDS)/$* tests/fuzz/regress/$* tests/fuzz/corpus/$*

# Folds what fuzzing found (build-fuzz/corpus) into the committed, minimized
# corpus tests/fuzz/corpus, which make test replays.
fuzz-merge:
	@$(MAKE) --no-print-directory SANITIZE=fuzz fuzz-merge-run

fuzz-merge-run: $(FUZZ_BIN)
	@for n in $(FUZZ_NAMES); do \
	    mkdir -p tests/fuzz/corpus/$$n $(BUILD)/corpus/$$n; \
	    $(BUILD)/fuzz/fuzz_$$n -merge=1 -close_fd_mask=3 \
	        tests/fuzz/corpus/$$n $(BUILD)/corpus/$$n >/dev/null 2>&1 || exit 1; \
	    echo "tests/fuzz/corpus/$$n: $$(ls tests/fuzz/corpus/$$n | wc -l) files"; \
	done

run: deps
	@$(MAKE) --no-print-directory run-only

# The sample course: what each photo is, every metric of each, and the
# change from baseline to the 3-month follow-up on the same skin, and the
# course as an HTML report.
run-only: all
	$(BIN) info samples/demo-patient/*.jpg
	$(BIN) metrics --skin-mask auto samples/demo-patient/*.jpg
	$(BIN) compare --skin-mask auto samples/demo-patient/2026-01-12.jpg \
	    samples/demo-patient/2026-07-06.jpg
	$(BIN) course --skin-mask auto --layout wide samples/demo-patient
	$(BIN) course --skin-mask auto --summary - -o $(BUILD)/sample-course.csv \
	    samples/demo-patient
	$(BIN) report --skin-mask auto -o $(BUILD)/sample-report.html \
	    samples/demo-patient
	@echo "report: $(BUILD)/sample-report.html (open it in a browser)"

# The photos carry their dates in EXIF DateTimeOriginal too (10:00 local
# time, UTC+01:00), added with exiftool.
samples: $(BUILD)/gen_samples
	$(BUILD)/gen_samples samples/demo-patient
	for f in samples/demo-patient/*.jpg; do \
	    d=$$(basename $$f .jpg | tr - :); \
	    exiftool -q -overwrite_original -DateTimeOriginal="$$d 10:00:00" \
	        -OffsetTimeOriginal=+01:00 $$f || exit 1; \
	done

$(BUILD)/gen_samples: samples/gen_samples.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDFLAGS_ALL) $(LDLIBS_LIB)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/include/skintrack \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/skintrack
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libskintrack.a
	install -m 644 include/skintrack/*.h $(DESTDIR)$(PREFIX)/include/skintrack/
	install -m 644 docs/skintrack.1 $(DESTDIR)$(PREFIX)/share/man/man1/skintrack.1
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' \
	    'includedir=$${prefix}/include' '' 'Name: skintrack' \
	    'Description: measure skin in before/after photos of a treatment course' \
	    'Version: $(VERSION)' 'Requires: $(PKGS)' \
	    'Libs: -L$${libdir} -lskintrack -lvl -lstdc++ -lm -lpthread' \
	    'Cflags: -I$${includedir}' \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/skintrack.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/skintrack \
	    $(DESTDIR)$(PREFIX)/lib/libskintrack.a \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/skintrack.pc \
	    $(DESTDIR)$(PREFIX)/share/man/man1/skintrack.1
	rm -rf $(DESTDIR)$(PREFIX)/include/skintrack

clean:
	rm -rf build build-asan build-fuzz

# Debian packages to build and test; `deps` installs the missing ones and
# does nothing when all are there. de_DE.UTF-8 lets the CSV test prove that
# numbers ignore the locale.
DEB_PKGS := gcc g++ make pkg-config libjpeg62-turbo-dev libpng-dev \
            libfftw3-dev liblcms2-dev libexif-dev libheif-dev libtiff-dev \
            libraw-dev libcmocka-dev libimage-exiftool-perl icc-profiles-free \
            colord-data locales libdlib-dev libdlib-data libvlfeat-dev
# tests/report.sh opens reports in headless Chromium; a font for its text;
# tests/course.sh crops pictures with ImageMagick; tests/report.sh reads
# the report printed to PDF with poppler-utils; the HEIF and TIFF tests
# make their inputs with heif-enc and tiffcp; the face tests read
# public-domain portraits shipped with scikit-image (astronaut) and
# matplotlib (grace_hopper), and so do the registration tests, which warp
# them with ImageMagick.
TEST_PKGS := chromium fonts-dejavu-core imagemagick poppler-utils \
             libheif-examples libtiff-tools python3-skimage python3-matplotlib

deps-test:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(DEB_PKGS) $(TEST_PKGS)"

deps:
	@if ! command -v dpkg >/dev/null 2>&1; then \
	    echo "deps: not a Debian system; install by hand: $(DEB_PKGS)"; \
	    exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else SUDO=none; fi; \
	missing=; for p in $(DEB_PKGS); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    if [ "$$SUDO" = none ]; then \
	        echo "deps: missing:$$missing (run make deps as root)" >&2; exit 1; fi; \
	    echo "deps: installing$$missing"; \
	    $$SUDO apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q \
	        --no-install-recommends $$missing || exit 1; \
	fi; \
	if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$$' && \
	   [ "$$SUDO" != none ]; then \
	    $$SUDO localedef -i de_DE -f UTF-8 de_DE.UTF-8 2>/dev/null || \
	        echo "deps: could not make the de_DE.UTF-8 locale (its test will skip)"; \
	fi
