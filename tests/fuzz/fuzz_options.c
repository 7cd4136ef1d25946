/* skintrack fuzzing — numeric option arguments on arbitrary text.
 *
 * The first byte picks an option, the rest (up to a NUL) is its argument,
 * handed to the parser the command line uses: the shared options through
 * cli_common_option (--roi, --white-balance patch:X,Y,W,H, --px-per-mm,
 * --red-threshold, --max-megapixels, --max-rotation, --max-scale,
 * --min-confidence, --model, --max-residual, --skin-mask), and --jobs, --shard
 * and a bare number
 * (--post-days, --followup-after) through theirs. Checked: an accepted
 * value is inside the range the help promises and finite; a refused one
 * leaves the settings as they were.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <string.h>

#include "cli.h"
#include "fuzz.h"

/* Usage errors are this harness's normal output: replay.c hides them. */
const int fuzz_quiet = 1;

enum { OPT_JOBS = -1, OPT_SHARD = -2, OPT_DAYS = -3 };

static const int options[] = {CLI_OPT_ROI,      CLI_OPT_WB,      CLI_OPT_PXMM,
                              CLI_OPT_RED,      CLI_OPT_MAXMP,   CLI_OPT_MAXROT,
                              CLI_OPT_MAXSCALE, CLI_OPT_MINCONF, CLI_OPT_SKIN,
                              OPT_JOBS,         OPT_SHARD,       OPT_DAYS,
                              CLI_OPT_MODEL,    CLI_OPT_MAXRES};
#define NOPTIONS (int)(sizeof options / sizeof options[0])

static void in_range(const char *what, double v, double lo, double hi)
{
    if (!(v >= lo && v <= hi))
        fuzz_fail("%s accepted as %g, outside %g..%g", what, v, lo, hi);
}

static void check_rect(const char *what, int x, int y, int w, int h)
{
    if (x < 0 || y < 0 || w < 1 || h < 1 || x > 1000000 || y > 1000000 ||
        w > 1000000 || h > 1000000)
        fuzz_fail("%s accepted as %d,%d,%d,%d", what, x, y, w, h);
}

static void shared(int c, const char *arg)
{
    st_read_options read, read0;
    st_align_options align, align0;
    cli_measure m, m0;
    int crlf = 0;

    st_read_options_init(&read);
    st_align_options_init(&align);
    memset(&m, 0, sizeof m);
    st_metrics_options_init(&m.metrics);
    memcpy(&read0, &read, sizeof read);
    memcpy(&align0, &align, sizeof align);
    memcpy(&m0, &m, sizeof m);
    if (cli_common_option("fuzz", c, arg, arg, &read, &crlf, &align, &m)) {
        if (memcmp(&read, &read0, sizeof read) ||
            memcmp(&align, &align0, sizeof align) || memcmp(&m, &m0, sizeof m))
            fuzz_fail("option %d refused \"%.40s\" but changed a setting", c,
                      arg);
        return;
    }
    switch (c) {
    case CLI_OPT_ROI:
        if (!m.region.has_roi)
            fuzz_fail("--roi accepted, not set");
        check_rect("--roi", m.region.roi[0], m.region.roi[1], m.region.roi[2],
                   m.region.roi[3]);
        break;
    case CLI_OPT_WB: {
        const st_white_balance *wb = &m.metrics.white_balance;
        if (wb->mode == ST_WB_PATCH)
            check_rect("patch:", wb->x, wb->y, wb->w, wb->h);
        else if (wb->mode == ST_WB_CARD && wb->reflectance != 0.18)
            in_range("card:", wb->reflectance, 0.01, 1);
        else if (wb->mode != ST_WB_NONE && wb->mode != ST_WB_GRAYWORLD &&
                 wb->mode != ST_WB_AUTO && wb->mode != ST_WB_CHART &&
                 wb->mode != ST_WB_CARD)
            fuzz_fail("white balance mode %d", (int)wb->mode);
        break;
    }
    case CLI_OPT_PXMM:
        in_range("--px-per-mm", m.metrics.px_per_mm, 0.01, 1e5);
        break;
    case CLI_OPT_RED:
        in_range("--red-threshold", m.metrics.red_threshold, 0.1, 128);
        break;
    case CLI_OPT_MAXMP:
        in_range("--max-megapixels", read.max_megapixels, 1e-6, 1e6);
        break;
    case CLI_OPT_MAXROT:
        in_range("--max-rotation", align.max_rotation_deg, 0, 180);
        break;
    case CLI_OPT_MAXSCALE:
        in_range("--max-scale", align.max_scale, 1, 10);
        break;
    case CLI_OPT_MINCONF:
        in_range("--min-confidence", align.min_confidence, -1, 1);
        break;
    case CLI_OPT_MODEL:
        if ((unsigned)align.model > ST_ALIGN_HOMOGRAPHY)
            fuzz_fail("--model accepted as %d", (int)align.model);
        break;
    case CLI_OPT_MAXRES:
        in_range("--max-residual", align.max_residual_px, 0, 1000);
        break;
    default: break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *arg;
    int c;

    if (size < 1)
        return 0;
    c = options[data[0] % NOPTIONS];
    if (!(arg = malloc(size)))
        return 0;
    memcpy(arg, data + 1, size - 1);
    arg[size - 1] = '\0';
    if (c == OPT_JOBS) {
        int jobs = 0;
        if (cli_parse_jobs("fuzz", arg, &jobs) == 0)
            in_range("--jobs", jobs, 1, 256);
        else if (jobs != 0)
            fuzz_fail("--jobs refused \"%.40s\" but set %d", arg, jobs);
    } else if (c == OPT_SHARD) {
        unsigned k = 0, n = 0;
        if (cli_parse_shard(arg, &k, &n) == 0) {
            if (k < 1 || k > n || n > 1000000)
                fuzz_fail("--shard \"%.40s\" accepted as %u/%u", arg, k, n);
        } else if (k || n) {
            fuzz_fail("--shard refused \"%.40s\" but set %u/%u", arg, k, n);
        }
    } else if (c == OPT_DAYS) {
        double v = -1;
        if (cli_parse_number("fuzz", "--post-days", arg, 0, 3650, &v) == 0)
            in_range("--post-days", v, 0, 3650);
        else if (v != -1)
            fuzz_fail("number refused \"%.40s\" but set %g", arg, v);
    } else {
        shared(c, arg);
    }
    free(arg);
    return 0;
}
