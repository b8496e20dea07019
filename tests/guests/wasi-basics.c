// WASI preview1 end to end, the parts without files: arguments, environment, stdin, stdout/stderr,
// clocks, randomness, sleeping (poll_oneoff) and the exit code. Run it as
//   wasi-basics.wasm one two      with GREETING=hello, stdin "line from stdin\n"
// and expect exactly this on stdout, where argv[0] is whatever the runtime passes (here the module's
// file name); stderr gets "to stderr"; the exit status is 7:
//   args: 3 wasi-basics.wasm one two
//   env GREETING: hello
//   env MISSING: (unset)
//   stdin: line from stdin
//   clock realtime: after 2020
//   clock monotonic: increases
//   clock resolution: ok
//   random: 32 bytes, varied
//   sleep 20ms: ok
//   exit 7
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(int argc, char **argv) {
    printf("args: %d", argc);
    for (int i = 0; i < argc; i++) printf(" %s", argv[i]);
    printf("\n");

    const char *greeting = getenv("GREETING");
    const char *missing = getenv("MISSING");
    printf("env GREETING: %s\n", greeting ? greeting : "(unset)");
    printf("env MISSING: %s\n", missing ? missing : "(unset)");

    char line[128];
    if (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        printf("stdin: %s\n", line);
    } else {
        printf("stdin: (empty)\n");
    }

    struct timespec real, first, second, resolution;
    clock_gettime(CLOCK_REALTIME, &real);
    printf("clock realtime: %s\n", real.tv_sec > 1577836800 ? "after 2020" : "BEFORE 2020");
    clock_gettime(CLOCK_MONOTONIC, &first);
    for (volatile int i = 0; i < 100000; i++) {}
    clock_gettime(CLOCK_MONOTONIC, &second);
    printf("clock monotonic: %s\n", ns(second) >= ns(first) ? "increases" : "WENT BACK");
    int res = clock_getres(CLOCK_MONOTONIC, &resolution);
    printf("clock resolution: %s\n", res == 0 && ns(resolution) > 0 ? "ok" : "FAILED");

    unsigned char bytes[32] = {0};
    int distinct = 0;
    if (getentropy(bytes, sizeof bytes) == 0) {
        for (int i = 1; i < 32; i++) distinct += bytes[i] != bytes[0];
    }
    printf("random: 32 bytes, %s\n", distinct > 8 ? "varied" : "NOT RANDOM");

    struct timespec before, after, nap = {0, 20 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &before);
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &after);
    printf("sleep 20ms: %s\n", ns(after) - ns(before) >= 20 * 1000 * 1000 ? "ok" : "TOO SHORT");

    fprintf(stderr, "to stderr\n");
    printf("exit 7\n");
    fflush(stdout);
    exit(7);
}
