/* skintrack tests — texture metrics on phantoms of known spectrum.
 *
 * 1/f^beta noise is made in the frequency domain (amplitude f^(-beta/2),
 * random phase), so its spectral slope is -beta by construction; line
 * phantoms are sums of thin lines at a known angle.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#define N 512

static uint64_t rng = 42;
static double urand(void)
{
    rng = rng * 6364136223846793005u + 1442695040888963407u;
    return (double)(rng >> 11) / 9007199254740992.0;
}
static double nrand(void)
{
    double u = urand() + 1e-300, v = urand();
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

/* An N x N L* plane: 60 + sd * (1/f^beta noise of unit variance). */
static st_lab_planes *noise_planes(double beta, double sd)
{
    st_lab_planes *p = calloc(1, sizeof *p);
    size_t nc = (size_t)N * (N / 2 + 1);
    float *re = st_fft_alloc((size_t)N * N), *sp = st_fft_alloc(2 * nc);
    double sum2 = 0;
    p->width = p->height = N;
    p->L = calloc((size_t)N * N, sizeof(float));
    p->a = calloc((size_t)N * N, sizeof(float));
    p->b = calloc((size_t)N * N, sizeof(float));
    for (size_t i = 0; i < (size_t)N * N; i++)
        re[i] = (float)nrand();
    st_fft_forward(N, N, re, sp, NULL);
    for (int ky = 0; ky < N; ky++)
        for (int kx = 0; kx <= N / 2; kx++) {
            double fy = (ky <= N / 2 ? ky : ky - N) / (double)N;
            double f = hypot(kx / (double)N, fy);
            double g = f > 0 ? pow(f, -beta / 2) : 0;
            size_t i = (size_t)ky * (N / 2 + 1) + kx;
            sp[2 * i] *= (float)g;
            sp[2 * i + 1] *= (float)g;
        }
    st_fft_inverse(N, N, sp, re, NULL);
    for (size_t i = 0; i < (size_t)N * N; i++)
        sum2 += (double)re[i] * re[i];
    for (size_t i = 0; i < (size_t)N * N; i++)
        p->L[i] = (float)(60 + sd * re[i] / sqrt(sum2 / ((double)N * N)));
    st_fft_free(re);
    st_fft_free(sp);
    return p;
}

static st_region *full(void)
{
    st_region *r;
    st_error err = {0};
    assert_int_equal(st_region_full(&r, N, N, &err), ST_OK);
    return r;
}

static st_texture measure(const st_lab_planes *p, const st_region *r)
{
    st_texture t;
    st_error err = {0};
    assert_int_equal(st_texture_measure(p, r, 0, 1, &t, &err), ST_OK);
    return t;
}

static void test_slope(void **state)
{
    st_region *r = full();
    (void)state;
    for (double beta = 1.5; beta <= 3.51; beta += 0.5) {
        st_lab_planes *p = noise_planes(beta, 3);
        st_texture t = measure(p, r);
        print_message("beta %.1f: slope %.3f, shares %.3f %.3f %.3f, "
                      "anisotropy %.3f, roughness %.3f\n",
                      beta, t.spectral_slope, t.fine_share, t.medium_share,
                      t.coarse_share, t.anisotropy, t.roughness_rms);
        assert_float_equal(t.spectral_slope, -beta, 0.1);
        assert_float_equal(t.fine_share + t.medium_share + t.coarse_share, 1,
                           1e-9);
        assert_true(t.anisotropy < 0.1);
        st_lab_planes_free(p);
    }
    st_region_free(r);
}

/* Thin dark lines at angle phi (screen CCW) over mild isotropic noise. */
static st_lab_planes *lines(double phi_deg, double strength)
{
    st_lab_planes *p = noise_planes(2.5, 1);
    double phi = phi_deg * 3.14159265358979 / 180;
    double dx = cos(phi), dy = -sin(phi); /* line direction, y down */
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            /* distance across the lines, lines every 9 px */
            double d = x * -dy + y * dx;
            double m = fmod(fmod(d, 9.0) + 9.0, 9.0);
            double prof = exp(-(m - 4.5) * (m - 4.5) / 2.0);
            p->L[(size_t)y * N + x] -= (float)(strength * prof);
        }
    return p;
}

static void test_orientation(void **state)
{
    st_region *r = full();
    double prev = -1;
    (void)state;
    for (double phi = 0; phi < 180; phi += 30) {
        st_lab_planes *p = lines(phi + 7, 3);
        st_texture t = measure(p, r);
        double d = fabs(t.orientation_deg - (phi + 7));
        d = fmin(d, 180 - d);
        print_message("lines at %.0f: orientation %.2f, anisotropy %.3f\n",
                      phi + 7, t.orientation_deg, t.anisotropy);
        assert_true(d <= 1.0);
        st_lab_planes_free(p);
    }
    for (double s = 0.5; s <= 4.1; s *= 2) {
        st_lab_planes *p = lines(30, s);
        st_texture t = measure(p, r);
        assert_true(t.anisotropy > prev);
        prev = t.anisotropy;
        st_lab_planes_free(p);
    }
    st_region_free(r);
}

/* An irregular region: what lies outside it, and its edge, must not add
 * texture. The same texture inside a disc, with the outside replaced by a
 * black frame, gives band energies within 1%. */
static void test_region_edge(void **state)
{
    st_lab_planes *a = noise_planes(2.5, 3), *b = noise_planes(2.5, 3);
    st_region *disc;
    st_error err = {0};
    st_texture ta, tb;
    (void)state;

    memcpy(b->L, a->L, (size_t)N * N * sizeof(float));
    assert_int_equal(st_region_full(&disc, N, N, &err), ST_OK);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            int inside = hypot(x - 250.0, y - 260.0) < 200;
            disc->mask[(size_t)y * N + x] = (uint8_t)inside;
            if (!inside)
                b->L[(size_t)y * N + x] = 0; /* black */
        }
    st_region_update(disc);
    ta = measure(a, disc);
    tb = measure(b, disc);
    assert_float_equal(tb.roughness_rms / ta.roughness_rms, 1, 0.01);
    assert_float_equal(tb.fine_share / ta.fine_share, 1, 0.01);
    assert_float_equal(tb.medium_share / ta.medium_share, 1, 0.01);
    assert_float_equal(tb.coarse_share / ta.coarse_share, 1, 0.01);
    /* and the disc agrees with the whole image on the slope */
    {
        st_region *all = full();
        assert_float_equal(ta.spectral_slope, measure(a, all).spectral_slope,
                           0.1);
        st_region_free(all);
    }
    st_lab_planes_free(a);
    st_lab_planes_free(b);
    st_region_free(disc);
}

/* The band-pass picture keeps a ripple of 16 px period (medium band) at
 * its amplitude and drops one of 64 px (coarse) and one of 3 px (finer
 * than any band), away from the taper at the edge. */
static void test_bandpass(void **state)
{
    st_lab_planes *p = noise_planes(2.5, 0);
    st_region *r = full();
    st_error err = {0};
    float *bp = NULL;
    double worst = 0, rms = 0, n = 0;
    const double A = 2, k16 = 2 * 3.141592653589793 / 16,
                 k64 = 2 * 3.141592653589793 / 64;
    (void)state;
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++)
            p->L[(size_t)y * N + x] =
                (float)(60 + A * cos(k16 * x) + 3 * cos(k64 * y) +
                        cos(2 * 3.141592653589793 * (x + y) / 3.0));
    assert_int_equal(st_texture_bandpass(p, r, 0, 1, &bp, &err), ST_OK);
    for (int y = 120; y < N - 120; y++)
        for (int x = 120; x < N - 120; x++) {
            double want = A * cos(k16 * x), d = bp[(size_t)y * N + x] - want;
            worst = fmax(worst, fabs(d));
            rms += d * d, n++;
        }
    rms = sqrt(rms / n);
    assert_true(worst < 0.05 * A);
    assert_true(rms < 0.02 * A);
    /* outside the region: 0 */
    free(bp);
    st_region_free(r);
    assert_int_equal(st_region_rect(&r, N, N, 100, 100, 300, 300, &err), ST_OK);
    assert_int_equal(st_texture_bandpass(p, r, 0, 1, &bp, &err), ST_OK);
    assert_true(bp[(size_t)50 * N + 50] == 0 && bp[(size_t)450 * N + 450] == 0);
    assert_true(fabs(bp[(size_t)250 * N + 256] - A * cos(k16 * 256)) <
                0.05 * A);
    free(bp);
    st_region_free(r);
    st_lab_planes_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slope),
        cmocka_unit_test(test_orientation),
        cmocka_unit_test(test_region_edge),
        cmocka_unit_test(test_bandpass),
    };
    return cmocka_run_group_tests_name("texture", tests, NULL, NULL);
}
