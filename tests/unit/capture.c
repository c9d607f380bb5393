/* capture.c: stderr into a temporary file and back (see capture.h). */
#include "capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static FILE *file;
static int saved = -1;

void capture_begin(void)
{
	fflush(stderr);
	file = tmpfile();
	saved = dup(STDERR_FILENO);
	if (file == NULL || saved < 0 || dup2(fileno(file), STDERR_FILENO) < 0)
		abort();
}

char *capture_end(void)
{
	fflush(stderr);
	if (dup2(saved, STDERR_FILENO) < 0)
		abort();
	close(saved);
	saved = -1;
	long n = ftell(file);
	char *text = malloc(n > 0 ? (size_t)n + 1 : 1);
	if (text == NULL)
		abort();
	rewind(file);
	size_t got = n > 0 ? fread(text, 1, (size_t)n, file) : 0;
	text[got] = '\0';
	fclose(file);
	file = NULL;
	return text;
}
