/*
 * logins.h: what the logins step (logins.c) parses, exposed for the unit
 * tests: the tree's sshkeys file, the step's own state file, sshd's
 * pidfile and whether sshd_config reads the drop-in directory.
 */
#ifndef NCP_LOGINS_H
#define NCP_LOGINS_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "strmap.h"

/* One user's authorized_keys lines as the tree gives them. */
struct ncp_login_keys {
	char *user;		/* the user's name (nc_valid_login) */
	struct nc_buf keys;	/* its lines, each ending in '\n' */
};

/* Every user's keys from nodes/<node>/sshkeys, in the file's order. */
struct ncp_login_set {
	struct ncp_login_keys *v; /* the users */
	size_t n;		/* users in v */
	size_t cap;		/* users allocated */
	struct nc_strmap idx;	/* user -> index in v */
};

/*
 * Parse sshkeys text ("<user> <key>" lines) into set: a user's lines are
 * kept in order; a line whose user is not a valid login, that has no key,
 * or whose key holds a control character (NUL, CR, ESC...; a tab is
 * allowed) is skipped, and a sentence naming its line number is appended
 * to warn.  Returns the number of lines skipped.
 */
size_t ncp_login_keys_parse(const char *s, size_t len,
    struct ncp_login_set *set, struct nc_buf *warn);
void ncp_login_set_free(struct ncp_login_set *set);

/* The host key types the step makes, in order: ed25519 only (every
 * OpenSSH client since 6.5, 2014, takes it; one ssh-keygen per container
 * instead of two: docs/DESIGN.md, "Logins"). */
#define NCP_HOSTKEY_TYPES 1
extern const char *const ncp_hostkey_types[NCP_HOSTKEY_TYPES];

/* /var/lib/neoc/logins: what the step made and said. */
struct ncp_logins_state {
	char *node;		/* "node NAME": the node the host keys are
				 * for (NULL: none recorded) */
	unsigned long long hostkey[NCP_HOSTKEY_TYPES]; /* "hostkey TYPE HEX":
				 * FNV-1a of the private key file made */
	int has_hostkey[NCP_HOSTKEY_TYPES]; /* that line was there */
	int nosshd;		/* "nosshd": the node had no sshd (said) */
};

/* Parse the state file (unknown or malformed lines are ignored). */
void ncp_logins_state_parse(const char *s, size_t len,
    struct ncp_logins_state *st);
/* The state file's text for st, in a fixed order. */
void ncp_logins_state_text(const struct ncp_logins_state *st,
    struct nc_buf *out);
void ncp_logins_state_free(struct ncp_logins_state *st);

/* sshd's pidfile: decimal digits and an optional newline, a pid from 2
 * up.  0 and *pid, or -EINVAL. */
int ncp_sshd_pid_parse(const char *s, size_t len, pid_t *pid);

/* What sshd_config says of the drop-in file dropin. */
enum ncp_sshd_include {
	NCP_SSHD_INCLUDED,	/* an Include reads it before any setting
				 * of ours */
	NCP_SSHD_NO_INCLUDE,	/* no Include (outside Match) names it */
	NCP_SSHD_OVERRIDDEN,	/* a setting of ours comes first */
};

/*
 * Does sshd_config text (len bytes) read dropin (an absolute path,
 * "/etc/ssh/sshd_config.d/neoc.conf") through an Include line before it
 * sets one of the keywords the drop-in sets (sshd takes the first value
 * it reads)?  Include patterns are globs, relative ones under /etc/ssh.
 * For NCP_SSHD_OVERRIDDEN, *keyword (when not NULL) gets the keyword as
 * the drop-in spells it.
 */
enum ncp_sshd_include ncp_sshd_config_includes(const char *s, size_t len,
    const char *dropin, const char **keyword);

#endif
