/* paths.h — where an installed vigil finds its read-only data: relative to
 * its own install prefix, never a path fixed at build time. */
#ifndef VG_BASE_PATHS_H
#define VG_BASE_PATHS_H

#include <stddef.h>

/* "<prefix>/share/vigil/<sub>" into out when the code calling it (the vigil
 * binary in <prefix>/bin, or libvigil in <prefix>/lib[/<multiarch>]) sits in
 * an install prefix where that path exists: 0. -1 otherwise (a build tree, or
 * the data not installed), out then "". */
int vg_paths_installed(const char *sub, char *out, size_t len);

#endif
