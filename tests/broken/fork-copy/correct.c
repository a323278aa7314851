/* Control: a correct fork-copy in C, written from labs/01-fork-copy.md alone.
 *
 * Expect: full marks
 *
 * a is on the stack, s and v are on the heap (malloc); %p prints their
 * addresses. stdout is flushed before fork, so nothing is printed twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <unistd.h>
#include <sys/wait.h>

static long start = 1, child_value = 10000;
static double delay = 1.0;

static double seconds(const char *t) {
    size_t n = strlen(t);
    if (n > 2 && strcmp(t + n - 2, "ms") == 0) return atof(t) / 1000;
    return atof(t);
}

static void show(const char *role, const char *what, long *a, char *s, long *v) {
    printf("[%s %d] %s: a=%ld a_addr=%p s=%s s_addr=%p v=[%ld,%ld,%ld] v_addr=%p\n",
           role, (int)getpid(), what, *a, (void *)a, s, (void *)s, v[0], v[1], v[2], (void *)v);
    fflush(stdout);
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--start") == 0) start = atol(argv[++i]);
        else if (strcmp(argv[i], "--child-value") == 0) child_value = atol(argv[++i]);
        else if (strcmp(argv[i], "--delay") == 0) delay = seconds(argv[++i]);
    }
    long a = start;
    char *s = strdup("made-by-parent");
    long *v = malloc(3 * sizeof *v);
    v[0] = start; v[1] = 2; v[2] = 3;

    show("parent", "before fork", &a, s, v);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
        show("child", "my copies after fork", &a, s, v);
        a = child_value;
        for (char *c = s; *c; c++) *c = toupper((unsigned char)*c);
        v[0] = child_value;
        show("child", "changed my copies", &a, s, v);
        usleep((useconds_t)(delay * 1e6));
        _exit(0);
    }
    printf("[parent %d] fork() returned child=%d\n", (int)getpid(), (int)pid);
    fflush(stdout);
    int status;
    if (waitpid(pid, &status, 0) < 0) { perror("waitpid"); return 1; }
    printf("[parent %d] child %d exited code=%d\n", (int)getpid(), (int)pid, WEXITSTATUS(status));
    show("parent", "after the child ended", &a, s, v);
    return 0;
}
