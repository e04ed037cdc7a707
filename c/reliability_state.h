/*
 * The part of a session that reconnects and MariaDB leftovers keep
 * (reconnect.c, leftovers.c); embedded in struct odbctx_session.
 */
#ifndef ODBCTX_RELIABILITY_STATE_H
#define ODBCTX_RELIABILITY_STATE_H

struct odbctx_rel_state {
    int lost;           /* the connection is gone: reconnect before the next suite use */
    int lost_in_a_row;  /* lost tests and failed reconnects since the last clean test */
    int gave_up;        /* ODBCTX_MAX_RECONNECTS reached: every later call fails at once */
    char lost_detail[400]; /* the first error that showed the loss (redacted) */
    char owner[48];     /* MariaDB: how odbctx_schema_registry knows this session */
    int registry_ready; /* MariaDB: the registry table exists */
};

#endif
