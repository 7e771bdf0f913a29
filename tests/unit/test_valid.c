/*
 * test_valid.c: one table of values (value, kind, accepted?) run through
 * lib/valid.c AND through every entry point that takes a value of that
 * kind: ncfs's validators, the tmcc, passwd, JSON and NS importers, the
 * image catalog (names, URLs) and the image cache, ncprov's accounts
 * step.  A value one of them accepts and another refuses fails the test
 * (issue 10: "a value refused anywhere is refused everywhere"); the drift
 * the issue names (host$, a/.b, upper-case SHA-256, uids below 1000) are
 * rows.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <jansson.h>

#include "cache.h"
#include "container_steps.h"
#include "images.h"
#include "json.h"
#include "model.h"
#include "ncfs_validate.h"
#include "bootfile.h"
#include "ns.h"
#include "scratch_dir.h"
#include "source.h"
#include "tmcc.h"
#include "util.h"
#include "valid.h"

/* The kinds of value. */
enum kind {
	K_LABEL, K_HOSTNAME, K_LOGIN, K_HOME, K_SHELL, K_MOUNT, K_IFNAME,
	K_ATTR, K_IMAGE, K_URL, K_SHA256, K_MAC, K_IPV4, K_ID, K_ROUTE,
	K_NKINDS
};

/* One case: the value, its kind, whether every entry point takes it. */
struct row {
	const char *v;		/* the value */
	enum kind kind;		/* what it is */
	int ok;			/* 1: accepted everywhere, 0: refused */
};

#define SHA_OK "ba7816bf8f01cfea414140de5dae2223" \
	"b00361a396177a9cb410ff61f20015ad"
#define SHA_UP "BA7816BF8F01CFEA414140DE5DAE2223" \
	"B00361A396177A9CB410FF61F20015AD"
#define L32 "abcdefghijabcdefghijabcdefghijab"
#define L63 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"

static const struct row rows[] = {
	/* node, LAN, pnode names */
	{ "n-3", K_LABEL, 1 }, { "A0", K_LABEL, 1 }, { L63, K_LABEL, 1 },
	{ L63 "d", K_LABEL, 0 }, { "", K_LABEL, 0 }, { "-x", K_LABEL, 0 },
	{ "x-", K_LABEL, 0 }, { "a_b", K_LABEL, 0 }, { "a.b", K_LABEL, 0 },
	{ "caf\xc3\xa9", K_LABEL, 0 }, { "$(id)", K_LABEL, 0 },
	/* /etc/hosts names and aliases */
	{ "pnode-0", K_HOSTNAME, 1 }, { "fs.example.edu", K_HOSTNAME, 1 },
	{ "10.0.0.1", K_HOSTNAME, 1 }, { "bad_alias", K_HOSTNAME, 0 },
	{ "a..b", K_HOSTNAME, 0 }, { ".a", K_HOSTNAME, 0 },
	{ "a.", K_HOSTNAME, 0 }, { "fs;reboot", K_HOSTNAME, 0 },
	/* users and groups: the drift of issue 10 first */
	{ "host$", K_LOGIN, 1 }, { "alice", K_LOGIN, 1 }, { "_svc", K_LOGIN, 1 },
	{ "sec-lab", K_LOGIN, 1 }, { "first.last", K_LOGIN, 1 },
	{ L32, K_LOGIN, 1 }, { L32 "c", K_LOGIN, 0 }, { "Alice", K_LOGIN, 0 },
	{ "1abc", K_LOGIN, 0 }, { "a$b", K_LOGIN, 0 }, { "$", K_LOGIN, 0 },
	{ "a$$", K_LOGIN, 0 }, { "bob;rm", K_LOGIN, 0 }, { "-x", K_LOGIN, 0 },
	{ "caf\xc3\xa9", K_LOGIN, 0 },
	/* homes and shells */
	{ "/users/alice", K_HOME, 1 }, { "/home/a..b", K_HOME, 1 },
	{ "/", K_HOME, 0 }, { "//", K_HOME, 0 }, { "users/alice", K_HOME, 0 },
	{ "/users/../etc", K_HOME, 0 }, { "/users/./a", K_HOME, 0 },
	{ "/users/..", K_HOME, 0 }, { "/a\tb", K_HOME, 0 },
	{ "/caf\xc3\xa9", K_HOME, 0 },
	{ "/bin/bash", K_SHELL, 1 }, { "/usr/sbin/nologin", K_SHELL, 1 },
	{ "/", K_SHELL, 0 }, { "bash/x", K_SHELL, 0 },
	{ "/bin/../sh", K_SHELL, 0 },
	/* mount sources and targets */
	{ "/users/bob", K_MOUNT, 1 }, { "/proj/x-1", K_MOUNT, 1 },
	{ "/", K_MOUNT, 0 }, { "/a,b", K_MOUNT, 0 }, { "a/b", K_MOUNT, 0 },
	{ "/a/../../etc", K_MOUNT, 0 },
	/* interface names */
	{ "eth0", K_IFNAME, 1 }, { "enp0s3.100", K_IFNAME, 1 },
	{ "br-lan_1", K_IFNAME, 1 }, { "a-very-long-ifac", K_IFNAME, 0 },
	{ "..", K_IFNAME, 0 }, { "a/b", K_IFNAME, 0 }, { "", K_IFNAME, 0 },
	/* node attribute keys (file names under /nc) */
	{ "containers:image_os", K_ATTR, 1 }, { "x.y-z_1", K_ATTR, 1 },
	{ ".hidden", K_ATTR, 0 }, { "..", K_ATTR, 0 }, { "a/b", K_ATTR, 0 },
	{ "", K_ATTR, 0 }, { L63, K_ATTR, 1 }, { L63 "d", K_ATTR, 0 },
	/* image (box) names: "a/.b" is the drift of issue 10 */
	{ "ubuntu/trusty64", K_IMAGE, 1 }, { "chef/centos-7.0", K_IMAGE, 1 },
	{ "plain", K_IMAGE, 1 }, { "a/.b", K_IMAGE, 0 }, { ".b", K_IMAGE, 0 },
	{ "a/../b", K_IMAGE, 0 }, { "a//b", K_IMAGE, 0 }, { "a/", K_IMAGE, 0 },
	{ "/etc", K_IMAGE, 0 }, { "a;rm", K_IMAGE, 0 },
	/* image URLs: the catalog and ncimage took "http://" and
	 * "file://x", ncfs did not */
	{ "http://boxes.example.org/x.box", K_URL, 1 },
	{ "https://h:8443/a/b.box", K_URL, 1 }, { "file:///tmp/x.box", K_URL, 1 },
	{ "http://", K_URL, 0 }, { "http:///x.box", K_URL, 0 },
	{ "file://x.box", K_URL, 0 }, { "file:///", K_URL, 0 },
	{ "ftp://h/x.box", K_URL, 0 }, { "/tmp/x.box", K_URL, 0 },
	{ "http://h/a b", K_URL, 0 },
	/* SHA-256: upper case is the drift of issue 10 */
	{ SHA_OK, K_SHA256, 1 }, { SHA_UP, K_SHA256, 0 },
	{ "abc", K_SHA256, 0 }, { SHA_OK "0", K_SHA256, 0 },
	{ "ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	  K_SHA256, 0 },
	/* MAC addresses */
	{ "02:00:00:00:00:01", K_MAC, 1 }, { "00175a7a8dba", K_MAC, 1 },
	{ "02:AB:cd:00:00:01", K_MAC, 1 }, { "01:00:5e:00:00:01", K_MAC, 0 },
	{ "000000000000", K_MAC, 0 }, { "00175a7a8db", K_MAC, 0 },
	{ "02-00-00-00-00-01", K_MAC, 0 },
	/* IPv4 */
	{ "10.0.0.1", K_IPV4, 1 }, { "0.0.0.0", K_IPV4, 1 },
	{ "192.168.1.300", K_IPV4, 0 }, { "10.0.0", K_IPV4, 0 },
	{ "010.0.0.1", K_IPV4, 0 }, { "10.0.0.1.", K_IPV4, 0 },
	/* uids and gids */
	{ "20001", K_ID, 1 }, { "4294967294", K_ID, 1 }, { "1000", K_ID, 1 },
	{ "4294967295", K_ID, 0 }, { "01000", K_ID, 0 }, { "2000x", K_ID, 0 },
	{ "-1", K_ID, 0 }, { "", K_ID, 0 },
	/* static routes (nodes/<n>/routes lines) */
	{ "10.1.2.0/24 via 10.1.1.1", K_ROUTE, 1 },
	{ "default via 10.1.1.1", K_ROUTE, 1 },
	{ "10.1.2.9/32 via 10.1.1.1", K_ROUTE, 1 },
	{ "0.0.0.0/0 via 10.1.1.1", K_ROUTE, 1 },
	{ "10.1.2.0/24  via\t10.1.1.1", K_ROUTE, 1 },
	{ "10.1.2.5/24 via 10.1.1.1", K_ROUTE, 0 },
	{ "10.1.2.0 via 10.1.1.1", K_ROUTE, 0 },
	{ "10.1.2.0/33 via 10.1.1.1", K_ROUTE, 0 },
	{ "10.1.2.0/024 via 10.1.1.1", K_ROUTE, 0 },
	{ "10.1.2.0/24 dev eth1", K_ROUTE, 0 },
	{ "10.1.2.0/24 via 10.1.1.1 onlink", K_ROUTE, 0 },
	{ "10.1.2.0/24 via 0.0.0.0", K_ROUTE, 0 },
	{ "10.1.2.0/24 via 127.0.0.1", K_ROUTE, 0 },
	{ "10.1.2.0/24 via 224.0.0.1", K_ROUTE, 0 },
	{ "10.1.2.0/24 via 10.1.1", K_ROUTE, 0 },
	{ "10.1.2.0/24 via", K_ROUTE, 0 },
	{ "10.1.2.0/24 via $(reboot)", K_ROUTE, 0 },
};

static char scratch[64];	/* this run's scratch directory */

/* ---- helpers ---- */

static void
put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* A fresh directory under scratch, as a malloc'd path. */
static char *
fresh_dir(const char *name)
{
	char *d = nc_asprintf("%s/%s", scratch, name);

	scratch_rm(d);
	assert_int_equal(mkdir(d, 0755), 0);
	return d;
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
		dup2(saved[i], i + 1);
		close(saved[i]);
		saved[i] = -1;
	}
}

/* ---- the entry points: 1 when v is taken, 0 when refused ---- */

typedef int (*entry_fn)(const char *v);

/* An ncfs validator. */
#define NCFS_ENTRY(fn, call) \
	static int fn(const char *v) \
	{ \
		struct nc_buf why = { 0 }; \
		int rc = (call); \
		nc_buf_free(&why); \
		return rc == 0; \
	}

NCFS_ENTRY(ncfs_label, ncfs_v_label("name", v, &why))
NCFS_ENTRY(ncfs_login, ncfs_v_login("users", v, &why))
NCFS_ENTRY(ncfs_home, ncfs_v_home("home", v, &why))
NCFS_ENTRY(ncfs_shell, ncfs_v_shell("shell", v, &why))
NCFS_ENTRY(ncfs_attr, ncfs_v_attr_key("attributes", v, &why))

static int
ncfs_sha(const char *v)
{
	struct nc_buf why = { 0 };
	int rc = ncfs_v_sha256("sha256", v, &why);

	nc_buf_free(&why);
	return rc == 0;
}

static int
ncfs_names(const char *v)
{
	struct ncfs_list l = { 0 };
	struct nc_buf why = { 0 };
	int rc = ncfs_v_name_list("groups", v, &l, &why);

	ncfs_list_free(&l);
	nc_buf_free(&why);
	/* an empty list is no name at all */
	return rc == 0 && v[0] != '\0';
}

static int
ncfs_mac(const char *v)
{
	struct nc_buf why = { 0 };
	char out[18];
	int rc = ncfs_v_mac("mac", v, out, &why);

	nc_buf_free(&why);
	return rc == 0;
}

static int
ncfs_ip(const char *v)
{
	struct nc_buf why = { 0 };
	uint32_t ip;
	int rc = ncfs_v_ip("ip", v, &ip, &why);

	nc_buf_free(&why);
	return rc == 0;
}

static int
ncfs_route(const char *v)
{
	struct ncfs_list l = { 0 };
	struct nc_buf why = { 0 };
	uint32_t *gws = NULL;
	int rc = ncfs_v_route_list("routes", v, &l, &gws, &why);

	ncfs_list_free(&l);
	nc_buf_free(&why);
	free(gws);
	return rc == 0;
}

static int
ncfs_id(const char *v)
{
	struct nc_buf why = { 0 };
	long id;
	int rc = ncfs_v_id("uid", v, &id, &why);

	nc_buf_free(&why);
	return rc == 0;
}

/* The tmcc importer on one file (name) holding text. */
static int
tmcc_file(const char *name, const char *text)
{
	char *dir = fresh_dir("tmcc"), *path = nc_asprintf("%s/%s", dir,
	    name);
	struct nc_diag d;
	struct nc_exp e;
	int rc;

	put(path, text);
	nc_exp_init(&e);
	nc_diag_init(&d, "tmcc");
	d.out = NULL;
	rc = nc_tmcc_import(dir, "pnode-0", &e, &d);
	nc_diag_free(&d);
	nc_exp_free(&e);
	free(path);
	free(dir);
	return rc == 0;
}

/* A tmcc accounts file with one user, one field given. */
static int
tmcc_user(const char *login, const char *uid, const char *home)
{
	char *t = nc_asprintf("ADDUSER LOGIN=%s PSWD=* UID=%s GID=6001 "
	    "ROOT=0 NAME=\"A\" HOMEDIR=%s SHELL=bash\n", login, uid, home);
	int ok = tmcc_file("accounts", t);

	free(t);
	return ok;
}

static int
tmcc_login(const char *v)
{
	return tmcc_user(v, "20001", "/users/u");
}

static int
tmcc_home(const char *v)
{
	return tmcc_user("u", "20001", v);
}

static int
tmcc_uid(const char *v)
{
	return tmcc_user("u", v, "/users/u");
}

static int
tmcc_group(const char *v)
{
	char *t = nc_asprintf("ADDGROUP NAME=%s GID=6001\n", v);
	int ok = tmcc_file("accounts", t);

	free(t);
	return ok;
}

static int
tmcc_mount(const char *v)
{
	char *t = nc_asprintf("REMOTE=fs.example.edu:/export LOCAL=%s\n", v);
	int ok = tmcc_file("mounts", t);

	free(t);
	return ok;
}

static int
tmcc_server(const char *v)
{
	char *t = nc_asprintf("REMOTE=%s:/export LOCAL=/users/a\n", v);
	int ok = tmcc_file("mounts", t);

	free(t);
	return ok;
}

static int
tmcc_alias(const char *v)
{
	char *t = nc_asprintf("NAME=pnode-0 IP=10.0.0.1 ALIASES='%s'\n", v);
	int ok = tmcc_file("hostnames", t);

	free(t);
	/* no alias at all is no value */
	return ok && v[0] != '\0';
}

static int
tmcc_hostname(const char *v)
{
	char *t = nc_asprintf("NAME=%s IP=10.0.0.1 ALIASES=''\n", v);
	int ok = tmcc_file("hostnames", t);

	free(t);
	return ok;
}

static int
tmcc_ip(const char *v)
{
	char *t = nc_asprintf("NAME=pnode-0 IP=%s ALIASES=''\n", v);
	int ok = tmcc_file("hostnames", t);

	free(t);
	return ok;
}

/* One INTERFACE line of ifconfig with a field replaced. */
static int
tmcc_iface(const char *mac, const char *ifname, const char *lan)
{
	char *t = nc_asprintf("INTERFACE IFACETYPE=bge INET=10.1.1.2 "
	    "MASK=255.255.255.0 MAC=%s SPEED=1000Mbps DUPLEX=full IFACE=%s "
	    "RTABID=0 LAN=%s\n", mac, ifname, lan);
	int ok = tmcc_file("ifconfig", t);

	free(t);
	return ok;
}

static int
tmcc_mac(const char *v)
{
	return tmcc_iface(v, "eth2", "link0");
}

static int
tmcc_ifname(const char *v)
{
	return tmcc_iface("00175a7a8dba", v, "link0");
}

static int
tmcc_lan(const char *v)
{
	/* an empty LAN is "no LAN": no value */
	return tmcc_iface("00175a7a8dba", "eth2", v) && v[0] != '\0';
}

/* The passwd importer on one passwd line (and a group file). */
static int
passwd_files(const char *pw, const char *grp)
{
	char *dir = fresh_dir("passwd"), *p = nc_asprintf("%s/passwd", dir);
	char *g = nc_asprintf("%s/group", dir);
	struct nc_diag d;
	struct nc_exp e;
	int rc;

	put(p, pw);
	put(g, grp);
	nc_exp_init(&e);
	nc_diag_init(&d, "passwd");
	d.out = NULL;
	rc = nc_passwd_import(p, g, &e, &d);
	/* a refused value must not come through as a skipped line */
	if (rc == 0 && e.nusers == 0)
		rc = -1;
	nc_diag_free(&d);
	nc_exp_free(&e);
	free(p);
	free(g);
	free(dir);
	return rc == 0;
}

static int
passwd_line(const char *login, const char *uid, const char *home,
    const char *shell)
{
	char *l = nc_asprintf("%s:x:%s:20001:A:%s:%s\n", login, uid, home,
	    shell);
	int ok = passwd_files(l, "");

	free(l);
	return ok;
}

static int
passwd_login(const char *v)
{
	return passwd_line(v, "20001", "/users/u", "/bin/sh");
}

static int
passwd_home(const char *v)
{
	return passwd_line("u", "20001", v, "/bin/sh");
}

static int
passwd_shell(const char *v)
{
	/* an empty shell is /bin/sh: no value */
	return passwd_line("u", "20001", "/users/u", v) && v[0] != '\0';
}

static int
passwd_uid(const char *v)
{
	return passwd_line("u", v, "/users/u", "/bin/sh");
}

static int
passwd_member(const char *v)
{
	char *g = nc_asprintf("lab:x:6002:%s\n", v);
	int ok = passwd_files("u:x:20001:20001:A:/users/u:/bin/sh\n", g);

	free(g);
	return ok && v[0] != '\0';
}

/* The JSON importer on a document (printf format, one %s). */
static int
json_doc(const char *fmt, const char *v)
{
	json_t *root, *s = json_string(v);
	char *enc = json_dumps(s, JSON_ENCODE_ANY), *text;
	json_error_t err;
	struct nc_diag d;
	struct nc_exp e;
	int rc;

	/* enc is v as a JSON string, quotes included */
	text = nc_asprintf(fmt, enc);
	root = json_loads(text, 0, &err);
	if (root == NULL)
		fail_msg("bad JSON %s: %s", text, err.text);
	nc_exp_init(&e);
	nc_diag_init(&d, "t.json");
	d.out = NULL;
	rc = nc_json_import(root, &e, &d);
	nc_diag_free(&d);
	nc_exp_free(&e);
	json_decref(root);
	json_decref(s);
	free(enc);
	free(text);
	return rc == 0;
}

#define JSON_USER(f) "{\"users\": [{\"name\": \"u\", \"uid\": 20001, " \
	"\"gid\": 20001, \"" f "\": %s}]}"

static int
json_login(const char *v)
{
	return json_doc("{\"users\": [{\"name\": %s, \"uid\": 20001, "
	    "\"gid\": 20001}]}", v);
}

static int
json_group(const char *v)
{
	return json_doc("{\"groups\": [{\"name\": %s, \"gid\": 6001}]}", v);
}

static int
json_home(const char *v)
{
	return json_doc(JSON_USER("home"), v);
}

static int
json_shell(const char *v)
{
	return json_doc(JSON_USER("shell"), v);
}

static int
json_mount(const char *v)
{
	return json_doc("{\"mounts\": [{\"server\": \"fs\", \"source\": "
	    "\"/export\", \"target\": %s}]}", v);
}

static int
json_server(const char *v)
{
	return json_doc("{\"mounts\": [{\"server\": %s, \"source\": "
	    "\"/export\", \"target\": \"/users/a\"}]}", v);
}

static int
json_hostname(const char *v)
{
	return json_doc("{\"hostnames\": [{\"name\": %s, "
	    "\"ip\": \"10.0.0.1\"}]}", v);
}

static int
json_alias(const char *v)
{
	return json_doc("{\"hostnames\": [{\"name\": \"h\", "
	    "\"ip\": \"10.0.0.1\", \"aliases\": %s}]}", v) && v[0] != '\0';
}

static int
json_sha(const char *v)
{
	return json_doc("{\"images\": [{\"name\": \"ubuntu/trusty64\", "
	    "\"sha256\": %s}]}", v);
}

static int
json_image(const char *v)
{
	return json_doc("{\"images\": [{\"name\": %s}]}", v);
}

static int
json_piface(const char *fmt, const char *v)
{
	char *f = nc_asprintf("{\"nodes\": [{\"name\": \"pnode-0\", \"role\": "
	    "\"pnode\"}], \"pifaces\": [{\"pnode\": \"pnode-0\", %s}]}", fmt);
	int ok = json_doc(f, v);

	free(f);
	return ok;
}

static int
json_mac(const char *v)
{
	return json_piface("\"name\": \"eth0\", \"mac\": %s", v);
}

static int
json_ifname(const char *v)
{
	return json_piface("\"name\": %s", v);
}

static int
json_ip(const char *v)
{
	return json_piface("\"name\": \"eth0\", \"ip\": %s", v);
}

static int
json_route(const char *v)
{
	return json_doc("{\"nodes\": [{\"name\": \"n\", \"role\": \"pnode\", "
	    "\"routes\": [%s]}]}", v);
}

static int
json_label(const char *v)
{
	return json_doc("{\"nodes\": [{\"name\": %s, \"role\": \"pnode\"}]}",
	    v);
}

static int
json_attr(const char *v)
{
	return json_doc("{\"nodes\": [{\"name\": \"n\", \"role\": \"pnode\", "
	    "\"attributes\": [[%s, \"x\"]]}]}", v);
}

/* The NS evaluator on tb-add-node-attribute with key v. */
static int
ns_attr(const char *v)
{
	char *path = nc_asprintf("%s/t.ns", scratch);
	char *text = nc_asprintf("set ns [new Simulator]\nset a [$ns node]\n"
	    "tb-add-node-attribute $a {%s} x\n$ns run\n", v);
	struct nc_ns_opts o = { 10 };
	struct nc_diag d;
	struct nc_exp e;
	int rc;

	put(path, text);
	nc_exp_init(&e);
	nc_diag_init(&d, "t.ns");
	d.out = NULL;
	rc = nc_ns_eval(path, &e, &d, &o);
	nc_diag_free(&d);
	nc_exp_free(&e);
	free(text);
	free(path);
	return rc == 0;
}

/* The image catalog: a node naming image v with a URL. */
static int
catalog_image(const char *v)
{
	struct nc_diag d;
	struct nc_exp e;
	size_t n;
	int rc;

	nc_exp_init(&e);
	nc_diag_init(&d, "t.ns");
	d.out = NULL;
	n = nc_exp_add_node(&e, "x", NC_ROLE_CONTAINER);
	nc_node_set_attr(&e.nodes[n], "containers:image_name", v, 1);
	nc_node_set_attr(&e.nodes[n], "containers:image_url",
	    "http://boxes.example.org/x.box", 2);
	rc = nc_images_resolve(&e, &d);
	nc_diag_free(&d);
	nc_exp_free(&e);
	return rc == 0;
}

/* The image catalog: a node naming an image at URL v. */
static int
catalog_url(const char *v)
{
	struct nc_diag d;
	struct nc_exp e;
	size_t n;
	int rc;

	nc_exp_init(&e);
	nc_diag_init(&d, "t.ns");
	d.out = NULL;
	n = nc_exp_add_node(&e, "x", NC_ROLE_CONTAINER);
	nc_node_set_attr(&e.nodes[n], "containers:image_name", "own/box", 1);
	nc_node_set_attr(&e.nodes[n], "containers:image_url", v, 2);
	rc = nc_images_resolve(&e, &d);
	nc_diag_free(&d);
	nc_exp_free(&e);
	return rc == 0;
}

static int
ncfs_url(const char *v)
{
	struct nc_buf why = { 0 };
	int rc = ncfs_v_url("url", v, &why);

	nc_buf_free(&why);
	/* empty is "no URL" to ncfs: no value */
	return rc == 0 && v[0] != '\0';
}

static int
json_url(const char *v)
{
	return json_doc("{\"images\": [{\"name\": \"own/box\", "
	    "\"url\": %s}]}", v);
}

/* The image cache: its directory name for image v. */
static int
cache_image(const char *v)
{
	char key[512];

	return nci_cache_key(v, key, sizeof(key)) == 0;
}

/* The image cache: recording v as an image's checksum. */
static int
cache_sha(const char *v)
{
	char *root = fresh_dir("cache");
	int rc;

	assert_int_equal(nci_cache_mkdir(root, "plain"), 0);
	rc = nci_cache_write_sha(root, "plain", v);
	free(root);
	return rc == 0;
}

static int
ncprov_node(const char *v)
{
	return ncp_node_name_ok(v);
}

/* ncprov container's accounts step (dry run) on a tree passwd line. */
static int
ncprov_passwd(const char *line)
{
	char *dir = fresh_dir("ncprov"), *tree = nc_asprintf("%s/tree", dir);
	char *root = nc_asprintf("%s/root", dir), *p;
	struct ncprov pv;
	int rc;

	p = nc_asprintf("%s/nodes", tree);
	assert_int_equal(mkdir(tree, 0755), 0);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	p = nc_asprintf("%s/nodes/c1", tree);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	p = nc_asprintf("%s/nodes/c1/passwd", tree);
	put(p, line);
	free(p);
	assert_int_equal(mkdir(root, 0755), 0);
	p = nc_asprintf("%s/etc", root);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	memset(&pv, 0, sizeof(pv));
	assert_int_equal(ncp_source_tree(tree, &pv.src), 0);
	pv.node = "c1";
	pv.root = root;
	pv.dry_run = 1;
	quiet(1);
	rc = ncp_step_accounts(&pv);
	quiet(0);
	ncp_source_close(&pv.src);
	free(root);
	free(tree);
	free(dir);
	return rc == 0;
}

static int
ncprov_login(const char *v)
{
	char *l = nc_asprintf("%s:x:20001:20001:A:/users/u:/bin/sh\n", v);
	int ok = ncprov_passwd(l);

	free(l);
	return ok;
}

static int
ncprov_home(const char *v)
{
	char *l = nc_asprintf("u:x:20001:20001:A:%s:/bin/sh\n", v);
	int ok = ncprov_passwd(l);

	free(l);
	return ok;
}

static int
ncprov_shell(const char *v)
{
	char *l = nc_asprintf("u:x:20001:20001:A:/users/u:%s\n", v);
	int ok = ncprov_passwd(l);

	free(l);
	/* an empty shell is the default: no value */
	return ok && v[0] != '\0';
}

static int
ncprov_uid(const char *v)
{
	char *l = nc_asprintf("u:x:%s:20001:A:/users/u:/bin/sh\n", v);
	int ok = ncprov_passwd(l);

	free(l);
	return ok;
}

/* The library itself, by kind. */
static int
lib(enum kind k, const char *v)
{
	const char *why = NULL;
	int rc = -1;

	switch (k) {
	case K_LABEL: rc = nc_valid_label(v, &why); break;
	case K_HOSTNAME: rc = nc_valid_hostname(v, &why); break;
	case K_LOGIN: rc = nc_valid_login(v, &why); break;
	case K_HOME: rc = nc_valid_home(v, &why); break;
	case K_SHELL: rc = nc_valid_shell(v, &why); break;
	case K_MOUNT: rc = nc_valid_mount_path(v, &why); break;
	case K_IFNAME: rc = nc_valid_ifname(v, &why); break;
	case K_ATTR: rc = nc_valid_attr_key(v, &why); break;
	case K_IMAGE: rc = nc_valid_image_name(v, &why); break;
	case K_URL: rc = nc_valid_url(v, &why); break;
	case K_SHA256: rc = nc_valid_sha256(v, &why); break;
	case K_MAC: rc = nc_valid_mac(v, NULL, &why); break;
	case K_IPV4: rc = nc_valid_ipv4(v, NULL, &why); break;
	case K_ID: rc = nc_valid_id(v, NULL, &why); break;
	case K_ROUTE: rc = nc_valid_route(v, NULL, NULL, NULL, &why); break;
	case K_NKINDS: break;
	}
	/* 0, or -EINVAL with a reason */
	if (rc != 0) {
		assert_int_equal(rc, -EINVAL);
		assert_non_null(why);
		assert_true(why[0] != '\0');
	}
	return rc == 0;
}

/* Every entry point taking a value of a kind. */
static const struct entry {
	enum kind kind;		/* what it takes */
	const char *name;	/* for the failure message */
	entry_fn fn;		/* 1 taken, 0 refused */
} entries[] = {
	{ K_LABEL, "ncfs label", ncfs_label },
	{ K_LABEL, "ncprov --node", ncprov_node },
	{ K_LABEL, "tmcc ifconfig LAN", tmcc_lan },
	{ K_LABEL, "json node name", json_label },
	{ K_HOSTNAME, "tmcc hostnames ALIASES", tmcc_alias },
	{ K_HOSTNAME, "tmcc mounts server", tmcc_server },
	{ K_HOSTNAME, "json mounts server", json_server },
	{ K_HOSTNAME, "json hostnames name", json_hostname },
	{ K_HOSTNAME, "json hostnames aliases", json_alias },
	{ K_HOSTNAME, "tmcc hostnames NAME", tmcc_hostname },
	{ K_LOGIN, "ncfs users/<u>", ncfs_login },
	{ K_LOGIN, "ncfs name list", ncfs_names },
	{ K_LOGIN, "tmcc ADDUSER LOGIN", tmcc_login },
	{ K_LOGIN, "tmcc ADDGROUP NAME", tmcc_group },
	{ K_LOGIN, "passwd user", passwd_login },
	{ K_LOGIN, "group member", passwd_member },
	{ K_LOGIN, "json user", json_login },
	{ K_LOGIN, "json group", json_group },
	{ K_LOGIN, "ncprov accounts", ncprov_login },
	{ K_HOME, "ncfs home", ncfs_home },
	{ K_HOME, "tmcc HOMEDIR", tmcc_home },
	{ K_HOME, "passwd home", passwd_home },
	{ K_HOME, "json home", json_home },
	{ K_HOME, "ncprov accounts home", ncprov_home },
	{ K_SHELL, "ncfs shell", ncfs_shell },
	{ K_SHELL, "passwd shell", passwd_shell },
	{ K_SHELL, "json shell", json_shell },
	{ K_SHELL, "ncprov accounts shell", ncprov_shell },
	{ K_MOUNT, "tmcc mounts LOCAL", tmcc_mount },
	{ K_MOUNT, "json mounts target", json_mount },
	{ K_IFNAME, "tmcc ifconfig IFACE", tmcc_ifname },
	{ K_IFNAME, "json piface name", json_ifname },
	{ K_ATTR, "ncfs attributes/<key>", ncfs_attr },
	{ K_ATTR, "ns tb-add-node-attribute", ns_attr },
	{ K_ATTR, "json attributes", json_attr },
	{ K_IMAGE, "image catalog", catalog_image },
	{ K_IMAGE, "image cache", cache_image },
	{ K_IMAGE, "json images", json_image },
	{ K_URL, "image catalog url", catalog_url },
	{ K_URL, "ncfs images/<i>/url", ncfs_url },
	{ K_URL, "json images url", json_url },
	{ K_SHA256, "ncfs images/<i>/sha256", ncfs_sha },
	{ K_SHA256, "json images sha256", json_sha },
	{ K_SHA256, "image cache box.sha256", cache_sha },
	{ K_MAC, "ncfs mac", ncfs_mac },
	{ K_MAC, "tmcc ifconfig MAC", tmcc_mac },
	{ K_MAC, "json piface mac", json_mac },
	{ K_IPV4, "ncfs ip", ncfs_ip },
	{ K_IPV4, "tmcc hostnames IP", tmcc_ip },
	{ K_IPV4, "json piface ip", json_ip },
	{ K_ROUTE, "ncfs routes", ncfs_route },
	{ K_ROUTE, "json node routes", json_route },
	{ K_ID, "ncfs uid", ncfs_id },
	{ K_ID, "tmcc ADDUSER UID", tmcc_uid },
	{ K_ID, "passwd uid", passwd_uid },
	{ K_ID, "ncprov accounts uid", ncprov_uid },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))
#define NENTRIES (sizeof(entries) / sizeof(entries[0]))

/* ---- the cases ---- */

static int
setup(void **state)
{
	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/test_valid.XXXXXX");
	return mkdtemp(scratch) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return scratch_rm(scratch);
}

/* Every row, by the library: accepted exactly when the table says. */
static void
test_library(void **state)
{
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < NROWS; i++)
		if (lib(rows[i].kind, rows[i].v) != rows[i].ok) {
			print_error("library: \"%s\" (kind %d) %s\n", rows[i].v,
			    (int)rows[i].kind, rows[i].ok ? "refused" :
			    "accepted");
			bad++;
		}
	assert_int_equal(bad, 0);
}

/* Every row through every entry point of its kind: the same answer. */
static void
test_entry_points(void **state)
{
	size_t i, j, runs = 0;
	int bad = 0, k, seen[K_NKINDS] = { 0 };

	(void)state;
	for (j = 0; j < NENTRIES; j++)
		seen[entries[j].kind]++;
	/* every kind reaches the library and at least one entry point */
	for (k = 0; k < K_NKINDS; k++)
		if (seen[k] == 0)
			fail_msg("kind %d has no entry point", k);
	for (i = 0; i < NROWS; i++)
		for (j = 0; j < NENTRIES; j++) {
			if (entries[j].kind != rows[i].kind)
				continue;
			runs++;
			if (entries[j].fn(rows[i].v) != rows[i].ok) {
				print_error("%s: \"%s\" %s\n", entries[j].name,
				    rows[i].v, rows[i].ok ? "refused" :
				    "accepted");
				bad++;
			}
		}
	assert_true(runs > NROWS);
	assert_int_equal(bad, 0);
}

/* The ids new accounts get: never below 1000, none past the last. */
static void
test_next_id(void **state)
{
	(void)state;
	assert_int_equal(nc_valid_next_id(-1, 20000), 20000);
	assert_int_equal(nc_valid_next_id(-1, 5), NC_ID_FIRST);
	assert_int_equal(nc_valid_next_id(0, 20000), NC_ID_FIRST);
	assert_int_equal(nc_valid_next_id(998, 20000), NC_ID_FIRST);
	assert_int_equal(nc_valid_next_id(999, 20000), 1000);
	assert_int_equal(nc_valid_next_id(1000, 20000), 1001);
	assert_int_equal(nc_valid_next_id(20003, 20000), 20004);
	assert_int_equal(nc_valid_next_id((long long)NC_ID_MAX - 1, 1),
	    NC_ID_MAX);
	assert_int_equal(nc_valid_next_id((long long)NC_ID_MAX, 1), 0);
}

/*
 * End to end: a Samba machine account imported from tmcc reaches ncprov's
 * accounts step, which takes it (issue 10: ncfs took "host$", ncprov
 * refused it, and every node's accounts step failed).
 */
static void
test_machine_account(void **state)
{
	char *dir = fresh_dir("e2e"), *path = nc_asprintf("%s/accounts", dir);
	struct nc_diag d;
	struct nc_exp e;
	char *line;
	size_t i;

	(void)state;
	put(path, "ADDGROUP NAME=machines GID=6001\n"
	    "ADDUSER LOGIN=host$ PSWD=* UID=20001 GID=6001 ROOT=0 "
	    "NAME=\"Machine\" HOMEDIR=/users/host$ SHELL=false\n");
	nc_exp_init(&e);
	nc_diag_init(&d, "tmcc");
	d.out = NULL;
	assert_int_equal(nc_tmcc_import(dir, NULL, &e, &d), 0);
	for (i = 0; i < e.nusers; i++)
		if (strcmp(e.users[i].name, "host$") == 0)
			break;
	assert_true(i < e.nusers);
	line = nc_asprintf("%s:x:%ld:%ld:Machine:%s:%s\n", e.users[i].name,
	    e.users[i].uid, e.users[i].gid, e.users[i].home,
	    e.users[i].shell);
	assert_string_equal(line,
	    "host$:x:20001:6001:Machine:/users/host$:/bin/false\n");
	assert_true(ncprov_passwd(line));
	free(line);
	nc_diag_free(&d);
	nc_exp_free(&e);
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library),
		cmocka_unit_test(test_entry_points),
		cmocka_unit_test(test_next_id),
		cmocka_unit_test(test_machine_account),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
