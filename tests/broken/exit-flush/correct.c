/* Control: a correct exit-flush lab in C, as a student could write it from
   labs/11-exit-flush.md: a stdio FILE on the pipe, fork, exit() or _exit().

   Expect: full marks
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *role = "parent";

static void now(int fd, const char *msg) {
    char line[512];
    int n = snprintf(line, sizeof line, "[%s %d] %s\n", role, getpid(), msg);
    write(fd, line, n);
}

static void writer(int w, int child_exit, int line_buffered, const char *text) {
    FILE *f = fdopen(w, "w");
    if (line_buffered) setvbuf(f, NULL, _IOLBF, 0);
    fprintf(f, "[%s %d] text=%s written once, before fork(), into my stdio buffer\n", role, getpid(), text);
    pid_t c = fork();
    if (c == 0) {
        role = "child";
        if (child_exit) { now(w, "ending with exit(0)"); exit(0); }
        now(w, "ending with _exit(0)");
        _exit(0);
    }
    waitpid(c, NULL, 0);
    now(w, "child ended; fclose flushes my own copy");
    fclose(f);
}

static void run(const char *ending, int child_exit, int line_buffered, const char *text) {
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t w = fork();
    if (w == 0) {
        role = "writer";
        close(p[0]);
        writer(p[1], child_exit, line_buffered, text);
        _exit(0);
    }
    close(p[1]);
    static char data[65536];
    size_t len = 0;
    ssize_t n;
    while ((n = read(p[0], data + len, sizeof data - 1 - len)) > 0) len += n;
    data[len] = 0;
    close(p[0]);
    waitpid(w, NULL, 0);
    char token[128];
    snprintf(token, sizeof token, "text=%s ", text);
    int copies = 0, i = 0;
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        printf("[parent %d] pipe line %d: %s\n", getpid(), ++i, line);
        if (strstr(line, token)) copies++;
    }
    printf("[parent %d] ending=%s copies=%d\n", getpid(), ending, copies);
    fflush(stdout);
}

int main(int argc, char **argv) {
    const char *ending = "both", *text = "hello-before-fork";
    int line_buffered = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ending") && i + 1 < argc) ending = argv[++i];
        else if (!strcmp(argv[i], "--text") && i + 1 < argc) text = argv[++i];
        else if (!strcmp(argv[i], "--line-buffered")) line_buffered = 1;
    }
    if (!strcmp(ending, "exit") || !strcmp(ending, "both")) run("exit", 1, line_buffered, text);
    if (!strcmp(ending, "_exit") || !strcmp(ending, "both")) run("_exit", 0, line_buffered, text);
    return 0;
}
