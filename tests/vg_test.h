/* vg_test.h — what every vigil test shares: cmocka, and where the test data
 * and models are (../shared/data beside the repo, deps/models from bootstrap).
 * A test that needs data that is absent calls skip() with a message saying so.
 */
#ifndef VG_TEST_H
#define VG_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

/* Directory of the shared test data, or NULL (with a message) when absent. */
static inline const char *vg_test_data_dir(void)
{
    const char *d = getenv("VIGIL_TEST_DATA");
    if (!d)
        d = VG_TEST_DATA_DIR;
    struct stat st;
    if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "test data not found at %s (set VIGIL_TEST_DATA): skipping\n", d);
        return NULL;
    }
    return d;
}

/* Path of a file under the test data into buf; NULL (and a message) if absent. */
static inline const char *vg_test_data(char *buf, size_t len, const char *rel)
{
    const char *d = vg_test_data_dir();
    if (!d)
        return NULL;
    snprintf(buf, len, "%s/%s", d, rel);
    struct stat st;
    if (stat(buf, &st) != 0) {
        fprintf(stderr, "test data file %s is absent: skipping\n", buf);
        return NULL;
    }
    return buf;
}

#define VG_SKIP_UNLESS(cond)                                                      \
    do {                                                                          \
        if (!(cond)) {                                                            \
            skip();                                                               \
            return;                                                               \
        }                                                                         \
    } while (0)

#endif
