/*
 * pwfile.h: colon files (passwd, shadow, group, gshadow) as a list of lines
 * that can be looked up by name in O(1), replaced in place, removed and
 * appended to.  Every line not touched is written back byte for byte,
 * comments, blank lines and NIS "+" lines included.  Also the checks on
 * the fields the experiment tree gives.
 */
#ifndef NCP_PWFILE_H
#define NCP_PWFILE_H

#include <stddef.h>

#include "buf.h"
#include "strmap.h"

struct ncp_pwline {
	char *text;	/* the line, without its newline */
	char *name;	/* its first field; NULL when it has no ':' */
	int gone;	/* removed: not written back */
};

struct ncp_pwfile {
	struct ncp_pwline *v;	/* the lines, in file order */
	size_t n;		/* lines in v */
	size_t cap;		/* lines allocated */
	size_t orig_n;		/* lines the parsed text had */
	int no_final_nl;	/* the parsed text's last line had no '\n' */
	struct nc_strmap names; /* name -> index of its first live line */
};

/* Parse text (len bytes) into f, which must be zeroed. */
void ncp_pwfile_parse(struct ncp_pwfile *f, const char *text, size_t len);
/* The live line of name, or NULL. */
const char *ncp_pwfile_get(const struct ncp_pwfile *f, const char *name);
/* Make the line of name text: in place when there is one, else appended.
 * Returns 1 when the file changed, 0 when it already said that. */
int ncp_pwfile_set(struct ncp_pwfile *f, const char *name, const char *text);
/* Remove the line of name; 1 when there was one. */
int ncp_pwfile_remove(struct ncp_pwfile *f, const char *name);
/* The file's text: the parse's bytes for every line left as it was. */
void ncp_pwfile_render(const struct ncp_pwfile *f, struct nc_buf *out);
void ncp_pwfile_free(struct ncp_pwfile *f);

/*
 * Split s at ':' in place into at most max fields; returns the number of
 * fields s has (which may be more than max: the rest is left unsplit).
 */
size_t ncp_pw_split(char *s, char **fields, size_t max);
/* Free text for a field: no ':' and no control character.  (Names, ids,
 * homes and shells are valid.h's.) */
int ncp_pw_text_ok(const char *s);

#endif
