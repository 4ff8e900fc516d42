/* cmd_compare.c — `vigil compare A B`: embeds the largest face of each image
 * and prints their cosine similarity and the decision at the threshold. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"

static const vg_cli_cmd_def def = {
    "compare", "IMAGE_A IMAGE_B", 2, 2,
    "cosine similarity of the main faces, and the decision at the threshold",
    "The largest face of each image is compared. Exit 1 when an image has no face.\n",
    {{"--threshold", "T", "the decision threshold, a cosine similarity from -1 to 1 (default: the pack's)", 0},
     {0}}};

int vg_cmd_compare(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_parsed p;
    int r = vg_cli_parse(&def, argc, argv, 1, &p);
    if (r)
        return r == VG_CLI_HELPED ? VG_EXIT_OK : r;
    const char *paths[2] = {p.pos[0], p.pos[1]};
    float threshold = VG_FACE_VERIFY_THRESHOLD_DEFAULT;
    const char *t = vg_cli_val(&p, "--threshold");
    if (t && (vg_cli_parse_float(t, &threshold) || threshold < -1 || threshold > 1))
        return vg_cli_usage("--threshold takes a cosine similarity from -1 to 1, not '%s'", t);

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
