/*
 * status.c: the node's status line (docs/DESIGN.md, "Status"; the words
 * and limits are lib/nctree.h's): STATE TIME [STEP] [MESSAGE], written to
 * nodes/<node>/status, which ncfs validates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ncprov.h"
#include "util.h"

int
ncprov_node_status(struct ncprov *p, const char *node, enum nct_state state,
    const char *step, const char *message)
{
	struct nc_buf line = { 0 };
	char path[NCT_PATH_MAX];
	int rc;

	if ((unsigned)state >= NCT_NSTATES)
		return -EINVAL;
	if ((rc = nct_path(path, sizeof(path), NCT_NODE_STATUS, node,
	    NULL)) < 0)
		return rc;
	nc_buf_printf(&line, "%s %lld", nct_states[state],
	    (long long)time(NULL));
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
	rc = p->src.ops->write(p->src.impl, path, line.p, line.len);
	nc_buf_free(&line);
	return rc;
}

int
ncprov_set_status(struct ncprov *p, enum nct_state state, const char *step,
    const char *message)
{
	return ncprov_node_status(p, p->node, state, step, message);
}

int
ncprov_status(struct ncprov *p, int argc, char **argv)
{
	const char *step = NULL;
	struct nc_buf msg = { 0 };
	int i, rc, state;

	if (argc < 2) {
		fprintf(stderr, "usage: ncprov ... --node NAME status STATE "
		    "[STEP] [MESSAGE...]\n");
		return 2;
	}
	if ((state = nct_state_find(argv[1], strlen(argv[1]))) < 0) {
		fprintf(stderr, "ncprov: status: \"%s\" is not one of "
		    NCT_STATE_LIST "\n", argv[1]);
		return 2;
	}
	if (argc > 2) {
		if (!nct_step_valid(argv[2], strlen(argv[2]))) {
			fprintf(stderr, "ncprov: status: step \"%s\" is not a "
			    "word of a-z 0-9 _ . -\n", argv[2]);
			return 2;
		}
		step = argv[2];
	}
	for (i = 3; i < argc; i++)
		nc_buf_printf(&msg, "%s%s", i > 3 ? " " : "", argv[i]);
	rc = ncprov_set_status(p, (enum nct_state)state, step,
	    msg.len ? msg.p : NULL);
	nc_buf_free(&msg);
	if (rc < 0) {
		fprintf(stderr, "ncprov: status of %s: %s\n", p->node,
		    strerror(-rc));
		return 1;
	}
	return 0;
}
