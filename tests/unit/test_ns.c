/*
 * test_ns.c: evaluating NS files: the corpus of real files, the fixtures of
 * tests/data/ns/ (naming, procs and loops, addresses, settings, warnings)
 * and NS text written to temporary files for every error case.  Files are
 * found under $NC_TOP (else the current directory, the repository root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "inet.h"
#include "model.h"
#include "ns.h"
#include "util.h"

/* One evaluation: the experiment, its diagnostics and the result. */
struct run {
	struct nc_exp e;	/* what the file describes */
	struct nc_diag d;	/* its warnings and error */
	int rc;			/* nc_ns_eval's result */
	char *path;		/* the file evaluated */
	int temp;		/* path is a temporary file to remove */
};

static const char *
top(void)
{
	const char *t = getenv("NC_TOP");

	return t != NULL && *t != '\0' ? t : ".";
}

static void
eval_path(struct run *r, const char *label, double limit)
{
	struct nc_ns_opts o = { limit };

	nc_exp_init(&r->e);
	nc_diag_init(&r->d, label);
	r->d.out = NULL;
	r->rc = nc_ns_eval(r->path, &r->e, &r->d, &o);
}

/* Evaluate a file of the repository, labelled with its base name. */
static void
eval_file(struct run *r, const char *rel)
{
	const char *base = strrchr(rel, '/');

	memset(r, 0, sizeof(*r));
	r->path = nc_asprintf("%s/%s", top(), rel);
	eval_path(r, base ? base + 1 : rel, 10);
}

/* Evaluate len bytes of NS text, labelled "t.ns". */
static void
eval_bytes(struct run *r, const char *text, size_t len, double limit)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;
	int fd;

	memset(r, 0, sizeof(*r));
	r->path = nc_asprintf("%s/test_ns.XXXXXX", tmp ? tmp : "/tmp");
	fd = mkstemp(r->path);
	assert_true(fd >= 0);
	r->temp = 1;
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	eval_path(r, "t.ns", limit);
}

static void
eval_text(struct run *r, const char *text)
{
	eval_bytes(r, text, strlen(text), 10);
}

static void
eval_limit(struct run *r, const char *text, double limit)
{
	eval_bytes(r, text, strlen(text), limit);
}

static void
done(struct run *r)
{
	if (r->temp)
		unlink(r->path);
	free(r->path);
	nc_exp_free(&r->e);
	nc_diag_free(&r->d);
}

static void
ok(struct run *r)
{
	if (r->rc != 0)
		fail_msg("evaluation failed: %s", r->d.error ? r->d.error :
		    "(no error recorded)");
	assert_null(r->d.error);
}

static void
failed(struct run *r, const char *want)
{
	if (r->rc != -1)
		fail_msg("evaluation succeeded; wanted %s", want);
	assert_non_null(r->d.error);
	if (strcmp(r->d.error, want) != 0)
		fail_msg("error\n  got:  %s\n  want: %s", r->d.error, want);
}

static int
warned(struct run *r, const char *w)
{
	return nc_strmap_get(&r->d.seen, w) >= 0;
}

static void
has_warning(struct run *r, const char *w)
{
	if (!warned(r, w))
		fail_msg("no warning \"%s\"", w);
}

static struct nc_node *
node(struct run *r, const char *name)
{
	long i = nc_exp_find_node(&r->e, name);

	if (i < 0)
		fail_msg("no node %s", name);
	assert_string_equal(r->e.nodes[i].name, name);
	return &r->e.nodes[i];
}

static struct nc_lan *
lan(struct run *r, const char *name)
{
	long i = nc_exp_find_lan(&r->e, name);

	if (i < 0)
		fail_msg("no link or LAN %s", name);
	assert_string_equal(r->e.lans[i].name, name);
	return &r->e.lans[i];
}

/* The interface of node n on LAN l. */
static struct nc_iface *
iface(struct run *r, const char *n, const char *l)
{
	struct nc_node *nd = node(r, n);
	long li = nc_exp_find_lan(&r->e, l);
	size_t i;

	for (i = 0; i < nd->nifaces; i++)
		if ((long)nd->ifaces[i].lan == li)
			return &nd->ifaces[i];
	fail_msg("%s has no interface on %s", n, l);
	return NULL;
}

/* Check the nodes, in order. */
static void
nodes_are(struct run *r, const char *const *names)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		if (i >= r->e.nnodes)
			fail_msg("only %zu nodes", r->e.nnodes);
		assert_string_equal(r->e.nodes[i].name, names[i]);
		assert_int_equal(nc_exp_find_node(&r->e, names[i]), i);
		assert_int_equal(r->e.nodes[i].role, NC_ROLE_CONTAINER);
		assert_false(r->e.nodes[i].implicit);
	}
	assert_int_equal(r->e.nnodes, i);
	assert_int_equal(r->e.node_by_name.len, i);
}

/* Check a link or LAN: kind, shaping and members in order. */
static void
lan_is(struct run *r, const char *name, enum nc_lan_kind kind, long bw,
    double delay, const char *const *members)
{
	struct nc_lan *l = lan(r, name);
	struct nc_node *n;
	size_t i;

	assert_int_equal(l->kind, kind);
	assert_int_equal(l->bandwidth_kbps, bw);
	assert_float_equal(l->delay_ms, delay, 1e-9);
	for (i = 0; members[i] != NULL; i++) {
		if (i >= l->nmembers)
			fail_msg("%s has only %zu members", name, l->nmembers);
		n = &r->e.nodes[l->members[i].node];
		assert_string_equal(n->name, members[i]);
		assert_int_equal(n->ifaces[l->members[i].iface].lan,
		    (size_t)nc_exp_find_lan(&r->e, name));
	}
	assert_int_equal(l->nmembers, i);
}

/* The interface names of a node, "eth1:lan eth2:lan". */
static void
ifaces_are(struct run *r, const char *n, const char *want)
{
	struct nc_node *nd = node(r, n);
	char buf[1024] = "";
	size_t i;

	for (i = 0; i < nd->nifaces; i++) {
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		    "%s%s:%s", i ? " " : "", nd->ifaces[i].name,
		    r->e.lans[nd->ifaces[i].lan].name);
		assert_int_equal(nd->ifaces[i].bandwidth_kbps, NC_UNSET);
	}
	assert_string_equal(buf, want);
}

static void
ip_is(struct nc_iface *i, const char *want, int line)
{
	char buf[16];

	assert_string_equal(nc_ip_format(i->ip, buf), want);
	assert_int_equal(i->ip_line, line);
}

#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ---------------------------------------------------------------- */
/* The corpus */

static void
test_corpus_basic(void **state)
{
	struct run r;

	(void)state;
	eval_file(&r, "tests/corpus/basic.ns");
	ok(&r);
	assert_int_equal(r.d.nwarn, 0);
	nodes_are(&r, NAMES("A", "B", "C", "D"));
	assert_int_equal(r.e.nlans, 2);
	assert_string_equal(r.e.lans[0].name, "link0");
	assert_string_equal(r.e.lans[1].name, "lan0");
	lan_is(&r, "link0", NC_LAN_LINK, 100000, 0, NAMES("A", "B"));
	lan_is(&r, "lan0", NC_LAN_LAN, 100000, 0, NAMES("B", "C", "D"));
	assert_float_equal(lan(&r, "lan0")->loss, 0, 0);
	ifaces_are(&r, "A", "eth1:link0");
	ifaces_are(&r, "B", "eth1:link0 eth2:lan0");
	ifaces_are(&r, "C", "eth1:lan0");
	ifaces_are(&r, "D", "eth1:lan0");
	assert_int_equal(node(&r, "A")->line, 7);
	assert_int_equal(node(&r, "D")->line, 10);
	assert_int_equal(lan(&r, "link0")->line, 12);
	assert_int_equal(lan(&r, "lan0")->line, 13);
	assert_int_equal(node(&r, "A")->ifaces[0].ip, 0);
	assert_null(node(&r, "A")->os);
	done(&r);
}

static void
test_corpus_clientserver(void **state)
{
	const char *magi =
	    "sudo python /share/magi/current/magi_bootstrap.py";
	struct run r;

	(void)state;
	eval_file(&r, "tests/corpus/clientserver.tcl");
	ok(&r);
	assert_int_equal(r.d.nwarn, 0);
	nodes_are(&r, NAMES("clientnode", "servernode"));
	assert_string_equal(node(&r, "clientnode")->startcmd, magi);
	assert_string_equal(node(&r, "servernode")->startcmd, magi);
	assert_int_equal(r.e.nlans, 1);
	lan_is(&r, "link", NC_LAN_LINK, 100000, 0,
	    NAMES("clientnode", "servernode"));
	ifaces_are(&r, "servernode", "eth1:link");
	done(&r);
}

static void
test_corpus_example4(void **state)
{
	struct run r;
	char name[16];
	size_t i;

	(void)state;
	eval_file(&r, "tests/corpus/example4.tcl");
	ok(&r);
	nodes_are(&r, NAMES("center", "n-0", "n-1", "n-2", "n-3", "n-4",
	    "n-5", "n-6", "n-7", "n-8"));
	assert_int_equal(node(&r, "center")->nifaces, 9);
	assert_int_equal(node(&r, "center")->nattrs, 0);
	assert_int_equal(r.e.nlans, 9);
	for (i = 0; i < 9; i++) {
		struct nc_node *n;
		struct nc_lan *l = &r.e.lans[i];

		snprintf(name, sizeof(name), "n-%zu", i);
		n = node(&r, name);
		assert_int_equal(n->line, 10);
		assert_int_equal(n->nattrs, 1);
		assert_string_equal(n->attrs[0].key, "containers:node_type");
		assert_string_equal(n->attrs[0].value,
		    i < 8 ? "qemu" : "embedded_pnode");
		assert_int_equal(n->attrs[0].line, i < 8 ? 13 : 15);
		assert_int_equal(l->kind, NC_LAN_LINK);
		assert_int_equal(l->bandwidth_kbps, 100000);
		assert_float_equal(l->delay_ms, 10, 0);
		assert_int_equal(l->line, 19);
		assert_int_equal(l->nmembers, 2);
		assert_string_equal(r.e.nodes[l->members[0].node].name,
		    "center");
		assert_string_equal(r.e.nodes[l->members[1].node].name, name);
		/* no variable holds the links: generated names */
		snprintf(name, sizeof(name), "link%zu", i);
		assert_string_equal(l->name, name);
		assert_int_equal(nc_exp_find_lan(&r.e, name), i);
		snprintf(name, sizeof(name), "eth%zu", i + 1);
		assert_string_equal(node(&r, "center")->ifaces[i].name, name);
	}
	assert_string_equal(nc_node_attr(node(&r, "n-8"),
	    "containers:node_type"), "embedded_pnode");
	/* one warning for the nine links of line 19 */
	has_warning(&r, "example4.tcl:19: warning: 9 links not held by any "
	    "variable; named link0 ... link8");
	has_warning(&r, "example4.tcl:19: warning: `ns` used without `$`; "
	    "taken as $ns");
	assert_int_equal(r.d.nwarn, 2);
	done(&r);
}

static void
test_corpus_parsable(void **state)
{
	struct run r;

	(void)state;
	eval_file(&r, "tests/corpus/parsable.ns");
	ok(&r);
	assert_int_equal(r.d.nwarn, 0);
	nodes_are(&r, NAMES("n1", "n2", "n3"));
	assert_string_equal(node(&r, "n1")->os, "Ubuntu-STD");
	assert_string_equal(node(&r, "n2")->os, "Ubuntu-STD");
	assert_string_equal(node(&r, "n3")->os, "Ubuntu-STD");
	assert_null(node(&r, "n3")->parent_os);
	assert_int_equal(r.e.nlans, 2);
	lan_is(&r, "link1", NC_LAN_LINK, 1000000, 0, NAMES("n1", "n2"));
	lan_is(&r, "link2", NC_LAN_LINK, 1000000, 0, NAMES("n2", "n3"));
	ifaces_are(&r, "n2", "eth1:link1 eth2:link2");
	done(&r);
}

/* ---------------------------------------------------------------- */
/* Fixtures */

static void
test_naming(void **state)
{
	struct run r;

	(void)state;
	eval_file(&r, "tests/data/ns/naming.ns");
	ok(&r);
	/* file order; first variable; arrays mangled; '_' mapped; lists
	 * and reused variables leave generated names */
	nodes_are(&r, NAMES("node1", "n-3", "grid-1-2", "web-server",
	    "node0", "node2", "left", "right", "node3"));
	assert_int_equal(node(&r, "node1")->line, 5);
	assert_int_equal(node(&r, "web-server")->line, 9);
	assert_int_equal(node(&r, "node0")->line, 12);
	assert_int_equal(node(&r, "left")->line, 13);
	assert_int_equal(node(&r, "node3")->line, 17);
	assert_int_equal(r.e.nlans, 3);
	assert_string_equal(r.e.lans[0].name, "tmp");
	assert_string_equal(r.e.lans[1].name, "link0");
	assert_string_equal(r.e.lans[2].name, "lan0");
	lan_is(&r, "tmp", NC_LAN_LINK, 10000, 1, NAMES("node1", "n-3"));
	lan_is(&r, "link0", NC_LAN_LINK, 10000, 1,
	    NAMES("node1", "grid-1-2"));
	lan_is(&r, "lan0", NC_LAN_LAN, 100000, 0,
	    NAMES("node1", "web-server"));
	assert_int_equal(r.e.lan_by_name.len, 3);
	assert_int_equal(nc_exp_find_node(&r.e, "_o1"), -1);
	ifaces_are(&r, "node1", "eth1:tmp eth2:link0 eth3:lan0");
	has_warning(&r, "naming.ns:9: warning: name \"web_server\" becomes "
	    "\"web-server\" (names hold only letters, digits and '-')");
	has_warning(&r, "naming.ns:11: warning: link not held by any "
	    "variable; named link0");
	has_warning(&r, "naming.ns:12: warning: 2 nodes not held by any "
	    "variable; named node0, node2");
	has_warning(&r, "naming.ns:17: warning: node not held by any "
	    "variable; named node3");
	assert_int_equal(r.d.nwarn, 4);
	done(&r);
}

static void
test_procs_and_loops(void **state)
{
	struct run r;

	(void)state;
	eval_file(&r, "tests/data/ns/procs.ns");
	ok(&r);
	nodes_are(&r, NAMES("hub", "leaf", "node0", "node1", "r-a", "r-b",
	    "last"));
	assert_int_equal(node(&r, "hub")->line, 14);
	assert_int_equal(node(&r, "leaf")->line, 8);
	assert_int_equal(node(&r, "node1")->line, 8);
	assert_int_equal(node(&r, "r-b")->line, 18);
	assert_int_equal(node(&r, "last")->line, 24);
	assert_string_equal(node(&r, "node1")->os, "FBSD-STD");
	assert_null(node(&r, "hub")->os);
	assert_int_equal(r.e.nlans, 4);
	lan_is(&r, "link0", NC_LAN_LINK, 1000000, 2, NAMES("hub", "leaf"));
	lan_is(&r, "link2", NC_LAN_LINK, 1000000, 2, NAMES("hub", "node1"));
	assert_int_equal(lan(&r, "link1")->line, 9);
	lan_is(&r, "lan", NC_LAN_LAN, 100000, 0, NAMES("r-a", "r-b"));
	ifaces_are(&r, "hub", "eth1:link0 eth2:link1 eth3:link2");
	has_warning(&r, "procs.ns:9: warning: 3 links not held by any "
	    "variable; named link0, link1, link2");
	done(&r);
}

static void
test_explicit_ips(void **state)
{
	struct run r;

	(void)state;
	eval_file(&r, "tests/data/ns/ips.ns");
	ok(&r);
	ip_is(iface(&r, "a", "link0"), "10.1.0.1", 12);
	ip_is(iface(&r, "b", "link0"), "10.1.0.2", 13);
	ip_is(iface(&r, "a", "lan0"), "10.2.0.1", 14);
	ip_is(iface(&r, "b", "lan0"), "10.2.0.2", 15);
	ip_is(iface(&r, "c", "lan0"), "10.2.0.3", 17);
	ip_is(iface(&r, "c", "link1"), "0.0.0.0", 0);
	/* before its link existed */
	ip_is(iface(&r, "d", "link1"), "10.9.0.4", 8);
	assert_int_equal(lan(&r, "lan0")->mask, 0xffff0000u);
	assert_int_equal(lan(&r, "link0")->mask, 0xfffffffcu);
	assert_int_equal(lan(&r, "link1")->mask, 0);
	has_warning(&r, "ips.ns:17: warning: tb-set-ip-lan: address of c "
	    "eth1 set again (10.2.0.9 at line 16); the last setting wins");
	assert_int_equal(r.d.nwarn, 1);
	done(&r);
}

static void
test_settings(void **state)
{
	struct run r;
	struct nc_node *a, *b, *c;
	struct nc_lan *l;
	struct nc_iface *i;

	(void)state;
	eval_file(&r, "tests/data/ns/settings.ns");
	ok(&r);
	a = node(&r, "a");
	b = node(&r, "b");
	c = node(&r, "c");
	assert_string_equal(a->os, "Ubuntu1404-64-STD");
	assert_string_equal(a->parent_os, "FBSD-HOST");
	assert_string_equal(b->hardware, "pc3000");
	assert_string_equal(a->startcmd, "/bin/echo hello > /tmp/x");
	assert_null(a->failure_action);
	assert_string_equal(b->failure_action, "nonfatal");
	assert_int_equal(a->ntarfiles, 2);
	assert_string_equal(a->tarfiles[0].dir, "/opt");
	assert_string_equal(a->tarfiles[0].file, "/proj/x/a.tar.gz");
	assert_string_equal(a->tarfiles[1].dir, "/usr/local");
	assert_string_equal(a->tarfiles[1].file, "http://example.com/b.tgz");
	assert_int_equal(b->nrpms, 2);
	assert_string_equal(b->rpms[1], "/proj/x/two.rpm");
	assert_string_equal(a->fix, "pc42");
	assert_int_equal(a->fix_line, 15);
	assert_string_equal(c->fix, "b");
	assert_int_equal(c->fix_line, 16);
	assert_null(b->fix);
	/* the first setting of an attribute wins */
	assert_int_equal(c->nattrs, 2);
	assert_string_equal(c->attrs[0].key, "containers:partition");
	assert_string_equal(c->attrs[0].value, "2");
	assert_int_equal(c->attrs[0].line, 17);
	assert_string_equal(nc_node_attr(c, "containers:image_os"),
	    "windows7");
	has_warning(&r, "settings.ns:18: warning: tb-add-node-attribute: "
	    "attribute \"containers:partition\" already set at line 17; "
	    "first setting wins");
	assert_int_equal(r.d.nwarn, 1);

	l = lan(&r, "link0");
	assert_float_equal(l->loss, 0.02, 1e-12);
	assert_int_equal(l->bandwidth_kbps, 10000000);
	assert_float_equal(l->delay_ms, 0.0001, 1e-12);
	l = lan(&r, "lan0");
	assert_int_equal(l->bandwidth_kbps, 1000);
	assert_float_equal(l->delay_ms, 0, 0);
	assert_float_equal(l->loss, 0.5, 0);

	i = iface(&r, "a", "lan0");
	assert_float_equal(i->delay_ms, 5, 0);
	assert_int_equal(i->bandwidth_kbps, NC_UNSET);
	assert_float_equal(i->loss, NC_UNSET, 0);
	i = iface(&r, "b", "lan0");
	assert_int_equal(i->bandwidth_kbps, 2000);
	assert_float_equal(i->delay_ms, NC_UNSET, 0);
	assert_float_equal(nc_iface_delay(&r.e, i), 0, 0);
	i = iface(&r, "c", "lan0");
	assert_float_equal(i->loss, 0.25, 0);
	i = iface(&r, "a", "link0");
	assert_float_equal(i->delay_ms, 1, 0);
	assert_int_equal(i->bandwidth_kbps, 20000);
	assert_float_equal(i->loss, 0, 0);
	i = iface(&r, "b", "link0");
	assert_int_equal(i->bandwidth_kbps, NC_UNSET);
	assert_int_equal(nc_iface_bandwidth(&r.e, i), 10000000);
	done(&r);
}

static void
test_warnings(void **state)
{
	static const char *const want[] = {
		"6: warning: duplex-link: queue \"RED\" is not emulated; "
		    "DropTail used",
		"7: warning: ns-2 feature Agent/UDP is not emulated; ignored",
		"8: warning: $ns attach-agent is an ns-2 feature the testbed "
		    "does not emulate; ignored",
		"9: warning: ns-2 feature Application/Traffic/CBR is not "
		    "emulated; ignored",
		"12: warning: $ns at is an ns-2 feature the testbed does not "
		    "emulate; ignored",
		"13: warning: queue parameter \"limit_\" is not emulated; "
		    "ignored",
		"14: warning: $ns trace-all is an ns-2 feature the testbed "
		    "does not emulate; ignored",
		"15: warning: unsupported $ns method \"frobnicate\"; ignored",
		"16: warning: add-route: \"10.0.0.0\" is not a node, link or "
		    "LAN; ignored",
		"17: warning: node method \"program-agent\" is not emulated; "
		    "ignored",
		"19: warning: unknown command tb-set-frob; ignored",
		"20: warning: tb-use-ipassign is not used by this testbed; "
		    "recorded/ignored",
		"21: warning: routing protocol \"DV\" is not supported (only "
		    "Static and Manual); no routes are installed",
		"22: warning: `ns` used without `$`; taken as $ns",
		"23: warning: simplex-link is not emulated; taken as a "
		    "duplex-link",
		NULL,
	};
	struct run r;
	char w[256];
	size_t i;

	(void)state;
	eval_file(&r, "tests/data/ns/warnings.ns");
	ok(&r);
	for (i = 0; want[i] != NULL; i++) {
		snprintf(w, sizeof(w), "warnings.ns:%s", want[i]);
		has_warning(&r, w);
	}
	assert_int_equal(r.d.nwarn, i);
	nodes_are(&r, NAMES("n0", "n1"));
	lan_is(&r, "l", NC_LAN_LINK, 100000, 0, NAMES("n0", "n1"));
	lan_is(&r, "s", NC_LAN_LINK, 10000, 5, NAMES("n1", "n0"));
	done(&r);
}

/* ---------------------------------------------------------------- */
/* Errors, each with its line */

/* Two nodes a b and a link0 between them on lines 2..4, then rest. */
#define PRE "set ns [new Simulator]\nset a [$ns node]\nset b [$ns node]\n" \
	"set link0 [$ns duplex-link $a $b 100Mb 0ms DropTail]\n"

static void
err_case(const char *text, const char *want)
{
	struct run r;

	eval_text(&r, text);
	failed(&r, want);
	done(&r);
}

static void
test_errors_kinds(void **state)
{
	(void)state;
	err_case(PRE "tb-set-ip foo 10.0.0.1\n",
	    "t.ns:5: tb-set-ip: expected a node, got \"foo\"");
	err_case(PRE "\ntb-set-ip $link0 10.0.0.1\n",
	    "t.ns:6: tb-set-ip: expected a node, got link \"link0\"");
	err_case(PRE "tb-set-node-os _o999 X\n",
	    "t.ns:5: tb-set-node-os: expected a node, got \"_o999\"");
	err_case(PRE "tb-set-node-os $ns X\n",
	    "t.ns:5: tb-set-node-os: expected a node, got a simulator");
	err_case(PRE "tb-set-link-loss $a 0.1\n",
	    "t.ns:5: tb-set-link-loss: expected a link or LAN, got node "
	    "\"a\"");
	err_case(PRE "tb-set-netmask lan0 /24\n",
	    "t.ns:5: tb-set-netmask: expected a link or LAN, got \"lan0\"");
	err_case(PRE "set c [$ns make-lan \"$a foo\" 10Mb 0ms]\n",
	    "t.ns:5: make-lan: expected a node, got \"foo\"");
	err_case(PRE "$ns duplex-link $a B 10Mb 0ms DropTail\n",
	    "t.ns:5: duplex-link: expected a node, got \"B\"");
	err_case(PRE "$ns duplex-link $a [$ns node] 10Mb 0ms DropTail\n"
	    "$ns duplex-link $a $link0 10Mb 0ms DropTail\n",
	    "t.ns:6: duplex-link: expected a node, got link \"link0\"");
	err_case("set ns [new Simulator]\nset u [new Agent/UDP]\n"
	    "set a [$ns node]\ntb-set-node-startcmd $u ls\n",
	    "t.ns:4: tb-set-node-startcmd: expected a node, got an ignored "
	    "Agent/UDP object");
	err_case(PRE "set x [$ns node]\n$ns duplex-link $a $x 10Mb 0ms "
	    "DropTail\ntb-set-link-loss $x 0.1\n",
	    "t.ns:7: tb-set-link-loss: expected a link or LAN, got node "
	    "\"x\"");
	err_case(PRE "tb-set-link-loss [$ns node] 0.1\n",
	    "t.ns:5: tb-set-link-loss: expected a link or LAN, got a node "
	    "made at line 5");
}

static void
test_errors_values(void **state)
{
	(void)state;
	err_case(PRE "tb-set-ip $a 10.1.1\n",
	    "t.ns:5: tb-set-ip: bad IP address \"10.1.1\"");
	err_case(PRE "tb-set-ip-link $a $link0 10.1.1.256\n",
	    "t.ns:5: tb-set-ip-link: bad IP address \"10.1.1.256\"");
	err_case(PRE "tb-set-ip-link $a $link0 0.0.0.0\n",
	    "t.ns:5: tb-set-ip-link: bad IP address \"0.0.0.0\"");
	err_case(PRE "tb-set-ip-link $a $link0 10.1.1.1\n"
	    "tb-set-ip-link $b $link0 10.1.1.1\n",
	    "t.ns:6: tb-set-ip-link: address 10.1.1.1 already given to a "
	    "at line 5");
	err_case(PRE "set c [$ns node]\ntb-set-ip $c 10.1.1.1\n"
	    "set l [$ns duplex-link $a $c 10Mb 0ms DropTail]\n"
	    "tb-set-ip $b 10.1.1.1\n",
	    "t.ns:8: tb-set-ip: address 10.1.1.1 already given to c at "
	    "line 6");
	err_case(PRE "set c [$ns node]\n$ns duplex-link $a $c 10Mb 0ms "
	    "DropTail\ntb-set-ip $a 10.1.1.1\n",
	    "t.ns:7: tb-set-ip: node a has 2 interfaces, not one; use "
	    "tb-set-ip-link or tb-set-ip-lan");
	err_case(PRE "set c [$ns node]\ntb-set-ip $c 10.1.1.1\n",
	    "t.ns:6: tb-set-ip: node c has 0 interfaces, not one; use "
	    "tb-set-ip-link or tb-set-ip-lan");
	err_case(PRE "set c [$ns node]\ntb-set-ip-interface $a $c 10.1.1.1\n",
	    "t.ns:6: tb-set-ip-interface: node a shares no link or LAN "
	    "with c");
	err_case(PRE "set c [$ns node]\ntb-set-ip-link $c $link0 10.1.1.1\n",
	    "t.ns:6: tb-set-ip-link: node c is not a member of link0");
	err_case(PRE "$ns duplex-link $a $b 5xb 0ms DropTail\n",
	    "t.ns:5: duplex-link: unknown bandwidth unit \"xb\" in \"5xb\"");
	err_case(PRE "\n\n$ns duplex-link $a $b 5kb 0ms DropTail\n",
	    "t.ns:7: duplex-link: bandwidth 5kb is under 10 kbit/s");
	err_case(PRE "$ns duplex-link $a $b 10Mb -1ms DropTail\n",
	    "t.ns:5: duplex-link: delay -1ms is negative");
	err_case(PRE "$ns duplex-link $a $b 10Mb 10us DropTail\n",
	    "t.ns:5: duplex-link: unknown delay unit \"us\" in \"10us\"");
	err_case(PRE "$ns duplex-link $a $a 10Mb 0ms DropTail\n",
	    "t.ns:5: duplex-link: both ends are the same node");
	err_case(PRE "$ns make-lan \"$a $b\" 100 0ms\n",
	    "t.ns:5: make-lan: bandwidth 100 is under 10 kbit/s");
	err_case(PRE "$ns make-lan \"$a $b $a\" 10Mb 0ms\n",
	    "t.ns:5: make-lan: a node is listed twice");
	err_case(PRE "$ns make-lan {} 10Mb 0ms\n",
	    "t.ns:5: make-lan: the node list is empty");
	err_case(PRE "$ns make-lan \"{$a\" 10Mb 0ms\n",
	    "t.ns:5: make-lan: the node list is not a Tcl list");
	err_case(PRE "tb-set-link-loss $link0 1.5\n",
	    "t.ns:5: tb-set-link-loss: loss 1.5 is not between 0 and 1");
	err_case(PRE "set c [$ns node]\ntb-set-link-loss $a $c 0.1\n",
	    "t.ns:6: tb-set-link-loss: no link between a and c");
	err_case(PRE "tb-set-link-bandwidth $link0 fast\n",
	    "t.ns:5: tb-set-link-bandwidth: bandwidth \"fast\" is not a "
	    "number");
	err_case(PRE "tb-set-lan-delay $link0 1h\n",
	    "t.ns:5: tb-set-lan-delay: unknown delay unit \"h\" in \"1h\"");
	err_case(PRE "tb-set-node-lan-params $a $link0 1ms 1kb 0\n",
	    "t.ns:5: tb-set-node-lan-params: bandwidth 1kb is under "
	    "10 kbit/s");
	err_case(PRE "set c [$ns node]\ntb-set-node-lan-loss $c $link0 0\n",
	    "t.ns:6: tb-set-node-lan-loss: node c is not a member of link0");
	err_case(PRE "tb-set-netmask $link0 255.0.0.0\n",
	    "t.ns:5: tb-set-netmask: netmask must be between /16 and /30");
	err_case(PRE "tb-set-netmask $link0 /31\n",
	    "t.ns:5: tb-set-netmask: netmask must be between /16 and /30");
	err_case(PRE "tb-set-netmask $link0 255.0.255.0\n",
	    "t.ns:5: tb-set-netmask: bad netmask \"255.0.255.0\"");
	err_case(PRE "tb-set-node-failure-action $a maybe\n",
	    "t.ns:5: tb-set-node-failure-action: the action must be fatal, "
	    "nonfatal or ignore, not \"maybe\"");
	err_case(PRE "tb-set-node-tarfiles $a /opt\n",
	    "t.ns:5: tb-set-node-tarfiles: wrong number of arguments; "
	    "usage: tb-set-node-tarfiles node dir tarfile ?dir tarfile ...?");
	err_case(PRE "tb-set-node-tarfiles $a /opt /x.tgz /usr\n",
	    "t.ns:5: tb-set-node-tarfiles: expected pairs of directory and "
	    "tarfile, got 3 arguments after the node");
	err_case(PRE "tb-set-node-tarfiles $a ../opt /x.tgz\n",
	    "t.ns:5: tb-set-node-tarfiles: directory \"../opt\" is not a safe "
	    "absolute path");
	err_case(PRE "tb-set-node-rpms $a x.rpm\n",
	    "t.ns:5: tb-set-node-rpms: \"x.rpm\" is not an absolute path "
	    "or URL");
	err_case(PRE "tb-set-node-os $a {}\n",
	    "t.ns:5: tb-set-node-os: empty OS");
	err_case(PRE "tb-set-node-os $a \"Ubuntu STD\"\n",
	    "t.ns:5: tb-set-node-os: OS \"Ubuntu STD\" may not contain "
	    "spaces or control characters");
	err_case(PRE "tb-add-node-attribute $a ../../etc/passwd x\n",
	    "t.ns:5: tb-add-node-attribute: attribute key "
	    "\"../../etc/passwd\" starts with '.'");
	err_case(PRE "tb-add-node-attribute $a a/b x\n",
	    "t.ns:5: tb-add-node-attribute: attribute key \"a/b\" may hold "
	    "only letters, digits, '_', ':', '.' and '-'");
	err_case(PRE "tb-fix-node $a \"pc 1\"\n",
	    "t.ns:5: tb-fix-node: name \"pc 1\" may hold only letters, "
	    "digits and '-'");
	err_case(PRE "tb-fix-node $a $a\n",
	    "t.ns:5: tb-fix-node: a node cannot be fixed to itself");
	err_case(PRE "tb-fix-node $a $link0\n",
	    "t.ns:5: tb-fix-node: expected a node, got link \"link0\"");
	err_case(PRE "$ns link $a [$ns node]\n",
	    "t.ns:5: link: no link between a and the node made at line 5");
	err_case(PRE "set l [$ns make-lan \"$a\" 10Mb 0ms]\n"
	    "$ns lanlink $l $b\n",
	    "t.ns:6: lanlink: b is not a member of l");
}

static void
test_errors_usage(void **state)
{
	(void)state;
	err_case(PRE "tb-set-ip $a\n",
	    "t.ns:5: tb-set-ip: wrong number of arguments; usage: tb-set-ip "
	    "node ip");
	err_case(PRE "tb-add-node-attribute $a k v extra\n",
	    "t.ns:5: tb-add-node-attribute: wrong number of arguments; "
	    "usage: tb-add-node-attribute node key value");
	err_case(PRE "$ns duplex-link $a $b 10Mb 0ms\n",
	    "t.ns:5: wrong number of arguments; usage: $ns duplex-link "
	    "node1 node2 bandwidth delay queue");
	err_case(PRE "$ns make-lan \"$a $b\" 10Mb\n",
	    "t.ns:5: wrong number of arguments; usage: $ns make-lan "
	    "\"node1 node2 ...\" bandwidth delay");
	err_case(PRE "$ns node 1\n",
	    "t.ns:5: wrong number of arguments; usage: $ns node");
	err_case(PRE "$ns\n",
	    "t.ns:5: wrong number of arguments; usage: $ns method ?arg ...?");
	err_case(PRE "new\n",
	    "t.ns:5: wrong number of arguments; usage: new Class ?arg ...?");
}

static void
test_errors_tcl(void **state)
{
	(void)state;
	/* a syntax error: the line of the command that is not closed */
	err_case(PRE "set x 1\nforeach i {1 2} {\n  set y $i\n\n",
	    "t.ns:6: Tcl error: missing close-brace");
	err_case(PRE "puts \"abc\n\n",
	    "t.ns:5: Tcl error: missing \"");
	err_case(PRE "for {set i 0} {$i < 2} {incr i} {\n  set z 1\n"
	    "  if {$i == 1} {\n\n    set q $nope\n  }\n}\n",
	    "t.ns:9: Tcl error: can't read \"nope\": no such variable");
	err_case(PRE "\nforeach i {1 2} {\n  if {$i == 2} {\n"
	    "    tb-set-ip $a $i\n  }\n}\n",
	    "t.ns:8: tb-set-ip: bad IP address \"2\"");
	err_case(PRE "foreach i {1 2} {\n  while {1} {\n\n    error boom\n"
	    "  }\n}\n",
	    "t.ns:8: Tcl error: boom");
	err_case(PRE "frobnicate $a\n",
	    "t.ns:5: Tcl error: invalid command name \"frobnicate\"");
	err_case(PRE "set x [expr {1 +}]\n",
	    "t.ns:5: Tcl error: missing operand at _@_\\x0ain expression "
	    "\"1 +_@_\"");
	/* an error in a proc: the line of the call */
	err_case(PRE "proc f {} {\n  set x 1\n  error inside\n}\n\nf\n",
	    "t.ns:10: Tcl error: inside");
	/* our errors in a proc: the line in the proc */
	err_case(PRE "proc mk {x} {\n  global ns\n\n  set y [$ns node]\n"
	    "  tb-set-ip $y $x\n}\nmk 10.0.0.1\nmk 1.2.3\n",
	    "t.ns:9: tb-set-ip: bad IP address \"1.2.3\"");
	err_case(PRE "proc f {n} {f [expr {$n + 1}]}\n\nf 0\n",
	    "t.ns:7: too many nested evaluations (a procedure that calls "
	    "itself without end?)");
	err_case(PRE "break\n",
	    "t.ns:5: Tcl error: invoked \"break\" outside of a loop");
	/* an error of ours is an error even when caught */
	err_case(PRE "catch {tb-set-ip $a 300.1.1.1}\n",
	    "t.ns:5: tb-set-ip: bad IP address \"300.1.1.1\"");
	err_case(PRE "source other.tcl\n",
	    "t.ns:5: source of other files is not supported");
	err_case(PRE "source /etc/passwd\n",
	    "t.ns:5: source of other files is not supported");
}

static void
test_time_limit(void **state)
{
	struct run r;

	(void)state;
	eval_limit(&r, PRE "\nwhile 1 {}\n", 1);
	failed(&r, "t.ns:6: evaluation took longer than 1 s (a loop that "
	    "never ends?)");
	done(&r);
	eval_limit(&r, PRE "proc spin {} {\n  for {} 1 {} {}\n}\nspin\n", 0.5);
	failed(&r, "t.ns:8: evaluation took longer than 0.5 s (a loop that "
	    "never ends?)");
	done(&r);
	eval_limit(&r, PRE "vwait forever\n", 0.5);
	failed(&r, "t.ns:5: evaluation took longer than 0.5 s (a loop that "
	    "never ends?)");
	done(&r);
}

static void
test_empty_and_binary(void **state)
{
	static const char nul[] = "set ns [new Simulator]\nset a [$ns node]"
	    "\nset b\0 [$ns node]\n";
	struct run r;

	(void)state;
	eval_bytes(&r, "", 0, 10);
	failed(&r, "t.ns:1: empty NS file (no nodes)");
	done(&r);
	eval_text(&r, "\n   \n# just a comment\n\t# another\n\n");
	failed(&r, "t.ns:1: empty NS file (no nodes)");
	done(&r);
	eval_bytes(&r, nul, sizeof(nul) - 1, 10);
	failed(&r, "t.ns:3: binary data, not an NS file");
	done(&r);
	eval_text(&r, "set ns [new Simulator]\n\xff\xfe\x01\x02\n");
	failed(&r, "t.ns:2: binary data, not an NS file");
	done(&r);
	/* overlong, surrogate, truncated sequences */
	eval_text(&r, "set a \xc0\xaf\n");
	failed(&r, "t.ns:1: binary data, not an NS file");
	done(&r);
	eval_text(&r, "#\n#\nset a \xed\xa0\x80\n");
	failed(&r, "t.ns:3: binary data, not an NS file");
	done(&r);
	eval_text(&r, "set a b\nset c \xe2\x82");
	failed(&r, "t.ns:2: binary data, not an NS file");
	done(&r);
	/* valid UTF-8 is text */
	eval_text(&r, "# caf\xc3\xa9 \xf0\x9f\x98\x80\nset ns [new Simulator]\n"
	    "set a [$ns node]\ntb-set-node-startcmd $a \"echo \xc3\xa9\"\n");
	ok(&r);
	assert_string_equal(node(&r, "a")->startcmd, "echo \xc3\xa9");
	done(&r);
	/* no node at all: placed at `$ns run`, else the last command */
	eval_text(&r, "set ns [new Simulator]\n$ns run\n$ns rtproto Static\n");
	failed(&r, "t.ns:2: the NS file defines no nodes");
	done(&r);
	eval_text(&r, "set ns [new Simulator]\n$ns rtproto Static\n\n");
	failed(&r, "t.ns:2: the NS file defines no nodes");
	done(&r);
	/* no file */
	memset(&r, 0, sizeof(r));
	r.path = nc_strdup("/nonexistent/x.ns");
	eval_path(&r, "x.ns", 10);
	failed(&r, "x.ns: cannot open: No such file or directory");
	done(&r);
}

static void
test_dangerous_names(void **state)
{
	(void)state;
	err_case(PRE "set {a;b} [$ns node]\n",
	    "t.ns:5: name \"a;b\" may hold only letters, digits and '-'");
	err_case(PRE "set ../x [$ns node]\n",
	    "t.ns:5: name \"../x\" may hold only letters, digits and '-'");
	err_case(PRE "set {$(id)} [$ns node]\n",
	    "t.ns:5: name \"$(id)\" may hold only letters, digits and '-'");
	err_case(PRE "set {a b} [$ns node]\n",
	    "t.ns:5: name \"a b\" may hold only letters, digits and '-'");
	err_case(PRE "set x(`id`) [$ns make-lan \"$a $b\" 10Mb 0ms]\n",
	    "t.ns:5: name \"x(`id`)\" may hold only letters, digits and "
	    "'-'");
	err_case(PRE "set n\xc3\xa9 [$ns node]\n",
	    "t.ns:5: name \"n\\xc3\\xa9\" contains a non-ASCII character");
	err_case(PRE "set \"x\\x1b\\[2J\" [$ns node]\n",
	    "t.ns:5: name \"x\\x1b[2J\" may hold only letters, digits and "
	    "'-'");
	err_case(PRE "set _x [$ns node]\n",
	    "t.ns:5: name \"_x\" may not start or end with '-'");
	err_case(PRE "set "
	    "a123456789b123456789c123456789d123456789e123456789f123456789"
	    "ghij [$ns node]\n",
	    "t.ns:5: name \"a123456789b123456789c123456789d123456789e12345678"
	    "9f123456789ghij\" is longer than 63 characters");
	/* a valid 63-character name is fine */
	{
		struct run r;

		eval_text(&r, PRE "set a123456789b123456789c123456789d12345678"
		    "9e123456789f12345678 [$ns node]\n");
		ok(&r);
		node(&r, "a123456789b123456789c123456789d123456789e123456789"
		    "f12345678");
		done(&r);
	}
}

/* Deep nesting would overflow the stack of Tcl's recursive parser. */
static void
test_deep_nesting(void **state)
{
	enum { DEEP = 100000, OK = 200 };
	struct run r;
	char *text, *p;
	size_t i;

	(void)state;
	text = p = nc_malloc(strlen(PRE) + 2 * DEEP + 64);
	assert_true(7 * OK < 2 * DEEP);
	p += sprintf(p, "%sset x ", PRE);
	for (i = 0; i < DEEP; i++)
		*p++ = '[';
	p += sprintf(p, "list 1");
	for (i = 0; i < DEEP; i++)
		*p++ = ']';
	*p++ = '\n';
	eval_bytes(&r, text, (size_t)(p - text), 10);
	failed(&r, "t.ns:5: brackets nested more than 1000 deep");
	done(&r);

	/* brackets in comments and escaped ones do not count */
	p = text + sprintf(text, "%s# [[[[[[\nset y \\[\\[\nset x ", PRE);
	for (i = 0; i < OK; i++)
		p += sprintf(p, "[list ");
	*p++ = '1';
	for (i = 0; i < OK; i++)
		*p++ = ']';
	*p++ = '\n';
	eval_bytes(&r, text, (size_t)(p - text), 10);
	ok(&r);
	done(&r);
	free(text);
}

static void
test_safe_interpreter(void **state)
{
	(void)state;
	err_case(PRE "exec touch /tmp/nc-test-ns-pwned\n",
	    "t.ns:5: Tcl error: invalid command name \"exec\"");
	err_case(PRE "set f [open /etc/passwd]\n",
	    "t.ns:5: Tcl error: invalid command name \"open\"");
	err_case(PRE "file delete /tmp/x\n",
	    "t.ns:5: Tcl error: invalid command name \"file\"");
	err_case(PRE "socket localhost 22\n",
	    "t.ns:5: Tcl error: invalid command name \"socket\"");
	err_case(PRE "load libc.so.6\n",
	    "t.ns:5: Tcl error: invalid command name \"load\"");
	err_case(PRE "exit 0\n",
	    "t.ns:5: Tcl error: invalid command name \"exit\"");
	err_case(PRE "glob /*\n",
	    "t.ns:5: Tcl error: invalid command name \"glob\"");
	err_case(PRE "interp invokehidden {} exec ls\n",
	    "t.ns:5: Tcl error: not allowed to invoke hidden commands from "
	    "safe interpreter");
	err_case(PRE "interp expose {} exec\n",
	    "t.ns:5: Tcl error: permission denied: safe interpreter cannot "
	    "expose commands");
	err_case(PRE "interp limit {} time -seconds {}\n",
	    "t.ns:5: Tcl error: limits on current interpreter inaccessible");
	assert_int_equal(access("/tmp/nc-test-ns-pwned", F_OK), -1);
}

/*
 * Non-breaking spaces (C2 A0) as indentation, as copied from the testbed's
 * web pages: taken as blanks, with one warning at the first line that had
 * one; the same bytes inside a string are blanks too.
 */
static void
test_nbsp(void **state)
{
	struct run r;

	(void)state;
	eval_file(&r, "tests/data/ns/nbsp.ns");
	ok(&r);
	has_warning(&r, "nbsp.ns:6: warning: non-breaking spaces taken as "
	    "blanks");
	assert_int_equal(r.d.nwarn, 1);
	nodes_are(&r, NAMES("n-0", "n-1"));
	done(&r);
	eval_text(&r, "set ns [new Simulator]\nset a [$ns node]\n"
	    "tb-set-node-startcmd $a \"echo\xc2\xa0hi\"\n");
	ok(&r);
	has_warning(&r, "t.ns:3: warning: non-breaking spaces taken as "
	    "blanks");
	assert_string_equal(r.e.nodes[0].startcmd, "echo hi");
	done(&r);
}

static void
test_quirks(void **state)
{
	struct run r;

	(void)state;
	/* CRLF line ends, `ns` without `$`, a bare-number bandwidth,
	 * lists built with lappend and join, set on an array element */
	eval_text(&r, "set ns [new Simulator]\r\nsource tb_compat.tcl\r\n"
	    "set a [$ns node]\r\nset b [$ns node]\r\nset c [$ns node]\r\n"
	    "ns duplex-link $a $b 100000000 0 DropTail\r\n"
	    "lappend l $a $b\r\nappend s \"$c \"\r\n"
	    "set lan0 [$ns make-lan [join [concat $l $s] \" \"] 1Gb 1ms]\r\n"
	    "$ns rtproto Session\r\n$ns run\r\n");
	ok(&r);
	nodes_are(&r, NAMES("a", "b", "c"));
	lan_is(&r, "link0", NC_LAN_LINK, 100000, 0, NAMES("a", "b"));
	lan_is(&r, "lan0", NC_LAN_LAN, 1000000, 1, NAMES("a", "b", "c"));
	has_warning(&r, "t.ns:6: warning: `ns` used without `$`; taken as "
	    "$ns");
	done(&r);

	/* two links between the same nodes; `$ns link` returns the first;
	 * commands after `$ns run` still count */
	eval_text(&r, PRE "set l2 [$ns duplex-link $a $b 10Mb 0ms DropTail]\n"
	    "$ns run\ntb-set-link-loss [$ns link $b $a] 0.5\n"
	    "tb-set-link-loss $a $b 0.25\n");
	ok(&r);
	assert_float_equal(lan(&r, "link0")->loss, 0.25, 0);
	assert_float_equal(lan(&r, "l2")->loss, 0, 0);
	done(&r);

	/* a name already used by a LAN is not taken by a node */
	eval_text(&r, PRE "set x [$ns make-lan \"$a $b\" 10Mb 0ms]\n"
	    "proc f {} {global ns; set x [$ns node]; return $x}\n"
	    "set y [f]\n");
	ok(&r);
	nodes_are(&r, NAMES("a", "b", "y"));
	lan(&r, "x");
	done(&r);

	/* the node list of make-lan given as a proper list */
	eval_text(&r, PRE "set l [$ns make-lan [list $a $b] 10Mb 0ms]\n"
	    "set m [$ns make-lan $a 10Mb 0ms LL Queue/DropTail Mac/802_3]\n");
	ok(&r);
	lan_is(&r, "l", NC_LAN_LAN, 10000, 0, NAMES("a", "b"));
	lan_is(&r, "m", NC_LAN_LAN, 10000, 0, NAMES("a"));
	ifaces_are(&r, "a", "eth1:link0 eth2:l eth3:m");
	done(&r);

	/* a return at the top level ends the file, as source does */
	eval_text(&r, PRE "return\nset c [$ns node]\n");
	ok(&r);
	assert_int_equal(r.e.nnodes, 2);
	done(&r);
}

/* Generated names: one warning per line and kind of object. */
static void
test_generated_names(void **state)
{
	struct run r;

	(void)state;
	eval_text(&r, PRE "for {set i 0} {$i < 4} {incr i} {\n"
	    "    $ns duplex-link $a [$ns node] 1Mb 0ms DropTail\n"
	    "    lappend x [$ns node] [$ns node]\n"
	    "}\n"
	    "$ns make-lan \"$a $b\" 1Mb 0ms; $ns make-lan \"$a $b\" 1Mb 0ms\n"
	    "$ns duplex-link $a $b 1Mb 0ms DropTail\n");
	ok(&r);
	assert_int_equal(r.e.nnodes, 14);
	assert_int_equal(r.e.nlans, 8);
	assert_int_equal(node(&r, "node0")->line, 6);
	assert_int_equal(node(&r, "node1")->line, 7);
	assert_int_equal(node(&r, "node9")->line, 6);
	assert_int_equal(node(&r, "node11")->line, 7);
	assert_int_equal(lan(&r, "link4")->line, 6);
	assert_int_equal(lan(&r, "link5")->line, 10);
	has_warning(&r, "t.ns:6: warning: 4 nodes not held by any variable; "
	    "named node0 ... node9");
	has_warning(&r, "t.ns:6: warning: 4 links not held by any variable; "
	    "named link1 ... link4");
	has_warning(&r, "t.ns:7: warning: 8 nodes not held by any variable; "
	    "named node1 ... node11");
	has_warning(&r, "t.ns:9: warning: 2 LANs not held by any variable; "
	    "named lan0, lan1");
	has_warning(&r, "t.ns:10: warning: link not held by any variable; "
	    "named link5");
	assert_int_equal(r.d.nwarn, 5);
	done(&r);
}

/* A generated file: N nodes in a ring of N links, written out. */
static void
test_large_file(void **state)
{
	enum { N = 10000 };
	struct run r;
	char *text, *p, name[32];
	size_t cap = (size_t)N * 160 + 256, i;

	(void)state;
	text = p = nc_malloc(cap);
	p += sprintf(p, "set ns [new Simulator]\nsource tb_compat.tcl\n");
	for (i = 0; i < N; i++)
		p += sprintf(p, "set n(%zu) [$ns node]\n", i);
	for (i = 0; i < N; i++)
		p += sprintf(p, "set l(%zu) [$ns duplex-link $n(%zu) $n(%zu) "
		    "100Mb 10ms DropTail]\n", i, i, (i + 1) % N);
	p += sprintf(p, "tb-set-node-os $n(%d) UBUNTU\n$ns run\n", N - 1);
	eval_bytes(&r, text, (size_t)(p - text), 60);
	free(text);
	ok(&r);
	assert_int_equal(r.e.nnodes, N);
	assert_int_equal(r.e.nlans, N);
	assert_int_equal(r.d.nwarn, 0);
	for (i = 0; i < N; i += 997) {
		snprintf(name, sizeof(name), "n-%zu", i);
		assert_int_equal(nc_exp_find_node(&r.e, name), i);
		assert_int_equal(r.e.nodes[i].line, (int)i + 3);
		assert_int_equal(r.e.nodes[i].nifaces, 2);
		snprintf(name, sizeof(name), "l-%zu", i);
		assert_int_equal(nc_exp_find_lan(&r.e, name), i);
		assert_int_equal(r.e.lans[i].line, N + (int)i + 3);
	}
	assert_string_equal(r.e.nodes[N - 1].os, "UBUNTU");
	done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_basic),
		cmocka_unit_test(test_corpus_clientserver),
		cmocka_unit_test(test_corpus_example4),
		cmocka_unit_test(test_corpus_parsable),
		cmocka_unit_test(test_naming),
		cmocka_unit_test(test_procs_and_loops),
		cmocka_unit_test(test_explicit_ips),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_errors_kinds),
		cmocka_unit_test(test_errors_values),
		cmocka_unit_test(test_errors_usage),
		cmocka_unit_test(test_errors_tcl),
		cmocka_unit_test(test_time_limit),
		cmocka_unit_test(test_empty_and_binary),
		cmocka_unit_test(test_dangerous_names),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_safe_interpreter),
		cmocka_unit_test(test_quirks),
		cmocka_unit_test(test_nbsp),
		cmocka_unit_test(test_generated_names),
		cmocka_unit_test(test_large_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
