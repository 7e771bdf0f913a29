/*
 * pnode_rootfs.c: the image builds a pnode clones its lxc containers from
 * (pnode_rootfs.h; docs/DESIGN.md, "Images on a pnode").
 *
 * Each build is made once per pnode and recipe: Debian with mmdebstrap
 * (minbase, from the pnode's own apt sources, the image's packages and
 * tini, which runs a container's boot script as its init), busybox with
 * the LXC busybox template run once into the build directory.  The build
 * is made aside (<id>.part, removed first when a run was cut short) under
 * an flock of <image>/.lock, and renamed into place when complete, so a
 * build directory that exists is whole.  Its manifest says what it is:
 * name, build id, kind, suite, packages, build date and time taken, and
 * the SHA-256 of the file that identifies its contents
 * (var/lib/dpkg/status, which lists every package and version installed;
 * bin/busybox for busybox), computed with sha256sum (ncprov links libc
 * only).  The id is the FNV-1a 64 (lib/hash.h) of the recipe text.
 * <image>/current names the latest build; a build that is not current and
 * that no container's NCP_BUILD_FILE names is removed by
 * ncp_builds_prune.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "hash.h"
#include "pnode.h"
#include "pnode_rootfs.h"
#include "run.h"
#include "util.h"
#include "valid.h"

#define STEP "images"
#define PRUNE_DEPTH 8		/* image names nest at most this deep */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* May programs run (not --dry-run, nor --root with --no-start)? */
static int
may_run(const struct ncprov *p)
{
	return !p->dry_run && !(p->root[0] != '\0' && p->no_start);
}

/* Is path (not under root) there? */
static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Where the builds are: --images, or root + NCP_IMAGES_DIR (a static
 * string, remade per run). */
static const char *
images_dir(struct ncprov *p)
{
	static char *dir;

	free(dir);
	dir = p->images != NULL ? nc_strdup(p->images) :
	    ncp_path(p, NCP_IMAGES_DIR);
	return dir;
}

/* The package list of the text list (one a line, blanks around ignored)
 * plus tini, sorted and unique, into b; b->bad set on a bad name. */
static void
packages(struct ncp_build *b, const char *list)
{
	size_t cap = 0, i, k;
	const char *s, *e;
	const char *why;

	*NC_PUSH(b->pkgs, b->npkgs, cap) = nc_strdup("tini");
	for (s = list; s != NULL && *s != '\0'; s = *e ? e + 1 : e) {
		const char *a = s;

		e = strchr(s, '\n');
		if (e == NULL)
			e = s + strlen(s);
		while (a < e && (*a == ' ' || *a == '\t'))
			a++;
		size_t n = (size_t)(e - a);

		while (n > 0 && (a[n - 1] == ' ' || a[n - 1] == '\t' ||
		    a[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		char *name = nc_asprintf("%.*s", (int)n, a);

		if (b->bad == NULL && nc_valid_package(name, &why) < 0)
			b->bad = nc_asprintf("image %s: package \"%s\" %s",
			    b->name, name, why);
		*NC_PUSH(b->pkgs, b->npkgs, cap) = name;
	}
	qsort(b->pkgs, b->npkgs, sizeof(*b->pkgs), cmp_str);
	for (i = k = 0; i < b->npkgs; i++) {
		if (k > 0 && strcmp(b->pkgs[k - 1], b->pkgs[i]) == 0) {
			free(b->pkgs[i]);
			continue;
		}
		b->pkgs[k++] = b->pkgs[i];
	}
	b->npkgs = k;
}

void
ncp_build_of(struct ncprov *p, const struct ncp_guest *g,
    struct ncp_build *b)
{
	struct nc_buf r = { 0 };
	const char *why;
	size_t i;

	memset(b, 0, sizeof(*b));
	if (g->image_url[0] == '\0' && strcmp(g->image_type, "rootfs") == 0 &&
	    strncmp(g->image_os, "debian", 6) == 0 &&
	    nc_valid_image_name(g->image, &why) == 0) {
		b->kind = NCP_ROOTFS_DEBIAN;
		b->name = nc_strdup(g->image);
		b->suite = nc_strdup(g->image_version[0] ? g->image_version :
		    NCP_DEBIAN_SUITE);
		for (i = 0; b->suite[i] != '\0'; i++)
			if (!(b->suite[i] >= 'a' && b->suite[i] <= 'z') &&
			    !(b->suite[i] >= '0' && b->suite[i] <= '9') &&
			    b->suite[i] != '-' && b->bad == NULL)
				b->bad = nc_asprintf("image %s: version \"%s\" "
				    "is not a Debian suite", b->name,
				    b->suite);
		packages(b, g->packages);
		nc_buf_printf(&r, "kind debian\nsuite %s\n", b->suite);
		for (i = 0; i < b->npkgs; i++)
			nc_buf_printf(&r, "package %s\n", b->pkgs[i]);
	} else {
		b->kind = NCP_ROOTFS_BUSYBOX;
		b->name = nc_strdup("busybox");
		nc_buf_puts(&r, "kind busybox\n");
	}
	b->recipe = nc_strdup(nc_buf_str(&r));
	snprintf(b->id, sizeof(b->id), "%016llx", (unsigned long long)
	    nc_fnv64_str(NC_FNV64_BASIS, b->recipe));
	b->top = nc_asprintf("%s/%s", images_dir(p), b->name);
	b->dir = nc_asprintf("%s/%s", b->top, b->id);
	nc_buf_free(&r);
}

void
ncp_build_free(struct ncp_build *b)
{
	size_t i;

	free(b->name);
	free(b->suite);
	for (i = 0; i < b->npkgs; i++)
		free(b->pkgs[i]);
	free(b->pkgs);
	free(b->recipe);
	free(b->top);
	free(b->dir);
	free(b->bad);
	memset(b, 0, sizeof(*b));
}

int
ncp_build_ready(const struct ncp_build *b)
{
	char *m = nc_asprintf("%s/manifest", b->dir);
	int yes = exists(m);

	free(m);
	return yes;
}

/* Run argv (argv[0] a bare name) with its output to out_fd (-1:
 * captured into cap); its exit status, or -errno, the reason in why. */
static int
run(char **argv, int out_fd, struct nc_buf *cap, int timeout_ms, char *why,
    size_t len)
{
	char *name = argv[0], *line = ncp_argv_str(argv);
	int rc;

	if ((argv[0] = ncp_which(name)) == NULL) {
		snprintf(why, len, "%s: no %s command", line, name);
		argv[0] = name;
		free(line);
		return -ENOENT;
	}
	fflush(stdout);
	fflush(stderr);
	rc = ncp_run(&(struct ncp_cmd){ .argv = argv, .out_fd = out_fd,
	    .capture = cap, .timeout_ms = timeout_ms });
	free(argv[0]);
	argv[0] = name;
	if (rc != 0) {
		if (cap != NULL)
			while (cap->len > 0 && strchr(" \t\n",
			    cap->p[cap->len - 1]) != NULL)
				cap->p[--cap->len] = '\0';
		snprintf(why, len, "%s: %s%s%s", line, rc < 0 ?
		    strerror(-rc) : rc == 0 ? "" : "failed", cap && cap->len ?
		    ": " : (out_fd >= 0 ? " (its output above)" : ""),
		    cap ? nc_buf_str(cap) : "");
		if (rc > 0)
			rc = -EIO;
	}
	free(line);
	return rc;
}

/* rm -rf path (not under root); 0 or -errno.  A program of a build cut
 * short (a template script whose ncprov was killed) may still be writing
 * into it, and rm then finds a directory not empty: up to 10 tries, a
 * second apart. */
static int
remove_tree(const char *path, char *why, size_t len)
{
	char *argv[] = { "rm", "-rf", "--one-file-system", (char *)path,
	    NULL };
	struct nc_buf out = { 0 };
	struct timespec pause = { 1, 0 };
	int rc = 0, tries;

	for (tries = 0; tries < 10 && exists(path); tries++) {
		if (tries > 0)
			nanosleep(&pause, NULL);
		nc_buf_reset(&out);
		rc = run(argv, -1, &out, 600 * 1000, why, len);
		if (rc == 0)
			break;
	}
	nc_buf_free(&out);
	return rc;
}

/* Write path (not under root) with data, atomically enough: a temporary
 * beside it renamed.  0 or -errno. */
static int
write_file(const char *path, const char *data)
{
	char *tmp = nc_asprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	int rc = 0;

	if (f == NULL) {
		rc = -errno;
		goto cleanup;
	}
	if (fputs(data, f) == EOF)
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
cleanup:
	free(tmp);
	return rc;
}

/* The LXC lines of a debian build's containers. */
static const char debian_config[] =
    "lxc.include = /usr/share/lxc/config/debian.common.conf\n"
    "lxc.tty.max = 0\n"
    "# no init system: tini runs the boot script the pnode puts in\n"
    "# /etc/neoc/boot; lxc-stop's SIGTERM ends it, and the container\n"
    "lxc.init.cmd = /usr/bin/tini -- /bin/sh /etc/neoc/boot\n"
    "lxc.signal.halt = SIGTERM\n"
    "lxc.signal.stop = SIGKILL\n"
    "lxc.mount.entry = tmpfs run tmpfs nosuid,nodev,mode=0755,size=16m "
    "0 0\n";

/* Keep the lines of the busybox template's config that are not per
 * container (rootfs, hostname, network). */
static char *
busybox_config(const char *text)
{
	struct nc_buf b = { 0 };
	const char *s, *e;

	for (s = text; *s != '\0'; s = *e ? e + 1 : e) {
		e = strchr(s, '\n');
		if (e == NULL)
			e = s + strlen(s);
		if (strncmp(s, "lxc.rootfs.path", 15) == 0 ||
		    strncmp(s, "lxc.uts.name", 12) == 0 ||
		    strncmp(s, "lxc.net.", 8) == 0)
			continue;
		nc_buf_add(&b, s, (size_t)(e - s));
		nc_buf_puts(&b, "\n");
	}
	return nc_strdup(nc_buf_str(&b));
}

/* Make the build's contents in part; 0 or -errno (why). */
static int
build_into(struct ncprov *p, struct ncp_build *b, const char *part,
    char *why, size_t len)
{
	struct nc_buf inc = { 0 }, out = { 0 }, mf = { 0 }, tx = { 0 };
	char *rootfs = nc_asprintf("%s/rootfs", part), *f = NULL;
	char *base = NULL, *conf = NULL, stamp[32];
	const char *ident;
	time_t t0 = time(NULL), t1;
	size_t i;
	int rc, ex;

	if (b->kind == NCP_ROOTFS_DEBIAN) {
		nc_buf_puts(&inc, "--include=");
		for (i = 0; i < b->npkgs; i++)
			nc_buf_printf(&inc, "%s%s", i ? "," : "", b->pkgs[i]);
		char *argv[] = { "mmdebstrap", "--variant=minbase",
		    inc.p, b->suite, rootfs, NULL };

		ncp_report(p, STEP, "building %s (%s) with mmdebstrap: %zu "
		    "packages", b->name, b->id, b->npkgs);
		fflush(stdout);
		if ((rc = run(argv, STDOUT_FILENO, NULL, NCP_BUILD_TIMEOUT_MS,
		    why, len)) < 0)
			goto cleanup;
		conf = nc_strdup(debian_config);
		ident = "var/lib/dpkg/status";
	} else {
		char *argv[] = { "lxc-create", "-P", (char *)part, "-n",
		    "base", "-t", "busybox", NULL };

		ncp_report(p, STEP, "building %s (%s) with the lxc busybox "
		    "template", b->name, b->id);
		if ((rc = run(argv, STDOUT_FILENO, NULL, 600 * 1000, why,
		    len)) < 0)
			goto cleanup;
		base = nc_asprintf("%s/base/rootfs", part);
		if (rename(base, rootfs) < 0) {
			rc = -errno;
			snprintf(why, len, "rename %s: %s", base,
			    strerror(errno));
			goto cleanup;
		}
		free(base);
		base = nc_asprintf("%s/base/config", part);
		{
			struct ncprov bare = { .root = "" };

			if ((rc = ncp_read_local(&bare, base, &tx, &ex)) < 0 ||
			    !ex) {
				snprintf(why, len, "%s: %s", base, rc < 0 ?
				    strerror(-rc) : "not written by "
				    "lxc-create");
				rc = rc < 0 ? rc : -EIO;
				goto cleanup;
			}
		}
		conf = busybox_config(nc_buf_str(&tx));
		free(base);
		base = nc_asprintf("%s/base", part);
		if ((rc = remove_tree(base, why, len)) < 0)
			goto cleanup;
		ident = "bin/busybox";
	}
	t1 = time(NULL);
	f = nc_asprintf("%s/config", part);
	nc_buf_reset(&tx);
	nc_buf_printf(&tx, "# image %s, build %s: the LXC lines of every "
	    "container cloned from it (written by ncprov pnode)\n%s",
	    b->name, b->id, conf);
	if ((rc = write_file(f, nc_buf_str(&tx))) < 0) {
		snprintf(why, len, "%s: %s", f, strerror(-rc));
		goto cleanup;
	}
	free(f);
	f = nc_asprintf("%s/recipe", part);
	if ((rc = write_file(f, b->recipe)) < 0) {
		snprintf(why, len, "%s: %s", f, strerror(-rc));
		goto cleanup;
	}
	free(f);
	f = nc_asprintf("%s/%s", rootfs, ident);
	{
		char *argv[] = { "sha256sum", f, NULL };

		if ((rc = run(argv, -1, &out, 60 * 1000, why, len)) < 0)
			goto cleanup;
	}
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t1));
	nc_buf_printf(&mf, "name %s\nbuild %s\nkind %s\n", b->name, b->id,
	    b->kind == NCP_ROOTFS_DEBIAN ? "debian" : "busybox");
	if (b->suite != NULL)
		nc_buf_printf(&mf, "suite %s\n", b->suite);
	nc_buf_puts(&mf, "packages");
	for (i = 0; i < b->npkgs; i++)
		nc_buf_printf(&mf, " %s", b->pkgs[i]);
	nc_buf_printf(&mf, "\nbuilt %s\nseconds %lld\nsha256 %.64s %s\n",
	    stamp, (long long)(t1 - t0), nc_buf_str(&out), ident);
	free(f);
	f = nc_asprintf("%s/manifest", part);
	if ((rc = write_file(f, nc_buf_str(&mf))) < 0) {
		snprintf(why, len, "%s: %s", f, strerror(-rc));
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(rootfs);
	free(f);
	free(base);
	free(conf);
	nc_buf_free(&inc);
	nc_buf_free(&out);
	nc_buf_free(&mf);
	nc_buf_free(&tx);
	return rc;
}

/* Make top/current name b; 0 or -errno. */
static int
set_current(struct ncprov *p, struct ncp_build *b)
{
	struct ncprov bare = { .root = "", .dry_run = p->dry_run };
	char *f = nc_asprintf("%s/current", b->top);
	char *data = nc_asprintf("%s\n", b->id);
	int rc = ncp_replace(&bare, f, data, strlen(data), 0644, 0, 0);

	free(f);
	free(data);
	return rc < 0 ? rc : 0;
}

int
ncp_build_make(struct ncprov *p, struct ncp_build *b, char *why,
    size_t len)
{
	char *lock = NULL, *part = NULL;
	int fd = -1, rc, said = 0;
	time_t t0;

	snprintf(why, len, "%s", "");
	if (b->bad != NULL) {
		snprintf(why, len, "%s", b->bad);
		return -EINVAL;
	}
	if (ncp_build_ready(b))
		return may_run(p) ? set_current(p, b) : 0;
	if (!may_run(p)) {
		ncp_report(p, STEP, "would build %s (%s) into %s", b->name,
		    b->id, b->dir);
		return 1;
	}
	{
		struct ncprov bare = { .root = "" };

		if ((rc = ncp_mkdirs(&bare, b->top, 0755)) < 0) {
			snprintf(why, len, "mkdir %s: %s", b->top,
			    strerror(-rc));
			goto cleanup;
		}
	}
	lock = nc_asprintf("%s/.lock", b->top);
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		rc = -errno;
		snprintf(why, len, "%s: %s", lock, strerror(errno));
		goto cleanup;
	}
	for (t0 = time(NULL); flock(fd, LOCK_EX | LOCK_NB) < 0;) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = -errno;
			snprintf(why, len, "flock %s: %s", lock,
			    strerror(errno));
			goto cleanup;
		}
		if (time(NULL) - t0 > NCP_BUILD_TIMEOUT_MS / 1000) {
			rc = -ETIMEDOUT;
			snprintf(why, len, "%s: another build held it for "
			    "%d s", lock, NCP_BUILD_TIMEOUT_MS / 1000);
			goto cleanup;
		}
		if (!said++)
			ncp_report(p, STEP, "waiting for another build of %s",
			    b->name);
		sleep(1);
	}
	if (ncp_build_ready(b)) {	/* the other run built it */
		rc = set_current(p, b);
		goto cleanup;
	}
	part = nc_asprintf("%s.part", b->dir);
	if ((rc = remove_tree(part, why, len)) < 0)
		goto cleanup;
	if (mkdir(part, 0755) < 0) {
		rc = -errno;
		snprintf(why, len, "mkdir %s: %s", part, strerror(errno));
		goto cleanup;
	}
	t0 = time(NULL);
	if ((rc = build_into(p, b, part, why, len)) < 0)
		goto cleanup;
	if (rename(part, b->dir) < 0) {
		rc = -errno;
		snprintf(why, len, "rename %s: %s", part, strerror(errno));
		goto cleanup;
	}
	if ((rc = set_current(p, b)) < 0) {
		snprintf(why, len, "%s/current: %s", b->top, strerror(-rc));
		goto cleanup;
	}
	ncp_report(p, STEP, "built %s (%s) in %lld s: %s", b->name, b->id,
	    (long long)(time(NULL) - t0), b->dir);
cleanup:
	if (rc < 0 && part != NULL) {
		char ignored[256];

		remove_tree(part, ignored, sizeof(ignored));
	}
	if (fd >= 0)
		close(fd);	/* and the lock with it */
	free(lock);
	free(part);
	return rc;
}

/* The builds the containers under lxcpath record ("IMAGE ID" lines). */
static void
recorded(const char *lxcpath, struct nc_buf *out)
{
	struct ncprov bare = { .root = "" };
	struct nc_buf one = { 0 };
	struct dirent *de;
	DIR *d = opendir(lxcpath);
	int ex;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *f = nc_asprintf("%s/%s/" NCP_BUILD_FILE, lxcpath,
		    de->d_name);

		nc_buf_reset(&one);
		if (ncp_read_local(&bare, f, &one, &ex) == 0 && ex) {
			nc_buf_puts(out, nc_buf_str(&one));
			if (one.len > 0 && one.p[one.len - 1] != '\n')
				nc_buf_puts(out, "\n");
		}
		free(f);
	}
	closedir(d);
	nc_buf_free(&one);
}

/* Is s 16 lowercase hex digits? */
static int
is_id(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 16;
}

/* Prune under dir, the image called name ("" at the top). */
static int
prune_dir(struct ncprov *p, const char *dir, const char *name,
    const char *used, int depth)
{
	struct ncprov bare = { .root = "" };
	struct nc_buf cur = { 0 };
	struct dirent *de;
	char *f = nc_asprintf("%s/current", dir), why[512];
	int ex = 0, n = 0, rc;
	DIR *d;

	if (name[0] != '\0')
		ncp_read_local(&bare, f, &cur, &ex);
	free(f);
	while (cur.len > 0 && cur.p[cur.len - 1] == '\n')
		cur.p[--cur.len] = '\0';
	if ((d = opendir(dir)) == NULL) {
		nc_buf_free(&cur);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		char *sub, *line;

		if (de->d_name[0] == '.')
			continue;
		sub = nc_asprintf("%s/%s", dir, de->d_name);
		if (ex && is_id(de->d_name)) {
			line = nc_asprintf("\n%s %s\n", name, de->d_name);
			if (strcmp(de->d_name, nc_buf_str(&cur)) != 0 &&
			    strstr(used, line) == NULL) {
				if ((rc = remove_tree(sub, why,
				    sizeof(why))) < 0)
					fprintf(stderr, "ncprov: %s\n", why);
				else {
					ncp_report(p, STEP, "removed the old "
					    "build %s of %s", de->d_name,
					    name);
					n++;
				}
			}
			free(line);
		} else if (!ex && depth < PRUNE_DEPTH) {
			struct stat st;

			if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
				char *nm = name[0] ? nc_asprintf("%s/%s",
				    name, de->d_name) :
				    nc_strdup(de->d_name);

				n += prune_dir(p, sub, nm, used, depth + 1);
				free(nm);
			}
		}
		free(sub);
	}
	closedir(d);
	nc_buf_free(&cur);
	return n;
}

int
ncp_builds_prune(struct ncprov *p, const char *lxcpath)
{
	struct nc_buf used = { 0 };
	char *top;
	int n;

	if (!may_run(p))
		return 0;
	top = nc_strdup(images_dir(p));
	/* "\n" first, so every line is found as "\nIMAGE ID\n" */
	nc_buf_puts(&used, "\n");
	recorded(lxcpath, &used);
	n = prune_dir(p, top, "", nc_buf_str(&used), 0);
	free(top);
	nc_buf_free(&used);
	return n;
}
