/*
 * logins.c: the logins step (issue 11, item 5): every user of the
 * experiment can `ssh USER@NODE` with the keys of the tree.
 *
 * sshd reads the keys from the tree's copy on the node, not from the home
 * alone: /etc/neoc/keys/<user> (root's, 0644: sshd opens it with the
 * user's uid; the directory root's, 0755) holds the lines of
 * nodes/<node>/sshkeys for each user the accounts step made (the users of
 * its /var/lib/neoc/accounts); a user who leaves the tree, or has no key
 * left, loses the file.  The drop-in /etc/ssh/sshd_config.d/neoc.conf
 * says
 *
 *   AuthorizedKeysFile .ssh/authorized_keys /etc/neoc/keys/%u
 *
 * so a home served over 9P (which belongs to the control node, and may not
 * be mounted yet) never decides whether a user gets in; a home's own
 * authorized_keys still works where it is there.  Passwords and keyboard-
 * interactive logins are off (the tree hands out keys; the nodes' password
 * hashes stay off the network), and sshd writes /run/sshd.pid.  The step
 * fails when /etc/ssh/sshd_config does not Include the drop-in before its
 * own settings of these keywords (Debian's includes every sshd_config.d file
 * first).
 *
 * The host key (ed25519) is the node's own: made with ssh-keygen when
 * missing or not made by this step for this node, which replaces the one
 * an image came with (every clone would share it).  /var/lib/neoc/logins
 * records the node and an FNV-1a of the private key made; the drop-in
 * names only this one, so an image's RSA or ECDSA key is never offered.
 * ed25519 only: every OpenSSH client since 6.5 (2014) takes it, and a
 * second key type was a second ssh-keygen in every booting container.
 *
 * sshd: started (`/usr/sbin/sshd -E /var/log/neoc/sshd.log`, as a daemon;
 * /run/sshd made) when it is not running (no live "sshd" at the pid in
 * /run/sshd.pid), and sent SIGHUP when the drop-in or a host key changed;
 * `sshd -t` checks the configuration before a reload (a running sshd
 * re-reads it on SIGHUP and dies on a bad one), and says why after a start
 * that failed (sshd checks it itself on start, and its messages go to its
 * log).  Key files need neither: sshd
 * reads them at each login.  Not under --root (the files are written, no
 * process is touched) nor --no-start; --dry-run says what it would do.
 *
 * One run at a time: an flock on /var/lib/neoc/logins.lock.
 *
 * A node without /usr/sbin/sshd (busybox) or /etc/ssh/sshd_config: the
 * step says so once (the state file remembers it was said) and does
 * nothing else.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "hash.h"
#include "logins.h"
#include "run.h"
#include "container_steps.h"
#include "util.h"
#include "valid.h"

#define STEP "logins"
#define SSHD "/usr/sbin/sshd"
#define SSH_DIR "/etc/ssh"
#define SSHD_CONFIG SSH_DIR "/sshd_config"
#define DROPIN_DIR SSH_DIR "/sshd_config.d"
#define DROPIN DROPIN_DIR "/neoc.conf"
#define NEOC_DIR "/etc/neoc"
#define KEYS_DIR NEOC_DIR "/keys"
#define STATE_DIR "/var/lib/neoc"
#define STATE STATE_DIR "/logins"
#define LOCK STATE_DIR "/logins.lock"
#define ACCOUNTS STATE_DIR "/accounts"
#define PIDFILE "/run/sshd.pid"
#define PRIVSEP "/run/sshd"
#define LOG_DIR "/var/log/neoc"
#define SSHD_LOG LOG_DIR "/sshd.log"
#define KEYGEN_MS (60 * 1000)	/* one ssh-keygen */
#define SSHD_MS (30 * 1000)	/* sshd -t, or sshd until it forks */
#define PID_WAIT_MS 5000	/* a started sshd writes its pidfile */

static const char dropin_text[] =
    "# neo-containers: SSH logins with the experiment's keys.\n"
    "# Written by ncprov (the logins step); do not edit.\n"
    "# The home's own keys, then the tree's copy on the node: a home\n"
    "# served over 9P may not be mounted when sshd looks.\n"
    "AuthorizedKeysFile .ssh/authorized_keys " KEYS_DIR "/%u\n"
    "PasswordAuthentication no\n"
    "KbdInteractiveAuthentication no\n"
    "HostKey " SSH_DIR "/ssh_host_ed25519_key\n"
    "PidFile " PIDFILE "\n";

/* ---- small helpers ---- */

/* Read the local file abs; a missing one reads as empty.  -1 after
 * ncp_fail() on an error. */
static int
read_local(struct ncprov *p, const char *abs, struct nc_buf *out,
    int *exists)
{
	int rc, ex = 0;

	nc_buf_reset(out);
	if ((rc = ncp_read_local(p, abs, out, &ex)) < 0)
		return ncp_fail(p, "%s: %s", abs, strerror(-rc));
	if (exists != NULL)
		*exists = ex;
	return 0;
}

/* What the node lacks to run sshd: ROOT/usr/sbin/sshd (an executable
 * file) or ROOT/etc/ssh/sshd_config; NULL when it has both. */
static const char *
sshd_missing(const struct ncprov *p)
{
	char *path = ncp_path(p, SSHD), *conf = ncp_path(p, SSHD_CONFIG);
	const char *missing = NULL;
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 0111) == 0)
		missing = SSHD;
	else if (stat(conf, &st) < 0 || !S_ISREG(st.st_mode))
		missing = SSHD_CONFIG;
	free(path);
	free(conf);
	return missing;
}

/* The directory abs (made with mkdirs) is mode and root's; says what it
 * changed.  -1 after ncp_fail(). */
static int
own_dir(struct ncprov *p, const char *abs, mode_t mode)
{
	char *path = ncp_path(p, abs);
	struct stat st;
	int rc = 0;

	if (lstat(path, &st) < 0) {
		if (errno != ENOENT) {
			rc = ncp_fail(p, "%s: %s", abs, strerror(errno));
			goto out;
		}
		if (p->dry_run) {
			ncp_report(p, STEP, "would make %s", abs);
			goto out;
		}
		if ((rc = ncp_mkdirs(p, abs, mode)) < 0) {
			rc = ncp_fail(p, "%s: %s", abs, strerror(-rc));
			goto out;
		}
		if (chmod(path, mode) < 0) {
			rc = ncp_fail(p, "%s: %s", abs, strerror(errno));
			goto out;
		}
		ncp_report(p, STEP, "made %s", abs);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = ncp_fail(p, "%s is not a directory", abs);
		goto out;
	}
	if ((st.st_mode & 07777) == mode && (st.st_uid == 0 ||
	    geteuid() != 0))
		goto out;
	if (!p->dry_run && ((geteuid() == 0 && st.st_uid != 0 &&
	    chown(path, 0, 0) < 0) || chmod(path, mode) < 0)) {
		rc = ncp_fail(p, "%s: %s", abs, strerror(errno));
		goto out;
	}
	ncp_report(p, STEP, "%s %s to root, %o", p->dry_run ? "would give" :
	    "gave", abs, (unsigned)mode);
out:
	free(path);
	return rc;
}

/* Run argv (capturing its output); 0, or -1 after ncp_fail() naming it. */
static int
run(struct ncprov *p, char *const *argv, int timeout_ms)
{
	struct nc_buf out = { 0 };
	struct ncp_cmd c = { .argv = argv, .out_fd = -1, .capture = &out,
	    .timeout_ms = timeout_ms };
	char *line = ncp_argv_str(argv);
	int rc = ncp_run(&c);

	while (out.len > 0 && out.p[out.len - 1] == '\n')
		out.p[--out.len] = '\0';
	if (rc < 0)
		ncp_fail(p, "%s: %s", line, strerror(-rc));
	else if (rc > 0)
		ncp_fail(p, "%s: exit %d%s%.300s", line, rc,
		    out.len > 0 ? ": " : "", nc_buf_str(&out));
	free(line);
	nc_buf_free(&out);
	return rc == 0 ? 0 : -1;
}

/* ---- sshd_config ---- */

static int
check_config(struct ncprov *p)
{
	struct nc_buf text = { 0 };
	const char *kw = NULL;
	int exists, rc = -1;

	if (read_local(p, SSHD_CONFIG, &text, &exists) < 0)
		goto out;
	if (!exists) {
		ncp_fail(p, "no %s: sshd would not start", SSHD_CONFIG);
		goto out;
	}
	switch (ncp_sshd_config_includes(text.p, text.len, DROPIN, &kw)) {
	case NCP_SSHD_INCLUDED:
		rc = 0;
		break;
	case NCP_SSHD_NO_INCLUDE:
		ncp_fail(p, "%s does not Include %s/*.conf: sshd would not"
		    " read the experiment's keys", SSHD_CONFIG, DROPIN_DIR);
		break;
	case NCP_SSHD_OVERRIDDEN:
		ncp_fail(p, "%s sets %s before it includes %s", SSHD_CONFIG,
		    kw, DROPIN);
		break;
	}
out:
	nc_buf_free(&text);
	return rc;
}

/* ---- host keys ---- */

/* ssh-keygen a new key of type into a temporary directory beside the
 * host keys, then rename both files over the old ones.  *hash gets the
 * FNV-1a of the private key.  -1 after ncp_fail(). */
static int
make_hostkey(struct ncprov *p, const char *type, const char *abs,
    unsigned long long *hash)
{
	char *dir = ncp_path(p, SSH_DIR "/.neoc-keygen-XXXXXX");
	char *keygen = ncp_which("ssh-keygen"), *file = NULL, *pub = NULL;
	char *dst = ncp_path(p, abs), *dstpub = nc_asprintf("%s.pub", dst);
	char *comment = nc_asprintf("root@%s", p->node);
	struct nc_buf key = { 0 };
	int rc = -1, ex;

	if (keygen == NULL) {
		ncp_fail(p, "no ssh-keygen to make the %s host key", type);
		free(dir);
		dir = NULL;
		goto out;
	}
	if (ncp_mkdirs(p, SSH_DIR, 0755) < 0 || mkdtemp(dir) == NULL) {
		ncp_fail(p, "%s: %s", SSH_DIR, strerror(errno));
		free(dir);
		dir = NULL;
		goto out;
	}
	file = nc_asprintf("%s/key", dir);
	pub = nc_asprintf("%s/key.pub", dir);
	{
		char *argv[] = { keygen, "-q", "-t", (char *)type, "-N", "",
		    "-C", comment, "-f", file, NULL };

		if (run(p, argv, KEYGEN_MS) < 0)
			goto out;
	}
	if (ncp_read_local(&(struct ncprov){ .root = "" }, file, &key,
	    &ex) < 0 || !ex || key.len == 0) {
		ncp_fail(p, "ssh-keygen left no %s key", type);
		goto out;
	}
	*hash = nc_fnv64(NC_FNV64_BASIS, key.p, key.len);
	/* The public half first: sshd reads the private one. */
	if (rename(pub, dstpub) < 0 || rename(file, dst) < 0) {
		ncp_fail(p, "%s: %s", abs, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (dir != NULL) {
		if (file != NULL)
			unlink(file);
		if (pub != NULL)
			unlink(pub);
		rmdir(dir);
	}
	nc_buf_free(&key);
	free(dir);
	free(keygen);
	free(file);
	free(pub);
	free(dst);
	free(dstpub);
	free(comment);
	return rc;
}

/* Keep the host keys made for this node, make the others; st gets what
 * there is now, *changed is set when a key changed. */
static int
hostkeys(struct ncprov *p, const struct ncp_logins_state *old,
    struct ncp_logins_state *st, int *changed)
{
	struct nc_buf key = { 0 };
	unsigned long long h;
	char *abs;
	int t, exists, rc = 0;

	for (t = 0; t < NCP_HOSTKEY_TYPES && rc == 0; t++) {
		abs = nc_asprintf(SSH_DIR "/ssh_host_%s_key",
		    ncp_hostkey_types[t]);
		if (read_local(p, abs, &key, &exists) < 0) {
			rc = -1;
			goto next;
		}
		h = nc_fnv64(NC_FNV64_BASIS, key.p, key.len);
		if (exists && key.len > 0 && old->node != NULL &&
		    strcmp(old->node, p->node) == 0 &&
		    old->has_hostkey[t] && old->hostkey[t] == h) {
			st->hostkey[t] = h;
			st->has_hostkey[t] = 1;
			goto next;
		}
		if (p->dry_run) {
			ncp_report(p, STEP, "would make the %s host key (%s)",
			    ncp_hostkey_types[t], exists ? "the one there was"
			    " not made for this node" : "there is none");
			goto next;
		}
		if (make_hostkey(p, ncp_hostkey_types[t], abs, &h) < 0) {
			rc = -1;
			goto next;
		}
		st->hostkey[t] = h;
		st->has_hostkey[t] = 1;
		*changed = 1;
		ncp_report(p, STEP, "made the %s host key %s%s",
		    ncp_hostkey_types[t], abs, exists ? " (the one there was"
		    " not made for this node)" : "");
next:
		free(abs);
	}
	nc_buf_free(&key);
	return rc;
}

/* ---- the keys ---- */

/* The users the accounts step made ("user NAME" lines of its state). */
static int
our_users(struct ncprov *p, struct nc_strmap *users)
{
	struct nc_buf text = { 0 };
	const char *s, *end, *nl;
	char *name;

	if (read_local(p, ACCOUNTS, &text, NULL) < 0)
		return -1;
	s = nc_buf_str(&text);
	end = s + text.len;
	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if ((size_t)(nl - s) <= 5 || strncmp(s, "user ", 5) != 0)
			continue;
		name = nc_asprintf("%.*s", (int)(nl - s - 5), s + 5);
		if (strlen(name) == (size_t)(nl - s - 5) &&
		    nc_valid_login(name, NULL) == 0)
			nc_strmap_put(users, name, 1);
		free(name);
	}
	nc_buf_free(&text);
	return 0;
}

/* KEYS_DIR/<user> holds keys, root's, 0644. */
static int
write_user_keys(struct ncprov *p, const char *user, const struct nc_buf *keys)
{
	char *abs = nc_asprintf(KEYS_DIR "/%s", user), *path = ncp_path(p, abs);
	struct stat st;
	int rc, changed;

	rc = ncp_replace_flags(p, abs, keys->p, keys->len, 0644, 0, 0,
	    NCP_NOSYNC);
	if (rc < 0) {
		rc = ncp_fail(p, "%s: %s", abs, strerror(-rc));
		goto out;
	}
	changed = rc > 0;
	rc = 0;
	/* A file that was there kept its own mode and owner. */
	if (!p->dry_run && lstat(path, &st) == 0 &&
	    ((st.st_mode & 07777) != 0644 || (geteuid() == 0 &&
	    (st.st_uid != 0 || st.st_gid != 0)))) {
		if ((geteuid() == 0 && lchown(path, 0, 0) < 0) ||
		    chmod(path, 0644) < 0) {
			rc = ncp_fail(p, "%s: %s", abs, strerror(errno));
			goto out;
		}
		changed = 1;
	}
	if (changed) {
		size_t lines = 0, i;

		for (i = 0; i < keys->len; i++)
			lines += keys->p[i] == '\n';
		ncp_report(p, STEP, "%s: %zu key%s", abs, lines,
		    lines == 1 ? "" : "s");
	}
out:
	free(abs);
	free(path);
	return rc;
}

/* Remove from KEYS_DIR every file but those of users with keys. */
static int
prune_keys(struct ncprov *p, const struct nc_strmap *keep)
{
	char *dir = ncp_path(p, KEYS_DIR);
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		if (errno != ENOENT || !p->dry_run)
			rc = ncp_fail(p, "%s: %s", KEYS_DIR, strerror(errno));
		free(dir);
		return rc;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    nc_strmap_get(keep, de->d_name) >= 0 ||
		    strstr(de->d_name, ".atomic-") != NULL)
			continue;
		if (!p->dry_run && unlinkat(dirfd(d), de->d_name, 0) < 0) {
			if (errno == ENOENT)
				continue;
			rc = ncp_fail(p, "%s/%s: %s", KEYS_DIR, de->d_name,
			    strerror(errno));
			break;
		}
		ncp_report(p, STEP, "%s %s/%s", p->dry_run ? "would remove" :
		    "removed", KEYS_DIR, de->d_name);
	}
	closedir(d);
	free(dir);
	return rc;
}

static int
keys(struct ncprov *p)
{
	struct nc_buf text = { 0 }, warn = { 0 };
	struct ncp_login_set set = { 0 };
	struct nc_strmap users = { 0 }, keep = { 0 };
	const char *s, *nl;
	size_t i;
	int rc;

	if ((rc = ncp_read_node(p, NCT_NODE_SSHKEYS, NULL, &text)) < 0 &&
	    rc != -ENOENT) {
		rc = ncp_fail(p, "reading sshkeys: %s", strerror(-rc));
		goto out;
	}
	if (rc == -ENOENT)
		nc_buf_reset(&text);
	ncp_login_keys_parse(text.p, text.len, &set, &warn);
	for (s = nc_buf_str(&warn); *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		fprintf(stderr, "ncprov: %s: %.*s\n", STEP, (int)(nl - s), s);
	}
	if ((rc = our_users(p, &users)) < 0 ||
	    (rc = own_dir(p, NEOC_DIR, 0755)) < 0 ||
	    (rc = own_dir(p, KEYS_DIR, 0755)) < 0)
		goto out;
	for (i = 0; i < set.n; i++) {
		if (nc_strmap_get(&users, set.v[i].user) < 0)
			continue;
		nc_strmap_put(&keep, set.v[i].user, 1);
		if (write_user_keys(p, set.v[i].user, &set.v[i].keys) < 0)
			rc = -1;
	}
	if (prune_keys(p, &keep) < 0)
		rc = -1;
out:
	nc_strmap_free(&users);
	nc_strmap_free(&keep);
	ncp_login_set_free(&set);
	nc_buf_free(&text);
	nc_buf_free(&warn);
	return rc < 0 ? -1 : 0;
}

/* ---- sshd ---- */

/* The pid of the running sshd, or 0. */
static pid_t
sshd_pid(void)
{
	struct ncprov host = { .root = "" };
	struct nc_buf text = { 0 };
	char comm[64];
	pid_t pid = 0;
	int exists;

	if (ncp_read_local(&host, PIDFILE, &text, &exists) < 0 || !exists ||
	    ncp_sshd_pid_parse(text.p, text.len, &pid) < 0)
		goto none;
	if (kill(pid, 0) < 0 && errno != EPERM)
		goto none;
	snprintf(comm, sizeof(comm), "/proc/%ld/comm", (long)pid);
	nc_buf_reset(&text);
	if (ncp_read_local(&host, comm, &text, &exists) < 0 || !exists ||
	    strcmp(nc_buf_str(&text), "sshd\n") != 0)
		goto none;
	nc_buf_free(&text);
	return pid;
none:
	nc_buf_free(&text);
	return 0;
}

/* Start sshd when it is not running, reload it when changed. */
static int
sshd(struct ncprov *p, int changed)
{
	char *test[] = { SSHD, "-t", NULL };
	char *start[] = { SSHD, "-E", SSHD_LOG, NULL };
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	pid_t pid;
	int waited, rc;

	if (p->root[0] != '\0' || p->no_start)
		return 0;
	pid = sshd_pid();
	if (pid != 0 && !changed)
		return 0;
	if (p->dry_run) {
		if (pid == 0)
			ncp_report(p, STEP, "would start sshd");
		else
			ncp_report(p, STEP, "would reload sshd (pid %ld)",
			    (long)pid);
		return 0;
	}
	if (pid == 0 && (rc = ncp_mkdirs(p, PRIVSEP, 0755)) < 0)
		return ncp_fail(p, "%s: %s", PRIVSEP, strerror(-rc));
	if (pid == 0 && (rc = ncp_mkdirs(p, LOG_DIR, 0755)) < 0)
		return ncp_fail(p, "%s: %s", LOG_DIR, strerror(-rc));
	if (pid != 0) {
		if (run(p, test, SSHD_MS) < 0)
			return -1;
		if (kill(pid, SIGHUP) < 0)
			return ncp_fail(p, "reloading sshd (pid %ld): %s",
			    (long)pid, strerror(errno));
		ncp_report(p, STEP, "reloaded sshd (pid %ld)", (long)pid);
		return 0;
	}
	/* sshd checks its configuration and keys before it forks; when it
	 * refused them, `sshd -t` says why (its own messages went to the
	 * log) */
	if (run(p, start, SSHD_MS) < 0) {
		char *why = nc_strdup(p->why);

		if (run(p, test, SSHD_MS) == 0)
			ncp_fail(p, "%s (see %s)", why, SSHD_LOG);
		free(why);
		return -1;
	}
	for (waited = 0; (pid = sshd_pid()) == 0 && waited < PID_WAIT_MS;
	    waited += 10)
		nanosleep(&nap, NULL);
	if (pid == 0)
		return ncp_fail(p, "sshd started but wrote no %s within %d s"
		    " (see %s)", PIDFILE, PID_WAIT_MS / 1000, SSHD_LOG);
	ncp_report(p, STEP, "started sshd (pid %ld)", (long)pid);
	return 0;
}

/* ---- the step ---- */

/* Two runs at once (the boot hook and a pnode's re-provisioning) would
 * make host keys over each other: one run at a time.  The descriptor of
 * the held lock, -2 under --dry-run (none taken), or -1 after
 * ncp_fail(). */
static int
lock(struct ncprov *p)
{
	char *path;
	int fd, rc;

	if (p->dry_run)
		return -2;
	if ((rc = ncp_mkdirs(p, STATE_DIR, 0755)) < 0)
		return ncp_fail(p, "%s: %s", STATE_DIR, strerror(-rc));
	path = ncp_path(p, LOCK);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(path);
	if (fd < 0)
		return ncp_fail(p, "%s: %s", LOCK, strerror(errno));
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			rc = errno;
			close(fd);
			return ncp_fail(p, "%s: %s", LOCK, strerror(rc));
		}
	return fd;
}

static int
write_state(struct ncprov *p, const struct ncp_logins_state *st)
{
	struct nc_buf text = { 0 };
	int rc = 0;

	if (p->dry_run)
		return 0;
	ncp_logins_state_text(st, &text);
	if ((rc = ncp_mkdirs(p, STATE_DIR, 0755)) < 0 ||
	    (rc = ncp_replace(p, STATE, text.p, text.len, 0644, 0, 0)) < 0)
		rc = ncp_fail(p, "%s: %s", STATE, strerror(-rc));
	nc_buf_free(&text);
	return rc < 0 ? -1 : 0;
}

int
ncp_step_logins(struct ncprov *p)
{
	struct ncp_logins_state old = { 0 }, st = { 0 };
	struct nc_buf text = { 0 };
	const char *missing;
	int changed = 0, rc = -1, t, lk;

	if ((lk = lock(p)) == -1)
		return -1;
	if (read_local(p, STATE, &text, NULL) < 0)
		goto out;
	ncp_logins_state_parse(text.p, text.len, &old);
	if ((missing = sshd_missing(p)) != NULL) {
		/* Said once; what was recorded stays. */
		st.node = old.node != NULL ? nc_strdup(old.node) : NULL;
		for (t = 0; t < NCP_HOSTKEY_TYPES; t++) {
			st.hostkey[t] = old.hostkey[t];
			st.has_hostkey[t] = old.has_hostkey[t];
		}
		st.nosshd = 1;
		if (!old.nosshd)
			ncp_report(p, STEP, "no %s: nobody can log in by SSH"
			    " (nothing done)", missing);
		rc = write_state(p, &st);
		goto out;
	}
	if (check_config(p) < 0)
		goto out;
	st.node = nc_strdup(p->node);
	rc = hostkeys(p, &old, &st, &changed);
	/* The keys made are recorded even when the rest fails. */
	if (write_state(p, &st) < 0 || rc < 0) {
		rc = -1;
		goto out;
	}
	rc = -1;
	if (own_dir(p, DROPIN_DIR, 0755) < 0)
		goto out;
	if ((t = ncp_replace(p, DROPIN, dropin_text, sizeof(dropin_text) - 1,
	    0644, 0, 0)) < 0) {
		ncp_fail(p, "%s: %s", DROPIN, strerror(-t));
		goto out;
	}
	if (t > 0) {
		changed = 1;
		ncp_report(p, STEP, "%s", DROPIN);
	}
	/* sshd runs even when a user's key file could not be written. */
	t = keys(p);
	rc = sshd(p, changed) < 0 || t < 0 ? -1 : 0;
out:
	if (lk >= 0)
		close(lk);
	ncp_logins_state_free(&old);
	ncp_logins_state_free(&st);
	nc_buf_free(&text);
	return rc;
}
