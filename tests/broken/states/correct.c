/* Control: a correct states lab in C, as a student could write it from
   labs/10-states.md (vfork for D, as the handout shows).

   Expect: full marks
*/
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

static const char *role = "parent";
static int writers[3];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void say(const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char line[600];
    int n = snprintf(line, sizeof line, "[%s %d] %s\n", role, getpid(), text);
    write(1, line, n); /* one write per line */
}

struct st { char state; long pgrp, session, tpgid, nice, threads; };

static int readstat(int pid, struct st *s) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')') + 2;
    long f[40];
    s->state = *p;
    p += 2;
    for (int i = 4; i <= 20; i++) f[i] = strtol(p, &p, 10);
    s->pgrp = f[5]; s->session = f[6]; s->tpgid = f[8]; s->nice = f[19]; s->threads = f[20];
    return 0;
}

static long voluntary(int pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1) break;
    if (f) fclose(f);
    return v;
}

static void nap(double s) {
    struct timespec t = { (time_t)s, (long)((s - (time_t)s) * 1e9) };
    nanosleep(&t, 0);
}

typedef int (*cond)(int pid, struct st *s, long arg);
static int any(int pid, struct st *s, long arg) { (void)pid; (void)s; (void)arg; return 1; }
static int leads(int pid, struct st *s, long arg) { (void)arg; return s->session == pid; }
static int threaded(int pid, struct st *s, long arg) { (void)pid; (void)arg; return s->threads >= 2; }
static int at_nice(int pid, struct st *s, long arg) { (void)pid; return s->nice == arg; }
static int woke(int pid, struct st *s, long arg) { (void)s; return voluntary(pid) >= arg; }

static void show(const char *who, int pid, char state, cond more, long arg) {
    struct st s;
    for (int i = 0; i < 10000; i++) {
        if (readstat(pid, &s) == 0 && s.state == state && more(pid, &s, arg)) break;
        nap(0.001);
    }
    char cmd[64], ps[32] = "";
    snprintf(cmd, sizeof cmd, "ps -o stat= -p %d", pid);
    FILE *p = popen(cmd, "r");
    if (p && fgets(ps, sizeof ps, p)) ps[strcspn(ps, " \n")] = 0;
    if (p) pclose(p);
    say("who=%s pid=%d state=%c ps_stat=%s nice=%ld threads=%ld session=%ld", who, pid, s.state, ps, s.nice, s.threads, s.session);
}

static int drain(int fd) {
    char c;
    int n = 0;
    while (read(fd, &c, 1) == 1) n++;
    return n;
}

static int start(const char *name) {
    fflush(stdout);
    int pid = fork();
    if (pid == 0) {
        role = name;
        for (int i = 0; i < 3; i++) close(writers[i]);
    }
    return pid;
}

static int release_fd;
static void *second(void *arg) { (void)arg; drain(release_fd); return 0; }

int main(int argc, char **argv) {
    double hold = 1;
    int wakes = 3, nice_to = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--hold")) hold = strstr(argv[i + 1], "ms") ? atof(argv[i + 1]) / 1000 : atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--wakes")) wakes = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--nice")) nice_to = atoi(argv[i + 1]);
    }
    int wake[2], stop[2], rel[2];
    pipe(wake); pipe(stop); pipe(rel);
    writers[0] = wake[1]; writers[1] = stop[1]; writers[2] = rel[1];
    release_fd = rel[0];

    int busy = start("busy");
    if (busy == 0) {
        fcntl(stop[0], F_SETFL, O_NONBLOCK);
        char c;
        volatile unsigned long x = 0;
        while (read(stop[0], &c, 1) < 0) for (int i = 0; i < 100000; i++) x++;
        _exit(0);
    }
    show("busy", busy, 'R', any, 0);
    long busy_before = voluntary(busy);
    nap(hold);

    int sleeper = start("sleeper");
    if (sleeper == 0) { say("read() returned %d times", drain(wake[0])); _exit(0); }
    show("sleeper", sleeper, 'S', any, 0);
    long before = voluntary(sleeper);
    nap(hold);
    for (int i = 1; i <= wakes; i++) {
        write(wake[1], "w", 1);
        show("sleeper", sleeper, 'S', woke, before + i);
    }
    long after = voluntary(sleeper), busy_after = voluntary(busy);
    say("who=sleeper pid=%d woken=%d voluntary_grew=%ld", sleeper, wakes, after - before);
    say("who=busy pid=%d voluntary_grew=%ld", busy, busy_after - busy_before);

    kill(sleeper, SIGSTOP);
    show("sleeper", sleeper, 'T', any, 0);
    nap(hold);
    kill(sleeper, SIGCONT);
    show("sleeper", sleeper, 'S', any, 0);

    int zombie = start("zombie");
    if (zombie == 0) _exit(0);
    show("zombie", zombie, 'Z', any, 0);
    nap(hold);
    waitpid(zombie, 0, 0);

    int vforker = start("vforker");
    if (vforker == 0) {
        int c = vfork();
        if (c == 0) { char b; while (read(rel[0], &b, 1) == 1) {} _exit(0); }
        waitpid(c, 0, 0);
        say("vfork() returned child=%d", c);
        _exit(0);
    }
    show("vforker", vforker, 'D', any, 0);
    nap(hold);

    int leader = start("leader");
    if (leader == 0) { setsid(); drain(rel[0]); _exit(0); }
    show("leader", leader, 'S', leads, 0);
    int threads = start("threads");
    if (threads == 0) {
        pthread_t t;
        pthread_create(&t, 0, second, 0);
        drain(rel[0]);
        pthread_join(t, 0);
        _exit(0);
    }
    show("threads", threads, 'S', threaded, 0);
    int low = start("nice");
    if (low == 0) { setpriority(PRIO_PROCESS, 0, nice_to); drain(rel[0]); _exit(0); }
    show("nice", low, 'S', at_nice, nice_to);
    int greedy = start("greedy");
    if (greedy == 0) {
        if (setpriority(PRIO_PROCESS, 0, -5) < 0) say("setpriority(-5) failed: errno=%s", strerror(errno));
        drain(rel[0]);
        _exit(0);
    }
    show("greedy", greedy, 'S', any, 0);
    nap(hold);

    for (int i = 0; i < 3; i++) close(writers[i]);
    int pid, status;
    while ((pid = wait(&status)) > 0) say("reaped pid=%d code=%d", pid, WEXITSTATUS(status));
    return 0;
}
