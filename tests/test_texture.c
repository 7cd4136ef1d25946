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

/* An n x n L* plane: 60 + sd * (1/f^beta noise of unit variance), with
 * no power below f_lo cycles/px. With exact, every Fourier coefficient of
 * the noise has modulus f^(-beta/2) exactly (white noise's phases kept,
 * its moduli set to 1 before the shaping), so its power spectrum is
 * f^-beta with no scatter. */
static st_l_plane *shaped_planes(int n, double beta, double sd, int exact,
                                 double f_lo)
{
    st_l_plane *p = calloc(1, sizeof *p);
    size_t nc = (size_t)n * (n / 2 + 1);
    float *re = st_fft_alloc((size_t)n * n), *sp = st_fft_alloc(2 * nc);
    double sum2 = 0;
    p->width = p->height = n;
    p->L = calloc((size_t)n * n, sizeof(float));
    for (size_t i = 0; i < (size_t)n * n; i++)
        re[i] = (float)nrand();
    st_fft_forward(n, n, re, sp, NULL);
    for (int ky = 0; ky < n; ky++)
        for (int kx = 0; kx <= n / 2; kx++) {
            double fy = (ky <= n / 2 ? ky : ky - n) / (double)n;
            double f = hypot(kx / (double)n, fy);
            double g = f > 0 && f >= f_lo ? pow(f, -beta / 2) : 0;
            size_t i = (size_t)ky * (n / 2 + 1) + kx;
            double mod = hypot(sp[2 * i], sp[2 * i + 1]);
            if (exact)
                g = mod > 0 ? g / mod : 0;
            sp[2 * i] *= (float)g;
            sp[2 * i + 1] *= (float)g;
        }
    st_fft_inverse(n, n, sp, re, NULL);
    for (size_t i = 0; i < (size_t)n * n; i++)
        sum2 += (double)re[i] * re[i];
    for (size_t i = 0; i < (size_t)n * n; i++)
        p->L[i] = (float)(60 + sd * re[i] / sqrt(sum2 / ((double)n * n)));
    st_fft_free(re);
    st_fft_free(sp);
    return p;
}

static st_l_plane *noise_planes(double beta, double sd)
{
    return shaped_planes(N, beta, sd, 0, 0);
}

static st_region *full(void)
{
    st_region *r;
    st_error err = {0};
    assert_int_equal(st_region_full(&r, N, N, &err), ST_OK);
    return r;
}

static st_texture measure(const st_l_plane *p, const st_region *r)
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
        st_l_plane *p = noise_planes(beta, 3);
        st_texture t = measure(p, r);
        print_message("beta %.1f: slope %.3f, shares %.3f %.3f %.3f, "
                      "anisotropy %.3f, roughness %.3f\n",
                      beta, t.spectral_slope, t.fine_share, t.medium_share,
                      t.coarse_share, t.anisotropy, t.roughness_rms);
        assert_float_equal(t.spectral_slope, -beta, 0.1);
        assert_true(t.anisotropy < 0.1);
        st_l_plane_free(p);
    }
    st_region_free(r);
}

/* What 1/f^beta texture puts in each band, from its spectrum alone: the
 * power at every frequency (kx, ky) / n of the n x n grid is f^-beta (0
 * below f_lo), so a band's energy is the sum of f^-beta over the grid
 * frequencies inside it (fine 1/8-1/4, medium 1/32-1/8, coarse 1/128-1/32
 * cycles/px), and the variance in the fine and medium bands is that sum's
 * share of the sum over every frequency (Parseval). */
static void expected_bands(int n, double beta, double f_lo, double share[3],
                           double *rough_frac)
{
    const double lo[3] = {1.0 / 8, 1.0 / 32, 1.0 / 128};
    const double hi[3] = {1.0 / 4, 1.0 / 8, 1.0 / 32};
    double e[3] = {0, 0, 0}, all = 0;
    for (int ky = -n / 2; ky < n / 2; ky++)
        for (int kx = -n / 2; kx < n / 2; kx++) {
            double f = hypot(kx, ky) / n, p;
            if (f == 0 || f < f_lo)
                continue;
            p = pow(f, -beta);
            all += p;
            for (int b = 0; b < 3; b++)
                if (f >= lo[b] && f < hi[b])
                    e[b] += p;
        }
    for (int b = 0; b < 3; b++)
        share[b] = e[b] / (e[0] + e[1] + e[2]);
    *rough_frac = (e[0] + e[1]) / all;
}

/* Band shares and roughness of 1/f^beta texture against expected_bands
 * (the sum to 1 of the shares holds by construction and tests nothing).
 * The phantom's power is exactly f^-beta at every coefficient, so the
 * measurement can differ from the sums only through the taper, a 32 px
 * ramp at each edge of the 1024 px frame. Dividing by the taper's mean
 * square (as st_texture_measure does) keeps the variance of a stationary
 * texture; what the taper changes is the resolution of the spectrum: it
 * spreads each coefficient's power over its neighbours like a box of 1024
 * px, a fraction of about 1/(pi^2 d) beyond d grid steps on one side.
 * Power below 1/128 cycles/px (8 steps) would leak into the coarse band by
 * that much from coefficients f^-beta times stronger (for beta 3.5 it
 * makes the shares wrong by tens of %), so the phantom has none: it is
 * 1/f^beta texture high-passed at the coarse band's lower edge, as skin
 * is once the lighting gradient is gone. What is left is the coarse band
 * losing power across that edge: summing 1/(pi^2 d) over its radial
 * energy 2 pi f^(1-beta), heaviest at the edge, bounds the loss by 4%
 * for beta 3.5 (less for smaller beta; in 2-D less still, as a box's
 * sidelobes run along the axes, mostly along a round edge, and the medium
 * band's power leaks back in). So each share within 4% of its value.
 * Roughness is the fine and medium bands' share of all the variance: its
 * bands' edges (1/32, 1/4) are 32 and more steps out, and the coarse
 * loss enters through the total under a square root: within 2%. */
static void test_band_truth(void **state)
{
    const int n = 1024;
    const double f_lo = 1.0 / 128;
    st_region *r;
    st_error err = {0};
    (void)state;
    assert_int_equal(st_region_full(&r, n, n, &err), ST_OK);
    for (double beta = 1.5; beta <= 3.51; beta += 0.5) {
        const double sd = 3;
        st_l_plane *p = shaped_planes(n, beta, sd, 1, f_lo);
        st_texture t = measure(p, r);
        const double got[3] = {t.fine_share, t.medium_share, t.coarse_share};
        double want[3], frac, rough;
        expected_bands(n, beta, f_lo, want, &frac);
        rough = sd * sqrt(frac);
        print_message("beta %.1f: shares %.4f %.4f %.4f (want %.4f %.4f "
                      "%.4f), roughness %.4f (want %.4f)\n",
                      beta, got[0], got[1], got[2], want[0], want[1], want[2],
                      t.roughness_rms, rough);
        for (int b = 0; b < 3; b++)
            assert_float_equal(got[b], want[b], 0.04 * want[b]);
        assert_float_equal(t.roughness_rms, rough, 0.02 * rough);
        st_l_plane_free(p);
    }
    st_region_free(r);
}

/* Thin dark lines at angle phi (screen CCW) over mild isotropic noise. */
static st_l_plane *lines(double phi_deg, double strength)
{
    st_l_plane *p = noise_planes(2.5, 1);
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
        st_l_plane *p = lines(phi + 7, 3);
        st_texture t = measure(p, r);
        double d = fabs(t.orientation_deg - (phi + 7));
        d = fmin(d, 180 - d);
        print_message("lines at %.0f: orientation %.2f, anisotropy %.3f\n",
                      phi + 7, t.orientation_deg, t.anisotropy);
        assert_true(d <= 1.0);
        st_l_plane_free(p);
    }
    for (double s = 0.5; s <= 4.1; s *= 2) {
        st_l_plane *p = lines(30, s);
        st_texture t = measure(p, r);
        assert_true(t.anisotropy > prev);
        prev = t.anisotropy;
        st_l_plane_free(p);
    }
    st_region_free(r);
}

/* An irregular region: what lies outside it, and its edge, must not add
 * texture. The same texture inside a disc, with the outside replaced by a
 * black frame, gives band energies within 1%. */
static void test_region_edge(void **state)
{
    st_l_plane *a = noise_planes(2.5, 3), *b = noise_planes(2.5, 3);
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
    st_l_plane_free(a);
    st_l_plane_free(b);
    st_region_free(disc);
}

/* The band-pass picture keeps a ripple of 16 px period (medium band) at
 * its amplitude and drops one of 64 px (coarse) and one of 3 px (finer
 * than any band), away from the taper at the edge. */
static void test_bandpass(void **state)
{
    st_l_plane *p = noise_planes(2.5, 0);
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
    st_l_plane_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slope),       cmocka_unit_test(test_band_truth),
        cmocka_unit_test(test_orientation), cmocka_unit_test(test_region_edge),
        cmocka_unit_test(test_bandpass),
    };
    return cmocka_run_group_tests_name("texture", tests, NULL, NULL);
}
