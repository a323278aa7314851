/* Control: a correct half-copy in C, written from the handout alone.
 *
 * Expect: full marks
 *
 * half-copy [--force] [--shared-offset] SRC DST. Refuses bad input (exit 2)
 * before creating anything. Copies into a temp file beside DST: the child
 * copies bytes 0..H, the parent H..SIZE (H = SIZE / 2), each opening SRC and
 * the temp file itself after the fork and using pread/pwrite at explicit
 * offsets, skipping holes (SEEK_DATA/SEEK_HOLE). The temp file becomes DST
 * only when both halves are in; on any failure or Ctrl-C it is removed and
 * the program exits 1. --shared-offset makes the classic mistake (one open
 * before the fork, lseek + read/write) and counts the wrong bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (4L << 20)

static const char *role = "parent";
static volatile sig_atomic_t stop = 0;
static char tmp[4096];

#define say(...)                                 \
    do {                                         \
        printf("[%s %d] ", role, (int)getpid()); \
        printf(__VA_ARGS__);                     \
        printf("\n");                            \
        fflush(stdout);                          \
    } while (0)

#define complain(...)                                     \
    do {                                                  \
        fprintf(stderr, "[%s %d] ", role, (int)getpid()); \
        fprintf(stderr, __VA_ARGS__);                     \
        fprintf(stderr, "\n");                            \
    } while (0)

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Copy bytes [from, to) of src into dst at the same offsets, data extents
 * only. Returns 0, or -1 with a tagged reason printed. */
static int copy_range(int src, int dst, off_t from, off_t to) {
    static char buf[1 << 20];
    off_t pos = from;
    while (pos < to) {
        if (stop) {
            complain("stopped by a signal at offset %lld", (long long)pos);
            return -1;
        }
        off_t data = lseek(src, pos, SEEK_DATA);
        if (data < 0 && errno == ENXIO) return 0; /* only a hole is left */
        if (data < 0) {
            complain("lseek SEEK_DATA: %s", strerror(errno));
            return -1;
        }
        if (data >= to) return 0;
        off_t hole = lseek(src, data, SEEK_HOLE);
        if (hole < 0) hole = to;
        off_t end = hole < to ? hole : to;
        if (end > data + CHUNK) end = data + CHUNK;
        for (off_t at = data; at < end;) {
            size_t want = (size_t)(end - at) < sizeof buf ? (size_t)(end - at) : sizeof buf;
            ssize_t got = pread(src, buf, want, at);
            if (got <= 0) {
                complain("read SRC at %lld: %s", (long long)at, got == 0 ? "unexpected end" : strerror(errno));
                return -1;
            }
            for (ssize_t done = 0; done < got;) {
                ssize_t put = pwrite(dst, buf + done, got - done, at + done);
                if (put < 0) {
                    complain("write at %lld: %s", (long long)(at + done), strerror(errno));
                    return -1;
                }
                done += put;
            }
            at += got;
        }
        pos = end;
    }
    return 0;
}

/* One process's half, with its own opens (after the fork). */
static int my_half(const char *src_path, off_t from, off_t to) {
    double start = now();
    int src = open(src_path, O_RDONLY);
    int dst = open(tmp, O_WRONLY);
    if (src < 0 || dst < 0) {
        complain("open: %s", strerror(errno));
        return -1;
    }
    int r = copy_range(src, dst, from, to);
    close(src);
    if (close(dst) != 0 && r == 0) {
        complain("close: %s", strerror(errno));
        r = -1;
    }
    if (r == 0) say("copied from=%lld to=%lld time=%.6fs", (long long)from, (long long)to, now() - start);
    return r;
}

/* The mistake: shared descriptors, lseek then read/write. */
static int shared_half(int src, int dst, off_t from, off_t to) {
    static char buf[64 << 10];
    double start = now();
    for (off_t at = from; at < to;) {
        size_t want = (size_t)(to - at) < sizeof buf ? (size_t)(to - at) : sizeof buf;
        lseek(src, at, SEEK_SET);
        lseek(dst, at, SEEK_SET);
        ssize_t got = read(src, buf, want);
        if (got <= 0) break;
        if (write(dst, buf, got) != got) {
            complain("write: %s", strerror(errno));
            return -1;
        }
        at += got;
    }
    say("shared offset: copied from=%lld to=%lld time=%.6fs", (long long)from, (long long)to, now() - start);
    return 0;
}

static int fail(void) {
    unlink(tmp);
    complain("removed temp=%s; DST was not touched", tmp);
    return 1;
}

int main(int argc, char **argv) {
    int force = 0, shared = 0;
    const char *paths[2];
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--force") == 0) force = 1;
        else if (strcmp(argv[i], "--shared-offset") == 0) shared = 1;
        else if (argv[i][0] == '-' && argv[i][1] == '-') n = 3;
        else if (n < 2) paths[n++] = argv[i];
        else n = 3;
    }
    if (n != 2) {
        complain("usage: %s [--force] [--shared-offset] SRC DST", argv[0]);
        return 2;
    }
    const char *src_path = paths[0], *dst_path = paths[1];

    /* Refuse bad input before creating anything. */
    int src = open(src_path, O_RDONLY | O_NONBLOCK);
    if (src < 0) {
        if (errno == ENOENT) complain("refused: SRC %s does not exist", src_path);
        else complain("refused: SRC %s is not readable: %s", src_path, strerror(errno));
        return 2;
    }
    struct stat s, d;
    if (fstat(src, &s) != 0 || !S_ISREG(s.st_mode)) {
        complain("refused: SRC %s is not a regular file", src_path);
        return 2;
    }
    char dst_copy[4096], base_copy[4096];
    snprintf(dst_copy, sizeof dst_copy, "%s", dst_path);
    snprintf(base_copy, sizeof base_copy, "%s", dst_path);
    const char *folder = dirname(dst_copy), *base = basename(base_copy);
    struct stat f;
    if (stat(folder, &f) != 0 || !S_ISDIR(f.st_mode)) {
        complain("refused: DST's folder %s does not exist", folder);
        return 2;
    }
    if (stat(dst_path, &d) == 0) {
        if (d.st_dev == s.st_dev && d.st_ino == s.st_ino) {
            complain("refused: DST %s is SRC %s itself: a file cannot be copied onto itself", dst_path, src_path);
            return 2;
        }
        if (!force) {
            complain("refused: DST %s already exists (use --force to replace it)", dst_path);
            return 2;
        }
    }
    off_t size = s.st_size, half = size / 2;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked wait returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    snprintf(tmp, sizeof tmp, "%s/.%s.half-copy-%08lx", folder, base,
             (unsigned long)(getpid() ^ (long)(now() * 1e6)) & 0xffffffffUL);
    int t = open(tmp, O_WRONLY | O_CREAT | O_EXCL, s.st_mode & 0777);
    if (t < 0) {
        complain("cannot create temp=%s: %s", tmp, strerror(errno));
        return 1;
    }
    say("created temp=%s (O_CREAT|O_EXCL)", tmp);
    if (!shared) close(t);
    else close(src), src = open(src_path, O_RDONLY); /* the mistake: opened once, before the fork */
    if (!shared) close(src);

    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        complain("fork: %s", strerror(errno));
        return fail();
    }
    if (child == 0) {
        role = "child";
        int r = shared ? shared_half(src, t, 0, half) : my_half(src_path, 0, half);
        _exit(r == 0 ? 0 : 1);
    }
    int mine = shared ? shared_half(src, t, half, size) : my_half(src_path, half, size);
    if (mine != 0 || stop) kill(child, SIGTERM);
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            complain("waitpid: %s", strerror(errno));
            return fail();
        }
        if (stop) kill(child, SIGTERM);
    }
    if (WIFSIGNALED(status)) {
        complain("the child was killed by signal %d", WTERMSIG(status));
        return fail();
    }
    if (WEXITSTATUS(status) != 0) {
        complain("the child failed (exit code %d)", WEXITSTATUS(status));
        return fail();
    }
    if (mine != 0 || stop) {
        if (stop) complain("stopped by a signal");
        return fail();
    }
    int fd = open(tmp, O_WRONLY);
    if (fd < 0 || ftruncate(fd, size) != 0) { /* a hole at the end keeps SRC's size */
        complain("cannot set the size of temp=%s: %s", tmp, strerror(errno));
        return fail();
    }
    close(fd);
    if (rename(tmp, dst_path) != 0) {
        complain("rename %s to %s: %s", tmp, dst_path, strerror(errno));
        return fail();
    }
    say("both halves written: renamed the temp file to DST=%s size=%lld", dst_path, (long long)size);
    if (!shared) return 0;

    /* Compare DST with SRC byte by byte. */
    FILE *a = fopen(src_path, "rb"), *b = fopen(dst_path, "rb");
    long long wrong = 0;
    int x, y;
    while (a && b) {
        x = getc(a), y = getc(b);
        if (x == EOF && y == EOF) break;
        wrong += x != y;
    }
    if (a) fclose(a);
    if (b) fclose(b);
    say("compared DST with SRC byte by byte: wrong_bytes=%lld of size=%lld", wrong, (long long)size);
    return wrong == 0 ? 0 : 1;
}
