/*
 * ncfs_validate.c: validators of the values written into the tree (see
 * ncfs_validate.h).  The rule of every value the importers and ncprov see
 * too (names, paths, addresses, ids, digests) is lib/valid.c's; what is
 * here is ncfs's own: the text of a value, its errno, the reason's
 * wording, and what only a write to the tree has (an address inside its
 * LAN's subnet, status lines, key lists).  Nothing here touches the
 * database: the checks that need it (uniqueness, existence) are made by
 * the setters of ncfs_fields.c, after these.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"
#include "ncfs_validate.h"
#include "units.h"
#include "util.h"
#include "valid.h"

#define SHOW_MAX 64		/* bytes of a value shown in a reason */

/* What a piece of text may hold. */
enum {
	T_BLANK = 1,		/* spaces and tabs */
	T_UTF8 = 2,		/* non-ASCII characters (valid UTF-8) */
};

void
ncfs_show(struct nc_buf *b, const char *s)
{
	size_t i;

	nc_buf_puts(b, "\"");
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == SHOW_MAX) {
			nc_buf_puts(b, "...");
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			nc_buf_printf(b, "\\x%02x", c);
		else
			nc_buf_add(b, &s[i], 1);
	}
	nc_buf_puts(b, "\"");
}

/* Append "what: "value" reason" to why and return err. */
static int
refuse(int err, struct nc_buf *why, const char *what, const char *v,
    const char *reason)
{
	nc_buf_printf(why, "%s: ", what);
	ncfs_show(why, v);
	nc_buf_printf(why, " %s", reason);
	return err;
}

/* Length of the valid UTF-8 character at s (n bytes left), 0 if none. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	if (cp >= 0x80 && cp <= 0x9f)	/* C1 controls */
		return 0;
	return len;
}

/* Why n bytes at v are not text of the kind flags allow, or NULL. */
static const char *
text_problem(const char *v, size_t n, size_t max, int flags)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i, len;

	if (n > max)
		return max == NCFS_VALUE_MAX ?
		    "is longer than 4096 bytes" : "is too long";
	for (i = 0; i < n; i += len) {
		len = 1;
		if (s[i] == '\n')
			return "holds a newline (the value is one line)";
		if (s[i] == ' ' || s[i] == '\t') {
			if (!(flags & T_BLANK))
				return "holds a blank";
			continue;
		}
		if (s[i] < 0x20 || s[i] == 0x7f)
			return "holds a control character";
		if (s[i] < 0x80)
			continue;
		if (!(flags & T_UTF8))
			return "holds a non-ASCII character";
		if ((len = utf8_len(s + i, n - i)) == 0)
			return "is not valid UTF-8 text";
	}
	return NULL;
}

static int
check_text(const char *what, const char *v, int flags, struct nc_buf *why)
{
	const char *p = text_problem(v, strlen(v), NCFS_VALUE_MAX, flags);

	return p == NULL ? 0 : refuse(-EINVAL, why, what, v, p);
}

int
ncfs_v_text(const char *what, const char *v, struct nc_buf *why)
{
	return check_text(what, v, T_BLANK | T_UTF8, why);
}

int
ncfs_v_word(const char *what, const char *v, struct nc_buf *why)
{
	return check_text(what, v, 0, why);
}

/*
 * v by rule (valid.h), what the tree calls a name: over 63 bytes is
 * -ENAMETOOLONG (it would be a file name too long to show).
 */
static int
check_rule(const char *what, const char *v,
    int (*rule)(const char *, const char **), struct nc_buf *why)
{
	const char *reason;

	if (rule(v, &reason) == 0)
		return 0;
	if (strlen(v) > NC_NAME_MAX)
		return refuse(-ENAMETOOLONG, why, what, v,
		    "is longer than 63 bytes");
	return refuse(-EINVAL, why, what, v, reason);
}

int
ncfs_v_label(const char *what, const char *v, struct nc_buf *why)
{
	return check_rule(what, v, nc_valid_label, why);
}

int
ncfs_v_login(const char *what, const char *v, struct nc_buf *why)
{
	return check_rule(what, v, nc_valid_login, why);
}

int
ncfs_v_attr_key(const char *what, const char *v, struct nc_buf *why)
{
	return check_rule(what, v, nc_valid_attr_key, why);
}

/* v one of the NULL-terminated choices; their list in the reason. */
static int
check_choice(const char *what, const char *v, const char *const *choices,
    struct nc_buf *why)
{
	size_t i;

	for (i = 0; choices[i] != NULL; i++)
		if (strcmp(v, choices[i]) == 0)
			return 0;
	nc_buf_printf(why, "%s: ", what);
	ncfs_show(why, v);
	nc_buf_puts(why, " is not one of");
	for (i = 0; choices[i] != NULL; i++)
		nc_buf_printf(why, "%s %s", i ? "," : "", choices[i]);
	return -EINVAL;
}

int
ncfs_v_role(const char *what, const char *v, struct nc_buf *why)
{
	static const char *const roles[] = { "config", "pnode", "container",
	    "physical", NULL };

	return check_choice(what, v, roles, why);
}

int
ncfs_v_failure_action(const char *what, const char *v, struct nc_buf *why)
{
	static const char *const actions[] = { "fatal", "nonfatal", "ignore",
	    NULL };

	return check_choice(what, v, actions, why);
}

int
ncfs_v_ip(const char *what, const char *v, uint32_t *ip, struct nc_buf *why)
{
	const char *reason;

	if (nc_valid_ipv4(v, ip, &reason) < 0)
		return refuse(-EINVAL, why, what, v, reason);
	return 0;
}

int
ncfs_v_ip_subnet(const char *what, uint32_t ip, uint32_t mask,
    const uint32_t *peer, const char *lan, struct nc_buf *why)
{
	char a[16], n[16];
	int prefix = nc_mask_prefix(mask);

	if (peer != NULL && (ip & mask) != (*peer & mask)) {
		nc_buf_printf(why, "%s: %s is outside %s's subnet %s/%d", what,
		    nc_ip_format(ip, a), lan, nc_ip_format(*peer & mask, n),
		    prefix);
		return -EINVAL;
	}
	if (prefix >= 0 && prefix <= 30) {
		if ((ip & ~mask) == 0) {
			nc_buf_printf(why, "%s: %s is the network address of "
			    "%s's subnet %s/%d", what, nc_ip_format(ip, a),
			    lan, nc_ip_format(ip & mask, n), prefix);
			return -EINVAL;
		}
		if ((ip & ~mask) == ~mask) {
			nc_buf_printf(why, "%s: %s is the broadcast address "
			    "of %s's subnet %s/%d", what, nc_ip_format(ip, a),
			    lan, nc_ip_format(ip & mask, n), prefix);
			return -EINVAL;
		}
	}
	return 0;
}

int
ncfs_v_mac(const char *what, const char *v, char out[18], struct nc_buf *why)
{
	const char *reason;
	uint8_t mac[6];

	if (nc_valid_mac(v, mac, &reason) < 0)
		return refuse(-EINVAL, why, what, v, reason);
	nc_mac_format(mac, out);
	return 0;
}

/* 1 when v ends without a unit: in a digit or a '.'. */
static int
bare_number(const char *v)
{
	size_t n = strlen(v);

	return n > 0 && (isdigit((unsigned char)v[n - 1]) || v[n - 1] == '.');
}

int
ncfs_v_bandwidth(const char *what, const char *v, long *kbps,
    struct nc_buf *why)
{
	const char *reason, *p;
	char *withunit;
	long long n = 0;
	int rc;

	if (check_text(what, v, 0, why) < 0)
		return -EINVAL;
	if (v[0] != '\0' && strspn(v, "0123456789") == strlen(v)) {
		/* kbit/s, as shown; 0 is unlimited */
		for (p = v; *p != '\0'; p++) {
			n = n * 10 + (*p - '0');
			if (n > 1000000000000LL)
				return refuse(-EINVAL, why, what, v,
				    "is too large (kbit/s)");
		}
		if (n > 0 && n < 10)
			return refuse(-EINVAL, why, what, v,
			    "is under 10 kbit/s (0 is unlimited)");
		*kbps = (long)n;
		return 0;
	}
	if (bare_number(v)) {
		withunit = nc_asprintf("%sk", v);
		rc = nc_bandwidth_parse(withunit, kbps, &reason);
		free(withunit);
		if (rc == 0)
			return 0;
	}
	if (nc_bandwidth_parse(v, kbps, &reason) < 0) {
		nc_buf_printf(why, "%s: %s", what, reason);
		return -EINVAL;
	}
	return 0;
}

int
ncfs_v_delay(const char *what, const char *v, double *ms, struct nc_buf *why)
{
	const char *reason;
	char *withunit;
	int rc;

	if (check_text(what, v, 0, why) < 0)
		return -EINVAL;
	if (bare_number(v)) {
		withunit = nc_asprintf("%sms", v);
		rc = nc_delay_parse(withunit, ms, &reason);
		free(withunit);
		if (rc == 0)
			goto range;
	}
	if (nc_delay_parse(v, ms, &reason) < 0) {
		nc_buf_printf(why, "%s: %s", what, reason);
		return -EINVAL;
	}
range:
	if (*ms > 3600e3)
		return refuse(-EINVAL, why, what, v, "is over one hour");
	return 0;
}

int
ncfs_v_loss(const char *what, const char *v, double *loss,
    struct nc_buf *why)
{
	const char *reason;

	if (check_text(what, v, 0, why) < 0)
		return -EINVAL;
	if (nc_loss_parse(v, loss, &reason) < 0) {
		nc_buf_printf(why, "%s: %s", what, reason);
		return -EINVAL;
	}
	return 0;
}

int
ncfs_v_id(const char *what, const char *v, long *id, struct nc_buf *why)
{
	const char *reason;
	unsigned long n;

	if (nc_valid_id(v, &n, &reason) < 0)
		return refuse(-EINVAL, why, what, v, reason);
	*id = (long)n;
	return 0;
}

int
ncfs_v_bool(const char *what, const char *v, int *b, struct nc_buf *why)
{
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return refuse(-EINVAL, why, what, v, "is not 0 or 1");
	*b = v[0] == '1';
	return 0;
}

int
ncfs_v_fullname(const char *what, const char *v, struct nc_buf *why)
{
	if (check_text(what, v, T_BLANK | T_UTF8, why) < 0)
		return -EINVAL;
	if (strchr(v, ':') != NULL)
		return refuse(-EINVAL, why, what, v, "holds a ':'");
	return 0;
}

/* One word (no blanks, controls) that follows rule (valid.h). */
static int
check_word_rule(const char *what, const char *v,
    int (*rule)(const char *, const char **), struct nc_buf *why)
{
	const char *reason;

	if (check_text(what, v, 0, why) < 0)
		return -EINVAL;
	if (rule(v, &reason) < 0)
		return refuse(-EINVAL, why, what, v, reason);
	return 0;
}

int
ncfs_v_home(const char *what, const char *v, struct nc_buf *why)
{
	return check_word_rule(what, v, nc_valid_home, why);
}

int
ncfs_v_shell(const char *what, const char *v, struct nc_buf *why)
{
	return check_word_rule(what, v, nc_valid_shell, why);
}

int
ncfs_v_password(const char *what, const char *v, struct nc_buf *why)
{
	/* A hash is a secret: never echo it into the log. */
	const char *p = text_problem(v, strlen(v), NCFS_VALUE_MAX, 0);

	if (v[0] == '\0') {
		nc_buf_printf(why, "%s: is empty (write \"*\" or \"!\" for no "
		    "password)", what);
		return -EINVAL;
	}
	if (p == NULL && strchr(v, ':') != NULL)
		p = "holds a ':'";
	if (p != NULL) {
		nc_buf_printf(why, "%s: the value %s", what, p);
		return -EINVAL;
	}
	return 0;
}

int
ncfs_v_url(const char *what, const char *v, struct nc_buf *why)
{
	if (v[0] == '\0')
		return 0;	/* none */
	return check_word_rule(what, v, nc_valid_url, why);
}

int
ncfs_v_sha256(const char *what, const char *v, struct nc_buf *why)
{
	if (v[0] == '\0')
		return 0;	/* none recorded */
	return check_word_rule(what, v, nc_valid_sha256, why);
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode up to max bytes of base64 s (n characters, '=' padding only at the
 * end) into out; returns the bytes decoded, or -1 when s is not base64.
 */
static long
b64_decode(const char *s, size_t n, unsigned char *out, size_t max)
{
	uint32_t acc = 0;
	size_t i, pad = 0, bits = 0, len = 0;
	int v;

	for (i = 0; i < n; i++) {
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = b64val((unsigned char)s[i])) < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (len < max)
				out[len] = (unsigned char)(acc >> bits);
			len++;
		}
	}
	if (pad > 2 || (pad > 0 && n % 4 != 0))
		return -1;
	return (long)len;
}

/* 1 when the n bytes at t name a key type we accept. */
static int
key_type_ok(const char *t, size_t n)
{
	static const char *const prefixes[] = { "ssh-", "ecdsa-sha2-", "sk-",
	    NULL };
	size_t i;

	for (i = 0; i < n; i++)
		if (!islower((unsigned char)t[i]) &&
		    !isdigit((unsigned char)t[i]) && t[i] != '-' &&
		    t[i] != '@' && t[i] != '.')
			return 0;
	for (i = 0; prefixes[i] != NULL; i++)
		if (n > strlen(prefixes[i]) &&
		    strncmp(t, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* Append "what: line N: "line" reason" (N > 0) or "what: ..." */
static int
refuse_line(struct nc_buf *why, const char *what, int lineno,
    const char *line, size_t len, const char *reason)
{
	char *copy = nc_malloc(len + 1);

	memcpy(copy, line, len);
	copy[len] = '\0';
	if (lineno > 0)
		nc_buf_printf(why, "%s: line %d: ", what, lineno);
	else
		nc_buf_printf(why, "%s: ", what);
	ncfs_show(why, copy);
	nc_buf_printf(why, " %s", reason);
	free(copy);
	return -EINVAL;
}

/* ncfs_v_sshkey for line lineno (0: the only one) of a list. */
static int
check_key(const char *what, int lineno, const char *line, size_t len,
    struct nc_buf *why)
{
	unsigned char blob[128];
	const char *p, *b64, *end = line + len, *reason;
	size_t tlen, blen;
	long dec;

	if ((reason = text_problem(line, len, NCFS_VALUE_MAX * 4,
	    T_BLANK | T_UTF8)) != NULL)
		return refuse_line(why, what, lineno, line, len, reason);
	for (p = line; p < end && *p != ' ' && *p != '\t'; p++)
		;
	tlen = (size_t)(p - line);
	if (!key_type_ok(line, tlen))
		return refuse_line(why, what, lineno, line, len, "does not "
		    "start with a key type (ssh-ed25519, ssh-rsa, "
		    "ecdsa-sha2-*, sk-*)");
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	b64 = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	blen = (size_t)(p - b64);
	dec = blen == 0 ? -1 : b64_decode(b64, blen, blob, sizeof(blob));
	if (dec < 0)
		return refuse_line(why, what, lineno, line, len,
		    "has no base64 key after its type");
	/* The blob starts with its type: uint32 length, then the name. */
	if (dec < (long)(4 + tlen) || blob[0] != 0 || blob[1] != 0 ||
	    ((size_t)blob[2] << 8 | blob[3]) != tlen ||
	    memcmp(blob + 4, line, tlen) != 0)
		return refuse_line(why, what, lineno, line, len,
		    "holds a key whose data does not match its type");
	return 0;
}

int
ncfs_v_sshkey(const char *what, const char *line, size_t len,
    struct nc_buf *why)
{
	return check_key(what, 0, line, len, why);
}

int
ncfs_v_status(const char *what, const char *v, struct ncfs_status *st,
    struct nc_buf *why)
{
	const char *p = v, *w, *reason;
	long long t = 0;
	size_t n;
	int k;

	memset(st, 0, sizeof(*st));
	if ((reason = text_problem(v, strlen(v), NCFS_VALUE_MAX,
	    T_BLANK | T_UTF8)) != NULL)
		return refuse(-EINVAL, why, what, v, reason);
	while (*p == ' ' || *p == '\t')
		p++;
	w = p;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	n = (size_t)(p - w);
	if ((k = nct_state_find(w, n)) < 0)
		return refuse(-EINVAL, why, what, v, "does not start with a "
		    "state (" NCT_STATE_LIST ")");
	st->state = nct_states[k];
	while (*p == ' ' || *p == '\t')
		p++;
	if (!isdigit((unsigned char)*p))
		return refuse(-EINVAL, why, what, v, "has no time (seconds "
		    "since the epoch) after its state");
	for (; isdigit((unsigned char)*p); p++) {
		t = t * 10 + (*p - '0');
		if (t > NCFS_TIME_MAX)
			return refuse(-EINVAL, why, what, v,
			    "has a time beyond 2^40 seconds");
	}
	if (*p != '\0' && *p != ' ' && *p != '\t')
		return refuse(-EINVAL, why, what, v,
		    "has a time that is not a whole number of seconds");
	st->time = t;
	while (*p == ' ' || *p == '\t')
		p++;
	/* A step word (nct_step_valid) is the step. */
	w = p;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	n = (size_t)(p - w);
	if (nct_step_valid(w, n)) {
		memcpy(st->step, w, n);
		st->step[n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
	} else {
		p = w;
	}
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n > NCFS_MESSAGE_MAX)
		return refuse(-EINVAL, why, what, v,
		    "has a message longer than 1024 bytes");
	if (n > 0) {
		st->message = p;
		st->message_len = n;
	}
	return 0;
}

int
ncfs_v_startstatus(const char *what, const char *v,
    struct nct_startstatus *st, struct nc_buf *why)
{
	const char *reason;

	if ((reason = text_problem(v, strlen(v), NCFS_VALUE_MAX,
	    T_BLANK)) != NULL)
		return refuse(-EINVAL, why, what, v, reason);
	if (nct_start_parse(v, strlen(v), st, &reason) < 0)
		return refuse(-EINVAL, why, what, v, reason);
	return 0;
}

void
ncfs_list_free(struct ncfs_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * Split v into lines for a list: *line and *len for each, leading blanks
 * and blank lines skipped.  Returns 1 per line, 0 at the end.
 */
static int
next_line(const char **p, const char **line, size_t *len, int *lineno)
{
	const char *s = *p, *nl;
	size_t n, i;

	while (*s != '\0') {
		nl = strchr(s, '\n');
		n = nl != NULL ? (size_t)(nl - s) : strlen(s);
		(*lineno)++;
		*p = nl != NULL ? nl + 1 : s + n;
		for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		if (i < n) {
			*line = s + i;
			*len = n - i;
			return 1;
		}
		s = *p;
	}
	return 0;
}

static int
check_size(const char *what, const char *v, struct nc_buf *why)
{
	if (strlen(v) > NCFS_LIST_MAX) {
		nc_buf_printf(why, "%s: the value is longer than %d bytes",
		    what, NCFS_LIST_MAX);
		return -EINVAL;
	}
	return 0;
}

int
ncfs_v_name_list(const char *what, const char *v, struct ncfs_list *l,
    struct nc_buf *why)
{
	const char *p = v, *line;
	size_t len, i;
	int lineno = 0, rc;
	char *name;

	if ((rc = check_size(what, v, why)) < 0)
		return rc;
	while (next_line(&p, &line, &len, &lineno)) {
		name = nc_malloc(len + 1);
		memcpy(name, line, len);
		name[len] = '\0';
		*NC_PUSH(l->v, l->n, l->cap) = name;
		if (len > NC_NAME_MAX || nc_valid_login(name, NULL) < 0) {
			nc_buf_printf(why, "%s: line %d: ", what, lineno);
			ncfs_show(why, name);
			nc_buf_puts(why, " is not a valid user or group name");
			return len > NC_NAME_MAX ? -ENAMETOOLONG : -EINVAL;
		}
		for (i = 0; i + 1 < l->n; i++)
			if (strcmp(l->v[i], name) == 0) {
				nc_buf_printf(why, "%s: line %d: %s is listed "
				    "twice", what, lineno, name);
				return -EINVAL;
			}
	}
	return 0;
}

int
ncfs_v_rule_list(const char *what, const char *v,
    int (*rule)(const char *, const char **), struct ncfs_list *l,
    struct nc_buf *why)
{
	const char *p = v, *line, *reason;
	size_t len, i;
	int lineno = 0, rc;
	char *item;

	if ((rc = check_size(what, v, why)) < 0)
		return rc;
	while (next_line(&p, &line, &len, &lineno)) {
		while (len > 0 && (line[len - 1] == ' ' ||
		    line[len - 1] == '\t'))
			len--;
		item = nc_malloc(len + 1);
		memcpy(item, line, len);
		item[len] = '\0';
		*NC_PUSH(l->v, l->n, l->cap) = item;
		if (rule(item, &reason) < 0) {
			nc_buf_printf(why, "%s: line %d: ", what, lineno);
			ncfs_show(why, item);
			nc_buf_printf(why, " %s", reason);
			return -EINVAL;
		}
		for (i = 0; i + 1 < l->n; i++)
			if (strcmp(l->v[i], item) == 0) {
				nc_buf_printf(why, "%s: line %d: ", what,
				    lineno);
				ncfs_show(why, item);
				nc_buf_puts(why, " is listed twice");
				return -EINVAL;
			}
	}
	return 0;
}

int
ncfs_v_key_list(const char *what, const char *v, struct ncfs_list *l,
    struct nc_buf *why)
{
	const char *p = v, *line;
	size_t len;
	int lineno = 0, rc;
	char *key;

	if ((rc = check_size(what, v, why)) < 0)
		return rc;
	while (next_line(&p, &line, &len, &lineno)) {
		if ((rc = check_key(what, lineno, line, len, why)) < 0)
			return rc;
		/* trailing blanks are not part of the key */
		while (line[len - 1] == ' ' || line[len - 1] == '\t')
			len--;
		key = nc_malloc(len + 1);
		memcpy(key, line, len);
		key[len] = '\0';
		*NC_PUSH(l->v, l->n, l->cap) = key;
	}
	return 0;
}

/* A route's destination, to find a second route to it. */
struct route_dst {
	uint32_t net;		/* network, host order */
	int prefix;		/* prefix length */
};

int
ncfs_v_route_list(const char *what, const char *v, struct ncfs_list *l,
    uint32_t **gws, struct nc_buf *why)
{
	const char *p = v, *line, *reason;
	struct route_dst *seen = NULL, r;
	uint32_t gw;
	int lineno = 0, rc;
	char d[16], g[16], *one;
	size_t len, i, n = 0, cap = 0;

	*gws = NULL;
	if ((rc = check_size(what, v, why)) < 0)
		return rc;
	rc = -EINVAL;
	while (next_line(&p, &line, &len, &lineno)) {
		one = nc_malloc(len + 1);
		memcpy(one, line, len);
		one[len] = '\0';
		if (nc_valid_route(one, &r.net, &r.prefix, &gw, &reason) < 0) {
			nc_buf_printf(why, "%s: line %d: ", what, lineno);
			ncfs_show(why, one);
			nc_buf_printf(why, " %s", reason);
			free(one);
			goto out;
		}
		free(one);
		for (i = 0; i < n; i++)
			if (seen[i].net == r.net &&
			    seen[i].prefix == r.prefix) {
				nc_buf_printf(why, "%s: line %d: a second "
				    "route to %s/%d", what, lineno,
				    nc_ip_format(r.net, d), r.prefix);
				goto out;
			}
		*NC_PUSH(seen, n, cap) = r;
		*gws = nc_realloc(*gws, n * sizeof(**gws));
		(*gws)[n - 1] = gw;
		nc_ip_format(gw, g);
		one = r.prefix == 0 ? nc_asprintf("default via %s", g) :
		    nc_asprintf("%s/%d via %s", nc_ip_format(r.net, d),
		    r.prefix, g);
		*NC_PUSH(l->v, l->n, l->cap) = one;
	}
	rc = 0;
out:
	free(seen);
	return rc;
}
