/* Control: a correct zombie lab in C, written from labs/04-zombie.md alone.
 *
 * Expect: full marks
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static double seconds(const char *t) {
    size_t n = strlen(t);
    if (n > 2 && strcmp(t + n - 2, "ms") == 0) return atof(t) / 1000;
    return atof(t);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read /proc/<pid>/stat: 1 and the state, comm and ppid; 0 when it is gone. */
static int read_stat(pid_t pid, char *state, char *comm, size_t comm_len, int *ppid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close) return 0;
    size_t len = (size_t)(close - open - 1) < comm_len - 1 ? (size_t)(close - open - 1) : comm_len - 1;
    memcpy(comm, open + 1, len);
    comm[len] = 0;
    for (char *c = comm; *c; c++) if (*c == ' ') *c = '_';
    return sscanf(close + 2, "%c %d", state, ppid) == 2;
}

int main(int argc, char **argv) {
    int code = 3;
    double delay = 3.0;
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--code") == 0) code = atoi(argv[++i]);
        else if (strcmp(argv[i], "--delay") == 0) delay = seconds(argv[++i]);
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
        printf("[child %d] getpid()=%d, exiting with %d\n", (int)getpid(), (int)getpid(), code);
        fflush(stdout);
        _exit(code);
    }
    double forked = now();
    pid_t me = getpid();
    printf("[parent %d] fork() returned child=%d\n", (int)me, (int)pid);
    char state = '?', comm[64] = "";
    int ppid = 0;
    /* The child becomes a zombie when it ends: poll for it, give up after 5 s. */
    while (!(read_stat(pid, &state, comm, sizeof comm, &ppid) && state == 'Z') && now() - forked < 5)
        usleep(1000);
    printf("[parent %d] before wait: pid=%d state=%c comm=%s ppid=%d\n", (int)me, (int)pid, state, comm, ppid);
    fflush(stdout);
    double left = delay - (now() - forked);
    if (left > 0) usleep((useconds_t)(left * 1e6));
    int status;
    pid_t got = wait(&status);
    printf("[parent %d] wait() returned=%d code=%d\n", (int)me, (int)got, WEXITSTATUS(status));
    printf("[parent %d] after wait: gone=%s\n", (int)me,
           read_stat(pid, &state, comm, sizeof comm, &ppid) ? "no" : "yes");
    return 0;
}
