/* Control: a correct double-fork lab in C, written from the handout alone.
 *
 * Expect: full marks
 *
 * The top process (the reaper) makes itself a subreaper and forks the
 * parent. The parent forks the child and waits for it; the child forks the
 * grandchild and exits at once. The grandchild waits until it is adopted,
 * then does task 2; the parent does task 1, counting its children and
 * zombies in /proc at every step.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *role = "reaper";

#define say(...)                                 \
    do {                                         \
        printf("[%s %d] ", role, (int)getpid()); \
        printf(__VA_ARGS__);                     \
        printf("\n");                            \
        fflush(stdout);                          \
    } while (0)

static long parse_delay(const char *s) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0) return -1;
    if (strcmp(end, "ms") == 0) return (long)v;
    if (strcmp(end, "s") == 0 || *end == '\0') return (long)(v * 1000);
    return -1;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) == -1 && errno == EINTR) {}
}

/* Count my children and the zombies among them, from /proc/<pid>/stat. */
static void count(const char *when) {
    int children = 0, zombies = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[300], buf[512];
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *close = strrchr(buf, ')');
        char state;
        int ppid;
        if (close && sscanf(close + 1, " %c %d", &state, &ppid) == 2 && ppid == getpid()) {
            children++;
            zombies += state == 'Z';
        }
    }
    if (d) closedir(d);
    say("%s, /proc shows children=%d zombies=%d", when, children, zombies);
}

int main(int argc, char **argv) {
    long task1 = 3000, task2 = 2000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--task1") == 0 && i + 1 < argc) task1 = parse_delay(argv[++i]);
        else if (strcmp(argv[i], "--task2") == 0 && i + 1 < argc) task2 = parse_delay(argv[++i]);
        else task1 = -1;
    }
    if (task1 < 0 || task2 < 0) {
        fprintf(stderr, "[reaper %d] usage: %s [--task1 T] [--task2 T]\n", (int)getpid(), argv[0]);
        return 2;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        fprintf(stderr, "[reaper %d] prctl: %s\n", (int)getpid(), strerror(errno));
        return 1;
    }
    say("subreaper=yes");
    pid_t reaper = getpid();

    pid_t parent = fork();
    if (parent == 0) {
        role = "parent";
        pid_t child = fork();
        if (child == 0) {
            role = "child";
            pid_t me = getpid();
            pid_t grandchild = fork();
            if (grandchild == 0) {
                role = "grandchild";
                for (int waited = 0; getppid() == me && waited < 10000; waited++) sleep_ms(1);
                pid_t ppid = getppid();
                say("my parent %d exited: getppid()=%d reaper=%s", (int)me, (int)ppid, ppid == reaper ? "yes" : "no");
                for (int step = 1; step <= 3; step++) {
                    sleep_ms(task2 / 3);
                    say("task 2 step=%d/3", step);
                }
                _exit(ppid == reaper ? 0 : 1);
            }
            say("forked grandchild=%d; exiting at once", (int)grandchild);
            _exit(grandchild > 0 ? 0 : 1);
        }
        say("forked child=%d; waiting for it", (int)child);
        int status;
        if (waitpid(child, &status, 0) != child) _exit(1);
        say("reaped child=%d exited code=%d", (int)child, WEXITSTATUS(status));
        count("after the reap");
        for (int step = 1; step <= 3; step++) {
            char when[64];
            sleep_ms(task1 / 3);
            snprintf(when, sizeof when, "task 1 step=%d/3", step);
            count(when);
        }
        _exit(0);
    }
    int ok = 1, status;
    pid_t pid;
    while ((pid = wait(&status)) > 0) {
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        ok &= code == 0;
        say("reaped pid=%d exited code=%d adopted=%s", (int)pid, code, pid == parent ? "no" : "yes");
    }
    say("wait() errno=%s: nothing left to reap", errno == ECHILD ? "ECHILD" : strerror(errno));
    return ok ? 0 : 1;
}
