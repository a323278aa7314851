/* For tests/trace.rs: a vfork + exec, and a child that is stopped,
 * continued and killed by its parent, which reaps both. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    printf("[parent %d] start\n", getpid());
    fflush(stdout);
    pid_t v = vfork();
    if (v == 0) { execlp("true", "true", (char *)0); _exit(127); }
    int ready[2];
    if (pipe(ready) != 0) return 1;
    pid_t s = fork();
    if (s == 0) {
        printf("[sleeper %d] waiting\n", getpid());
        fflush(stdout);
        if (write(ready[1], "r", 1) != 1) _exit(1); /* the parent signals only after this */
        pause();
        _exit(0);
    }
    char r;
    if (read(ready[0], &r, 1) != 1) return 1;
    kill(s, SIGSTOP);
    int st;
    waitpid(s, &st, WUNTRACED);
    kill(s, SIGCONT);
    kill(s, SIGTERM);
    waitpid(s, &st, 0);
    waitpid(v, &st, 0);
    printf("[parent %d] done\n", getpid());
    return 0;
}
