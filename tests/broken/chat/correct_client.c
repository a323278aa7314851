/* Control: a correct chat client in C, written from labs/09-chat.md alone
 * (the protocol and the grading contract), as a student would.
 * Expect: full marks
 *
 * Build: cc -O1 -Wall -o correct_client correct_client.c
 * Run:   ./correct_client HOST PORT
 *
 * Its socket is connected to the server, so an ICMP "port unreachable" (no
 * server) shows as ECONNREFUSED. It asks for a name until the server says
 * OK (3 tries per name, 1 s each), then forks: the child receives and
 * prints every notice until EXIT (bytes that are not UTF-8 as U+FFFD,
 * control characters escaped, the white space around trimmed); the parent
 * reads stdin and sends each line as `C name text`. Stdin is read with
 * read(2) into a buffer of its own and waited for with ppoll(), SIGINT
 * blocked except inside ppoll, so a Ctrl-C is never lost. `quit`, end of
 * input and Ctrl-C send `Q name`; the parent waits up to 1 s for the child
 * to end on EXIT, else stops it, and reaps it either way.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRIES 3
#define TIMEOUT_MS 1000
#define EXIT_WAIT_MS 1000

static const char *role = "client";
static volatile sig_atomic_t interrupted;

static void on_sigint(int signo) {
    (void)signo;
    interrupted = 1;
}

static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("[%s %d] ", role, (int)getpid());
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Stdin, line by line, with read(2): poll() then sees what is really left. */
static char inbuf[65536];
static size_t inlen;
static int in_eof;

/* The next line (without its newline) into out; 1 if one, 0 at end of
 * input, -1 if SIGINT came while waiting. */
static int next_line(char *out, size_t cap, const sigset_t *waitmask) {
    for (;;) {
        char *nl = memchr(inbuf, '\n', inlen);
        if (nl || (in_eof && inlen > 0)) {
            size_t n = nl ? (size_t)(nl - inbuf) : inlen;
            size_t keep = n < cap - 1 ? n : cap - 1;
            memcpy(out, inbuf, keep);
            out[keep] = '\0';
            if (keep > 0 && out[keep - 1] == '\r') out[keep - 1] = '\0';
            size_t used = nl ? n + 1 : n;
            memmove(inbuf, inbuf + used, inlen - used);
            inlen -= used;
            return 1;
        }
        if (in_eof) return 0;
        if (interrupted) return -1;
        struct pollfd p = {0, POLLIN, 0};
        if (ppoll(&p, 1, NULL, waitmask) < 0) {
            if (errno == EINTR) continue;
            return 0;
        }
        if (inlen == sizeof inbuf) inlen = 0; /* a line too long: dropped */
        ssize_t n = read(0, inbuf + inlen, sizeof inbuf - inlen);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) in_eof = 1;
        else inlen += (size_t)n;
    }
}

/* Wait up to ms for a datagram: its length, -1 on silence, -2 if refused. */
static ssize_t ask(int sock, const char *req, char *reply, size_t cap, int ms) {
    if (send(sock, req, strlen(req), 0) < 0) return errno == ECONNREFUSED ? -2 : -1;
    struct pollfd p = {sock, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return -1;
    ssize_t n = recv(sock, reply, cap - 1, MSG_DONTWAIT);
    if (n < 0) return errno == ECONNREFUSED ? -2 : -1;
    reply[n] = '\0';
    return n;
}

/* A notice as text: invalid UTF-8 as U+FFFD, control characters as \xNN. */
static void show_notice(const unsigned char *s, size_t n) {
    while (n > 0 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))) s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r'))) n--;
    static char out[65536 * 4];
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned int c = s[i];
        size_t len = c < 0x80 ? 1 : (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3
                   : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
        int ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++) ok = (s[i + k] & 0xc0) == 0x80;
        if (!ok) {
            memcpy(out + o, "\xef\xbf\xbd", 3), o += 3, i++;
        } else if (len == 1 && (c < 0x20 || c == 0x7f)) {
            o += (size_t)sprintf(out + o, "\\x%02x", c), i++;
        } else {
            memcpy(out + o, s + i, len), o += len, i += len;
        }
    }
    out[o] = '\0';
    say("%s", out);
}

static void receiver(int sock) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    static unsigned char buf[65536];
    for (;;) {
        ssize_t n = recv(sock, buf, sizeof buf, 0);
        if (n < 0) continue; /* EINTR, or an ICMP error: read on */
        if (n == 4 && memcmp(buf, "EXIT", 4) == 0) {
            say("got EXIT");
            _exit(0);
        }
        show_notice(buf, (size_t)n);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
        return 2;
    }
    struct addrinfo hints = {0}, *server;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    if (getaddrinfo(argv[1], argv[2], &hints, &server) != 0) {
        fprintf(stderr, "cannot find %s port %s\n", argv[1], argv[2]);
        return 2;
    }
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, server->ai_addr, server->ai_addrlen) < 0) {
        fprintf(stderr, "cannot reach %s:%s: %s\n", argv[1], argv[2], strerror(errno));
        return 1;
    }
    /* SIGINT is blocked except while waiting for input (ppoll). */
    sigset_t sigint, waitmask;
    sigemptyset(&sigint);
    sigaddset(&sigint, SIGINT);
    sigprocmask(SIG_BLOCK, &sigint, &waitmask);
    sigdelset(&waitmask, SIGINT);
    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);

    char name[4096], line[65536], reply[65536], req[70000];
    for (;;) {
        say("your name?");
        if (next_line(name, sizeof name, &waitmask) != 1) {
            fprintf(stderr, "[client %d] error: no name before the end of input\n", (int)getpid());
            return 1;
        }
        snprintf(req, sizeof req, "L %s", name);
        ssize_t n = -1;
        for (int t = 1; t <= TRIES; t++) {
            n = ask(sock, req, reply, sizeof reply, TIMEOUT_MS);
            if (n >= 0) break;
            say("%s, try=%d/%d", n == -2 ? "no server (connection refused)" : "no answer", t, TRIES);
            if (n == -2) sleep_ms(TIMEOUT_MS / 4);
        }
        if (n < 0) {
            fprintf(stderr, "[client %d] error: no server answered at %s:%s after %d tries\n", (int)getpid(), argv[1],
                    argv[2], TRIES);
            return 1;
        }
        if (strcmp(reply, "OK") == 0) break;
        printf("[client %d] refused by the server: ", (int)getpid());
        fflush(stdout);
        show_notice((unsigned char *)reply, (size_t)n);
    }
    say("logged in name=%s", name);

    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        role = "receiver";
        signal(SIGINT, SIG_IGN); /* the sender answers Ctrl-C for both */
        sigprocmask(SIG_UNBLOCK, &sigint, NULL);
        receiver(sock);
    }
    role = "sender";
    say("forked receiver=%d", (int)child);
    const char *why = "end of input";
    for (;;) {
        int r = next_line(line, sizeof line, &waitmask);
        if (r == -1) {
            why = "SIGINT";
            break;
        }
        if (r == 0) break;
        if (strcmp(line, "quit") == 0) {
            why = "quit";
            break;
        }
        if (line[0]) {
            snprintf(req, sizeof req, "C %s %s", name, line);
            send(sock, req, strlen(req), 0);
        }
    }
    say("leaving on %s", why);
    snprintf(req, sizeof req, "Q %s", name);
    send(sock, req, strlen(req), 0);
    int status = 0;
    int waited = 0;
    while (waitpid(child, &status, WNOHANG) == 0) {
        if (waited >= EXIT_WAIT_MS) {
            say("no EXIT within %d ms: stopping receiver %d", EXIT_WAIT_MS, (int)child);
            kill(child, SIGTERM);
            waitpid(child, &status, 0);
            break;
        }
        sleep_ms(10);
        waited += 10;
    }
    say("receiver %d ended status=%d", (int)child, status);
    return 0;
}
