/*
 * What the files of share/ have in common: the wire between a child
 * process's driver and the process that owns the session. Nothing here is
 * exported.
 *
 * A message is a frame: a 4-byte length (of what follows), a 1-byte
 * operation (enum share_op), then fields written by put_* and read back by
 * get_* in the same order. Integers are the machine's own: both ends are
 * processes of one machine and the same libodbctx.so.N (the key says so).
 * Every field, and every byte string's data, starts at a multiple of 8
 * from the frame's start (the head and the fields are padded): frames are
 * read in place, and a string of UTF-16 text or a C value is handed to the
 * driver, or read as uint16_t, where it lies, which needs its alignment.
 * Every reply starts with the SQLRETURN and the diagnostics of the call.
 */
#ifndef ODBCTX_SHARE_H
#define ODBCTX_SHARE_H

#include "internal.h"

#include <stddef.h>
#include <stdint.h>

/* What a child's environment carries (docs/children.md). */
#define SHARE_ENV_SOCKET "ODBCTX_SHARE_SOCKET" /* the owner's socket */
#define SHARE_ENV_KEY "ODBCTX_SHARE_KEY"       /* the secret a child presents */
#define SHARE_ENV_OWNER "ODBCTX_SHARE_OWNER"   /* the owner's process id */
#define SHARE_KEY_HEX 64
/* Larger frames are refused: a long value comes in pieces (SQLGetData,
 * SQLPutData) or not at all. */
#define SHARE_FRAME_MAX (64u << 20)

enum share_op {
    OP_HELLO = 1,    /* key, pid, wide, autocommit, shown connection string */
    OP_BYE,          /* the child disconnects */
    OP_SET_CONN,     /* attr, is_text, value or text */
    OP_GET_CONN,     /* attr, is_text, buffer length, wide */
    OP_INFO,         /* info type, size (0: text), buffer length, wide */
    OP_END_TRAN,     /* completion type */
    OP_FREE,         /* stmt, SQL_DROP or SQL_CLOSE */
    OP_EXEC_DIRECT,  /* stmt, wide, text, parameters */
    OP_PREPARE,      /* stmt, wide, text */
    OP_EXECUTE,      /* stmt, parameters */
    OP_FETCH,        /* stmt, orientation, offset, bindings (when changed) */
    OP_GET_DATA,     /* stmt, column, C type, buffer length */
    OP_DESCRIBE,     /* stmt, column, wide, buffer length (characters) */
    OP_COL_ATTR,     /* stmt, column, field, wide, buffer length (bytes) */
    OP_MORE_RESULTS, /* stmt */
    OP_CATALOG,      /* stmt, function, wide, 6 texts, 3 numbers */
    OP_SET_STMT,     /* stmt, attr, value */
    OP_GET_STMT,     /* stmt, attr */
    OP_NUM_PARAMS,   /* stmt */
    OP_DESCRIBE_PARAM, /* stmt, parameter */
    OP_CANCEL,       /* stmt */
};

struct share_buf {
    unsigned char *p;
    size_t len, cap, at; /* at: the next byte get_* reads */
    int bad;             /* out of memory, or read past the end */
};

void share_buf_free(struct share_buf *b);
/* Starts a frame of operation op in b (emptied). */
void share_begin(struct share_buf *b, enum share_op op);
void share_put_i64(struct share_buf *b, int64_t v);
/* A byte string; NULL is told apart from an empty one. */
void share_put_bytes(struct share_buf *b, const void *p, size_t n);
void share_put_null(struct share_buf *b);
int64_t share_get_i64(struct share_buf *b);
/* Points into b; *n gets the length; NULL for a NULL string (or bad). */
const void *share_get_bytes(struct share_buf *b, size_t *n);

/* Sends the frame in b (its length filled in). 0, or -1 with errno. */
int share_send(int fd, struct share_buf *b);
/* Receives one frame into b (at points past the operation). Returns the
 * operation, 0 at end of file, -1 on error (errno) or a frame too big. */
int share_recv(int fd, struct share_buf *b);

/* A reply's diagnostics. */
struct share_diag {
    char state[6];
    int64_t native;
    char *message; /* UTF-8 */
};

/* config.c: the driver configuration a child reads (odbcinst.ini where
 * every driver is odbctx's, the real one kept as "NAME (odbctx target)";
 * iodbcinst.ini the same with the narrow driver; odbc.ini linked to the
 * system one), made in dir; then the environment names it. 0, or -1 with
 * why written. */
ODBCTX_API int odbctx__driver_config(const char *dir, const char *driver, const char *narrow,
                                     char *why, size_t wn);
/* Points ODBCSYSINI, SYSODBCINSTINI and SYSODBCINI at the configuration in
 * dir (after odbctx__driver_config). 0 or -1 with errno. */
ODBCTX_API int odbctx__driver_config_use(const char *dir);
/* 1 when the configuration the driver manager reads now is one of these
 * (odbctx-run's, or a parent's for its children). */
ODBCTX_API int odbctx__driver_config_active(void);
/* Removes what odbctx__driver_config made in dir (not dir itself). */
ODBCTX_API void odbctx__driver_config_remove(const char *dir);

/* Bytes a C type fills, 0 for the variable ones (text and binary), -1 for
 * one sharing does not know (SQL_C_DEFAULT among them). */
int odbctx__share_ctype_size(SQLSMALLINT t);

/* owner.c, for child.c: 1 when this process is a child that must join
 * another's session (its environment names an owner that is not itself
 * and sharing is on). */
int odbctx__share_child(void);

#endif
