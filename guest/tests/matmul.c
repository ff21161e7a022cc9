/* Integer and double (soft-float) matrix multiplication; checks the
 * integer product against (A*B)*v == A*(B*v) and prints checksums. */
#include <stdint.h>
#include <stdio.h>

#define N 32

static int32_t ia[N][N], ib[N][N], ic[N][N];
static double da[N][N], db[N][N], dc[N][N];

int main(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            ia[i][j] = (i * 7 + j * 13) % 19 - 9;
            ib[i][j] = (i * 11 + j * 5) % 23 - 11;
            da[i][j] = (double)(i + 1) / (double)(j + 2);
            db[i][j] = (double)(i - j) * 0.25 + 1.0 / 3.0;
        }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int32_t isum = 0;
            double dsum = 0.0;
            for (int k = 0; k < N; k++) {
                isum += ia[i][k] * ib[k][j];
                dsum += da[i][k] * db[k][j];
            }
            ic[i][j] = isum;
            dc[i][j] = dsum;
        }

    /* Associativity check with v = (1, 2, ..., N). */
    int ok = 1;
    int32_t bv[N];
    for (int k = 0; k < N; k++) {
        bv[k] = 0;
        for (int j = 0; j < N; j++)
            bv[k] += ib[k][j] * (j + 1);
    }
    for (int i = 0; i < N; i++) {
        int32_t left = 0, right = 0;
        for (int j = 0; j < N; j++)
            left += ic[i][j] * (j + 1);
        for (int k = 0; k < N; k++)
            right += ia[i][k] * bv[k];
        if (left != right)
            ok = 0;
    }

    uint32_t icheck = 0;
    double dtrace = 0.0, dtotal = 0.0;
    for (int i = 0; i < N; i++) {
        dtrace += dc[i][i];
        for (int j = 0; j < N; j++) {
            icheck = icheck * 33 + (uint32_t)ic[i][j];
            dtotal += dc[i][j];
        }
    }
    printf("int checksum 0x%08x c[0][0]=%ld c[%d][%d]=%ld\n", (unsigned)icheck, (long)ic[0][0],
           N - 1, N - 1, (long)ic[N - 1][N - 1]);
    printf("double trace %.9e total %.9e c[1][2]=%.17g\n", dtrace, dtotal, dc[1][2]);
    printf(ok ? "PASS matmul\n" : "FAIL matmul\n");
    return ok ? 0 : 1;
}
