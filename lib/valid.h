/*
 * valid.h: the one rule for each kind of value that reaches the tree, the
 * database or a node's files.  Every importer (NS, tmcc, passwd, JSON),
 * ncfs, ncimage and ncprov (static too) call these, so a value one of them
 * accepts is a value every other accepts: there is no second copy of a
 * rule anywhere (tests/unit/test_valid.c runs one table of cases through
 * each entry point).
 *
 * Every check returns 0 when s follows the rule, or -EINVAL and, when why
 * is not NULL, sets *why to a static phrase saying what is wrong ("is
 * empty", "holds a blank"), to be written after the value.
 */
#ifndef NC_VALID_H
#define NC_VALID_H

#include <stdint.h>

#define NC_LABEL_MAX 63		/* bytes of a DNS label */
#define NC_NAME_MAX NC_LABEL_MAX	/* node, LAN, experiment names */
#define NC_HOSTNAME_MAX 253	/* bytes of a host name */
#define NC_LOGIN_MAX 32		/* bytes of a user or group name */
#define NC_PATH_MAX 4095	/* bytes of a path */
#define NC_IFNAME_MAX 15	/* bytes of a kernel interface name */
#define NC_ATTR_KEY_MAX 63	/* bytes of a node attribute key */
#define NC_IMAGE_NAME_MAX 128	/* bytes of an image (box) name */
#define NC_SHA256_HEX_LEN 64	/* hex digits of a SHA-256 */
#define NC_URL_MAX 2047		/* bytes of a URL */
#define NC_ID_MAX 4294967294UL	/* largest uid or gid ((uid_t)-1 is none) */
#define NC_ID_FIRST 1000UL	/* first uid or gid of a regular account */

/* A DNS label: 1..63 bytes of ASCII letters, digits and '-', not starting
 * or ending with '-'.  Node, LAN, pnode, experiment and project names. */
int nc_valid_label(const char *s, const char **why);
/* A host name: dot-separated labels, 1..253 bytes.  /etc/hosts names and
 * aliases, mount servers (a dotted IPv4 address is one too). */
int nc_valid_hostname(const char *s, const char **why);
/* A user or group name: [a-z_][a-z0-9_.-]*, then an optional final '$',
 * at most 32 bytes. */
int nc_valid_login(const char *s, const char **why);
/* A path: absolute, at most 4095 bytes of printable ASCII without blanks
 * or ':', no "." or ".." component. */
int nc_valid_path(const char *s, const char **why);
/* A home directory: a path (nc_valid_path) other than "/". */
int nc_valid_home(const char *s, const char **why);
/* A login shell: a path (nc_valid_path) other than "/". */
int nc_valid_shell(const char *s, const char **why);
/* A mount's source or target: a path (nc_valid_path) other than "/",
 * without ',' (it goes into mount options). */
int nc_valid_mount_path(const char *s, const char **why);
/* A kernel interface name: 1..15 bytes of printable ASCII other than '/'
 * and ':', not "." or "..". */
int nc_valid_ifname(const char *s, const char **why);
/* A node attribute key (a file name under /nc): 1..63 bytes of letters,
 * digits, '_', ':', '.' and '-', not starting with '.'. */
int nc_valid_attr_key(const char *s, const char **why);
/* An image (Vagrant box) name: 1..128 bytes of letters, digits, '/', '.',
 * '_' and '-'; '/'-separated parts that are not empty and do not start
 * with '.'. */
int nc_valid_image_name(const char *s, const char **why);
/* A Debian package name (an image's package list): 2 to 128 bytes of
 * lowercase letters, digits, '+', '-' and '.', starting with a letter or
 * digit (Debian policy 5.6.1). */
#define NC_PACKAGE_MAX 128
int nc_valid_package(const char *s, const char **why);
/* A pattern of OS names (a line of an image's osnames):
 * 1 to 64 bytes of letters, digits, '.', '_', '+', '-' and the fnmatch(3)
 * characters '*', '?', '[', ']', '!'. */
#define NC_OSNAME_MAX 64
int nc_valid_osname(const char *s, const char **why);
/* An image URL: http:// or https:// and a host, or file:/// and a path;
 * printable ASCII without blanks, under 2048 bytes. */
int nc_valid_url(const char *s, const char **why);
/* A SHA-256 as text: exactly 64 lowercase hex digits. */
int nc_valid_sha256(const char *s, const char **why);
/* A unicast MAC address, not all zeros: "aa:bb:cc:dd:ee:ff" or 12 hex
 * digits, either case.  Its bytes in mac when mac is not NULL. */
int nc_valid_mac(const char *s, uint8_t mac[6], const char **why);
/* An IPv4 address: a.b.c.d, decimal 0..255, no leading zeros.  Host
 * order in *ip when ip is not NULL. */
int nc_valid_ipv4(const char *s, uint32_t *ip, const char **why);
/* A netmask: a dotted quad of contiguous ones.  Host order in *mask when
 * mask is not NULL. */
int nc_valid_netmask(const char *s, uint32_t *mask, const char **why);
/* One static route: "DST/PREFIX via GW" (DST without bits past PREFIX,
 * 0..32) or "default via GW" (0.0.0.0/0), words apart by blanks; GW a
 * unicast address (not 0.0.0.0, 127/8, multicast or broadcast).  The
 * parts, host order, in *dst, *prefix, *gw when not NULL. */
int nc_valid_route(const char *s, uint32_t *dst, int *prefix, uint32_t *gw,
    const char **why);
/* A uid or gid: decimal 0..NC_ID_MAX without sign, blanks or leading
 * zeros.  The number in *id when id is not NULL. */
int nc_valid_id(const char *s, unsigned long *id, const char **why);
/* The uid or gid to give a new account when the largest in use is max
 * (-1 when there is none): first when there is none, else max + 1; never
 * below NC_ID_FIRST (ids below are the system's).  0 when none is left
 * above max. */
unsigned long nc_valid_next_id(long long max, unsigned long first);

#endif
