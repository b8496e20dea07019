// Allocates 1 MiB blocks until malloc fails or it has 32 of them, and prints how many it got.
#include <stdio.h>
#include <stdlib.h>

char *volatile last;

int main(void) {
    int blocks = 0;
    while (blocks < 32) {
        char *block = malloc(1 << 20);
        if (block == NULL) {
            break;
        }
        block[0] = 1;
        last = block;
        blocks++;
    }
    printf("allocated %d MiB\n", blocks);
    return 0;
}
