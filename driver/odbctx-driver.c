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
 * points that are its own.
 */
#include "entries.h"

#include <dlfcn.h>
#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>
#include <stdio.h>
#include <stdlib.h>

#define EXPORT __attribute__((visibility("default")))

#ifndef ODBCTX_SONAME
#error "build with -DODBCTX_SONAME='\"libodbctx.so.N\"'"
#endif

#define POINTER(name, params, args) static SQLRETURN(SQL_API *to_##name) params;
ODBCTX_DRIVER_ENTRIES(POINTER)

__attribute__((constructor)) static void resolve(void)
{
    void *lib = dlopen(ODBCTX_SONAME, RTLD_NOW | RTLD_NOLOAD);
    if (!lib) {
        fprintf(stderr, "libodbctx-driver.so: %s is not loaded: %s\n", ODBCTX_SONAME, dlerror());
        return;
    }
    void *dm = dlopen("libodbc.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!dm) {
        fprintf(stderr, "libodbctx-driver.so: cannot load libodbc.so.2: %s\n", dlerror());
        return;
    }
#define RESOLVE(name, params, args) \
    if (!(*(void **)&to_##name = dlsym(lib, "odbctx__drv_" #name)) && \
        !(*(void **)&to_##name = dlsym(lib, #name))) \
        *(void **)&to_##name = dlsym(dm, #name);
    ODBCTX_DRIVER_ENTRIES(RESOLVE)
}

#define DEFINE(name, params, args) \
    EXPORT SQLRETURN SQL_API name params \
    { \
        return to_##name ? to_##name args : SQL_ERROR; \
    }
ODBCTX_DRIVER_ENTRIES(DEFINE)
