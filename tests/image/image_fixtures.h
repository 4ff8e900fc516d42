/* image_fixtures.h — helpers the image tests share: synthetic images, files
 * in a scratch directory, and test inputs made at test time with the ffmpeg
 * command (no binary test files live in the repository). */
#ifndef VG_IMAGE_FIXTURES_H
#define VG_IMAGE_FIXTURES_H

#include "vg_test.h"
#include "vigil/image.h"

#include <stdbool.h>

/* A new width x height image filled by f(x, y, channel). */
static inline vg_image *fx_image(int w, int h, uint8_t (*f)(int x, int y, int c))
{
    vg_image *img = NULL;
    vg_err err;
    assert_int_equal(vg_image_new(w, h, &img, &err), VG_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                img->data[(size_t)y * img->stride + 3 * (size_t)x + c] = f(x, y, c);
    return img;
}

static inline const uint8_t *fx_px(const vg_image *img, int x, int y)
{
    return img->data + (size_t)y * img->stride + 3 * (size_t)x;
}

/* Reads a whole file into *buf (malloc'd); returns its length. Fails the test
 * when the file cannot be read. */
static inline size_t fx_read(const char *path, uint8_t **buf)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    *buf = malloc((size_t)n + 1);
    assert_non_null(*buf);
    assert_int_equal(fread(*buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return (size_t)n;
}

static inline void fx_write(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A scratch directory for one test file, removed by fx_tmpdir_remove. */
static inline char *fx_tmpdir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/vg_image_test_XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static inline void fx_tmpdir_remove(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static inline bool fx_have_ffmpeg(void)
{
    static int have = -1;
    if (have < 0) {
        have = system("ffmpeg -hide_banner -version >/dev/null 2>&1") == 0;
        if (!have)
            fprintf(stderr, "the ffmpeg command is absent: skipping\n");
    }
    return have;
}

/* Runs `ffmpeg -y -loglevel error <args>` in dir; true on success. */
static inline bool fx_ffmpeg(const char *dir, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && ffmpeg -nostdin -hide_banner -loglevel error -y %s",
             dir, args);
    int r = system(cmd);
    if (r != 0)
        fprintf(stderr, "command failed (%d): %s\n", r, cmd);
    return r == 0;
}

#endif
