// Runs until stopped: prints "started", then sleeps for the seconds given as the first argument.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 3600;
    printf("started\n");
    fflush(stdout);
    sleep(seconds);
    printf("woke up\n");
    return 0;
}
