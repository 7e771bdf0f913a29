/*
 * pwfile.c: colon files as lines looked up by name (pwfile.h).  A parse
 * keeps every line's exact bytes; a name maps to its first live line (an
 * nc_strmap), so lookups and edits are O(1) and thousands of users merge
 * in linear time.
 */
#include <stdlib.h>
#include <string.h>

#include "pwfile.h"
#include "util.h"

/* Append a line (text of len bytes) and index its name. */
static void
add_line(struct ncp_pwfile *f, const char *text, size_t len)
{
	struct ncp_pwline *l = NC_PUSH(f->v, f->n, f->cap);
	const char *colon;

	l->text = nc_malloc(len + 1);
	memcpy(l->text, text, len);
	l->text[len] = '\0';
	l->name = NULL;
	l->gone = 0;
	colon = memchr(text, ':', len);
	if (colon != NULL && colon > text) {
		size_t nlen = (size_t)(colon - text);

		l->name = nc_malloc(nlen + 1);
		memcpy(l->name, text, nlen);
		l->name[nlen] = '\0';
		/* The first line of a name is the one that counts. */
		if (nc_strmap_get(&f->names, l->name) < 0)
			nc_strmap_put(&f->names, l->name, (long)(f->n - 1));
	}
}

void
ncp_pwfile_parse(struct ncp_pwfile *f, const char *text, size_t len)
{
	const char *s = text, *end = text + len, *nl;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL) {
			add_line(f, s, (size_t)(end - s));
			f->no_final_nl = 1;
			break;
		}
		add_line(f, s, (size_t)(nl - s));
		s = nl + 1;
	}
	f->orig_n = f->n;
}

const char *
ncp_pwfile_get(const struct ncp_pwfile *f, const char *name)
{
	long i = nc_strmap_get(&f->names, name);

	return i < 0 ? NULL : f->v[i].text;
}

int
ncp_pwfile_set(struct ncp_pwfile *f, const char *name, const char *text)
{
	long i = nc_strmap_get(&f->names, name);

	if (i >= 0) {
		if (strcmp(f->v[i].text, text) == 0)
			return 0;
		free(f->v[i].text);
		f->v[i].text = nc_strdup(text);
		return 1;
	}
	add_line(f, text, strlen(text));
	/* text begins with "name:", so add_line indexed it. */
	return 1;
}

int
ncp_pwfile_remove(struct ncp_pwfile *f, const char *name)
{
	long i = nc_strmap_get(&f->names, name);
	size_t j;

	if (i < 0)
		return 0;
	f->v[i].gone = 1;
	nc_strmap_del(&f->names, name);
	/* A later line of the same name (hand-made) becomes the one. */
	for (j = (size_t)i + 1; j < f->n; j++)
		if (!f->v[j].gone && f->v[j].name != NULL &&
		    strcmp(f->v[j].name, name) == 0) {
			nc_strmap_put(&f->names, name, (long)j);
			break;
		}
	return 1;
}

void
ncp_pwfile_render(const struct ncp_pwfile *f, struct nc_buf *out)
{
	size_t i, last = f->n;

	for (i = 0; i < f->n; i++)
		if (!f->v[i].gone)
			last = i;
	for (i = 0; i < f->n; i++) {
		if (f->v[i].gone)
			continue;
		nc_buf_puts(out, f->v[i].text);
		/* A file that ended without a newline still does, as long as
		 * its last line is still last. */
		if (i == last && f->no_final_nl && i + 1 == f->orig_n)
			break;
		nc_buf_add(out, "\n", 1);
	}
}

void
ncp_pwfile_free(struct ncp_pwfile *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].text);
		free(f->v[i].name);
	}
	free(f->v);
	nc_strmap_free(&f->names);
	memset(f, 0, sizeof(*f));
}

size_t
ncp_pw_split(char *s, char **fields, size_t max)
{
	size_t n = 0;
	char *c;

	for (;;) {
		if (n < max)
			fields[n] = s;
		n++;
		if ((c = strchr(s, ':')) == NULL)
			break;
		if (n < max)
			*c = '\0';
		s = c + 1;
	}
	return n;
}

int
ncp_pw_text_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == ':' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}
