/* skintrack tests — CSV writer, locale-free numbers and atomic output.
 *
 * CSV: every record is written into a memory stream (open_memstream) and
 * compared byte for byte with the text RFC 4180 and csv.h prescribe.
 *
 * Numbers: truth is the double itself. A formatted number must read back
 * (strtod, C locale) to the identical bits, and must be the shortest
 * "%.Ng" that does so (the contract in csv.h), checked against a slow
 * reference that tries N = 1..17, on 10000 pseudo-random doubles spread
 * over every binary exponent, subnormals and integers. Under a German
 * locale (decimal comma, when the machine has one) the same must hold.
 *
 * Atomic output: the folder is listed before and after each step; the
 * destination's bytes are compared with what was written.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* realpath */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <fnmatch.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

/* ---- writing into memory ---- */

struct mem {
    char *buf;
    size_t len;
    FILE *f;
    st_csv csv;
};

static void mem_open(struct mem *m)
{
    m->buf = NULL;
    m->len = 0;
    m->f = open_memstream(&m->buf, &m->len);
    assert_non_null(m->f);
    st_csv_init(&m->csv, m->f);
}

/* Closes the stream and compares its bytes with want (length explicit, so
 * embedded NULs would count). */
static void mem_check(struct mem *m, const char *want, size_t want_len)
{
    int same;
    assert_int_equal(fclose(m->f), 0);
    same = m->len == want_len && memcmp(m->buf, want, want_len) == 0;
    if (!same)
        print_error("CSV bytes differ:\n got  [%.*s] (%zu bytes)\n want "
                    "[%.*s] (%zu bytes)\n",
                    (int)m->len, m->buf, m->len, (int)want_len, want, want_len);
    free(m->buf);
    if (!same)
        fail();
}

#define MEM_CHECK(m, lit) mem_check(m, lit, sizeof lit - 1)

/* One text field in its own record. */
static void check_text(const char *text, const char *want)
{
    struct mem m;
    mem_open(&m);
    st_csv_text(&m.csv, text);
    st_csv_end_row(&m.csv);
    mem_check(&m, want, strlen(want));
}

static void test_plain_fields(void **state)
{
    struct mem m;
    (void)state;
    mem_open(&m);
    st_csv_text(&m.csv, "abc");
    st_csv_int(&m.csv, 42);
    st_csv_int(&m.csv, -7);
    st_csv_int(&m.csv, INT64_MIN);
    st_csv_number(&m.csv, 1.5);
    st_csv_empty(&m.csv);
    st_csv_text(&m.csv, NULL);
    st_csv_text(&m.csv, "");
    st_csv_text(&m.csv, "a b");
    st_csv_text(&m.csv, "M\xc3\xbcller"); /* UTF-8 passes through */
    st_csv_end_row(&m.csv);
    st_csv_text(&m.csv, "second"); /* no separator at a record's start */
    st_csv_end_row(&m.csv);
    MEM_CHECK(&m, "abc,42,-7,-9223372036854775808,1.5,,,,a b,M\xc3\xbcller\n"
                  "second\n");
}

static void test_quoting(void **state)
{
    (void)state;
    check_text("a,b", "\"a,b\"\n");
    check_text("say \"hi\"", "\"say \"\"hi\"\"\"\n");
    check_text("\"", "\"\"\"\"\n");
    check_text("line1\nline2", "\"line1\nline2\"\n");
    check_text("cr\r", "\"cr\r\"\n");
    check_text("a\r\nb", "\"a\r\nb\"\n");
    check_text("semi;colon", "semi;colon\n");
    check_text("it's", "it's\n");
}

static void test_formula_guard(void **state)
{
    (void)state;
    check_text("=SUM(A1:A9)", "'=SUM(A1:A9)\n");
    check_text("+1", "'+1\n");
    check_text("-1", "'-1\n");
    check_text("@cmd", "'@cmd\n");
    check_text("\tx", "'\tx\n");
    check_text("\rx", "\"'\rx\"\n");   /* CR: guarded and quoted */
    check_text("=a,b", "\"'=a,b\"\n"); /* guard inside the quotes */
    check_text("=\"x\"", "\"'=\"\"x\"\"\"\n");
    check_text("-\n", "\"'-\n\"\n");
    check_text("a=b", "a=b\n"); /* only the first character counts */
    check_text(" =x", " =x\n");
    check_text("'=x", "'=x\n");
}

static void test_numbers_unguarded(void **state)
{
    struct mem m;
    (void)state;
    mem_open(&m);
    st_csv_number(&m.csv, -1.5);
    st_csv_int(&m.csv, -3);
    st_csv_number(&m.csv, NAN);
    st_csv_number(&m.csv, -NAN);
    st_csv_number(&m.csv, INFINITY);
    st_csv_number(&m.csv, -INFINITY);
    st_csv_number(&m.csv, -0.0);
    st_csv_number(&m.csv, 0.0);
    st_csv_number(&m.csv, -2e-300);
    st_csv_end_row(&m.csv);
    MEM_CHECK(&m, "-1.5,-3,,,,,0,0,-2e-300\n");
}

static void test_header_and_crlf(void **state)
{
    struct mem m;
    (void)state;
    mem_open(&m);
    st_csv_header(&m.csv, "file,status,width");
    st_csv_text(&m.csv, "a.jpg");
    st_csv_text(&m.csv, "ok");
    st_csv_int(&m.csv, 1200);
    st_csv_end_row(&m.csv);
    MEM_CHECK(&m, "file,status,width\na.jpg,ok,1200\n");

    mem_open(&m);
    m.csv.crlf = 1;
    st_csv_header(&m.csv, "a,b");
    st_csv_text(&m.csv, "x\ny");
    st_csv_number(&m.csv, 0.25);
    st_csv_end_row(&m.csv);
    st_csv_empty(&m.csv);
    st_csv_empty(&m.csv);
    st_csv_end_row(&m.csv);
    MEM_CHECK(&m, "a,b\r\n\"x\ny\",0.25\r\n,\r\n");

    mem_open(&m);
    st_csv_header(&m.csv, "single");
    MEM_CHECK(&m, "single\n");
}

/* ---- numbers ---- */

static const char *fmt(double v)
{
    static char buf[4][40];
    static int next;
    char *b = buf[next++ % 4];
    memset(b, 'X', sizeof buf[0]);
    return st_csv_format_number(b, 32, v);
}

static void test_format_examples(void **state)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0.1, "0.1"},
        {0.3, "0.3"},
        {0.30000000000000004, "0.30000000000000004"},
        {1e21, "1e+21"},
        {123456789, "123456789"},
        {-1.5, "-1.5"},
        {0.5, "0.5"},
        {1.0 / 3.0, "0.3333333333333333"},
        {2.0 / 3.0, "0.6666666666666666"},
        {9007199254740992.0, "9007199254740992"},
        {1e-7, "1e-07"},
        {5e-324, "5e-324"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {DBL_MIN, "2.2250738585072014e-308"},
        {-0.0, "0"},
        {1e100, "1e+100"},
    };
    (void)state;
    assert_true(0.1 + 0.2 != 0.3);
    assert_string_equal(fmt(0.1 + 0.2), "0.30000000000000004");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (strcmp(fmt(cases[i].v), cases[i].want) != 0)
            fail_msg("%.17g formats as \"%s\", want \"%s\"", cases[i].v,
                     fmt(cases[i].v), cases[i].want);
    assert_string_equal(fmt(NAN), "");
    assert_string_equal(fmt(-INFINITY), "");
}

/* A whole number is never written longer than its plain digits: "1200",
 * not "1.2e+03" (a spreadsheet shows what is in the file). */
static void test_format_integers(void **state)
{
    static const double ints[] = {100, 1200, -250, 65535, 20, 1e15 + 1};
    (void)state;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        char plain[40];
        snprintf(plain, sizeof plain, "%.0f", ints[i]);
        if (strlen(fmt(ints[i])) > strlen(plain))
            fail_msg("%s formats as \"%s\", longer than the integer", plain,
                     fmt(ints[i]));
    }
}

static uint64_t rng_state = 0x243f6a8885a308d3u;
static uint64_t rng64(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* The i-th test value: five families in turn. */
static double sample_value(int i)
{
    double v;
    switch (i % 5) {
    case 0: /* any finite bit pattern: every binary exponent */
        do
            v = from_bits(rng64());
        while (!isfinite(v));
        return v;
    case 1: /* mantissa in [1, 10) times 10^k, k in -300..300 */
        v = 1.0 + (double)(rng64() >> 11) / 9007199254740992.0 * 9.0;
        return v * pow(10.0, (double)((int)(rng64() % 601) - 300));
    case 2: { /* subnormal, either sign */
        uint64_t b = rng64();
        uint64_t frac = (b >> 12) & 0x000fffffffffffffu;
        return from_bits((b & 0x8000000000000000u) | (frac ? frac : 1));
    }
    case 3: /* integers, up to 2^53 */
        v = (double)(rng64() >> (11 + rng64() % 53));
        return rng64() & 1 ? -v : v;
    default: /* short decimals: n / 10^d */
        return (double)(int64_t)(rng64() % 2000001 - 1000000) /
               pow(10.0, (double)(1 + rng64() % 6));
    }
}

/* Slow reference: the first N in 1..17 whose "%.Ng" strtod reads back;
 * where that is an exponent form of an integer below 1e17 ("1.2e+03"),
 * the plain integer ("1200"), which is never longer. */
static void reference_format(char *buf, size_t size, double v)
{
    if (v == 0) {
        snprintf(buf, size, "0");
        return;
    }
    for (int n = 1; n <= 17; n++) {
        snprintf(buf, size, "%.*g", n, v);
        if (strtod(buf, NULL) == v) {
            const char *e = strstr(buf, "e+");
            if (e && atoi(e + 2) < 17)
                snprintf(buf, size, "%.0f", v);
            return;
        }
    }
    fail_msg("no %%.Ng reads back %a", v);
}

static void test_round_trip(void **state)
{
    int subnormals = 0, huge = 0, tiny = 0;
    (void)state;
    assert_string_equal(setlocale(LC_NUMERIC, NULL), "C");
    for (int i = 0; i < 10000; i++) {
        double v = sample_value(i), back;
        char ref[40];
        const char *s = fmt(v);
        if (strlen(s) >= 32 || !*s)
            fail_msg("%a: bad output \"%s\"", v, s);
        back = strtod(s, NULL);
        if (v == 0 ? back != 0 : memcmp(&back, &v, sizeof v) != 0)
            fail_msg("#%d %a -> \"%s\" -> %a", i, v, s, back);
        reference_format(ref, sizeof ref, v);
        if (strcmp(s, ref) != 0)
            fail_msg("#%d %.17g -> \"%s\", shortest is \"%s\"", i, v, s, ref);
        if (fabs(v) >= DBL_MIN) {
            double parsed = 0;
            if (st_parse_double(s, &parsed) != 0 || parsed != v)
                fail_msg("st_parse_double(\"%s\") does not give it back", s);
        }
        subnormals += v != 0 && fabs(v) < DBL_MIN;
        huge += fabs(v) > 1e200;
        tiny += v != 0 && fabs(v) < 1e-200;
    }
    /* the families really cover the extremes */
    assert_true(subnormals >= 2000);
    assert_true(huge >= 100);
    assert_true(tiny >= 2300);
}

static void test_parse_double(void **state)
{
    static const struct {
        const char *text;
        double v;
    } good[] = {{"1.5", 1.5},
                {"-2e3", -2000},
                {"0", 0},
                {"+7", 7},
                {".25", 0.25},
                {"1E-3", 0.001},
                {"123456789", 123456789},
                {"1.7976931348623157e308", DBL_MAX}};
    static const char *const bad[] = {
        "",    " 1",   "1 ",       "1,5",  "1.5x",  "nan",    "NaN",
        "inf", "-inf", "infinity", "0x10", "1e999", "-1e999", "e5",
        ".",   "-",    "1e",       "--1",  "1..2",  "\t1"};
    double v;
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        v = -12345;
        if (st_parse_double(good[i].text, &v) != 0)
            fail_msg("\"%s\" rejected", good[i].text);
        if (v != good[i].v)
            fail_msg("\"%s\" -> %.17g, want %.17g", good[i].text, v, good[i].v);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = -12345;
        if (st_parse_double(bad[i], &v) == 0)
            fail_msg("\"%s\" accepted as %.17g", bad[i], v);
        if (v != -12345)
            fail_msg("\"%s\" rejected but *value changed", bad[i]);
    }
    assert_int_not_equal(st_parse_double(NULL, &v), 0);
}

/* Subnormals are finite numbers, and st_csv_number writes them: the
 * parser reads what the writer writes. */
static void test_parse_subnormal(void **state)
{
    static const double values[] = {5e-324, 2.2250738585072009e-308, -1e-310};
    (void)state;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        const char *s = fmt(values[i]);
        double v = 0;
        if (st_parse_double(s, &v) != 0)
            fail_msg("st_parse_double rejects \"%s\", written by "
                     "st_csv_format_number",
                     s);
        assert_true(v == values[i]);
    }
}

/* ---- locale ---- */

static const char *german_locale(void)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "de_DE"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (setlocale(LC_ALL, names[i]))
            return names[i];
    return NULL;
}

static void test_german_locale(void **state)
{
    char buf[32];
    const char *name = german_locale();
    struct mem m;
    double v = 0;
    int ok;
    (void)state;

    if (!name) {
        setlocale(LC_ALL, "C");
        print_message("no de_DE locale on this machine (make deps builds "
                      "de_DE.UTF-8); skipping\n");
        skip();
    }
    /* the locale is really active: printf writes a decimal comma */
    snprintf(buf, sizeof buf, "%.1f", 0.5);
    if (strcmp(buf, "0,5") != 0) {
        setlocale(LC_ALL, "C");
        fail_msg("%s active but printf gives \"%s\"", name, buf);
    }
    ok = strcmp(st_csv_format_number(buf, sizeof buf, 0.5), "0.5") == 0 &&
         strcmp(st_csv_format_number(buf, sizeof buf, -1234.5), "-1234.5") ==
             0 &&
         strcmp(st_csv_format_number(buf, sizeof buf, 1e21), "1e+21") == 0 &&
         st_parse_double("0.5", &v) == 0 && v == 0.5 &&
         st_parse_double("0,5", &v) != 0;
    mem_open(&m);
    st_csv_number(&m.csv, 0.25);
    st_csv_number(&m.csv, 3.5);
    st_csv_end_row(&m.csv);
    /* the process locale is left as it was */
    snprintf(buf, sizeof buf, "%.1f", 0.5);
    ok = ok && strcmp(buf, "0,5") == 0;
    setlocale(LC_ALL, "C");
    MEM_CHECK(&m, "0.25,3.5\n");
    if (!ok)
        fail_msg("numbers followed the %s locale", name);
    /* and the round trip still holds after switching back */
    assert_string_equal(fmt(0.5), "0.5");
}

/* ---- atomic output ---- */

/* The output a test has open, abandoned by the teardown if an assertion
 * leaves the test before commit (so a failure leaks nothing). */
static st_output *open_output;

static int abort_open_output(void **state)
{
    (void)state;
    st_output_abort(open_output);
    open_output = NULL;
    return 0;
}

static st_output *track(st_output *o)
{
    open_output = o;
    return o;
}

/* Commits the tracked output. */
static st_status commit(st_output *o, st_error *err)
{
    open_output = NULL;
    return st_output_commit(o, err);
}

/* A fresh empty folder under the test's temporary folder. */
static const char *fresh_dir(const char *name)
{
    const char *dir = tu_path(name);
    assert_int_equal(mkdir(dir, 0700), 0);
    return dir;
}

/* Number of files in dir matching the pattern. */
static int count_matching(const char *dir, const char *pattern)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += fnmatch(pattern, e->d_name, 0) == 0;
    closedir(d);
    return n;
}

/* Entries of dir other than . and .. ("*" matches dot files too: no
 * FNM_PERIOD). */
static int count_entries(const char *dir)
{
    return count_matching(dir, "*") - 2;
}

static void join(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static void expect_content(const char *path, const char *want)
{
    size_t n = 0;
    uint8_t *data = tu_read_file(path, &n);
    int same;
    if (!data)
        fail_msg("%s: cannot read", path);
    same = n == strlen(want) && memcmp(data, want, n) == 0;
    if (!same)
        print_error("%s holds [%.*s], want [%s]\n", path, (int)n, (char *)data,
                    want);
    free(data);
    if (!same)
        fail();
}

static void test_output_commit(void **state)
{
    const char *dir = fresh_dir("commit");
    char path[512];
    st_output *o = NULL;
    st_error err = {0};
    struct stat st;
    mode_t mask;
    const char *temp;
    (void)state;

    join(path, sizeof path, dir, "out.csv");
    assert_int_equal(st_output_open(&o, path, &err), ST_OK);
    track(o);
    temp = st_output_temp_path(o);
    assert_int_equal(strncmp(temp, dir, strlen(dir)), 0);
    assert_int_equal(fnmatch("*/.out.csv.*.tmp", temp, 0), 0);
    fputs("a,b\n1,2\n", st_output_stream(o));
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(count_matching(dir, ".out.csv.*.tmp"), 1);
    assert_int_equal(count_entries(dir), 1);
    assert_int_equal(commit(o, &err), ST_OK);
    expect_content(path, "a,b\n1,2\n");
    assert_int_equal(count_matching(dir, "*.tmp"), 0);
    assert_int_equal(count_entries(dir), 1);
    /* permissions of a plain fopen: 0666 less the umask */
    mask = umask(0);
    umask(mask);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
}

static void test_output_replace(void **state)
{
    const char *dir = fresh_dir("replace");
    char path[512];
    st_output *o = NULL;
    st_error err = {0};
    (void)state;

    join(path, sizeof path, dir, "data.csv");
    assert_int_equal(tu_write_file(path, "old\n", 4), 0);
    assert_int_equal(st_output_open(&o, path, &err), ST_OK);
    track(o);
    fputs("new content\n", st_output_stream(o));
    fflush(st_output_stream(o));
    expect_content(path, "old\n");
    assert_int_equal(count_matching(dir, ".data.csv.*.tmp"), 1);
    assert_int_equal(commit(o, &err), ST_OK);
    expect_content(path, "new content\n");
    assert_int_equal(count_entries(dir), 1);
}

static void test_output_abort(void **state)
{
    const char *dir = fresh_dir("abort");
    char path[512];
    st_output *o = NULL;
    st_error err = {0};
    struct stat st;
    (void)state;

    join(path, sizeof path, dir, "keep.csv");
    assert_int_equal(tu_write_file(path, "previous\n", 9), 0);
    assert_int_equal(st_output_open(&o, path, &err), ST_OK);
    track(o);
    fputs("half-written", st_output_stream(o));
    fflush(st_output_stream(o));
    open_output = NULL;
    st_output_abort(o);
    expect_content(path, "previous\n");
    assert_int_equal(count_entries(dir), 1);

    /* without a previous file, nothing is left at all */
    join(path, sizeof path, dir, "new.csv");
    assert_int_equal(st_output_open(&o, path, &err), ST_OK);
    track(o);
    fputs("x", st_output_stream(o));
    open_output = NULL;
    st_output_abort(o);
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(count_entries(dir), 1);
    st_output_abort(NULL);
}

/* The finished file has the permissions fopen would give: 0666 less the
 * umask (and the library leaves the process umask as it was). */
static void test_output_permissions(void **state)
{
    st_output *o;
    st_error err = {0};
    struct stat st;
    const char *path = tu_path("perm.csv");
    mode_t old = umask(027);
    (void)state;

    assert_int_equal(st_output_open(&o, path, &err), ST_OK);
    fputs("x\n", st_output_stream(o));
    assert_int_equal(st_output_commit(o, &err), ST_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(umask(old), 027);
}

static void test_output_missing_folder(void **state)
{
    char path[512];
    const char *dir = tu_path("no-such-folder");
    st_output *o = (st_output *)&path;
    st_error err = {0};
    struct stat st;
    (void)state;

    join(path, sizeof path, dir, "out.csv");
    assert_int_equal(st_output_open(&o, path, &err), ST_ERR_IO);
    assert_null(o);
    assert_int_equal(err.status, ST_ERR_IO);
    if (!strstr(err.message, path))
        fail_msg("message \"%s\" does not name %s", err.message, path);
    assert_int_equal(stat(dir, &st), -1);
    assert_int_equal(st_output_open(&o, "", &err), ST_ERR_INVALID);
    assert_null(o);
}

static void test_output_stdout(void **state)
{
    st_output *o = NULL;
    st_error err = {0};
    (void)state;
    assert_int_equal(st_output_open(&o, "-", &err), ST_OK);
    assert_ptr_equal(st_output_stream(o), stdout);
    assert_string_equal(st_output_temp_path(o), "");
    assert_int_equal(st_output_commit(o, &err), ST_OK);
}

/* The descriptor this process holds open on path (Linux /proc), so a test
 * can swap the file under an output's stream; fails the test if none. */
static int temp_fd(const char *path)
{
    char link[64], target[1024], real[4096];
    if (realpath(path, real))
        path = real;
    for (int fd = 3; fd < 1024; fd++) {
        ssize_t n;
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        if (strcmp(target, path) == 0)
            return fd;
    }
    fail_msg("no descriptor open on %s", path);
    return -1;
}

/* Opens an output on dir/name over a previous file and points its stream
 * at /dev/full, then writes bytes of data. */
static st_output *full_output(const char *dir, const char *name, size_t bytes,
                              char *path, size_t size)
{
    st_output *o = NULL;
    st_error err = {0};
    int full;
    char *data;

    join(path, size, dir, name);
    assert_int_equal(tu_write_file(path, "before\n", 7), 0);
    assert_int_equal(st_output_open(&o, path, &err), ST_OK);
    track(o);
    full = open("/dev/full", O_WRONLY);
    if (full < 0) {
        print_message("no /dev/full: %s\n", strerror(errno));
        skip();
    }
    assert_true(dup2(full, temp_fd(st_output_temp_path(o))) >= 0);
    close(full);
    data = malloc(bytes);
    assert_non_null(data);
    memset(data, 'x', bytes);
    fwrite(data, 1, bytes, st_output_stream(o));
    free(data);
    return o;
}

static void test_output_disk_full(void **state)
{
    const char *dir = fresh_dir("full");
    char path[512];
    size_t sizes[2] = {(size_t)BUFSIZ * 16, 100}; /* fails in fwrite, in
                                                     the final flush */
    (void)state;
    for (int i = 0; i < 2; i++) {
        st_error err = {0};
        st_output *o = full_output(dir, i ? "small.csv" : "big.csv", sizes[i],
                                   path, sizeof path);
        assert_int_equal(commit(o, &err), ST_ERR_IO);
        assert_int_equal(err.status, ST_ERR_IO);
        if (!strstr(err.message, path))
            fail_msg("message \"%s\" does not name %s", err.message, path);
        expect_content(path, "before\n");
        assert_int_equal(count_matching(dir, "*.tmp"), 0);
    }
    assert_int_equal(count_entries(dir), 2);
}

/* The cause of a failed write is the real one: a full disk says so. */
static void test_output_disk_full_cause(void **state)
{
    const char *dir = fresh_dir("full-cause");
    char path[512];
    size_t sizes[2] = {100, (size_t)BUFSIZ * 16};
    (void)state;
    for (int i = 0; i < 2; i++) {
        st_error err = {0};
        st_output *o = full_output(dir, i ? "big.csv" : "small.csv", sizes[i],
                                   path, sizeof path);
        assert_int_equal(commit(o, &err), ST_ERR_IO);
        if (!strstr(err.message, strerror(ENOSPC)))
            fail_msg("%zu bytes into a full disk: \"%s\" does not say \"%s\"",
                     sizes[i], err.message, strerror(ENOSPC));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_fields),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_formula_guard),
        cmocka_unit_test(test_numbers_unguarded),
        cmocka_unit_test(test_header_and_crlf),
        cmocka_unit_test(test_format_examples),
        cmocka_unit_test(test_format_integers),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_parse_double),
        cmocka_unit_test(test_parse_subnormal),
        cmocka_unit_test(test_german_locale),
        cmocka_unit_test_teardown(test_output_commit, abort_open_output),
        cmocka_unit_test_teardown(test_output_replace, abort_open_output),
        cmocka_unit_test_teardown(test_output_abort, abort_open_output),
        cmocka_unit_test_teardown(test_output_missing_folder,
                                  abort_open_output),
        cmocka_unit_test_teardown(test_output_stdout, abort_open_output),
        cmocka_unit_test(test_output_permissions),
        cmocka_unit_test_teardown(test_output_disk_full, abort_open_output),
        cmocka_unit_test_teardown(test_output_disk_full_cause,
                                  abort_open_output),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
