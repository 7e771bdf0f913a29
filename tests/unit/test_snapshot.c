/*
 * test_snapshot.c: the node bundle's parser (provision/snapshot.c) and the
 * source that answers from a snapshot (provision/source_snap.c).
 *
 * The parser gets well-formed bundles and broken ones: every way a header,
 * a length, a path or a listed name can be wrong, and the bounds.  The
 * source is tried over a fake source that serves a bundle and a few live
 * files and counts what reaches it: reads inside the snapshot are answered
 * from memory, names not listed are -ENOENT, a file listed without
 * contents, paths outside, and files written since go to the fake.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snapshot.h"
#include "source.h"
#include "util.h"

/* A bundle of node a: the root listing, two files, a directory. */
static const char good[] =
    "ncbundle 1 42\n"
    "D 28 nodes/a\n" "hosts\nifaces/\nstatus\nbroken\n\n"
    "F 12 nodes/a/hosts\n" "1.2.3.4\thost\n"
    "F 8 nodes/a/status\n" "ready 1\n\n"
    "D 6 nodes/a/ifaces\n" "eth1/\n\n"
    "D 3 nodes/a/ifaces/eth1\n" "ip\n\n"
    "F 9 nodes/a/ifaces/eth1/ip\n" "10.0.0.1\n\n"
    "end\n";

static int
parse(const char *b, size_t len, struct ncp_snap *s, char *why)
{
	return ncp_bundle_parse(b, len, "a", s, why, 200);
}

static void
test_parse_good(void **state)
{
	struct ncp_snap s;
	struct ncp_snap_entry *e;
	char why[200];
	int isdir;

	(void)state;
	assert_int_equal(parse(good, sizeof(good) - 1, &s, why), 0);
	assert_int_equal(s.generation, 42);
	assert_int_equal(s.n, 6);
	e = ncp_snap_get(&s, "nodes/a/hosts");
	assert_non_null(e);
	assert_false(e->dir);
	assert_int_equal(e->len, 12);
	assert_string_equal(e->data, "1.2.3.4\thost");
	e = ncp_snap_get(&s, "nodes/a/status");
	assert_string_equal(e->data, "ready 1\n");
	e = ncp_snap_get(&s, "nodes/a");
	assert_true(e->dir);
	assert_true(ncp_snap_lists(e, "ifaces", &isdir));
	assert_true(isdir);
	assert_true(ncp_snap_lists(e, "hosts", &isdir));
	assert_false(isdir);
	assert_false(ncp_snap_lists(e, "host", &isdir));
	assert_false(ncp_snap_lists(e, "ifaces/", &isdir));
	assert_null(ncp_snap_get(&s, "nodes/a/broken"));
	ncp_snap_free(&s);
	/* an empty node */
	assert_int_equal(parse("ncbundle 1 0\nD 0 nodes/a\n\nend\n",
	    strlen("ncbundle 1 0\nD 0 nodes/a\n\nend\n"), &s, why), 0);
	assert_int_equal(s.n, 1);
	ncp_snap_free(&s);
}

static void
test_parse_bad(void **state)
{
	static const struct {
		const char *b;		/* the bundle */
		const char *why;	/* a part of the reason */
	} cases[] = {
		{ "", "not a bundle" },
		{ "ncbundle 2 1\nend\n", "not a bundle" },
		{ "ncbundle 1 x\nend\n", "generation" },
		{ "ncbundle 1 1\n", "nor the end" },
		{ "ncbundle 1 1\nend\nmore", "nor the end" },
		{ "ncbundle 1 1\nX 1 nodes/a\nx\nend\n", "header" },
		{ "ncbundle 1 1\nF x nodes/a/f\nx\nend\n", "bad header" },
		{ "ncbundle 1 1\nF 1 nodes/a/f", "bad header" },
		{ "ncbundle 1 1\nF 9 nodes/a/f\nx\nend\n", "do not fit" },
		{ "ncbundle 1 1\nF 1 nodes/a/f\nxyend\n", "do not fit" },
		{ "ncbundle 1 1\nF 99999999999999 nodes/a/f\nx\nend\n",
		  "bad header" },
		{ "ncbundle 1 1\nF 1 nodes/b/f\nx\nend\n", "not a path in" },
		{ "ncbundle 1 1\nF 1 nodes/ab/f\nx\nend\n", "not a path in" },
		{ "ncbundle 1 1\nF 1 nodes/a/../b\nx\nend\n",
		  "not a path in" },
		{ "ncbundle 1 1\nF 1 nodes/a//f\nx\nend\n", "not a path in" },
		{ "ncbundle 1 1\nF 1 nodes/a/f g\nx\nend\n",
		  "not a path in" },
		{ "ncbundle 1 1\nF 1 /etc/passwd\nx\nend\n",
		  "not a path in" },
		{ "ncbundle 1 1\nD 4 nodes/a\n../\n\nend\n", "plain name" },
		{ "ncbundle 1 1\nD 4 nodes/a\na/b\n\nend\n", "plain name" },
		{ "ncbundle 1 1\nD 2 nodes/a\nab\nend\n", "plain name" },
		{ "ncbundle 1 1\nD 1 nodes/a\n\n\nend\n", "plain name" },
		{ "ncbundle 1 1\nF 1 nodes/a/f\nx\nF 1 nodes/a/f\ny\nend\n",
		  "twice" },
	};
	struct ncp_snap s;
	char why[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if (parse(cases[i].b, strlen(cases[i].b), &s, why) != -EINVAL ||
		    strstr(why, cases[i].why) == NULL)
			fail_msg("case %zu: %s: got \"%s\"", i, cases[i].b,
			    why);
		assert_int_equal(s.n, 0);
	}
	/* a node name the tree refuses */
	assert_int_equal(ncp_bundle_parse(good, sizeof(good) - 1, "../x", &s,
	    why, sizeof(why)), -EINVAL);
}

/* The bounds: size and entries. */
static void
test_parse_bounds(void **state)
{
	struct nc_buf b = { 0 };
	struct ncp_snap s;
	char why[200];
	size_t i;

	(void)state;
	nc_buf_puts(&b, "ncbundle 1 1\n");
	for (i = 0; i <= NCP_BUNDLE_ENTRIES; i++)
		nc_buf_printf(&b, "F 0 nodes/a/f%zu\n\n", i);
	nc_buf_puts(&b, "end\n");
	assert_int_equal(parse(b.p, b.len, &s, why), -EINVAL);
	assert_non_null(strstr(why, "entries"));
	assert_int_equal(parse(b.p, (size_t)NCP_BUNDLE_MAX + 1, &s, why),
	    -EINVAL);
	assert_non_null(strstr(why, "more than"));
	nc_buf_free(&b);
}

/* ---- the source over a fake ---- */

/* The fake source: the bundle, live files, and what reached it. */
struct fake {
	const char *bundle;	/* served at nodes/a/bundle, or NULL */
	int reads;		/* reads that reached it */
	int lists, dirs;	/* lists and is_dir calls that did */
	char written[64];	/* the last path written */
	int fetch_rc;		/* what fetch returns */
	int tree;		/* fetch serves a small subtree (no bundle) */
	int fetched;		/* entries fetch was asked for */
	int keys_asked;		/* ... of them under nodes/a/keys */
};

/* The subtree the fake serves to fetch when tree is set: path, dir,
 * contents (a directory's names NUL-ended, as p9_fetch gives them). */
static const struct {
	const char *path;
	int dir;
	const char *data;
	size_t len;
} subtree[] = {
	{ "nodes/a", 1, "hosts\0keys/\0ifaces/\0", 20 },
	{ "nodes/a/hosts", 0, "1.2.3.4 a\n", 10 },
	{ "nodes/a/ifaces", 1, "eth1/\0", 6 },
	{ "nodes/a/ifaces/eth1", 1, "ip\0", 3 },
	{ "nodes/a/ifaces/eth1/ip", 0, "10.0.0.1\n", 9 },
	{ "nodes/a/keys", 1, "carol\0", 6 },
};

static int
f_read(void *impl, const char *path, struct nc_buf *out)
{
	struct fake *f = impl;

	f->reads++;
	if (strcmp(path, "nodes/a/broken") == 0)
		return -EIO;
	if (strcmp(path, "nodes/a/status") == 0) {
		nc_buf_puts(out, "live status\n");
		return 0;
	}
	if (strcmp(path, "experiment/name") == 0) {
		nc_buf_puts(out, "exp\n");
		return 0;
	}
	return -ENOENT;
}

static int
f_list(void *impl, const char *path, char ***names, size_t *n)
{
	struct fake *f = impl;

	(void)path;
	f->lists++;
	*names = NULL;
	*n = 0;
	return -ENOENT;
}

static int
f_is_dir(void *impl, const char *path)
{
	struct fake *f = impl;

	f->dirs++;
	return strcmp(path, "experiment") == 0 ? 1 : -ENOENT;
}

static int
f_write(void *impl, const char *path, const char *data, size_t len)
{
	struct fake *f = impl;

	(void)data;
	(void)len;
	snprintf(f->written, sizeof(f->written), "%s", path);
	return 0;
}

static unsigned long long
f_requests(void *impl)
{
	struct fake *f = impl;

	return (unsigned long long)(f->reads + f->lists + f->dirs);
}

static int
f_fetch(void *impl, struct ncp_fetch *v, size_t n, size_t max)
{
	struct fake *f = impl;
	size_t i;

	(void)max;
	if (f->fetch_rc < 0)
		return f->fetch_rc;
	for (i = 0; i < n; i++) {
		v[i].data = NULL;
		v[i].len = 0;
		v[i].rc = -ENOENT;
		f->fetched++;
		if (strncmp(v[i].path, "nodes/a/keys", 12) == 0)
			f->keys_asked++;
		for (size_t k = 0; f->tree && k < sizeof(subtree) /
		    sizeof(subtree[0]); k++)
			if (strcmp(v[i].path, subtree[k].path) == 0 &&
			    v[i].dir == subtree[k].dir) {
				v[i].data = nc_malloc(subtree[k].len + 1);
				memcpy(v[i].data, subtree[k].data,
				    subtree[k].len + 1);
				v[i].len = subtree[k].len;
				v[i].rc = 0;
			}
		if (!v[i].dir && strcmp(v[i].path, "nodes/a/bundle") == 0 &&
		    f->bundle != NULL) {
			v[i].data = nc_strdup(f->bundle);
			v[i].len = strlen(f->bundle);
			v[i].rc = 0;
		}
	}
	return 0;
}

static void
f_close(void *impl)
{
	(void)impl;
}

static int
f_lost(void *impl)
{
	struct fake *f = impl;

	return f->fetch_rc == -ECONNRESET;
}

static const struct ncp_source_ops fake_ops = {
	.read = f_read, .list = f_list, .is_dir = f_is_dir,
	.write = f_write, .requests = f_requests, .lost = f_lost,
	.fetch = f_fetch, .close = f_close,
};

static void
fake_source(struct ncp_source *s, struct fake *f)
{
	memset(s, 0, sizeof(*s));
	s->ops = &fake_ops;
	s->impl = f;
	snprintf(s->desc, sizeof(s->desc), "fake");
}

/* read into a string: the result, and the bytes in *out */
static int
rd(struct ncp_source *s, const char *path, struct nc_buf *out)
{
	nc_buf_reset(out);
	return s->ops->read(s->impl, path, out);
}

static void
test_source(void **state)
{
	struct fake f = { .bundle = good };
	struct ncp_source s;
	struct nc_buf b = { 0 };
	char why[200], **names;
	size_t n;

	(void)state;
	fake_source(&s, &f);
	assert_int_equal(ncp_source_snapshot(&s, "a", NCP_FETCH_BUNDLE, why,
	    sizeof(why)), 0);
	assert_ptr_not_equal(s.ops, &fake_ops);
	assert_non_null(strstr(s.desc, "bundle"));
	/* from memory: nothing reaches the fake */
	assert_int_equal(rd(&s, "nodes/a/hosts", &b), 0);
	assert_string_equal(nc_buf_str(&b), "1.2.3.4\thost");
	assert_int_equal(rd(&s, "nodes/a/ifaces/eth1/ip", &b), 0);
	assert_string_equal(nc_buf_str(&b), "10.0.0.1\n");
	assert_int_equal(rd(&s, "nodes/a/nothere", &b), -ENOENT);
	assert_int_equal(rd(&s, "nodes/a/ifaces/eth9", &b), -ENOENT);
	assert_int_equal(rd(&s, "nodes/a/ifaces", &b), -EISDIR);
	assert_int_equal(s.ops->is_dir(s.impl, "nodes/a/ifaces"), 1);
	assert_int_equal(s.ops->is_dir(s.impl, "nodes/a/hosts"), 0);
	assert_int_equal(s.ops->is_dir(s.impl, "nodes/a/zzz"), -ENOENT);
	assert_int_equal(s.ops->list(s.impl, "nodes/a", &names, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "hosts");
	assert_string_equal(names[1], "ifaces");
	assert_string_equal(names[3], "broken");
	ncp_names_free(names, n);
	assert_int_equal(s.ops->list(s.impl, "nodes/a/hosts", &names, &n),
	    -ENOTDIR);
	assert_int_equal(f.reads + f.lists + f.dirs, 0);
	/* listed without contents: the fake says why */
	assert_int_equal(rd(&s, "nodes/a/broken", &b), -EIO);
	assert_int_equal(f.reads, 1);
	/* outside the node */
	assert_int_equal(rd(&s, "experiment/name", &b), 0);
	assert_string_equal(nc_buf_str(&b), "exp\n");
	assert_int_equal(s.ops->is_dir(s.impl, "experiment"), 1);
	assert_int_equal(f.reads, 2);
	/* written: read live from then on */
	assert_int_equal(rd(&s, "nodes/a/status", &b), 0);
	assert_string_equal(nc_buf_str(&b), "ready 1\n");
	assert_int_equal(s.ops->write(s.impl, "nodes/a/status", "x", 1), 0);
	assert_string_equal(f.written, "nodes/a/status");
	assert_int_equal(rd(&s, "nodes/a/status", &b), 0);
	assert_string_equal(nc_buf_str(&b), "live status\n");
	assert_int_equal(f.reads, 3);
	assert_int_equal(s.ops->requests(s.impl), 4);	/* and is_dir */
	ncp_source_close(&s);
	nc_buf_free(&b);
}

/* No bundle, a broken one, a lost connection, --fetch each. */
static void
test_source_fallbacks(void **state)
{
	struct fake f = { .bundle = NULL };
	struct ncp_source s;
	char why[200];

	(void)state;
	/* no bundle, and the fallback finds no node: unwrapped */
	fake_source(&s, &f);
	assert_int_equal(ncp_source_snapshot(&s, "a", NCP_FETCH_BUNDLE, why,
	    sizeof(why)), 0);
	assert_ptr_equal(s.ops, &fake_ops);
	/* a broken bundle: said, unwrapped */
	f.bundle = "ncbundle 1 1\nF 1 nodes/b/x\nx\nend\n";
	assert_int_equal(ncp_source_snapshot(&s, "a", NCP_FETCH_BUNDLE, why,
	    sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "nodes/a/bundle: "));
	assert_non_null(strstr(why, "not a path in nodes/a"));
	assert_ptr_equal(s.ops, &fake_ops);
	/* each: not even asked */
	f.bundle = good;
	assert_int_equal(ncp_source_snapshot(&s, "a", NCP_FETCH_EACH, why,
	    sizeof(why)), 0);
	assert_ptr_equal(s.ops, &fake_ops);
	/* the connection lost */
	f.fetch_rc = -ECONNRESET;
	assert_int_equal(ncp_source_snapshot(&s, "a", NCP_FETCH_BUNDLE, why,
	    sizeof(why)), -ECONNRESET);
	assert_ptr_equal(s.ops, &fake_ops);
}

/* No bundle: the subtree gathered level by level, keys/ listed only. */
static void
test_source_gathered(void **state)
{
	struct fake f = { .tree = 1 };
	struct ncp_source s;
	struct nc_buf b = { 0 };
	char why[200], **names;
	size_t n;

	(void)state;
	fake_source(&s, &f);
	assert_int_equal(ncp_source_snapshot(&s, "a", NCP_FETCH_BUNDLE, why,
	    sizeof(why)), 0);
	assert_non_null(strstr(s.desc, "pipelined"));
	/* the bundle, then the levels: node; hosts ifaces; eth1; ip */
	assert_int_equal(f.fetched, 1 + 1 + 2 + 1 + 1);
	assert_int_equal(f.keys_asked, 0);
	assert_int_equal(rd(&s, "nodes/a/ifaces/eth1/ip", &b), 0);
	assert_string_equal(nc_buf_str(&b), "10.0.0.1\n");
	assert_int_equal(rd(&s, "nodes/a/hosts", &b), 0);
	assert_int_equal(s.ops->list(s.impl, "nodes/a", &names, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[1], "keys");
	ncp_names_free(names, n);
	assert_int_equal(s.ops->is_dir(s.impl, "nodes/a/keys"), 1);
	assert_int_equal(f.reads + f.lists + f.dirs, 0);
	/* keys/ is read from the server */
	assert_int_equal(s.ops->list(s.impl, "nodes/a/keys", &names, &n),
	    -ENOENT);
	assert_int_equal(f.lists, 1);
	assert_int_equal(rd(&s, "nodes/a/nothere", &b), -ENOENT);
	assert_int_equal(f.reads, 0);
	ncp_source_close(&s);
	nc_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_source_fallbacks),
		cmocka_unit_test(test_source_gathered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
