/* cmd_eval.c — `vigil eval`: accuracy on labelled data. The subcommands
 * are in their own files (cmd_eval_verify.c, cmd_eval_search.c,
 * cmd_eval_calibrate.c, cmd_eval_groups.c); each parses its options with
 * its table (options.h), which prints its --help too, calls src/eval/ to
 * compute, and prints the figures as text or JSON. Every image used is
 * embedded once (the face nearest the centre, as LFW centres its subject)
 * by a pool of threads; an image that cannot be read stops the run, an
 * image without a face is counted. */
#include "cli/eval.h"

int vg_cmd_eval(const vg_cli *cli, int argc, char **argv)
{
    static const vg_cli_cmd_def *const subs[] = {&vg_eval_verify_def, &vg_eval_search_def, &vg_eval_calibrate_def,
                                                 &vg_eval_groups_def};
    int code;
    int k = vg_cli_pick("eval", subs, 4, 
                        "verify and search: 95 % intervals from a bootstrap over subjects; --svg DIR writes the\n"
                        "ROC and DET curves there. Every image is embedded once (the face nearest the centre).\n", argc, argv,
                        &code);
    if (k == 0)
        return vg_eval_verify(cli, argc, argv);
    if (k == 1)
        return vg_eval_search(cli, argc, argv);
    if (k == 2)
        return vg_eval_calibrate(cli, argc, argv);
    if (k == 3)
        return vg_eval_groups(cli, argc, argv);
    return code;
}
