/* cmd_version.c — `vigil version`: vigil, ONNX Runtime, FFmpeg, and the model
 * pack's files with their SHA-256. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "infer/infer.h"

static const vg_cli_cmd_def def = {
    "version", "", 0, 0, "versions of vigil, ONNX Runtime, FFmpeg, and the model pack's files with their SHA-256",
    "Also `vigil --version`.\n", {{0}}};

int vg_cmd_version(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_parsed p;
    int r = vg_cli_parse(&def, argc, argv, 1, &p);
    if (r)
        return r == VG_CLI_HELPED ? VG_EXIT_OK : r;
    vg_face_pack *pack = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_pack(cli, &pack, &err);
    char models[4096] = "";
    if (!st)
        vg_face_pack_describe(pack, models, sizeof models);
    if (cli->json) {
        json_t *m = json_array();
        char *line = strtok(models, "\n");
        while (line) {
            char role[64], path[2048], sha[80];
            if (sscanf(line, "%63s %2047s %79s", role, path, sha) == 3)
                json_array_append_new(m, json_pack("{s:s,s:s,s:s}", "role", role, "path", path,
                                                   "sha256", sha));
            line = strtok(NULL, "\n");
        }
        vg_cli_print_json(json_pack("{s:s,s:s,s:s,s:o,s:s?}", "vigil", VG_VERSION_STRING,
                                    "onnxruntime", vg_infer_runtime_version(), "ffmpeg",
                                    av_version_info(), "models", m, "models_error",
                                    st ? err.msg : NULL));
    } else {
        printf("vigil %s\nonnxruntime %s\nffmpeg %s (libavformat %s, libavcodec %s)\n",
               VG_VERSION_STRING, vg_infer_runtime_version(), av_version_info(),
               AV_STRINGIFY(LIBAVFORMAT_VERSION), AV_STRINGIFY(LIBAVCODEC_VERSION));
        if (st)
            printf("models: %s\n", err.msg);
        else
            fputs(models, stdout);
    }
    vg_face_pack_close(pack);
    return st ? vg_cli_exit_for(st) : VG_EXIT_OK;
}
