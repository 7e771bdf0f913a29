/*
 * scope.c: the inputs of a container's steps (scope.h).
 *
 * A source in front of the run's (the node bundle's, usually) passes every
 * call on and, while a step runs, notes each read: "r" a file, "l" a
 * directory's list, "d" whether a path is a directory, with the path and
 * an FNV-1a 64 of the result (the error, or the bytes).  A step that
 * succeeds gets those reads as its record; one that fails has none, so the
 * next run runs it.  The records are kept in NCP_SCOPE_FILE, one read a
 * line, "STEP KIND HASH PATH", and a line "STEP = 0 ." for every step
 * recorded (a step may read nothing).  ncp_scope_same reads the recorded
 * paths again (from the bundle in memory) and compares.  Writes are not
 * reads and are not noted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "hash.h"
#include "scope.h"
#include "util.h"

/* One read of a step. */
struct input {
	char *step;		/* the step that read it */
	char kind;		/* 'r' file, 'l' list, 'd' is_dir, '=' mark */
	uint64_t hash;		/* what came back */
	char *path;		/* what was read ("." for a mark) */
};

struct ncp_scope {
	struct ncp_source inner;	/* the run's source, wrapped */
	struct input *v;		/* the records: old, then new */
	size_t n, cap;			/* of v */
	const char *step;		/* the step recording now, or NULL */
	struct input *cur;		/* its reads so far */
	size_t ncur, capcur;		/* of cur */
	char *text;			/* the file as read ("" none) */
};

static uint64_t
hash_rc(int rc)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", rc);
	return nc_fnv64_str(NC_FNV64_BASIS, s);
}

static uint64_t
hash_read(int rc, const char *data, size_t len)
{
	return rc < 0 ? hash_rc(rc) : nc_fnv64(nc_fnv64_byte(NC_FNV64_BASIS,
	    'r'), data, len);
}

static uint64_t
hash_list(int rc, char **names, size_t n)
{
	uint64_t h = nc_fnv64_byte(NC_FNV64_BASIS, 'l');
	size_t i;

	if (rc < 0)
		return hash_rc(rc);
	for (i = 0; i < n; i++)
		h = nc_fnv64_byte(nc_fnv64_str(h, names[i]), '\n');
	return h;
}

static void
note(struct ncp_scope *s, char kind, uint64_t hash, const char *path)
{
	struct input *in;
	size_t i;

	if (s->step == NULL)
		return;
	for (i = 0; i < s->ncur; i++)	/* read twice: once is enough */
		if (s->cur[i].kind == kind && strcmp(s->cur[i].path, path) == 0) {
			s->cur[i].hash = hash;
			return;
		}
	in = NC_PUSH(s->cur, s->ncur, s->capcur);
	in->step = NULL;
	in->kind = kind;
	in->hash = hash;
	in->path = nc_strdup(path);
}

static int
w_read(void *impl, const char *path, struct nc_buf *out)
{
	struct ncp_scope *s = impl;
	size_t before = out->len;
	int rc = s->inner.ops->read(s->inner.impl, path, out);

	note(s, 'r', hash_read(rc, out->p ? out->p + before : "",
	    rc < 0 ? 0 : out->len - before), path);
	return rc;
}

static int
w_list(void *impl, const char *path, char ***names, size_t *n)
{
	struct ncp_scope *s = impl;
	int rc = s->inner.ops->list(s->inner.impl, path, names, n);

	note(s, 'l', hash_list(rc, rc < 0 ? NULL : *names, rc < 0 ? 0 : *n),
	    path);
	return rc;
}

static int
w_is_dir(void *impl, const char *path)
{
	struct ncp_scope *s = impl;
	int rc = s->inner.ops->is_dir(s->inner.impl, path);

	note(s, 'd', hash_rc(rc), path);
	return rc;
}

static int
w_write(void *impl, const char *path, const char *data, size_t len)
{
	struct ncp_scope *s = impl;

	return s->inner.ops->write(s->inner.impl, path, data, len);
}

static unsigned long long
w_requests(void *impl)
{
	struct ncp_scope *s = impl;

	return s->inner.ops->requests(s->inner.impl);
}

static int
w_lost(void *impl)
{
	struct ncp_scope *s = impl;

	return s->inner.ops->lost ? s->inner.ops->lost(s->inner.impl) : 0;
}

static int
w_fetch(void *impl, struct ncp_fetch *v, size_t n, size_t max)
{
	struct ncp_scope *s = impl;
	size_t i;
	int rc = s->inner.ops->fetch(s->inner.impl, v, n, max);

	for (i = 0; rc == 0 && i < n; i++)	/* as reads one at a time */
		note(s, v[i].dir ? 'l' : 'r', v[i].rc < 0 ? hash_rc(v[i].rc) :
		    nc_fnv64(nc_fnv64_byte(NC_FNV64_BASIS, v[i].dir ? 'L' :
		    'r'), v[i].data, v[i].len), v[i].path);
	return rc;
}

static void
w_close(void *impl)
{
	struct ncp_scope *s = impl;

	s->inner.ops->close(s->inner.impl);
}

static const struct ncp_source_ops wrap_ops = {
	w_read, w_list, w_is_dir, w_write, w_requests, w_lost, NULL, w_close
};
static const struct ncp_source_ops wrap_ops_fetch = {
	w_read, w_list, w_is_dir, w_write, w_requests, w_lost, w_fetch,
	w_close
};

static void
inputs_free(struct input *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].step);
		free(v[i].path);
	}
	free(v);
}

/* Parse the records: a line that does not parse drops them all (every
 * step runs, and records again). */
static void
parse(struct ncp_scope *s, const char *text)
{
	const char *line = text, *nl;
	char step[64], kind, path[NCT_PATH_MAX];
	uint64_t hash;
	struct input *in;

	for (; *line != '\0'; line = *nl ? nl + 1 : nl) {
		char fmt[64];
		size_t len;

		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		len = (size_t)(nl - line);
		if (len == 0)
			continue;
		snprintf(fmt, sizeof(fmt), "%%63s %%c %%" SCNx64 " %%%zus",
		    sizeof(path) - 1);
		{
			char *one = nc_asprintf("%.*s", (int)len, line);
			int k = sscanf(one, fmt, step, &kind, &hash, path);

			free(one);
			if (k != 4 || kind == '\0' ||
			    strchr("rld=", kind) == NULL) {
				inputs_free(s->v, s->n);
				s->v = NULL;
				s->n = s->cap = 0;
				return;
			}
		}
		in = NC_PUSH(s->v, s->n, s->cap);
		in->step = nc_strdup(step);
		in->kind = kind;
		in->hash = hash;
		in->path = nc_strdup(path);
	}
}

struct ncp_scope *
ncp_scope_open(struct ncprov *p)
{
	struct ncp_scope *s;
	struct nc_buf b = { 0 };
	int exists;

	if (p->dry_run)
		return NULL;
	s = nc_calloc(1, sizeof(*s));
	if (ncp_read_local(p, NCP_SCOPE_FILE, &b, &exists) == 0 && exists)
		parse(s, nc_buf_str(&b));
	s->text = nc_strdup(exists ? nc_buf_str(&b) : "");
	nc_buf_free(&b);
	s->inner = p->src;
	p->src.ops = s->inner.ops->fetch ? &wrap_ops_fetch : &wrap_ops;
	p->src.impl = s;
	return s;
}

/* Does the read in (of the wrapped source) give its hash again? */
static int
same_now(struct ncp_scope *s, const struct input *in)
{
	struct nc_buf b = { 0 };
	char **names = NULL;
	size_t n = 0;
	uint64_t h;
	int rc;

	switch (in->kind) {
	case 'r':
		rc = s->inner.ops->read(s->inner.impl, in->path, &b);
		h = hash_read(rc, b.p ? b.p : "", rc < 0 ? 0 : b.len);
		nc_buf_free(&b);
		break;
	case 'l':
		rc = s->inner.ops->list(s->inner.impl, in->path, &names, &n);
		h = hash_list(rc, names, n);
		if (rc == 0)
			ncp_names_free(names, n);
		break;
	case 'd':
		h = hash_rc(s->inner.ops->is_dir(s->inner.impl, in->path));
		break;
	default:
		return 1;
	}
	return h == in->hash;
}

int
ncp_scope_same(struct ncp_scope *s, const char *step)
{
	size_t i;
	int marked = 0;

	if (s == NULL)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->v[i].kind == '=' && strcmp(s->v[i].step, step) == 0)
			marked = 1;
	if (!marked)
		return 0;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].step, step) == 0 && !same_now(s, &s->v[i]))
			return 0;
	return 1;
}

void
ncp_scope_begin(struct ncp_scope *s, const char *step)
{
	if (s == NULL)
		return;
	s->step = step;
	s->ncur = 0;
}

void
ncp_scope_end(struct ncp_scope *s, int ok)
{
	size_t i, k;

	if (s == NULL || s->step == NULL)
		return;
	/* the step's old record goes */
	for (i = k = 0; i < s->n; i++) {
		if (strcmp(s->v[i].step, s->step) == 0) {
			free(s->v[i].step);
			free(s->v[i].path);
		} else {
			s->v[k++] = s->v[i];
		}
	}
	s->n = k;
	for (i = 0; i < s->ncur; i++) {
		if (ok) {
			s->cur[i].step = nc_strdup(s->step);
			*NC_PUSH(s->v, s->n, s->cap) = s->cur[i];
		} else {
			free(s->cur[i].path);
		}
	}
	if (ok) {
		struct input *in = NC_PUSH(s->v, s->n, s->cap);

		in->step = nc_strdup(s->step);
		in->kind = '=';
		in->hash = 0;
		in->path = nc_strdup(".");
	}
	s->ncur = 0;
	s->step = NULL;
}

void
ncp_scope_close(struct ncp_scope *s, struct ncprov *p)
{
	struct nc_buf b = { 0 };
	size_t i;
	int rc;

	if (s == NULL)
		return;
	p->src = s->inner;
	for (i = 0; i < s->n; i++)
		nc_buf_printf(&b, "%s %c %016" PRIx64 " %s\n", s->v[i].step,
		    s->v[i].kind, s->v[i].hash, s->v[i].path);
	if (strcmp(nc_buf_str(&b), s->text) != 0 &&
	    (rc = ncp_mkdirs(p, "/var/lib/neoc", 0755)) == 0 &&
	    (rc = ncp_replace_flags(p, NCP_SCOPE_FILE, nc_buf_str(&b), b.len,
	    0644, 0, 0, NCP_NOSYNC)) < 0)
		fprintf(stderr, "ncprov: %s: %s\n", NCP_SCOPE_FILE,
		    strerror(-rc));
	nc_buf_free(&b);
	inputs_free(s->v, s->n);
	for (i = 0; i < s->ncur; i++)
		free(s->cur[i].path);
	free(s->cur);
	free(s->text);
	free(s);
}
