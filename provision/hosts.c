/*
 * hosts.c: the hosts step.  /etc/hosts gets the experiment's lines (the
 * tree's nodes/<node>/hosts) inside a marked block; every line outside the
 * block stays as it was.  ncprov down takes the block (markers included)
 * out again, and only it (ncp_hosts_remove).
 */
#include <string.h>

#include "files.h"
#include "steps.h"

#define BEGIN_MARK "# BEGIN neo-containers (written by ncprov; do not edit)\n"
#define END_MARK "# END neo-containers\n"

/* Replace (or append) the marked block of old with block. */
static void
splice(const struct nc_buf *old, const struct nc_buf *block,
    struct nc_buf *out)
{
	const char *s = nc_buf_str(old), *b, *e;

	b = strstr(s, BEGIN_MARK);
	e = b ? strstr(b, END_MARK) : NULL;
	if (b != NULL && e != NULL) {
		nc_buf_add(out, s, (size_t)(b - s));
		nc_buf_puts(out, BEGIN_MARK);
		nc_buf_add(out, nc_buf_str(block), block->len);
		nc_buf_puts(out, END_MARK);
		nc_buf_puts(out, e + strlen(END_MARK));
		return;
	}
	nc_buf_add(out, s, old->len);
	if (old->len > 0 && s[old->len - 1] != '\n')
		nc_buf_puts(out, "\n");
	nc_buf_puts(out, BEGIN_MARK);
	nc_buf_add(out, nc_buf_str(block), block->len);
	nc_buf_puts(out, END_MARK);
}

int
ncp_hosts_remove(struct ncprov *p)
{
	struct nc_buf old = { 0 }, new = { 0 };
	const char *s, *b, *e;
	int exists, rc;

	if ((rc = ncp_read_local(p, "/etc/hosts", &old, &exists)) < 0) {
		ncp_fail(p, "/etc/hosts: %s", strerror(-rc));
		goto out;
	}
	s = nc_buf_str(&old);
	if (!exists || (b = strstr(s, BEGIN_MARK)) == NULL)
		goto out;	/* no block: nothing to do */
	/* an unterminated block (cut short by hand) runs to the end */
	e = strstr(b, END_MARK);
	nc_buf_add(&new, s, (size_t)(b - s));
	if (e != NULL)
		nc_buf_puts(&new, e + strlen(END_MARK));
	if ((rc = ncp_replace(p, "/etc/hosts", nc_buf_str(&new), new.len,
	    0644, 0, 0)) < 0)
		ncp_fail(p, "/etc/hosts: %s", strerror(-rc));
	else if (rc > 0)
		ncp_report(p, "hosts", "/etc/hosts: the experiment's block "
		    "removed");
out:
	nc_buf_free(&old);
	nc_buf_free(&new);
	return rc < 0 ? -1 : 0;
}

int
ncp_step_hosts(struct ncprov *p)
{
	struct nc_buf tree = { 0 }, old = { 0 }, new = { 0 };
	int exists, rc;

	if ((rc = ncp_read_node(p, NCT_NODE_HOSTS, NULL, &tree)) < 0) {
		ncp_fail(p, "reading hosts: %s", strerror(-rc));
		goto out;
	}
	if (tree.len > 0 && tree.p[tree.len - 1] != '\n')
		nc_buf_puts(&tree, "\n");
	if ((rc = ncp_read_local(p, "/etc/hosts", &old, &exists)) < 0) {
		ncp_fail(p, "/etc/hosts: %s", strerror(-rc));
		goto out;
	}
	if (!exists)
		nc_buf_puts(&old, "127.0.0.1\tlocalhost\n");
	splice(&old, &tree, &new);
	if ((rc = ncp_mkdirs(p, "/etc", 0755)) < 0 ||
	    (rc = ncp_replace(p, "/etc/hosts", new.p, new.len, 0644, 0, 0)) < 0)
		ncp_fail(p, "/etc/hosts: %s", strerror(-rc));
	else if (rc > 0)
		ncp_report(p, "hosts", "/etc/hosts: the experiment's block");
out:
	nc_buf_free(&tree);
	nc_buf_free(&old);
	nc_buf_free(&new);
	return rc < 0 ? -1 : 0;
}
