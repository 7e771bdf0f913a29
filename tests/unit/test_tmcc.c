/*
 * test_tmcc.c: the tmcc reader (accounts, mounts, hostnames, ifconfig) and
 * the passwd/group reader, against the fixtures in tests/data/tmcc and
 * tests/data/passwd: every field, merging, and each error's file:line.
 */
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

#include "inet.h"
#include "tmcc.h"
#include "tmcc_int.h"
#include "util.h"

static struct nc_diag D;	/* diagnostics of the current case */
static char *warnings;		/* what D printed (open_memstream) */
static size_t warnings_len;

/* Where the source tree is: $NC_TOP, else the current directory when it
 * holds the fixtures (make runs tests from the top), else the tree the
 * binary was built in (.../build/[asan/]tests/test_tmcc). */
static const char *
top(void)
{
	static char exe[4096];
	const char *t = getenv("NC_TOP");
	char *b;
	ssize_t n;

	if (t != NULL && *t)
		return t;
	if (access("tests/data/tmcc", F_OK) == 0)
		return ".";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((b = strstr(exe, "/build/")) != NULL) {
			*b = '\0';
			return exe;
		}
	}
	return ".";
}

/* The path of a fixture under tests/data (a fresh string). */
static char *
fixture(const char *rel)
{
	return nc_asprintf("%s/tests/data/%s", top(), rel);
}

static void
diag_start(const char *file)
{
	nc_diag_init(&D, file);
	free(warnings);
	warnings = NULL;
	D.out = open_memstream(&warnings, &warnings_len);
}

/* Close the warning stream; the text stays in `warnings`. */
static void
diag_end(void)
{
	if (D.out != NULL)
		fclose(D.out);
	D.out = NULL;
	nc_diag_free(&D);
}

static int
setup(void **state)
{
	(void)state;
	diag_start("-");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	diag_end();
	free(warnings);
	warnings = NULL;
	return 0;
}

/* Import tests/data/tmcc/REL; asserts it succeeds. */
static void
import_ok(const char *rel, const char *pnode, struct nc_exp *e)
{
	char *dir = fixture(rel);
	int rc = nc_tmcc_import(dir, pnode, e, &D);

	if (rc != 0)
		fail_msg("import %s: %s", dir, D.error ? D.error : "?");
	assert_int_equal(D.nerr, 0);
	free(dir);
}

static struct nc_user *
user(struct nc_exp *e, const char *name)
{
	long i = nc_strmap_get(&e->user_by_name, name);

	if (i < 0)
		fail_msg("no user %s", name);
	return &e->users[i];
}

static struct nc_group *
group(struct nc_exp *e, const char *name)
{
	long i = nc_strmap_get(&e->group_by_name, name);

	if (i < 0)
		fail_msg("no group %s", name);
	return &e->groups[i];
}

static struct nc_mount *
mount_at(struct nc_exp *e, const char *target)
{
	size_t i;

	for (i = 0; i < e->nmounts; i++)
		if (strcmp(e->mounts[i].target, target) == 0)
			return &e->mounts[i];
	fail_msg("no mount on %s", target);
	return NULL;
}

static struct nc_hostname *
host(struct nc_exp *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nhostnames; i++)
		if (strcmp(e->hostnames[i].name, name) == 0)
			return &e->hostnames[i];
	fail_msg("no hostname %s", name);
	return NULL;
}

static struct nc_piface *
piface(struct nc_exp *e, const char *pnode, const char *name)
{
	size_t i;

	for (i = 0; i < e->npifaces; i++)
		if (strcmp(e->pifaces[i].pnode, pnode) == 0 &&
		    strcmp(e->pifaces[i].name, name) == 0)
			return &e->pifaces[i];
	fail_msg("no interface %s of %s", name, pnode);
	return NULL;
}

static void
assert_ip(uint32_t ip, const char *want)
{
	char buf[16];

	assert_string_equal(nc_ip_format(ip, buf), want);
}

static void
assert_mac(const uint8_t *mac, const char *want)
{
	char buf[18];

	assert_string_equal(nc_mac_format(mac, buf), want);
}

/* warnings holds "FIXTURE:LINE: warning: MSG". */
static void
assert_warned(const char *rel, int line, const char *msg)
{
	char *path = fixture(rel), *want;

	fflush(D.out);
	want = nc_asprintf("%s:%d: warning: %s\n", path, line, msg);
	if (warnings == NULL || strstr(warnings, want) == NULL)
		fail_msg("missing warning \"%s\" in:\n%s", want,
		    warnings ? warnings : "");
	free(want);
	free(path);
}

static const char *const KEY_LAPTOP = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA"
    "IGx9kQe3V0m6bTq3dXv2Yc1p8Lr7Wn4Zs5Hf0Ju2Kg9B alice@laptop";
static const char *const KEY_DESKTOP = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAB"
    "AQC3vYd8Jq2mXo9aLk4Tz7Rb1Nc6Wf0Hs5Pe2Gu8Ki3Dl9Vr4Qx7Mt1Oy6Bn0Cj5Ew2Fa8Zg"
    "3Ih7Lp4Kd9Sv6Ut1Rw0Yx2 alice@desktop (work)";
static const char *const KEY_CAROL = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ"
    "q7Xw2Vb5Nm8Lk1Hg4Fd7Sa0Pz3Ox6Iu9Ty2Re5Wq8E carol@home";

/* The accounts of tests/data/tmcc/good, field by field. */
static void
check_good_accounts(struct nc_exp *e)
{
	struct nc_user *u;

	assert_int_equal(e->ngroups, 2);
	assert_string_equal(e->groups[0].name, "seclab");
	assert_int_equal(e->groups[0].gid, 6001);
	assert_string_equal(e->groups[1].name, "seclab-admin");
	assert_int_equal(e->groups[1].gid, 6002);

	assert_int_equal(e->nusers, 3);
	u = &e->users[0];
	assert_string_equal(u->name, "alice");
	assert_string_equal(u->password, "$1$Xk3pQ9aZ$7b0ZbqEYg1nVnR0tY3C2m/");
	assert_int_equal(u->uid, 20001);
	assert_int_equal(u->gid, 6001);
	assert_int_equal(u->root, 1);
	assert_string_equal(u->fullname, "Alice P. Liddell");
	assert_string_equal(u->home, "/users/alice");
	assert_string_equal(u->email, "alice@cs.example.edu");
	assert_string_equal(u->shell, "/bin/tcsh");
	assert_int_equal(u->ngroups, 2);
	assert_string_equal(u->groups[0], "seclab");
	assert_string_equal(u->groups[1], "seclab-admin");
	assert_int_equal(u->nkeys, 2);
	assert_string_equal(u->keys[0], KEY_LAPTOP);
	assert_string_equal(u->keys[1], KEY_DESKTOP);

	u = &e->users[1];
	assert_string_equal(u->name, "bob");
	assert_string_equal(u->password, "*");
	assert_int_equal(u->uid, 20002);
	assert_int_equal(u->gid, 6001);
	assert_int_equal(u->root, 0);
	assert_string_equal(u->fullname, "Robert 'Bob' Tables");
	assert_string_equal(u->home, "/users/bob");
	assert_string_equal(u->email, "bob@example.org");
	assert_string_equal(u->shell, "/bin/bash");
	assert_int_equal(u->ngroups, 0);
	assert_int_equal(u->nkeys, 0);

	u = &e->users[2];
	assert_string_equal(u->name, "carol");
	assert_string_equal(u->password, "$6$rounds=5000$saltsalt$Qm1H8fXhJ0v2"
	    "yq3r6ZkqJ2wq0hC8x4b7Yd9pT5uV1sW3eR6tY8uI0oP2aS4dF6gH8jK0lZ2xC4vB6"
	    "nM8qW0eR.");
	assert_int_equal(u->uid, 20003);
	assert_int_equal(u->gid, 6002);
	assert_int_equal(u->root, 0);
	assert_string_equal(u->fullname, "Carol van der Berg");
	assert_string_equal(u->home, "/users/carol");
	assert_string_equal(u->email, "carol@example.org");
	assert_string_equal(u->shell, "/bin/bash");
	assert_int_equal(u->ngroups, 1);	/* 6009 has no group */
	assert_string_equal(u->groups[0], "seclab-admin");
	assert_int_equal(u->nkeys, 1);
	assert_string_equal(u->keys[0], KEY_CAROL);
}

static void
check_good_mounts(struct nc_exp *e)
{
	struct nc_mount *m;

	assert_int_equal(e->nmounts, 4);
	/* the later /proj/seclab replaced the first, in its place */
	m = &e->mounts[0];
	assert_string_equal(m->target, "/proj/seclab");
	assert_string_equal(m->server, "fs.example.edu");
	assert_string_equal(m->source, "/q/groups/seclab");
	assert_string_equal(m->fstype, "nfs4");
	assert_string_equal(m->options, "");
	m = &e->mounts[1];
	assert_string_equal(m->target, "/users/alice");
	assert_string_equal(m->server, "fs.example.edu");
	assert_string_equal(m->source, "/users/alice");
	assert_string_equal(m->fstype, "nfs");
	assert_string_equal(m->options, "");
	m = &e->mounts[2];
	assert_string_equal(m->target, "/users/bob");
	assert_string_equal(m->source, "/users/bob");
	assert_string_equal(m->fstype, "nfs");
	m = &e->mounts[3];
	assert_string_equal(m->target, "/share");
	assert_string_equal(m->server, "10.1.0.5");
	assert_string_equal(m->source, "/share");
	assert_string_equal(m->fstype, "nfs4");
}

static void
check_good_hostnames(struct nc_exp *e)
{
	assert_int_equal(e->nhostnames, 3);
	assert_string_equal(e->hostnames[0].name, "pnode-0");
	assert_ip(e->hostnames[0].ip, "192.168.1.10");
	assert_string_equal(e->hostnames[0].aliases, "");
	assert_string_equal(e->hostnames[1].name, "pnode-1");
	assert_ip(e->hostnames[1].ip, "192.168.1.11");
	assert_string_equal(e->hostnames[1].aliases,
	    "pnode-1-ctl pnode-1.seclab.example.net");
	assert_string_equal(e->hostnames[2].name, "ops");
	assert_ip(e->hostnames[2].ip, "192.168.1.1");
	assert_string_equal(e->hostnames[2].aliases, "fs boss.example.edu");
}

static void
check_good_ifconfig(struct nc_exp *e, const char *pnode)
{
	struct nc_piface *p;

	assert_int_equal(e->npifaces, 4);
	p = &e->pifaces[0];
	assert_string_equal(p->pnode, pnode);
	assert_string_equal(p->name, "eth2");
	assert_ip(p->ip, "10.1.1.2");
	assert_ip(p->mask, "255.255.255.0");
	assert_mac(p->mac, "00:17:5a:7a:8d:ba");
	assert_string_equal(p->speed, "1000Mbps");
	assert_string_equal(p->duplex, "full");
	assert_string_equal(p->lan, "link0");
	p = &e->pifaces[1];
	assert_string_equal(p->pnode, pnode);
	assert_string_equal(p->name, "eth3");
	assert_ip(p->ip, "10.1.2.2");
	assert_mac(p->mac, "00:17:5a:7a:8d:bb");
	assert_string_equal(p->speed, "100Mbps");
	assert_string_equal(p->duplex, "half");
	assert_string_equal(p->lan, "lan0");
	p = &e->pifaces[2];
	assert_string_equal(p->pnode, "pnode-1");
	assert_string_equal(p->name, "eth1");
	assert_ip(p->ip, "10.1.2.3");
	assert_mac(p->mac, "00:02:b3:a1:c2:d4");
	assert_string_equal(p->lan, "lan0");
	p = &e->pifaces[3];
	assert_string_equal(p->pnode, "pnode-2");
	assert_string_equal(p->name, "eth0");
	assert_ip(p->ip, "192.168.2.4");
	assert_ip(p->mask, "255.255.0.0");
	assert_mac(p->mac, "00:02:b3:a1:c2:d5");
	assert_null(p->lan);
}

static void
test_good(void **state)
{
	struct nc_exp e;

	(void)state;
	nc_exp_init(&e);
	import_ok("tmcc/good", NULL, &e);
	check_good_accounts(&e);
	check_good_mounts(&e);
	check_good_hostnames(&e);
	check_good_ifconfig(&e, "pnode-0");
	/* nothing but account data and interfaces: nodes come later */
	assert_int_equal(e.nnodes, 0);
	assert_string_equal(D.file, "-");
	assert_warned("tmcc/good/accounts", 10,
	    "unknown keyword \"SETQUOTA\", line skipped");
	assert_warned("tmcc/good/accounts", 5,
	    "ADDUSER: GLIST gid 6009 of carol has no group name, skipped");
	assert_warned("tmcc/good/mounts", 6,
	    "unknown keyword \"SFS\", line skipped");
	assert_warned("tmcc/good/ifconfig", 3,
	    "unknown keyword \"VINTERFACE\", line skipped");
	assert_int_equal(D.nwarn, 4);
	nc_exp_free(&e);
}

/* Importing the same directory twice changes nothing. */
static void
test_twice(void **state)
{
	struct nc_exp e;

	(void)state;
	nc_exp_init(&e);
	import_ok("tmcc/good", NULL, &e);
	import_ok("tmcc/good", NULL, &e);
	check_good_accounts(&e);
	check_good_mounts(&e);
	check_good_hostnames(&e);
	check_good_ifconfig(&e, "pnode-0");
	nc_exp_free(&e);
}

/* A second directory updates users, adds keys and replaces records. */
static void
test_update(void **state)
{
	struct nc_exp e;
	struct nc_user *u;
	struct nc_mount *m;

	(void)state;
	nc_exp_init(&e);
	import_ok("tmcc/good", NULL, &e);
	import_ok("tmcc/update", NULL, &e);

	assert_int_equal(e.ngroups, 3);
	assert_int_equal(group(&e, "ops-team")->gid, 6010);
	assert_int_equal(group(&e, "seclab")->gid, 6001);
	assert_int_equal(e.nusers, 3);
	u = user(&e, "bob");
	assert_string_equal(u->password, "$1$Qw8eRt5y$abcdefghijklmnopqrstu/");
	assert_int_equal(u->root, 1);
	assert_string_equal(u->fullname, "Bob Tables");
	assert_string_equal(u->email, "bob@example.net");
	assert_string_equal(u->shell, "/bin/zsh");
	assert_int_equal(u->ngroups, 1);
	assert_string_equal(u->groups[0], "ops-team");
	assert_int_equal(u->nkeys, 1);
	assert_string_equal(u->keys[0], "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA"
	    "IBb0bK3y5Xq1Wn7Lm4Jh2Gf9Ds6Ap0Zo8Iu5Ty3Re1We bob@phone");
	/* alice: only keys were given; the repeated one is not added */
	u = user(&e, "alice");
	assert_int_equal(u->uid, 20001);
	assert_int_equal(u->root, 1);
	assert_int_equal(u->ngroups, 2);
	assert_int_equal(u->nkeys, 3);
	assert_string_equal(u->keys[0], KEY_LAPTOP);
	assert_string_equal(u->keys[1], KEY_DESKTOP);
	assert_string_equal(u->keys[2], "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA"
	    "IPq2Rs4Tu6Vw8Xy0Za1Bc3De5Fg7Hi9Jk1Lm3No5Pq7R alice@tablet");
	u = user(&e, "carol");
	assert_int_equal(u->nkeys, 1);
	assert_string_equal(u->groups[0], "seclab-admin");

	assert_int_equal(e.nmounts, 4);
	m = mount_at(&e, "/users/bob");
	assert_ptr_equal(m, &e.mounts[2]);
	assert_string_equal(m->server, "fs2.example.edu");
	assert_string_equal(m->source, "/export/bob");
	assert_null(m->fstype);
	assert_string_equal(mount_at(&e, "/users/alice")->fstype, "nfs");

	assert_int_equal(e.nhostnames, 3);
	assert_ip(host(&e, "pnode-0")->ip, "192.168.1.20");
	assert_string_equal(host(&e, "pnode-0")->aliases, "p0");
	assert_ip(host(&e, "ops")->ip, "192.168.1.1");

	assert_int_equal(e.npifaces, 4);
	assert_ip(piface(&e, "pnode-0", "eth2")->ip, "10.1.1.9");
	assert_ip(piface(&e, "pnode-0", "eth3")->ip, "10.1.2.2");
	nc_exp_free(&e);
}

/* Which pnode DIR/ifconfig describes. */
static void
test_pnode_choice(void **state)
{
	struct nc_exp e;
	size_t n;

	(void)state;
	nc_exp_init(&e);
	import_ok("tmcc/good", "pnode-7", &e);
	check_good_ifconfig(&e, "pnode-7");
	nc_exp_free(&e);

	/* the experiment's only pnode */
	nc_exp_init(&e);
	nc_exp_add_node(&e, "n-0", NC_ROLE_CONTAINER);
	nc_exp_add_node(&e, "host-a", NC_ROLE_PNODE);
	nc_exp_add_node(&e, "config", NC_ROLE_CONFIG);
	import_ok("tmcc/good", NULL, &e);
	assert_string_equal(piface(&e, "host-a", "eth2")->pnode, "host-a");
	assert_int_equal(e.nnodes, 3);
	nc_exp_free(&e);

	/* roles come after an NS import: a node on PNODE-BASE is one */
	nc_exp_init(&e);
	n = nc_exp_add_node(&e, "big", NC_ROLE_CONTAINER);
	nc_set_str(&e.nodes[n].os, "PNODE-BASE");
	nc_exp_add_node(&e, "n-1", NC_ROLE_CONTAINER);
	import_ok("tmcc/good", NULL, &e);
	piface(&e, "big", "eth3");
	nc_exp_free(&e);

	/* two pnodes: no way to tell, pnode-0 */
	nc_exp_init(&e);
	nc_exp_add_node(&e, "pnode-3", NC_ROLE_PNODE);
	nc_exp_add_node(&e, "pnode4", NC_ROLE_CONTAINER);
	import_ok("tmcc/good", NULL, &e);
	piface(&e, "pnode-0", "eth2");
	nc_exp_free(&e);

	/* a trailing slash does not change the names in messages */
	nc_exp_init(&e);
	{
		char *dir = fixture("tmcc/good/");
		char *want = fixture("tmcc/good/accounts:10: warning: unknown"
		    " keyword \"SETQUOTA\", line skipped");

		diag_end();
		diag_start("-");
		assert_int_equal(nc_tmcc_import(dir, NULL, &e, &D), 0);
		fflush(D.out);
		assert_non_null(strstr(warnings, want));
		free(dir);
		free(want);
	}
	nc_exp_free(&e);

	/* a bad --pnode name */
	nc_exp_init(&e);
	{
		char *dir = fixture("tmcc/good");
		char *want = nc_asprintf("%s: pnode name \"pnode 7\" may hold "
		    "only letters, digits and '-'", dir);

		assert_int_equal(nc_tmcc_import(dir, "pnode 7", &e, &D), -1);
		assert_string_equal(D.error, want);
		free(dir);
		free(want);
	}
	nc_exp_free(&e);
}

struct bad_case {
	const char *rel;	/* fixture, under tests/data/tmcc */
	const char *msg;	/* the error after the fixture's path */
};

static const struct bad_case bad_cases[] = {
	{ "bad-uid",
	    "/accounts:3: ADDUSER: UID \"2000x\" is not a decimal number" },
	{ "bad-quote", "/accounts:2: ADDUSER: unterminated quote in NAME" },
	{ "missing-field", "/accounts:3: ADDUSER: missing HOMEDIR" },
	{ "bad-pubkey", "/accounts:4: PUBKEY: unknown user \"mallory\"" },
	{ "bad-login",
	    "/accounts:2: ADDUSER: LOGIN \"bob;rm\" is not a valid user or "
	    "group name" },
	{ "bad-home", "/accounts:2: ADDUSER: HOMEDIR \"/users/../etc\" is "
	    "not a safe absolute path" },
	{ "bad-root", "/accounts:2: ADDUSER: ROOT \"yes\" is not 0 or 1" },
	{ "bad-glist",
	    "/accounts:2: ADDUSER: GLIST gid \"staff\" is not a number" },
	{ "bad-word", "/accounts:2: ADDUSER: unexpected word \"bogus\" "
	    "(expected KEY=value)" },
	{ "bad-mount", "/mounts:3: REMOTE \"fs.example.edu:users/bob\": "
	    "\"users/bob\" is not a safe absolute path" },
	{ "bad-server", "/mounts:2: REMOTE \"fs;reboot:/users/bob\": "
	    "\"fs;reboot\" is not a host name" },
	{ "bad-ip",
	    "/hostnames:2: IP \"192.168.1.300\" is not an IPv4 address" },
	{ "bad-alias",
	    "/hostnames:2: ALIASES: \"bad_alias\" is not a host name" },
	{ "bad-mac", "/ifconfig:2: INTERFACE: MAC \"00175a7a8db\" is not a "
	    "MAC address" },
	{ "bad-mask",
	    "/ifconfig:1: INTERFACE: MASK \"255.0.255.0\" is not a netmask" },
	{ "bad-duplex",
	    "/ifconfig:1: INTERFACE: DUPLEX \"quarter\" is not full or half" },
	{ "bad-pnode", "/Bad_Name/ifconfig: pnode name \"Bad_Name\" may hold "
	    "only letters, digits and '-'" },
	{ "empty", ": no tmcc files (accounts, mounts, hostnames, ifconfig)" },
	{ "nonexistent", ": No such file or directory" },
};

/* Each malformed fixture fails with its file and line, and leaves the
 * experiment as it was. */
static void
test_errors(void **state)
{
	struct nc_exp e;
	size_t i;
	char *rel, *dir, *want;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		diag_end();
		diag_start("-");
		nc_exp_init(&e);
		import_ok("tmcc/good", NULL, &e);
		rel = nc_asprintf("tmcc/%s", bad_cases[i].rel);
		dir = fixture(rel);
		want = nc_asprintf("%s%s", dir, bad_cases[i].msg);
		assert_int_equal(nc_tmcc_import(dir, NULL, &e, &D), -1);
		assert_non_null(D.error);
		if (strcmp(D.error, want) != 0)
			fail_msg("%s:\n want %s\n got  %s", rel, want,
			    D.error);
		assert_string_equal(D.file, "-");
		/* nothing of the failed import was merged */
		check_good_accounts(&e);
		check_good_mounts(&e);
		check_good_hostnames(&e);
		check_good_ifconfig(&e, "pnode-0");
		free(rel);
		free(dir);
		free(want);
		nc_exp_free(&e);
	}
}

/* Write a file into dir. */
static void
write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char *path = nc_asprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static void
remove_dir(const char *dir)
{
	static const char *const names[] = { "accounts", "mounts",
	    "hostnames", "ifconfig" };
	size_t i;
	char *path;

	for (i = 0; i < 4; i++) {
		path = nc_asprintf("%s/%s", dir, names[i]);
		unlink(path);
		free(path);
	}
	rmdir(dir);
}

/* A NUL byte, CRLF line ends, a PUBKEY before its ADDUSER, a key with a
 * control character. */
static void
test_odd_bytes(void **state)
{
	static const char nul[] = "ADDGROUP NAME=g GID=7000\n"
	    "ADDUSER LOGIN=x\0y PSWD=* UID=1 GID=1\n";
	static const char crlf[] = "PUBKEY LOGIN=dora KEY=\"ssh-ed25519 "
	    "AAAAC3Nza dora@x\"\r\n"
	    "ADDUSER LOGIN=dora PSWD=* UID=30001 GID=7000 ROOT=0 "
	    "NAME=\"Dora\" HOMEDIR=/users/dora GLIST=\"7000\"\r\n"
	    "ADDGROUP NAME=explorers GID=7000\r\n";
	static const char ctl[] = "ADDUSER LOGIN=dora PSWD=* UID=30001 "
	    "GID=7000 ROOT=0 NAME=\"Dora\" HOMEDIR=/users/dora\n"
	    "PUBKEY LOGIN=dora KEY=\"ssh-ed25519 AAAA\tdora\"\n";
	static const char esc[] = "# ok\nADDGROUP NAME=\033[2J GID=1\n";
	char dir[] = "/tmp/test_tmcc.XXXXXX";
	char *want;
	struct nc_exp e;
	struct nc_user *u;

	(void)state;
	assert_non_null(mkdtemp(dir));

	nc_exp_init(&e);
	write_file(dir, "accounts", nul, sizeof(nul) - 1);
	assert_int_equal(nc_tmcc_import(dir, NULL, &e, &D), -1);
	want = nc_asprintf("%s/accounts:2: line holds a NUL byte", dir);
	assert_string_equal(D.error, want);
	free(want);
	assert_int_equal(e.nusers, 0);
	assert_int_equal(e.ngroups, 0);
	nc_exp_free(&e);

	diag_end();
	diag_start("-");
	nc_exp_init(&e);
	write_file(dir, "accounts", crlf, sizeof(crlf) - 1);
	assert_int_equal(nc_tmcc_import(dir, NULL, &e, &D), 0);
	u = user(&e, "dora");
	assert_string_equal(u->fullname, "Dora");
	assert_int_equal(u->nkeys, 1);
	assert_string_equal(u->keys[0], "ssh-ed25519 AAAAC3Nza dora@x");
	assert_int_equal(u->ngroups, 1);
	assert_string_equal(u->groups[0], "explorers");
	/* no SHELL, EMAIL: left unset */
	assert_null(u->shell);
	assert_null(u->email);
	nc_exp_free(&e);

	diag_end();
	diag_start("-");
	nc_exp_init(&e);
	write_file(dir, "accounts", ctl, sizeof(ctl) - 1);
	assert_int_equal(nc_tmcc_import(dir, NULL, &e, &D), -1);
	want = nc_asprintf("%s/accounts:2: PUBKEY: KEY of dora is empty or "
	    "holds a control character", dir);
	assert_string_equal(D.error, want);
	free(want);
	nc_exp_free(&e);

	/* an escape sequence never reaches a message */
	diag_end();
	diag_start("-");
	nc_exp_init(&e);
	write_file(dir, "accounts", esc, strlen(esc));
	assert_int_equal(nc_tmcc_import(dir, NULL, &e, &D), -1);
	want = nc_asprintf("%s/accounts:2: line holds a control character "
	    "(0x1b)", dir);
	assert_string_equal(D.error, want);
	free(want);
	nc_exp_free(&e);

	/* a keyword where a field belongs, a field where the keyword does */
	diag_end();
	diag_start("-");
	nc_exp_init(&e);
	remove_dir(dir);
	assert_non_null(mkdtemp(strcpy(dir, "/tmp/test_tmcc.XXXXXX")));
	write_file(dir, "hostnames", "NAME IP=10.0.0.1\n", 17);
	assert_int_equal(nc_tmcc_import(dir, NULL, &e, &D), -1);
	want = nc_asprintf("%s/hostnames:1: NAME: expected NAME=value", dir);
	assert_string_equal(D.error, want);
	free(want);
	remove_dir(dir);
	assert_non_null(mkdtemp(strcpy(dir, "/tmp/test_tmcc.XXXXXX")));
	diag_end();
	diag_start("-");
	write_file(dir, "ifconfig", "INTERFACE=1 INET=10.0.0.1\n", 26);
	assert_int_equal(nc_tmcc_import(dir, NULL, &e, &D), -1);
	want = nc_asprintf("%s/ifconfig:1: INTERFACE: expected a keyword",
	    dir);
	assert_string_equal(D.error, want);
	free(want);
	assert_int_equal(e.nhostnames + e.npifaces, 0);
	nc_exp_free(&e);

	remove_dir(dir);
}

/* The line splitter on its own. */
static void
test_split(void **state)
{
	struct nc_tmcc_line tl;
	char why[160];
	char a[] = "  INTERFACE  A=1\tB=\"x  y\" C='it\"s' D= E=\"\"";
	char b[] = "NAME=n IP=1.2.3.4 ALIASES='a b'";
	char c[] = "K A=\"x\"y";
	char d[] = "K A=1 A=2";
	char f[] = "K A=1 =2";

	(void)state;
	assert_int_equal(nc_tmcc_split(a, &tl, why, sizeof(why)), 0);
	assert_string_equal(tl.keyword, "INTERFACE");
	assert_int_equal(tl.nf, 5);
	assert_string_equal(nc_tmcc_get(&tl, "A"), "1");
	assert_string_equal(nc_tmcc_get(&tl, "B"), "x  y");
	assert_string_equal(nc_tmcc_get(&tl, "C"), "it\"s");
	assert_string_equal(nc_tmcc_get(&tl, "D"), "");
	assert_string_equal(nc_tmcc_get(&tl, "E"), "");
	assert_null(nc_tmcc_get(&tl, "F"));

	assert_int_equal(nc_tmcc_split(b, &tl, why, sizeof(why)), 0);
	assert_null(tl.keyword);
	assert_string_equal(tl.f[0].key, "NAME");
	assert_string_equal(nc_tmcc_get(&tl, "ALIASES"), "a b");

	assert_int_equal(nc_tmcc_split(c, &tl, why, sizeof(why)), -1);
	assert_string_equal(why, "A: text after the closing quote");
	assert_int_equal(nc_tmcc_split(d, &tl, why, sizeof(why)), -1);
	assert_string_equal(why, "A given twice");
	assert_int_equal(nc_tmcc_split(f, &tl, why, sizeof(why)), -1);
	assert_string_equal(why, "bad field name \"\"");

	{
		long v;

		assert_int_equal(nc_tmcc_num("4294967294", &v), 0);
		assert_int_equal(v, 4294967294L);
		assert_int_equal(nc_tmcc_num("4294967295", &v), -2);
		assert_int_equal(nc_tmcc_num("99999999999999999999999", &v),
		    -2);
		assert_int_equal(nc_tmcc_num("-1", &v), -1);
		assert_int_equal(nc_tmcc_num("", &v), -1);
		assert_int_equal(nc_tmcc_num("1e3", &v), -1);
	}
}

static void
passwd_ok(const char *pw, const char *gr, struct nc_exp *e)
{
	char *p = pw ? fixture(pw) : NULL, *g = gr ? fixture(gr) : NULL;

	if (nc_passwd_import(p, g, e, &D) != 0)
		fail_msg("passwd import: %s", D.error ? D.error : "?");
	free(p);
	free(g);
}

static void
test_passwd(void **state)
{
	struct nc_exp e;
	struct nc_user *u;

	(void)state;
	nc_exp_init(&e);
	passwd_ok("passwd/passwd", "passwd/group", &e);
	/* root, daemon, www-data and nobody are system accounts */
	assert_int_equal(e.nusers, 2);
	u = &e.users[0];
	assert_string_equal(u->name, "alice");
	assert_int_equal(u->uid, 1000);
	assert_int_equal(u->gid, 1000);
	assert_string_equal(u->password, "$6$saltsalt$Qm1H8fXhJ0v2yq3r6ZkqJ2"
	    "wq0hC8x4b7Yd9pT5uV1sW3eR6tY8uI0oP2aS4dF6gH8jK0lZ2xC4vB6nM8qW0eR.");
	assert_string_equal(u->fullname, "Alice P. Liddell");
	assert_string_equal(u->home, "/home/alice");
	assert_string_equal(u->shell, "/bin/bash");
	assert_null(u->email);
	assert_int_equal(u->root, 0);
	assert_int_equal(u->nkeys, 0);
	assert_int_equal(u->ngroups, 1);
	assert_string_equal(u->groups[0], "seclab");
	u = &e.users[1];
	assert_string_equal(u->name, "bob");
	assert_int_equal(u->uid, 1001);
	assert_string_equal(u->password, "*");	/* "x": in shadow */
	assert_string_equal(u->fullname, "Bob Tables");
	assert_string_equal(u->shell, "/bin/sh");	/* empty */
	assert_int_equal(u->ngroups, 2);
	assert_string_equal(u->groups[0], "seclab");
	assert_string_equal(u->groups[1], "ops");

	/* root, sudo, users and nogroup are system groups */
	assert_int_equal(e.ngroups, 4);
	assert_int_equal(group(&e, "alice")->gid, 1000);
	assert_int_equal(group(&e, "bob")->gid, 1001);
	assert_int_equal(group(&e, "seclab")->gid, 1500);
	assert_int_equal(group(&e, "ops")->gid, 1501);

	assert_warned("passwd/passwd", 9, "NIS compat entry skipped");
	assert_warned("passwd/group", 8,
	    "group ops: member ghost is not a known user, skipped");
	/* root is a system account left out, not an unknown one */
	assert_int_equal(D.nwarn, 2);
	assert_string_equal(D.file, "-");

	/* again: nothing changes */
	passwd_ok("passwd/passwd", "passwd/group", &e);
	assert_int_equal(e.nusers, 2);
	assert_int_equal(e.ngroups, 4);
	assert_int_equal(e.users[1].ngroups, 2);
	nc_exp_free(&e);
}

/* passwd data over tmcc data: accounts updated, root and keys kept. */
static void
test_passwd_over_tmcc(void **state)
{
	struct nc_exp e;
	struct nc_user *u;

	(void)state;
	nc_exp_init(&e);
	import_ok("tmcc/good", NULL, &e);
	passwd_ok("passwd/passwd", "passwd/group", &e);
	assert_int_equal(e.nusers, 3);
	u = user(&e, "alice");
	assert_int_equal(u->uid, 1000);
	assert_string_equal(u->home, "/home/alice");
	assert_int_equal(u->root, 1);
	assert_int_equal(u->nkeys, 2);
	assert_string_equal(u->email, "alice@cs.example.edu");
	assert_int_equal(u->ngroups, 1);	/* the group file's say */
	assert_string_equal(u->groups[0], "seclab");
	/* the passwd gid of seclab wins */
	assert_int_equal(group(&e, "seclab")->gid, 1500);
	/* carol is not in the passwd file: untouched */
	u = user(&e, "carol");
	assert_int_equal(u->uid, 20003);
	nc_exp_free(&e);

	/* without a group file, groups are kept */
	nc_exp_init(&e);
	import_ok("tmcc/good", NULL, &e);
	passwd_ok("passwd/passwd", NULL, &e);
	u = user(&e, "alice");
	assert_int_equal(u->ngroups, 2);
	assert_int_equal(u->uid, 1000);
	nc_exp_free(&e);

	/* a group file alone adds memberships to known users */
	nc_exp_init(&e);
	import_ok("tmcc/good", NULL, &e);
	passwd_ok(NULL, "passwd/group", &e);
	u = user(&e, "bob");
	assert_int_equal(u->uid, 20002);
	assert_int_equal(u->ngroups, 2);
	assert_string_equal(u->groups[0], "seclab");
	assert_string_equal(u->groups[1], "ops");
	nc_exp_free(&e);
}

static void
test_passwd_errors(void **state)
{
	static const struct {
		const char *pw, *gr;	/* fixtures under tests/data/passwd */
		const char *file;	/* the one the error names */
		const char *msg;	/* after "file" */
	} cases[] = {
		{ "bad-uid.passwd", NULL, "bad-uid.passwd",
		    ":2: uid \"10o1\" is not a decimal number" },
		{ "bad-fields.passwd", NULL, "bad-fields.passwd",
		    ":3: expected 7 fields name:password:uid:gid:gecos:home:"
		    "shell, found 6" },
		{ "bad-home.passwd", NULL, "bad-home.passwd",
		    ":2: home \"home/bob\" is not a safe absolute path" },
		{ "passwd", "bad-fields.group", "bad-fields.group",
		    ":2: expected 4 fields name:password:gid:members, "
		    "found 3" },
		{ "passwd", "bad-member.group", "bad-member.group",
		    ":1: group seclab: member \"Bob!\" is not a valid user "
		    "or group name" },
		{ "missing.passwd", NULL, "missing.passwd",
		    ": No such file or directory" },
	};
	struct nc_exp e;
	size_t i;
	char *pw, *gr, *rel, *file, *want;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		diag_end();
		diag_start("-");
		nc_exp_init(&e);
		rel = nc_asprintf("passwd/%s", cases[i].pw);
		pw = fixture(rel);
		free(rel);
		gr = NULL;
		if (cases[i].gr != NULL) {
			rel = nc_asprintf("passwd/%s", cases[i].gr);
			gr = fixture(rel);
			free(rel);
		}
		rel = nc_asprintf("passwd/%s", cases[i].file);
		file = fixture(rel);
		free(rel);
		want = nc_asprintf("%s%s", file, cases[i].msg);
		assert_int_equal(nc_passwd_import(pw, gr, &e, &D), -1);
		assert_non_null(D.error);
		if (strcmp(D.error, want) != 0)
			fail_msg("want %s\n got  %s", want, D.error);
		assert_int_equal(e.nusers, 0);
		assert_int_equal(e.ngroups, 0);
		free(pw);
		free(gr);
		free(file);
		free(want);
		nc_exp_free(&e);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pnode_choice, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_bytes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passwd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passwd_over_tmcc, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_passwd_errors, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
