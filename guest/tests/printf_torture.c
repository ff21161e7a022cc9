/* Exercises printf conversions, flags, widths and precisions, and checks
 * snprintf's truncation contract.  The printed lines are compared with the
 * golden output by the test harness (they match glibc's formatting). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    printf("[%d] [%i] [%u] [%x] [%X] [%o]\n", -42, 42, 42u, 0xbeefu, 0xbeefu, 8u);
    printf("[%d] [%d] [%u] [%x]\n", INT_MIN, INT_MAX, UINT_MAX, UINT_MAX);
    printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%+5d] [%-+5d]\n", 42, 42, 42, 42, 42, -42, 42);
    printf("[%.3d] [%8.3d] [%-8.3d] [%.0d]\n", 7, 7, 7, 0);
    printf("[%#x] [%#X] [%#o] [%#x] [%#10x] [%#-10x] [%#010x]\n", 255u, 255u, 8u, 0u, 255u, 255u, 255u);
    printf("[%c] [%3c] [%-3c] [%%]\n", 'a', 'b', 'c');
    printf("[%s] [%10s] [%-10s] [%.3s] [%10.2s] [%s]\n", "hello", "right", "left", "truncate", "ab", "");
    printf("[%*d] [%-*d] [%.*d] [%*.*s]\n", 6, 1, 6, 2, 4, 3, 5, 2, "xyz");
    printf("[%lld] [%llu] [%llx] [%lld]\n", -1234567890123456789ll, 18446744073709551615ull,
           0x0123456789abcdefull, LLONG_MIN);
    printf("[%ld] [%lu] [%hd] [%hu] [%hhd] [%hhu]\n", -123456789l, 4000000000ul, (short)-1234,
           (unsigned short)65535, (signed char)-5, (unsigned char)250);
    printf("[%f] [%.2f] [%10.3f] [%-10.1f] [%+.0f] [%010.4f]\n", 3.14159265, 2.675, -1.5, 0.05,
           2.5, -3.25);
    printf("[%e] [%.3e] [%E] [%12.4e] [%.0e]\n", 12345.6789, 0.000123456, 1e100, -6.02214076e23,
           5e-324);
    printf("[%g] [%g] [%g] [%.3g] [%#g] [%G] [%g]\n", 100000.0, 1000000.0, 0.0001, 3.14159,
           1.0, 1e-10, 0.0);
    printf("[%f] [%e] [%g] [%F]\n", 1.0 / 3.0, -0.0, 123456789.0, 1e15);
    printf("[%.17g] [%a]\n", 1.0 / 7.0, 1.0);

    /* The truncation below is the point of the test. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
    int ok = 1;
    char small[8];
    int needed = snprintf(small, sizeof small, "%s-%d", "truncated", 12345);
    printf("snprintf returned %d, buffer \"%s\"\n", needed, small);
    if (needed != 15 || strcmp(small, "truncat") != 0)
        ok = 0;
    needed = snprintf(NULL, 0, "%08.3f", 3.14159);
    printf("snprintf(NULL, 0) returned %d\n", needed);
    if (needed != 8)
        ok = 0;
    char one[1] = { 'x' };
    needed = snprintf(one, sizeof one, "abc");
    if (needed != 3 || one[0] != '\0')
        ok = 0;
    printf(ok ? "PASS printf_torture\n" : "FAIL printf_torture\n");
    return ok ? 0 : 1;
}
