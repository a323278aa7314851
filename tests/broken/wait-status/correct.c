/* Control: a correct wait-status lab in C, written from labs/03-wait-status.md alone.
 *
 * Expect: full marks
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/wait.h>

static const struct { const char *name; int num; int ends; } SIGS[] = {
    {"HUP", SIGHUP, 1}, {"INT", SIGINT, 1}, {"QUIT", SIGQUIT, 1}, {"ILL", SIGILL, 1},
    {"ABRT", SIGABRT, 1}, {"FPE", SIGFPE, 1}, {"KILL", SIGKILL, 1}, {"SEGV", SIGSEGV, 1},
    {"PIPE", SIGPIPE, 1}, {"ALRM", SIGALRM, 1}, {"TERM", SIGTERM, 1}, {"USR1", SIGUSR1, 1},
    {"USR2", SIGUSR2, 1}, {"CHLD", SIGCHLD, 0}, {"CONT", SIGCONT, 0}, {"STOP", SIGSTOP, 0},
    {"TSTP", SIGTSTP, 0}, {"TTIN", SIGTTIN, 0}, {"TTOU", SIGTTOU, 0}, {"URG", SIGURG, 0},
    {"WINCH", SIGWINCH, 0},
};

static void usage(const char *what, const char *value) {
    fprintf(stderr, "wait-status: bad %s '%s'\n", what, value);
    exit(2);
}

static double seconds(const char *t) {
    size_t n = strlen(t);
    if (n > 2 && strcmp(t + n - 2, "ms") == 0) return atof(t) / 1000;
    return atof(t);
}

/* The signal named by `text` (TERM, SIGTERM, term, 15), if it ends a process. */
static int parse_signal(const char *text) {
    const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
    for (size_t i = 0; i < sizeof SIGS / sizeof SIGS[0]; i++) {
        int by_number = isdigit((unsigned char)name[0]) && atoi(name) == SIGS[i].num;
        if (by_number || strcasecmp(name, SIGS[i].name) == 0) {
            if (!SIGS[i].ends) usage("--signal (does not end a process)", text);
            return SIGS[i].num;
        }
    }
    usage("--signal", text);
    return 0;
}

int main(int argc, char **argv) {
    int code = 2, sig = 0, nohang = 0;
    double delay = 2.0, poll = 0.5;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--nohang") == 0) { nohang = 1; continue; }
        if (i + 1 >= argc) usage("option", argv[i]);
        const char *v = argv[++i];
        if (strcmp(argv[i - 1], "--code") == 0) {
            char *end;
            long c = strtol(v, &end, 10);
            if (*end || c < 0 || c > 255) usage("--code", v);
            code = (int)c;
        } else if (strcmp(argv[i - 1], "--signal") == 0) sig = parse_signal(v);
        else if (strcmp(argv[i - 1], "--delay") == 0) delay = seconds(v);
        else if (strcmp(argv[i - 1], "--poll") == 0) poll = seconds(v);
        else usage("option", argv[i - 1]);
    }

    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
        printf("[child %d] getpid()=%d\n", (int)getpid(), (int)getpid());
        fflush(stdout);
        usleep((useconds_t)(delay * 1e6));
        if (sig) {
            signal(sig, SIG_DFL);
            kill(getpid(), sig);
        }
        _exit(code);
    }
    printf("[parent %d] fork() returned child=%d\n", (int)getpid(), (int)pid);
    fflush(stdout);
    int status;
    pid_t got;
    if (nohang) {
        while ((got = waitpid(-1, &status, WNOHANG)) == 0) {
            printf("[parent %d] waitpid(-1, WNOHANG) returned=0: still running\n", (int)getpid());
            fflush(stdout);
            usleep((useconds_t)(poll * 1e6));
        }
    } else {
        got = wait(&status);
    }
    printf("[parent %d] wait returned=%d raw=%d\n", (int)getpid(), (int)got, status);
    if (WIFEXITED(status))
        printf("[parent %d] WIFEXITED=true WEXITSTATUS=%d WIFSIGNALED=false\n", (int)getpid(), WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("[parent %d] WIFEXITED=false WIFSIGNALED=true WTERMSIG=%d\n", (int)getpid(), WTERMSIG(status));
    return 0;
}
