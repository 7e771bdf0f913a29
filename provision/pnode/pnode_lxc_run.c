/*
 * pnode_lxc_run.c: what the three files of the lxc backend (pnode_lxc.c,
 * pnode_control.c, pnode_lxc_conf.c) share to run commands and record
 * failures (pnode_lxc.h): a failure of one guest goes on r->errs, a
 * command runs or, when dry, is only said; which containers run (one
 * lxc-ls for all).  pnode_settle.c uses the last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"
#include "pnode.h"
#include "pnode_lxc.h"
#include "run.h"
#include "util.h"

#define STEP "containers"

void
ncp_lxc_failed(struct lxc_run *r, const char *guest, const char *fmt,
    const char *what)
{
	nc_buf_printf(&r->errs, "%s%s: ", r->errs.len ? "; " : "", guest);
	nc_buf_printf(&r->errs, fmt, what);
}

void
ncp_lxc_trim(struct nc_buf *b)
{
	while (b->len > 0 && strchr(" \t\r\n", b->p[b->len - 1]) != NULL)
		b->p[--b->len] = '\0';
}

int
ncp_lxc_may_run(const struct ncprov *p)
{
	return !p->dry_run && !(p->root[0] != '\0' && p->no_start);
}

int
ncp_lxc_run_or_say(struct lxc_run *r, char **argv, int dry, char *why,
    size_t len)
{
	struct nc_buf out = { 0 };
	char *line = ncp_argv_str(argv), *prog = NULL, *name = argv[0];
	int rc, ret;

	snprintf(why, len, "%s", "");
	if (dry) {
		ncp_report(r->p, STEP, "would run: %s", line);
		ret = 0;
		goto cleanup;
	}
	if ((prog = ncp_which(name)) == NULL) {
		snprintf(why, len, "%s: no %s command (apt-get install %s)",
		    line, name, strncmp(name, "lxc", 3) == 0 ? "lxc" :
		    strcmp(name, "nft") == 0 ? "nftables" : "iproute2");
		ret = -ENOENT;
		goto cleanup;
	}
	argv[0] = prog;
	rc = ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = -1,
	    .capture = &out, .timeout_ms = LXC_TIMEOUT_MS });
	argv[0] = name;
	if (rc != 0) {
		ncp_lxc_trim(&out);
		snprintf(why, len, "%s: %s%s%s", line, rc < 0 ?
		    strerror(-rc) : "failed", out.len ? ": " : "",
		    nc_buf_str(&out));
		ret = rc < 0 ? rc : -EIO;
		goto cleanup;
	}
	ncp_report(r->p, STEP, "%s", line);
	ret = 0;
cleanup:
	free(line);
	free(prog);
	nc_buf_free(&out);
	return ret;
}

int
ncp_lxc_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int
ncp_lxc_running_list(const char *lxcpath, struct nc_buf *out)
{
	char *argv[] = { NULL, "-P", (char *)lxcpath, "--running", "-1",
	    NULL };
	int rc;

	if ((argv[0] = ncp_which("lxc-ls")) == NULL)
		return -1;
	rc = ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = -1,
	    .capture = out, .timeout_ms = LXC_TIMEOUT_MS });
	free(argv[0]);
	return rc == 0 ? 0 : -1;
}

int
ncp_lxc_listed(const char *list, const char *cname)
{
	size_t len = strlen(cname);
	const char *s;

	for (s = list; (s = strstr(s, cname)) != NULL; s += len)
		if ((s == list || s[-1] == '\n') &&
		    (s[len] == '\n' || s[len] == '\0'))
			return 1;
	return 0;
}
