/* Control: a correct sigchld-ignore lab in C, written from the handout alone.
 *
 * Expect: full marks
 *
 * The parent sets SIGCHLD to SIG_IGN (unless --default), reads the SigIgn
 * mask back from /proc/self/status, forks N children that each exit with
 * --code after --delay, and then: with SIG_IGN, polls until their /proc
 * entries are gone and shows wait() failing with ECHILD; with --default,
 * polls until all are zombies, counts them, reaps each one, counts again.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *role = "parent";

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

/* The state letter of a process from /proc/<pid>/stat, 0 when it is gone. */
static char state_of(pid_t pid, pid_t *ppid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *close = strrchr(buf, ')');
    char state = 0;
    int pp = 0;
    if (!close || sscanf(close + 1, " %c %d", &state, &pp) != 2) return 0;
    if (ppid) *ppid = pp;
    return state;
}

static void count(void) {
    int children = 0, zombies = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        pid_t ppid = 0;
        int pid = atoi(e->d_name);
        if (pid <= 0) continue;
        char st = state_of(pid, &ppid);
        if (st && ppid == getpid()) {
            children++;
            zombies += st == 'Z';
        }
    }
    if (d) closedir(d);
    say("/proc shows children=%d zombies=%d", children, zombies);
}

static int sigchld_ignored(void) {
    char line[256];
    unsigned long long mask = 0;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "SigIgn:", 7) == 0) mask = strtoull(line + 7, NULL, 16);
    if (f) fclose(f);
    return (mask >> (SIGCHLD - 1)) & 1;
}

int main(int argc, char **argv) {
    long children = 3, delay = 1000, code = 0;
    int dfl = 0;
    for (int i = 1; i < argc; i++) {
        char *end = "";
        if (strcmp(argv[i], "--children") == 0 && i + 1 < argc) children = strtol(argv[++i], &end, 10);
        else if (strcmp(argv[i], "--delay") == 0 && i + 1 < argc) delay = parse_delay(argv[++i]);
        else if (strcmp(argv[i], "--code") == 0 && i + 1 < argc) code = strtol(argv[++i], &end, 10);
        else if (strcmp(argv[i], "--default") == 0) dfl = 1;
        else end = "bad";
        if (*end) delay = -1;
    }
    if (children < 1 || children > 64 || delay < 0 || code < 0 || code > 255) {
        fprintf(stderr, "[parent %d] usage: %s [--children 1..64] [--delay T] [--code 0..255] [--default]\n",
                (int)getpid(), argv[0]);
        return 2;
    }
    if (!dfl) signal(SIGCHLD, SIG_IGN);
    say("SIGCHLD ignored=%s", sigchld_ignored() ? "yes" : "no");

    pid_t pids[64];
    char list[64 * 12] = "";
    for (int i = 0; i < children; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            role = "child";
            say("child %d/%ld: exiting in %ldms with code=%ld", i + 1, children, delay, code);
            sleep_ms(delay);
            _exit((int)code);
        }
        if (pids[i] < 0) {
            perror("fork");
            return 1;
        }
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", i ? "," : "", (int)pids[i]);
    }
    say("forked children=%ld pids=%s", children, list);

    long deadline_ms = delay + 5000;
    if (!dfl) {
        int gone = 0;
        for (long waited = 0; waited < deadline_ms; waited++) {
            gone = 0;
            for (int i = 0; i < children; i++) gone += state_of(pids[i], NULL) == 0;
            if (gone == children) break;
            sleep_ms(1);
        }
        say("/proc entries gone=%d of %ld children, and I never called wait()", gone, children);
    } else {
        for (long waited = 0; waited < deadline_ms; waited++) {
            int zombies = 0;
            for (int i = 0; i < children; i++) zombies += state_of(pids[i], NULL) == 'Z';
            if (zombies == children) break;
            sleep_ms(1);
        }
        count();
        for (int i = 0; i < children; i++) {
            int status;
            if (waitpid(pids[i], &status, 0) == pids[i])
                say("reaped pid=%d exited code=%d", (int)pids[i], WEXITSTATUS(status));
        }
    }
    count();
    if (wait(NULL) < 0 && errno == ECHILD) say("wait() errno=ECHILD (No child processes)");
    else say("wait() returned a child");
    return 0;
}
