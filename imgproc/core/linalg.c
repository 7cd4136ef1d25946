/* skintrack — small dense linear algebra shared by the families.
 *
 *   st_solve_n       n x n system, A row by row (registration's fits)
 *   st_solve         n x n system, n <= 6, A as rows of 6 (tone, dense
 *                    registration's Gauss-Newton step)
 *   st_mat3_adjugate the adjugate and determinant of a 3 x 3 matrix
 *
 * Gaussian elimination with partial pivoting; the two solvers differ only
 * in the pivot below which a system is called singular, which each caller
 * chose for its scale. */
#include <math.h>
#include <string.h>

#include "core/core_internal.h"

/* Solves in place; -1 if a pivot is not above tiny (or NaN) or a solution
 * is not finite. */
static int gauss(int n, double *A, double *b, double *x, double tiny)
{
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(A[r * n + c]) > fabs(A[p * n + c]))
                p = r;
        if (!(fabs(A[p * n + c]) > tiny))
            return -1;
        if (p != c) {
            for (int k = 0; k < n; k++) {
                double t = A[c * n + k];
                A[c * n + k] = A[p * n + k];
                A[p * n + k] = t;
            }
            double t = b[c];
            b[c] = b[p];
            b[p] = t;
        }
        for (int r = c + 1; r < n; r++) {
            double f = A[r * n + c] / A[c * n + c];
            for (int k = c; k < n; k++)
                A[r * n + k] -= f * A[c * n + k];
            b[r] -= f * b[c];
        }
    }
    for (int r = n - 1; r >= 0; r--) {
        double s = b[r];
        for (int k = r + 1; k < n; k++)
            s -= A[r * n + k] * x[k];
        x[r] = s / A[r * n + r];
        if (!isfinite(x[r]))
            return -1;
    }
    return 0;
}

int st_solve_n(int n, double *A, double *b, double *x)
{
    return gauss(n, A, b, x, 1e-300);
}

int st_solve(int n, double A[6][6], double b[6], double x[6])
{
    double flat[36];
    if (n < 1 || n > 6)
        return -1;
    for (int r = 0; r < n; r++)
        memcpy(flat + r * n, A[r], (size_t)n * sizeof(double));
    return gauss(n, flat, b, x, 1e-30);
}

double st_mat3_adjugate(const double a[9], double c[9])
{
    c[0] = a[4] * a[8] - a[5] * a[7];
    c[1] = a[2] * a[7] - a[1] * a[8];
    c[2] = a[1] * a[5] - a[2] * a[4];
    c[3] = a[5] * a[6] - a[3] * a[8];
    c[4] = a[0] * a[8] - a[2] * a[6];
    c[5] = a[2] * a[3] - a[0] * a[5];
    c[6] = a[3] * a[7] - a[4] * a[6];
    c[7] = a[1] * a[6] - a[0] * a[7];
    c[8] = a[0] * a[4] - a[1] * a[3];
    return a[0] * c[0] + a[1] * c[3] + a[2] * c[6];
}
