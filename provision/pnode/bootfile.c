/*
 * bootfile.c: reading, checking, writing and removing the boot files
 * /etc/neoc/node (a container's) and /etc/neoc/pnode (a pnode's), see
 * bootfile.h.  One parser for both: the pnode's keys are known only when
 * it reads a pnode's file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootfile.h"
#include "buf.h"
#include "files.h"
#include "pnode.h"
#include "util.h"
#include "valid.h"

int
ncp_node_name_ok(const char *s)
{
	return nc_valid_label(s, NULL) == 0;
}

/* A port: 1..65535, decimal digits only. */
static int
port_ok(const char *s)
{
	size_t n = strlen(s);
	long v;

	if (n == 0 || n > 5 || strspn(s, "0123456789") != n || s[0] == '0')
		return 0;
	v = strtol(s, NULL, 10);
	return v >= 1 && v <= 65535;
}

int
ncp_hostport_ok(const char *s)
{
	const char *colon, *end;
	size_t n, i;

	if (s[0] == '[') {	/* [v6]:port */
		end = strchr(s, ']');
		if (end == NULL || end == s + 1 || end[1] != ':')
			return 0;
		for (i = 1; s + i < end; i++)
			if (strchr("0123456789abcdefABCDEF:.", s[i]) == NULL)
				return 0;
		return port_ok(end + 2);
	}
	if ((colon = strrchr(s, ':')) == NULL)
		return 0;
	n = (size_t)(colon - s);
	if (n == 0 || n > 253 || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '.' || s[i] == '_'))
			return 0;
	return port_ok(colon + 1);
}

/* An absolute path of printable characters. */
static int
abspath_ok(const char *s)
{
	if (s[0] != '/')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
control_ok(const char *s)
{
	unsigned long a;
	int n;

	return ncp_control_parse(s, &a, &n) == 0;
}

static int
backend_ok(const char *s)
{
	return strcmp(s, "lxc") == 0 || strcmp(s, "vagrant") == 0;
}

static int
flag_ok(const char *s)
{
	return strcmp(s, "0") == 0 || strcmp(s, "1") == 0;
}

/* A key of a boot file. */
struct key {
	const char *name;		/* before the = */
	size_t off;			/* its char * in struct ncp_boot, or
					 * (size_t)-1 for NO_EXPORT */
	int (*ok)(const char *);	/* its check */
	const char *what;		/* what a good value is */
	int pnode;			/* only in a pnode's file */
};

#define SLOT(f) offsetof(struct ncp_boot, f)

static const struct key keys[] = {
	{ "NODE", SLOT(node), ncp_node_name_ok, "a node name", 0 },
	{ "NINEP", SLOT(ninep), ncp_hostport_ok, "HOST:PORT", 0 },
	{ "ANAME", SLOT(aname), abspath_ok, "an absolute path", 0 },
	{ "TREE", SLOT(tree), abspath_ok, "an absolute path", 0 },
	{ "GUEST_NINEP", SLOT(guest_ninep), ncp_hostport_ok, "HOST:PORT", 1 },
	{ "GUEST_ANAME", SLOT(guest_aname), abspath_ok, "an absolute path",
	    1 },
	{ "CONTROL_NET", SLOT(control_net), control_ok, "A.B.C.D/NN", 1 },
	{ "BACKEND", SLOT(backend), backend_ok, "lxc or vagrant", 1 },
	{ "NO_EXPORT", (size_t)-1, flag_ok, "0 or 1", 1 },
};

static void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
ncp_boot_parse(const char *text, const char *name, int pnode,
    struct ncp_boot *b, char *err, size_t errlen)
{
	const char *s, *nl, *eq;
	const struct key *k;
	int lineno = 0;
	size_t i, len;

	for (s = text; *s != '\0'; s = *nl ? nl + 1 : nl) {
		nl = s + strcspn(s, "\n");
		len = (size_t)(nl - s);
		lineno++;
		if (len > 0 && s[len - 1] == '\r')
			len--;
		if (len == 0 || s[0] == '#')
			continue;
		eq = memchr(s, '=', len);
		if (eq == NULL) {
			errf(err, errlen, "%s:%d: expected KEY=value", name,
			    lineno);
			return -1;
		}
		for (i = 0, k = NULL; i < sizeof(keys) / sizeof(keys[0]); i++)
			if ((!keys[i].pnode || pnode) &&
			    strlen(keys[i].name) == (size_t)(eq - s) &&
			    strncmp(keys[i].name, s, (size_t)(eq - s)) == 0)
				k = &keys[i];
		if (k == NULL)
			continue;	/* keys of later versions */
		char *val = nc_asprintf("%.*s", (int)(len - (size_t)(eq - s) -
		    1), eq + 1);

		if (!k->ok(val)) {
			errf(err, errlen, "%s:%d: %s: \"%s\" is not %s", name,
			    lineno, k->name, val, k->what);
			free(val);
			return -1;
		}
		if (k->off == (size_t)-1) {
			b->no_export = strcmp(val, "1") == 0;
			free(val);
		} else {
			char **slot = (char **)((char *)b + k->off);

			free(*slot);
			*slot = val;
		}
	}
	if (b->ninep != NULL && b->tree != NULL) {
		errf(err, errlen, "%s: both NINEP= and TREE= (one source)",
		    name);
		return -1;
	}
	if (b->node == NULL) {
		errf(err, errlen, "%s: no NODE=", name);
		return -1;
	}
	return 0;
}

int
ncp_boot_read(const char *root, const char *path, int pnode,
    struct ncp_boot *b, char *err, size_t errlen)
{
	char *full = nc_asprintf("%s%s", root, path), chunk[4096];
	struct nc_buf text = { 0 };
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(full, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = errno == ENOENT ? -ENOENT : -1;
		errf(err, errlen, "%s: %s", full, strerror(errno));
		goto out;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		nc_buf_add(&text, chunk, (size_t)n);
	if (n < 0) {
		errf(err, errlen, "%s: %s", full, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	if (memchr(nc_buf_str(&text), '\0', text.len) != NULL) {
		errf(err, errlen, "%s: not a text file", full);
		goto out;
	}
	rc = ncp_boot_parse(nc_buf_str(&text), full, pnode, b, err, errlen);
out:
	nc_buf_free(&text);
	free(full);
	return rc;
}

int
ncp_bootfile(const char *root, struct ncp_boot *b)
{
	char err[512];
	int rc = ncp_boot_read(root, NCP_BOOTFILE, 0, b, err, sizeof(err));

	if (rc == -1)
		fprintf(stderr, "ncprov: %s\n", err);
	return rc < 0 ? -1 : 0;
}

static void
key_line(struct nc_buf *out, const char *key, const char *val)
{
	if (val != NULL && *val != '\0')
		nc_buf_printf(out, "%s=%s\n", key, val);
}

char *
ncp_boot_text(const struct ncp_boot *b)
{
	struct nc_buf out = { 0 };

	nc_buf_puts(&out, "# /etc/neoc/pnode: written by ncprov pnode "
	    "(neo-containers); at boot\n# `ncprov pnode` reads its options "
	    "from here, `ncprov down` removes it.\n");
	key_line(&out, "NODE", b->node);
	if (b->tree != NULL && *b->tree != '\0') {
		key_line(&out, "TREE", b->tree);
	} else {
		key_line(&out, "NINEP", b->ninep);
		key_line(&out, "ANAME", b->aname);
	}
	key_line(&out, "GUEST_NINEP", b->guest_ninep);
	key_line(&out, "GUEST_ANAME", b->guest_aname);
	if (b->no_export)
		nc_buf_puts(&out, "NO_EXPORT=1\n");
	key_line(&out, "CONTROL_NET", b->control_net);
	key_line(&out, "BACKEND", b->backend);
	return out.p;
}

int
ncp_boot_write(struct ncprov *p, const char *path,
    const struct ncp_boot *b)
{
	char *text = ncp_boot_text(b), *dir = nc_strdup(path);
	int rc;

	*strrchr(dir, '/') = '\0';
	if ((rc = ncp_mkdirs(p, dir, 0755)) >= 0)
		rc = ncp_replace(p, path, text, strlen(text), 0644, 0, 0);
	if (rc > 0)
		ncp_report(p, "boot", "%s: NODE=%s", path, b->node);
	free(dir);
	free(text);
	return rc;
}

int
ncp_boot_remove(struct ncprov *p, const char *path)
{
	char *full = ncp_path(p, path);
	int rc = 0;

	if (access(full, F_OK) != 0) {
		rc = errno == ENOENT ? 0 : -errno;
	} else if (p->dry_run) {
		ncp_report(p, "boot", "would remove %s", path);
		rc = 1;
	} else if (unlink(full) < 0) {
		rc = -errno;
	} else {
		ncp_report(p, "boot", "removed %s", path);
		rc = 1;
	}
	free(full);
	return rc;
}

void
ncp_boot_free(struct ncp_boot *b)
{
	free(b->node);
	free(b->ninep);
	free(b->aname);
	free(b->tree);
	free(b->guest_ninep);
	free(b->guest_aname);
	free(b->control_net);
	free(b->backend);
	memset(b, 0, sizeof(*b));
}
