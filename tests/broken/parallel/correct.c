/* Control: a correct parallel lab in C, as a student could write it from
   labs/15-parallel.md.

   Expect: full marks
*/
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double children_cpu(void) {
    struct rusage r;
    getrusage(RUSAGE_CHILDREN, &r);
    return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    char procs[256] = "1,2,4";
    double work = 2;
    int one_core = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--procs") && i + 1 < argc) snprintf(procs, sizeof procs, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--work") && i + 1 < argc) { const char *w = argv[++i]; work = strstr(w, "ms") ? atof(w) / 1000 : atof(w); }
        else if (!strcmp(argv[i], "--one-core")) one_core = 1;
    }
    if (one_core) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(sched_getcpu(), &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    double base = 0;
    for (char *tok = strtok(procs, ","); tok; tok = strtok(NULL, ",")) {
        int n = atoi(tok);
        double share = work / n, before = children_cpu(), start = now(CLOCK_MONOTONIC);
        for (int k = 0; k < n; k++) {
            if (fork() == 0) {
                double t0 = now(CLOCK_PROCESS_CPUTIME_ID);
                volatile unsigned long x = 0;
                while (now(CLOCK_PROCESS_CPUTIME_ID) - t0 < share) for (int i = 0; i < 10000; i++) x++;
                _exit(0);
            }
        }
        while (wait(NULL) > 0) {}
        double wall = (now(CLOCK_MONOTONIC) - start) * 1000, cpu = (children_cpu() - before) * 1000;
        if (base == 0) base = wall;
        printf("[parent %d] procs=%d wall_ms=%.0f cpu_ms=%.0f speedup=%.2f busy_cpus=%.2f\n", getpid(), n, wall, cpu, base / wall, cpu / wall);
        fflush(stdout);
    }
    return 0;
}
