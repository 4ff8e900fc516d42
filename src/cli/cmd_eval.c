/* cmd_eval.c — `vigil eval`: accuracy on labelled data. The subcommands
 * are in their own files (cmd_eval_verify.c, cmd_eval_search.c,
 * cmd_eval_calibrate.c, cmd_eval_groups.c); each parses its options, calls
 * src/eval/ to compute, and prints the figures as text or JSON. Each takes
 * --help. Every image used is embedded once (the face nearest the centre,
 * as LFW centres its subject) by a pool of threads; an image that cannot
 * be read stops the run, an image without a face is counted. */
#include <string.h>

#include "cli/eval.h"
#include "match/bootstrap.h"

int vg_cmd_eval(const vg_cli *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        printf("usage: vigil eval verify --lfw DIR [--pairs FILE] [--svg DIR] [--bootstrap B] [--flip]\n"
               "       vigil eval search --lfw DIR --watchlist-size N [--seed S] [--svg DIR] [--bootstrap B]\n"
               "       vigil eval calibrate (--lfw DIR | --dataset DIR) --crowd N --max-false-alerts K\n"
               "                            (--watchlist-size S[,S...] | --watchlist NAME) [--holdout DIR]\n"
               "                            [--save] [--export FILE]\n"
               "       vigil eval groups (--lfw DIR | --dataset DIR) --labels CSV [--threshold T]\n\n"
               "  verify     LFW View 2: 10-fold accuracy, AUC, TAR at FAR 0.1 %%, EER\n"
               "  search     LFW open-set watch list: N people with 2+ images enrol their first\n"
               "             (chosen by a shuffle seeded with S, default %d); their other images\n"
               "             are mated searches, every other person's non-mated. Rank-1 rate,\n"
               "             FNIR at FPIR 1 %%, 0.1 %% and 1/6000 with each threshold, EER, raw and\n"
               "             cleaned of known-label-errors.txt\n"
               "  calibrate  the threshold for at most K false alerts in N faces (see --help)\n"
               "  groups     error rates per group of a labels file and their differential\n"
               "verify and search: 95 %% intervals from a bootstrap over subjects (B replicates,\n"
               "default %d); --svg DIR writes the ROC and DET curves there.\n", VG_EVAL_SEARCH_SEED, VG_BOOT_DEFAULT);
        return argc < 2 ? VG_EXIT_USAGE : VG_EXIT_OK;
    }
    if (strcmp(argv[1], "verify") == 0)
        return vg_eval_verify(cli, argc, argv);
    if (strcmp(argv[1], "search") == 0)
        return vg_eval_search(cli, argc, argv);
    if (strcmp(argv[1], "calibrate") == 0)
        return vg_eval_calibrate(cli, argc, argv);
    if (strcmp(argv[1], "groups") == 0)
        return vg_eval_groups(cli, argc, argv);
    return vg_cli_usage("unknown eval command '%s'", argv[1]);
}
