/* int32 matrix multiplication, C = A * B, repeated with A perturbed.
 * usage: bench_matmul [repetitions] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_REPETITIONS 2200
#define N 96

static int32_t a[N][N], b[N][N], c[N][N];

int main(int argc, char **argv)
{
    long repetitions = argc > 1 ? atol(argv[1]) : DEFAULT_REPETITIONS;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (i * 31 + j * 17) % 101 - 50;
            b[i][j] = (i * 13 + j * 29) % 97 - 48;
        }
    uint32_t checksum = 0;
    for (long r = 0; r < repetitions; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                int32_t sum = 0;
                for (int k = 0; k < N; k++)
                    sum += a[i][k] * b[k][j];
                c[i][j] = sum;
            }
        for (int i = 0; i < N; i++)
            checksum = checksum * 33 + (uint32_t)c[i][(i + r) % N];
        a[r % N][(r * 7) % N] += 1;
    }
    printf("bench_matmul repetitions %ld checksum 0x%08x\n", repetitions, (unsigned)checksum);
    return 0;
}
