/* skintrack — the HTML report: one self-contained file per run.
 *
 * Pictures are drawn while each photo is still decoded (the course's view
 * callback, on the worker threads) at display size only:
 *   thumbnail   the photo resampled into the baseline's frame over the
 *               bounding box of the common region, at most THUMB px a
 *               side (box-filtered first, so skin texture does not alias)
 *   a* plane    of the thumbnail, after the photo's white-balance gains:
 *               the redness map is this minus the baseline's, over the
 *               common region, smoothed a little
 *   detail      DETAIL_W x DETAIL_H baseline px at the centre of the
 *               common region at full resolution: the photo, its detected
 *               pores (drawn as SVG circles over it) and its L* band-passed
 *               to the texture bands (st_texture_bandpass)
 * A photo that did not register with confidence is drawn in its own frame
 * and gets no redness map. The imaging is the library's (picture.h); this
 * file keeps which pictures, their sizes and the HTML around them.
 *
 * The file has no external reference of any kind: images are data: URIs,
 * charts inline SVG (chart.h), the style and the small script inline, and
 * a Content-Security-Policy that forbids the browser to fetch anything.
 * Without the script every picture is still shown, one after another.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record.h"
#include "report.h"

#define THUMB           720 /* long side of thumbnails, px */
#define DETAIL_W        400 /* detail crop, baseline px */
#define DETAIL_H        300
#define THUMB_QUALITY   80
#define MAP_RANGE       8.0 /* redness map: +-8 a* units full colour */
#define TEXTURE_RANGE   6.0 /* texture map: +-6 L* full black/white */
#define LIGHTING_L_STAR 3.0 /* flag: mean L* this far from the baseline's */

typedef struct pore_mark {
    float x, y, r; /* detail px */
} pore_mark;

typedef struct cli_pictures {
    const cli_photo *photo; /* whose pictures */
    int own_frame;          /* drawn in its own frame (not registered) */
    int tw, th;
    char *thumb;     /* data: URI */
    float *astar;    /* tw x th, NaN where the photo does not reach */
    uint8_t *common; /* tw x th, the common region (baseline only) */
    int dw, dh;
    char *detail;     /* data: URI */
    char *texture;    /* data: URI, or NULL */
    pore_mark *pores; /* in the detail */
    size_t npores;
} cli_pictures;

struct cli_report {
    st_output *out;
    char *path; /* of the report, for messages */
    FILE *body; /* the sections, until commit */
    /* index entries */
    struct entry {
        char *subject, *region;
        size_t photos, flags;
        char first[16], last[16];
    } * entries;
    size_t n_entries, cap_entries;
    size_t photos;
    const cli_run *run; /* the run's record, or NULL */
    int share;          /* --share: no file paths, no folder names */
    size_t subjects;    /* distinct subjects so far (share: their numbers) */
    char *last_subject; /* the previous course's subject */
    /* the course being measured */
    cli_photo **who;
    st_metrics_options mopt;
    cli_pictures **pics; /* npics, by index in who; NULL: not drawn */
    size_t npics;
};

/* ---- text ---- */

static void html(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* A value for people: 4 significant digits ("–" when unavailable); small
 * values keep their digits (-2.6e-05, not 0). */
static const char *num(char *buf, size_t size, double v)
{
    if (!isfinite(v))
        snprintf(buf, size, "–");
    else if (fabs(v) >= 1e5)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.4g", v == 0 ? 0.0 : v); /* no "-0" */
    return buf;
}

static char *data_uri(const unsigned char *data, size_t size)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char head[] = "data:image/jpeg;base64,";
    size_t n = sizeof head - 1 + 4 * ((size + 2) / 3) + 1;
    char *out = malloc(n), *p;
    if (!out)
        return NULL;
    memcpy(out, head, sizeof head - 1);
    p = out + sizeof head - 1;
    for (size_t i = 0; i < size; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < size)
            v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < size)
            v |= data[i + 2];
        *p++ = b64[v >> 18 & 63];
        *p++ = b64[v >> 12 & 63];
        *p++ = i + 1 < size ? b64[v >> 6 & 63] : '=';
        *p++ = i + 2 < size ? b64[v & 63] : '=';
    }
    *p = '\0';
    return out;
}

static char *jpeg_uri(const st_image *img)
{
    unsigned char *data;
    size_t size;
    st_error err = {0};
    char *uri;
    if (st_io_encode_jpeg(img, THUMB_QUALITY, &data, &size, &err))
        return NULL;
    uri = data_uri(data, size);
    free(data);
    return uri;
}

/* ---- drawing ---- */

/* The JPEG data: URI of a picture, NULL when it could not be drawn. */
static char *picture_uri(st_status s, st_image *img)
{
    char *uri = s == ST_OK && img ? jpeg_uri(img) : NULL;
    st_image_free(img);
    return uri;
}

static void pictures_free(cli_pictures *p)
{
    if (!p)
        return;
    free(p->thumb);
    free(p->astar);
    free(p->common);
    free(p->detail);
    free(p->texture);
    free(p->pores);
    free(p);
}

void cli_report_drop(cli_report *r)
{
    for (size_t k = 0; k < r->npics; k++)
        pictures_free(r->pics[k]);
    free(r->pics);
    r->pics = NULL;
    r->npics = 0;
}

/* The pictures of p in the course attached, or NULL. */
static const cli_pictures *pictures_of(const cli_report *r, const cli_photo *p)
{
    for (size_t k = 0; p && k < r->npics; k++)
        if (r->pics[k] && r->pics[k]->photo == p)
            return r->pics[k];
    return NULL;
}

/* The thumbnail th of a view, its a* and (the baseline's) the common
 * region under it. 0, or -1 when it could not be drawn. */
static int draw_thumb(cli_pictures *p, const st_course_view *v,
                      const st_transform *t, double scale, const st_frame *th)
{
    uint8_t *inside = malloc((size_t)th->w * th->h);
    st_image *img = NULL;
    st_error err = {0};
    if (!inside ||
        st_picture_render(&img, v->photo, t, scale, th, inside, &err)) {
        free(inside);
        return -1;
    }
    p->thumb = jpeg_uri(img);
    st_picture_astar(&p->astar, img, inside, v->result->metrics.wb_gains, &err);
    st_image_free(img);
    free(inside);
    if (v->photo == v->baseline)
        st_picture_mask(&p->common, v->common, th, &err);
    return 0;
}

/* The detail de at full resolution: the photo and its texture. */
static void draw_detail(cli_pictures *p, const cli_report *r,
                        const st_course_view *v, const st_transform *t,
                        double scale, const st_frame *de)
{
    st_image *img = NULL;
    st_error err = {0};
    st_status s = st_picture_render(&img, v->photo, t, scale, de, NULL, &err);
    p->detail = picture_uri(s, img);
    s = st_picture_texture(&img, v->photo, v->region,
                           v->result->metrics.wb_gains, t, scale,
                           r->mopt.px_per_mm, de, TEXTURE_RANGE, &err);
    p->texture = picture_uri(s, img);
}

/* The pores of a view inside the detail de (inv: photo -> baseline). */
static void mark_pores(cli_pictures *p, const st_pores *pr,
                       const st_transform *inv, const st_frame *de,
                       double scale)
{
    if (pr->count <= 0 ||
        !(p->pores = malloc((size_t)pr->count * sizeof *p->pores)))
        return;
    for (int k = 0; k < pr->count; k++) {
        double bx, by;
        st_transform_apply(inv, pr->list[k].x, pr->list[k].y, &bx, &by);
        bx -= de->ox, by -= de->oy;
        if (bx < 0 || by < 0 || bx > de->w || by > de->h)
            continue;
        p->pores[p->npores++] = (pore_mark){
            (float)bx, (float)by, (float)(pr->list[k].diameter / 2 / scale)};
    }
}

/* Draws one measured photo. Failing to draw (memory) leaves the photo
 * without pictures; the report says so. */
void cli_report_view(cli_report *r, const st_course_view *v)
{
    const st_course_result *res = v->result;
    const st_region *cm = v->common;
    cli_pictures *p = calloc(1, sizeof *p);
    st_transform t, inv;
    double scale = 1;
    st_frame th, de;
    int cx, cy, bw, bh;

    if (!p || v->index >= r->npics) {
        free(p);
        return;
    }
    p->photo = r->who[v->index];
    r->pics[v->index] = p;
    p->own_frame = !res->registered;
    if (p->own_frame) {
        st_transform_identity(&t);
        st_frame_of_box(&th, 0, 0, v->photo->width, v->photo->height, THUMB);
        cx = v->photo->width / 2, cy = v->photo->height / 2;
        bw = v->photo->width, bh = v->photo->height;
    } else {
        t = res->align.transform;
        scale = res->align.scale > 0 ? res->align.scale : 1;
        st_frame_of_box(&th, cm->x0, cm->y0, cm->x1, cm->y1, THUMB);
        cx = (cm->x0 + cm->x1) / 2, cy = (cm->y0 + cm->y1) / 2;
        bw = cm->x1 - cm->x0, bh = cm->y1 - cm->y0;
    }
    if (st_transform_invert(&t, &inv))
        st_transform_identity(&inv);
    p->tw = th.w, p->th = th.h;
    if (draw_thumb(p, v, &t, scale, &th))
        return;
    /* detail: full resolution at the centre */
    de.step = 1;
    de.w = bw < DETAIL_W ? bw : DETAIL_W;
    de.h = bh < DETAIL_H ? bh : DETAIL_H;
    de.ox = cx - de.w / 2;
    de.oy = cy - de.h / 2;
    p->dw = de.w, p->dh = de.h;
    draw_detail(p, r, v, &t, scale, &de);
    mark_pores(p, &res->metrics.pores, &inv, &de, scale);
}

void cli_report_set_run(cli_report *r, const cli_run *run)
{
    r->run = run;
}

int cli_report_attach(cli_report *r, cli_photo **who, size_t n,
                      const st_metrics_options *mopt)
{
    cli_report_drop(r);
    if (!(r->pics = calloc(n ? n : 1, sizeof *r->pics)))
        return -1;
    r->npics = n;
    r->who = who;
    r->mopt = *mopt;
    return 0;
}

/* ---- the redness map ---- */

/* photo a* minus baseline a*, box-smoothed (radius 2) over the pixels
 * both have in the common region; grey elsewhere. */
static char *redness_map(const cli_pictures *p, const cli_pictures *b)
{
    double *d = NULL;
    st_image *img = NULL;
    st_error err = {0};
    st_status s;

    if (!p->astar || !b->astar || !b->common || b->tw != p->tw ||
        b->th != p->th)
        return NULL;
    s = st_picture_astar_difference(&d, p->astar, b->astar, b->common, p->tw,
                                    p->th, 2, &err);
    if (s == ST_OK)
        s = st_picture_diverging(&img, d, p->tw, p->th, MAP_RANGE, &err);
    free(d);
    return picture_uri(s, img);
}

/* ---- HTML ---- */

cli_report *cli_report_open(const char *path, int share)
{
    cli_report *r = calloc(1, sizeof *r);
    if (!r) {
        cli_error("out of memory");
        return NULL;
    }
    r->share = share;
    if (!(r->path = strdup(path))) {
        cli_error("out of memory");
        free(r);
        return NULL;
    }
    if (!(r->body = tmpfile())) {
        cli_error("cannot write %s: its working copy in the temporary "
                  "folder: %s",
                  path, strerror(errno));
        free(r->path);
        free(r);
        return NULL;
    }
    if (!(r->out = cli_output_open(path))) {
        fclose(r->body);
        free(r->path);
        free(r);
        return NULL;
    }
    return r;
}

static void entries_free(cli_report *r)
{
    for (size_t k = 0; k < r->n_entries; k++) {
        free(r->entries[k].subject);
        free(r->entries[k].region);
    }
    free(r->entries);
    free(r->last_subject);
}

void cli_report_abort(cli_report *r)
{
    if (!r)
        return;
    cli_output_abort(r->out);
    free(r->path);
    fclose(r->body);
    entries_free(r);
    free(r);
}

static const char style[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#222;"
    "background:#f6f7f9}"
    "header,section,footer{max-width:1180px;margin:0 auto;padding:12px 20px}"
    "h1{font-size:24px;margin:10px 0}h2{font-size:20px;margin:28px 0 6px;"
    "border-top:2px solid #d0d4da;padding-top:14px}h3{font-size:16px;"
    "margin:18px 0 6px}"
    ".note{background:#fff4d6;border:1px solid #e8c66a;padding:8px 12px;"
    "border-radius:6px}"
    "table{border-collapse:collapse;background:#fff;font-size:13px}"
    "td,th{border:1px solid #d0d4da;padding:3px 7px;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".viewer{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}"
    ".compare{position:relative;display:inline-block;max-width:100%;"
    "line-height:0;background:#333}"
    ".compare img{max-width:100%;height:auto}"
    ".compare .after-clip{position:absolute;inset:0;"
    "clip-path:inset(0 0 0 50%)}"
    ".compare .after-clip img{width:100%;height:100%}"
    ".compare .tag{position:absolute;top:6px;font:12px sans-serif;"
    "color:#fff;background:rgba(0,0,0,.55);padding:2px 6px;line-height:1.4}"
    ".compare .divider{position:absolute;top:0;bottom:0;left:50%;width:2px;"
    "background:#fff;box-shadow:0 0 3px #000}"
    "input.slider{width:100%;margin:6px 0}"
    ".strip{display:flex;gap:8px;overflow-x:auto;padding:6px 0}"
    ".shot{border:2px solid transparent;background:#fff;padding:3px;"
    "cursor:pointer;font:12px sans-serif;text-align:center;flex:none}"
    ".shot.on{border-color:#1f5fa8}.shot img{height:72px;display:block;"
    "margin:0 auto 2px}"
    ".shot .bad{color:#b02a37}"
    ".maps{display:flex;flex-wrap:wrap;gap:14px}"
    ".maps figure{margin:0;background:#fff;padding:8px;border:1px solid "
    "#d0d4da;width:340px;max-width:100%}"
    ".maps img,.maps svg.map{width:100%;height:auto;display:block}"
    "figcaption{font-size:13px;color:#444;margin-top:4px}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,"
    "minmax(400px,1fr));gap:14px}"
    ".metric{margin:0;background:#fff;padding:8px;border:1px solid #d0d4da}"
    ".metric svg{width:100%;height:auto}"
    ".flags td:first-child{font-weight:600}"
    "a{color:#1f5fa8}[hidden]{display:none!important}"
    ".print-only{display:none}.shared{font-size:13px;color:#444}"
    /* print (and Save as PDF): white paper, no controls, the baseline and
     * the latest photo side by side, each course on its own pages, no
     * chart, map or table row cut across a page break */
    "@media print{@page{size:A4;margin:12mm}"
    "body{background:#fff;font-size:10pt}"
    "header,section,footer{max-width:none;padding:0 0 6px}"
    "input.slider,.divider,.screen-only{display:none!important}"
    ".print-only{display:inline}"
    ".compare{display:flex!important;gap:2%;background:none;line-height:1.2}"
    ".compare img{width:49%}"
    ".compare .after-clip{position:static;clip-path:none!important;"
    "width:49%}.compare .after-clip img{width:100%;height:auto}"
    ".strip{flex-wrap:wrap;overflow:visible}.shot{border:1px solid #ccc}"
    ".shot img{height:56px}"
    "section.course{break-before:page}"
    ".charts{display:block}"
    ".metric{display:inline-block;box-sizing:border-box;width:49%;"
    "margin:0 0.5% 8px 0;vertical-align:top}"
    ".metric,.maps figure,tr,.note,.compare,h2,h3{break-inside:avoid}"
    "h2,h3{break-after:avoid}"
    "a{color:inherit;text-decoration:none}}";

/* Runs once the page has loaded: the photo strip picks the photo shown
 * against the baseline in the slider and in the maps. */
static const char script[] =
    "(function(){\n"
    "document.querySelectorAll('section.course').forEach(function(c){\n"
    "var shots=c.querySelectorAll('.shot'),before=c.querySelector('img."
    "before'),\n"
    "after=c.querySelector('img.after'),clip=c.querySelector('.after-clip'),"
    "\n"
    "range=c.querySelector('input.slider'),maps=c.querySelectorAll('.maps'),"
    "\n"
    "label=c.querySelector('.tag.right');\n"
    "if(!shots.length||!before)return;\n"
    "var b=shots[+c.dataset.base||0];\n"
    "before.src=b.querySelector('img').src;\n"
    "function pick(k){var s=shots[k];after.src=s.querySelector('img').src;\n"
    "label.textContent=s.dataset.label;\n"
    "shots.forEach(function(x,j){x.classList.toggle('on',j===k);});\n"
    "maps.forEach(function(m){m.hidden=+m.dataset.i!==k;});}\n"
    "shots.forEach(function(s,k){s.addEventListener('click',function(){"
    "pick(k);});});\n"
    "var div=c.querySelector('.divider');\n"
    "range.addEventListener('input',function(){clip.style.clipPath="
    "'inset(0 0 0 '+range.value+'%)';div.style.left=range.value+'%';});\n"
    "c.querySelector('.viewer').hidden=false;\n"
    "pick(+c.dataset.latest||0);\n"
    "});\n"
    "document.body.setAttribute('data-ready','1');\n"
    "})();\n";

static int is_lighting(const cli_photo *p, const cli_photo *base)
{
    double a, b;
    st_light_change lc;
    if (!base || !cli_row_ok(p) || p == base)
        return 0;
    a = st_metrics_value(&p->res.metrics, ST_METRIC_L_STAR_MEAN);
    b = st_metrics_value(&base->res.metrics, ST_METRIC_L_STAR_MEAN);
    st_metrics_light_change(&p->res.metrics, &base->res.metrics, &lc);
    return fabs(a - b) > LIGHTING_L_STAR || lc.flags;
}

static void photo_label(char *buf, size_t size, const cli_photo *p);

/* Every photo's colour calibration and light against the baseline's
 * (docs/calibration.md); share: photos by their label, not their path. */
static void write_calibration(FILE *f, cli_photo **rows, size_t n,
                              const cli_photo *base, int share)
{
    char b1[32], b2[32], b3[32], b4[32], b5[32], flags[96];
    if (!base)
        return;
    fputs("<h3>Colour calibration and light</h3><table class=\"flags\">"
          "<tr><th>photo</th><th>target</th><th>chart &Delta;E00</th>"
          "<th>exposure</th><th>red / green</th><th>blue / green</th>"
          "<th>a* shift left</th><th>flags</th></tr>\n",
          f);
    for (size_t k = 0; k < n; k++) {
        const cli_photo *p = rows[k];
        st_light_change lc;
        if (!cli_row_ok(p))
            continue;
        st_metrics_light_change(&p->res.metrics, &base->res.metrics, &lc);
        fputs("<tr><td>", f);
        if (share) {
            char lab[96];
            photo_label(lab, sizeof lab, p);
            html(f, lab[0] ? lab : "a photo");
        } else {
            html(f, p->path);
        }
        fprintf(f,
                "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                "<td>%s</td><td>",
                st_calibration_name(p->res.metrics.calibration),
                num(b1, sizeof b1, p->res.metrics.calibration_delta_e),
                num(b2, sizeof b2, lc.exposure), num(b3, sizeof b3, lc.wb_red),
                num(b4, sizeof b4, lc.wb_blue),
                num(b5, sizeof b5, lc.a_star_shift));
        html(f, st_light_flags_text(lc.flags, flags, sizeof flags));
        fputs("</td></tr>\n", f);
    }
    fputs("</table><p>exposure, red / green and blue / green: the light of "
          "the photo against the baseline's (from the colour chart or card "
          "when there is one, else a shades-of-grey estimate). a* shift "
          "left: how far that light moves the skin's a* in the reported "
          "numbers (0 once both photos are corrected by a target). Flags: a "
          "change that would move a* by more than 1 (or L* by more than 3), "
          "a clipped target or skin, photos calibrated differently.</p>\n",
          f);
}

static void photo_label(char *buf, size_t size, const cli_photo *p)
{
    char date[16];
    const st_course_photo *q = &p->plan;
    if (q->has_date && q->has_days)
        snprintf(buf, size, "%s · day %ld · %s", st_date_format(q->date, date),
                 q->days_since_baseline, st_phase_name(q->phase));
    else if (q->has_date)
        snprintf(buf, size, "%s", st_date_format(q->date, date));
    else
        snprintf(buf, size, "%s", p->planned ? st_phase_name(q->phase) : "");
}

/* Gradient ids must be unique: Chrome does not paint a gradient whose
 * <defs> sit in a hidden (display: none) element, so every legend carries
 * its own. */
static unsigned long legend_ids;

static void legend_bar(FILE *f, const char *label, double range, int diverge)
{
    unsigned long id = ++legend_ids;
    fputs("<svg class=\"legend\" viewBox=\"0 0 300 40\" width=\"300\" "
          "height=\"40\" role=\"img\" aria-label=\"",
          f);
    html(f, label);
    fprintf(f, "\"><defs><linearGradient id=\"lg%lu\">", id);
    for (int k = 0; k <= 8; k++) {
        float rgb[3];
        double t = k / 8.0;
        if (diverge)
            st_ramp_diverging(2 * t - 1, rgb);
        else
            rgb[0] = rgb[1] = rgb[2] = (float)t;
        fprintf(f, "<stop offset=\"%g\" stop-color=\"rgb(%d,%d,%d)\"/>", t,
                (int)lround(rgb[0] * 255), (int)lround(rgb[1] * 255),
                (int)lround(rgb[2] * 255));
    }
    fprintf(f,
            "</linearGradient></defs><rect x=\"10\" y=\"4\" width=\"280\" "
            "height=\"12\" fill=\"url(#lg%lu)\" stroke=\"#888\"/>",
            id);
    for (int k = -2; k <= 2; k++)
        fprintf(f,
                k ? "<text x=\"%g\" y=\"30\" font-family=\"sans-serif\" "
                    "font-size=\"11\" text-anchor=\"middle\">%+g</text>"
                  : "<text x=\"%g\" y=\"30\" font-family=\"sans-serif\" "
                    "font-size=\"11\" text-anchor=\"middle\">%g</text>",
                150 + 70.0 * k, range * k / 2);
    fputs("</svg>", f);
}

/* The points of one chart: registered photos (x, y, marks, tips),
 * low-confidence ones (lx, ly, lmarks) and the sessions' markers. */
typedef struct chart_points {
    double *x, *y, *lx, *ly;
    unsigned char *marks, *lmarks;
    char **tips;
    st_chart_marker *mk;
    char (*mlabel)[16];
    size_t n, m, nl, nm;
} chart_points;

static void points_free(chart_points *pt)
{
    if (pt->tips)
        for (size_t k = 0; k < pt->n; k++)
            free(pt->tips[k]);
    free(pt->x);
    free(pt->y);
    free(pt->lx);
    free(pt->ly);
    free(pt->marks);
    free(pt->lmarks);
    free(pt->tips);
    free(pt->mk);
    free(pt->mlabel);
}

/* Room for n photos; 0, or -1 when out of memory. */
static int points_new(chart_points *pt, size_t n)
{
    memset(pt, 0, sizeof *pt);
    pt->n = n;
    pt->x = calloc(n, sizeof *pt->x), pt->y = calloc(n, sizeof *pt->y);
    pt->lx = calloc(n, sizeof *pt->lx), pt->ly = calloc(n, sizeof *pt->ly);
    pt->marks = calloc(n, 1), pt->lmarks = calloc(n, 1);
    pt->tips = calloc(n, sizeof *pt->tips);
    pt->mk = calloc(n, sizeof *pt->mk);
    pt->mlabel = calloc(n, sizeof *pt->mlabel);
    return pt->x && pt->y && pt->lx && pt->ly && pt->marks && pt->lmarks &&
                   pt->tips && pt->mk && pt->mlabel
               ? 0
               : -1;
}

/* A session's marker at the treatment of p, once per treatment day. */
static void add_marker(chart_points *pt, const cli_photo *p,
                       const cli_photo *base)
{
    double d;
    if (!p->plan.has_treatment_date || !base || !base->plan.has_date)
        return;
    d = (double)(p->plan.treatment_date - base->plan.date);
    for (size_t q = 0; q < pt->nm; q++)
        if (pt->mk[q].x == d)
            return;
    snprintf(pt->mlabel[pt->nm], sizeof pt->mlabel[pt->nm], "S%d",
             p->plan.session);
    pt->mk[pt->nm].x = d;
    pt->mk[pt->nm].label = pt->mlabel[pt->nm];
    pt->nm++;
}

/* The points of metric i over the course. */
static void points_collect(chart_points *pt, cli_photo **rows,
                           const cli_photo *base, int i, int share)
{
    for (size_t k = 0; k < pt->n; k++) {
        const cli_photo *p = rows[k];
        double v;
        char lab[96], buf[32], tip[1024];
        if (!cli_row_ok(p) || !p->plan.has_days)
            continue;
        v = st_metrics_value(&p->res.metrics, i);
        if (p->res.registered) {
            photo_label(lab, sizeof lab, p);
            snprintf(tip, sizeof tip, "%s: %s %s%s%s", lab,
                     num(buf, sizeof buf, v), st_metrics_unit(i),
                     share ? "" : "\n", share ? "" : p->path);
            pt->tips[pt->m] = strdup(tip);
            pt->x[pt->m] = (double)p->plan.days_since_baseline;
            pt->y[pt->m] = v;
            pt->marks[pt->m++] =
                p->plan.phase == ST_PHASE_POST ? ST_CHART_RING : ST_CHART_DOT;
        } else {
            pt->lx[pt->nl] = (double)p->plan.days_since_baseline;
            pt->lmarks[pt->nl] = ST_CHART_CROSS;
            pt->ly[pt->nl++] = v;
        }
        add_marker(pt, p, base);
    }
}

/* A chart's figure: the SVG and what the metric means. */
static void chart_figure(FILE *f, const char *svg, const st_metric_info *info,
                         int has_band)
{
    fputs("<figure class=\"metric\">", f);
    fputs(svg, f);
    fputs("<figcaption>", f);
    if (info->caption) {
        html(f, info->caption);
        fputs(" <b>", f);
        html(f, info->better_text);
        fputs("</b>", f);
    }
    if (has_band)
        fputs(" <span class=\"band-note\">Shaded: the repeatability "
              "around the baseline, how far photos of unchanged skin "
              "differ 95 times in 100 (docs/metrics.md); points inside "
              "it show no change.</span>",
              f);
    else
        fputs(" <span class=\"band-note\">No repeatability figure has "
              "been measured for this metric, so no band is "
              "drawn.</span>",
              f);
    fputs("</figcaption></figure>\n", f);
}

/* The chart of metric i over the course. */
static void write_chart(FILE *f, cli_photo **rows, size_t n,
                        const cli_photo *base, int i, const st_course_trend *tr,
                        int course, int share)
{
    const st_metric_info *info = st_metrics_info(i);
    chart_points pt;
    st_chart_series se[2];
    st_chart c = {0};
    char ylabel[160], id[32], title[120], band[64], *svg = NULL;
    double rc;
    st_error err = {0};

    if (points_new(&pt, n))
        goto done;
    points_collect(&pt, rows, base, i, share);
    se[0] = (st_chart_series){
        NULL, pt.x, pt.y, pt.marks, (const char *const *)pt.tips, pt.m, 1};
    se[1] = (st_chart_series){
        "low confidence", pt.lx, pt.ly, pt.lmarks, NULL, pt.nl, 0};
    snprintf(title, sizeof title, "%s", info->title ? info->title : info->name);
    snprintf(ylabel, sizeof ylabel, "%s (%s)", info->name, info->unit);
    snprintf(id, sizeof id, "c%d-%s", course, info->name);
    c.title = title;
    c.x_label = "days since baseline";
    c.y_label = ylabel;
    c.series = se;
    c.n_series = pt.nl ? 2 : 1;
    c.markers = pt.mk;
    c.n_markers = pt.nm;
    c.has_reference = tr && isfinite(tr->base);
    c.reference = tr ? tr->base : NAN;
    c.reference_label = "baseline";
    if (tr && st_repeat_coefficient(info->name, tr->base, &rc) == 0 && rc > 0) {
        c.has_band = 1;
        c.band_lo = tr->base - rc;
        c.band_hi = tr->base + rc;
        snprintf(band, sizeof band, "repeatability ±%.2g", rc);
        c.band_label = band;
    }
    c.id = id;
    if (st_chart_svg(&c, &svg, NULL, &err) == ST_OK)
        chart_figure(f, svg, info, c.has_band);
done:
    free(svg);
    points_free(&pt);
}

static void write_flags(FILE *f, cli_photo **rows, size_t n,
                        const cli_photo *base, int share)
{
    int any = 0;
    char buf[32], buf2[32];
    for (size_t k = 0; k < n; k++) {
        const cli_photo *p = rows[k];
        const char *kind = NULL;
        if (!cli_row_ok(p))
            kind = "error";
        else if (!p->res.registered)
            kind = "low confidence";
        else if (is_lighting(p, base))
            kind = "lighting";
        if (!kind)
            continue;
        if (!any++)
            fputs("<h3>Flags</h3><table class=\"flags\"><tr><th>flag</th>"
                  "<th>photo</th><th>what it means</th></tr>\n",
                  f);
        fputs("<tr><td>", f);
        html(f, kind);
        fputs("</td><td>", f);
        if (share) {
            char lab[96];
            photo_label(lab, sizeof lab, p);
            html(f, lab[0] ? lab : "a photo");
        } else {
            html(f, p->path);
        }
        fputs("</td><td>", f);
        if (!cli_row_ok(p) && share) {
            fputs("could not be measured (the full report and the CSV say "
                  "why)",
                  f);
        } else if (!cli_row_ok(p)) {
            html(f, cli_row_error(p));
        } else if (!p->res.registered) {
            fprintf(f,
                    "registered to the baseline with low confidence (%s): "
                    "measured on its own frame, left out of the trends and "
                    "drawn as a grey x",
                    num(buf, sizeof buf, p->res.align.confidence));
        } else {
            st_light_change lc;
            char flags[96];
            st_metrics_light_change(&p->res.metrics, &base->res.metrics, &lc);
            fprintf(
                f, "mean lightness L* %s against %s at baseline",
                num(buf, sizeof buf,
                    st_metrics_value(&p->res.metrics, ST_METRIC_L_STAR_MEAN)),
                num(buf2, sizeof buf2,
                    st_metrics_value(&base->res.metrics,
                                     ST_METRIC_L_STAR_MEAN)));
            if (lc.flags)
                fprintf(f, "; light flags: %s",
                        st_light_flags_text(lc.flags, flags, sizeof flags));
            fputs(": the light changed, so colour figures (redness above "
                  "all) may have moved with it; a colour chart or grey card "
                  "in the frame (--white-balance auto) or a reference region "
                  "(--reference-region, the _rel figures) corrects this",
                  f);
        }
        fputs("</td></tr>\n", f);
    }
    if (any)
        fputs("</table>\n", f);
}

/* The maps of p (its pictures pc; the baseline's bpc, or NULL). */
static void write_maps(FILE *f, const cli_photo *p, const cli_pictures *pc,
                       const cli_photo *base, const cli_pictures *bpc, int k)
{
    char buf[32], buf2[32];
    char *red = NULL;

    fprintf(f, "<div class=\"maps\" data-i=\"%d\">", k);
    /* redness */
    fputs("<figure><figcaption><b>Redness against the baseline</b> ", f);
    if (p == base) {
        fputs("This is the baseline: the other photos' redness maps are "
              "measured against it.</figcaption>",
              f);
    } else if (pc->own_frame) {
        fputs("Not registered with confidence, so there is no pixel-by-pixel "
              "comparison.</figcaption>",
              f);
    } else if (base && bpc && (red = redness_map(pc, bpc))) {
        fputs("</figcaption><img class=\"map redness\" alt=\"redness map\" "
              "src=\"",
              f);
        fputs(red, f);
        fputs("\">", f);
        legend_bar(f, "a* difference from the baseline", MAP_RANGE, 1);
        fputs("<figcaption>a* of this photo minus a* of the baseline, "
              "point by point on the skin both show: red where it is redder "
              "than at baseline, blue where it is less red, full colour at "
              "±8 a* units; grey is outside the common region.</figcaption>",
              f);
    } else {
        fputs("Not available.</figcaption>", f);
    }
    free(red);
    fputs("</figure>", f);
    /* pores */
    fputs("<figure><figcaption><b>Pores</b> (a detail at full "
          "resolution)</figcaption>",
          f);
    if (pc->detail) {
        fprintf(f,
                "<svg class=\"map pores\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                "height=\"%d\" role=\"img\" aria-label=\"detected pores\">"
                "<image width=\"%d\" height=\"%d\" href=\"",
                pc->dw, pc->dh, pc->dw, pc->dh, pc->dw, pc->dh);
        fputs(pc->detail, f);
        fputs("\"/><g fill=\"none\" stroke=\"#00e5ff\" stroke-width=\"1.2\">",
              f);
        for (size_t q = 0; q < pc->npores; q++)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>",
                    pc->pores[q].x, pc->pores[q].y, fmax(1.5, pc->pores[q].r));
        fprintf(f,
                "</g></svg><figcaption>Cyan rings: the %zu pores detected in "
                "this %d × %d px detail, drawn at their measured size (%d on "
                "the whole measured skin, mean diameter %s px).</figcaption>",
                pc->npores, pc->dw, pc->dh, p->res.metrics.pores.count,
                num(buf, sizeof buf, p->res.metrics.pores.mean_diameter_px));
    } else {
        fputs("<figcaption>Not available.</figcaption>", f);
    }
    fputs("</figure>", f);
    /* texture */
    fputs("<figure><figcaption><b>Texture</b> (the same detail, "
          "band-passed)</figcaption>",
          f);
    if (pc->texture) {
        fputs("<img class=\"map texture\" alt=\"texture map\" src=\"", f);
        fputs(pc->texture, f);
        fputs("\">", f);
        legend_bar(f, "L* band-passed", TEXTURE_RANGE, 0);
        fprintf(f,
                "<figcaption>Lightness ripples at the texture scales that "
                "roughness measures (L* band-passed, mid grey 0, black and "
                "white ±6 L*); roughness over the whole measured skin: %s "
                "L*, fine texture share %s.</figcaption>",
                num(buf, sizeof buf, p->res.metrics.texture.roughness_rms),
                num(buf2, sizeof buf2, p->res.metrics.texture.fine_share));
    } else {
        fputs("<figcaption>Not available.</figcaption>", f);
    }
    fputs("</figure></div>\n", f);
}

static void write_summary_table(FILE *f, const st_course_trend *tr,
                                const int *has)
{
    char b[5][64];
    fputs("<h3>Summary</h3><p>Baseline against the latest photo that is not "
          "within days of a treatment, and the trend over all such photos "
          "(least squares, ± its standard error, to the digits the error "
          "allows). Repeatability: how far two photos of unchanged skin "
          "differ 95 times in 100 (docs/metrics.md); a change smaller than "
          "it is not a change. The same numbers are in the summary CSV "
          "(<code>--summary</code>).</p>"
          "<table class=\"summary\"><tr><th>metric</th><th>unit</th>"
          "<th>baseline</th><th>latest</th><th>change</th><th>change %</th>"
          "<th>repeatability ±</th><th>trend per 30 days</th><th>photos</th>"
          "</tr>\n",
          f);
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        const st_course_trend *t = &tr[i];
        double rc;
        if (!has[i])
            continue;
        fputs("<tr><td>", f);
        html(f, st_metrics_name(i));
        fputs("</td><td>", f);
        html(f, st_metrics_unit(i));
        fprintf(f,
                "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                "<td class=\"n\">%s</td><td class=\"n\">%s</td>",
                num(b[0], 64, t->base), num(b[1], 64, t->latest_value),
                num(b[2], 64, t->change), num(b[3], 64, t->pct_change));
        if (st_repeat_coefficient(st_metrics_name(i), t->base, &rc) == 0 &&
            rc > 0) {
            snprintf(b[4], 64, "%.2g", rc);
            fprintf(f, "<td class=\"n\">%s%s</td>", b[4],
                    isfinite(t->change) && fabs(t->change) <= rc
                        ? " <small>(change within it)</small>"
                        : "");
        } else {
            fputs("<td class=\"n\">not measured</td>", f);
        }
        fprintf(f, "<td class=\"n\">%s</td>",
                st_chart_format_pm(t->slope30, t->se30, b[0], 64));
        fprintf(f, "<td class=\"n\">%zu</td></tr>\n", t->n);
    }
    fputs("</table>\n", f);
}

/* A new index entry for the course rows[0..n), or NULL when out of
 * memory. */
static struct entry *add_entry(cli_report *r, cli_photo **rows, size_t n,
                               const cli_photo *base)
{
    struct entry *e;
    char who[48];
    if (r->n_entries == r->cap_entries) {
        size_t cap = r->cap_entries ? 2 * r->cap_entries : 16;
        struct entry *v = realloc(r->entries, cap * sizeof *v);
        if (!v)
            return NULL;
        r->entries = v;
        r->cap_entries = cap;
    }
    e = &r->entries[r->n_entries];
    memset(e, 0, sizeof *e);
    if (!r->last_subject || strcmp(r->last_subject, rows[0]->subject)) {
        free(r->last_subject);
        if (!(r->last_subject = strdup(rows[0]->subject)))
            return NULL;
        r->subjects++;
    }
    snprintf(who, sizeof who, "Subject %zu", r->subjects);
    if (!(e->subject = strdup(r->share ? who : rows[0]->subject)) ||
        !(e->region = strdup(rows[0]->region))) {
        free(e->subject);
        return NULL;
    }
    r->n_entries++;
    e->photos = n;
    r->photos += n;
    for (size_t k = 0; k < n; k++) {
        const cli_photo *p = rows[k];
        if (!cli_row_ok(p) || !p->res.registered || is_lighting(p, base))
            e->flags++;
        if (p->plan.has_date) {
            if (!e->first[0])
                st_date_format(p->plan.date, e->first);
            st_date_format(p->plan.date, e->last);
        }
    }
    return e;
}

/* The pictures of rows[k] when it has a thumbnail to show, else NULL. */
static const cli_pictures *shot_of(const cli_report *r, const cli_photo *p)
{
    const cli_pictures *pc = cli_row_ok(p) ? pictures_of(r, p) : NULL;
    return pc && pc->thumb ? pc : NULL;
}

/* The section's opening: its heading and what the course is. */
static void write_heading(cli_report *r, const struct entry *e,
                          cli_photo **rows, size_t n, const cli_photo *base,
                          int course)
{
    FILE *f = r->body;
    size_t k_base = 0, k_latest = 0, shots = 0;
    char date[16];

    fprintf(f, "<section class=\"course\" id=\"course-%d\"", course);
    for (size_t k = 0; k < n; k++)
        if (shot_of(r, rows[k])) {
            if (rows[k] == base)
                k_base = shots;
            if (rows[k]->res.registered)
                k_latest = shots;
            shots++;
        }
    fprintf(f, " data-base=\"%zu\" data-latest=\"%zu\">\n<h2>", k_base,
            k_latest);
    html(f, e->subject);
    if (rows[0]->region[0]) {
        fputs(" — ", f);
        html(f, rows[0]->region);
    }
    fprintf(f, "</h2>\n<p>%zu photo%s", n, n == 1 ? "" : "s");
    if (e->first[0])
        fprintf(f, " from %s to %s", e->first, e->last);
    if (base && r->share) {
        fprintf(f, "; baseline of %s",
                base->plan.has_date ? st_date_format(base->plan.date, date)
                                    : "no known date");
    } else if (base) {
        fputs("; baseline ", f);
        html(f, base->path);
        fprintf(f, " (%s)",
                base->plan.has_date ? st_date_format(base->plan.date, date)
                                    : "undated");
    } else {
        fputs("; the baseline could not be measured, so nothing can be "
              "compared",
              f);
    }
    fputs(".</p>\n", f);
}

/* The before/after viewer, its photo strip and every photo's maps. */
static void write_viewer(cli_report *r, cli_photo **rows, size_t n,
                         const cli_photo *base)
{
    FILE *f = r->body;
    size_t shots = 0;
    for (size_t k = 0; k < n; k++)
        shots += shot_of(r, rows[k]) != NULL;
    if (!shots)
        return;
    fputs("<h3>Before and after</h3>\n"
          "<div class=\"viewer\" hidden><div class=\"compare\">"
          "<img class=\"before view\" alt=\"baseline\">"
          "<div class=\"after-clip\"><img class=\"after view\" "
          "alt=\"selected photo\"></div><div class=\"divider\"></div>"
          "<span class=\"tag\" style=\"left:6px\">baseline</span>"
          "<span class=\"tag right\" style=\"right:6px\"></span></div>"
          "<input class=\"slider\" type=\"range\" min=\"0\" max=\"100\" "
          "value=\"50\" aria-label=\"slide between the baseline and the "
          "selected photo\"></div>\n"
          "<p>Each photo turned, shifted and scaled onto the baseline and "
          "cropped to the skin every photo shows.<span "
          "class=\"screen-only\"> Pick a photo; drag the slider to "
          "compare it with the baseline.</span><span "
          "class=\"print-only\"> Left the baseline, right the latest "
          "photo.</span></p>\n"
          "<div class=\"strip\">",
          f);
    for (size_t k = 0; k < n; k++) {
        const cli_photo *p = rows[k];
        const cli_pictures *pc = shot_of(r, p);
        char lab[96];
        if (!pc)
            continue;
        photo_label(lab, sizeof lab, p);
        fputs("<button class=\"shot\" type=\"button\" data-label=\"", f);
        html(f, lab);
        if (!r->share) {
            fputs("\" title=\"", f);
            html(f, p->path);
        }
        fputs("\"><img class=\"photo\" alt=\"", f);
        html(f, lab);
        fputs("\" src=\"", f);
        fputs(pc->thumb, f);
        fputs("\"><span>", f);
        html(f, lab);
        fputs("</span>", f);
        if (!p->res.registered)
            fputs("<br><span class=\"bad\">low confidence</span>", f);
        fputs("</button>", f);
    }
    fputs("</div>\n<h3>Maps</h3>\n", f);
    for (size_t k = 0, s = 0; k < n; k++) {
        const cli_pictures *pc = shot_of(r, rows[k]);
        if (pc)
            write_maps(f, rows[k], pc, base, pictures_of(r, base), (int)s++);
    }
}

/* Charts and the summary table of a course with a baseline. 0, or -1
 * (not reported) when out of memory. */
static int write_trends(cli_report *r, cli_photo **rows, size_t n,
                        const cli_photo *base, int course)
{
    FILE *f = r->body;
    st_course_trend tr[ST_METRICS_COUNT];
    int has[ST_METRICS_COUNT] = {0};
    size_t ib;
    st_course_row *sr = cli_stat_rows(rows, n, base, &ib);
    st_error err = {0};

    if (!sr)
        return -1;
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        if (st_course_trend_of(sr, n, ib, i, &tr[i], &err)) {
            free(sr);
            return -1;
        }
        has[i] = tr[i].defined && isfinite(tr[i].base);
    }
    free(sr);
    fputs("<h3>Measurements over time</h3>\n<p>Dots: photos on the skin "
          "every photo shows; rings: photos within days of a treatment "
          "(acute redness and swelling, left out of the trends); dashed "
          "lines: treatment sessions (S1, S2, …) and the baseline "
          "value; shaded: the repeatability.<span class=\"screen-only\"> "
          "Hover a point for its photo.</span></p>\n<div "
          "class=\"charts\">\n",
          f);
    for (int i = 0; i < ST_METRICS_COUNT; i++)
        if (has[i])
            write_chart(f, rows, n, base, i, &tr[i], course, r->share);
    fputs("</div>\n", f);
    write_summary_table(f, tr, has);
    return 0;
}

int cli_report_course(cli_report *r, cli_photo **rows, size_t n,
                      const cli_photo *base)
{
    FILE *f = r->body;
    struct entry *e;
    int course = (int)r->n_entries + 1, rc = -1;

    if (!(e = add_entry(r, rows, n, base)))
        goto done;
    write_heading(r, e, rows, n, base, course);
    write_flags(f, rows, n, base, r->share);
    write_calibration(f, rows, n, base, r->share);
    write_viewer(r, rows, n, base);
    if (base && write_trends(r, rows, n, base, course))
        goto done;
    fputs("<p><a href=\"#top\">Back to the index</a></p></section>\n", f);
    if (fflush(f) != 0 || ferror(f)) {
        cli_error("cannot write %s: its working copy in the temporary "
                  "folder: %s",
                  r->path, strerror(errno ? errno : EIO));
        goto drop;
    }
    rc = 0;
done:
    if (rc)
        cli_error("out of memory writing the report");
drop:
    cli_report_drop(r);
    return rc;
}

int cli_report_zones(cli_report *r, const cli_photo *base,
                     const st_image *photo)
{
    static const char *const names[ST_ZONE_COUNT] = {
        "forehead", "left cheek", "right cheek", "nose", "chin"};
    FILE *f = r->body;
    st_image *pic = NULL;
    st_error err = {0};
    char *uri;

    if (st_face_draw_zones(&pic, photo, base->res.face->zones, THUMB, &err)) {
        cli_error("%s: zones picture: %s", base->path, st_error_text(&err));
        return -1;
    }
    uri = jpeg_uri(pic);
    st_image_free(pic);
    if (!uri) {
        cli_error("out of memory writing the report");
        return -1;
    }
    fputs("<section class=\"zones\"><h2>", f);
    html(f, base->subject);
    fputs(" — face zones on the baseline</h2>\n<figure><img class=\"zones\" "
          "alt=\"the baseline with its face zones outlined\" src=\"",
          f);
    fputs(uri, f);
    fputs("\"><figcaption>Each photo is measured on the zones of its own "
          "face landmarks, cut to its skin; the sections below chart every "
          "metric zone by zone. ",
          f);
    for (int z = 0; z < ST_ZONE_COUNT; z++) {
        unsigned char c[3];
        st_zone_colour(z, c);
        fprintf(f,
                "<span style=\"color:#%02x%02x%02x\">&#9632;</span> %s "
                "(%zu px)%s",
                c[0], c[1], c[2], names[z],
                base->res.face->zones[z] ? base->res.face->zones[z]->count : 0,
                z < ST_ZONE_COUNT - 1 ? ", " : ".");
    }
    fputs(" Left and right are the subject's own.</figcaption></figure>"
          "</section>\n",
          f);
    free(uri);
    return 0;
}

/* A command-line word as a shell would need it: quoted unless it is
 * made of safe characters only. */
static void shell_word(FILE *f, const char *w)
{
    int safe = *w != '\0';
    for (const char *s = w; *s && safe; s++)
        safe = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789-_./:,=+@%",
                      *s) != NULL;
    if (safe) {
        html(f, w);
        return;
    }
    fputc('\'', f);
    for (const char *s = w; *s; s++) {
        char c[2] = {*s, '\0'};
        html(f, *s == '\'' ? "'\\''" : c);
    }
    fputc('\'', f);
}

/* "How this report was made": version, command line, settings. */
static void write_run(FILE *f, const cli_run *run, int share)
{
    cli_setting s[CLI_MAX_SETTINGS];
    size_t n = cli_run_settings(run, s);
    fprintf(f,
            "<section class=\"run\" id=\"run\"><h2>How this report was "
            "made</h2><p>skintrack %s, so that it can be made again and "
            "checked: %s every setting it ran with (defaults filled in). "
            "<code>--meta FILE.json</code> writes the same record for "
            "scripts.</p>\n",
            st_version(),
            share ? "(in this shared copy without its command line, which "
                    "names files)"
                  : "the command and");
    if (!share) {
        fputs("<p class=\"cmd\"><code>skintrack", f);
        for (int i = 0; i < run->argc; i++) {
            fputc(' ', f);
            shell_word(f, run->argv[i]);
        }
        fputs("</code></p>\n", f);
    }
    fputs("<table class=\"settings\"><tr><th>setting</th>"
          "<th>value</th></tr>\n",
          f);
    for (size_t k = 0; k < n; k++) {
        fputs("<tr><td>", f);
        html(f, s[k].key);
        fputs("</td><td>", f);
        html(f, !s[k].has_value         ? "–"
                : share && s[k].is_path ? "(a file, left out of this copy)"
                                        : s[k].value);
        fputs("</td></tr>\n", f);
    }
    fputs("</table></section>\n", f);
}

st_output *cli_report_finish(cli_report *r)
{
    FILE *f = st_output_stream(r->out);
    st_output *out = r->out;
    char buf[65536];
    size_t got;

    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
          "'none'; img-src data:; style-src 'unsafe-inline'; script-src "
          "'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n"
          "<title>skintrack report</title>\n<style>",
          f);
    fputs(style, f);
    fputs("</style></head>\n<body>\n<header id=\"top\"><h1>skintrack "
          "report</h1>\n<p class=\"note\"><b>These are measurements of "
          "photographs, not a diagnosis.</b> Lighting, camera, distance and "
          "pose change them too; read them together with the photos and "
          "with a clinician.</p>\n",
          f);
    if (r->share)
        fputs("<p class=\"shared\">This copy is for sharing: it names no "
              "file and no folder (subjects are numbered).</p>\n",
              f);
    fprintf(f,
            "<p>%zu photo%s in %zu course%s. Each course is one person's "
            "region photographed over time: every photo is registered to the "
            "first (the baseline) and measured on the skin they all "
            "show.</p>\n",
            r->photos, r->photos == 1 ? "" : "s", r->n_entries,
            r->n_entries == 1 ? "" : "s");
    fputs("<table class=\"index\"><tr><th>subject</th><th>region</th>"
          "<th>photos</th><th>from</th><th>to</th><th>flags</th></tr>\n",
          f);
    for (size_t k = 0; k < r->n_entries; k++) {
        const struct entry *e = &r->entries[k];
        fprintf(f, "<tr><td><a href=\"#course-%zu\">", k + 1);
        html(f, e->subject);
        fputs("</a></td><td>", f);
        html(f, e->region);
        fprintf(f,
                "</td><td class=\"n\">%zu</td><td>%s</td><td>%s</td>"
                "<td class=\"n\">%zu</td></tr>\n",
                e->photos, e->first, e->last, e->flags);
    }
    fputs("</table></header>\n<main>\n", f);
    rewind(r->body);
    while ((got = fread(buf, 1, sizeof buf, r->body)) > 0)
        fwrite(buf, 1, got, f);
    if (r->run)
        write_run(f, r->run, r->share);
    fprintf(f,
            "</main>\n<footer><p class=\"note\">Measurements, not a "
            "diagnosis.</p><p>Made by skintrack %s. The numbers are those "
            "of <code>skintrack course</code> on the same photos with the "
            "same options; docs/metrics.md defines each one.</p></footer>\n"
            "<script>",
            st_version());
    fputs(script, f);
    fputs("</script>\n</body></html>\n", f);
    if (ferror(r->body)) {
        cli_error("cannot write %s: cannot read back its working copy in "
                  "the temporary folder",
                  r->path);
        cli_output_abort(out);
        out = NULL;
    }
    fclose(r->body);
    entries_free(r);
    free(r->path);
    free(r);
    return out;
}
