/*
 * logins_parse.c: the text formats of the logins step (logins.h): the
 * tree's sshkeys lines, the step's state file, sshd's pidfile, and the
 * Include lines of sshd_config.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "logins.h"
#include "util.h"
#include "valid.h"

const char *const ncp_hostkey_types[NCP_HOSTKEY_TYPES] = {
	"ed25519",
};

/* The keywords the drop-in sets, single-valued in sshd (first wins);
 * ChallengeResponseAuthentication is the old name of
 * KbdInteractiveAuthentication. */
static const char *const our_keywords[] = {
	"AuthorizedKeysFile", "PasswordAuthentication",
	"KbdInteractiveAuthentication", "ChallengeResponseAuthentication",
	"PidFile",
};

/* The next line at *s before end, without its '\n'; NULL at the end. */
static const char *
next_line(const char **s, const char *end, size_t *len)
{
	const char *l = *s, *nl;

	if (l >= end)
		return NULL;
	nl = memchr(l, '\n', (size_t)(end - l));
	if (nl == NULL)
		nl = end;
	*len = (size_t)(nl - l);
	*s = nl + 1;
	return l;
}

static char *
dupn(const char *s, size_t n)
{
	char *d = nc_malloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ---- sshkeys ---- */

/* An authorized_keys line: no control character but tab. */
static int
key_ok(const char *s, size_t len)
{
	size_t i;
	int blank = 1;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
		if (c != ' ' && c != '\t')
			blank = 0;
	}
	return !blank;
}

size_t
ncp_login_keys_parse(const char *s, size_t len, struct ncp_login_set *set,
    struct nc_buf *warn)
{
	const char *end = s + len, *l, *sp;
	size_t n, ulen, lineno = 0, skipped = 0;
	struct ncp_login_keys *k;
	const char *why;
	char *user;
	long at;

	while ((l = next_line(&s, end, &n)) != NULL) {
		lineno++;
		if (n == 0)
			continue;
		sp = memchr(l, ' ', n);
		ulen = sp != NULL ? (size_t)(sp - l) : n;
		user = dupn(l, ulen);
		why = strlen(user) != ulen ? "holds a NUL" : NULL;
		if (why != NULL || nc_valid_login(user, &why) < 0)
			nc_buf_printf(warn, "sshkeys line %zu: the user %s;"
			    " skipped\n", lineno, why);
		else if (sp == NULL || !key_ok(sp + 1, (size_t)(l + n -
		    sp - 1)))
			nc_buf_printf(warn, "sshkeys line %zu: %s's key is"
			    " empty or holds a control character; skipped\n",
			    lineno, user);
		else {
			if ((at = nc_strmap_get(&set->idx, user)) < 0) {
				at = (long)set->n;
				nc_strmap_put(&set->idx, user, at);
				k = NC_PUSH(set->v, set->n, set->cap);
				memset(k, 0, sizeof(*k));
				k->user = user;
				user = NULL;
			}
			k = &set->v[at];
			nc_buf_add(&k->keys, sp + 1, (size_t)(l + n - sp - 1));
			nc_buf_puts(&k->keys, "\n");
			free(user);
			continue;
		}
		skipped++;
		free(user);
	}
	return skipped;
}

void
ncp_login_set_free(struct ncp_login_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->v[i].user);
		nc_buf_free(&set->v[i].keys);
	}
	free(set->v);
	nc_strmap_free(&set->idx);
	memset(set, 0, sizeof(*set));
}

/* ---- the state file ---- */

/* 1..16 lowercase hex digits into *v. */
static int
hex64(const char *s, unsigned long long *v)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 16)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			*v = *v << 4 | (unsigned)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			*v = *v << 4 | (unsigned)(s[i] - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

void
ncp_logins_state_parse(const char *s, size_t len, struct ncp_logins_state *st)
{
	const char *end = s + len, *l;
	unsigned long long v;
	char *line, *sp;
	size_t n;
	int t;

	while ((l = next_line(&s, end, &n)) != NULL) {
		line = dupn(l, n);
		if (strlen(line) != n) {
			free(line);
			continue;
		}
		if (strncmp(line, "node ", 5) == 0 &&
		    nc_valid_label(line + 5, NULL) == 0) {
			free(st->node);
			st->node = nc_strdup(line + 5);
		} else if (strcmp(line, "nosshd") == 0) {
			st->nosshd = 1;
		} else if (strncmp(line, "hostkey ", 8) == 0 &&
		    (sp = strchr(line + 8, ' ')) != NULL) {
			*sp = '\0';
			for (t = 0; t < NCP_HOSTKEY_TYPES; t++)
				if (strcmp(line + 8, ncp_hostkey_types[t]) ==
				    0 && hex64(sp + 1, &v) == 0) {
					st->hostkey[t] = v;
					st->has_hostkey[t] = 1;
				}
		}
		free(line);
	}
}

void
ncp_logins_state_text(const struct ncp_logins_state *st, struct nc_buf *out)
{
	int t;

	nc_buf_reset(out);
	if (st->node != NULL)
		nc_buf_printf(out, "node %s\n", st->node);
	for (t = 0; t < NCP_HOSTKEY_TYPES; t++)
		if (st->has_hostkey[t])
			nc_buf_printf(out, "hostkey %s %016llx\n",
			    ncp_hostkey_types[t], st->hostkey[t]);
	if (st->nosshd)
		nc_buf_puts(out, "nosshd\n");
}

void
ncp_logins_state_free(struct ncp_logins_state *st)
{
	free(st->node);
	memset(st, 0, sizeof(*st));
}

/* ---- sshd's pidfile ---- */

int
ncp_sshd_pid_parse(const char *s, size_t len, pid_t *pid)
{
	unsigned long v = 0;
	size_t i;

	if (len > 0 && s[len - 1] == '\n')
		len--;
	if (len == 0 || len > 10 || s[0] == '0')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 2 || v > INT_MAX)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

/* ---- sshd_config ---- */

/*
 * Split an sshd_config line into words as sshd does for these lines:
 * blanks separate, the keyword may end in '=', "double quotes" group.
 * Returns the number of words put in w (at most max); line is changed.
 */
static size_t
words(char *line, char **w, size_t max)
{
	size_t n = 0;
	char *s = line;

	while (n < max) {
		while (*s == ' ' || *s == '\t' || (n == 1 && *s == '='))
			s++;
		if (*s == '\0' || *s == '#')
			break;
		if (*s == '"') {
			w[n++] = ++s;
			while (*s != '\0' && *s != '"')
				s++;
		} else {
			w[n++] = s;
			while (*s != '\0' && *s != ' ' && *s != '\t' &&
			    !(n == 1 && *s == '='))
				s++;
		}
		if (*s == '\0')
			break;
		*s++ = '\0';
	}
	return n;
}

enum ncp_sshd_include
ncp_sshd_config_includes(const char *s, size_t len, const char *dropin,
    const char **keyword)
{
	const char *end = s + len, *l;
	char *line, *w[64], *pat;
	size_t n, nw, i, k;
	enum ncp_sshd_include r = NCP_SSHD_NO_INCLUDE;
	int done = 0;

	while (!done && (l = next_line(&s, end, &n)) != NULL) {
		line = dupn(l, n);
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		nw = words(line, w, sizeof(w) / sizeof(w[0]));
		if (nw == 0) {
			free(line);
			continue;
		}
		if (strcasecmp(w[0], "Match") == 0) {
			/* What follows is conditional: not read for
			 * every connection. */
			done = 1;
		} else if (strcasecmp(w[0], "Include") == 0) {
			for (i = 1; i < nw && r != NCP_SSHD_INCLUDED; i++) {
				pat = w[i][0] == '/' ? nc_strdup(w[i]) :
				    nc_asprintf("/etc/ssh/%s", w[i]);
				if (fnmatch(pat, dropin, FNM_PATHNAME) == 0)
					r = NCP_SSHD_INCLUDED;
				free(pat);
			}
			done = r == NCP_SSHD_INCLUDED;
		} else {
			for (k = 0; k < sizeof(our_keywords) /
			    sizeof(our_keywords[0]); k++)
				if (strcasecmp(w[0], our_keywords[k]) == 0) {
					if (keyword != NULL)
						*keyword = our_keywords[k];
					r = NCP_SSHD_OVERRIDDEN;
					done = 1;
					break;
				}
		}
		free(line);
	}
	return r;
}
