/* version.h — vigil's version, at compile time and of the library at run
 * time (they differ when a program runs with a newer libvigil-core.so). */
#ifndef VIGIL_VERSION_H
#define VIGIL_VERSION_H

#include "vigil/api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "MAJOR.MINOR.PATCH" of the library that is running. */
VG_API const char *vg_version(void);

#ifdef __cplusplus
}
#endif
#endif
