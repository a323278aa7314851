/* Control: a correct priority lab in C, as a student could write it from
   labs/14-priority.md.

   Expect: full marks
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *role = "parent";
static const int weight[40] = { 88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904,
    3906, 3121, 2501, 1991, 1586, 1277, 1024, 820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87, 70, 56, 45, 36, 29, 23, 18, 15 };

static void say(int fd, const char *text) {
    char line[300];
    int n = snprintf(line, sizeof line, "[%s %d] %s\n", role, getpid(), text);
    write(fd, line, n);
}

static long long run_ns(pid_t pid) {
    char path[64];
    long long ns = 0;
    snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
    FILE *f = fopen(path, "r");
    if (f) { fscanf(f, "%lld", &ns); fclose(f); }
    return ns;
}

static void ps(const char *who, pid_t pid) {
    char cmd[64], out[64] = "";
    int ni = 0, pri = 0;
    snprintf(cmd, sizeof cmd, "ps -o ni=,pri= -p %d", pid);
    FILE *p = popen(cmd, "r");
    if (p && fgets(out, sizeof out, p)) sscanf(out, "%d %d", &ni, &pri);
    if (p) pclose(p);
    char text[128];
    snprintf(text, sizeof text, "who=%s pid=%d ps_ni=%d ps_pri=%d", who, pid, ni, pri);
    say(1, text);
}

int main(int argc, char **argv) {
    int nice_to = 10;
    double duration = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--nice")) nice_to = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--duration")) duration = strstr(argv[i + 1], "ms") ? atof(argv[i + 1]) / 1000 : atof(argv[i + 1]);
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(sched_getcpu(), &set);
    sched_setaffinity(0, sizeof set, &set);
    int p[2];
    pipe(p);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    pid_t kids[2];
    const char *names[2] = { "normal", "nice" };
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            role = names[k];
            close(p[1]);
            char c;
            volatile unsigned long x = 0;
            while (read(p[0], &c, 1) < 0) for (int i = 0; i < 10000; i++) x++;
            _exit(0);
        }
    }
    char text[256];
    if (setpriority(PRIO_PROCESS, kids[1], nice_to) < 0) {
        snprintf(text, sizeof text, "setpriority(%d) failed: errno=%s (%s)", nice_to, errno == EACCES ? "EACCES" : "other", strerror(errno));
        say(2, text);
        close(p[1]);
        while (wait(NULL) > 0) {}
        return 1;
    }
    ps("normal", kids[0]);
    ps("nice", kids[1]);
    long long n0 = run_ns(kids[0]), l0 = run_ns(kids[1]);
    struct timespec t = { (time_t)duration, (long)((duration - (time_t)duration) * 1e9) };
    nanosleep(&t, NULL);
    long long n1 = run_ns(kids[0]), l1 = run_ns(kids[1]);
    close(p[1]);
    snprintf(text, sizeof text, "who=normal pid=%d cpu_ms=%.1f", kids[0], (n1 - n0) / 1e6);
    say(1, text);
    snprintf(text, sizeof text, "who=nice pid=%d cpu_ms=%.1f", kids[1], (l1 - l0) / 1e6);
    say(1, text);
    snprintf(text, sizeof text, "ratio=%.2f expected_ratio=%.2f", (double)(n1 - n0) / (l1 - l0 > 0 ? l1 - l0 : 1),
             (double)weight[20] / weight[nice_to + 20]);
    say(1, text);
    while (wait(NULL) > 0) {}
    return 0;
}
