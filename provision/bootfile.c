/*
 * bootfile.c: reading /etc/neoc/node.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootfile.h"
#include "util.h"

int
ncp_bootfile(const char *root, struct ncp_boot *b)
{
	char *path = nc_asprintf("%s%s", root, NCP_BOOTFILE), line[512];
	char *eq, *val, **slot;
	int lineno = 0, rc = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		free(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			fprintf(stderr, "ncprov: %s:%d: expected KEY=value\n",
			    path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		val = eq + 1;
		slot = strcmp(line, "NODE") == 0 ? &b->node :
		    strcmp(line, "NINEP") == 0 ? &b->ninep :
		    strcmp(line, "ANAME") == 0 ? &b->aname :
		    strcmp(line, "TREE") == 0 ? &b->tree : NULL;
		if (slot == NULL)
			continue;	/* keys of later versions */
		free(*slot);
		*slot = nc_strdup(val);
	}
	fclose(f);
	if (rc == 0 && b->node == NULL) {
		fprintf(stderr, "ncprov: %s: no NODE=\n", path);
		rc = -1;
	}
	free(path);
	return rc;
}

void
ncp_boot_free(struct ncp_boot *b)
{
	free(b->node);
	free(b->ninep);
	free(b->aname);
	free(b->tree);
	memset(b, 0, sizeof(*b));
}
