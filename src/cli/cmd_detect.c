/* cmd_detect.c — `vigil detect IMAGE...`: the faces in each image, with box,
 * five points, detector score and quality. Bad images are reported and the
 * rest still processed; the exit status is then 2. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"

static const vg_cli_cmd_def def = {
    "detect", "IMAGE...", 1, -1, "faces in images: box, five points, score, quality",
    "Images are read by content (JPEG, PNG, BMP, WebP, TIFF, GIF, a video's first frame), EXIF\n"
    "orientation applied. A bad image is reported and the others still processed (exit 2).\n",
    {{0}}};

int vg_cmd_detect(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_parsed p;
    int r = vg_cli_parse(&def, argc, argv, 1, &p);
    if (r)
        return r == VG_CLI_HELPED ? VG_EXIT_OK : r;
    vg_err err = {{0}};
    vg_face_pack *pack = NULL;
    vg_status st = vg_cli_open_pack(cli, &pack, &err);
    if (st)
        return vg_cli_fail(st, &err);
    int status = VG_EXIT_OK;
    for (int i = 0; i < p.n_pos; i++) {
        const char *path = p.pos[i];
        vg_image *img = NULL;
        vg_face *faces = NULL;
        int n = 0;
        st = vg_cli_load_image(cli, path, &img, &err);
        if (!st)
            st = vg_face_detect(pack, img, &faces, &n, &err);
        if (st) {
            int code = vg_cli_fail(st, &err);
            if (code > status)
                status = code;
            if (cli->json)
                vg_cli_print_json(json_pack("{s:s,s:s}", "image", path, "error", err.msg));
        } else if (cli->json) {
            json_t *arr = json_array();
            for (int k = 0; k < n; k++)
                json_array_append_new(arr, vg_cli_face_json(&faces[k]));
            vg_cli_print_json(json_pack("{s:s,s:i,s:i,s:o}", "image", path, "width", img->width,
                                        "height", img->height, "faces", arr));
        } else {
            printf("%s: %dx%d, %d face%s\n", path, img->width, img->height, n, n == 1 ? "" : "s");
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
