/*
 * tarfiles.c: the tarfiles step (tb-set-node-tarfiles, as Emulab does it
 * where it fits).  nodes/<node>/tarfiles holds "DIR FILE" lines: each
 * tarball FILE, a path as this node sees it (on a mount, say), is
 * unpacked into the directory DIR (made when missing) with
 * `tar -xf FILE -C DIR` (tar finds the compression itself).  A FILE that
 * is not readable here (a URL, or a path this node has not) is skipped
 * with a message, not a failure; a tar that fails fails the step.
 *
 * Once per tarball: ROOT/var/lib/neoc/tarfiles lists "DIR FILE SIZE
 * MTIME" of those unpacked; the same line again: nothing runs.  A changed
 * tarball (size or time) is unpacked again.  --dry-run says "would
 * unpack"; --no-start unpacks nothing.  Under --root, DIR and FILE are
 * under ROOT.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container_steps.h"
#include "files.h"
#include "run.h"
#include "util.h"
#include "valid.h"

#define STEP "tarfiles"
#define STATE "/var/lib/neoc/tarfiles"
#define TIMEOUT_MS (10 * 60 * 1000)

/* Unpack file into dir (both as the node names them) unless done says
 * it was; the stamp line appended to done.  0 or -1 (ncp_fail). */
static int
unpack(struct ncprov *p, const char *dir, const char *file,
    struct nc_buf *done, int *skipped)
{
	char *rfile = ncp_path(p, file), *rdir = ncp_path(p, dir);
	char *stamp = NULL, *tar = NULL, *line = NULL;
	struct nc_buf out = { 0 };
	struct stat st;
	int rc = 0;

	if (stat(rfile, &st) < 0 || !S_ISREG(st.st_mode) ||
	    access(rfile, R_OK) < 0) {
		ncp_report(p, STEP, "%s: not readable here: not unpacked into "
		    "%s", file, dir);
		(*skipped)++;
		goto cleanup;
	}
	stamp = nc_asprintf("%s %s %lld %lld\n", dir, file,
	    (long long)st.st_size, (long long)st.st_mtime);
	{
		char *hay = nc_asprintf("\n%s", nc_buf_str(done));
		char *needle = nc_asprintf("\n%s", stamp);
		int seen = strstr(hay, needle) != NULL;

		free(hay);
		free(needle);
		if (seen)
			goto cleanup;		/* unpacked already */
	}
	if (p->dry_run || p->no_start) {
		ncp_report(p, STEP, "would unpack %s into %s", file, dir);
		goto cleanup;
	}
	if ((rc = ncp_mkdirs(p, dir, 0755)) < 0) {
		rc = ncp_fail(p, "mkdir %s: %s", dir, strerror(-rc));
		goto cleanup;
	}
	if ((tar = ncp_which("tar")) == NULL) {
		rc = ncp_fail(p, "%s: no tar command to unpack it", file);
		goto cleanup;
	}
	{
		char *argv[] = { tar, "-xf", rfile, "-C", rdir, NULL };

		line = ncp_argv_str(argv);
		rc = ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = -1,
		    .capture = &out, .timeout_ms = TIMEOUT_MS });
	}
	if (rc != 0) {
		while (out.len > 0 && strchr(" \t\n", out.p[out.len - 1]))
			out.p[--out.len] = '\0';
		rc = ncp_fail(p, "%s: %s%s%s", line, rc < 0 ? strerror(-rc) :
		    "failed", out.len ? ": " : "", nc_buf_str(&out));
		goto cleanup;
	}
	ncp_report(p, STEP, "unpacked %s into %s", file, dir);
	nc_buf_puts(done, stamp);
cleanup:
	nc_buf_free(&out);
	free(rfile);
	free(rdir);
	free(stamp);
	free(tar);
	free(line);
	return rc < 0 ? -1 : 0;
}

int
ncp_step_tarfiles(struct ncprov *p)
{
	struct nc_buf list = { 0 }, done = { 0 }, keep = { 0 };
	char *s, *nl, *sp;
	const char *why;
	int rc, ex, ret = 0, skipped = 0;

	if ((rc = ncp_read_node(p, NCT_NODE_TARFILES, NULL, &list)) < 0) {
		if (rc == -ENOENT)
			goto cleanup;	/* a tree without the file */
		ret = ncp_fail(p, "reading tarfiles: %s", strerror(-rc));
		goto cleanup;
	}
	if ((rc = ncp_read_local(p, STATE, &done, &ex)) < 0) {
		ret = ncp_fail(p, STATE ": %s", strerror(-rc));
		goto cleanup;
	}
	nc_buf_puts(&keep, nc_buf_str(&done));
	for (s = list.p; s != NULL && *s != '\0'; s = nl ? nl + 1 : NULL) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl = '\0';
		if (*s == '\0')
			continue;
		if ((sp = strchr(s, ' ')) == NULL) {
			ret = ncp_fail(p, "tarfiles: \"%s\" is not DIR FILE", s);
			continue;
		}
		*sp = '\0';
		if (nc_valid_path(s, &why) < 0) {
			ret = ncp_fail(p, "tarfiles: directory %s %s", s, why);
			continue;
		}
		if (nc_valid_path(sp + 1, NULL) < 0) {
			ncp_report(p, STEP, "%s: not a path in this node: not "
			    "unpacked into %s", sp + 1, s);
			skipped++;
			continue;
		}
		if (unpack(p, s, sp + 1, &keep, &skipped) < 0)
			ret = -1;
	}
	if (keep.len != done.len && !p->dry_run &&
	    (rc = ncp_mkdirs(p, "/var/lib/neoc", 0755)) >= 0)
		rc = ncp_replace(p, STATE, nc_buf_str(&keep), keep.len, 0644,
		    0, 0);
	if (rc < 0)
		ret = ncp_fail(p, STATE ": %s", strerror(-rc));
cleanup:
	nc_buf_free(&list);
	nc_buf_free(&done);
	nc_buf_free(&keep);
	return ret;
}
