/* text_file.c — a whole text file read into memory (text_file.h). */
#include "base/text_file.h"

#include <stdio.h>
#include <stdlib.h>

#define TEXT_FILE_MAX ((size_t)64 << 20)

char *vg_text_file_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            size_t nc = cap ? cap * 2 : 65536;
            char *g = nc <= TEXT_FILE_MAX ? realloc(b, nc) : NULL;
            if (!g) {
                free(b);
                fclose(f);
                return NULL;
            }
            b = g;
            cap = nc;
        }
        size_t r = fread(b + n, 1, 4096, f);
        n += r;
        if (r < 4096)
            break;
    }
    fclose(f);
    b[n] = '\0';
    return b;
}
