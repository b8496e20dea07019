// Never ends on its own: after one line of output it counts forever. Only the host can stop it.
#include <stdio.h>

volatile unsigned counter;

int main(void) {
    puts("spinning");
    fflush(stdout);
    for (;;) {
        counter++;
    }
}
