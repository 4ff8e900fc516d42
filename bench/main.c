/* main.c — `make bench`: runs every benchmark and prints one JSON document.
 * The model pack comes from $VIGIL_MODELS (default: the bootstrap's), the
 * data from $VIGIL_TEST_DATA (default: ../shared/data beside the repo).
 * `vg_bench view`, `vg_bench track`, `vg_bench server`, `vg_bench orient`,
 * `vg_bench frontend`, `vg_bench schedule` (detect and track), or
 * `vg_bench nodes` (the shared store, bench_nodes.c) runs that benchmark alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "infer/infer.h"

int main(int argc, char **argv)
{
    const char *models = getenv("VIGIL_MODELS");
    const char *data = getenv("VIGIL_TEST_DATA");
    if (!models)
        models = VG_BENCH_MODELS_DIR;
    if (!data)
        data = VG_TEST_DATA_DIR;
    if (argc > 1 && !strcmp(argv[1], "nodes-writer"))
        return vg_bench_nodes_writer(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "nodes-inner"))
        return vg_bench_nodes_inner(argv[0]);
    if (argc > 1 && !strcmp(argv[1], "nodes")) { /* `vg_bench nodes`: the shared store alone */
        printf("{\"nodes\":");
        fflush(stdout);
        vg_bench_nodes(stdout, VG_SOURCE_DIR);
        printf("}\n");
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "track")) { /* `vg_bench track`: that one alone */
        printf("{\"track\":");
        fflush(stdout);
        vg_bench_track(stdout, data, models, VG_SOURCE_DIR);
        printf("}\n");
        return 0;
    }
    if (argc > 2 && !strcmp(argv[1], "schedule-replay")) {
        vg_bench_schedule_replay(stdout, data, models, atof(argv[2]));
        printf("\n");
        return 0;
    }
    if (argc > 1 && (!strcmp(argv[1], "schedule") || !strcmp(argv[1], "schedule-faces"))) {
        printf("{\"machine\":{\"cores\":%ld},\n \"schedule\":", sysconf(_SC_NPROCESSORS_ONLN));
        fflush(stdout);
        vg_bench_schedule(stdout, data, models, VG_SOURCE_DIR, !strcmp(argv[1], "schedule"));
        printf("}\n");
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "view")) { /* `vg_bench view`: that one alone */
        printf("{\"view\":");
        vg_bench_view(stdout, data, models);
        printf("}\n");
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "face")) { /* `vg_bench face`: that one alone */
        printf("{\"face\":");
        vg_bench_face(stdout, data, models);
        printf("}\n");
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "frontend")) { /* `vg_bench frontend`: that one alone */
        printf("{\"frontend\":");
        vg_bench_frontend(stdout, data, models);
        printf("}\n");
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "orient")) { /* `vg_bench orient`: that one alone */
        printf("{\"orient\":");
        vg_bench_orient(stdout, data);
        printf("}\n");
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "server")) { /* `vg_bench server`: that one alone */
        printf("{\"machine\":{\"cores\":%ld},\n \"server\":", sysconf(_SC_NPROCESSORS_ONLN));
        fflush(stdout);
        vg_bench_server(stdout, data, models);
        printf("}\n");
        return 0;
    }
    printf("{\"machine\":{\"cores\":%ld,\"onnxruntime\":\"%s\"},\n \"face\":", sysconf(_SC_NPROCESSORS_ONLN),
           vg_infer_runtime_version());
    fflush(stdout);
    vg_bench_face(stdout, data, models);
    printf(",\n \"frontend\":");
    fflush(stdout);
    vg_bench_frontend(stdout, data, models);
    printf(",\n \"match\":");
    fflush(stdout);
    vg_bench_match(stdout);
    printf(",\n \"gallery\":");
    fflush(stdout);
    vg_bench_gallery(stdout);
    printf(",\n \"enrol\":");
    fflush(stdout);
    vg_bench_enrol(stdout, data, models);
    printf(",\n \"orient\":");
    fflush(stdout);
    vg_bench_orient(stdout, data);
    printf(",\n \"engine\":");
    fflush(stdout);
    vg_bench_engine(stdout, data, models, VG_SOURCE_DIR);
    printf(",\n \"schedule\":");
    fflush(stdout);
    vg_bench_schedule(stdout, data, models, VG_SOURCE_DIR, 1);
    printf(",\n \"track\":");
    fflush(stdout);
    vg_bench_track(stdout, data, models, VG_SOURCE_DIR);
    printf(",\n \"view\":");
    fflush(stdout);
    vg_bench_view(stdout, data, models);
    printf(",\n \"server\":");
    fflush(stdout);
    vg_bench_server(stdout, data, models);
    printf(",\n \"nodes\":");
    fflush(stdout);
    vg_bench_nodes(stdout, VG_SOURCE_DIR);
    printf("}\n");
    return 0;
}
