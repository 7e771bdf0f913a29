/*
 * test_accounts.c: the groups and accounts steps of ncprov container
 * (provision/container/accounts.c) and the colon files under them (pwfile.c).
 *
 * The steps read a fake tree (an ops table over in-memory strings) and
 * write a temporary --root holding a busybox-like /etc: passwd with root,
 * daemon and a hand-made user "hand" (uid 1500), group, shadow, a skeleton.
 * Every case compares whole files byte for byte.  Run as root to check
 * owners too (they are skipped otherwise).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "atomic.h"
#include "files.h"
#include "hash.h"
#include "pwfile.h"
#include "container_steps.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define SLOW 10			/* sanitizers: budgets times this */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOW 10
#endif
#endif
#ifndef SLOW
#define SLOW 1
#endif

#define NODE "c1"
#define RACES 50		/* rounds of the concurrency test */
#define MANY 1000		/* users of the timing test */

/* ---- a fake tree ---- */

/* The tree: files by path, directories implied by the paths. */
struct fake {
	char **paths;		/* "nodes/c1/passwd" */
	char **data;		/* their contents */
	size_t n;		/* files */
	size_t cap;		/* allocated */
	unsigned long long requests; /* reads and lists so far */
};

static long
fake_find(const struct fake *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->paths[i], path) == 0)
			return (long)i;
	return -1;
}

/* Is there a file under dir/? */
static int
fake_has_dir(const struct fake *f, const char *dir)
{
	size_t i, n = strlen(dir);

	for (i = 0; i < f->n; i++)
		if (strncmp(f->paths[i], dir, n) == 0 && f->paths[i][n] == '/')
			return 1;
	return 0;
}

/*
 * nodes/<node>/sshkeys as ncfs renders it from the keys/<user> entries of
 * the fake tree: "<user> <key>" per line.
 */
static int
fake_sshkeys(struct fake *f, struct nc_buf *out)
{
	char *pre = nc_asprintf("nodes/%s/keys/", NODE);
	const char *s, *nl;
	size_t i, plen = strlen(pre);

	for (i = 0; i < f->n; i++) {
		if (strncmp(f->paths[i], pre, plen) != 0)
			continue;
		for (s = f->data[i]; *s != '\0'; s = *nl ? nl + 1 : nl) {
			nl = strchr(s, '\n');
			if (nl == NULL)
				nl = s + strlen(s);
			nc_buf_printf(out, "%s %.*s\n", f->paths[i] + plen,
			    (int)(nl - s), s);
		}
	}
	free(pre);
	return 0;
}

static int
fake_read(void *impl, const char *path, struct nc_buf *out)
{
	struct fake *f = impl;
	long i = fake_find(f, path);

	f->requests++;
	if (i < 0 && strstr(path, "/sshkeys") != NULL)
		return fake_sshkeys(f, out);
	if (i < 0)
		return fake_has_dir(f, path) ? -EISDIR : -ENOENT;
	nc_buf_puts(out, f->data[i]);
	return 0;
}

static int
fake_list(void *impl, const char *path, char ***names, size_t *n)
{
	struct fake *f = impl;
	size_t i, j, cap = 0, len = strlen(path);
	const char *rest, *slash;
	char *name;

	f->requests++;
	*names = NULL;
	*n = 0;
	if (!fake_has_dir(f, path))
		return fake_find(f, path) >= 0 ? -ENOTDIR : -ENOENT;
	for (i = 0; i < f->n; i++) {
		if (strncmp(f->paths[i], path, len) != 0 ||
		    f->paths[i][len] != '/')
			continue;
		rest = f->paths[i] + len + 1;
		slash = strchr(rest, '/');
		name = slash ? strndup(rest, (size_t)(slash - rest)) :
		    strdup(rest);
		for (j = 0; j < *n; j++)
			if (strcmp((*names)[j], name) == 0)
				break;
		if (j < *n)
			free(name);
		else
			*NC_PUSH(*names, *n, cap) = name;
	}
	return 0;
}

static int
fake_is_dir(void *impl, const char *path)
{
	struct fake *f = impl;

	if (fake_has_dir(f, path))
		return 1;
	return fake_find(f, path) >= 0 ? 0 : -ENOENT;
}

/* Set nodes/c1/rel (NULL text: remove it). */
static void
fake_set(struct fake *f, const char *rel, const char *text)
{
	char *path = nc_asprintf("nodes/%s/%s", NODE, rel);
	long i = fake_find(f, path);

	if (text == NULL) {
		if (i >= 0) {
			free(f->paths[i]);
			free(f->data[i]);
			f->paths[i] = f->paths[f->n - 1];
			f->data[i] = f->data[f->n - 1];
			f->n--;
		}
		free(path);
		return;
	}
	if (i >= 0) {
		free(f->data[i]);
		f->data[i] = nc_strdup(text);
		free(path);
		return;
	}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->paths = nc_realloc(f->paths, f->cap * sizeof(*f->paths));
		f->data = nc_realloc(f->data, f->cap * sizeof(*f->data));
	}
	f->paths[f->n] = path;
	f->data[f->n++] = nc_strdup(text);
}

static int
fake_write(void *impl, const char *path, const char *data, size_t len)
{
	(void)impl;
	(void)path;
	(void)data;
	(void)len;
	return 0;
}

static unsigned long long
fake_requests(void *impl)
{
	return ((struct fake *)impl)->requests;
}

static void
fake_close(void *impl)
{
	struct fake *f = impl;
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->paths[i]);
		free(f->data[i]);
	}
	free(f->paths);
	free(f->data);
	memset(f, 0, sizeof(*f));
}

static const struct ncp_source_ops fake_ops = {
	.read = fake_read, .list = fake_list, .is_dir = fake_is_dir,
	.write = fake_write, .requests = fake_requests,
	.close = fake_close,
};

/* ---- the fixture ---- */

#define BASE_PASSWD \
	"root:x:0:0:root:/root:/bin/sh\n" \
	"daemon:x:1:1:daemon:/usr/sbin:/bin/false\n" \
	"# made by hand\n" \
	"hand:x:1500:1500:Hand Made:/home/hand:/bin/sh\n"
#define BASE_GROUP \
	"root:x:0:\n" \
	"daemon:x:1:\n" \
	"users:x:100:\n" \
	"\n" \
	"hand:x:1500:\n"
#define BASE_SHADOW \
	"root::10933:0:99999:7:::\n" \
	"daemon:*:10933:0:99999:7:::\n" \
	"hand:$1$abc$def:19000:0:99999:7:::\n"

#define ALICE "alice:x:20001:6001:Alice Liddell:/home/alice:/bin/sh\n"
#define BOB "bob:x:20002:6001:Bob Brown:/users/bob:/bin/sh\n"
#define ALICE_SH "alice:$6$salt$hash::0:99999:7:::\n"
#define BOB_SH "bob:*::0:99999:7:::\n"
#define ALICE_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1 alice@laptop\n"

/* The tree of the first run.  daemon and the group users are system
 * entries here: left alone. */
#define TREE_PASSWD ALICE BOB \
	"daemon:x:1:1:Tree Daemon:/tmp:/bin/sh\n"
#define TREE_GROUP \
	"proj:x:6001:\n" \
	"lab:x:6002:alice,bob\n" \
	"users:x:100:alice\n"
#define TREE_SHADOW ALICE_SH BOB_SH "daemon:::0:99999:7:::\n"

/* What the first run gives. */
#define WANT_PASSWD BASE_PASSWD ALICE BOB
#define WANT_GROUP BASE_GROUP "proj:x:6001:\nlab:x:6002:alice,bob\n"
#define WANT_SHADOW BASE_SHADOW ALICE_SH BOB_SH
#define WANT_STATE "group proj\ngroup lab\nuser alice\nuser bob\n"

static char g_root[64];		/* the --root of the running case */
static struct fake g_tree;	/* its tree */
static struct ncprov g_p;	/* its ncprov */

static char *
rpath(const char *abs)
{
	return nc_asprintf("%s%s", g_root, abs);
}

static void
put(const char *abs, const char *text, mode_t mode)
{
	char *path = rpath(abs);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

static void
mkd(const char *abs, mode_t mode)
{
	char *path = rpath(abs);

	assert_int_equal(mkdir(path, mode), 0);
	free(path);
}

/* The whole local file (NULL when missing), malloc'd. */
static char *
get(const char *abs)
{
	char *path = rpath(abs);
	struct nc_buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	free(path);
	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		nc_buf_add(&b, chunk, n);
	fclose(f);
	if (b.p == NULL)
		return nc_strdup("");
	return b.p;
}

static void
expect_file(const char *abs, const char *want)
{
	char *got = get(abs);

	if (want == NULL) {
		if (got != NULL)
			fail_msg("%s exists:\n%s", abs, got);
		return;
	}
	if (got == NULL)
		fail_msg("%s is missing", abs);
	if (strcmp(got, want) != 0)
		fail_msg("%s:\n--- want\n%s--- got\n%s", abs, want, got);
	free(got);
}

static int
exists(const char *abs)
{
	char *path = rpath(abs);
	struct stat st;
	int rc = lstat(path, &st) == 0;

	free(path);
	return rc;
}

/* Temporaries of ncp_replace (NAME.atomic-XXXXXX, NC_ATOMIC_TMP) left in
 * /etc. */
static int
leftover_temps(void)
{
	char *path = rpath("/etc");
	struct dirent *de;
	int n = 0;
	DIR *d;

	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL)
			n += strstr(de->d_name, NC_ATOMIC_TMP) != NULL;
		closedir(d);
	}
	free(path);
	return n;
}

/* Mode and owner of a local path. */
static void
expect_stat(const char *abs, mode_t type, mode_t mode, uid_t uid, gid_t gid)
{
	char *path = rpath(abs);
	struct stat st;

	if (lstat(path, &st) < 0)
		fail_msg("%s: %s", abs, strerror(errno));
	free(path);
	if ((st.st_mode & S_IFMT) != type)
		fail_msg("%s: type %o, want %o", abs, st.st_mode & S_IFMT,
		    type);
	if ((st.st_mode & 07777) != mode)
		fail_msg("%s: mode %o, want %o", abs, st.st_mode & 07777,
		    mode);
	if (geteuid() == 0 && (st.st_uid != uid || st.st_gid != gid))
		fail_msg("%s: owner %u:%u, want %u:%u", abs,
		    (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)uid,
		    (unsigned)gid);
}

static void
tree_default(struct fake *f)
{
	fake_set(f, "passwd", TREE_PASSWD);
	fake_set(f, "group", TREE_GROUP);
	fake_set(f, "shadow", TREE_SHADOW);
	fake_set(f, "sudoers", "alice ALL=(ALL) NOPASSWD:ALL\n");
	fake_set(f, "mounts", "pnode-0:/users/bob /users/bob 9p"
	    " aname=/users/bob 0 0\n");
	fake_set(f, "keys/alice", ALICE_KEY);
	fake_set(f, "keys/bob", "");
	fake_set(f, "hosts", "10.0.0.1 c1\n");
}

static void
init_p(struct ncprov *p, struct fake *tree)
{
	memset(p, 0, sizeof(*p));
	p->src.ops = &fake_ops;
	p->src.impl = tree;
	p->node = NODE;
	p->root = g_root;
}

/* A fresh root in dir. */
static int
setup_in(const char *dir)
{
	snprintf(g_root, sizeof(g_root), "%s/test_accounts.XXXXXX", dir);
	if (mkdtemp(g_root) == NULL)
		return -1;
	mkd("/etc", 0755);
	mkd("/etc/skel", 0755);
	mkd("/etc/skel/.config", 0750);
	put("/etc/passwd", BASE_PASSWD, 0644);
	put("/etc/group", BASE_GROUP, 0644);
	put("/etc/shadow", BASE_SHADOW, 0600);
	put("/etc/skel/.profile", "PS1='$ '\n", 0644);
	put("/etc/skel/.config/app.conf", "x=1\n", 0600);
	{
		char *l = rpath("/etc/skel/.link");

		assert_int_equal(symlink(".profile", l), 0);
		free(l);
	}
	tree_default(&g_tree);
	init_p(&g_p, &g_tree);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	return setup_in("/tmp");
}

/* The timing test: in memory where there is a tmpfs (the filesystem's
 * own costs are not what it measures). */
static int
setup_mem(void **state)
{
	struct stat st;

	(void)state;
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    access("/dev/shm", W_OK) == 0)
		return setup_in("/dev/shm");
	return setup_in("/tmp");
}

static int
teardown(void **state)
{
	char *cmd = nc_asprintf("rm -rf '%s'", g_root);

	(void)state;
	fake_close(&g_tree);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

/* Send stdout and stderr to /dev/null (1) or back (0). */
static void
quiet(int on)
{
	static int saved[2] = { -1, -1 };
	int fd, i;

	fflush(stdout);
	fflush(stderr);
	if (on) {
		fd = open("/dev/null", O_WRONLY);
		for (i = 0; i < 2; i++) {
			saved[i] = dup(i + 1);
			dup2(fd, i + 1);
		}
		close(fd);
		return;
	}
	for (i = 0; i < 2; i++) {
		if (saved[i] < 0)
			continue;
		dup2(saved[i], i + 1);
		close(saved[i]);
		saved[i] = -1;
	}
}

/* Both steps; the number of changes they made. */
static int
run(struct ncprov *p)
{
	int before = p->changes;

	p->why[0] = '\0';
	if (ncp_step_groups(p) < 0)
		fail_msg("groups: %s", p->why);
	if (ncp_step_accounts(p) < 0)
		fail_msg("accounts: %s", p->why);
	return p->changes - before;
}

static int
run_quiet(struct ncprov *p)
{
	int n;

	quiet(1);
	n = run(p);
	quiet(0);
	return n;
}

/* Every path under the root with its type, mode, owner, size, mtime and
 * a hash of its contents, one line each. */
static void
snapshot_dir(const char *path, const char *rel, struct nc_buf *out)
{
	struct dirent **ents;
	struct stat st;
	int n, i;

	n = scandir(path, &ents, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		char *sub = nc_asprintf("%s/%s", path, ents[i]->d_name);
		char *srel = nc_asprintf("%s/%s", rel, ents[i]->d_name);
		uint64_t h = NC_FNV64_BASIS;

		if (strcmp(ents[i]->d_name, ".") == 0 ||
		    strcmp(ents[i]->d_name, "..") == 0)
			goto next;
		assert_int_equal(lstat(sub, &st), 0);
		if (S_ISREG(st.st_mode)) {
			FILE *f = fopen(sub, "r");
			int c;

			assert_non_null(f);
			while ((c = getc(f)) != EOF)
				h = nc_fnv64_byte(h, (unsigned char)c);
			fclose(f);
		}
		nc_buf_printf(out, "%s %o %u:%u %lld %lld.%09ld %llx\n", srel,
		    (unsigned)st.st_mode, (unsigned)st.st_uid,
		    (unsigned)st.st_gid, (long long)st.st_size,
		    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		    (unsigned long long)h);
		if (S_ISDIR(st.st_mode))
			snapshot_dir(sub, srel, out);
next:
		free(sub);
		free(srel);
		free(ents[i]);
	}
	free(ents);
}

static char *
snapshot(void)
{
	struct nc_buf b = { 0 };

	snapshot_dir(g_root, "", &b);
	return b.p;
}

/* ---- pwfile ---- */

static void
test_pwfile(void **state)
{
	static const char text[] = "root:x:0:0::/:/bin/sh\n# c\n\n"
	    "+@netgroup::::::\nx:1\nx:2\nlast:no newline";
	struct ncp_pwfile f = { 0 };
	struct nc_buf out = { 0 };
	char line[] = "a:b::d", *fl[8];

	(void)state;
	ncp_pwfile_parse(&f, text, strlen(text));
	ncp_pwfile_render(&f, &out);
	assert_string_equal(out.p, text);
	assert_string_equal(ncp_pwfile_get(&f, "x"), "x:1");
	assert_null(ncp_pwfile_get(&f, "nobody"));
	/* The first line of a name counts; removed, the next one does. */
	assert_int_equal(ncp_pwfile_remove(&f, "x"), 1);
	assert_string_equal(ncp_pwfile_get(&f, "x"), "x:2");
	assert_int_equal(ncp_pwfile_set(&f, "root", "root:x:0:0::/:/bin/sh"),
	    0);
	assert_int_equal(ncp_pwfile_set(&f, "x", "x:3"), 1);
	nc_buf_reset(&out);
	ncp_pwfile_render(&f, &out);
	assert_string_equal(out.p, "root:x:0:0::/:/bin/sh\n# c\n\n"
	    "+@netgroup::::::\nx:3\nlast:no newline");
	/* Appending ends the last line. */
	assert_int_equal(ncp_pwfile_set(&f, "new", "new:y"), 1);
	nc_buf_reset(&out);
	ncp_pwfile_render(&f, &out);
	assert_string_equal(out.p, "root:x:0:0::/:/bin/sh\n# c\n\n"
	    "+@netgroup::::::\nx:3\nlast:no newline\nnew:y\n");
	ncp_pwfile_free(&f);
	nc_buf_free(&out);

	assert_int_equal(ncp_pw_split(line, fl, 8), 4);
	assert_string_equal(fl[0], "a");
	assert_string_equal(fl[2], "");
	assert_string_equal(fl[3], "d");
	/* names, ids, homes and shells: valid.h, test_valid.c's table */
	assert_true(ncp_pw_text_ok("Alice P. Liddell,Room 101"));
	assert_false(ncp_pw_text_ok("a\tb"));
}

/* ---- the steps ---- */

static void
test_first_run(void **state)
{
	(void)state;
	assert_true(run_quiet(&g_p) > 0);
	expect_file("/etc/passwd", WANT_PASSWD);
	expect_file("/etc/group", WANT_GROUP);
	expect_file("/etc/shadow", WANT_SHADOW);
	expect_file("/var/lib/neoc/accounts", WANT_STATE);
	expect_file("/etc/gshadow", NULL);
	expect_stat("/etc/passwd", S_IFREG, 0644, 0, 0);
	expect_stat("/etc/shadow", S_IFREG, 0600, 0, 0);
	expect_stat("/etc/.pwd.lock", S_IFREG, 0600, 0, 0);
	/* alice's home, with the skeleton; bob's comes from a mount. */
	expect_stat("/home", S_IFDIR, 0755, 0, 0);
	expect_stat("/home/alice", S_IFDIR, 0755, 20001, 6001);
	expect_file("/home/alice/.profile", "PS1='$ '\n");
	expect_stat("/home/alice/.profile", S_IFREG, 0644, 20001, 6001);
	expect_stat("/home/alice/.config", S_IFDIR, 0750, 20001, 6001);
	expect_file("/home/alice/.config/app.conf", "x=1\n");
	expect_stat("/home/alice/.config/app.conf", S_IFREG, 0600, 20001,
	    6001);
	expect_stat("/home/alice/.link", S_IFLNK, 0777, 20001, 6001);
	expect_stat("/home/alice/.ssh", S_IFDIR, 0700, 20001, 6001);
	expect_stat("/home/alice/.ssh/authorized_keys", S_IFREG, 0600, 20001,
	    6001);
	expect_file("/home/alice/.ssh/authorized_keys", ALICE_KEY);
	assert_false(exists("/users/bob"));
	/* No sudo here: no sudoers file. */
	assert_false(exists("/etc/sudoers.d"));
	/* Nothing left aside. */
	assert_int_equal(leftover_temps(), 0);
}

static void
test_second_run(void **state)
{
	char *before, *after;

	(void)state;
	assert_true(run_quiet(&g_p) > 0);
	before = snapshot();
	assert_int_equal(run_quiet(&g_p), 0);
	after = snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* A dry run now has nothing to say either. */
	g_p.dry_run = 1;
	assert_int_equal(run_quiet(&g_p), 0);
}

static void
test_remove_user(void **state)
{
	(void)state;
	run_quiet(&g_p);
	fake_set(&g_tree, "passwd", ALICE);
	fake_set(&g_tree, "shadow", ALICE_SH);
	fake_set(&g_tree, "group", "proj:x:6001:\nlab:x:6002:alice\n");
	fake_set(&g_tree, "keys/bob", NULL);
	assert_true(run_quiet(&g_p) > 0);
	expect_file("/etc/passwd", BASE_PASSWD ALICE);
	expect_file("/etc/shadow", BASE_SHADOW ALICE_SH);
	expect_file("/etc/group", BASE_GROUP "proj:x:6001:\n"
	    "lab:x:6002:alice\n");
	expect_file("/var/lib/neoc/accounts",
	    "group proj\ngroup lab\nuser alice\n");
	/* A group dropped from the tree goes too. */
	fake_set(&g_tree, "group", "lab:x:6002:alice\n");
	assert_true(run_quiet(&g_p) > 0);
	expect_file("/etc/group", BASE_GROUP "lab:x:6002:alice\n");
	/* Everything dropped: the hand-made files are back as they were. */
	fake_set(&g_tree, "passwd", "");
	fake_set(&g_tree, "shadow", "");
	fake_set(&g_tree, "group", "");
	assert_true(run_quiet(&g_p) > 0);
	expect_file("/etc/passwd", BASE_PASSWD);
	expect_file("/etc/shadow", BASE_SHADOW);
	expect_file("/etc/group", BASE_GROUP);
	expect_file("/var/lib/neoc/accounts", "");
	/* The home and its files are kept. */
	assert_true(exists("/home/alice/.profile"));
}

static void
test_uid_change(void **state)
{
	(void)state;
	run_quiet(&g_p);
	fake_set(&g_tree, "passwd", "alice:x:20011:6002:Alice L.:/home/alice"
	    ":/bin/bash\n" BOB);
	fake_set(&g_tree, "group", "proj:x:6011:\nlab:x:6002:alice,bob\n");
	assert_true(run_quiet(&g_p) > 0);
	expect_file("/etc/passwd", BASE_PASSWD "alice:x:20011:6002:Alice L."
	    ":/home/alice:/bin/bash\n" BOB);
	expect_file("/etc/group", BASE_GROUP "proj:x:6011:\n"
	    "lab:x:6002:alice,bob\n");
	/* The home and the keys follow the new ids. */
	expect_stat("/home/alice", S_IFDIR, 0755, 20011, 6002);
	expect_stat("/home/alice/.ssh", S_IFDIR, 0700, 20011, 6002);
	expect_stat("/home/alice/.ssh/authorized_keys", S_IFREG, 0600, 20011,
	    6002);
	/* ...and the skeleton is not copied again. */
	expect_stat("/home/alice/.profile", S_IFREG, 0644, 20001, 6001);
	assert_int_equal(run_quiet(&g_p), 0);
}

static void
test_dry_run(void **state)
{
	char *before, *after;

	(void)state;
	before = snapshot();
	g_p.dry_run = 1;
	assert_true(run_quiet(&g_p) > 0);
	after = snapshot();
	assert_string_equal(before, after);
	free(after);
	free(before);
	/* After a real run, a changed tree: still nothing is touched. */
	g_p.dry_run = 0;
	run_quiet(&g_p);
	fake_set(&g_tree, "passwd", ALICE);
	fake_set(&g_tree, "keys/alice", "ssh-ed25519 AAAAnew alice@new\n");
	before = snapshot();
	g_p.dry_run = 1;
	assert_true(run_quiet(&g_p) > 0);
	after = snapshot();
	assert_string_equal(before, after);
	free(after);
	free(before);
}

static void
test_keys(void **state)
{
	char *path;

	(void)state;
	run_quiet(&g_p);
	/* A loose mode and a wrong owner are put right; keys change. */
	path = rpath("/home/alice/.ssh/authorized_keys");
	assert_int_equal(chmod(path, 0644), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(path, 0, 0), 0);
	free(path);
	path = rpath("/home/alice/.ssh");
	assert_int_equal(chmod(path, 0755), 0);
	free(path);
	assert_true(run_quiet(&g_p) > 0);
	expect_stat("/home/alice/.ssh", S_IFDIR, 0700, 20001, 6001);
	expect_stat("/home/alice/.ssh/authorized_keys", S_IFREG, 0600, 20001,
	    6001);
	fake_set(&g_tree, "keys/alice", "ssh-rsa AAAAB3 alice@desk");
	assert_true(run_quiet(&g_p) > 0);
	expect_file("/home/alice/.ssh/authorized_keys",
	    "ssh-rsa AAAAB3 alice@desk\n");
	expect_stat("/home/alice/.ssh/authorized_keys", S_IFREG, 0600, 20001,
	    6001);
	/* No keys any more: an empty file. */
	fake_set(&g_tree, "keys/alice", NULL);
	assert_true(run_quiet(&g_p) > 0);
	expect_file("/home/alice/.ssh/authorized_keys", "");
	assert_int_equal(run_quiet(&g_p), 0);
}

static void
test_sudoers(void **state)
{
	(void)state;
	run_quiet(&g_p);
	assert_false(exists("/etc/sudoers.d/neoc"));
	mkd("/etc/sudoers.d", 0750);
	assert_true(run_quiet(&g_p) > 0);
	expect_file("/etc/sudoers.d/neoc",
	    "# neo-containers: the experiment's users who may become root.\n"
	    "# Written by ncprov from the tree; do not edit.\n"
	    "alice ALL=(ALL) NOPASSWD:ALL\n");
	expect_stat("/etc/sudoers.d/neoc", S_IFREG, 0440, 0, 0);
	assert_int_equal(run_quiet(&g_p), 0);
	/* Lines of users that are not ours (daemon) never get in. */
	fake_set(&g_tree, "sudoers", "daemon ALL=(ALL) NOPASSWD:ALL\n"
	    "bob ALL=(ALL) NOPASSWD:ALL\n");
	assert_true(run_quiet(&g_p) > 0);
	expect_file("/etc/sudoers.d/neoc",
	    "# neo-containers: the experiment's users who may become root.\n"
	    "# Written by ncprov from the tree; do not edit.\n"
	    "bob ALL=(ALL) NOPASSWD:ALL\n");
	fake_set(&g_tree, "sudoers", "");
	assert_true(run_quiet(&g_p) > 0);
	assert_false(exists("/etc/sudoers.d/neoc"));
	assert_int_equal(run_quiet(&g_p), 0);
}

static void
test_take_over(void **state)
{
	(void)state;
	/* hand (uid 1500) is taken over; root and daemon never are. */
	fake_set(&g_tree, "passwd", "root:x:0:0:Tree Root:/root:/bin/bash\n"
	    ALICE "hand:x:1500:1500:Hand Tree:/users/hand:/bin/bash\n"
	    "daemon:x:1001:1:x:/tmp:/bin/sh\n");
	fake_set(&g_tree, "shadow", "hand:$6$x$y::0:99999:7:::\n");
	fake_set(&g_tree, "group", "hand:x:1500:alice\nroot:x:0:alice\n");
	fake_set(&g_tree, "mounts", "srv:/users /users 9p aname=/users 0 0\n");
	assert_true(run_quiet(&g_p) > 0);
	expect_file("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
	    "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
	    "# made by hand\n"
	    "hand:x:1500:1500:Hand Tree:/users/hand:/bin/bash\n" ALICE);
	expect_file("/etc/shadow", "root::10933:0:99999:7:::\n"
	    "daemon:*:10933:0:99999:7:::\n"
	    "hand:$6$x$y::0:99999:7:::\n"
	    "alice:!::0:99999:7:::\n");
	expect_file("/etc/group", "root:x:0:\ndaemon:x:1:\nusers:x:100:\n\n"
	    "hand:x:1500:alice\n");
	expect_file("/var/lib/neoc/accounts",
	    "group hand\nuser alice\nuser hand\n");
	/* Taken over, it is ours: dropped from the tree, it goes. */
	fake_set(&g_tree, "passwd", ALICE);
	fake_set(&g_tree, "group", "");
	assert_true(run_quiet(&g_p) > 0);
	expect_file("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
	    "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
	    "# made by hand\n" ALICE);
	expect_file("/etc/group", "root:x:0:\ndaemon:x:1:\nusers:x:100:\n\n");
}

/* gshadow, where it exists, follows group; a missing shadow is made. */
static void
test_gshadow(void **state)
{
	char *path = rpath("/etc/shadow");

	(void)state;
	put("/etc/gshadow", "root:*::\nhand:!::\n", 0600);
	assert_int_equal(unlink(path), 0);
	free(path);
	run_quiet(&g_p);
	expect_file("/etc/gshadow", "root:*::\nhand:!::\nproj:!::\n"
	    "lab:!::alice,bob\n");
	expect_file("/etc/shadow", ALICE_SH BOB_SH);
	expect_stat("/etc/shadow", S_IFREG, 0600, 0, 0);
	fake_set(&g_tree, "group", "lab:x:6002:bob\n");
	run_quiet(&g_p);
	expect_file("/etc/gshadow", "root:*::\nhand:!::\nlab:!::bob\n");
}

/* Bad tree lines fail the step naming the line, and change nothing. */
static void
test_bad_lines(void **state)
{
	static const struct {
		const char *file;	/* tree file */
		const char *text;	/* its bad contents */
		const char *why;	/* in the failure */
	} bad[] = {
		{ "passwd", "Alice:x:1:1::/home/a:/bin/sh\n", "Alice:x:1" },
		{ "passwd", "al:x:12a:1::/home/a:/bin/sh\n", "al:x:12a" },
		{ "passwd", "al:x:1:-1::/home/a:/bin/sh\n", "bad uid or gid" },
		{ "passwd", "al:x:1:1:a:b:/home/a:/bin/sh\n", "not 7 fields" },
		{ "passwd", "al:x:1:1::home/a:/bin/sh\n", "bad home" },
		{ "passwd", "al:x:1:1::/home/../etc:/bin/sh\n", "bad home" },
		{ "passwd", "al:x:1:1:a\033b:/home/a:/bin/sh\n", "full name" },
		{ "passwd", ALICE ALICE, "second entry" },
		{ "group", "g:x:12:Bob\n", "bad member list" },
		{ "group", "g:x:x:\n", "bad gid" },
		{ "group", "g:x:1\n", "not 4 fields" },
		{ "group", "g h:x:1:\n", "bad group name" },
		{ "shadow", "alice:x:a:0:99999:7:::\n", "bad number" },
		{ "shadow", "alice:x::0:99999:7::\n", "not 9 fields" },
		{ "sudoers", "alice ALL=(ALL) ALL # x\n", "bad line" },
		{ "sudoers", "alice\n", "no user" },
	};
	char *before, *after;
	size_t i;
	int rc;

	(void)state;
	mkd("/etc/sudoers.d", 0750);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_close(&g_tree);
		tree_default(&g_tree);
		fake_set(&g_tree, bad[i].file, bad[i].text);
		before = snapshot();
		g_p.why[0] = '\0';
		quiet(1);
		rc = strcmp(bad[i].file, "group") == 0 ?
		    ncp_step_groups(&g_p) : ncp_step_accounts(&g_p);
		quiet(0);
		if (rc != -1 || strstr(g_p.why, bad[i].why) == NULL)
			fail_msg("%s \"%s\": rc %d, why \"%s\"", bad[i].file,
			    bad[i].text, rc, g_p.why);
		after = snapshot();
		if (strcmp(bad[i].file, "sudoers") != 0)
			assert_string_equal(before, after);
		free(before);
		free(after);
	}
	/* The message names the file and the line. */
	fake_close(&g_tree);
	tree_default(&g_tree);
	fake_set(&g_tree, "passwd", ALICE "bob:x:1:1:::\n");
	quiet(1);
	assert_int_equal(ncp_step_accounts(&g_p), -1);
	quiet(0);
	assert_string_equal(g_p.why,
	    "passwd line 2: bad home directory: \"bob:x:1:1:::\"");
}

/*
 * pid is queued behind a POSIX lock on inode ino: /proc/locks lists each
 * blocked request as "N: -> POSIX ADVISORY WRITE PID MAJ:MIN:INO ...".
 */
static int
lock_waiter(pid_t pid, ino_t ino)
{
	char line[256], kind[16], dev[64];
	unsigned long long got_ino;
	FILE *f = fopen("/proc/locks", "r");
	long got_pid;
	int found = 0;
	char *c;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, " -> ") == NULL ||
		    sscanf(strstr(line, " -> ") + 4, "%15s %*s %*s %ld %63s",
		    kind, &got_pid, dev) != 3)
			continue;
		if ((c = strrchr(dev, ':')) == NULL ||
		    sscanf(c + 1, "%llu", &got_ino) != 1)
			continue;
		found = strcmp(kind, "POSIX") == 0 && got_pid == (long)pid &&
		    got_ino == (unsigned long long)ino;
	}
	fclose(f);
	return found;
}

/*
 * Another process holding ROOT/etc/.pwd.lock holds the steps back: the
 * child is seen waiting on the lock (no sleep guessing how long it takes
 * to get there), has not finished, and changed nothing; once the lock is
 * released it runs to the end.
 */
static void
test_lock_held(void **state)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char *path = rpath("/etc/.pwd.lock");
	int fd, status, tries;
	struct stat st;
	pid_t pid;

	(void)state;
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_SETLK, &fl), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		quiet(1);
		_exit(ncp_step_groups(&g_p) < 0 ? 1 : 0);
	}
	assert_int_equal(fstat(fd, &st), 0);
	/* 10 s at most for the child to queue behind the lock. */
	for (tries = 0; tries < 1000 && !lock_waiter(pid, st.st_ino); tries++)
		usleep(10000);
	if (tries == 1000) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("the child never waited on %s (/proc/locks)", path);
	}
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
	expect_file("/etc/group", BASE_GROUP);
	fl.l_type = F_UNLCK;
	assert_int_equal(fcntl(fd, F_SETLK, &fl), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_file("/etc/group", WANT_GROUP);
	close(fd);
	free(path);
}

/* Two runs with different trees at once, RACES times over the same root:
 * each file is always one run's whole result. */
#define A_PASSWD "alice:x:2001:6001:Alice A:/home/alice:/bin/sh\n" \
	"bob:x:2002:6001:Bob:/home/bob:/bin/sh\n"
#define B_PASSWD "alice:x:3001:6001:Alice B:/home/alice:/bin/sh\n" \
	"carol:x:3003:6001:Carol:/home/carol:/bin/sh\n" \
	"dave:x:3004:6001:Dave:/home/dave:/bin/sh\n"
#define A_GROUP "proj:x:6001:alice,bob\n"
#define B_GROUP "proj:x:6001:alice,carol\nlab:x:6002:dave\n"

static void
test_concurrent(void **state)
{
	struct fake ta = { 0 }, tb = { 0 };
	struct ncprov pa, pb;
	struct nc_buf wpa = { 0 }, wpb = { 0 }, wsa = { 0 }, wsb = { 0 };
	char *pw, *sh, *gr;
	int round, status, i, a_won = 0, b_won = 0;
	pid_t pid[2];

	(void)state;
	fake_set(&ta, "passwd", A_PASSWD);
	fake_set(&ta, "group", A_GROUP);
	fake_set(&ta, "shadow", "");
	fake_set(&ta, "keys/alice", "ssh-ed25519 AAAA a@a\n");
	fake_set(&tb, "passwd", B_PASSWD);
	fake_set(&tb, "group", B_GROUP);
	fake_set(&tb, "shadow", "carol:$6$c$c::0:99999:7:::\n");
	fake_set(&tb, "keys/alice", "ssh-ed25519 BBBB b@b\n");
	init_p(&pa, &ta);
	init_p(&pb, &tb);
	nc_buf_puts(&wpa, BASE_PASSWD A_PASSWD);
	nc_buf_puts(&wpb, BASE_PASSWD B_PASSWD);
	nc_buf_puts(&wsa, BASE_SHADOW "alice:!::0:99999:7:::\n"
	    "bob:!::0:99999:7:::\n");
	nc_buf_puts(&wsb, BASE_SHADOW "alice:!::0:99999:7:::\n"
	    "carol:$6$c$c::0:99999:7:::\ndave:!::0:99999:7:::\n");
	for (round = 0; round < RACES; round++) {
		for (i = 0; i < 2; i++) {
			pid[i] = fork();
			assert_true(pid[i] >= 0);
			if (pid[i] == 0) {
				struct ncprov *p = i ? &pb : &pa;

				quiet(1);
				if (ncp_step_groups(p) < 0 ||
				    ncp_step_accounts(p) < 0)
					_exit(1);
				_exit(0);
			}
		}
		for (i = 0; i < 2; i++) {
			assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				fail_msg("round %d: run %d failed", round, i);
		}
		pw = get("/etc/passwd");
		sh = get("/etc/shadow");
		gr = get("/etc/group");
		if (strcmp(pw, wpa.p) == 0) {
			a_won++;
			assert_string_equal(sh, wsa.p);
		} else if (strcmp(pw, wpb.p) == 0) {
			b_won++;
			assert_string_equal(sh, wsb.p);
		} else {
			fail_msg("round %d: passwd is neither run's:\n%s",
			    round, pw);
		}
		if (strcmp(gr, BASE_GROUP A_GROUP) != 0 &&
		    strcmp(gr, BASE_GROUP B_GROUP) != 0)
			fail_msg("round %d: group is neither run's:\n%s",
			    round, gr);
		assert_int_equal(leftover_temps(), 0);
		free(pw);
		free(sh);
		free(gr);
	}
	print_message("# concurrent: A's passwd %d times, B's %d times\n",
	    a_won, b_won);
	fake_close(&ta);
	fake_close(&tb);
	nc_buf_free(&wpa);
	nc_buf_free(&wpb);
	nc_buf_free(&wsa);
	nc_buf_free(&wsb);
}

/* CPU time used so far, user and system, in ms. */
static void
cpu_ms(double *user, double *sys)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*user = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3;
	*sys = ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

/* Run the steps quietly; their CPU time (user, system) in ms. */
static void
timed_run(int want, double *user, double *sys)
{
	double u0, s0, u1, s1;

	cpu_ms(&u0, &s0);
	assert_int_equal(run_quiet(&g_p), want);
	cpu_ms(&u1, &s1);
	*user = u1 - u0;
	*sys = s1 - s0;
}

/* MANY users and groups: one run, and a second, well under 100 ms of CPU
 * each (homes from a mount); with homes made here, timed too (on a tmpfs
 * when there is one). */
static void
test_many(void **state)
{
	struct nc_buf pw = { 0 }, sh = { 0 }, gr = { 0 }, sudo = { 0 };
	double u1, s1, u2, s2, u3, s3;
	char key[64];
	int i;

	(void)state;
	for (i = 0; i < MANY; i++) {
		nc_buf_printf(&pw, "u%04d:x:%d:%d:User %d:/users/u%04d:/bin/sh"
		    "\n", i, 30000 + i, 40000 + i % 100, i, i);
		nc_buf_printf(&sh, "u%04d:$6$s$h%d::0:99999:7:::\n", i, i);
		if (i % 10 == 0)
			nc_buf_printf(&sudo, "u%04d ALL=(ALL) NOPASSWD:ALL\n",
			    i);
		snprintf(key, sizeof(key), "keys/u%04d", i);
		fake_set(&g_tree, key, "ssh-ed25519 AAAA k\n");
	}
	for (i = 0; i < MANY; i++)
		nc_buf_printf(&gr, "g%04d:x:%d:u%04d,u%04d\n", i, 40000 + i, i,
		    (i + 1) % MANY);
	fake_set(&g_tree, "passwd", pw.p);
	fake_set(&g_tree, "shadow", sh.p);
	fake_set(&g_tree, "group", gr.p);
	fake_set(&g_tree, "sudoers", sudo.p);
	fake_set(&g_tree, "mounts", "srv:/users /users 9p aname=/users 0 0\n");
	mkd("/etc/sudoers.d", 0750);

	timed_run(2 * MANY + 1, &u1, &s1);
	timed_run(0, &u2, &s2);
	/* Homes made here: 1,000 directories, skeletons and keys (the
	 * system time is the filesystem's). */
	fake_set(&g_tree, "mounts", "");
	timed_run(2 * MANY, &u3, &s3);
	print_message("# %d users, CPU ms user+system: first run %.1f+%.1f,"
	    " second %.1f+%.1f, making the homes %.1f+%.1f\n", MANY, u1, s1,
	    u2, s2, u3, s3);
	assert_true(u1 + s1 < 100.0 * SLOW);
	assert_true(u2 + s2 < 100.0 * SLOW);
	assert_true(u3 < 100.0 * SLOW);
	expect_stat("/users/u0999/.ssh/authorized_keys", S_IFREG, 0600, 30999,
	    40099);
	nc_buf_free(&pw);
	nc_buf_free(&sh);
	nc_buf_free(&gr);
	nc_buf_free(&sudo);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pwfile),
		cmocka_unit_test_setup_teardown(test_first_run, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_second_run, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_remove_user, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_uid_change, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sudoers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_over, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_gshadow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lock_held, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many, setup_mem,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
