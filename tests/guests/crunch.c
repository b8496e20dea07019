// A compute-bound guest for the deadline mechanism's benchmark: a sieve of Eratosthenes and an
// FNV-1a hash over its result, repeated. `crunch` is exported so it can be called directly (with
// --invoke or as a task named "crunch"); as a command it runs 20 rounds and prints the checksum.
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define LIMIT 200000
static unsigned char composite[LIMIT];

__attribute__((export_name("crunch")))
uint32_t crunch(int32_t rounds) {
    uint32_t hash = 2166136261u;
    for (int32_t r = 0; r < rounds; r++) {
        for (int i = 0; i < LIMIT; i++) composite[i] = 0;
        for (int i = 2; (long)i * i < LIMIT; i++) {
            if (composite[i]) continue;
            for (int j = i * i; j < LIMIT; j += i) composite[j] = 1;
        }
        for (int i = 2; i < LIMIT; i++) {
            if (!composite[i]) {
                hash ^= (uint32_t)i;
                hash *= 16777619u;
            }
        }
    }
    return hash;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    printf("checksum %u\n", (unsigned)crunch(rounds));
    return 0;
}
