/*
 * Directories of the embedded default, and of the share with child
 * processes (share/owner.c), left by killed processes.
 *
 * odbctx_close removes them; a process killed before that leaves them
 * behind: an empty database and perhaps a hot journal (nothing in it was
 * ever committed), or a socket and a driver configuration. Each such directory gets a
 * file naming the process that made it and that process's PID namespace;
 * when a later session makes its own directory in the same place, it
 * removes those whose process no longer exists.
 *
 * Only directories that match odbctx's own name pattern, belong to this
 * user, and carry the owner file are touched; a directory whose owner file
 * is not written yet, or whose process lives, or that was made in another
 * PID namespace (where the number means something else), is left alone.
 */
#include "internal.h"
#include "extras/extras.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OWNER_FILE "odbctx-owner"
#define PREFIX "odbctx-"
/* Paths are built from a directory and a name; one that does not fit is
 * skipped, never cut. */
#define PATH_CAP 4400

static int join(char *out, const char *dir, const char *name)
{
    int len = snprintf(out, PATH_CAP, "%s/%s", dir, name);
    return len > 0 && len < PATH_CAP;
}

static void pid_namespace(char *out, size_t n)
{
    ssize_t len = readlink("/proc/self/ns/pid", out, n - 1);
    out[len > 0 ? (size_t)len : 0] = '\0';
}

void odbctx__tmpdir_mark(const char *dir)
{
    char path[PATH_CAP], ns[128], line[256];
    if (!join(path, dir, OWNER_FILE))
        return;
    pid_namespace(ns, sizeof ns);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    int len = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), ns);
    if (len > 0 && write(fd, line, (size_t)len) != len)
        unlink(path);
    close(fd);
}

/* "odbctx-" and the six characters mkdtemp puts there. */
static int our_name(const char *name)
{
    if (strncmp(name, PREFIX, strlen(PREFIX)) != 0 || strlen(name) != strlen(PREFIX) + 6)
        return 0;
    for (const char *p = name + strlen(PREFIX); *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return 0;
    return 1;
}

static int owner_gone(const char *dir)
{
    char path[PATH_CAP], line[256] = "", ns[128], mine[128];
    long pid = 0;
    if (!join(path, dir, OWNER_FILE))
        return 0;
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    int got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!got || sscanf(line, "%ld %127s", &pid, ns) != 2 || pid <= 0)
        return 0;
    pid_namespace(mine, sizeof mine);
    if (strcmp(ns, mine) != 0)
        return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static void remove_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[PATH_CAP];
        if (join(path, dir, e->d_name))
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

void odbctx__tmpdir_sweep(const char *base)
{
    DIR *d = opendir(base);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!our_name(e->d_name))
            continue;
        char dir[PATH_CAP];
        struct stat st;
        if (!join(dir, base, e->d_name) || lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
            continue;
        if (owner_gone(dir))
            remove_files(dir);
    }
    closedir(d);
}
