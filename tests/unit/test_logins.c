/*
 * test_logins.c: the logins step of ncprov container
 * (provision/container/logins.c) and its formats (logins_parse.c): the
 * tree's sshkeys lines, the state file, sshd's pidfile, whether
 * sshd_config reads the drop-in; then the step itself under a temporary
 * --root with a fake tree: a node without sshd, the key files of the
 * accounts step's users only, a stray file removed, --dry-run, a
 * configuration that would not read the drop-in.  (The real sshd is
 * tests/integration/ncprov_logins.sh.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "container_steps.h"
#include "files.h"
#include "logins.h"
#include "ncprov.h"
#include "run.h"
#include "scratch_dir.h"
#include "util.h"

/* ---- sshkeys ---- */

static void
test_keys_parse(void **state)
{
	static const char text[] =
	    "alice ssh-ed25519 AAAA1 alice@laptop\n"
	    "bob ssh-ed25519 BBBB bob@home\n"
	    "\n"
	    "alice ssh-rsa AAAA2 alice@desk\n"
	    "Alice ssh-ed25519 AAAA3 upper-case user\n"
	    "carol\n"
	    "dave \n"
	    "eve ssh-ed25519 EEEE\r\n"
	    "frank ssh-ed25519 FF\033[2J\n"
	    "-x ssh-ed25519 AAAA4\n"
	    "gina from=\"10.0.0.0/8\"\tssh-ed25519 GG gina";
	struct ncp_login_set set = { 0 };
	struct nc_buf warn = { 0 };
	size_t skipped;

	(void)state;
	skipped = ncp_login_keys_parse(text, sizeof(text) - 1, &set, &warn);
	assert_int_equal(skipped, 6);
	assert_int_equal(set.n, 3);
	assert_string_equal(set.v[0].user, "alice");
	assert_string_equal(nc_buf_str(&set.v[0].keys),
	    "ssh-ed25519 AAAA1 alice@laptop\nssh-rsa AAAA2 alice@desk\n");
	assert_string_equal(set.v[1].user, "bob");
	assert_string_equal(nc_buf_str(&set.v[1].keys),
	    "ssh-ed25519 BBBB bob@home\n");
	/* The last line has no newline; a tab inside is kept. */
	assert_string_equal(set.v[2].user, "gina");
	assert_string_equal(nc_buf_str(&set.v[2].keys),
	    "from=\"10.0.0.0/8\"\tssh-ed25519 GG gina\n");
	assert_non_null(strstr(nc_buf_str(&warn), "sshkeys line 5: the user"));
	assert_non_null(strstr(nc_buf_str(&warn), "line 6: carol's key"));
	assert_non_null(strstr(nc_buf_str(&warn), "line 7: dave's key"));
	assert_non_null(strstr(nc_buf_str(&warn), "line 8: eve's key"));
	assert_non_null(strstr(nc_buf_str(&warn), "line 9: frank's key"));
	assert_non_null(strstr(nc_buf_str(&warn), "sshkeys line 10: the user"));
	assert_int_equal(nc_strmap_get(&set.idx, "bob"), 1);
	ncp_login_set_free(&set);
	nc_buf_free(&warn);
}

static void
test_keys_parse_nul(void **state)
{
	static const char text[] = "ali\0ce ssh-ed25519 A\nbob ssh\0x B\n"
	    "carol ssh-ed25519 C\n";
	struct ncp_login_set set = { 0 };
	struct nc_buf warn = { 0 };

	(void)state;
	assert_int_equal(ncp_login_keys_parse(text, sizeof(text) - 1, &set,
	    &warn), 2);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0].user, "carol");
	assert_non_null(strstr(nc_buf_str(&warn), "line 1: the user holds a"
	    " NUL"));
	ncp_login_set_free(&set);
	nc_buf_free(&warn);
}

/* ---- the state file ---- */

static void
test_state(void **state)
{
	static const char text[] =
	    "node h1\n"
	    "hostkey ed25519 00000000deadbeef\n"
	    "hostkey rsa 1234\n"
	    "hostkey ecdsa 12345678901234567\n"	/* 17 digits */
	    "hostkey ecdsa ABCD\n"			/* upper case */
	    "node bad_name!\n"
	    "nosshd\n"
	    "something else\n";
	struct ncp_logins_state st = { 0 }, back = { 0 };
	struct nc_buf out = { 0 };

	(void)state;
	ncp_logins_state_parse(text, sizeof(text) - 1, &st);
	assert_string_equal(st.node, "h1");
	assert_true(st.has_hostkey[0]);
	assert_true(st.hostkey[0] == 0xdeadbeefULL);
	assert_int_equal(NCP_HOSTKEY_TYPES, 1);	/* ecdsa and rsa: ignored */
	assert_true(st.nosshd);
	ncp_logins_state_text(&st, &out);
	assert_string_equal(nc_buf_str(&out), "node h1\n"
	    "hostkey ed25519 00000000deadbeef\nnosshd\n");
	/* What it writes, it reads back the same. */
	st.hostkey[0] = 0xffffffffffffffffULL;
	ncp_logins_state_text(&st, &out);
	ncp_logins_state_parse(out.p, out.len, &back);
	assert_string_equal(back.node, "h1");
	assert_true(back.has_hostkey[0]);
	assert_true(back.hostkey[0] == 0xffffffffffffffffULL);
	assert_true(back.nosshd);
	ncp_logins_state_free(&st);
	ncp_logins_state_free(&back);
	nc_buf_free(&out);
}

/* ---- the pidfile ---- */

static void
test_pid(void **state)
{
	static const struct {
		const char *s;	/* the pidfile */
		long want;	/* the pid, or -1: refused */
	} cases[] = {
		{ "123\n", 123 }, { "123", 123 }, { "2147483647\n", 2147483647 },
		{ "2", 2 }, { "1\n", -1 }, { "0\n", -1 }, { "", -1 },
		{ "\n", -1 }, { "0123\n", -1 }, { "12a\n", -1 },
		{ " 12\n", -1 }, { "12\n\n", -1 }, { "2147483648\n", -1 },
		{ "99999999999\n", -1 }, { "-5\n", -1 },
	};
	size_t i;
	pid_t pid;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid = 0;
		rc = ncp_sshd_pid_parse(cases[i].s, strlen(cases[i].s), &pid);
		if (cases[i].want < 0) {
			if (rc != -EINVAL)
				fail_msg("\"%s\" accepted", cases[i].s);
		} else if (rc != 0 || pid != cases[i].want) {
			fail_msg("\"%s\": rc %d pid %ld", cases[i].s, rc,
			    (long)pid);
		}
	}
}

/* ---- sshd_config ---- */

#define DROPIN "/etc/ssh/sshd_config.d/neoc.conf"

static void
test_config_includes(void **state)
{
	static const struct {
		const char *config;	/* sshd_config */
		enum ncp_sshd_include want; /* the answer */
		const char *keyword;	/* for OVERRIDDEN */
	} cases[] = {
		/* Debian 12's */
		{ "# comment\n\nInclude /etc/ssh/sshd_config.d/*.conf\n\n"
		  "KbdInteractiveAuthentication no\nUsePAM yes\n",
		  NCP_SSHD_INCLUDED, NULL },
		{ "Include sshd_config.d/*.conf\n", NCP_SSHD_INCLUDED, NULL },
		{ "  include\t\"/etc/ssh/sshd_config.d/*.conf\"\n",
		  NCP_SSHD_INCLUDED, NULL },
		{ "Include=/etc/ssh/sshd_config.d/neoc.conf\n",
		  NCP_SSHD_INCLUDED, NULL },
		{ "Include /etc/ssh/a.conf /etc/ssh/sshd_config.d/*\n",
		  NCP_SSHD_INCLUDED, NULL },
		{ "# PasswordAuthentication yes\nPort 22\n"
		  "Include /etc/ssh/sshd_config.d/*.conf\r\n",
		  NCP_SSHD_INCLUDED, NULL },
		{ "", NCP_SSHD_NO_INCLUDE, NULL },
		{ "UsePAM yes\n", NCP_SSHD_NO_INCLUDE, NULL },
		{ "Include /etc/ssh/other.d/*.conf\n", NCP_SSHD_NO_INCLUDE,
		  NULL },
		{ "Include /etc/ssh/sshd_config.d/*.cfg\n",
		  NCP_SSHD_NO_INCLUDE, NULL },
		{ "# Include /etc/ssh/sshd_config.d/*.conf\n",
		  NCP_SSHD_NO_INCLUDE, NULL },
		{ "Match User bob\n\tInclude /etc/ssh/sshd_config.d/*.conf\n",
		  NCP_SSHD_NO_INCLUDE, NULL },
		{ "PasswordAuthentication yes\n"
		  "Include /etc/ssh/sshd_config.d/*.conf\n",
		  NCP_SSHD_OVERRIDDEN, "PasswordAuthentication" },
		{ "authorizedkeysfile .ssh/keys\n"
		  "Include /etc/ssh/sshd_config.d/*.conf\n",
		  NCP_SSHD_OVERRIDDEN, "AuthorizedKeysFile" },
		{ "ChallengeResponseAuthentication=yes\n"
		  "Include /etc/ssh/sshd_config.d/*.conf\n",
		  NCP_SSHD_OVERRIDDEN, "ChallengeResponseAuthentication" },
		/* After the Include, a setting is the image's own. */
		{ "Include /etc/ssh/sshd_config.d/*.conf\n"
		  "PasswordAuthentication yes\n", NCP_SSHD_INCLUDED, NULL },
	};
	const char *kw;
	size_t i;
	enum ncp_sshd_include got;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kw = NULL;
		got = ncp_sshd_config_includes(cases[i].config,
		    strlen(cases[i].config), DROPIN, &kw);
		if (got != cases[i].want)
			fail_msg("case %zu: %d, not %d", i, got, cases[i].want);
		if (cases[i].keyword != NULL &&
		    (kw == NULL || strcmp(kw, cases[i].keyword) != 0))
			fail_msg("case %zu: keyword %s", i, kw ? kw : "(none)");
	}
}

/* ---- the step under --root ---- */

static char g_sshkeys[4096];	/* nodes/<node>/sshkeys of the fake tree */

static int
fake_read(void *impl, const char *path, struct nc_buf *out)
{
	(void)impl;
	size_t n = strlen(path);

	if (strncmp(path, "nodes/", 6) != 0 || n < 8 ||
	    strcmp(path + n - 8, "/sshkeys") != 0)
		return -ENOENT;
	nc_buf_puts(out, g_sshkeys);
	return 0;
}

static const struct ncp_source_ops fake_ops = { .read = fake_read };

/* A scratch root and the ncprov of a run in it. */
struct fixture {
	char root[64];		/* the --root */
	struct ncprov p;	/* the run's options */
};

static void
put(const char *root, const char *abs, const char *text, mode_t mode)
{
	char *path = nc_asprintf("%s%s", root, abs), *dir = nc_strdup(path);
	char *s;
	FILE *f;

	*strrchr(dir, '/') = '\0';
	for (s = dir + 1; *s != '\0'; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(dir, 0755);
			*s = '/';
		}
	mkdir(dir, 0755);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	free(path);
	free(dir);
}

static int
exists(const struct fixture *fx, const char *abs)
{
	char *path = nc_asprintf("%s%s", fx->root, abs);
	struct stat st;
	int yes = lstat(path, &st) == 0;

	free(path);
	return yes;
}

static char *
slurp(const struct fixture *fx, const char *abs)
{
	struct nc_buf b = { 0 };
	char *s;
	int ex = 0;

	assert_int_equal(ncp_read_local(&fx->p, abs, &b, &ex), 0);
	s = ex ? nc_strdup(nc_buf_str(&b)) : NULL;
	nc_buf_free(&b);
	return s;
}

static int
setup(void **state)
{
	struct fixture *fx = nc_malloc(sizeof(*fx));

	memset(fx, 0, sizeof(*fx));
	snprintf(fx->root, sizeof(fx->root), "/tmp/nc-logins.XXXXXX");
	if (mkdtemp(fx->root) == NULL)
		return -1;
	fx->p.root = fx->root;
	fx->p.node = "h1";
	fx->p.no_start = 1;
	fx->p.src.ops = &fake_ops;
	snprintf(g_sshkeys, sizeof(g_sshkeys), "alice ssh-ed25519 A1 a\n"
	    "bob ssh-ed25519 B1 b\nmallory ssh-ed25519 M1 m\n"
	    "alice ssh-ed25519 A2 a2\n");
	put(fx->root, "/var/lib/neoc/accounts",
	    "group sec\nuser alice\nuser bob\n", 0644);
	put(fx->root, "/etc/ssh/sshd_config",
	    "Include /etc/ssh/sshd_config.d/*.conf\nUsePAM yes\n", 0644);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	scratch_rm(fx->root);
	free(fx);
	return 0;
}

/* Run the step; its result.  p.changes counts from 0. */
static int
step(struct fixture *fx)
{
	fx->p.changes = 0;
	fx->p.why[0] = '\0';
	return ncp_step_logins(&fx->p);
}

static void
test_step_no_sshd(void **state)
{
	struct fixture *fx = *state;
	char *s;

	assert_int_equal(step(fx), 0);
	assert_int_equal(fx->p.changes, 1);	/* said once */
	assert_string_equal(s = slurp(fx, "/var/lib/neoc/logins"),
	    "nosshd\n");
	free(s);
	assert_false(exists(fx, "/etc/neoc"));
	assert_false(exists(fx, "/etc/ssh/sshd_config.d"));
	assert_false(exists(fx, "/etc/ssh/ssh_host_ed25519_key"));
	assert_int_equal(step(fx), 0);
	assert_int_equal(fx->p.changes, 0);	/* not again */
}

/* sshd without its configuration: the same as no sshd. */
static void
test_step_no_config(void **state)
{
	struct fixture *fx = *state;
	char *path = nc_asprintf("%s/etc/ssh/sshd_config", fx->root), *s;

	put(fx->root, "/usr/sbin/sshd", "#!/bin/sh\nexit 1\n", 0755);
	assert_int_equal(unlink(path), 0);
	free(path);
	assert_int_equal(step(fx), 0);
	assert_int_equal(fx->p.changes, 1);
	assert_string_equal(s = slurp(fx, "/var/lib/neoc/logins"),
	    "nosshd\n");
	free(s);
	assert_false(exists(fx, "/etc/neoc"));
	assert_int_equal(step(fx), 0);
	assert_int_equal(fx->p.changes, 0);
}

static void
test_step_keys(void **state)
{
	struct fixture *fx = *state;
	char *keygen = ncp_which("ssh-keygen"), *s;
	struct stat st;
	char *path;

	if (keygen == NULL)
		skip();
	free(keygen);
	put(fx->root, "/usr/sbin/sshd", "#!/bin/sh\nexit 1\n", 0755);
	put(fx->root, "/etc/neoc/keys/eve", "stray\n", 0644);
	/* --dry-run: says what it would do, writes nothing. */
	fx->p.dry_run = 1;
	assert_int_equal(step(fx), 0);
	assert_true(fx->p.changes >= 5);
	assert_false(exists(fx, "/etc/ssh/ssh_host_ed25519_key"));
	assert_false(exists(fx, "/etc/neoc/keys/alice"));
	assert_true(exists(fx, "/etc/neoc/keys/eve"));
	assert_false(exists(fx, "/var/lib/neoc/logins"));
	fx->p.dry_run = 0;

	assert_int_equal(step(fx), 0);
	assert_string_equal(s = slurp(fx, "/etc/neoc/keys/alice"),
	    "ssh-ed25519 A1 a\nssh-ed25519 A2 a2\n");
	free(s);
	assert_string_equal(s = slurp(fx, "/etc/neoc/keys/bob"),
	    "ssh-ed25519 B1 b\n");
	free(s);
	/* mallory is in the tree's keys, not one of the accounts made. */
	assert_false(exists(fx, "/etc/neoc/keys/mallory"));
	assert_false(exists(fx, "/etc/neoc/keys/eve"));
	path = nc_asprintf("%s/etc/neoc/keys/alice", fx->root);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(path);
	assert_true(exists(fx, "/etc/ssh/ssh_host_ed25519_key"));
	assert_true(exists(fx, "/etc/ssh/ssh_host_ed25519_key.pub"));
	/* ed25519 only: no second ssh-keygen, no ECDSA key offered */
	assert_false(exists(fx, "/etc/ssh/ssh_host_ecdsa_key"));
	assert_non_null(s = slurp(fx, "/etc/ssh/sshd_config.d/neoc.conf"));
	assert_non_null(strstr(s, "\nAuthorizedKeysFile .ssh/authorized_keys"
	    " /etc/neoc/keys/%u\n"));
	assert_non_null(strstr(s, "\nHostKey /etc/ssh/ssh_host_ed25519_key\n"));
	assert_null(strstr(s, "ecdsa"));
	free(s);
	assert_non_null(s = slurp(fx, "/var/lib/neoc/logins"));
	assert_int_equal(strncmp(s, "node h1\nhostkey ed25519 ", 24), 0);
	assert_null(strstr(s, "nosshd"));
	free(s);

	/* Nothing to do the second time. */
	assert_int_equal(step(fx), 0);
	assert_int_equal(fx->p.changes, 0);

	/* bob's keys leave the tree: his file goes; alice's changes. */
	snprintf(g_sshkeys, sizeof(g_sshkeys), "alice ssh-ed25519 A3 a3\n");
	assert_int_equal(step(fx), 0);
	assert_int_equal(fx->p.changes, 2);
	assert_false(exists(fx, "/etc/neoc/keys/bob"));
	assert_string_equal(s = slurp(fx, "/etc/neoc/keys/alice"),
	    "ssh-ed25519 A3 a3\n");
	free(s);

	/* The node's name changes (a copy of this root): a new host key. */
	s = slurp(fx, "/etc/ssh/ssh_host_ed25519_key.pub");
	fx->p.node = "h2";
	assert_int_equal(step(fx), 0);
	assert_int_equal(fx->p.changes, 1);
	{
		char *t = slurp(fx, "/etc/ssh/ssh_host_ed25519_key.pub");

		assert_string_not_equal(s, t);
		free(t);
	}
	free(s);
}

static void
test_step_bad_config(void **state)
{
	struct fixture *fx = *state;

	put(fx->root, "/usr/sbin/sshd", "#!/bin/sh\nexit 1\n", 0755);
	put(fx->root, "/etc/ssh/sshd_config", "UsePAM yes\n", 0644);
	assert_int_equal(step(fx), -1);
	assert_non_null(strstr(fx->p.why, "does not Include"));
	assert_false(exists(fx, "/etc/neoc/keys"));
	put(fx->root, "/etc/ssh/sshd_config", "PidFile /run/x.pid\n"
	    "Include /etc/ssh/sshd_config.d/*.conf\n", 0644);
	assert_int_equal(step(fx), -1);
	assert_non_null(strstr(fx->p.why, "sets PidFile before"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_parse),
		cmocka_unit_test(test_keys_parse_nul),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_pid),
		cmocka_unit_test(test_config_includes),
		cmocka_unit_test_setup_teardown(test_step_no_sshd, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_step_no_config, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_step_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_step_bad_config, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
