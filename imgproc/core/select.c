/* skintrack — the k-th smallest of an array of floats.
 *
 *   st_select_k         k-th smallest, the array partitioned about it
 *   st_select_k_value   k-th smallest, the array's contents then undefined
 *
 * A radix selection on the floats' bits: a float's IEEE 754 bits, with
 * the sign bit flipped for positives and every bit flipped for negatives,
 * order as unsigned integers exactly as the floats do (-0 is taken as +0).
 * Three passes of 11, 11 and 10 bits each count the candidates' digits,
 * find the digit holding the k-th and move its candidates to the front;
 * the last pass leaves the value. A final pass partitions the array about
 * it (st_select_k_value skips that pass and copies the candidates forward
 * over the others instead of swapping them: it only needs the value). No
 * comparisons that mispredict: some four times faster than Hoare's
 * selection on the 1 000 - 3 000 samples of a pore tile's spread or a
 * sharpness block (pores.c), and the same value. NaNs are not allowed.
 */
#include <stdint.h>
#include <string.h>

#include "core/core_internal.h"

/* The float's order-preserving unsigned key. */
static uint32_t key(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if (u == 0x80000000u)
        u = 0;
    return u & 0x80000000u ? ~u : u | 0x80000000u;
}

static float unkey(uint32_t k)
{
    uint32_t u = k & 0x80000000u ? k & 0x7fffffffu : ~k;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Moves the candidates v[0..m) whose digit (key >> shift & (nb - 1))
 * holds the *k-th smallest of them to the front; returns how many, and
 * makes *k the rank among them. keep: the others stay in v[w..m) (swaps);
 * else they are overwritten (a plain copy forward, which is faster). */
static size_t narrow(float *v, size_t m, size_t *k, int shift, uint32_t nb,
                     int keep)
{
    uint32_t cnt[2048], d = 0;
    size_t below = 0, w = 0;
    memset(cnt, 0, nb * sizeof *cnt);
    for (size_t i = 0; i < m; i++)
        cnt[key(v[i]) >> shift & (nb - 1)]++;
    while (below + cnt[d] <= *k)
        below += cnt[d++];
    *k -= below;
    if (keep)
        for (size_t i = 0; i < m; i++) {
            float t = v[i];
            int in = (key(t) >> shift & (nb - 1)) == d;
            v[i] = v[w];
            v[w] = t;
            w += (size_t)in;
        }
    else
        for (size_t i = 0; i < m; i++) {
            float t = v[i];
            v[w] = t;
            w += (size_t)((key(t) >> shift & (nb - 1)) == d);
        }
    return w;
}

/* The k-th smallest's value by the three passes; keep as in narrow. */
static float radix_value(float *v, size_t n, size_t k, int keep)
{
    size_t m = narrow(v, n, &k, 21, 2048, keep);
    if (m > 1)
        m = narrow(v, m, &k, 10, 2048, keep);
    if (m > 1)
        m = narrow(v, m, &k, 0, 1024, keep);
    return unkey(key(v[0])); /* every candidate left has the same key */
}

float st_select_k_value(float *v, size_t n, size_t k)
{
    return radix_value(v, n, k, 0);
}

float st_select_k(float *v, size_t n, size_t k)
{
    size_t j = 0;
    float x = radix_value(v, n, k, 1);
    /* partition about x: the smaller first, then those equal */
    for (size_t i = 0; i < n; i++) {
        float t = v[i];
        int lt = t < x;
        v[i] = v[j];
        v[j] = t;
        j += (size_t)lt;
    }
    for (size_t i = j; i < n && j <= k; i++)
        if (v[i] == x) {
            float t = v[i];
            v[i] = v[j];
            v[j++] = t;
        }
    return v[k];
}
