// Counts the primes below the limit given as the first argument (1000 by default) and prints them
// with their sum: loops and calls whose output shows whether instrumentation changed the program.
#include <stdio.h>
#include <stdlib.h>

static int is_prime(unsigned n) {
    if (n < 2) {
        return 0;
    }
    for (unsigned d = 2; d * d <= n; d++) {
        if (n % d == 0) {
            return 0;
        }
    }
    return 1;
}

int main(int argc, char **argv) {
    unsigned limit = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000;
    unsigned count = 0;
    unsigned long long sum = 0;
    for (unsigned n = 0; n < limit; n++) {
        if (is_prime(n)) {
            count++;
            sum += n;
        }
    }
    printf("primes below %u: %u (sum %llu)\n", limit, count, sum);
    return 0;
}
