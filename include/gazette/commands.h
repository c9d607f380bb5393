/*
 * commands.h: the subcommands of gazette, each with its own options;
 * main.c picks one by name.  Each returns the exit status.
 */
#ifndef GAZETTE_COMMANDS_H
#define GAZETTE_COMMANDS_H

int cmd_token(int argc, char **argv);

#endif
