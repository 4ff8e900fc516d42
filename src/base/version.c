/* version.c — vg_version(): the version the library was built as. */
#include "vigil/version.h"

#ifndef VG_VERSION
#error "VG_VERSION is defined by CMakeLists.txt"
#endif

const char *vg_version(void)
{
    return VG_VERSION;
}
