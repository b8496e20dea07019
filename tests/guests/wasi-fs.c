// WASI preview1 files end to end, through wasi-libc: open/read/write/seek/pread/pwrite/append, stat,
// truncate, utimes, directories and readdir (with enough entries to need several fd_readdir calls),
// rename, unlink, symlink/readlink, hard links. Works in a writable preopen mapped to "." and leaves it
// as it found it. Expected stdout (exit status 0):
//   write: 12 bytes
//   read: hello, world
//   lseek end-5: 7
//   pread @7: world
//   pwrite @7: hello, WORLD
//   append: hello, WORLD!
//   stat: regular file, 13 bytes, 1 link
//   ftruncate 5: hello
//   utimes: mtime 1000000000
//   mkdir list: ok
//   mkdir list again: File exists
//   readdir list: . .. a.txt b.txt link sub
//   types: a.txt=file b.txt=file link=symlink sub=dir
//   readlink link: a.txt
//   stat link: 1 bytes (followed), lstat link: symlink
//   readdir many: 302 entries
//   link: 2 links
//   rename: a.txt gone, c.txt has A
//   rmdir list: Directory not empty
//   unlink missing: No such file or directory
//   open dir for writing: Is a directory
//   cleanup: ok
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) { printf("cannot create %s: %s\n", path, strerror(errno)); exit(1); }
    fputs(text, f);
    fclose(f);
}

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
    int fd = open("fs-work.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { printf("open: %s\n", strerror(errno)); return 1; }
    printf("write: %zd bytes\n", write(fd, "hello, world", 12));
    char buffer[64] = {0};
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    printf("read: %.*s\n", (int)n, buffer);
    printf("lseek end-5: %lld\n", (long long)lseek(fd, -5, SEEK_END));
    n = pread(fd, buffer, 5, 7);
    printf("pread @7: %.*s\n", (int)n, buffer);
    pwrite(fd, "WORLD", 5, 7);
    n = pread(fd, buffer, sizeof buffer - 1, 0);
    printf("pwrite @7: %.*s\n", (int)n, buffer);
    close(fd);

    fd = open("fs-work.txt", O_WRONLY | O_APPEND);
    write(fd, "!", 1);
    close(fd);
    fd = open("fs-work.txt", O_RDONLY);
    n = read(fd, buffer, sizeof buffer - 1);
    printf("append: %.*s\n", (int)n, buffer);

    struct stat st;
    fstat(fd, &st);
    printf("stat: %s, %lld bytes, %d link\n", S_ISREG(st.st_mode) ? "regular file" : "NOT A FILE", (long long)st.st_size, (int)st.st_nlink);
    close(fd);

    fd = open("fs-work.txt", O_RDWR);
    ftruncate(fd, 5);
    n = pread(fd, buffer, sizeof buffer - 1, 0);
    printf("ftruncate 5: %.*s\n", (int)n, buffer);
    close(fd);

    struct timeval times[2] = {{1000000000, 0}, {1000000000, 0}};
    utimes("fs-work.txt", times);
    stat("fs-work.txt", &st);
    printf("utimes: mtime %lld\n", (long long)st.st_mtim.tv_sec);
    unlink("fs-work.txt");

    printf("mkdir list: %s\n", mkdir("list", 0755) == 0 ? "ok" : strerror(errno));
    printf("mkdir list again: %s\n", mkdir("list", 0755) == 0 ? "ok" : strerror(errno));
    put("list/b.txt", "B");
    put("list/a.txt", "A");
    mkdir("list/sub", 0755);
    symlink("a.txt", "list/link");

    DIR *dir = opendir("list");
    char *names[16];
    char types[16][8];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) && count < 16) {
        names[count] = strdup(entry->d_name);
        strcpy(types[count], entry->d_type == DT_REG ? "file" : entry->d_type == DT_DIR ? "dir" : entry->d_type == DT_LNK ? "symlink" : "other");
        count++;
    }
    closedir(dir);
    char *sorted[16];
    memcpy(sorted, names, sizeof names);
    qsort(sorted, count, sizeof sorted[0], compare);
    printf("readdir list:");
    for (int i = 0; i < count; i++) printf(" %s", sorted[i]);
    printf("\ntypes:");
    for (int i = 0; i < count; i++) {
        for (int j = 0; j < count; j++) {
            if (names[j] == sorted[i] && sorted[i][0] != '.') printf(" %s=%s", names[j], types[j]);
        }
    }
    printf("\n");

    char target[64];
    n = readlink("list/link", target, sizeof target);
    printf("readlink link: %.*s\n", (int)n, target);
    struct stat followed, itself;
    stat("list/link", &followed);
    lstat("list/link", &itself);
    printf("stat link: %lld bytes (followed), lstat link: %s\n", (long long)followed.st_size, S_ISLNK(itself.st_mode) ? "symlink" : "NOT A LINK");

    mkdir("many", 0755);
    char path[128];
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof path, "many/an-entry-with-a-rather-long-name-%03d.txt", i);
        close(open(path, O_CREAT | O_WRONLY, 0644));
    }
    dir = opendir("many");
    int entries = 0;
    while (readdir(dir)) entries++;
    closedir(dir);
    printf("readdir many: %d entries\n", entries);
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof path, "many/an-entry-with-a-rather-long-name-%03d.txt", i);
        unlink(path);
    }
    rmdir("many");

    link("list/a.txt", "list/hard.txt");
    stat("list/a.txt", &st);
    printf("link: %d links\n", (int)st.st_nlink);
    unlink("list/hard.txt");

    rename("list/a.txt", "list/c.txt");
    FILE *f = fopen("list/c.txt", "r");
    int c = f ? fgetc(f) : -1;
    if (f) fclose(f);
    printf("rename: a.txt %s, c.txt has %c\n", access("list/a.txt", F_OK) == 0 ? "STILL THERE" : "gone", c);

    printf("rmdir list: %s\n", rmdir("list") == 0 ? "REMOVED" : strerror(errno));
    printf("unlink missing: %s\n", unlink("list/missing") == 0 ? "REMOVED" : strerror(errno));
    printf("open dir for writing: %s\n", open("list", O_WRONLY) >= 0 ? "OPENED" : strerror(errno));

    int ok = unlink("list/link") == 0 && unlink("list/b.txt") == 0 && unlink("list/c.txt") == 0
        && rmdir("list/sub") == 0 && rmdir("list") == 0;
    printf("cleanup: %s\n", ok ? "ok" : strerror(errno));
    for (int i = 0; i < count; i++) free(names[i]);
    return 0;
}
