/* Control: a correct fork-order lab in C, as a student could write it from
   labs/12-fork-order.md.

   Expect: full marks
*/
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *role = "parent";

static void say(const char *text) {
    char line[256];
    int n = snprintf(line, sizeof line, "[%s %d] %s\n", role, getpid(), text);
    write(1, line, n);
}

int main(int argc, char **argv) {
    int runs = 100, one_cpu = 0, sync = 0, lines = 5;
    double gap = 0.2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--lines") && i + 1 < argc) lines = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--gap") && i + 1 < argc) { const char *g = argv[++i]; gap = strstr(g, "ms") ? atof(g) / 1000 : atof(g); }
        else if (!strcmp(argv[i], "--one-cpu")) one_cpu = 1;
        else if (!strcmp(argv[i], "--sync")) sync = 1;
    }
    if (one_cpu) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(sched_getcpu(), &set);
        if (sched_setaffinity(0, sizeof set, &set) < 0) { perror("sched_setaffinity"); return 1; }
    }
    char text[200];
    int child_first = 0;
    for (int run = 1; run <= runs; run++) {
        int p[2];
        pipe(p);
        pid_t c = fork();
        if (c == 0) {
            role = "child";
            char line[128];
            int n = snprintf(line, sizeof line, "[child %d] run=%d child wrote\n", getpid(), run);
            write(p[1], line, n);
            _exit(0);
        }
        if (sync) waitpid(c, NULL, 0);
        char line[128];
        int n = snprintf(line, sizeof line, "[parent %d] run=%d parent wrote\n", getpid(), run);
        write(p[1], line, n);
        if (!sync) waitpid(c, NULL, 0);
        close(p[1]);
        char got[512];
        int len = 0, k;
        while ((k = read(p[0], got + len, sizeof got - 1 - len)) > 0) len += k;
        got[len] = 0;
        close(p[0]);
        int child_won = strncmp(got, "[child", 6) == 0;
        child_first += child_won;
        for (char *l = strtok(got, "\n"); l; l = strtok(NULL, "\n")) {
            snprintf(text, sizeof text, "pipe: %s", l);
            say(text);
        }
        snprintf(text, sizeof text, "run=%d child=%d first=%s", run, c, child_won ? "child" : "parent");
        say(text);
    }
    snprintf(text, sizeof text, "runs=%d parent_first=%d child_first=%d", runs, runs - child_first, child_first);
    say(text);
    pid_t c = fork();
    if (c == 0) role = "child";
    struct timespec t = { (time_t)gap, (long)((gap - (time_t)gap) * 1e9) };
    for (int i = 1; i <= lines; i++) {
        snprintf(text, sizeof text, "line=%d", i);
        say(text);
        nanosleep(&t, NULL);
    }
    if (c == 0) _exit(0);
    waitpid(c, NULL, 0);
    return 0;
}
