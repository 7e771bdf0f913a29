/*
 * ssh_keys.c: the files an SSH connection uses (ssh_int.h): the private
 * keys to try (the one given, else ~/.ssh/id_ed25519 then ~/.ssh/id_rsa),
 * checked before connecting (readable, not protected by a passphrase,
 * which neoc cannot ask for), and the known_hosts file.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ssh.h"
#include "ssh_int.h"
#include "util.h"

#define KEY_MAX 65536		/* bytes of a key file we look at */

/* The user's home directory (malloc'd), or NULL. */
static char *
home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (h != NULL && *h != '\0')
		return nc_strdup(h);
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) != 0 ||
	    res == NULL)
		return NULL;
	return nc_strdup(pw.pw_dir);
}

/* The start of file path (at most KEY_MAX bytes, NUL-terminated, in
 * buf): its length, or -1 with errno. */
static ssize_t
head_of(const char *path, char *buf, size_t len)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	if (fd < 0)
		return -1;
	while ((size_t)got < len - 1) {
		n = read(fd, buf + got, len - 1 - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

/*
 * A private key file protected by a passphrase: PEM's "ENCRYPTED" marks,
 * or an OpenSSH key whose cipher is not "none".
 */
static int
encrypted(const char *text)
{
	static const char begin[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
	static const char magic[] = "openssh-key-v1";
	unsigned char raw[64];
	char b64[65];
	const char *p;
	size_t n = 0;
	unsigned int clen;

	if (strstr(text, "ENCRYPTED") != NULL)
		return 1;
	if ((p = strstr(text, begin)) == NULL)
		return 0;
	/* magic NUL, then the cipher's name as an SSH string */
	for (p += sizeof(begin) - 1; *p != '\0' && *p != '-' && n < 64; p++)
		if (*p != '\n' && *p != '\r')
			b64[n++] = *p;
	b64[n] = '\0';
	if (n < 40 || EVP_DecodeBlock(raw, (unsigned char *)b64, 40) < 30)
		return 0;
	if (memcmp(raw, magic, sizeof(magic)) != 0)
		return 0;
	clen = (unsigned)raw[15] << 24 | (unsigned)raw[16] << 16 |
	    (unsigned)raw[17] << 8 | raw[18];
	return !(clen == 4 && memcmp(raw + 19, "none", 4) == 0);
}

/* 0 when path is a private key we can use, else -1 with why. */
static int
usable(const char *path, char *why, size_t whylen)
{
	char *text = nc_malloc(KEY_MAX), eb[128];
	int rc = -1;

	if (head_of(path, text, KEY_MAX) < 0)
		snprintf(why, whylen, "identity %s: %s", path,
		    neoc_ssh_errstr(errno, eb, sizeof(eb)));
	else if (encrypted(text))
		snprintf(why, whylen, "identity %s is protected by a "
		    "passphrase, which neoc cannot ask for: use a key without "
		    "one", path);
	else
		rc = 0;
	free(text);
	return rc;
}

int
neoc_ssh_files(const struct neoc_ssh_opts *o, char ***keys, int *nkeys,
    char **khpath, char *why, size_t whylen)
{
	static const char *const defaults[] = { "id_ed25519", "id_rsa" };
	char *home = NULL, *k, first[512] = "", reason[512];
	size_t i;

	*keys = nc_calloc(2, sizeof(**keys));
	*nkeys = 0;
	*khpath = NULL;
	if (o->known_hosts == NULL || o->identity == NULL) {
		if ((home = home_dir()) == NULL) {
			snprintf(why, whylen, "no home directory for ~/.ssh");
			return -1;
		}
	}
	*khpath = o->known_hosts != NULL ? nc_strdup(o->known_hosts) :
	    nc_asprintf("%s/.ssh/known_hosts", home);
	if (o->identity != NULL) {
		free(home);
		if (usable(o->identity, why, whylen) < 0)
			return -1;
		(*keys)[(*nkeys)++] = nc_strdup(o->identity);
		return 0;
	}
	/* the defaults that exist and can be used; why the first that
	 * cannot when none can */
	for (i = 0; i < 2; i++) {
		k = nc_asprintf("%s/.ssh/%s", home, defaults[i]);
		if (access(k, F_OK) == 0 && usable(k, reason,
		    sizeof(reason)) == 0) {
			(*keys)[(*nkeys)++] = k;
			continue;
		}
		if (access(k, F_OK) == 0 && first[0] == '\0')
			snprintf(first, sizeof(first), "%s", reason);
		free(k);
	}
	if (*nkeys == 0) {
		if (first[0] != '\0')
			snprintf(why, whylen, "%s", first);
		else
			snprintf(why, whylen, "no identity: neither "
			    "%s/.ssh/id_ed25519 nor %s/.ssh/id_rsa exists",
			    home, home);
	}
	free(home);
	return *nkeys > 0 ? 0 : -1;
}

const char *
neoc_ssh_key_hint(const char *key)
{
	char *pub = nc_asprintf("%s.pub", key), head[16];
	int fd = open(pub, O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	free(pub);
	if (fd >= 0) {
		n = read(fd, head, sizeof(head) - 1);
		close(fd);
	}
	if (n > 0)
		head[n] = '\0';
	if ((n > 0 && strncmp(head, "ssh-rsa ", 8) == 0) ||
	    (n <= 0 && strstr(key, "rsa") != NULL))
		return "; libssh2 signs with an RSA key only as ssh-rsa "
		    "(SHA-1), which OpenSSH 8.8 and later refuse: use an "
		    "ed25519 or ECDSA key";
	return "";
}
