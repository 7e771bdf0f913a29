/*
 * tmcc_util.c: line reading, field splitting, validation and the merge of a
 * staged account import into an experiment (see tmcc_int.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmcc_int.h"
#include "util.h"
#include "valid.h"

int
nc_lines_open(struct nc_lines *l, const char *path, struct nc_diag *d)
{
	memset(l, 0, sizeof(*l));
	l->f = fopen(path, "r");
	if (l->f == NULL)
		return nc_diag_error(d, 0, "%s", strerror(errno));
	return 0;
}

int
nc_lines_next(struct nc_lines *l, char **s, struct nc_diag *d)
{
	ssize_t n;
	size_t i;

	errno = 0;
	n = getline(&l->buf, &l->cap, l->f);
	if (n < 0) {
		if (ferror(l->f))
			return nc_diag_error(d, l->line + 1, "%s",
			    strerror(errno ? errno : EIO));
		return 0;
	}
	l->line++;
	if (memchr(l->buf, '\0', (size_t)n) != NULL)
		return nc_diag_error(d, l->line, "line holds a NUL byte");
	if (n > 0 && l->buf[n - 1] == '\n')
		l->buf[--n] = '\0';
	if (n > 0 && l->buf[n - 1] == '\r')
		l->buf[--n] = '\0';
	/* no escape sequence reaches a message or a rendered file */
	for (i = 0; i < (size_t)n; i++) {
		unsigned char c = (unsigned char)l->buf[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return nc_diag_error(d, l->line, "line holds a control "
			    "character (0x%02x)", c);
	}
	*s = l->buf;
	return 1;
}

void
nc_lines_close(struct nc_lines *l)
{
	if (l->f != NULL)
		fclose(l->f);
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

void
nc_tmcc_first(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	while (blank(*s))
		s++;
	while (*s && !blank(*s) && *s != '=' && n + 1 < len)
		buf[n++] = *s++;
	buf[n] = '\0';
}

static int
key_valid(const char *k)
{
	if (*k == '\0')
		return 0;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_')
			return 0;
	return 1;
}

int
nc_tmcc_split(char *s, struct nc_tmcc_line *tl, char *why, size_t len)
{
	char *p = s, *q, *key, *val;
	int i;

	memset(tl, 0, sizeof(*tl));
	while (blank(*p))
		p++;
	for (q = p; *q && !blank(*q) && *q != '='; q++)
		;
	if (q != p && *q != '=') {
		tl->keyword = p;
		if (*q)
			*q++ = '\0';
		p = q;
	}
	for (;;) {
		while (blank(*p))
			p++;
		if (*p == '\0')
			break;
		key = p;
		while (*p && *p != '=' && !blank(*p))
			p++;
		if (*p != '=') {
			snprintf(why, len,
			    "unexpected word \"%.*s\" (expected KEY=value)",
			    (int)(p - key > 40 ? 40 : p - key), key);
			return -1;
		}
		*p++ = '\0';
		if (!key_valid(key)) {
			snprintf(why, len, "bad field name \"%.40s\"", key);
			return -1;
		}
		if (*p == '"' || *p == '\'') {
			char quote = *p++;

			val = p;
			while (*p && *p != quote)
				p++;
			if (*p == '\0') {
				snprintf(why, len, "unterminated quote in %s",
				    key);
				return -1;
			}
			*p++ = '\0';
			if (*p && !blank(*p)) {
				snprintf(why, len,
				    "%s: text after the closing quote", key);
				return -1;
			}
		} else {
			val = p;
			while (*p && !blank(*p))
				p++;
			if (*p)
				*p++ = '\0';
		}
		for (i = 0; i < tl->nf; i++)
			if (strcmp(tl->f[i].key, key) == 0) {
				snprintf(why, len, "%s given twice", key);
				return -1;
			}
		if (tl->nf == NC_TMCC_MAXFIELDS) {
			snprintf(why, len, "more than %d fields",
			    NC_TMCC_MAXFIELDS);
			return -1;
		}
		tl->f[tl->nf].key = key;
		tl->f[tl->nf].val = val;
		tl->nf++;
	}
	return 0;
}

const char *
nc_tmcc_get(const struct nc_tmcc_line *tl, const char *key)
{
	int i;

	for (i = 0; i < tl->nf; i++)
		if (strcmp(tl->f[i].key, key) == 0)
			return tl->f[i].val;
	return NULL;
}

int
nc_tmcc_num(const char *s, long *v)
{
	size_t i, n = strlen(s);
	unsigned long long x = 0;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		if (x <= (unsigned long long)NC_ID_MAX)
			x = x * 10 + (unsigned long long)(s[i] - '0');
	}
	if (x > (unsigned long long)NC_ID_MAX)
		return -2;
	*v = (long)x;
	return 0;
}

int
nc_text_valid(const char *s, const char *reject)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			return 0;
		if (reject != NULL && strchr(reject, c) != NULL)
			return 0;
	}
	return 1;
}

void
nc_strv_add(char ***v, size_t *n, size_t *cap, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return;
	*NC_PUSH(*v, *n, *cap) = nc_strdup(s);
}

/* Replace *dst by *src when *src is set; *src is taken. */
static void
take_str(char **dst, char **src)
{
	if (*src == NULL)
		return;
	free(*dst);
	*dst = *src;
	*src = NULL;
}

static void
free_mount(struct nc_mount *m)
{
	free(m->server);
	free(m->source);
	free(m->target);
	free(m->fstype);
	free(m->options);
}

static void
free_hostname(struct nc_hostname *h)
{
	free(h->name);
	free(h->aliases);
}

static void
free_piface(struct nc_piface *p)
{
	free(p->pnode);
	free(p->name);
	free(p->speed);
	free(p->duplex);
	free(p->lan);
}

void
nc_stage_mount(struct nc_exp *e, struct nc_mount *m)
{
	size_t i;
	struct nc_mount *slot = NULL;

	for (i = 0; i < e->nmounts && slot == NULL; i++)
		if (strcmp(e->mounts[i].target, m->target) == 0)
			slot = &e->mounts[i];
	if (slot != NULL)
		free_mount(slot);
	else
		slot = NC_PUSH(e->mounts, e->nmounts, e->capmounts);
	*slot = *m;
	memset(m, 0, sizeof(*m));
}

void
nc_stage_hostname(struct nc_exp *e, struct nc_hostname *h)
{
	size_t i;
	struct nc_hostname *slot = NULL;

	for (i = 0; i < e->nhostnames && slot == NULL; i++)
		if (strcmp(e->hostnames[i].name, h->name) == 0)
			slot = &e->hostnames[i];
	if (slot != NULL)
		free_hostname(slot);
	else
		slot = NC_PUSH(e->hostnames, e->nhostnames, e->caphostnames);
	*slot = *h;
	memset(h, 0, sizeof(*h));
}

void
nc_stage_piface(struct nc_exp *e, struct nc_piface *p)
{
	size_t i;
	struct nc_piface *slot = NULL;

	for (i = 0; i < e->npifaces && slot == NULL; i++)
		if (strcmp(e->pifaces[i].pnode, p->pnode) == 0 &&
		    strcmp(e->pifaces[i].name, p->name) == 0)
			slot = &e->pifaces[i];
	if (slot != NULL)
		free_piface(slot);
	else
		slot = NC_PUSH(e->pifaces, e->npifaces, e->cappifaces);
	*slot = *p;
	memset(p, 0, sizeof(*p));
}

static void
merge_user(struct nc_user *u, struct nc_user *s, int flags)
{
	size_t i;

	if (s->uid >= 0) {
		u->uid = s->uid;
		u->gid = s->gid;
		take_str(&u->password, &s->password);
		take_str(&u->fullname, &s->fullname);
		take_str(&u->home, &s->home);
		take_str(&u->shell, &s->shell);
		take_str(&u->email, &s->email);
		if (flags & NC_MERGE_ROOT)
			u->root = s->root;
		if (flags & NC_MERGE_GROUPS) {
			for (i = 0; i < u->ngroups; i++)
				free(u->groups[i]);
			u->ngroups = 0;
		}
	}
	for (i = 0; i < s->ngroups; i++)
		nc_strv_add(&u->groups, &u->ngroups, &u->capgroups,
		    s->groups[i]);
	for (i = 0; i < s->nkeys; i++)
		nc_strv_add(&u->keys, &u->nkeys, &u->capkeys, s->keys[i]);
}

void
nc_tmcc_merge(struct nc_exp *e, struct nc_exp *src, int flags)
{
	size_t i, j;

	/* indices first: adding a record may move the array */
	for (i = 0; i < src->ngroups; i++) {
		j = nc_exp_group(e, src->groups[i].name);
		e->groups[j].gid = src->groups[i].gid;
	}
	for (i = 0; i < src->nusers; i++) {
		j = nc_exp_user(e, src->users[i].name);
		merge_user(&e->users[j], &src->users[i], flags);
	}
	for (i = 0; i < src->nmounts; i++)
		nc_stage_mount(e, &src->mounts[i]);
	src->nmounts = 0;
	for (i = 0; i < src->nhostnames; i++)
		nc_stage_hostname(e, &src->hostnames[i]);
	src->nhostnames = 0;
	for (i = 0; i < src->npifaces; i++)
		nc_stage_piface(e, &src->pifaces[i]);
	src->npifaces = 0;
	nc_exp_free(src);
}
