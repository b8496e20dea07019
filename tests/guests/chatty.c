// Writes as many bytes to stdout as its first argument says (lines of 'x'), to exercise output caps.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    long total = argc > 1 ? atol(argv[1]) : 0;
    char line[1024];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    while (total > 0) {
        long n = total < (long)sizeof line ? total : (long)sizeof line;
        fwrite(line, 1, (size_t)n, stdout);
        total -= n;
    }
    return 0;
}
