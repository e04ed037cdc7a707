/*
 * The driver manager's own entry points (odbc_real.h), looked up once.
 */
#include "capture/odbc_real.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

struct odbctx_real odbctx_real_table;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[256];

/* dlsym on libodbc's own handle returns libodbc's definition even when
 * libodbctx (linked first or preloaded) exports the same name. */
static void load(void)
{
    void *lib = dlopen("libodbc.so.2", RTLD_NOW | RTLD_NOLOAD);
    if (!lib)
        lib = dlopen("libodbc.so.2", RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        snprintf(load_error, sizeof load_error,
                 "cannot load the unixODBC driver manager libodbc.so.2: %s", dlerror());
        return;
    }
#define LOAD_ONE(ret, name, params) \
    odbctx_real_table.name = (odbctx_real_##name##_fn)dlsym(lib, #name); \
    if (!odbctx_real_table.name) { \
        snprintf(load_error, sizeof load_error, "libodbc.so.2 has no %s", #name); \
        return; \
    }
    ODBCTX_REAL_FUNCTIONS(LOAD_ONE)
#undef LOAD_ONE
    loaded = 1;
}

const struct odbctx_real *odbctx_real_load(void)
{
    pthread_once(&load_once, load);
    return loaded ? &odbctx_real_table : NULL;
}

const char *odbctx_real_error(void)
{
    return load_error;
}
