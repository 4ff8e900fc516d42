/* cmd_compare.c — `vigil compare A B`: embeds the largest face of each image
 * and prints their cosine similarity and the decision at the threshold. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int vg_cmd_compare(const vg_cli *cli, int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    int np = 0;
    float threshold = VG_FACE_VERIFY_THRESHOLD_DEFAULT;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threshold") == 0) {
            if (i + 1 >= argc || vg_cli_parse_float(argv[i + 1], &threshold) || threshold < -1 ||
                threshold > 1)
                return vg_cli_usage("--threshold takes a cosine similarity from -1 to 1");
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return vg_cli_usage("compare: unknown option '%s'", argv[i]);
        } else if (np < 2) {
            paths[np++] = argv[i];
        } else {
            return vg_cli_usage("compare takes exactly two images");
        }
    }
    if (np != 2)
        return vg_cli_usage("compare takes exactly two images");

    vg_err err = {{0}};
    vg_face_pack *pack = NULL;
    vg_status st = vg_cli_open_pack(cli, &pack, &err);
    if (st)
        return vg_cli_fail(st, &err);
    int dim = vg_face_pack_dim(pack);
    float *emb = calloc(2 * (size_t)dim, sizeof(float));
    vg_face face[2];
    if (!emb)
        st = vg_err_set(&err, VG_ERR_NOMEM, "out of memory");
    for (int k = 0; k < 2 && !st; k++) {
        vg_image *img = NULL;
        st = vg_cli_load_image(cli, paths[k], &img, &err);
        if (!st) {
            st = vg_face_embed_main(pack, img, VG_FACE_PICK_LARGEST, emb + (size_t)k * (size_t)dim, &face[k], &err);
            if (st)
                vg_err_prefix(&err, st, "%s", paths[k]);
        }
        vg_image_free(img);
    }
    int code = VG_EXIT_OK;
    if (st) {
        code = st == VG_ERR_NOT_FOUND ? (vg_cli_fail(st, &err), VG_EXIT_FAIL) : vg_cli_fail(st, &err);
    } else {
        double dot = 0;
        for (int i = 0; i < dim; i++)
            dot += (double)emb[i] * emb[dim + i];
        int same = dot >= threshold;
        if (cli->json)
            vg_cli_print_json(json_pack("{s:s,s:s,s:f,s:f,s:b,s:o,s:o}", "a", paths[0], "b", paths[1],
                                        "similarity", dot, "threshold", (double)threshold, "same", same,
                                        "face_a", vg_cli_face_json(&face[0]), "face_b",
                                        vg_cli_face_json(&face[1])));
        else
            printf("similarity %.4f: %s (threshold %.3f)\n", dot,
                   same ? "same person" : "different people", threshold);
    }
    free(emb);
    vg_face_pack_close(pack);
    return code;
}
