/* changelog.c: placeholder until the command lands. */
#include <stdio.h>

#include "cmd.h"

int cmd_changelog(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'changelog' is not implemented yet");
	return VL_EXIT_ERROR;
}
