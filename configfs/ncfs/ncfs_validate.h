/*
 * ncfs_validate.h: the validators of the values written into the tree.
 * Pure functions: no SQL, no state.  Each returns 0, or a negative errno
 * (-EINVAL, -ENAMETOOLONG) after appending the reason to why, prefixed by
 * the name of the file written ("ip: ...", "uid: ...").  Values shown in a
 * reason are escaped and cut, so a binary write cannot garble the log.
 */
#ifndef NCFS_VALIDATE_H
#define NCFS_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "nctree.h"

#define NCFS_VALUE_MAX	4096		/* bytes of a one-line value */
#define NCFS_LIST_MAX	(256 * 1024)	/* bytes of a multi-line value */
/* The status line's limits are the contract's (nctree.h). */
#define NCFS_TIME_MAX	NCT_TIME_MAX	/* largest status time */
#define NCFS_STEP_MAX	NCT_STEP_MAX	/* bytes of a status step */
#define NCFS_MESSAGE_MAX NCT_MESSAGE_MAX /* bytes of a status message */

/* Append s to b for a message: quoted, escaped, cut after 64 bytes. */
void ncfs_show(struct nc_buf *b, const char *s);

/* One line of printable text (UTF-8, tabs allowed), may be empty. */
int ncfs_v_text(const char *what, const char *v, struct nc_buf *why);
/* One word: printable ASCII without blanks, may be empty. */
int ncfs_v_word(const char *what, const char *v, struct nc_buf *why);
/* A DNS label (nc_valid_label); -ENAMETOOLONG over 63 bytes. */
int ncfs_v_label(const char *what, const char *v, struct nc_buf *why);
/* A user or group name (nc_valid_login); -ENAMETOOLONG over 63 bytes. */
int ncfs_v_login(const char *what, const char *v, struct nc_buf *why);
/* An attribute key (nc_valid_attr_key); -ENAMETOOLONG over 63 bytes. */
int ncfs_v_attr_key(const char *what, const char *v, struct nc_buf *why);
/* config | pnode | container | physical */
int ncfs_v_role(const char *what, const char *v, struct nc_buf *why);
/* fatal | nonfatal | ignore */
int ncfs_v_failure_action(const char *what, const char *v,
    struct nc_buf *why);

/* An IPv4 address (nc_valid_ipv4) into *ip (host order). */
int ncfs_v_ip(const char *what, const char *v, uint32_t *ip,
    struct nc_buf *why);
/*
 * ip as an address of LAN lan with netmask mask: inside the subnet of peer
 * (another member's address; NULL when no member has one), and neither its
 * network nor its broadcast address (masks up to /30).
 */
int ncfs_v_ip_subnet(const char *what, uint32_t ip, uint32_t mask,
    const uint32_t *peer, const char *lan, struct nc_buf *why);
/* A MAC address (nc_valid_mac), normalised into out
 * ("aa:bb:cc:dd:ee:ff"). */
int ncfs_v_mac(const char *what, const char *v, char out[18],
    struct nc_buf *why);

/*
 * Bandwidth into kbit/s: a bare number is kbit/s (as shown; 0 is
 * unlimited), or a number with a unit of nc_bandwidth_parse, or "*".
 */
int ncfs_v_bandwidth(const char *what, const char *v, long *kbps,
    struct nc_buf *why);
/* Delay into ms: a bare number is ms (as shown), else s, ms or ns. */
int ncfs_v_delay(const char *what, const char *v, double *ms,
    struct nc_buf *why);
/* Loss: a probability 0..1. */
int ncfs_v_loss(const char *what, const char *v, double *loss,
    struct nc_buf *why);

/* A uid or gid (nc_valid_id). */
int ncfs_v_id(const char *what, const char *v, long *id, struct nc_buf *why);
/* 0 or 1. */
int ncfs_v_bool(const char *what, const char *v, int *b, struct nc_buf *why);
/* A full name (GECOS): one line of text without ':'. */
int ncfs_v_fullname(const char *what, const char *v, struct nc_buf *why);
/* A home directory (nc_valid_home). */
int ncfs_v_home(const char *what, const char *v, struct nc_buf *why);
/* A login shell (nc_valid_shell). */
int ncfs_v_shell(const char *what, const char *v, struct nc_buf *why);
/* A crypt(3) hash, "*" or "!": printable, no ':' or blanks, not empty. */
int ncfs_v_password(const char *what, const char *v, struct nc_buf *why);
/* An image URL (nc_valid_url), or empty. */
int ncfs_v_url(const char *what, const char *v, struct nc_buf *why);
/* 64 lowercase hex digits, or empty. */
int ncfs_v_sha256(const char *what, const char *v, struct nc_buf *why);
/* One authorized_keys line "type base64 [comment]" (length len). */
int ncfs_v_sshkey(const char *what, const char *line, size_t len,
    struct nc_buf *why);

/* A status line, parsed (pointers into the value written). */
struct ncfs_status {
	const char *state;	/* a static string */
	long long time;		/* seconds since the epoch */
	char step[NCFS_STEP_MAX + 1]; /* "" when absent */
	const char *message;	/* NULL when absent */
	size_t message_len;	/* its length, trailing blanks cut */
};

/* "STATE TIME [STEP] [MESSAGE]" (docs/DESIGN.md, "Status"). */
int ncfs_v_status(const char *what, const char *v, struct ncfs_status *st,
    struct nc_buf *why);

/* A startstatus line "running TIME", "exited N TIME" or "killed SIG
 * TIME" (lib/nctree.h, nct_start_parse) into st. */
int ncfs_v_startstatus(const char *what, const char *v,
    struct nct_startstatus *st, struct nc_buf *why);

/* The lines of a multi-line value, each a new string. */
struct ncfs_list {
	char **v;
	size_t n, cap;
};

/*
 * A list of user or group names, one per line (blank lines skipped), none
 * twice.  Fills l (the caller frees it with ncfs_list_free, also on error).
 */
int ncfs_v_name_list(const char *what, const char *v, struct ncfs_list *l,
    struct nc_buf *why);
/* authorized_keys lines (blank lines skipped), each ncfs_v_sshkey. */
int ncfs_v_key_list(const char *what, const char *v, struct ncfs_list *l,
    struct nc_buf *why);
/* A list of values one per line (blank lines skipped, blanks around cut),
 * each following rule (valid.h), none twice. */
int ncfs_v_rule_list(const char *what, const char *v,
    int (*rule)(const char *, const char **), struct ncfs_list *l,
    struct nc_buf *why);
/*
 * Static routes, one a line (blank lines skipped), each nc_valid_route,
 * no destination twice: l gets each in its canonical form ("DST/PREFIX
 * via GW", "default via GW"), *gws a new array of their gateways.  The
 * caller frees both, also on error.
 */
int ncfs_v_route_list(const char *what, const char *v, struct ncfs_list *l,
    uint32_t **gws, struct nc_buf *why);
void ncfs_list_free(struct ncfs_list *l);

#endif
