/* cmd_detect.c — `vigil detect IMAGE...`: the faces in each image, with box,
 * five points, detector score and quality. Bad images are reported and the
 * rest still processed; the exit status is then 2. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int vg_cmd_detect(const vg_cli *cli, int argc, char **argv)
{
    if (argc < 2)
        return vg_cli_usage("detect needs at least one IMAGE");
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1])
            return vg_cli_usage("detect: unknown option '%s'", argv[i]);
    vg_err err = {{0}};
    vg_face_pack *pack = NULL;
    vg_status st = vg_cli_open_pack(cli, &pack, &err);
    if (st)
        return vg_cli_fail(st, &err);
    int status = VG_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        vg_image *img = NULL;
        vg_face *faces = NULL;
        int n = 0;
        st = vg_cli_load_image(cli, argv[i], &img, &err);
        if (!st)
            st = vg_face_detect(pack, img, &faces, &n, &err);
        if (st) {
            int code = vg_cli_fail(st, &err);
            if (code > status)
                status = code;
            if (cli->json)
                vg_cli_print_json(json_pack("{s:s,s:s}", "image", argv[i], "error", err.msg));
        } else if (cli->json) {
            json_t *arr = json_array();
            for (int k = 0; k < n; k++)
                json_array_append_new(arr, vg_cli_face_json(&faces[k]));
            vg_cli_print_json(json_pack("{s:s,s:i,s:i,s:o}", "image", argv[i], "width", img->width,
                                        "height", img->height, "faces", arr));
        } else {
            printf("%s: %dx%d, %d face%s\n", argv[i], img->width, img->height, n, n == 1 ? "" : "s");
            for (int k = 0; k < n; k++) {
                const vg_face *f = &faces[k];
                printf("  face %d: box %.0f,%.0f-%.0f,%.0f (%.0fx%.0f) score %.3f quality %.2f "
                       "(eyes %.0f px, yaw %+.2f, sharpness %.0f)\n",
                       k, f->x1, f->y1, f->x2, f->y2, f->x2 - f->x1, f->y2 - f->y1, f->score,
                       f->quality.score, f->quality.eye_dist, f->quality.yaw, f->quality.sharpness);
                printf("    eyes %.1f,%.1f %.1f,%.1f nose %.1f,%.1f mouth %.1f,%.1f %.1f,%.1f\n",
                       f->lm[0].x, f->lm[0].y, f->lm[1].x, f->lm[1].y, f->lm[2].x, f->lm[2].y,
                       f->lm[3].x, f->lm[3].y, f->lm[4].x, f->lm[4].y);
            }
        }
        free(faces);
        vg_image_free(img);
    }
    vg_face_pack_close(pack);
    return status;
}
