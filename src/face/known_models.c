/* known_models.c — the built-in table of public face models vigil recognises
 * by SHA-256 (the default pack's three, the detector rebuilt for 960x544 by
 * scripts/rebuild_detector.py, and the detectors of ../shared/data/models),
 * with the facts needed to run each; and the facts each family fixes. Facts
 * checked by running the models (docs/packs.md, ../shared/data/README.md),
 * except SCRFD's feed, which is InsightFace's own (vigil has no SCRFD backend
 * yet, and refuses to open a pack whose detector is one). */
#include "face/known_models.h"

#include <string.h>

#define DIV128 0.0078125f
#define UF_NORM .norm = VG_NORM_MEAN_SCALE, .mean = {127, 127, 127}, .scale = {DIV128, DIV128, DIV128}
#define RAW_NORM .norm = VG_NORM_RAW, .mean = {0, 0, 0}, .scale = {1, 1, 1}

static const vg_model_facts known[] = {
    {.role = VG_ROLE_DETECTOR, .family = "ultraface", .file = "fr_detect.onnx",
     .sha256 = "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854", .licence = "MIT",
     .about = "Ultra-Light RFB-320, faceplugin-face-recognition-js@0.0.1 (the default pack)",
     .input_set = 1, .width = 320, .height = 240, .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_RGB, UF_NORM},
    {.role = VG_ROLE_DETECTOR, .family = "ultraface", .file = "fr_detect_960x544.onnx",
     .sha256 = "de9b23c1e3c08e78bcaa12d82eafd4e807a8ff9b6183267b7a3322b2554478e6", .licence = "MIT",
     .about = "fr_detect.onnx rebuilt for 960x544 by scripts/rebuild_detector.py (deterministic)",
     .input_set = 1, .width = 960, .height = 544, .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_RGB, UF_NORM},
    {.role = VG_ROLE_LANDMARKS, .family = "landmark68", .file = "fr_landmark.onnx",
     .sha256 = "f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258", .licence = "MIT",
     .about = "68-point landmarks, faceplugin-face-recognition-js@0.0.1 (the default pack)",
     .input_set = 1, .width = 64, .height = 64, .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_GREY,
     .norm = VG_NORM_MEAN_SCALE, .mean = {0, 0, 0}, .scale = {0.00390625f, 0.00390625f, 0.00390625f}},
    {.role = VG_ROLE_EMBEDDER, .family = "arcface", .file = "fr_feature.onnx",
     .sha256 = "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581", .licence = "MIT",
     .about = "512-D embedder, faceplugin-face-recognition-js@0.0.1 (the default pack)",
     .input_set = 1, .width = 112, .height = 112, .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_RGB, UF_NORM,
     .dim = 512},
    {.role = VG_ROLE_DETECTOR, .family = "ultraface", .file = "ultraface-RFB-640.onnx",
     .sha256 = "8f4c659275977e7a3bfbfa339a9c769ad793df50f9c0baa8c14b11baa1646430", .licence = "MIT",
     .about = "Ultra-Light RFB-640, Linzaer/Ultra-Light-Fast-Generic-Face-Detector-1MB @ dffdddda",
     .input_set = 1, .width = 640, .height = 480, .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_RGB, UF_NORM},
    {.role = VG_ROLE_DETECTOR, .family = "yunet", .file = "yunet_s_dynamic.onnx",
     .sha256 = "daede24002cc8590f457998cc5e6c9e8b82f45f6bd969506a8913cd4ed10a2d3", .licence = "Apache-2.0",
     .about = "YuNet-s, dynamic input, ShiqiYu/libfacedetection.train @ 0047ac24",
     .input_set = 1, .width = 0, .height = 0, .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_BGR, RAW_NORM},
    {.role = VG_ROLE_DETECTOR, .family = "yunet", .file = "face_detection_yunet_2023mar.onnx",
     .sha256 = "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4", .licence = "Apache-2.0",
     .about = "YuNet 2023mar, fixed 640x640, as OpenCV's model zoo pins it",
     .input_set = 1, .width = 640, .height = 640, .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_BGR, RAW_NORM},
    {.role = VG_ROLE_DETECTOR, .family = "scrfd", .file = "scrfd_500m_bnkps.onnx",
     .sha256 = "6c6ba7956684796d7d582bfa1ab95dfe01dd280159f6bff1e23c1bc32bcc8431",
     .licence = "InsightFace weights: non-commercial research only",
     .about = "SCRFD-0.5GF with 5 points, from libfacedetection.train @ 204b0c9f",
     .input_set = 1, .width = 0, .height = 0, .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_RGB,
     .norm = VG_NORM_MEAN_SCALE, .mean = {127.5f, 127.5f, 127.5f}, .scale = {DIV128, DIV128, DIV128}},
};

/* Families fix how their models are fed; the size comes from the graph. */
static const vg_model_facts families[] = {
    {.role = VG_ROLE_DETECTOR, .family = "ultraface", .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_RGB, UF_NORM},
    {.role = VG_ROLE_DETECTOR, .family = "yunet", .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_BGR, RAW_NORM},
    {.role = VG_ROLE_DETECTOR, .family = "scrfd", .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_RGB,
     .norm = VG_NORM_MEAN_SCALE, .mean = {127.5f, 127.5f, 127.5f}, .scale = {DIV128, DIV128, DIV128}},
    {.role = VG_ROLE_LANDMARKS, .family = "landmark68", .input_set = 1, .width = 64, .height = 64,
     .layout = VG_LAYOUT_NCHW, .colour = VG_COLOUR_GREY, .norm = VG_NORM_MEAN_SCALE, .mean = {0, 0, 0},
     .scale = {0.00390625f, 0.00390625f, 0.00390625f}},
};

const vg_model_facts *vg_known_model_by_sha(const char *sha256)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].sha256, sha256) == 0)
            return &known[i];
    return NULL;
}

const vg_model_facts *vg_known_model_by_file(const char *file)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].file, file) == 0)
            return &known[i];
    return NULL;
}

int vg_known_model_count(void)
{
    return (int)(sizeof known / sizeof known[0]);
}

const vg_model_facts *vg_known_model_at(int index)
{
    return index >= 0 && index < vg_known_model_count() ? &known[index] : NULL;
}

const vg_model_facts *vg_known_family(vg_model_role role, const char *family)
{
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (families[i].role == role && strcmp(families[i].family, family) == 0)
            return &families[i];
    return NULL;
}
