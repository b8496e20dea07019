// WASI preview1 confinement end to end: every way out of a preopen a C program can try, and a read-only
// preopen. The fixture (see README.md): a writable preopen mapped to "." that holds a host-made symlink
// etc-link -> /etc, a file outside.txt next to that directory, and a read-only preopen "ro" holding
// kept.txt ("keep me"). Expected stdout with this runtime (exit status 0):
//   ../outside.txt: Capabilities insufficient
//   a/../../outside.txt: Capabilities insufficient
//   /etc/passwd: No such file or directory
//   etc-link/passwd: Capabilities insufficient
//   lstat etc-link: symlink
//   up/outside.txt: Capabilities insufficient
//   chain: Capabilities insufficient
//   loop: Symbolic link loop
//   symlink -> /etc: Capabilities insufficient
//   create ../created.txt: Capabilities insufficient
//   mkdir up/made: Capabilities insufficient
//   rename to ../stolen.txt: Capabilities insufficient
//   link to ../linked.txt: Capabilities insufficient
//   inside link: inside
//   ro read: keep me
//   ro write: Operation not permitted
//   ro create: Operation not permitted
//   ro mkdir: Operation not permitted
//   ro unlink: Operation not permitted
//   ro rename: Operation not permitted
//   cleanup: ok
// "/etc/passwd" never reaches the runtime: wasi-libc finds no preopen for it. Node's WASI opens
// etc-link/passwd, up/outside.txt and chain (it follows symlinks out) and ignores "read-only".
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void try_open(const char *label, const char *path, int flags) {
    int fd = open(path, flags, 0644);
    if (fd >= 0) {
        char buffer[64] = {0};
        ssize_t n = read(fd, buffer, sizeof buffer - 1);
        printf("%s: OPENED (%.*s)\n", label, n > 0 ? (int)strcspn(buffer, "\n") : 0, buffer);
        close(fd);
    } else {
        printf("%s: %s\n", label, strerror(errno));
    }
}

static void report(const char *label, int result) {
    printf("%s: %s\n", label, result == 0 ? "DONE" : strerror(errno));
}

int main(void) {
    mkdir("a", 0755);
    try_open("../outside.txt", "../outside.txt", O_RDONLY);
    try_open("a/../../outside.txt", "a/../../outside.txt", O_RDONLY);
    try_open("/etc/passwd", "/etc/passwd", O_RDONLY);
    try_open("etc-link/passwd", "etc-link/passwd", O_RDONLY);
    struct stat st;
    printf("lstat etc-link: %s\n", lstat("etc-link", &st) == 0 ? (S_ISLNK(st.st_mode) ? "symlink" : "NOT A LINK") : strerror(errno));

    symlink("..", "up");
    try_open("up/outside.txt", "up/outside.txt", O_RDONLY);
    symlink("chain2", "chain1");
    symlink("../outside.txt", "chain2");
    try_open("chain", "chain1", O_RDONLY);
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    try_open("loop", "loop1", O_RDONLY);

    report("symlink -> /etc", symlink("/etc", "etc-by-guest"));
    try_open("create ../created.txt", "../created.txt", O_WRONLY | O_CREAT);
    report("mkdir up/made", mkdir("up/made", 0755));
    close(open("mine.txt", O_WRONLY | O_CREAT, 0644));
    report("rename to ../stolen.txt", rename("mine.txt", "../stolen.txt"));
    report("link to ../linked.txt", link("mine.txt", "../linked.txt"));

    FILE *in = fopen("in.txt", "w");
    fputs("inside\n", in);
    fclose(in);
    symlink("../in.txt", "a/back");
    char line[32] = {0};
    FILE *back = fopen("a/back", "r");
    printf("inside link: %s", back && fgets(line, sizeof line, back) ? line : "FAILED\n");
    if (back) fclose(back);

    FILE *kept = fopen("ro/kept.txt", "r");
    printf("ro read: %s", kept && fgets(line, sizeof line, kept) ? line : "FAILED\n");
    if (kept) fclose(kept);
    try_open("ro write", "ro/kept.txt", O_WRONLY);
    try_open("ro create", "ro/new.txt", O_WRONLY | O_CREAT);
    report("ro mkdir", mkdir("ro/dir", 0755));
    report("ro unlink", unlink("ro/kept.txt"));
    report("ro rename", rename("ro/kept.txt", "ro/moved.txt"));

    int ok = unlink("a/back") == 0 && rmdir("a") == 0 && unlink("up") == 0 && unlink("chain1") == 0
        && unlink("chain2") == 0 && unlink("loop1") == 0 && unlink("loop2") == 0 && unlink("mine.txt") == 0
        && unlink("in.txt") == 0;
    printf("cleanup: %s\n", ok ? "ok" : strerror(errno));
    return 0;
}
