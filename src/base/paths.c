/* paths.c — the install prefix found from where this code was loaded
 * (dladdr), so that a moved or staged (DESTDIR) install finds its own data. */
#define _GNU_SOURCE
#include "base/paths.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int vg_paths_installed(const char *sub, char *out, size_t len)
{
    if (len)
        out[0] = '\0';
    Dl_info info;
    if (!sub || !len || !dladdr((void *)vg_paths_installed, &info) || !info.dli_fname)
        return -1;
    /* For code in the main program dli_fname is its name as invoked
     * ("vigil" found through PATH): the kernel's link says where it is. */
    char real[PATH_MAX];
    if (!strchr(info.dli_fname, '/') || !realpath(info.dli_fname, real)) {
        if (!realpath("/proc/self/exe", real))
            return -1;
    }
    /* <prefix>/bin/vigil, <prefix>/lib/libvigil.so.N or
     * <prefix>/lib/<multiarch>/libvigil.so.N: one or two levels up. */
    for (int up = 1; up <= 2; up++) {
        char *slash = strrchr(real, '/');
        if (!slash || slash == real)
            return -1;
        *slash = '\0';
        const char *base = strrchr(real, '/');
        if (!base)
            return -1;
        base++;
        if (strcmp(base, "bin") != 0 && strncmp(base, "lib", 3) != 0)
            continue; /* <multiarch>: one more level up */
        char cand[PATH_MAX + 64];
        int n = snprintf(cand, sizeof cand, "%.*s/share/vigil/%s", (int)(base - 1 - real), real, sub);
        struct stat sb;
        if (n > 0 && (size_t)n < sizeof cand && (size_t)n < len && stat(cand, &sb) == 0) {
            memcpy(out, cand, (size_t)n + 1);
            return 0;
        }
    }
    return -1;
}
