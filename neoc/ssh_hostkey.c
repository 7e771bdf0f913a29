/*
 * ssh_hostkey.c: known_hosts for the SSH client (ssh_int.h).  OpenSSH's
 * format, read line by line so that a line we do not understand costs only
 * that line: plain, wildcard (* ?) and hashed (|1|salt|hash) host names,
 * negations (!pattern), @revoked keys; @cert-authority lines are ignored.
 * The server's key must equal one of the keys recorded for the host, of any
 * type; a new host's key is appended under an exclusive lock (the rest of
 * the file is never rewritten).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "ssh_int.h"
#include "util.h"

/* What the known_hosts lines say about one host's key. */
enum kh_result {
	KH_UNKNOWN,		/* no line names the host */
	KH_MATCH,		/* a line for the host has this key */
	KH_MISMATCH,		/* lines name the host, none has this key */
	KH_REVOKED,		/* an @revoked line has this key */
};

/* The verdict of a scan. */
struct kh_scan {
	enum kh_result result;	/* the verdict */
	int line;		/* the line deciding it (1-based; 0: none) */
	int same_type;		/* that line has the server's key type */
	struct nc_buf types;	/* " T1 T2 ": the key types known for it */
};

/* Host key algorithms in OpenSSH's order, with the key type each uses. */
static const struct {
	const char *alg;	/* algorithm name in the key exchange */
	const char *type;	/* key type in known_hosts */
} algs[] = {
	{ "ssh-ed25519", "ssh-ed25519" },
	{ "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256" },
	{ "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384" },
	{ "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521" },
	{ "rsa-sha2-512", "ssh-rsa" },
	{ "rsa-sha2-256", "ssh-rsa" },
	{ "ssh-rsa", "ssh-rsa" },
};
#define NALGS (sizeof(algs) / sizeof(algs[0]))

char *
neoc_kh_name(const char *host, int port)
{
	return port == 22 ? nc_strdup(host) : nc_asprintf("[%s]:%d", host,
	    port);
}

/* Append fd's whole contents (from offset 0) to b: 0, or -errno. */
static int
read_fd(int fd, struct nc_buf *b)
{
	char chunk[8192];
	off_t off = 0;
	ssize_t n;

	nc_buf_add(b, "", 0);
	for (;;) {
		n = pread(fd, chunk, sizeof(chunk), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		nc_buf_add(b, chunk, (size_t)n);
		off += n;
	}
}

/* Read path into b (a missing file reads empty): 0, or -errno. */
static int
read_path(const char *path, struct nc_buf *b)
{
	int fd, rc;

	nc_buf_add(b, "", 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = read_fd(fd, b);
	close(fd);
	return rc;
}

/* Decode n base64 characters into out (cap bytes): the length, or -1. */
static int
b64_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
	size_t pad = 0;
	int r;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap)
		return -1;
	r = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (r < 0)
		return -1;
	while (pad < 2 && in[n - 1 - pad] == '=')
		pad++;
	return r - (int)pad;
}

/* Standard base64 of len bytes, padded (malloc'd). */
static char *
b64_encode(const unsigned char *in, size_t len)
{
	char *out = nc_malloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

/* OpenSSH's wildcard match (* and ?), case-insensitive. */
static int
glob_match(const char *s, const char *p)
{
	for (; *p != '\0'; p++, s++) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (*p == '\0')
				return 1;
			for (; *s != '\0'; s++)
				if (glob_match(s, p))
					return 1;
			return 0;
		}
		if (*s == '\0')
			return 0;
		if (*p != '?' && tolower((unsigned char)*p) !=
		    tolower((unsigned char)*s))
			return 0;
	}
	return *s == '\0';
}

/* A hashed name "|1|base64(salt)|base64(HMAC-SHA1(salt, name))". */
static int
hashed_match(const char *pat, const char *name)
{
	unsigned char salt[64], hash[64], mac[EVP_MAX_MD_SIZE];
	const char *s = pat + 3, *bar = strchr(s, '|');
	unsigned int maclen = 0;
	int sl, hl;

	if (bar == NULL)
		return 0;
	sl = b64_decode(s, (size_t)(bar - s), salt, sizeof(salt));
	hl = b64_decode(bar + 1, strlen(bar + 1), hash, sizeof(hash));
	if (sl <= 0 || hl != 20)
		return 0;
	if (HMAC(EVP_sha1(), salt, sl, (const unsigned char *)name,
	    strlen(name), mac, &maclen) == NULL || maclen != 20)
		return 0;
	return memcmp(mac, hash, 20) == 0;
}

/* The hosts field (comma-separated patterns) names name. */
static int
host_matches(const char *field, const char *name)
{
	char *copy = nc_strdup(field), *rest = copy, *p;
	int yes = 0, m, neg;

	while ((p = strsep(&rest, ",")) != NULL) {
		neg = p[0] == '!';
		if (neg)
			p++;
		m = strncmp(p, "|1|", 3) == 0 ? hashed_match(p, name) :
		    glob_match(name, p);
		if (m && neg) {
			yes = 0;
			break;
		}
		if (m)
			yes = 1;
	}
	free(copy);
	return yes;
}

/* " T " is in the list " T1 T2 ". */
static int
has_type(const struct nc_buf *types, const char *type)
{
	char *w = nc_asprintf(" %s ", type);
	int yes = types->p != NULL && strstr(types->p, w) != NULL;

	free(w);
	return yes;
}

/*
 * Scan known_hosts text (modified) for name, the server's key being type /
 * b64; r's types list is filled (free it).
 */
static void
kh_scan(char *text, const char *name, const char *type, const char *b64,
    struct kh_scan *r)
{
	char *line, *next, *f[4], *save, *tok;
	int lineno = 0, bad = 0, bad_same = 0, n, same;

	memset(r, 0, sizeof(*r));
	r->result = KH_UNKNOWN;
	nc_buf_puts(&r->types, " ");
	for (line = text; line != NULL; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		n = 0;
		for (tok = strtok_r(line, " \t\r", &save); tok != NULL && n < 4;
		    tok = strtok_r(NULL, " \t\r", &save))
			f[n++] = tok;
		if (n == 0 || f[0][0] == '#')
			continue;
		if (f[0][0] == '@') {
			/* @revoked HOSTS TYPE KEY, @cert-authority ... */
			if (n < 4 || strcmp(f[0], "@revoked") != 0 ||
			    !host_matches(f[1], name))
				continue;
			if (strcmp(f[3], b64) == 0) {
				r->result = KH_REVOKED;
				r->line = lineno;
				return;
			}
			continue;
		}
		if (n < 3 || !host_matches(f[0], name))
			continue;
		if (!has_type(&r->types, f[1]))
			nc_buf_printf(&r->types, "%s ", f[1]);
		if (strcmp(f[2], b64) == 0) {
			if (r->result != KH_MATCH) {
				r->result = KH_MATCH;
				r->line = lineno;
				r->same_type = 1;
			}
			continue;
		}
		same = strcmp(f[1], type) == 0;
		if (bad == 0 || (same && !bad_same)) {
			bad = lineno;
			bad_same = same;
		}
	}
	if (r->result == KH_UNKNOWN && bad != 0) {
		r->result = KH_MISMATCH;
		r->line = bad;
		r->same_type = bad_same;
	}
}

/* The key type named at the start of a key blob (malloc'd). */
static char *
blob_type(const unsigned char *blob, size_t len)
{
	uint32_t n, i;

	if (len < 4)
		return nc_strdup("unknown");
	n = (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 |
	    (uint32_t)blob[2] << 8 | blob[3];
	if (n == 0 || n > 64 || n > len - 4)
		return nc_strdup("unknown");
	for (i = 0; i < n; i++)
		if (!isgraph(blob[4 + i]))
			return nc_strdup("unknown");
	return nc_asprintf("%.*s", (int)n, (const char *)blob + 4);
}

/* "SHA256:..." as ssh-keygen -l shows it. */
static void
fingerprint(const unsigned char *blob, size_t len, char *fp, size_t fplen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *b, *eq;

	if (EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		snprintf(fp, fplen, "SHA256:?");
		return;
	}
	b = b64_encode(md, mdlen);
	if ((eq = strchr(b, '=')) != NULL)
		*eq = '\0';
	snprintf(fp, fplen, "SHA256:%s", b);
	free(b);
}

/* The refusal for a scan that is neither a match nor unknown. */
static void
refusal(const struct kh_scan *r, const char *path, const char *name,
    const char *type, const char *fp, char *why, size_t whylen)
{
	if (r->result == KH_REVOKED)
		snprintf(why, whylen, "host key %s %s is revoked (%s line %d)",
		    type, fp, path, r->line);
	else
		snprintf(why, whylen, "host key mismatch (%s line %d): the "
		    "server's %s key is %s; if it changed on purpose, remove "
		    "the old one: ssh-keygen -R '%s' -f %s", path, r->line,
		    type, fp, name, path);
}

/* Write all of s to fd: 0, or -errno. */
static int
write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Open path for appending, creating it (and its directory, 0700). */
static int
open_append(const char *path)
{
	char *dir, *slash;
	int fd;

	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	dir = nc_strdup(path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			free(dir);
			return -1;
		}
	}
	free(dir);
	return open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

/*
 * Append "name type b64" to path under an exclusive lock, unless the file
 * (read again under the lock) now records the host: 0, or -1 with why.
 */
static int
learn(const char *path, const char *name, const char *type, const char *b64,
    const char *fp, char *why, size_t whylen)
{
	struct nc_buf text = { 0 };
	struct kh_scan r = { 0 };
	char *line = NULL;
	int fd, e, rc = -1, nl;

	if ((fd = open_append(path)) < 0) {
		snprintf(why, whylen, "cannot create %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			snprintf(why, whylen, "cannot lock %s: %s", path,
			    strerror(errno));
			goto out;
		}
	if ((e = read_fd(fd, &text)) < 0) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(-e));
		goto out;
	}
	nl = text.len > 0 && text.p[text.len - 1] != '\n';
	kh_scan(text.p, name, type, b64, &r);
	if (r.result == KH_MATCH) {
		rc = 0;
		goto out;
	}
	if (r.result != KH_UNKNOWN) {
		refusal(&r, path, name, type, fp, why, whylen);
		goto out;
	}
	line = nc_asprintf("%s%s %s %s\n", nl ? "\n" : "", name, type, b64);
	if ((e = write_all(fd, line, strlen(line))) < 0) {
		snprintf(why, whylen, "cannot write %s: %s", path,
		    strerror(-e));
		goto out;
	}
	rc = 0;
out:
	if (close(fd) < 0 && rc == 0) {
		snprintf(why, whylen, "cannot write %s: %s", path,
		    strerror(errno));
		rc = -1;
	}
	free(line);
	nc_buf_free(&r.types);
	nc_buf_free(&text);
	return rc;
}

int
neoc_kh_verify(const char *path, const char *name, const unsigned char *blob,
    size_t len, int accept_new, char *why, size_t whylen)
{
	struct nc_buf text = { 0 };
	struct kh_scan r = { 0 };
	char *type = blob_type(blob, len), *b64 = b64_encode(blob, len);
	char fp[64];
	int rc = -1, e;

	fingerprint(blob, len, fp, sizeof(fp));
	if ((e = read_path(path, &text)) < 0) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(-e));
		goto out;
	}
	kh_scan(text.p, name, type, b64, &r);
	switch (r.result) {
	case KH_MATCH:
		rc = 0;
		break;
	case KH_UNKNOWN:
		if (accept_new)
			rc = learn(path, name, type, b64, fp, why, whylen);
		else
			snprintf(why, whylen, "unknown host key %s %s (%s has "
			    "no key for %s)", type, fp, path, name);
		break;
	default:
		refusal(&r, path, name, type, fp, why, whylen);
		break;
	}
out:
	nc_buf_free(&r.types);
	nc_buf_free(&text);
	free(type);
	free(b64);
	return rc;
}

/* alg is one of supported[0..n-1]. */
static int
is_supported(const char *alg, const char *const *supported, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(alg, supported[i]) == 0)
			return 1;
	return 0;
}

char *
neoc_kh_prefs(const char *path, const char *name,
    const char *const *supported, int nsupported)
{
	struct nc_buf text = { 0 }, out = { 0 };
	struct kh_scan r = { 0 };
	int pass;
	size_t i;

	if (read_path(path, &text) < 0)
		nc_buf_reset(&text);
	nc_buf_add(&text, "", 0);
	kh_scan(text.p, name, "", "", &r);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < NALGS; i++)
			if (has_type(&r.types, algs[i].type) == (pass == 0) &&
			    is_supported(algs[i].alg, supported, nsupported))
				nc_buf_printf(&out, "%s%s", out.len ? "," : "",
				    algs[i].alg);
	nc_buf_free(&r.types);
	nc_buf_free(&text);
	return out.p;
}
