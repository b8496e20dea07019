// Fails on purpose: a message on stderr, then the exit status given as the first argument (default 3).
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int status = argc > 1 ? atoi(argv[1]) : 3;
    printf("about to fail\n");
    fprintf(stderr, "guest error: the model file is missing (exiting with %d)\n", status);
    return status;
}
