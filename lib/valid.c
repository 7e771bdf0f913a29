/*
 * valid.c: the rules of valid.h, each written once.  The choices, and
 * why:
 *
 * - Logins may end in '$'.  shadow's useradd(8) on Debian accepts
 *   [a-z_][a-z0-9_-]*[$]? and Samba machine accounts ("host$") are made
 *   that way; Emulab projects that join Windows nodes to a domain have
 *   them.  '.' is kept inside a name, as before (adduser --allow-bad-names
 *   and Emulab accounts "first.last").  32 bytes is utmp's limit.
 * - Paths have no blanks and no ':' because they land in /etc/passwd
 *   (':'-separated) and fstab lines (blank-separated), and no "." or ".."
 *   components so that a path means one place, checked the same by the
 *   importers, ncfs and ncprov.  A home or shell is never "/", and a
 *   mount path neither, nor does it hold ',' (mount options).
 * - An image name part may not start with '.': "a/.b" would be a hidden
 *   directory in the image cache and "a/.." a way out of it.
 * - A SHA-256 is lowercase: the one spelling sha256sum(1) and
 *   nc_sha256_fd() print, so that stored checksums compare byte for byte.
 * - A MAC must be unicast and not all zeros: the kernel refuses to give
 *   an interface either.
 * - A route is "DST/PREFIX via GW" or "default via GW", words apart by
 *   blanks: the forms ip-route(8) of iproute2 and of busybox both take.
 *   DST has no bits set past its prefix (ip refuses "10.1.2.5/24"); GW
 *   is a unicast address that is not 0.0.0.0, loopback or broadcast.
 * - ids run to 4294967294 ((uid_t)-1 means "no change" to chown(2)); a
 *   new account's id is never below 1000, where Debian's system accounts
 *   live (ncprov leaves those alone).
 */
#include <errno.h>
#include <string.h>

#include "inet.h"
#include "valid.h"

/* Set *why to reason and return -EINVAL. */
static int
no(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return -EINVAL;
}

static int
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(int c)
{
	return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z');
}

static int
is_hex_lower(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* The label of n bytes at s. */
static int
label(const char *s, size_t n, const char **why)
{
	size_t i;

	if (n == 0)
		return no(why, "is empty");
	if (n > NC_LABEL_MAX)
		return no(why, "is longer than 63 characters");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80)
			return no(why, "contains a non-ASCII character");
		if (!is_alnum(c) && c != '-')
			return no(why, "may hold only letters, digits and "
			    "'-'");
	}
	if (s[0] == '-' || s[n - 1] == '-')
		return no(why, "may not start or end with '-'");
	return 0;
}

int
nc_valid_label(const char *s, const char **why)
{
	return label(s, strlen(s), why);
}

int
nc_valid_hostname(const char *s, const char **why)
{
	const char *p = s, *dot;
	size_t n;

	if (*s == '\0')
		return no(why, "is empty");
	if (strlen(s) > NC_HOSTNAME_MAX)
		return no(why, "is longer than 253 characters");
	for (;;) {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n == 0)
			return no(why, "is not a host name");
		if (label(p, n, why) < 0)
			return no(why, "is not a host name");
		if (dot == NULL)
			return 0;
		p = dot + 1;
	}
}

int
nc_valid_login(const char *s, const char **why)
{
	size_t i, len = strlen(s);

	if (len == 0)
		return no(why, "is empty");
	if (len > NC_LOGIN_MAX)
		return no(why, "is longer than 32 bytes");
	if (!is_lower((unsigned char)s[0]) && s[0] != '_')
		return no(why, "is not a valid user or group name");
	for (i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '$' && i == len - 1)
			break;
		if (!is_lower(c) && !is_digit(c) && c != '_' && c != '-' &&
		    c != '.')
			return no(why, "is not a valid user or group name");
	}
	return 0;
}

int
nc_valid_path(const char *s, const char **why)
{
	const char *c, *e;
	size_t n;

	if (*s == '\0')
		return no(why, "is empty");
	if (s[0] != '/')
		return no(why, "is not a safe absolute path");
	if (strlen(s) > NC_PATH_MAX)
		return no(why, "is longer than 4095 bytes");
	for (c = s; *c != '\0'; c++) {
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return no(why, "is not a safe absolute path");
		if (*c == ':')
			return no(why, "holds a ':'");
	}
	for (c = s; *c != '\0'; c += n) {
		while (*c == '/')
			c++;
		e = strchr(c, '/');
		n = e != NULL ? (size_t)(e - c) : strlen(c);
		if ((n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return no(why, "is not a safe absolute path");
	}
	return 0;
}

/* A path other than "/" (slashes only). */
static int
not_root(const char *s, const char **why)
{
	int rc = nc_valid_path(s, why);

	if (rc < 0)
		return rc;
	if (strspn(s, "/") == strlen(s))
		return no(why, "is the root directory");
	return 0;
}

int
nc_valid_home(const char *s, const char **why)
{
	return not_root(s, why);
}

int
nc_valid_shell(const char *s, const char **why)
{
	return not_root(s, why);
}

int
nc_valid_mount_path(const char *s, const char **why)
{
	int rc = not_root(s, why);

	if (rc < 0)
		return rc;
	if (strchr(s, ',') != NULL)
		return no(why, "holds a ','");
	return 0;
}

int
nc_valid_ifname(const char *s, const char **why)
{
	size_t n = strlen(s), i;

	if (n == 0)
		return no(why, "is empty");
	if (n > NC_IFNAME_MAX)
		return no(why, "is longer than 15 bytes");
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return no(why, "is not an interface name");
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] >= 0x7f || s[i] == '/' || s[i] == ':')
			return no(why, "holds a blank, '/', ':', a control or "
			    "a non-ASCII character");
	return 0;
}

int
nc_valid_attr_key(const char *s, const char **why)
{
	size_t n = strlen(s), i;

	if (n == 0)
		return no(why, "is empty");
	if (n > NC_ATTR_KEY_MAX)
		return no(why, "is longer than 63 bytes");
	if (s[0] == '.')
		return no(why, "starts with '.'");
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != ':' && s[i] != '.' && s[i] != '-')
			return no(why, "may hold only letters, digits, '_', "
			    "':', '.' and '-'");
	return 0;
}

int
nc_valid_image_name(const char *s, const char **why)
{
	size_t len = strlen(s), i;

	if (len == 0)
		return no(why, "is empty");
	if (len > NC_IMAGE_NAME_MAX)
		return no(why, "is longer than 128 bytes");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_alnum(c) && c != '/' && c != '.' && c != '_' &&
		    c != '-')
			return no(why, "is not a box name (letters, digits, "
			    "'/', '.', '_' and '-')");
		/* each part: not empty, not starting with '.' */
		if ((i == 0 || s[i - 1] == '/') && (c == '/' || c == '.'))
			return no(why, "is not a box name (a part is empty "
			    "or starts with '.')");
	}
	if (s[len - 1] == '/')
		return no(why, "is not a box name (it ends with '/')");
	return 0;
}

int
nc_valid_package(const char *s, const char **why)
{
	size_t len = strlen(s), i;

	if (len < 2)
		return no(why, "is not a Debian package name (2 bytes at "
		    "least)");
	if (len > NC_PACKAGE_MAX)
		return no(why, "is longer than 128 bytes");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') &&
		    (i == 0 || (c != '+' && c != '-' && c != '.')))
			return no(why, "is not a Debian package name "
			    "(lowercase letters, digits, '+', '-', '.', "
			    "starting with a letter or digit)");
	}
	return 0;
}

int
nc_valid_osname(const char *s, const char **why)
{
	size_t len = strlen(s), i;

	if (len == 0)
		return no(why, "is empty");
	if (len > NC_OSNAME_MAX)
		return no(why, "is longer than 64 bytes");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_alnum(c) && strchr("*?[]!._+-", c) == NULL)
			return no(why, "is not an OS name pattern (letters, "
			    "digits, '.', '_', '+', '-' and the glob "
			    "characters '*', '?', '[', ']', '!')");
	}
	return 0;
}

int
nc_valid_url(const char *s, const char **why)
{
	const char *p, *rest;

	if (*s == '\0')
		return no(why, "is empty");
	if (strlen(s) > NC_URL_MAX)
		return no(why, "is longer than 2047 bytes");
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return no(why, "holds a blank, a control or a "
			    "non-ASCII character");
	if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) {
		rest = strstr(s, "://") + 3;
		if (*rest == '\0' || *rest == '/')
			return no(why, "has no host");
		return 0;
	}
	if (strncmp(s, "file:///", 8) == 0 && s[8] != '\0')
		return 0;
	return no(why, "is not an http://, https:// or file:/// URL");
}

int
nc_valid_sha256(const char *s, const char **why)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!is_hex_lower((unsigned char)s[i]))
			return no(why, "is not 64 lowercase hex digits");
	if (i != NC_SHA256_HEX_LEN)
		return no(why, "is not 64 lowercase hex digits");
	return 0;
}

int
nc_valid_mac(const char *s, uint8_t mac[6], const char **why)
{
	static const uint8_t zero[6];
	uint8_t m[6];

	if (*s == '\0')
		return no(why, "is empty");
	if (nc_mac_parse(s, m) < 0)
		return no(why, "is not a MAC address");
	if (m[0] & 1)
		return no(why, "is a multicast address, not a unicast one");
	if (memcmp(m, zero, sizeof(zero)) == 0)
		return no(why, "is all zeros");
	if (mac != NULL)
		memcpy(mac, m, sizeof(m));
	return 0;
}

int
nc_valid_ipv4(const char *s, uint32_t *ip, const char **why)
{
	uint32_t v;

	if (*s == '\0')
		return no(why, "is empty");
	if (nc_ip_parse(s, &v) < 0)
		return no(why, "is not an IPv4 address");
	if (ip != NULL)
		*ip = v;
	return 0;
}

int
nc_valid_netmask(const char *s, uint32_t *mask, const char **why)
{
	uint32_t v;

	if (*s == '\0')
		return no(why, "is empty");
	if (nc_ip_parse(s, &v) < 0 || nc_mask_prefix(v) < 0)
		return no(why, "is not a netmask");
	if (mask != NULL)
		*mask = v;
	return 0;
}

/* Copy the word at *p (up to a blank or the end) into w; skip blanks. */
static size_t
route_word(const char **p, char *w, size_t size)
{
	size_t n = 0;

	while (**p != '\0' && **p != ' ' && **p != '\t') {
		if (n + 1 < size)
			w[n] = **p;
		n++;
		(*p)++;
	}
	w[n < size ? n : size - 1] = '\0';
	while (**p == ' ' || **p == '\t')
		(*p)++;
	return n;
}

int
nc_valid_route(const char *s, uint32_t *dst, int *prefix, uint32_t *gw,
    const char **why)
{
	char d[24], via[8], g[24], *slash;
	const char *p = s;
	uint32_t net = 0, hop, mask;
	long len = 0;
	size_t i;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return no(why, "is empty");
	if (route_word(&p, d, sizeof(d)) >= sizeof(d) ||
	    route_word(&p, via, sizeof(via)) >= sizeof(via) ||
	    route_word(&p, g, sizeof(g)) >= sizeof(g) || *p != '\0' ||
	    strcmp(via, "via") != 0 || *g == '\0')
		return no(why, "is not \"DEST/PREFIX via GATEWAY\" or "
		    "\"default via GATEWAY\"");
	if (strcmp(d, "default") != 0) {
		if ((slash = strchr(d, '/')) == NULL)
			return no(why, "has no /PREFIX after its destination");
		*slash++ = '\0';
		if (nc_ip_parse(d, &net) < 0)
			return no(why, "has a destination that is not an "
			    "IPv4 address");
		if (*slash == '\0' || strlen(slash) > 2 ||
		    (slash[0] == '0' && slash[1] != '\0'))
			return no(why, "has a prefix that is not 0..32");
		for (i = 0; slash[i] != '\0'; i++) {
			if (slash[i] < '0' || slash[i] > '9')
				return no(why, "has a prefix that is not "
				    "0..32");
			len = len * 10 + (slash[i] - '0');
		}
		if (len > 32)
			return no(why, "has a prefix that is not 0..32");
		mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
		if ((net & ~mask) != 0)
			return no(why, "has a destination with bits set past "
			    "its prefix");
	}
	if (nc_ip_parse(g, &hop) < 0)
		return no(why, "has a gateway that is not an IPv4 address");
	if (hop == 0 || hop == 0xffffffffu || (hop >> 24) == 127 ||
	    (hop >> 28) == 14)
		return no(why, "has a gateway that is not a unicast address");
	if (dst != NULL)
		*dst = net;
	if (prefix != NULL)
		*prefix = (int)len;
	if (gw != NULL)
		*gw = hop;
	return 0;
}

int
nc_valid_id(const char *s, unsigned long *id, const char **why)
{
	unsigned long long v = 0;
	size_t i;

	if (*s == '\0')
		return no(why, "is empty");
	for (i = 0; s[i] != '\0'; i++) {
		if (!is_digit((unsigned char)s[i]))
			return no(why, "is not a decimal number");
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > NC_ID_MAX)
			return no(why, "is over 4294967294");
	}
	if (s[0] == '0' && s[1] != '\0')
		return no(why, "has a leading zero");
	if (id != NULL)
		*id = (unsigned long)v;
	return 0;
}

unsigned long
nc_valid_next_id(long long max, unsigned long first)
{
	unsigned long long next = max < 0 ? first : (unsigned long long)max + 1;

	if (next < NC_ID_FIRST)
		next = NC_ID_FIRST;
	return next > NC_ID_MAX ? 0 : (unsigned long)next;
}
