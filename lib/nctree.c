/*
 * nctree.c: the rows of the tree's contract (nctree.h) as a table, the
 * lookups ncfs builds its directories from, the path builder ncprov and
 * neoc use, the status words and the startstatus line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nctree.h"

const struct nct_entry nct_entries[NCT_NENTRIES] = {
#define NCT_ROW_(id, parent, name, child, mode, who, secret, meaning)	\
	[NCT_##id] = { NCT_D_##parent, name, child, mode, who, secret,	\
	    meaning },
	NCT_TREE(NCT_ROW_)
#undef NCT_ROW_
};

const char *const nct_states[NCT_NSTATES] = {
	[NCT_PENDING] = NCT_WORD_PENDING, [NCT_BOOTING] = NCT_WORD_BOOTING,
	[NCT_PROVISIONING] = NCT_WORD_PROVISIONING,
	[NCT_READY] = NCT_WORD_READY, [NCT_FAILED] = NCT_WORD_FAILED,
};

int
nct_keyed(enum nct_id e)
{
	return nct_entries[e].name[0] == '<';
}

int
nct_is_dir(enum nct_id e)
{
	return nct_entries[e].child != NCT_FILE;
}

size_t
nct_dir_entries(enum nct_dir t, enum nct_id *first)
{
	size_t i, n = 0;

	*first = NCT_NENTRIES;
	for (i = 0; i < NCT_NENTRIES; i++)
		if (nct_entries[i].parent == t) {
			if (n++ == 0)
				*first = (enum nct_id)i;
		} else if (n > 0) {
			break;		/* the rows of a type are together */
		}
	return n;
}

int
nct_find(enum nct_dir t, const char *name)
{
	enum nct_id e;
	size_t n = nct_dir_entries(t, &e);

	for (; n > 0; n--, e++)
		if (!nct_keyed(e) && strcmp(nct_entries[e].name, name) == 0)
			return (int)e;
	return -1;
}

int
nct_keyed_entry(enum nct_dir t)
{
	enum nct_id e;
	size_t n = nct_dir_entries(t, &e);

	for (; n > 0; n--, e++)
		if (nct_keyed(e))
			return (int)e;
	return -1;
}

int
nct_has_files(enum nct_dir t)
{
	enum nct_id e;
	size_t n = nct_dir_entries(t, &e);

	for (; n > 0; n--, e++)
		if (!nct_keyed(e) && !nct_is_dir(e))
			return 1;
	return 0;
}

int
nct_dir_entry(enum nct_dir t)
{
	size_t i;

	if ((unsigned)t >= NCT_D_MAX)
		return -1;
	for (i = 0; i < NCT_NENTRIES; i++)
		if (nct_entries[i].child == t)
			return (int)i;
	return -1;
}

/* 0 when s is fit to be one component (or, for an image, several). */
static int
key_ok(const char *s, int slashes)
{
	const char *c = s, *p;
	size_t n;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f ||
		    (*p == '/' && !slashes))
			return -EINVAL;
	/* every component: not empty, not "." or ".." */
	for (;;) {
		p = strchr(c, '/');
		n = p != NULL ? (size_t)(p - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
		if (p == NULL)
			return 0;
		c = p + 1;
	}
}

/*
 * The components from the root down to entry e (at most 8: the tree is
 * five deep) into comp; keyed ones taken from keys in order.  The count,
 * or -EINVAL.
 */
static int
components(enum nct_id e, const char *k0, const char *k1,
    const char *comp[8])
{
	enum nct_id chain[8];
	const char *keys[2] = { k0, k1 };
	int n = 0, i, nkeys = 0, rc;
	int up = (int)e;

	while (up >= 0 && n < 8) {
		chain[n++] = (enum nct_id)up;
		up = nct_dir_entry(nct_entries[up].parent);
	}
	if (up >= 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		enum nct_id c = chain[n - 1 - i];

		if (!nct_keyed(c)) {
			comp[i] = nct_entries[c].name;
			continue;
		}
		if (nkeys >= 2)
			return -EINVAL;
		if ((rc = key_ok(keys[nkeys],
		    nct_entries[c].parent == NCT_D_IMAGES)) < 0)
			return rc;
		comp[i] = keys[nkeys++];
	}
	return n;
}

/* Join n components with '/' into buf: the length or -ENAMETOOLONG. */
static int
join(char *buf, size_t size, const char *const *comp, int n)
{
	size_t len = 0, l;
	int i;

	if (size == 0)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		l = strlen(comp[i]);
		if (len + (i > 0) + l + 1 > size) {
			buf[0] = '\0';
			return -ENAMETOOLONG;
		}
		if (i > 0)
			buf[len++] = '/';
		memcpy(buf + len, comp[i], l);
		len += l;
		buf[len] = '\0';
	}
	return (int)len;
}

int
nct_path(char *buf, size_t size, enum nct_id e, const char *k0,
    const char *k1)
{
	const char *comp[8];
	int n;

	if ((unsigned)e >= NCT_NENTRIES) {
		if (size > 0)
			buf[0] = '\0';
		return -EINVAL;
	}
	if ((n = components(e, k0, k1, comp)) < 0) {
		if (size > 0)
			buf[0] = '\0';
		return n;
	}
	return join(buf, size, comp, n);
}

int
nct_dir_path(char *buf, size_t size, enum nct_dir t, const char *k0,
    const char *k1)
{
	int e;

	if (t == NCT_D_ROOT)
		return join(buf, size, NULL, 0);
	if ((e = nct_dir_entry(t)) < 0) {
		if (size > 0)
			buf[0] = '\0';
		return -EINVAL;
	}
	return nct_path(buf, size, (enum nct_id)e, k0, k1);
}

int
nct_state_find(const char *w, size_t n)
{
	int i;

	for (i = 0; i < NCT_NSTATES; i++)
		if (strlen(nct_states[i]) == n &&
		    strncmp(w, nct_states[i], n) == 0)
			return i;
	return -1;
}

int
nct_step_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > NCT_STEP_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

const char *const nct_starts[NCT_NSTARTS] = {
	[NCT_START_RUN] = NCT_START_RUNNING,
	[NCT_START_EXIT] = NCT_START_EXITED,
	[NCT_START_KILL] = NCT_START_KILLED,
};

/* The next word of s[*i..n) (blanks skipped): its start and length. */
static size_t
next_word(const char *s, size_t n, size_t *i, const char **w)
{
	size_t k;

	while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
	*w = s + *i;
	for (k = *i; k < n && s[k] != ' ' && s[k] != '\t'; k++)
		;
	k -= *i;
	*i += k;
	return k;
}

/* The decimal number of the n bytes at w, at most max: it or -1. */
static long long
number(const char *w, size_t n, long long max)
{
	long long v = 0;
	size_t i;

	if (n == 0 || (n > 1 && w[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return -1;
		v = v * 10 + (w[i] - '0');
		if (v > max)
			return -1;
	}
	return v;
}

int
nct_start_parse(const char *s, size_t n, struct nct_startstatus *out,
    const char **reason)
{
	const char *w;
	size_t i = 0, len;
	long long v;
	int k;

	out->state = NCT_START_RUN;
	out->code = 0;
	out->time = 0;
	len = next_word(s, n, &i, &w);
	for (k = 0; k < NCT_NSTARTS; k++)
		if (strlen(nct_starts[k]) == len &&
		    strncmp(w, nct_starts[k], len) == 0)
			break;
	if (k == NCT_NSTARTS) {
		*reason = "does not start with running, exited or killed";
		return -1;
	}
	out->state = (enum nct_start)k;
	if (k != NCT_START_RUN) {
		len = next_word(s, n, &i, &w);
		v = number(w, len, k == NCT_START_EXIT ? 255 : 64);
		if (v < 0 || (k == NCT_START_KILL && v == 0)) {
			*reason = k == NCT_START_EXIT ? "has no exit status "
			    "(0-255) after exited" : "has no signal number "
			    "(1-64) after killed";
			return -1;
		}
		out->code = (int)v;
	}
	len = next_word(s, n, &i, &w);
	if ((v = number(w, len, NCT_TIME_MAX)) < 0) {
		*reason = "has no time (seconds since the epoch, at most 2^40)";
		return -1;
	}
	out->time = v;
	len = next_word(s, n, &i, &w);
	if (len > 0) {
		*reason = "has more words than WORD [N] TIME";
		return -1;
	}
	return 0;
}

int
nct_start_format(char *buf, size_t size, const struct nct_startstatus *st)
{
	int n;

	if ((unsigned)st->state >= NCT_NSTARTS || st->time < 0 ||
	    st->time > NCT_TIME_MAX)
		return -1;
	if (st->state == NCT_START_RUN)
		n = snprintf(buf, size, "%s %lld", nct_starts[st->state],
		    st->time);
	else
		n = snprintf(buf, size, "%s %d %lld", nct_starts[st->state],
		    st->code, st->time);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

enum nct_scope
nct_change_scope(enum nct_id e)
{
	if ((unsigned)e >= NCT_NENTRIES)
		return NCT_SCOPE_ALL;
	switch (e) {
	case NCT_NODE_STATUS:		/* what nodes say of themselves */
	case NCT_NODE_STARTSTATUS:
	case NCT_NODE_CONTROL:		/* the pnode's; in no file a node
					 * reads */
		return NCT_SCOPE_NONE;
	case NCT_NODE_ROLE:		/* pnodes' containers lists */
	case NCT_NODE_HOST:
	case NCT_IFACE_IP:		/* every node's hosts file */
		return NCT_SCOPE_ALL;
	default:
		break;
	}
	switch (nct_entries[e].parent) {
	case NCT_D_NODE:
	case NCT_D_NODE_IMAGE:
	case NCT_D_IFACES:
	case NCT_D_IFACE:
	case NCT_D_ATTRS:
	case NCT_D_KEYS:
	case NCT_D_ACCOUNTS:
	case NCT_D_ACCOUNT:
		return NCT_SCOPE_NODE;
	case NCT_D_LANS:
	case NCT_D_LAN:
		return NCT_SCOPE_LAN;
	default:			/* users, groups, images, experiment */
		return NCT_SCOPE_ALL;
	}
}
