/*
 * pnode_state.c: the pnode's state file ROOT/var/lib/neoc/containers
 * (pnode.h): the containers a backend made, one "BACKEND NAME" line each,
 * sorted, so that ncprov down and a later run find what is ours.
 */
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "pnode.h"
#include "util.h"

#define STEP "containers"
#define STATE_FILE "/var/lib/neoc/containers"	/* what we made */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
ncp_state_read(struct ncprov *p, const char *backend, char ***names,
    size_t *n)
{
	struct nc_buf b = { 0 };
	size_t cap = 0, blen = strlen(backend);
	char *s, *nl;
	int exists, rc;

	*names = NULL;
	*n = 0;
	if ((rc = ncp_read_local(p, STATE_FILE, &b, &exists)) < 0)
		goto cleanup;
	for (s = b.p; s != NULL && *s != '\0'; s = nl ? nl + 1 : NULL) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl = '\0';
		if (strncmp(s, backend, blen) == 0 && s[blen] == ' ' &&
		    s[blen + 1] != '\0')
			*NC_PUSH(*names, *n, cap) = nc_strdup(s + blen + 1);
	}
cleanup:
	nc_buf_free(&b);
	return rc;
}

/* The lines are sorted, so the file is stable. */
int
ncp_state_write(struct ncprov *p, const char *backend, char *const *names,
    size_t n)
{
	struct nc_buf b = { 0 }, out = { 0 };
	size_t blen = strlen(backend), nl_ = 0, cap = 0, i;
	char **lines = NULL, *s, *nl;
	int exists, rc;

	if ((rc = ncp_read_local(p, STATE_FILE, &b, &exists)) < 0)
		goto cleanup;
	if (!exists && n == 0)
		goto cleanup;
	for (s = b.p; s != NULL && *s != '\0'; s = nl ? nl + 1 : NULL) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl = '\0';
		if (*s == '\0' || (strncmp(s, backend, blen) == 0 &&
		    s[blen] == ' '))
			continue;
		*NC_PUSH(lines, nl_, cap) = nc_strdup(s);
	}
	for (i = 0; i < n; i++)
		*NC_PUSH(lines, nl_, cap) = nc_asprintf("%s %s", backend,
		    names[i]);
	if (nl_ > 0)
		qsort(lines, nl_, sizeof(*lines), cmp_str);
	for (i = 0; i < nl_; i++)
		nc_buf_printf(&out, "%s\n", lines[i]);
	if ((rc = ncp_mkdirs(p, "/var/lib/neoc", 0755)) < 0)
		goto cleanup;
	rc = ncp_replace(p, STATE_FILE, nc_buf_str(&out), out.len, 0644, 0,
	    0);
	if (rc > 0)
		ncp_report(p, STEP, "%s: %s: %zu %s", STATE_FILE, backend, n,
		    n == 1 ? "container" : "containers");
	rc = rc < 0 ? rc : 0;
cleanup:
	for (i = 0; i < nl_; i++)
		free(lines[i]);
	free(lines);
	nc_buf_free(&b);
	nc_buf_free(&out);
	return rc;
}
