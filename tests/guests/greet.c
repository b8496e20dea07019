// Prints what a user of the seeds' flow checks: a greeting, its arguments, an environment variable
// and a file read through a --dir preopen.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    printf("Hello from a WebAssembly guest\n");
    for (int i = 1; i < argc; i++) {
        printf("arg[%d]=%s\n", i, argv[i]);
    }
    const char *greeting = getenv("GREETING");
    printf("GREETING=%s\n", greeting ? greeting : "(unset)");
    FILE *f = fopen("fixture/greeting.txt", "r");
    if (f) {
        char line[256];
        if (fgets(line, sizeof line, f)) {
            printf("fixture: %s", line);
        }
        fclose(f);
    }
    return 0;
}
