/*
 * Round trips of a whole client process, whatever its language: preloaded
 * (LD_PRELOAD) into the scenario's processes, it counts a round trip each
 * time the process starts sending on a socket after it has received (or at
 * its first send), which is what a client waiting for its answer does; a
 * message split over several send() calls counts once. At exit it writes the
 * count to the file MSGCOUNT_OUT names. libpq, MariaDB Connector/C and
 * CPython's socket module all send with send() and receive with recv().
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>

static long bursts;
static int sending;

static void on_send(void)
{
    if (!sending)
        bursts++;
    sending = 1;
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    static ssize_t (*real)(int, const void *, size_t, int);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
    on_send();
    return real(fd, buf, n, flags);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to,
               socklen_t len)
{
    static ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t, int, const struct sockaddr *,
                           socklen_t))dlsym(RTLD_NEXT, "sendto");
    on_send();
    return real(fd, buf, n, flags, to, len);
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
    static ssize_t (*real)(int, const struct msghdr *, int);
    if (!real)
        real = (ssize_t(*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
    on_send();
    return real(fd, m, flags);
}

ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    static ssize_t (*real)(int, void *, size_t, int);
    if (!real)
        real = (ssize_t(*)(int, void *, size_t, int))dlsym(RTLD_NEXT, "recv");
    ssize_t r = real(fd, buf, n, flags);
    if (r > 0)
        sending = 0;
    return r;
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from, socklen_t *len)
{
    static ssize_t (*real)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
    if (!real)
        real = (ssize_t(*)(int, void *, size_t, int, struct sockaddr *,
                           socklen_t *))dlsym(RTLD_NEXT, "recvfrom");
    ssize_t r = real(fd, buf, n, flags, from, len);
    if (r > 0)
        sending = 0;
    return r;
}

ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
    static ssize_t (*real)(int, struct msghdr *, int);
    if (!real)
        real = (ssize_t(*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
    ssize_t r = real(fd, m, flags);
    if (r > 0)
        sending = 0;
    return r;
}

__attribute__((destructor)) static void write_count(void)
{
    const char *path = getenv("MSGCOUNT_OUT");
    if (!path)
        return;
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "%ld\n", bursts);
    fclose(f);
}
