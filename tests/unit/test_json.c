/*
 * test_json.c: the JSON export and import (json_export.c, json_import.c):
 * the contract's shape and key order, numbers, nulls and extra keys,
 * password hashes only with --secrets, byte-identical round trips of a rich
 * and a bare experiment, and the validation errors of the import, message
 * by message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "json.h"
#include "exp_fixture.h"

/* The export of e as nc_json_dump prints it (caller frees). */
static char *
dump(const struct nc_exp *e, int flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(nc_json_dump(e, flags, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Import text into e; returns the import's result, the error in *err. */
static int
import_text(const char *text, struct nc_exp *e, char **err)
{
	struct nc_diag d;
	json_error_t je;
	json_t *root;
	int rc;

	nc_exp_init(e);
	nc_diag_init(&d, "t.json");
	d.out = NULL;
	root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		fail_msg("test JSON does not parse: %s: %s", je.text, text);
	rc = nc_json_import(root, e, &d);
	json_decref(root);
	*err = d.error != NULL ? nc_strdup(d.error) : NULL;
	nc_diag_free(&d);
	return rc;
}

/* export -> import -> export: byte-identical, and the model survives. */
static void
round_trip(const struct nc_exp *a, int flags, int cmp)
{
	struct nc_exp b;
	char *first, *second, *err;

	first = dump(a, flags);
	if (import_text(first, &b, &err) != 0)
		fail_msg("import of the export failed: %s", err);
	second = dump(&b, flags);
	assert_string_equal(first, second);
	fx_equal(a, &b, cmp);
	free(first);
	free(second);
	nc_exp_free(&b);
}

static void
test_round_trip_rich(void **state)
{
	struct nc_exp a;

	(void)state;
	fx_rich(&a);
	round_trip(&a, 0, CMP_JSON);
	round_trip(&a, NC_JSON_SECRETS, CMP_JSON | CMP_SECRETS);
	nc_exp_free(&a);
}

static void
test_round_trip_bare(void **state)
{
	struct nc_exp a;

	(void)state;
	fx_bare(&a);
	round_trip(&a, 0, CMP_JSON);
	round_trip(&a, NC_JSON_SECRETS, CMP_JSON | CMP_SECRETS);
	nc_exp_free(&a);
}

static void
test_round_trip_empty(void **state)
{
	struct nc_exp a;
	char *s;

	(void)state;
	nc_exp_init(&a);
	s = dump(&a, 0);
	assert_string_equal(s, "{\n  \"experiment\": {\n    \"name\": null,\n"
	    "    \"project\": null,\n    \"group\": null,\n"
	    "    \"control\": null\n  },\n  \"nodes\": [],\n  \"lans\": [],\n"
	    "  \"users\": [],\n  \"groups\": [],\n  \"mounts\": [],\n"
	    "  \"images\": []\n}\n");
	free(s);
	round_trip(&a, 0, CMP_JSON);
	nc_exp_free(&a);
}

/* The keys of object o, comma separated. */
static void
keys_of(json_t *o, char *buf, size_t len)
{
	const char *k;
	json_t *v;

	buf[0] = '\0';
	json_object_foreach(o, k, v) {
		(void)v;
		if (buf[0] != '\0')
			strncat(buf, ",", len - strlen(buf) - 1);
		strncat(buf, k, len - strlen(buf) - 1);
	}
}

static void
test_shape(void **state)
{
	struct nc_exp a;
	json_t *root, *n, *f, *l, *u;
	char keys[512], *s;
	json_error_t je;

	(void)state;
	fx_rich(&a);
	s = dump(&a, 0);
	root = json_loads(s, 0, &je);
	assert_non_null(root);
	keys_of(root, keys, sizeof(keys));
	assert_string_equal(keys, "experiment,nodes,lans,users,groups,mounts,"
	    "images,pifaces,hostnames");
	keys_of(json_object_get(root, "experiment"), keys, sizeof(keys));
	assert_string_equal(keys, "name,project,group,control");

	/* config: implicit, nothing else optional. */
	n = json_array_get(json_object_get(root, "nodes"), 0);
	keys_of(n, keys, sizeof(keys));
	assert_string_equal(keys, "name,role,os,hardware,host,startcmd,"
	    "failure_action,image,attributes,ifaces,implicit");
	assert_string_equal(json_string_value(json_object_get(n,
	    "failure_action")), "fatal");
	assert_true(json_is_null(json_object_get(n, "host")));
	assert_true(json_is_null(json_object_get(n, "image")));
	assert_true(json_is_true(json_object_get(n, "implicit")));

	/* n-0: everything. */
	n = json_array_get(json_object_get(root, "nodes"), 2);
	keys_of(n, keys, sizeof(keys));
	assert_string_equal(keys, "name,role,os,hardware,host,startcmd,"
	    "failure_action,image,attributes,ifaces,parent_os,tarfiles,rpms,"
	    "fix");
	keys_of(json_object_get(n, "image"), keys, sizeof(keys));
	assert_string_equal(keys, "os,type,name,url");
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(n, "image"), "name")), "ubuntu/trusty64");
	assert_true(json_is_null(json_object_get(json_object_get(n, "image"),
	    "url")));
	f = json_array_get(json_object_get(n, "ifaces"), 0);
	keys_of(f, keys, sizeof(keys));
	assert_string_equal(keys, "name,lan,ip,netmask,mac,bandwidth_kbps,"
	    "delay_ms,loss");
	assert_string_equal(json_string_value(json_object_get(f, "netmask")),
	    "255.255.255.252");
	assert_string_equal(json_string_value(json_object_get(f, "mac")),
	    "02:00:00:00:00:01");
	assert_true(json_is_integer(json_object_get(f, "bandwidth_kbps")));
	assert_true(json_is_real(json_object_get(f, "delay_ms")));
	assert_true(json_is_integer(json_object_get(f, "loss")));
	f = json_array_get(json_object_get(n, "ifaces"), 1);
	keys_of(f, keys, sizeof(keys));
	assert_string_equal(keys, "name,lan,ip,netmask,mac,loss");
	assert_true(json_is_null(json_object_get(f, "mac")));
	assert_string_equal(json_string_value(json_object_get(f, "netmask")),
	    "255.255.255.0");

	/* phys: an interface without an address. */
	n = json_array_get(json_object_get(root, "nodes"), 4);
	f = json_array_get(json_object_get(n, "ifaces"), 0);
	assert_true(json_is_null(json_object_get(f, "ip")));
	assert_string_equal(json_string_value(json_object_get(f, "name")),
	    "em0");

	l = json_array_get(json_object_get(root, "lans"), 1);
	keys_of(l, keys, sizeof(keys));
	assert_string_equal(keys, "name,kind,members,bandwidth_kbps,delay_ms,"
	    "loss,netmask");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(l, "members"), 0)), "phys");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(l, "members"), 2)), "n-0");
	assert_true(json_is_integer(json_object_get(l, "loss")));
	assert_true(json_is_real(json_object_get(l, "delay_ms")));

	u = json_array_get(json_object_get(root, "users"), 0);
	keys_of(u, keys, sizeof(keys));
	assert_string_equal(keys, "name,uid,gid,fullname,home,shell,root,"
	    "groups,keys,email");
	assert_true(json_is_true(json_object_get(u, "root")));
	u = json_array_get(json_object_get(root, "groups"), 1);
	keys_of(u, keys, sizeof(keys));
	assert_string_equal(keys, "name,gid,members");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(u, "members"), 1)), "carol");
	keys_of(json_array_get(json_object_get(root, "mounts"), 0), keys,
	    sizeof(keys));
	assert_string_equal(keys, "server,source,target,options,fstype");
	keys_of(json_array_get(json_object_get(root, "images"), 1), keys,
	    sizeof(keys));
	assert_string_equal(keys, "name,os,type,provider,version,url,sha256");
	keys_of(json_array_get(json_object_get(root, "pifaces"), 0), keys,
	    sizeof(keys));
	assert_string_equal(keys, "pnode,name,ip,netmask,mac,speed,duplex,lan");
	keys_of(json_array_get(json_object_get(root, "hostnames"), 0), keys,
	    sizeof(keys));
	assert_string_equal(keys, "name,ip,aliases");
	json_decref(root);
	free(s);
	nc_exp_free(&a);
}

/* The literal text of a few values, as printed. */
static void
test_text(void **state)
{
	struct nc_exp a;
	char *s;

	(void)state;
	fx_rich(&a);
	s = dump(&a, 0);
	assert_non_null(strstr(s, "\"loss\": 0.01,"));
	assert_non_null(strstr(s, "\"delay_ms\": 10,"));
	assert_non_null(strstr(s, "\"delay_ms\": 2.5,"));
	assert_non_null(strstr(s, "\"delay_ms\": 0.125,"));
	assert_non_null(strstr(s, "\"bandwidth_kbps\": 1000000,"));
	assert_non_null(strstr(s, "\"attributes\": [\n        [\n"
	    "          \"containers:node_type\",\n          \"qemu\"\n"));
	assert_non_null(strstr(s, "\"startcmd\": \"/bin/sh -c 'echo "
	    "\\\"hi\\\" > /tmp/x'\""));
	assert_int_equal(s[strlen(s) - 1], '\n');
	assert_int_equal(s[strlen(s) - 2], '}');
	free(s);
	nc_exp_free(&a);
}

static void
test_secrets(void **state)
{
	struct nc_exp a, b;
	char *plain, *secret, *err;

	(void)state;
	fx_rich(&a);
	plain = dump(&a, 0);
	assert_null(strstr(plain, "password"));
	assert_null(strstr(plain, "$6$salt$hashhashhash"));
	secret = dump(&a, NC_JSON_SECRETS);
	assert_non_null(strstr(secret, "\"email\": \"alice@example.net\",\n"
	    "      \"password\": \"$6$salt$hashhashhash\"\n"));
	assert_int_equal(import_text(secret, &b, &err), 0);
	assert_string_equal(b.users[0].password, "$6$salt$hashhashhash");
	assert_string_equal(b.users[1].password, "*");
	nc_exp_free(&b);
	assert_int_equal(import_text(plain, &b, &err), 0);
	assert_null(b.users[0].password);
	nc_exp_free(&b);
	free(plain);
	free(secret);
	nc_exp_free(&a);
}

/* A hand-written document: defaults, masks and group members. */
static void
test_import_defaults(void **state)
{
	struct nc_exp e;
	char *err;
	const char *doc =
	    "{\"nodes\": [{\"name\": \"a\", \"role\": \"container\","
	    "  \"future\": 1, \"ifaces\": [{\"name\": \"eth1\", \"lan\": \"l\","
	    "  \"ip\": \"10.0.0.1\", \"netmask\": \"/16\"}]},"
	    " {\"name\": \"b\", \"role\": \"pnode\", \"ifaces\": ["
	    "  {\"name\": \"eth1\", \"lan\": \"l\", \"netmask\": "
	    "\"255.255.255.0\"}]}],"
	    " \"lans\": [{\"name\": \"l\", \"kind\": \"lan\","
	    "  \"members\": [\"b\", \"a\"]}],"
	    " \"users\": [{\"name\": \"u\", \"uid\": 1, \"gid\": 2}],"
	    " \"groups\": [{\"name\": \"g\", \"gid\": 3,"
	    "  \"members\": [\"u\"]}],"
	    " \"mounts\": [{\"source\": \"/a\", \"target\": \"/b\"}]}";

	(void)state;
	if (import_text(doc, &e, &err) != 0)
		fail_msg("%s", err);
	assert_int_equal(e.nodes[0].ifaces[0].mask, 0xffff0000u);
	assert_int_equal(e.nodes[1].ifaces[0].mask, 0);
	assert_true(e.nodes[0].ifaces[0].delay_ms == NC_UNSET);
	assert_int_equal(e.lans[0].members[0].node, 1);
	assert_int_equal(e.lans[0].members[1].node, 0);
	assert_int_equal(e.lans[0].bandwidth_kbps, 0);
	assert_int_equal(e.users[0].ngroups, 1);
	assert_string_equal(e.users[0].groups[0], "g");
	assert_null(e.nodes[0].failure_action);
	assert_string_equal(e.mounts[0].options, "");
	assert_null(e.mounts[0].server);
	nc_exp_free(&e);
}

/* A node twice on one LAN: the k-th mention takes the k-th interface. */
static void
test_import_twice_on_lan(void **state)
{
	struct nc_exp e;
	char *err, *first, *second;
	const char *doc =
	    "{\"nodes\": [{\"name\": \"a\", \"role\": \"container\","
	    "  \"ifaces\": [{\"name\": \"eth1\", \"lan\": \"l\"},"
	    "  {\"name\": \"eth2\", \"lan\": \"l\"}]},"
	    " {\"name\": \"b\", \"role\": \"container\", \"ifaces\": ["
	    "  {\"name\": \"eth1\", \"lan\": \"l\"}]}],"
	    " \"lans\": [{\"name\": \"l\", \"kind\": \"lan\","
	    "  \"members\": [\"a\", \"b\", \"a\"]}]}";

	(void)state;
	if (import_text(doc, &e, &err) != 0)
		fail_msg("%s", err);
	assert_int_equal(e.lans[0].members[0].iface, 0);
	assert_int_equal(e.lans[0].members[2].iface, 1);
	first = dump(&e, 0);
	nc_exp_free(&e);
	assert_int_equal(import_text(first, &e, &err), 0);
	second = dump(&e, 0);
	assert_string_equal(first, second);
	free(first);
	free(second);
	nc_exp_free(&e);
}

/* A valid two-node document that each error case breaks in one place.
 * Single quotes stand for double quotes. */
static const char base_doc[] =
    "{'experiment': {'name': 'e', 'project': 'p', 'group': 'g', "
    "'control': 'a'},"
    " 'nodes': [{'name': 'a', 'role': 'container', 'image': null,"
    "  'attributes': [['k', 'v']], 'ifaces': [{'name': 'eth1', 'lan': 'l',"
    "  'ip': '10.1.1.1', 'netmask': '255.255.255.0', "
    "'mac': '02:00:00:00:00:01'}]},"
    " {'name': 'b', 'role': 'container', 'ifaces': [{'name': 'eth1',"
    "  'lan': 'l', 'ip': '10.1.1.2'}]}],"
    " 'lans': [{'name': 'l', 'kind': 'link', 'members': ['a', 'b'],"
    "  'bandwidth_kbps': 1000, 'delay_ms': 0, 'loss': 0}],"
    " 'users': [{'name': 'alice', 'uid': 1000, 'gid': 100, 'root': false,"
    "  'groups': ['staff'], 'keys': ['ssh-ed25519 AAAA a@b']}],"
    " 'groups': [{'name': 'staff', 'gid': 50, 'members': ['alice']}],"
    " 'mounts': [{'server': 'fs', 'source': '/a', 'target': '/b',"
    "  'options': 'rw'}],"
    " 'images': [{'name': 'img/one', 'os': 'ubuntu'}]}";

/* base_doc with the first occurrence of from replaced by to. */
static char *
variant(const char *from, const char *to)
{
	const char *at = strstr(base_doc, from);
	char *s, *p;

	if (at == NULL)
		fail_msg("\"%s\" is not in the base document", from);
	s = nc_asprintf("%.*s%s%s", (int)(at - base_doc), base_doc, to,
	    at + strlen(from));
	for (p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	return s;
}

struct bad_case {
	const char *from;	/* text of the base document to replace */
	const char *to;		/* its replacement (' for ") */
	const char *error;	/* the expected message */
};

static const struct bad_case bad_cases[] = {
	{ "'nodes': [", "'nodes': {'x': 1}, 'n': [",
	  "t.json: nodes: expected an array, not an object" },
	{ "{'name': 'a', 'role'", "7, {'name': 'a', 'role'",
	  "t.json: nodes[0]: expected an object, not an integer" },
	{ "'name': 'a', 'role'", "'name': 'a_1', 'role'",
	  "t.json: nodes[0].name: \"a_1\" may hold only letters, digits and "
	  "'-'" },
	{ "'name': 'a', 'role': 'container'", "'name': 'a'",
	  "t.json: nodes[0].role: missing" },
	{ "'role': 'container'", "'role': 'router'",
	  "t.json: nodes[0].role: \"router\" is not one of config, pnode, "
	  "container, physical" },
	{ "'name': 'b', 'role': 'container'",
	  "'name': 'a', 'role': 'container'",
	  "t.json: nodes[1].name: node \"a\" is listed twice" },
	{ "'image': null", "'os': 5",
	  "t.json: nodes[0].os: expected a string, not an integer" },
	{ "'image': null", "'failure_action': 'panic'",
	  "t.json: nodes[0].failure_action: \"panic\" is not one of fatal, "
	  "nonfatal, ignore" },
	{ "'image': null", "'image': {'name': 'img/two'}",
	  "t.json: nodes[0].image.name: no image \"img/two\" in \"images\"" },
	{ "'image': null", "'host': 'pnode 0'",
	  "t.json: nodes[0].host: \"pnode 0\" may hold only letters, digits "
	  "and '-'" },
	{ "[['k', 'v']]", "[['k', 'v'], ['k', 'w']]",
	  "t.json: nodes[0].attributes[1]: \"k\" is set twice" },
	{ "[['k', 'v']]", "[['k']]",
	  "t.json: nodes[0].attributes[0]: expected [key, value], not an "
	  "array" },
	{ "'ip': '10.1.1.2'", "'ip': '10.1.1.x'",
	  "t.json: nodes[1].ifaces[0].ip: \"10.1.1.x\" is not an IPv4 "
	  "address" },
	{ "'ip': '10.1.1.2'", "'ip': '10.1.1.1'",
	  "t.json: nodes[1].ifaces[0].ip: 10.1.1.1 is already used by node a" },
	{ "'netmask': '255.255.255.0'", "'netmask': '255.0.255.0'",
	  "t.json: nodes[0].ifaces[0].netmask: \"255.0.255.0\" is not a "
	  "netmask" },
	{ "'mac': '02:00:00:00:00:01'", "'mac': '02:00:00:00:00'",
	  "t.json: nodes[0].ifaces[0].mac: \"02:00:00:00:00\" is not a MAC "
	  "address" },
	{ "'name': 'eth1', 'lan': 'l',", "'name': 'eth1', 'lan': 'm',",
	  "t.json: nodes[0].ifaces[0].lan: no LAN called \"m\"" },
	{ "'name': 'eth1', 'lan': 'l',",
	  "'name': 'a-very-long-interface', 'lan': 'l',",
	  "t.json: nodes[0].ifaces[0].name: \"a-very-long-interface\" is "
	  "longer than 15 bytes" },
	{ "'ip': '10.1.1.2'", "'ip': '10.1.1.2', 'loss': 2",
	  "t.json: nodes[1].ifaces[0].loss: 2 is out of range (0 to 1)" },
	{ "'kind': 'link'", "'kind': 'bus'",
	  "t.json: lans[0].kind: \"bus\" is neither link nor lan" },
	{ "'bandwidth_kbps': 1000", "'bandwidth_kbps': 1.5",
	  "t.json: lans[0].bandwidth_kbps: expected an integer, not a real "
	  "number" },
	{ "'delay_ms': 0", "'delay_ms': -1",
	  "t.json: lans[0].delay_ms: -1 is out of range (0 to 1e+09)" },
	{ "'members': ['a', 'b']", "'members': ['a', 'c']",
	  "t.json: lans[0].members[1]: no node called \"c\"" },
	{ "'members': ['a', 'b']", "'members': ['a', 'b', 'a']",
	  "t.json: lans[0].members[2]: node a is listed more often than it "
	  "has interfaces on l" },
	{ "'members': ['a', 'b']", "'members': ['a']",
	  "t.json: lans[0].members: link l has 1 members, not 2" },
	{ "'kind': 'link', 'members': ['a', 'b']",
	  "'kind': 'lan', 'members': ['a']",
	  "t.json: nodes[1].ifaces[0].lan: node b is not among the members "
	  "of l" },
	{ "'uid': 1000", "'uid': -1",
	  "t.json: users[0].uid: -1 is out of range (0 to 4294967294)" },
	{ "'uid': 1000", "'uid': '1000'",
	  "t.json: users[0].uid: expected an integer, not a string" },
	{ "'gid': 100,", "",
	  "t.json: users[0].gid: missing" },
	{ "'name': 'alice'", "'name': 'Alice Smith'",
	  "t.json: users[0].name: \"Alice Smith\" is not a valid user or "
	  "group name" },
	{ "'root': false", "'root': 1",
	  "t.json: users[0].root: expected true or false, not an integer" },
	{ "'groups': ['staff']", "'groups': ['staff', 'bad group']",
	  "t.json: users[0].groups[1]: \"bad group\" is not a valid user "
	  "or group name" },
	{ "'keys': ['ssh-ed25519 AAAA a@b']", "'keys': ['a\\nb']",
	  "t.json: users[0].keys[0]: a key must be one non-empty line" },
	{ "'root': false", "'root': false, 'home': 'users/alice'",
	  "t.json: users[0].home: \"users/alice\" is not a safe absolute "
	  "path" },
	{ "'root': false", "'root': false, 'fullname': 'A:B'",
	  "t.json: users[0].fullname: \"A:B\" may not contain ':'" },
	{ "'name': 'staff', 'gid': 50", "'name': 'staff', 'gid': 100, "
	  "'x': 0}, {'name': 'other', 'gid': 100",
	  "t.json: groups[1].gid: 100 is also the gid of staff" },
	{ "'members': ['alice']", "'members': ['bob']",
	  "t.json: groups[0].members[0]: no user called \"bob\"" },
	{ "'name': 'staff', 'gid'", "'name': 'Staff', 'gid'",
	  "t.json: groups[0].name: \"Staff\" is not a valid user or "
	  "group name" },
	{ "'source': '/a'", "'source': '/a/../../etc'",
	  "t.json: mounts[0].source: \"/a/../../etc\" is not a safe absolute "
	  "path" },
	{ "'target': '/b',", "",
	  "t.json: mounts[0].target: missing" },
	{ "'options': 'rw'", "'options': 'rw ro'",
	  "t.json: mounts[0].options: \"rw ro\" may not contain ' '" },
	{ "'os': 'ubuntu'}]", "'os': 'ubuntu'}, {'name': 'img/one'}]",
	  "t.json: images[1].name: image \"img/one\" is listed twice" },
	{ "'os': 'ubuntu'}]", "'os': 'ubuntu', 'sha256': 'abc'}]",
	  "t.json: images[0].sha256: \"abc\" is not 64 lowercase hex digits" },
	{ "'name': 'e'", "'name': 'x y'",
	  "t.json: experiment.name: \"x y\" may not contain ' '" },
	{ "'experiment': {", "'experiment': [], 'x': {",
	  "t.json: experiment: expected an object, not an array" },
	{ "'images': [", "'pifaces': [{'pnode': 'a', 'name': 'eth0', "
	  "'ip': '1.2.3'}], 'images': [",
	  "t.json: pifaces[0].ip: \"1.2.3\" is not an IPv4 address" },
	{ "'images': [", "'hostnames': [{'name': 'h'}], 'images': [",
	  "t.json: hostnames[0].ip: missing" },
};

static void
test_import_errors(void **state)
{
	struct nc_exp e;
	char *doc, *err;
	size_t i;

	(void)state;
	/* The base document itself is valid. */
	doc = variant("{", "{");
	if (import_text(doc, &e, &err) != 0)
		fail_msg("base document: %s", err);
	free(doc);
	nc_exp_free(&e);
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		doc = variant(bad_cases[i].from, bad_cases[i].to);
		if (import_text(doc, &e, &err) != -1)
			fail_msg("case %zu was accepted: %s", i, doc);
		if (err == NULL || strcmp(err, bad_cases[i].error) != 0)
			fail_msg("case %zu:\n  got  %s\n  want %s", i,
			    err ? err : "(none)", bad_cases[i].error);
		free(err);
		free(doc);
		nc_exp_free(&e);
	}
}

static void
test_import_not_object(void **state)
{
	struct nc_exp e;
	char *err;

	(void)state;
	assert_int_equal(import_text("[1, 2]", &e, &err), -1);
	assert_string_equal(err, "t.json: expected a JSON object at the top "
	    "level, not an array");
	free(err);
	nc_exp_free(&e);
}

/* A file that is not JSON: the parser's line and reason. */
static void
test_import_file(void **state)
{
	char path[] = "/tmp/nc-test-json.XXXXXX";
	struct nc_exp e, a;
	struct nc_diag d;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("{\n  \"nodes\": [\n    {\"name\": \"a\",}\n  ]\n}\n", f);
	fclose(f);
	nc_exp_init(&e);
	nc_diag_init(&d, NULL);
	d.out = NULL;
	assert_int_equal(nc_json_import_file(path, &e, &d), -1);
	assert_non_null(d.error);
	assert_int_equal(strncmp(d.error, path, strlen(path)), 0);
	assert_non_null(strstr(d.error, ":3: "));
	nc_diag_free(&d);
	nc_exp_free(&e);

	/* And a good one: the export of the rich experiment. */
	fx_rich(&a);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(nc_json_dump(&a, NC_JSON_SECRETS, f), 0);
	fclose(f);
	nc_exp_init(&e);
	nc_diag_init(&d, path);
	assert_int_equal(nc_json_import_file(path, &e, &d), 0);
	fx_equal(&a, &e, CMP_JSON | CMP_SECRETS);
	nc_diag_free(&d);
	nc_exp_free(&e);
	nc_exp_free(&a);
	unlink(path);
}

/* A string that is not UTF-8 cannot be exported. */
static void
test_export_bad_utf8(void **state)
{
	struct nc_exp a;
	json_t *j;
	FILE *saved;

	(void)state;
	fx_bare(&a);
	nc_set_str(&a.nodes[0].os, "caf\xe9");
	saved = stderr;
	stderr = fopen("/dev/null", "w");
	j = nc_json_export(&a, 0);
	fclose(stderr);
	stderr = saved;
	assert_null(j);
	nc_exp_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_rich),
		cmocka_unit_test(test_round_trip_bare),
		cmocka_unit_test(test_round_trip_empty),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_import_defaults),
		cmocka_unit_test(test_import_twice_on_lan),
		cmocka_unit_test(test_import_errors),
		cmocka_unit_test(test_import_not_object),
		cmocka_unit_test(test_import_file),
		cmocka_unit_test(test_export_bad_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
