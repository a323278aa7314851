/* Control: a correct pids lab in C, written from labs/02-pids.md alone.
 *
 * Expect: full marks
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static double seconds(const char *t) {
    size_t n = strlen(t);
    if (n > 2 && strcmp(t + n - 2, "ms") == 0) return atof(t) / 1000;
    return atof(t);
}

int main(int argc, char **argv) {
    double delay = 1.0;
    int lie = 0;
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--delay") == 0) delay = seconds(argv[++i]);
        else if (strcmp(argv[i], "--lie") == 0) lie = atoi(argv[++i]);
    }
    pid_t me = getpid();
    printf("[parent %d] getpid()=%d getppid()=%d\n", (int)me, (int)me, (int)getppid());
    fflush(stdout);
    int fd[2];
    if (pipe(fd) < 0) { perror("pipe"); return 1; }
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
        close(fd[0]);
        pid_t mine = getpid(), ppid = getppid();
        printf("[child %d] getpid()=%d getppid()=%d\n", (int)mine, (int)mine, (int)ppid);
        printf("[child %d] ppid_match=%s\n", (int)mine, ppid == me ? "yes" : "no");
        fflush(stdout);
        int told = (int)mine + lie;
        if (write(fd[1], &told, sizeof told) != sizeof told) _exit(1);
        close(fd[1]);
        usleep((useconds_t)(delay * 1e6));
        _exit(0);
    }
    close(fd[1]);
    printf("[parent %d] fork() returned child=%d\n", (int)me, (int)pid);
    int said = 0;
    if (read(fd[0], &said, sizeof said) != sizeof said) said = 0;
    close(fd[0]);
    printf("[parent %d] child_said=%d pid_match=%s\n", (int)me, said, said == pid ? "yes" : "no");
    fflush(stdout);
    int status;
    pid_t done = waitpid(pid, &status, 0);
    printf("[parent %d] waitpid returned=%d code=%d\n", (int)me, (int)done, WEXITSTATUS(status));
    return 0;
}
