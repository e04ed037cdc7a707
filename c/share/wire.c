/*
 * Frames between a child's driver and the session's owner (share.h).
 */
#include "share/share.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NULL_LEN UINT32_MAX
/* Every field starts at a multiple of 8 from the frame's start (share.h). */
#define ALIGN 8
#define HEAD 8 /* the length, the operation, padding */

static size_t aligned(size_t n) { return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1); }

void share_buf_free(struct share_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static void put(struct share_buf *b, const void *p, size_t n)
{
    if (b->bad)
        return;
    if (odbctx__grow((void **)&b->p, &b->cap, b->len + n, 1)) {
        b->bad = 1;
        return;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

/* Zeros up to the next field's start. */
static void pad(struct share_buf *b)
{
    static const unsigned char zeros[ALIGN];
    put(b, zeros, aligned(b->len) - b->len);
}

void share_begin(struct share_buf *b, enum share_op op)
{
    unsigned char head[HEAD] = {0, 0, 0, 0, (unsigned char)op};
    b->len = b->at = 0;
    b->bad = 0;
    put(b, head, sizeof head);
}

void share_put_i64(struct share_buf *b, int64_t v)
{
    put(b, &v, sizeof v);
}

void share_put_bytes(struct share_buf *b, const void *p, size_t n)
{
    uint32_t len = (uint32_t)n;
    if (n >= NULL_LEN) {
        b->bad = 1;
        return;
    }
    put(b, &len, sizeof len);
    pad(b);
    put(b, p, n);
    pad(b);
}

void share_put_null(struct share_buf *b)
{
    uint32_t len = NULL_LEN;
    put(b, &len, sizeof len);
    pad(b);
}

/* n bytes of the next field, and past its padding. */
static const void *take(struct share_buf *b, size_t n)
{
    if (b->bad || b->len - b->at < n) {
        b->bad = 1;
        return NULL;
    }
    const void *p = b->p + b->at;
    b->at += n;
    b->at = aligned(b->at) < b->len ? aligned(b->at) : b->len;
    return p;
}

int64_t share_get_i64(struct share_buf *b)
{
    int64_t v = 0;
    const void *p = take(b, sizeof v);
    if (p)
        memcpy(&v, p, sizeof v);
    return v;
}

const void *share_get_bytes(struct share_buf *b, size_t *n)
{
    uint32_t len;
    const void *p = take(b, sizeof len);
    *n = 0;
    if (!p)
        return NULL;
    memcpy(&len, p, sizeof len);
    if (len == NULL_LEN)
        return NULL;
    p = take(b, len);
    if (p)
        *n = len;
    /* An empty string must not read as NULL. */
    return p ? p : NULL;
}

int share_send(int fd, struct share_buf *b)
{
    if (b->bad || b->len < HEAD || b->len - 4 > SHARE_FRAME_MAX) {
        errno = b->bad ? ENOMEM : EMSGSIZE;
        return -1;
    }
    uint32_t n = (uint32_t)(b->len - 4);
    memcpy(b->p, &n, sizeof n);
    for (size_t off = 0; off < b->len;) {
        /* MSG_NOSIGNAL: a peer that is gone is an error, not SIGPIPE. */
        ssize_t k = send(fd, b->p + off, b->len - off, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        off += (size_t)k;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n)
{
    for (size_t off = 0; off < n;) {
        ssize_t k = read(fd, (char *)p + off, n - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            return off == 0 ? 0 : (errno = ECONNRESET, -1);
        off += (size_t)k;
    }
    return 1;
}

/* One read takes the whole frame when it fits the buffer, which it does
 * once the buffer has grown to the connection's usual frames: a call then
 * costs one read on each side, not two. The protocol is one request, one
 * reply: a peer never sends a second frame before the first is answered,
 * so bytes past the frame are a peer's error. */
int share_recv(int fd, struct share_buf *b)
{
    b->len = b->at = 0;
    b->bad = 0;
    if (b->cap < 256 && odbctx__grow((void **)&b->p, &b->cap, 256, 1)) {
        errno = ENOMEM;
        return -1;
    }
    size_t got = 0;
    while (got < 4) {
        ssize_t k = read(fd, b->p + got, b->cap - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            return got == 0 ? 0 : (errno = ECONNRESET, -1);
        got += (size_t)k;
    }
    uint32_t n;
    memcpy(&n, b->p, sizeof n);
    if (n < HEAD - 4 || n > SHARE_FRAME_MAX || got > 4 + (size_t)n) {
        errno = EMSGSIZE;
        return -1;
    }
    if (odbctx__grow((void **)&b->p, &b->cap, 4 + (size_t)n, 1)) {
        errno = ENOMEM;
        return -1;
    }
    if (read_all(fd, b->p + got, 4 + (size_t)n - got) != 1) {
        if (errno == 0)
            errno = ECONNRESET;
        return -1;
    }
    /* get_* read from at: past the head, in place. */
    b->len = 4 + (size_t)n;
    b->at = HEAD;
    return b->p[4];
}
