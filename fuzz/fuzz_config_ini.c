/* fuzz_config_ini.c — libFuzzer target for the config loaders (base/ini.c
 * under the engine's and the server's): any bytes must give VG_OK or an
 * error that starts with the file's name, never a crash; an accepted file
 * leaves no line over the limit and no NUL byte; a refused one leaves the
 * settings as they were. */
#include "base/ini.h"
#include "vigil/engine.h"
#include "vigil/server.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int has_long_line(const uint8_t *data, size_t size)
{
    size_t run = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n')
            run = 0;
        else if (++run > VG_INI_LINE_MAX)
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    vg_engine_config cfg, before;
    memset(&cfg, 0, sizeof cfg);
    before = cfg;
    int mf = 0;
    vg_err err = {{0}};
    vg_status st = vg_engine_config_load_text("f.ini", (const char *)data, size, vg_server_config_sections, &cfg,
                                              &mf, &err);
    if (st != VG_OK && (strncmp(err.msg, "f.ini", 5) || memcmp(&cfg, &before, sizeof cfg) || mf != 0))
        abort();
    if (st == VG_OK && (has_long_line(data, size) || memchr(data, '\0', size)))
        abort();
    vg_server_settings *s = calloc(1, sizeof *s);
    if (!s)
        return 0;
    st = vg_server_settings_load_text("f.ini", (const char *)data, size, s, &err);
    if (st != VG_OK && (strncmp(err.msg, "f.ini", 5) || s->n_webhooks || s->listen[0]))
        abort();
    free(s);
    return 0;
}
