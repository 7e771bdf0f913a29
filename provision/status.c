/*
 * status.c: the node's status line (docs/DESIGN.md, "Status"): STATE TIME
 * [STEP] [MESSAGE], written to nodes/<node>/status, which ncfs validates.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ncprov.h"
#include "util.h"

static const char *const states[] = {
	"pending", "booting", "provisioning", "ready", "failed", NULL,
};

static int
valid_state(const char *s)
{
	int i;

	for (i = 0; states[i] != NULL; i++)
		if (strcmp(states[i], s) == 0)
			return 1;
	return 0;
}

static int
valid_step(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || strchr("_.-", s[i])))
			return 0;
	return 1;
}

int
ncprov_set_status(struct ncprov *p, const char *state, const char *step,
    const char *message)
{
	struct nc_buf line = { 0 };
	char *path;
	int rc;

	nc_buf_printf(&line, "%s %lld", state, (long long)time(NULL));
	if (step != NULL)
		nc_buf_printf(&line, " %s", step);
	if (message != NULL && *message != '\0') {
		const char *m;

		nc_buf_puts(&line, " ");
		/* one line of printable text */
		for (m = message; *m != '\0'; m++)
			nc_buf_add(&line, (unsigned char)*m < 0x20 ? " " : m,
			    1);
	}
	nc_buf_puts(&line, "\n");
	path = nc_asprintf("nodes/%s/status", p->node);
	rc = p->src.ops->write(p->src.impl, path, line.p, line.len);
	free(path);
	nc_buf_free(&line);
	return rc;
}

int
ncprov_status(struct ncprov *p, int argc, char **argv)
{
	const char *step = NULL;
	struct nc_buf msg = { 0 };
	int i, rc;

	if (argc < 2) {
		fprintf(stderr, "usage: ncprov ... --node NAME status STATE "
		    "[STEP] [MESSAGE...]\n");
		return 2;
	}
	if (!valid_state(argv[1])) {
		fprintf(stderr, "ncprov: status: \"%s\" is not one of pending "
		    "booting provisioning ready failed\n", argv[1]);
		return 2;
	}
	if (argc > 2) {
		if (!valid_step(argv[2])) {
			fprintf(stderr, "ncprov: status: step \"%s\" is not a "
			    "word of a-z 0-9 _ . -\n", argv[2]);
			return 2;
		}
		step = argv[2];
	}
	for (i = 3; i < argc; i++)
		nc_buf_printf(&msg, "%s%s", i > 3 ? " " : "", argv[i]);
	rc = ncprov_set_status(p, argv[1], step, msg.len ? msg.p : NULL);
	nc_buf_free(&msg);
	if (rc < 0) {
		fprintf(stderr, "ncprov: status of %s: %s\n", p->node,
		    strerror(-rc));
		return 1;
	}
	return 0;
}
