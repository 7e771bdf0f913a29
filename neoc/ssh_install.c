/*
 * ssh_install.c: neoc_ssh_install (ssh.h), a file put on a pnode only when
 * it differs.  Two remote commands at most, each a fixed sh -c script whose
 * paths arrive as positional parameters (never as shell text): one prints
 * the SHA-256 and mode of what is there; the other reads the file on its
 * stdin into a mktemp in the same directory, checks its SHA-256, sets the
 * mode and renames it over the path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "digest.h"
#include "ssh.h"
#include "ssh_int.h"
#include "util.h"

/* $1 the path: prints "SHA256 MODE" when it is a file, nothing when absent. */
static const char check_script[] =
	"if [ -f \"$1\" ]; then\n"
	"  h=$(sha256sum -- \"$1\") || exit 1\n"
	"  m=$(stat -c %a -- \"$1\") || exit 1\n"
	"  echo \"${h%% *} $m\"\n"
	"elif [ -e \"$1\" ]; then\n"
	"  echo \"$1 exists and is not a file\" >&2; exit 1\n"
	"fi\n";

/* $1 the path, $2 its directory, $3 the SHA-256, $4 the mode (octal);
 * the contents on stdin. */
static const char put_script[] =
	"set -e\n"
	"mkdir -p -- \"$2\"\n"
	"t=$(mktemp -- \"$1.neoc-XXXXXX\")\n"
	"trap 'rm -f -- \"$t\"' EXIT\n"
	"cat > \"$t\"\n"
	"h=$(sha256sum < \"$t\")\n"
	"if [ \"${h%% *}\" != \"$3\" ]; then\n"
	"  echo \"the copy's SHA-256 differs (changed while copied?)\" >&2\n"
	"  exit 1\n"
	"fi\n"
	"chmod -- \"$4\" \"$t\"\n"
	"mv -f -- \"$t\" \"$1\"\n"
	"trap - EXIT\n";

/* $1 the path, $2 the mode: same contents, another mode. */
static const char mode_script[] = "chmod -- \"$2\" \"$1\"\n";

/* The directory part of a path ("." or "/" when there is none). */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return nc_strdup(".");
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return nc_strdup("/");
	return nc_asprintf("%.*s", (int)(slash - path), path);
}

/* Run script remotely with args, stdin from in_fd; stdout into *out when
 * out is not NULL.  0 when it exited 0, else -1 with err. */
static int
script(struct neoc_ssh *s, const char *what, const char *text,
    const char *const args[], int in_fd, char **out, char *err,
    size_t errlen)
{
	struct nc_buf ob = { 0 }, eb = { 0 };
	struct neoc_ssh_sink o = { .fd = -1, .buf = &ob };
	struct neoc_ssh_sink e = { .fd = -1, .buf = &eb, .max = 65536 };
	char *argv[12], line[256];
	int n = 0, status, rc = -1;

	argv[n++] = "sh";
	argv[n++] = "-c";
	argv[n++] = (char *)text;
	argv[n++] = "neoc-install";
	while (*args != NULL && n < 11)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	nc_buf_add(&ob, "", 0);
	if (neoc_ssh_exec(s, argv, in_fd, &o, &e, 0, &status, err,
	    errlen) < 0)
		goto out;
	if (status != 0) {
		neoc_ssh_last_line(eb.p, line, sizeof(line));
		snprintf(err, errlen, "%s: %s failed (exit %d)%s%s", s->where,
		    what, status, line[0] ? ": " : "", line);
		goto out;
	}
	if (out != NULL) {
		*out = ob.p;
		ob.p = NULL;
	}
	rc = 0;
out:
	nc_buf_free(&ob);
	nc_buf_free(&eb);
	return rc;
}

int
neoc_ssh_install(struct neoc_ssh *s, const char *local, const char *remote,
    int mode, char *err, size_t errlen)
{
	char hex[65], modestr[8], *dir = NULL, *have = NULL, rhash[65];
	unsigned int rmode;
	struct stat st;
	int fd, e, rc = -1;

	if (remote[0] == '\0' || remote[strlen(remote) - 1] == '/' ||
	    (mode & ~07777) != 0) {
		snprintf(err, errlen, "%s: cannot install to \"%s\" with mode "
		    "%o", s->where, remote, (unsigned)mode);
		return -1;
	}
	fd = open(local, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", local, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", local);
		goto out;
	}
	if ((e = nc_sha256_fd(fd, hex)) < 0) {
		snprintf(err, errlen, "%s: %s", local, strerror(-e));
		goto out;
	}
	snprintf(modestr, sizeof(modestr), "%o", (unsigned)mode);
	dir = dir_of(remote);
	if (script(s, "checking the file there", check_script,
	    (const char *const[]){ remote, NULL }, -1, &have, err,
	    errlen) < 0)
		goto out;
	if (sscanf(have, "%64[0-9a-f] %o", rhash, &rmode) == 2 &&
	    strcmp(rhash, hex) == 0) {
		if (rmode == (unsigned)mode) {
			rc = 0;
			goto out;
		}
		if (script(s, "chmod", mode_script, (const char *const[]){
		    remote, modestr, NULL }, -1, NULL, err, errlen) < 0)
			goto out;
		rc = 1;
		goto out;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		snprintf(err, errlen, "%s: %s", local, strerror(errno));
		goto out;
	}
	if (script(s, "copying the file", put_script, (const char *const[]){
	    remote, dir, hex, modestr, NULL }, fd, NULL, err, errlen) < 0)
		goto out;
	rc = 1;
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	free(have);
	return rc;
}
