/*
 * test_ncfs_validate.c: the validators of values written into ncfs
 * (configfs/ncfs/ncfs_validate.c): for each, the values it accepts (and
 * what it makes of them) and the ones it refuses, with the errno and the
 * reason.  No database: uniqueness and existence are tested through the
 * fields in test_ncfs_fields.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "inet.h"
#include "ncfs_validate.h"
#include "util.h"

typedef int (*check_fn)(const char *, const char *, struct nc_buf *);

/* check refuses v with err and a reason naming the file and holding sub. */
static void
refused(check_fn check, const char *v, int err, const char *sub)
{
	struct nc_buf why = { 0 };
	int rc = check("f", v, &why);

	if (rc != err)
		print_error("value \"%s\": got %d, want %d (%s)\n", v, rc, err,
		    nc_buf_str(&why));
	assert_int_equal(rc, err);
	assert_true(strncmp(nc_buf_str(&why), "f: ", 3) == 0);
	if (sub != NULL && strstr(nc_buf_str(&why), sub) == NULL)
		print_error("reason \"%s\" lacks \"%s\"\n", nc_buf_str(&why),
		    sub);
	if (sub != NULL)
		assert_non_null(strstr(nc_buf_str(&why), sub));
	nc_buf_free(&why);
}

static void
accepted(check_fn check, const char *v)
{
	struct nc_buf why = { 0 };
	int rc = check("f", v, &why);

	if (rc != 0)
		print_error("value \"%s\" refused: %s\n", v, nc_buf_str(&why));
	assert_int_equal(rc, 0);
	assert_int_equal(why.len, 0);
	nc_buf_free(&why);
}

static void
test_text_and_word(void **state)
{
	(void)state;
	accepted(ncfs_v_text, "");
	accepted(ncfs_v_text, "sudo sysctl -w net.ipv4.ip_forward=1 >& x");
	accepted(ncfs_v_text, "tab\there, caf\xc3\xa9 \xe2\x82\xac");
	refused(ncfs_v_text, "two\nlines", -EINVAL, "newline");
	refused(ncfs_v_text, "bell\a", -EINVAL, "control character");
	refused(ncfs_v_text, "esc\x1b[31m", -EINVAL, "\\x1b");
	refused(ncfs_v_text, "del\x7f", -EINVAL, "control character");
	refused(ncfs_v_text, "bad \xff\xfe utf8", -EINVAL, "UTF-8");
	refused(ncfs_v_text, "overlong \xc0\xaf", -EINVAL, "UTF-8");
	refused(ncfs_v_text, "c1 \xc2\x85", -EINVAL, "UTF-8");
	refused(ncfs_v_text, "cut \xe2\x82", -EINVAL, "UTF-8");

	accepted(ncfs_v_word, "");
	accepted(ncfs_v_word, "Ubuntu1404-64-STD");
	accepted(ncfs_v_word, "pc3000");
	refused(ncfs_v_word, "two words", -EINVAL, "blank");
	refused(ncfs_v_word, "tab\tword", -EINVAL, "blank");
	refused(ncfs_v_word, "caf\xc3\xa9", -EINVAL, "non-ASCII");
	refused(ncfs_v_word, "nul\x01", -EINVAL, "control");
}

static void
test_long_values(void **state)
{
	char *v = nc_malloc(5000);
	struct nc_buf why = { 0 };

	(void)state;
	memset(v, 'a', 4096);
	v[4096] = '\0';
	accepted(ncfs_v_text, v);
	v[4096] = 'a';
	v[4097] = '\0';
	refused(ncfs_v_text, v, -EINVAL, "longer than 4096 bytes");
	/* the value shown in the reason is cut */
	assert_int_equal(ncfs_v_word("f", v, &why), -EINVAL);
	assert_true(why.len < 200);
	assert_non_null(strstr(nc_buf_str(&why), "...\""));
	nc_buf_free(&why);
	free(v);
}

static void
test_labels(void **state)
{
	char long64[65];

	(void)state;
	memset(long64, 'a', 64);
	long64[64] = '\0';
	accepted(ncfs_v_label, "small-lan");
	accepted(ncfs_v_label, "n-0");
	accepted(ncfs_v_label, long64 + 1);
	refused(ncfs_v_label, "", -EINVAL, "empty");
	refused(ncfs_v_label, long64, -ENAMETOOLONG, "63");
	refused(ncfs_v_label, "a/b", -EINVAL, "letters, digits");
	refused(ncfs_v_label, "..", -EINVAL, "letters, digits");
	refused(ncfs_v_label, "two words", -EINVAL, NULL);
	refused(ncfs_v_label, "-lead", -EINVAL, "start or end");
	refused(ncfs_v_label, "under_score", -EINVAL, NULL);
	refused(ncfs_v_label, "bin\x01", -EINVAL, "\\x01");

	accepted(ncfs_v_login, "alice");
	accepted(ncfs_v_login, "_svc");
	accepted(ncfs_v_login, "sec-lab");
	refused(ncfs_v_login, "Alice", -EINVAL, "user or group name");
	refused(ncfs_v_login, "", -EINVAL, NULL);
	refused(ncfs_v_login, "a/b", -EINVAL, NULL);
	refused(ncfs_v_login, "..", -EINVAL, NULL);
	refused(ncfs_v_login, "bo b", -EINVAL, NULL);
	refused(ncfs_v_login, "abcdefghijklmnopqrstuvwxyzabcdefg", -EINVAL,
	    NULL);
	refused(ncfs_v_login, long64, -ENAMETOOLONG, NULL);

	accepted(ncfs_v_attr_key, "containers:node_type");
	accepted(ncfs_v_attr_key, "a.b-c_D9");
	refused(ncfs_v_attr_key, "", -EINVAL, "empty");
	refused(ncfs_v_attr_key, ".", -EINVAL, NULL);
	refused(ncfs_v_attr_key, "..", -EINVAL, NULL);
	refused(ncfs_v_attr_key, "a/b", -EINVAL, "letters");
	refused(ncfs_v_attr_key, "a b", -EINVAL, NULL);
	refused(ncfs_v_attr_key, long64, -ENAMETOOLONG, NULL);
}

static void
test_choices(void **state)
{
	(void)state;
	accepted(ncfs_v_role, "config");
	accepted(ncfs_v_role, "pnode");
	accepted(ncfs_v_role, "container");
	accepted(ncfs_v_role, "physical");
	refused(ncfs_v_role, "router", -EINVAL,
	    "is not one of config, pnode, container, physical");
	refused(ncfs_v_role, "Container", -EINVAL, NULL);
	refused(ncfs_v_role, "", -EINVAL, NULL);
	refused(ncfs_v_role, "pnode ", -EINVAL, NULL);
	accepted(ncfs_v_failure_action, "fatal");
	accepted(ncfs_v_failure_action, "nonfatal");
	accepted(ncfs_v_failure_action, "ignore");
	refused(ncfs_v_failure_action, "retry", -EINVAL, NULL);
}

/* ncfs_v_ip refuses v. */
static void
bad_ip(const char *v)
{
	struct nc_buf why = { 0 };
	uint32_t ip;

	assert_int_equal(ncfs_v_ip("ip", v, &ip, &why), -EINVAL);
	assert_true(strncmp(nc_buf_str(&why), "ip: ", 4) == 0);
	nc_buf_free(&why);
}

static void
test_ip(void **state)
{
	static const char *const bad[] = { "", "10.0.0", "10.0.0.256",
	    "10.0.0.1.2", "010.0.0.1", "10.0.0.-1", " 10.0.0.1", "10.0.0.1 ",
	    "ten.0.0.1", "10..0.1", "::1", "10.0.0.1/24", NULL };
	struct nc_buf why = { 0 };
	uint32_t ip, peer, mask;
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		bad_ip(bad[i]);
	assert_int_equal(ncfs_v_ip("ip", "192.168.1.20", &ip, &why), 0);
	assert_int_equal(ip, 0xc0a80114);

	assert_int_equal(nc_ip_parse("192.168.1.1", &peer), 0);
	assert_int_equal(nc_mask_parse("255.255.255.0", &mask), 0);
	assert_int_equal(ncfs_v_ip_subnet("ip", ip, mask, &peer, "lan0",
	    &why), 0);
	assert_int_equal(why.len, 0);

	assert_int_equal(nc_ip_parse("10.9.9.9", &ip), 0);
	assert_int_equal(ncfs_v_ip_subnet("ip", ip, mask, &peer, "lan0",
	    &why), -EINVAL);
	assert_string_equal(nc_buf_str(&why),
	    "ip: 10.9.9.9 is outside lan0's subnet 192.168.1.0/24");
	nc_buf_reset(&why);

	assert_int_equal(nc_ip_parse("192.168.1.0", &ip), 0);
	assert_int_equal(ncfs_v_ip_subnet("ip", ip, mask, &peer, "lan0",
	    &why), -EINVAL);
	assert_non_null(strstr(nc_buf_str(&why), "network address"));
	nc_buf_reset(&why);

	assert_int_equal(nc_ip_parse("192.168.1.255", &ip), 0);
	assert_int_equal(ncfs_v_ip_subnet("ip", ip, mask, NULL, "lan0", &why),
	    -EINVAL);
	assert_non_null(strstr(nc_buf_str(&why), "broadcast address"));
	nc_buf_reset(&why);

	/* no other member addressed: any host address of the mask */
	assert_int_equal(nc_ip_parse("172.16.5.9", &ip), 0);
	assert_int_equal(ncfs_v_ip_subnet("ip", ip, mask, NULL, "lan0", &why),
	    0);
	/* a /31 link has no network or broadcast address */
	assert_int_equal(nc_mask_parse("/31", &mask), 0);
	assert_int_equal(nc_ip_parse("10.0.0.0", &ip), 0);
	assert_int_equal(ncfs_v_ip_subnet("ip", ip, mask, NULL, "l", &why),
	    0);
	assert_int_equal(why.len, 0);
	nc_buf_free(&why);
}

static void
test_mac(void **state)
{
	static const char *const bad[] = { "", "02:00:00:00:00", "02:00:00:00:"
	    "00:0g", "02-00-00-00-00-01", "02:00:00:00:00:01:02",
	    "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00",
	    "2:0:0:0:0:1", NULL };
	struct nc_buf why = { 0 };
	char mac[18];
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(ncfs_v_mac("mac", bad[i], mac, &why),
		    -EINVAL);
		assert_true(strncmp(nc_buf_str(&why), "mac: ", 5) == 0);
		nc_buf_reset(&why);
	}
	assert_int_equal(ncfs_v_mac("mac", "02:AB:cd:00:11:22", mac, &why), 0);
	assert_string_equal(mac, "02:ab:cd:00:11:22");
	assert_int_equal(ncfs_v_mac("mac", "0200deadbeef", mac, &why), 0);
	assert_string_equal(mac, "02:00:de:ad:be:ef");
	nc_buf_free(&why);
}

static void
test_shaping(void **state)
{
	struct nc_buf why = { 0 };
	double d;
	long bw;

	(void)state;
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "100000", &bw, &why),
	    0);
	assert_int_equal(bw, 100000);
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "0", &bw, &why), 0);
	assert_int_equal(bw, 0);
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "*", &bw, &why), 0);
	assert_int_equal(bw, 0);
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "10Mb", &bw, &why), 0);
	assert_int_equal(bw, 10000);
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "1.5Gbps", &bw, &why),
	    0);
	assert_int_equal(bw, 1500000);
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "12.5", &bw, &why), 0);
	assert_int_equal(bw, 13);
	assert_int_equal(why.len, 0);
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "5", &bw, &why),
	    -EINVAL);
	assert_non_null(strstr(nc_buf_str(&why), "under 10 kbit/s"));
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "10Qb", &bw, &why),
	    -EINVAL);
	assert_non_null(strstr(nc_buf_str(&why), "unknown bandwidth unit"));
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "fast", &bw, &why),
	    -EINVAL);
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "", &bw, &why),
	    -EINVAL);
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "-5Mb", &bw, &why),
	    -EINVAL);
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_bandwidth("bandwidth", "99999999999999999",
	    &bw, &why), -EINVAL);
	nc_buf_reset(&why);

	assert_int_equal(ncfs_v_delay("delay", "2", &d, &why), 0);
	assert_true(d == 2);
	assert_int_equal(ncfs_v_delay("delay", "0.5", &d, &why), 0);
	assert_true(d == 0.5);
	assert_int_equal(ncfs_v_delay("delay", "1s", &d, &why), 0);
	assert_true(d == 1000);
	assert_int_equal(ncfs_v_delay("delay", "20ms", &d, &why), 0);
	assert_true(d == 20);
	assert_int_equal(why.len, 0);
	assert_int_equal(ncfs_v_delay("delay", "2 ms", &d, &why), -EINVAL);
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_delay("delay", "-1", &d, &why), -EINVAL);
	assert_non_null(strstr(nc_buf_str(&why), "negative"));
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_delay("delay", "2h", &d, &why), -EINVAL);
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_delay("delay", "7200s", &d, &why), -EINVAL);
	assert_non_null(strstr(nc_buf_str(&why), "over one hour"));
	nc_buf_reset(&why);

	assert_int_equal(ncfs_v_loss("loss", "0.01", &d, &why), 0);
	assert_true(d == 0.01);
	assert_int_equal(ncfs_v_loss("loss", "1", &d, &why), 0);
	assert_int_equal(ncfs_v_loss("loss", "1.5", &d, &why), -EINVAL);
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_loss("loss", "1%", &d, &why), -EINVAL);
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_loss("loss", "nan", &d, &why), -EINVAL);
	nc_buf_free(&why);
}

/* ncfs_v_id refuses v. */
static int
id_refused(const char *v)
{
	struct nc_buf why = { 0 };
	long id;
	int rc;

	rc = ncfs_v_id("uid", v, &id, &why);
	if (rc == 0)
		print_error("uid \"%s\" accepted\n", v);
	assert_true(rc == 0 || strncmp(nc_buf_str(&why), "uid: ", 5) == 0);
	nc_buf_free(&why);
	return rc;
}

static void
test_ids_and_accounts(void **state)
{
	static const char *const bad[] = { "", "abc", "12a", "-1", "+5",
	    " 5", "5 ", "4294967295", "99999999999999999999", "0x10", "1e3",
	    "007", "1.0", NULL };
	struct nc_buf why = { 0 };
	size_t i;
	long id;
	int b;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		assert_int_equal(id_refused(bad[i]), -EINVAL);
	assert_int_equal(ncfs_v_id("uid", "0", &id, &why), 0);
	assert_int_equal(id, 0);
	assert_int_equal(ncfs_v_id("uid", "4294967294", &id, &why), 0);
	assert_int_equal(id, 4294967294L);
	assert_int_equal(ncfs_v_bool("root", "1", &b, &why), 0);
	assert_int_equal(b, 1);
	assert_int_equal(ncfs_v_bool("root", "0", &b, &why), 0);
	assert_int_equal(b, 0);
	assert_int_equal(ncfs_v_bool("root", "yes", &b, &why), -EINVAL);
	nc_buf_free(&why);

	accepted(ncfs_v_fullname, "Alice Liddell");
	accepted(ncfs_v_fullname, "");
	accepted(ncfs_v_fullname, "Ren\xc3\xa9 M\xc3\xbcller");
	refused(ncfs_v_fullname, "Alice:Liddell", -EINVAL, "':'");
	refused(ncfs_v_fullname, "Alice\nroot::0:0::/:/bin/sh", -EINVAL,
	    "newline");

	accepted(ncfs_v_home, "/users/alice");
	accepted(ncfs_v_shell, "/bin/bash");
	refused(ncfs_v_home, "", -EINVAL, "empty");
	refused(ncfs_v_shell, "bin/bash", -EINVAL, "absolute");
	refused(ncfs_v_home, "/users/../etc", -EINVAL, NULL);
	refused(ncfs_v_home, "/users/a b", -EINVAL, NULL);
	refused(ncfs_v_home, "/a:b", -EINVAL, "':'");
	refused(ncfs_v_home, "/", -EINVAL, "root");

	accepted(ncfs_v_password, "*");
	accepted(ncfs_v_password, "!");
	accepted(ncfs_v_password, "$6$salt$abcdefghijklmnop./0123456789");
	refused(ncfs_v_password, "", -EINVAL, "empty");
	refused(ncfs_v_password, "has space", -EINVAL, "blank");
	refused(ncfs_v_password, "a:b", -EINVAL, "':'");
}

static void
test_images(void **state)
{
	(void)state;
	accepted(ncfs_v_url, "");
	accepted(ncfs_v_url, "http://images.example.org/boxes/win7.box");
	accepted(ncfs_v_url, "https://example.org/a.box");
	accepted(ncfs_v_url, "file:///var/cache/a.box");
	refused(ncfs_v_url, "ftp://example.org/a.box", -EINVAL, "URL");
	refused(ncfs_v_url, "http://", -EINVAL, NULL);
	refused(ncfs_v_url, "http:///path", -EINVAL, NULL);
	refused(ncfs_v_url, "http://example.org/a b", -EINVAL, NULL);
	refused(ncfs_v_url, "/var/cache/a.box", -EINVAL, NULL);
	accepted(ncfs_v_sha256, "");
	accepted(ncfs_v_sha256,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	refused(ncfs_v_sha256,
	    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
	    -EINVAL, "64 lowercase hex");
	refused(ncfs_v_sha256, "e3b0c442", -EINVAL, NULL);
	refused(ncfs_v_sha256,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
	    -EINVAL, NULL);
}

#define ED_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1Y2t5c3RhcnNhbmRtb29u" \
	"YmVhbXNvZnRoZXNreQ"
#define RSA_KEY "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDaliceDeskKeyForTest" \
	"sOnlyAAAA"

static int
key_check(const char *what, const char *v, struct nc_buf *why)
{
	return ncfs_v_sshkey(what, v, strlen(v), why);
}

static void
test_keys(void **state)
{
	struct ncfs_list l = { 0 };
	struct nc_buf why = { 0 };

	(void)state;
	accepted(key_check, ED_KEY);
	accepted(key_check, ED_KEY " alice@laptop");
	accepted(key_check, RSA_KEY " alice desk key");
	refused(key_check, "ssh-ed25519", -EINVAL, "no base64");
	refused(key_check, "rsa AAAAB3NzaC1yc2EAAAADAQAB", -EINVAL,
	    "key type");
	refused(key_check, "ssh-ed25519 not*base64", -EINVAL, "no base64");
	/* the blob names another type */
	refused(key_check, "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIGx1Y2t5", -EINVAL,
	    "does not match");
	refused(key_check, "from=\"10.0.0.1\" " ED_KEY, -EINVAL, "key type");

	assert_int_equal(ncfs_v_key_list("keys", "\n" ED_KEY " a@b\n\n  "
	    RSA_KEY "  \n", &l, &why), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], ED_KEY " a@b");
	assert_string_equal(l.v[1], RSA_KEY);
	ncfs_list_free(&l);
	assert_int_equal(ncfs_v_key_list("keys", "", &l, &why), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(ncfs_v_key_list("keys", ED_KEY "\ngarbage\n", &l,
	    &why), -EINVAL);
	assert_string_equal(nc_buf_str(&why), "keys: line 2: \"garbage\" does "
	    "not start with a key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-*, "
	    "sk-*)");
	ncfs_list_free(&l);
	nc_buf_free(&why);
}

static void
test_name_lists(void **state)
{
	struct ncfs_list l = { 0 };
	struct nc_buf why = { 0 };

	(void)state;
	assert_int_equal(ncfs_v_name_list("groups", "sec-lab\n\nsec-proj", &l,
	    &why), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "sec-lab");
	assert_string_equal(l.v[1], "sec-proj");
	ncfs_list_free(&l);
	assert_int_equal(ncfs_v_name_list("groups", "", &l, &why), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(ncfs_v_name_list("groups", "a\nb\na", &l, &why),
	    -EINVAL);
	assert_string_equal(nc_buf_str(&why), "groups: line 3: a is listed "
	    "twice");
	ncfs_list_free(&l);
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_name_list("groups", "ok\nnot ok", &l, &why),
	    -EINVAL);
	ncfs_list_free(&l);
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_name_list("groups", "../etc", &l, &why),
	    -EINVAL);
	ncfs_list_free(&l);
	nc_buf_free(&why);
}

static void
test_status(void **state)
{
	static const char *const bad[] = { "", "ready", "done 17", "READY 17",
	    "ready -1", "ready 17.5", "ready abc", "ready 1099511627777",
	    "ready 17 step\x01", "failed 17 mount \xff", NULL };
	struct ncfs_status st;
	struct nc_buf why = { 0 };
	char *msg;
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(ncfs_v_status("status", bad[i], &st, &why),
		    -EINVAL);
		assert_true(strncmp(nc_buf_str(&why), "status: ", 8) == 0);
		nc_buf_reset(&why);
	}
	assert_int_equal(ncfs_v_status("status", "ready 1700000000", &st,
	    &why), 0);
	assert_string_equal(st.state, "ready");
	assert_true(st.time == 1700000000LL);
	assert_string_equal(st.step, "");
	assert_null(st.message);

	assert_int_equal(ncfs_v_status("status", "failed  1099511627776 "
	    "mount  cannot mount /users/alice: timeout \t", &st, &why), 0);
	assert_string_equal(st.state, "failed");
	assert_true(st.time == 1099511627776LL);
	assert_string_equal(st.step, "mount");
	assert_int_equal(st.message_len, strlen("cannot mount /users/alice: "
	    "timeout"));
	assert_memory_equal(st.message, "cannot mount", 12);

	/* a first word that is not a step starts the message */
	assert_int_equal(ncfs_v_status("status", "booting 5 Waiting for eth1",
	    &st, &why), 0);
	assert_string_equal(st.step, "");
	assert_string_equal(st.message, "Waiting for eth1");

	msg = nc_malloc(1100);
	memcpy(msg, "failed 5 step ", 14);
	memset(msg + 14, 'x', 1025);
	msg[14 + 1025] = '\0';
	assert_int_equal(ncfs_v_status("status", msg, &st, &why), -EINVAL);
	assert_non_null(strstr(nc_buf_str(&why), "1024"));
	msg[14 + 1024] = '\0';
	nc_buf_reset(&why);
	assert_int_equal(ncfs_v_status("status", msg, &st, &why), 0);
	free(msg);
	nc_buf_free(&why);
}

static void
test_startstatus(void **state)
{
	static const char *const bad[] = { "", "running", "exited 5",
	    "exited 256 5", "exited -1 5", "exited 03 5", "killed 0 5",
	    "killed 65 5", "running 1099511627777", "running 5 6",
	    "exited 3 5 extra", "stopped 5", "Running 5", "exited x 5",
	    "running 5\x01", "exited\t3\n5", NULL };
	struct nct_startstatus st;
	struct nc_buf why = { 0 };
	char line[64];
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(ncfs_v_startstatus("startstatus", bad[i], &st,
		    &why), -EINVAL);
		assert_true(strncmp(nc_buf_str(&why), "startstatus: ",
		    13) == 0);
		nc_buf_reset(&why);
	}
	assert_int_equal(ncfs_v_startstatus("startstatus",
	    "running 1700000000", &st, &why), 0);
	assert_int_equal(st.state, NCT_START_RUN);
	assert_true(st.time == 1700000000LL);
	assert_int_equal(ncfs_v_startstatus("startstatus",
	    " exited\t127  1099511627776 ", &st, &why), 0);
	assert_int_equal(st.state, NCT_START_EXIT);
	assert_int_equal(st.code, 127);
	assert_true(st.time == 1099511627776LL);
	assert_int_equal(ncfs_v_startstatus("startstatus", "killed 9 0", &st,
	    &why), 0);
	assert_int_equal(st.state, NCT_START_KILL);
	assert_int_equal(st.code, 9);
	/* what nct_start_format writes parses back the same */
	st.state = NCT_START_EXIT;
	st.code = 255;
	st.time = 42;
	assert_int_equal(nct_start_format(line, sizeof(line), &st), 13);
	assert_string_equal(line, "exited 255 42");
	assert_int_equal(nct_start_format(line, 13, &st), -1);
	st.state = NCT_NSTARTS;
	assert_int_equal(nct_start_format(line, sizeof(line), &st), -1);
	nc_buf_free(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_word),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_choices),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_shaping),
		cmocka_unit_test(test_ids_and_accounts),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_name_lists),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_startstatus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
