/* options.c: flags and their environment variables. */
#include "gazette/base/options.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gazette/base/log.h"
#include "gazette/base/util.h"

/* "public-url" -> "GAZETTE_PUBLIC_URL" */
static void env_name(const char *name, char *out, size_t outlen)
{
	size_t k = (size_t)snprintf(out, outlen, "GAZETTE_");
	for (const char *p = name; *p && k + 1 < outlen; p++)
		out[k++] = (char)(*p == '-' ? '_' : toupper((unsigned char)*p));
	out[k] = '\0';
}

static int set_value(const char *command, struct option_spec *o, const char *v, const char *from)
{
	switch (o->type) {
	case OPT_STRING: *(const char **)o->value = v; return 0;
	case OPT_UINT: {
		long long n;
		if (parse_uint_range(v, strlen(v), o->min, o->max, &n) < 0) {
			cli_error("%s: %s%s must be a whole number from %u to %u, not '%s'",
			          command, from, o->name, o->min, o->max, v);
			return -1;
		}
		*(unsigned *)o->value = (unsigned)n;
		return 0;
	}
	case OPT_LIST: {
		struct option_list *l = o->value;
		l->items = xrealloc(l->items, (l->n + 1) * sizeof *l->items);
		l->items[l->n++] = v;
		return 0;
	}
	case OPT_BOOL:
		if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0)
			*(bool *)o->value = true;
		else if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 ||
		         strcasecmp(v, "no") == 0 || v[0] == '\0')
			*(bool *)o->value = false;
		else {
			cli_error("%s: %s%s must be true or false, not '%s'", command, from,
			          o->name, v);
			return -1;
		}
		return 0;
	}
	return -1;
}

void option_list_free(struct option_list *l)
{
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

/* The environment's copy is split in place: getenv() memory is ours to change. */
static int list_from_env(const char *command, struct option_spec *o, char *v)
{
	char *save;
	for (char *tok = strtok_r(v, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save))
		if (set_value(command, o, tok, "") < 0)
			return -1;
	return 0;
}

/* The environment's GAZETTE_ variables, read before the flags, which override them. */
static int options_from_env(const char *command, struct option_spec *specs)
{
	for (struct option_spec *o = specs; o->name; o++) {
		char env[64];
		env_name(o->name, env, sizeof env);
		char *v = getenv(env);
		if (v && o->type == OPT_LIST) {
			/* "a, b c": the environment lists with commas or spaces. */
			if (list_from_env(command, o, v) < 0)
				return -1;
		} else if (v && set_value(command, o, v, "$GAZETTE_ variable for --") < 0) {
			return -1;
		}
	}
	return 0;
}

/*
 * One "--name" or "--name=value" at argv[*i]: which option it names, and
 * its value (after '=', "true" for a flag without one, else the next
 * argument, which *i then steps over).  Returns 0, or -1 with the error said.
 */
static int option_from_flag(const char *command, struct option_spec *specs, int argc, char **argv,
                            int *i)
{
	const char *name = argv[*i] + 2;
	const char *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	struct option_spec *o = specs;
	while (o->name && !(strlen(o->name) == n && strncmp(o->name, name, n) == 0))
		o++;
	if (o->name == NULL) {
		cli_error("%s: unknown option '--%.*s' (see 'gazette %s --help')", command, (int)n,
		          name, command);
		return -1;
	}
	const char *v;
	if (eq)
		v = eq + 1;
	else if (o->type == OPT_BOOL)
		v = "true";
	else if (*i + 1 < argc)
		v = argv[++*i];
	else {
		cli_error("%s: --%s needs a value (%s)", command, o->name, o->metavar);
		return -1;
	}
	/* A list on the command line replaces the environment's. */
	if (o->type == OPT_LIST && !o->given)
		((struct option_list *)o->value)->n = 0;
	o->given = true;
	return set_value(command, o, v, "--");
}

int options_parse(const char *command, const char *usage, struct option_spec *specs, int argc,
                  char **argv, char ***rest, size_t *nrest)
{
	*rest = NULL;
	*nrest = 0;
	if (options_from_env(command, specs) < 0)
		return -1;

	/* Then each argument: a positional one, "--", --help, or an option. */
	*rest = xcalloc((size_t)argc + 1, sizeof **rest);
	*nrest = 0;
	bool only_positional = false;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (only_positional || arg[0] != '-' || arg[1] == '\0') {
			(*rest)[(*nrest)++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_positional = true;
			continue;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			printf("usage: %s\n\noptions:\n", usage);
			options_print(stdout, specs);
			return 1;
		}
		if (strncmp(arg, "--", 2) != 0) {
			cli_error("%s: unknown option '%s' (see 'gazette %s --help')", command, arg,
			          command);
			return -1;
		}
		if (option_from_flag(command, specs, argc, argv, &i) < 0)
			return -1;
	}
	return 0;
}

void options_print(FILE *out, const struct option_spec *specs)
{
	for (const struct option_spec *o = specs; o->name; o++) {
		char left[64], env[64];
		snprintf(left, sizeof left, "--%s%s%s", o->name, o->metavar ? " " : "",
		         o->metavar ? o->metavar : "");
		env_name(o->name, env, sizeof env);
		fprintf(out, "  %-26s %s (env %s%s)\n", left, o->help, env,
		        o->type == OPT_LIST ? ", comma-separated; the flag repeats" : "");
	}
}
