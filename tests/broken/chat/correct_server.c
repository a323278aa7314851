/* Control: a correct chat server in C, written from labs/09-chat.md alone
 * (the protocol, the kit's rules and the grading contract), as a student
 * would.
 * Expect: full marks
 *
 * Build: cc -O1 -Wall -o correct_server correct_server.c
 * Run:   ./correct_server [--host ADDR] [--port N]   (--port 0: any free port)
 *
 * The server forks an administrator child that reads stdin and hands each
 * line to the server over a socketpair (nobody on the network can reach
 * it). The server waits on the UDP socket and the socketpair with ppoll(),
 * SIGTERM and SIGINT blocked except inside ppoll (no lost signal). A
 * datagram longer than the buffer is seen with MSG_TRUNC and rejected
 * whole. With IP_RECVERR, the ICMP "port unreachable" that comes back for a
 * datagram sent to a dead client is read from the error queue (its
 * msg_name is that client's address): the client is removed and the others
 * are told. On SIGTERM or SIGINT the server kills and reaps the
 * administrator child, sends EXIT to everyone and ends.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_DATAGRAM 4096
#define MAX_NAME 32
#define MAX_USERS 1024

struct user {
    int used;
    char name[MAX_NAME + 1];
    struct sockaddr_in addr;
};

static struct user users[MAX_USERS];
static int nusers;
static int sock;
static volatile sig_atomic_t stop_signal;

static void on_signal(int signo) { stop_signal = signo; }

static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("[server %d] ", (int)getpid());
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
}

/* Length of the valid UTF-8 character at s (n bytes left), or 0. */
static size_t utf8_char(const unsigned char *s, size_t n) {
    size_t len;
    unsigned int c = s[0];
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) len = 3;
    else if (c >= 0xf0 && c <= 0xf4) len = 4;
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && s[1] < 0xa0) return 0; /* overlong */
    if (c == 0xed && s[1] >= 0xa0) return 0; /* surrogates */
    if (c == 0xf0 && s[1] < 0x90) return 0;
    if (c == 0xf4 && s[1] >= 0x90) return 0;
    return len;
}

static int valid_utf8(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        size_t len = utf8_char(s + i, n - i);
        if (!len) return 0;
        i += len;
    }
    return 1;
}

/* Control characters: C0, DEL, C1 (U+0080..U+009F); a tab is allowed if tab_ok. */
static int has_control(const unsigned char *s, size_t n, int tab_ok) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\t' && tab_ok) continue;
        if (s[i] < 0x20 || s[i] == 0x7f) return 1;
        if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f) return 1;
    }
    return 0;
}

/* White space: ASCII, no-break space U+00A0, ideographic space U+3000. */
static int has_space(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) return 1;
        if (s[i] == 0xc2 && i + 1 < n && s[i + 1] == 0xa0) return 1;
        if (s[i] == 0xe3 && i + 2 < n && s[i + 1] == 0x80 && s[i + 2] == 0x80) return 1;
    }
    return 0;
}

static const char *name_problem(const char *name, size_t n) {
    if (n == 0) return "name refused: it is empty";
    if (n > MAX_NAME) return "name refused: longer than 32 bytes";
    if (has_space((const unsigned char *)name, n)) return "name refused: no spaces allowed";
    if (has_control((const unsigned char *)name, n, 0)) return "name refused: no control characters allowed";
    if (strcasecmp(name, "admin") == 0 || strcmp(name, "管理员") == 0)
        return "name refused: reserved for the administrator";
    return NULL;
}

static int same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b) {
    return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

static int by_name(const char *name) {
    for (int i = 0; i < MAX_USERS; i++)
        if (users[i].used && strcmp(users[i].name, name) == 0) return i;
    return -1;
}

static int by_addr(const struct sockaddr_in *a) {
    for (int i = 0; i < MAX_USERS; i++)
        if (users[i].used && same_addr(&users[i].addr, a)) return i;
    return -1;
}

static void send_to(const struct sockaddr_in *to, const char *buf, size_t n) {
    /* An error here is an ICMP error for someone: the error queue says whom. */
    (void)sendto(sock, buf, n, 0, (const struct sockaddr *)to, sizeof *to);
}

/* A notice to everyone but `except` (-1: nobody excepted): "\n" + text. */
static void tell(int except, const char *fmt, ...) {
    char buf[MAX_DATAGRAM + 64];
    va_list ap;
    va_start(ap, fmt);
    buf[0] = '\n';
    int n = vsnprintf(buf + 1, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t len = (size_t)n + 1 < sizeof buf ? (size_t)n + 1 : sizeof buf - 1;
    for (int i = 0; i < MAX_USERS; i++)
        if (users[i].used && i != except) send_to(&users[i].addr, buf, len);
}

static void leave(int i, const char *why) {
    char name[MAX_NAME + 1];
    strcpy(name, users[i].name);
    users[i].used = 0;
    nusers--;
    tell(-1, "%s left the chat", name);
    say("%s name=%s clients=%d", why, name, nusers);
}

static void do_login(const char *name, size_t n, const struct sockaddr_in *from) {
    const char *why = name_problem(name, n);
    char taken_by[128];
    int same = -1;
    if (!why) {
        same = by_name(name);
        if (same >= 0 && !same_addr(&users[same].addr, from)) why = "name taken: someone in the chat already uses it";
    }
    if (!why) {
        int mine = by_addr(from);
        if (mine >= 0 && mine != same) {
            snprintf(taken_by, sizeof taken_by, "this address is already in the chat as %s", users[mine].name);
            why = taken_by;
        }
    }
    if (!why && same < 0 && nusers == MAX_USERS) why = "the chat is full";
    if (why) {
        send_to(from, why, strlen(why));
        say("refused login from=%s:%d", inet_ntoa(from->sin_addr), ntohs(from->sin_port));
        return;
    }
    send_to(from, "OK", 2);
    if (same >= 0) return; /* the same client again: nothing new */
    tell(-1, "%s joined the chat", name);
    for (int i = 0; i < MAX_USERS; i++) {
        if (!users[i].used) {
            users[i].used = 1;
            memcpy(users[i].name, name, n + 1);
            users[i].addr = *from;
            break;
        }
    }
    nusers++;
    say("login name=%s clients=%d", name, nusers);
}

static void request(char *buf, size_t n, const struct sockaddr_in *from) {
    if (n == 0 || !valid_utf8((unsigned char *)buf, n) || memchr(buf, '\0', n)) return;
    buf[n] = '\0';
    char *rest = strchr(buf, ' ');
    if (rest) *rest++ = '\0';
    else rest = buf + n;
    size_t restlen = strlen(rest);
    if (strcmp(buf, "L") == 0) {
        do_login(rest, restlen, from);
    } else if (strcmp(buf, "C") == 0) {
        char *text = strchr(rest, ' ');
        if (!text) return;
        *text++ = '\0';
        int i = by_name(rest);
        if (i < 0 || !same_addr(&users[i].addr, from)) return; /* not logged in, or someone else */
        if (has_control((unsigned char *)text, strlen(text), 1)) return;
        tell(i, "%s: %s", rest, text);
    } else if (strcmp(buf, "Q") == 0) {
        int i = by_name(rest);
        if (i < 0 || !same_addr(&users[i].addr, from)) return;
        send_to(from, "EXIT", 4);
        leave(i, "quit");
    }
}

/* Dead clients: each ICMP error names the address it came back for. */
static void read_errors(void) {
    for (;;) {
        struct sockaddr_in offender;
        char data[64], control[512];
        struct iovec iov = {data, sizeof data};
        struct msghdr msg = {0};
        msg.msg_name = &offender;
        msg.msg_namelen = sizeof offender;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        if (recvmsg(sock, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return;
        int i = by_addr(&offender);
        if (i >= 0) leave(i, "gone");
    }
}

static void receive(void) {
    static char buf[MAX_DATAGRAM + 1];
    for (;;) {
        read_errors();
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        /* MSG_TRUNC: the datagram's real length, even when longer than buf. */
        ssize_t n = recvfrom(sock, buf, MAX_DATAGRAM, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from, &len);
        if (n < 0) {
            if (errno == ECONNREFUSED || errno == EHOSTUNREACH) continue;
            return; /* EAGAIN: nothing more */
        }
        if (n > MAX_DATAGRAM) continue; /* cut: rejected whole */
        request(buf, (size_t)n, &from);
    }
}

static void admin_child(int pair) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (n > 0 && n <= MAX_DATAGRAM - 64) send(pair, line, (size_t)n, 0);
    }
    _exit(0);
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = 8888;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) host = argv[++i];
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--host ADDR] [--port N]\n", argv[0]);
            return 2;
        }
    }
    sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (sock < 0 || inet_pton(AF_INET, host, &addr.sin_addr) != 1 ||
        bind(sock, (struct sockaddr *)&addr, sizeof addr) < 0) {
        fprintf(stderr, "cannot listen on %s:%d: %s\n", host, port, strerror(errno));
        return 1;
    }
    int on = 1;
    setsockopt(sock, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
    socklen_t alen = sizeof addr;
    getsockname(sock, (struct sockaddr *)&addr, &alen);
    say("listening addr=%s:%d", inet_ntoa(addr.sin_addr), ntohs(addr.sin_port));

    sigset_t stops, none;
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &stops, NULL);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair) < 0) {
        perror("socketpair");
        return 1;
    }
    pid_t admin = fork();
    if (admin < 0) {
        perror("fork");
        return 1;
    }
    if (admin == 0) {
        close(pair[0]);
        close(sock);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        sigprocmask(SIG_UNBLOCK, &stops, NULL);
        admin_child(pair[1]);
    }
    close(pair[1]);
    say("forked admin child=%d", (int)admin);

    struct pollfd fds[2] = {{sock, POLLIN, 0}, {pair[0], POLLIN, 0}};
    while (!stop_signal) {
        int r = ppoll(fds, 2, NULL, &none);
        if (r < 0) continue; /* EINTR: a signal, checked above */
        if (fds[1].revents) {
            char line[MAX_DATAGRAM];
            ssize_t n = recv(pair[0], line, sizeof line - 1, 0);
            if (n > 0) {
                line[n] = '\0';
                tell(-1, "[admin] %s", line);
            } else {
                fds[1].fd = -1; /* stdin ended: keep serving */
                waitpid(admin, NULL, 0);
                admin = 0;
                say("admin input ended");
            }
        }
        if (fds[0].revents) receive();
    }
    say("stopping on signal=%s", stop_signal == SIGTERM ? "SIGTERM" : "SIGINT");
    if (admin > 0) {
        kill(admin, SIGTERM);
        waitpid(admin, NULL, 0);
    }
    for (int i = 0; i < MAX_USERS; i++)
        if (users[i].used) send_to(&users[i].addr, "EXIT", 4);
    say("stopped");
    return 0;
}
