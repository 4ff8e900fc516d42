/* placeholder, filled below */
#include "cli/eval.h"
int vg_eval_groups(const vg_cli *cli, int argc, char **argv)
{
    (void)cli, (void)argc, (void)argv;
    return vg_cli_usage("eval groups: not yet");
}
