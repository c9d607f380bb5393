/*
 * options.h: command-line flags, each also read from an environment
 * variable (GAZETTE_DB for --db ...).  A flag on the command line wins
 * over the environment, which wins over the default.
 */
#ifndef GAZETTE_OPTIONS_H
#define GAZETTE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

enum option_type {
	OPT_STRING, /* const char * */
	OPT_UINT,   /* unsigned, within [min, max] */
	OPT_BOOL,   /* bool; a flag without a value */
	OPT_LIST,   /* struct option_list: the flag may repeat; the variable lists with ',' */
};

struct option_list {
	const char **items; /* owned array; the strings are argv's or the environment's */
	size_t n;
};

void option_list_free(struct option_list *l);

/* An option table entry; the last field is options_parse()'s. */
#define OPT(name, metavar, type, var, min, max, help)                                              \
	{                                                                                          \
		name, metavar, type, var, min, max, help, false                                    \
	}

struct option_spec {
	const char *name;    /* "db": --db */
	const char *metavar; /* "FILE"; NULL for OPT_BOOL */
	enum option_type type;
	void *value; /* where the result goes, holding the default */
	unsigned min, max;
	const char *help;
	bool given; /* set by options_parse: the command line named it */
};

/*
 * Parses argv[0..argc) (after the command name) against specs, which end
 * with a zeroed entry.  Positional arguments are collected in *rest (argv
 * entries, not copied) and counted in *nrest.  Returns 0, 1 if --help was
 * asked for (usage printed), or -1 after printing an error.
 */
int options_parse(const char *command, const char *usage, struct option_spec *specs, int argc,
                  char **argv, char ***rest, size_t *nrest);

/* Prints "  --name METAVAR   help (env GAZETTE_NAME)" lines. */
void options_print(FILE *out, const struct option_spec *specs);

#endif
