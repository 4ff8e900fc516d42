/* api.h — VG_API marks what libvigil.so and libvigil-core.so export. The
 * library is built with hidden visibility: a function is part of the ABI
 * only when its declaration in include/vigil/ carries VG_API, and
 * tests/cli/test_install.sh checks that the exported set is exactly that. */
#ifndef VIGIL_API_H
#define VIGIL_API_H

#if defined(__GNUC__) || defined(__clang__)
#define VG_API __attribute__((visibility("default")))
#else
#define VG_API
#endif

#endif
