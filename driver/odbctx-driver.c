/*
 * libodbctx-driver.so: odbctx as an ODBC driver that a driver manager
 * loads from odbcinst.ini (Driver = .../libodbctx-driver.so).
 *
 * It holds names only: every ODBC entry point (entries.h) forwards to
 * libodbctx.so, which does the work (c/capture/driver.c says how). Each
 * name goes to odbctx__drv_NAME when libodbctx.so has one (connecting and
 * what takes an environment handle), else to the NAME libodbctx.so exports
 * for capture (SQLExecDirect, SQLEndTran, ...), else to the driver manager
 * odbctx uses (libodbc.so.2, loaded here local to the driver, so that a
 * program on iODBC keeps its own names). A driver cannot simply leave a
 * name out for dlsym to find in its dependencies: unixODBC ignores entry
 * points that are its own, and what libodbctx.so exports for capture would
 * be found instead. So the A forms iODBC looks for first are here too, as
 * the plain ones.
 *
 * In a child process of a test (its environment names the session of
 * another process: c/share/), each name goes to odbctx__rmt_NAME instead,
 * which forwards the call to that process; a name without one fails with
 * a diagnostic that names the call, and nothing reaches a database.
 *
 * Built twice: libodbctx-driver.so with the plain and wide forms, and with
 * ODBCTX_DRIVER_NARROW libodbctx-driver-narrow.so with the plain (ANSI)
 * forms only, for driver managers whose wide characters are not UTF-16
 * (iODBC's are UCS-4 on Linux): without a wide SQLConnectW such a driver
 * manager converts the program's wide calls to narrow ones itself.
 */
#include "entries.h"

#include <dlfcn.h>
#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

#ifndef ODBCTX_SONAME
#error "build with -DODBCTX_SONAME='\"libodbctx.so.N\"'"
#endif

#define LEAVE_OUT(name, params, args)
#ifdef ODBCTX_DRIVER_NARROW
#define ENTRIES(M) ODBCTX_DRIVER_ENTRIES(M, LEAVE_OUT)
#else
#define ENTRIES(M) ODBCTX_DRIVER_ENTRIES(M, M)
#endif

#define POINTER(name, params, args) static SQLRETURN(SQL_API *to_##name) params;
ENTRIES(POINTER)

/* In a child: what a call without a forwarded form gets (NULL otherwise). */
static SQLRETURN (*refuse)(const char *name, SQLHANDLE h);

/* The handle a call is about: its first argument, unless that is a handle
 * type (SQLCancelHandle and the like, whose handle follows). */
#define FIRST(...) FIRST_(__VA_ARGS__, 0)
#define FIRST_(a, ...) a
#define HANDLE_OF(a0) _Generic((a0), SQLSMALLINT: (SQLHANDLE)0, default: (SQLHANDLE)(uintptr_t)(a0))

/* libodbctx.so.N from the folder this driver is in. Not left to the run
 * path: dlopen looks in the run path of whoever called it, and under a
 * sanitizer that interposes dlopen the caller is the sanitizer's runtime.
 * Where the folder has no such file (a driver copied elsewhere), by name. */
static void *load_odbctx(void)
{
    Dl_info self;
    if (dladdr((void *)&load_odbctx, &self) && self.dli_fname) {
        const char *slash = strrchr(self.dli_fname, '/');
        if (slash) {
            size_t dir = (size_t)(slash - self.dli_fname) + 1;
            char *path = malloc(dir + sizeof ODBCTX_SONAME);
            if (!path)
                return NULL;
            memcpy(path, self.dli_fname, dir);
            memcpy(path + dir, ODBCTX_SONAME, sizeof ODBCTX_SONAME);
            int there = access(path, F_OK) == 0;
            void *lib = there ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
            free(path);
            if (there)
                return lib;
        }
    }
    return dlopen(ODBCTX_SONAME, RTLD_NOW | RTLD_LOCAL);
}

__attribute__((constructor)) static void resolve(void)
{
    /* Loaded, not linked: then dlsym on this driver finds no name that
     * libodbctx.so exports for capture (SQLConnectW, say, which would
     * make iODBC take a narrow driver for a wide one). */
    void *lib = load_odbctx();
    if (!lib) {
        const char *why = dlerror();
        fprintf(stderr, "libodbctx-driver.so: cannot load %s: %s\n", ODBCTX_SONAME, why ? why : "out of memory");
        return;
    }
    void *dm = dlopen("libodbc.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!dm) {
        fprintf(stderr, "libodbctx-driver.so: cannot load libodbc.so.2: %s\n", dlerror());
        return;
    }
    int (*remote)(void) = (int (*)(void))dlsym(lib, "odbctx__drv_remote");
    if (remote && remote()) {
        *(void **)&refuse = dlsym(lib, "odbctx__rmt_refuse");
#define RESOLVE_REMOTE(name, params, args) *(void **)&to_##name = dlsym(lib, "odbctx__rmt_" #name);
        ENTRIES(RESOLVE_REMOTE)
        return;
    }
#define RESOLVE(name, params, args) \
    if (!(*(void **)&to_##name = dlsym(lib, "odbctx__drv_" #name)) && \
        !(*(void **)&to_##name = dlsym(lib, #name))) \
        *(void **)&to_##name = dlsym(dm, #name);
    ENTRIES(RESOLVE)
}

#define DEFINE(name, params, args) \
    EXPORT SQLRETURN SQL_API name params \
    { \
        if (to_##name) \
            return to_##name args; \
        return refuse ? refuse(#name, HANDLE_OF(FIRST args)) : SQL_ERROR; \
    }
ENTRIES(DEFINE)

#define DEFINE_A(name_a, name, params, args) \
    EXPORT SQLRETURN SQL_API name_a params \
    { \
        if (to_##name) \
            return to_##name args; \
        return refuse ? refuse(#name, HANDLE_OF(FIRST args)) : SQL_ERROR; \
    }
ODBCTX_DRIVER_A_ENTRIES(DEFINE_A)
