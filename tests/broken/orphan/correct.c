/* Control: a correct orphan lab in C, written from the handout alone.
 *
 * Expect: full marks
 *
 * The top process makes itself a subreaper and forks the parent; the parent
 * forks the child and exits after --delay without waiting; the child polls
 * getppid() until it changes and reports its adopter; the reaper reaps
 * everything until wait() fails with ECHILD.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *role = "reaper";

#define say(...)                                          \
    do {                                                  \
        printf("[%s %d] ", role, (int)getpid());          \
        printf(__VA_ARGS__);                              \
        printf("\n");                                     \
        fflush(stdout);                                   \
    } while (0)

/* "250ms", "1s", "1.5s" -> milliseconds; -1 when malformed. */
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

int main(int argc, char **argv) {
    long delay = 1000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--delay") == 0 && i + 1 < argc) {
            delay = parse_delay(argv[++i]);
        } else {
            fprintf(stderr, "[reaper %d] usage: %s [--delay T]\n", (int)getpid(), argv[0]);
            return 2;
        }
    }
    if (delay < 0) {
        fprintf(stderr, "[reaper %d] --delay: not a delay\n", (int)getpid());
        return 2;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        fprintf(stderr, "[reaper %d] prctl: %s\n", (int)getpid(), strerror(errno));
        return 1;
    }
    int is = 0;
    prctl(PR_GET_CHILD_SUBREAPER, &is, 0, 0, 0);
    say("subreaper=%s", is ? "yes" : "no");
    pid_t reaper = getpid();

    pid_t parent = fork();
    if (parent == 0) {
        role = "parent";
        pid_t me = getpid();
        say("getpid()=%d getppid()=%d", (int)me, (int)getppid());
        pid_t child = fork();
        if (child == 0) {
            role = "child";
            say("ppid_before=%d", (int)getppid());
            for (int waited = 0; getppid() == me && waited < delay + 10000; waited++) sleep_ms(1);
            pid_t adopter = getppid();
            char comm[64] = "?";
            char path[64];
            snprintf(path, sizeof path, "/proc/%d/comm", (int)adopter);
            FILE *f = fopen(path, "r");
            if (f) {
                if (fgets(comm, sizeof comm, f)) comm[strcspn(comm, "\n")] = '\0';
                fclose(f);
            }
            for (char *c = comm; *c; c++)
                if (*c == ' ') *c = '_';
            say("my parent %d exited: ppid_after=%d adopted_by=%d comm=%s subreaper=%s", (int)me,
                (int)adopter, (int)adopter, comm, adopter == reaper ? "yes" : "no");
            _exit(adopter == reaper ? 0 : 1);
        }
        if (child < 0) _exit(1);
        say("forked child=%d; exiting in %ldms without waiting for it", (int)child, delay);
        sleep_ms(delay);
        say("exiting now");
        _exit(0);
    }
    if (parent < 0) {
        perror("fork");
        return 1;
    }
    int ok = 1, status;
    pid_t pid;
    while ((pid = wait(&status)) > 0) {
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        ok &= code == 0;
        say("reaped pid=%d exited code=%d adopted=%s", (int)pid, code, pid == parent ? "no" : "yes");
    }
    say("wait() errno=%s: nothing left", errno == ECHILD ? "ECHILD" : strerror(errno));
    return ok ? 0 : 1;
}
