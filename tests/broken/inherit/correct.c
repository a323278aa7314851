/* Control: a correct inherit lab in C, as a student could write it from
   labs/13-inherit.md.

   Expect: full marks
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RECORD 32
static const char *role = "parent";

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void say(const char *fmt, ...) {
    char text[256], line[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    int n = snprintf(line, sizeof line, "[%s %d] %s\n", role, getpid(), text);
    write(1, line, n);
}

static void write_records(int fd, int n, const char *which) {
    off_t start = lseek(fd, 0, SEEK_CUR);
    for (int i = 1; i <= n; i++) {
        char rec[RECORD + 1];
        snprintf(rec, sizeof rec, "%-31s\n", "");
        char text[RECORD];
        int len = snprintf(text, sizeof text, "%s pid=%d n=%d", role, getpid(), i);
        memcpy(rec, text, len);
        write(fd, rec, RECORD);
    }
    say("file=%s writes=%d from=%ld", which, n, (long)start);
}

static long inode(int fd) {
    char path[64], link[64] = "";
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    readlink(path, link, sizeof link - 1);
    return strtol(link + strlen("socket:["), NULL, 10);
}

static void receive(int s) {
    char buf[64];
    for (;;) {
        int n = recv(s, buf, sizeof buf - 1, 0);
        if (n <= 0) return;
        buf[n] = 0;
        if (!strcmp(buf, "end")) return;
        say("received %s socket_inode=%ld", buf, inode(s));
    }
}

static int udp_bound(int port) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { int e = errno; close(s); errno = e; return -1; }
    return s;
}

static int port_of(int s) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &len);
    return ntohs(a.sin_port);
}

int main(int argc, char **argv) {
    int writes = 3, datagrams = 6;
    const char *dir = "/tmp";
    double hold = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--writes")) writes = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--datagrams")) datagrams = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--dir")) dir = argv[i + 1];
        else if (!strcmp(argv[i], "--hold")) hold = strstr(argv[i + 1], "ms") ? atof(argv[i + 1]) / 1000 : atof(argv[i + 1]);
    }
    char before[4096], after[4096];
    snprintf(before, sizeof before, "%s/inherit-before.txt", dir);
    snprintf(after, sizeof after, "%s/inherit-after.txt", dir);

    int fd = open(before, O_RDWR | O_CREAT | O_TRUNC, 0644);
    pid_t c = fork();
    if (c == 0) { role = "child"; write_records(fd, writes, "before"); _exit(0); }
    waitpid(c, NULL, 0);
    write_records(fd, writes, "before");
    close(fd);

    c = fork();
    if (c == 0) {
        role = "child";
        write_records(open(after, O_WRONLY | O_CREAT | O_TRUNC, 0644), writes, "after");
        _exit(0);
    }
    waitpid(c, NULL, 0);
    fd = open(after, O_WRONLY);
    write_records(fd, writes, "after");
    close(fd);

    int s = udp_bound(0), port = port_of(s);
    say("bound port=%d socket_inode=%ld", port, inode(s));
    c = fork();
    if (c == 0) { role = "child"; receive(s); _exit(0); }
    struct timespec t = { (time_t)hold, (long)((hold - (time_t)hold) * 1e9) };
    nanosleep(&t, NULL);
    int out = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 1; i <= datagrams; i++) {
        char msg[32];
        int n = snprintf(msg, sizeof msg, "datagram=%d", i);
        sendto(out, msg, n, 0, (struct sockaddr *)&to, sizeof to);
    }
    sendto(out, "end", 3, 0, (struct sockaddr *)&to, sizeof to);
    sendto(out, "end", 3, 0, (struct sockaddr *)&to, sizeof to);
    receive(s);
    waitpid(c, NULL, 0);
    close(s);

    int p[2];
    pipe(p);
    c = fork();
    if (c == 0) {
        role = "child";
        int taken = 0;
        read(p[0], &taken, sizeof taken);
        if (udp_bound(taken) < 0) say("bind port=%d errno=%s", taken, errno == EADDRINUSE ? "EADDRINUSE" : strerror(errno));
        else say("bind port=%d succeeded", taken);
        _exit(0);
    }
    s = udp_bound(0);
    port = port_of(s);
    say("bound after fork: port=%d", port);
    write(p[1], &port, sizeof port);
    waitpid(c, NULL, 0);
    return 0;
}
