/*
 * test_ssh.c: the parts of the SSH client that need no server.
 * neoc_ssh_quote: the quoted text handed to a real /bin/sh (fork and
 * exec, no system()) comes back as exactly one argument equal to the
 * input, for words, the empty string, quotes, command substitutions,
 * newlines and shell operators, and for random byte strings.  known_hosts
 * (ssh_hostkey.c, through neoc_kh_verify and neoc_kh_prefs): the recorded
 * name of host:port, plain, wildcard, negated and hashed names (hashes
 * made by ssh-keygen -H), [host]:port, @revoked and @cert-authority
 * lines, a changed key refused naming the deciding line and the
 * fingerprint ssh-keygen -l shows, a new key learned (file and directory
 * created, a missing final newline supplied, never twice) and the host key
 * algorithms offered.  neoc_ssh_last_line too.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "ssh.h"
#include "ssh_int.h"
#include "util.h"
#include "scratch_dir.h"

/* ------------------------------------------------------------ quoting */

/* What /bin/sh -c script writes to stdout (malloc'd, *len bytes); the
 * shell must exit 0. */
static char *
run_sh(const char *script, size_t *len)
{
	struct nc_buf out = { 0 };
	char chunk[4096];
	int fds[2], st;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "sh", "-c", (char *)script, NULL };

		close(fds[0]);
		if (dup2(fds[1], 1) < 0)
			_exit(126);
		close(fds[1]);
		execv("/bin/sh", argv);
		_exit(127);
	}
	close(fds[1]);
	nc_buf_add(&out, "", 0);
	for (;;) {
		n = read(fds[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n >= 0);
		if (n == 0)
			break;
		nc_buf_add(&out, chunk, (size_t)n);
	}
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("sh -c %s: status %d", script, st);
	*len = out.len;
	return out.p;
}

/* Quote arg, let the shell parse it, and check that it is one argument
 * equal to arg. */
static void
round_trip(const char *arg)
{
	char *q = neoc_ssh_quote(arg), *script, *want, *got;
	size_t len;

	assert_non_null(q);
	/* the brief's form: printf "%s\n" QUOTED */
	script = nc_asprintf("printf '%%s\\n' %s", q);
	got = run_sh(script, &len);
	want = nc_asprintf("%s\n", arg);
	if (len != strlen(want) || memcmp(got, want, len) != 0)
		fail_msg("quoted as %s, the shell printed \"%.*s\"", q,
		    (int)len, got);
	free(script);
	free(got);
	free(want);
	/* and exactly one argument */
	script = nc_asprintf("set -- %s; printf '%%d:%%s' \"$#\" \"$1\"", q);
	got = run_sh(script, &len);
	want = nc_asprintf("1:%s", arg);
	if (len != strlen(want) || memcmp(got, want, len) != 0)
		fail_msg("quoted as %s, the shell saw \"%.*s\"", q, (int)len,
		    got);
	free(script);
	free(got);
	free(want);
	free(q);
}

static void
test_quote_text(void **state)
{
	char *q;

	(void)state;
	q = neoc_ssh_quote("abc");
	assert_string_equal(q, "'abc'");
	free(q);
	q = neoc_ssh_quote("");
	assert_string_equal(q, "''");
	free(q);
	q = neoc_ssh_quote("it's");
	assert_string_equal(q, "'it'\\''s'");
	free(q);
	q = neoc_ssh_quote("''");
	assert_string_equal(q, "''\\'''\\'''");
	free(q);
	q = neoc_ssh_quote("$(id) `id` a b");
	assert_string_equal(q, "'$(id) `id` a b'");
	free(q);
}

static void
test_quote_shell(void **state)
{
	static const char *const args[] = {
		"plain", "/usr/local/bin/ncprov", "--node", "pnode-0",
		"", " ", "two words", "  leading and trailing  ",
		"it's", "'", "''", "'''", "a'b'c", "\\'", "'\\''",
		"$(id)", "$(touch /tmp/neoc-quote-pwned)", "`id`",
		"${HOME}", "$HOME", "$1", "$@", "$*", "$#", "$$", "$",
		"a\nb", "\n", "\n\n", "line\n", "\tab", "\r\n",
		";", "|", "&", "a;b|c&d", "&&", "||", ";;",
		"> /tmp/x", "< /etc/passwd", "2>&1", "*", "?", "[a-z]*",
		"~", "~root", "#comment", "a#b", "\"double\"", "\"",
		"\\", "\\\\", "\\n", "!", "!!", "{a,b}", "(sub)", "%s",
		"--", "-c", "-", "=", "a=b", "caf\xc3\xa9", "\x7f", "\x01\x02",
	};
	size_t i;

	(void)state;
	unlink("/tmp/neoc-quote-pwned");
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		round_trip(args[i]);
	/* the command substitution never ran */
	assert_int_equal(access("/tmp/neoc-quote-pwned", F_OK), -1);
}

static void
test_quote_several(void **state)
{
	char *a = neoc_ssh_quote("one two"), *b = neoc_ssh_quote(""),
	    *c = neoc_ssh_quote("it's;$(x)"), *script, *got;
	size_t len;

	(void)state;
	/* quoted words joined by spaces stay separate arguments */
	script = nc_asprintf("set -- %s %s %s; printf '%%d|%%s|%%s|%%s' "
	    "\"$#\" \"$1\" \"$2\" \"$3\"", a, b, c);
	got = run_sh(script, &len);
	assert_int_equal(len, strlen("3|one two||it's;$(x)"));
	assert_memory_equal(got, "3|one two||it's;$(x)", len);
	free(script);
	free(got);
	free(a);
	free(b);
	free(c);
}

static void
test_quote_random(void **state)
{
	unsigned seed = 20240611;
	char arg[80];
	size_t i, k, len;

	(void)state;
	srand(seed);
	for (i = 0; i < 50; i++) {
		len = (size_t)(rand() % 64);
		for (k = 0; k < len; k++) {
			/* any byte but NUL, often a special one */
			if (rand() % 3 == 0)
				arg[k] = "'\"\\$`;|&\n ()*?!#~<>"[rand() % 19];
			else
				arg[k] = (char)(1 + rand() % 255);
		}
		arg[len] = '\0';
		round_trip(arg);
	}
}

/* ---------------------------------------------------------- known_hosts */

/* Keys made by ssh-keygen -t ed25519 / ecdsa, with what ssh-keygen -l
 * says of them. */
#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAIIS1sCk8OjwTdP2EWWIdSaCyxxLTEOx/BwFI4jmHLevq"
#define K1_FP "SHA256:ICVD9VNOSNpNRX29AnN/p34m+ejBgdOv00ifwyJU5N8"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIMKafFVIdGIa7CelWKSuoMA7rO5iJgsIFj5KmQ0/GomH"
#define K2_FP "SHA256:oO0ey351oz5+3GgjditTQj/9tttX42KqpB9DlFnE6Z4"
#define K3 "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBG1w2dQHaJs3" \
	"hCR4KX5VNPkWYutVKsSi9vnWnFC35QLNzO2F5h9uQAkLVywHCjyxm7KV6bV3ce0I0Zv6" \
	"yflcFvA="
#define K3_FP "SHA256:7JCu/U8EzW9JvCQtP6i1bjJLlAadbIQhpzvGEbZOvEM"
/* ssh-keygen -H of "pnode-a.example.net" and "[10.0.0.3]:2222" */
#define H_PNODE_A "|1|jQ7qsZYRMf8FaEOcqjiJbf/42N8=|bQqVRX3fuhjyG1UZzbfbfo2Okhg="
#define H_PORT "|1|A+nuP2hYX8lfAHc8bq/NrAtcbF0=|D/i+7MVL25nmMxlzyUvlK/tsMOQ="

/* A scratch directory per test. */
struct scratch {
	char dir[64];		/* the directory */
	char kh[128];		/* DIR/known_hosts */
	char why[1024];		/* the last refusal */
};

static int
setup(void **state)
{
	struct scratch *s = nc_calloc(1, sizeof(*s));

	snprintf(s->dir, sizeof(s->dir), "/tmp/nc-test-ssh.XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		free(s);
		return -1;
	}
	snprintf(s->kh, sizeof(s->kh), "%s/known_hosts", s->dir);
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	struct scratch *s = *state;

	scratch_rm(s->dir);
	free(s);
	return 0;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* A whole file (malloc'd), or NULL when missing. */
static char *
slurp(const char *path)
{
	struct nc_buf b = { 0 };
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	nc_buf_add(&b, "", 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		nc_buf_add(&b, chunk, (size_t)n);
	close(fd);
	return b.p;
}

/* neoc_kh_verify of the key b64 (decoded) for name against path; the
 * reason in s->why ("" when accepted). */
/* The key blob of b64 into blob (512 bytes): its length. */
static size_t
decode(const char *b64, unsigned char *blob)
{
	size_t n = strlen(b64), pad = 0;
	int len;

	assert_true(n % 4 == 0 && n / 4 * 3 <= 512);
	len = EVP_DecodeBlock(blob, (const unsigned char *)b64, (int)n);
	assert_true(len > 0);
	while (pad < 2 && b64[n - 1 - pad] == '=')
		pad++;
	return (size_t)len - pad;
}

static int
verify_at(struct scratch *s, const char *path, const char *name,
    const char *b64, int accept_new)
{
	unsigned char blob[512];
	size_t len = decode(b64, blob);
	int rc;

	s->why[0] = '\0';
	rc = neoc_kh_verify(path, name, blob, len, accept_new, s->why,
	    sizeof(s->why));
	if (rc == 0)
		assert_string_equal(s->why, "");
	else
		assert_string_not_equal(s->why, "");
	return rc;
}

static int
verify(struct scratch *s, const char *name, const char *b64, int accept_new)
{
	return verify_at(s, s->kh, name, b64, accept_new);
}

/* verify says the key is unknown for name. */
static void
unknown(struct scratch *s, const char *name, const char *b64)
{
	if (verify(s, name, b64, 0) != -1)
		fail_msg("%s: accepted", name);
	if (strstr(s->why, "unknown host key") == NULL)
		fail_msg("%s: %s", name, s->why);
}

static void
known(struct scratch *s, const char *name, const char *b64)
{
	if (verify(s, name, b64, 0) != 0)
		fail_msg("%s: %s", name, s->why);
}

/* verify says mismatch, naming line */
static void
mismatch(struct scratch *s, const char *name, const char *b64, int line)
{
	char *want = nc_asprintf("host key mismatch (%s line %d)", s->kh,
	    line);

	if (verify(s, name, b64, 0) != -1)
		fail_msg("%s: accepted", name);
	if (strstr(s->why, want) == NULL)
		fail_msg("%s: \"%s\", not \"%s\"", name, s->why, want);
	free(want);
}

static void
test_kh_name(void **state)
{
	char *n;

	(void)state;
	n = neoc_kh_name("10.0.0.3", 22);
	assert_string_equal(n, "10.0.0.3");
	free(n);
	n = neoc_kh_name("pnode-1.example.net", 2222);
	assert_string_equal(n, "[pnode-1.example.net]:2222");
	free(n);
	n = neoc_kh_name("h", 1);
	assert_string_equal(n, "[h]:1");
	free(n);
}

static void
test_kh_plain(void **state)
{
	struct scratch *s = *state;

	write_file(s->kh, "# a comment\n"
	    "\n"
	    "   \n"
	    "PNODE-E.Example.NET ssh-ed25519 " K3 "\n"
	    "other.example.net ssh-ed25519 " K2 "\n"
	    "pnode-a ssh-ed25519 " K1 " root@pnode-a with a comment\n"
	    "pnode-b,10.0.0.2\tssh-ed25519\t" K2 "\r\n"
	    "pnode-c ssh-ed25519\n"
	    "pnode-d\n");
	known(s, "pnode-a", K1);
	/* case does not matter in names */
	known(s, "PNODE-A", K1);
	known(s, "pnode-e.example.net", K3);
	known(s, "Pnode-E.EXAMPLE.net", K3);
	/* every name of a line, tabs and CRLF */
	known(s, "pnode-b", K2);
	known(s, "10.0.0.2", K2);
	/* no substring or prefix matches */
	unknown(s, "pnode", K1);
	unknown(s, "pnode-aa", K1);
	unknown(s, "10.0.0.20", K2);
	/* a line without a key names nothing */
	unknown(s, "pnode-c", K1);
	unknown(s, "pnode-d", K1);
	/* the message names the key and the file */
	unknown(s, "nowhere", K1);
	assert_non_null(strstr(s->why, "ssh-ed25519 " K1_FP));
	assert_non_null(strstr(s->why, s->kh));
	assert_non_null(strstr(s->why, "no key for nowhere"));
}

static void
test_kh_missing_file(void **state)
{
	struct scratch *s = *state;

	/* a missing file is empty */
	unknown(s, "pnode-a", K1);
	assert_null(slurp(s->kh));
}

static void
test_kh_mismatch(void **state)
{
	struct scratch *s = *state;
	char *before, *after;

	write_file(s->kh, "# line 1\n"
	    "pnode-a ecdsa-sha2-nistp256 " K3 "\n"
	    "other ssh-ed25519 " K2 "\n"
	    "pnode-a ssh-ed25519 " K1 "\n"
	    "pnode-b ecdsa-sha2-nistp256 " K3 "\n");
	/* a changed ed25519 key: the ed25519 line is named (not the
	 * earlier ecdsa one), with the new key's fingerprint */
	mismatch(s, "pnode-a", K2, 4);
	assert_non_null(strstr(s->why, "ssh-ed25519 key is " K2_FP));
	assert_non_null(strstr(s->why, "ssh-keygen -R 'pnode-a'"));
	/* either recorded key is accepted */
	known(s, "pnode-a", K1);
	known(s, "pnode-a", K3);
	/* only another type known: the line of that type */
	mismatch(s, "pnode-b", K1, 5);
	/* accept_new never replaces a key: the file stays as it was */
	before = slurp(s->kh);
	assert_int_equal(verify(s, "pnode-a", K2, 1), -1);
	assert_non_null(strstr(s->why, "host key mismatch"));
	after = slurp(s->kh);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void
test_kh_match_after_mismatch(void **state)
{
	struct scratch *s = *state;

	/* a stale line before the good one does not matter */
	write_file(s->kh, "pnode-a ssh-ed25519 " K2 "\n"
	    "pnode-a ssh-ed25519 " K1 "\n");
	known(s, "pnode-a", K1);
	known(s, "pnode-a", K2);
	mismatch(s, "pnode-a", K3, 1);
}

static void
test_kh_wildcards(void **state)
{
	struct scratch *s = *state;

	write_file(s->kh, "*.example.net ssh-ed25519 " K1 "\n"
	    "10.0.0.? ssh-ed25519 " K2 "\n"
	    "pn*-?.lab ssh-ed25519 " K3 "\n");
	known(s, "a.example.net", K1);
	known(s, "deep.a.example.net", K1);
	known(s, "A.Example.NET", K1);
	unknown(s, "example.net", K1);
	unknown(s, "a.example.net.evil", K1);
	unknown(s, "a.example.neta", K1);
	known(s, "10.0.0.5", K2);
	unknown(s, "10.0.0.15", K2);
	unknown(s, "10.0.0.", K2);
	known(s, "pnode-1.lab", K3);
	known(s, "pn-x.lab", K3);
	unknown(s, "pnode-12.lab", K3);
	/* the wildcard does not reach a non-standard port's name */
	unknown(s, "[a.example.net]:2222", K1);
	/* a key for the wrong name is a mismatch of the matching line */
	mismatch(s, "b.example.net", K2, 1);
}

static void
test_kh_star(void **state)
{
	struct scratch *s = *state;

	write_file(s->kh, "* ssh-ed25519 " K1 "\n");
	known(s, "anything", K1);
	known(s, "[anything]:2222", K1);
	mismatch(s, "anything", K2, 1);
}

static void
test_kh_negation(void **state)
{
	struct scratch *s = *state;

	write_file(s->kh, "*.example.net,!bad.example.net ssh-ed25519 " K1
	    "\n"
	    "!worse.example.net,*.example.net ssh-ed25519 " K2 "\n"
	    "!only-negated ssh-ed25519 " K3 "\n");
	known(s, "good.example.net", K1);
	/* negated on line 1: line 1 does not name it, line 2 does */
	mismatch(s, "bad.example.net", K1, 2);
	known(s, "bad.example.net", K2);
	/* negated first, then matched: still excluded by line 2 */
	known(s, "worse.example.net", K1);
	mismatch(s, "worse.example.net", K2, 1);
	/* a negation alone names nobody */
	unknown(s, "only-negated", K3);
	unknown(s, "someone", K3);
}

static void
test_kh_hashed(void **state)
{
	struct scratch *s = *state;
	char *name;

	write_file(s->kh, H_PNODE_A " ssh-ed25519 " K1 "\n"
	    H_PORT " ssh-ed25519 " K1 "\n");
	known(s, "pnode-a.example.net", K1);
	mismatch(s, "pnode-a.example.net", K2, 1);
	unknown(s, "pnode-b.example.net", K1);
	/* the port's form is hashed as a whole */
	name = neoc_kh_name("10.0.0.3", 2222);
	known(s, name, K1);
	mismatch(s, name, K2, 2);
	free(name);
	unknown(s, "10.0.0.3", K1);
	name = neoc_kh_name("10.0.0.3", 2223);
	unknown(s, name, K1);
	free(name);
}

static void
test_kh_hashed_malformed(void **state)
{
	struct scratch *s = *state;

	/* a hash changed by one character, a wrong-length hash, no hash,
	 * bad base64, an empty salt: none names the host, none crashes */
	write_file(s->kh,
	    "|1|jQ7qsZYRMf8FaEOcqjiJbf/42N8=|cQqVRX3fuhjyG1UZzbfbfo2Okhg= "
	    "ssh-ed25519 " K1 "\n"
	    "|1|jQ7qsZYRMf8FaEOcqjiJbf/42N8=|bQqVRX3fuhjyG1UZ "
	    "ssh-ed25519 " K1 "\n"
	    "|1|jQ7qsZYRMf8FaEOcqjiJbf/42N8= ssh-ed25519 " K1 "\n"
	    "|1|jQ7qsZYRMf8FaEOcqjiJbf/42N8=| ssh-ed25519 " K1 "\n"
	    "|1|!!!!|bQqVRX3fuhjyG1UZzbfbfo2Okhg= ssh-ed25519 " K1 "\n"
	    "|1||bQqVRX3fuhjyG1UZzbfbfo2Okhg= ssh-ed25519 " K1 "\n"
	    "|1| ssh-ed25519 " K1 "\n"
	    "|1|" "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUF"
	    "BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
	    "|bQqVRX3fuhjyG1UZzbfbfo2Okhg= ssh-ed25519 " K1 "\n");
	unknown(s, "pnode-a.example.net", K1);
}

static void
test_kh_hashed_negated(void **state)
{
	struct scratch *s = *state;

	write_file(s->kh, "*.example.net,!" H_PNODE_A " ssh-ed25519 " K1
	    "\n");
	known(s, "pnode-b.example.net", K1);
	unknown(s, "pnode-a.example.net", K1);
}

static void
test_kh_port(void **state)
{
	struct scratch *s = *state;
	char *n2222 = neoc_kh_name("pnode-a", 2222);
	char *n22 = neoc_kh_name("pnode-a", 22);

	write_file(s->kh, "[pnode-a]:2222 ssh-ed25519 " K1 "\n"
	    "pnode-b ssh-ed25519 " K2 "\n");
	known(s, n2222, K1);
	/* port 22 is the bare name: not recorded */
	unknown(s, n22, K1);
	/* and a bare name says nothing of another port */
	unknown(s, "[pnode-b]:2222", K2);
	known(s, "pnode-b", K2);
	unknown(s, "[pnode-a]:2223", K1);
	free(n2222);
	free(n22);
}

static void
test_kh_revoked(void **state)
{
	struct scratch *s = *state;

	write_file(s->kh, "pnode-a ssh-ed25519 " K1 "\n"
	    "@revoked pnode-a ssh-ed25519 " K1 "\n"
	    "@revoked pnode-b ssh-ed25519 " K2 "\n"
	    "pnode-b ssh-ed25519 " K1 "\n");
	/* recorded and revoked: revoked wins, whatever the order */
	assert_int_equal(verify(s, "pnode-a", K1, 0), -1);
	assert_non_null(strstr(s->why, "revoked"));
	assert_non_null(strstr(s->why, "line 2"));
	assert_non_null(strstr(s->why, K1_FP));
	/* another key revoked for the host does not matter */
	known(s, "pnode-b", K1);
	/* a revoked key is refused for pnode-b too */
	assert_int_equal(verify(s, "pnode-b", K2, 1), -1);
	assert_non_null(strstr(s->why, "revoked"));
	assert_non_null(strstr(s->why, "line 3"));
}

static void
test_kh_revoked_wildcard(void **state)
{
	struct scratch *s = *state;
	char *before, *after;

	write_file(s->kh, "@revoked * ssh-ed25519 " K1 "\n");
	before = slurp(s->kh);
	/* never learned, even with accept_new */
	assert_int_equal(verify(s, "new-host", K1, 1), -1);
	assert_non_null(strstr(s->why, "revoked"));
	after = slurp(s->kh);
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* other keys are not affected */
	unknown(s, "new-host", K2);
}

static void
test_kh_cert_authority(void **state)
{
	struct scratch *s = *state;

	write_file(s->kh, "@cert-authority pnode-a ssh-ed25519 " K1 "\n"
	    "@cert-authority *.example.net ssh-ed25519 " K1 "\n"
	    "@unknown-marker pnode-a ssh-ed25519 " K1 "\n");
	unknown(s, "pnode-a", K1);
	unknown(s, "x.example.net", K1);
}

static void
test_kh_learn(void **state)
{
	struct scratch *s = *state;
	char *path = nc_asprintf("%s/sub/known_hosts", s->dir), *text;
	char *dir = nc_asprintf("%s/sub", s->dir), *n2222;
	struct stat st;

	/* neither file nor directory: both made */
	assert_int_equal(verify_at(s, path, "pnode-a", K1, 1), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	text = slurp(path);
	assert_non_null(text);
	assert_string_equal(text, "pnode-a ssh-ed25519 " K1 "\n");
	free(text);
	/* now known without accept_new */
	assert_int_equal(verify_at(s, path, "pnode-a", K1, 0), 0);
	/* again with accept_new: not added twice */
	assert_int_equal(verify_at(s, path, "pnode-a", K1, 1), 0);
	/* another port, another key */
	n2222 = neoc_kh_name("pnode-a", 2222);
	assert_int_equal(verify_at(s, path, n2222, K3, 1), 0);
	text = slurp(path);
	assert_string_equal(text, "pnode-a ssh-ed25519 " K1 "\n"
	    "[pnode-a]:2222 ecdsa-sha2-nistp256 " K3 "\n");
	free(text);
	/* a changed key is never learned */
	assert_int_equal(verify_at(s, path, "pnode-a", K2, 1), -1);
	assert_non_null(strstr(s->why, "host key mismatch"));
	assert_non_null(strstr(s->why, "line 1"));
	text = slurp(path);
	assert_string_equal(text, "pnode-a ssh-ed25519 " K1 "\n"
	    "[pnode-a]:2222 ecdsa-sha2-nistp256 " K3 "\n");
	free(text);
	free(n2222);
	free(path);
	free(dir);
}

/*
 * Many processes meet a new host at once, half of them seeing one key and
 * half another: exactly one key is learned (the file is read again under
 * the lock), those who saw it succeed, the others get a mismatch.
 */
static void
test_kh_learn_race(void **state)
{
	struct scratch *s = *state;
	enum { N = 16 };
	unsigned char blob[2][512];
	size_t len[2];
	pid_t pids[N];
	int gate[2], st, i, ok[2] = { 0, 0 }, bad[2] = { 0, 0 }, lines = 0;
	char *text, *p, c;

	len[0] = decode(K1, blob[0]);
	len[1] = decode(K2, blob[1]);

	assert_int_equal(pipe(gate), 0);
	fflush(NULL);
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			close(gate[1]);
			/* wait until the parent opens the gate */
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			/* no cmocka assertion in the child */
			_exit(neoc_kh_verify(s->kh, "pnode-a", blob[i % 2],
			    len[i % 2], 1, s->why, sizeof(s->why)) == 0 ? 0 :
			    strstr(s->why, "host key mismatch") != NULL ? 1 :
			    2);
		}
	}
	close(gate[0]);
	close(gate[1]);
	for (i = 0; i < N; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		assert_true(WEXITSTATUS(st) <= 1);
		if (WEXITSTATUS(st) == 0)
			ok[i % 2]++;
		else
			bad[i % 2]++;
	}
	text = slurp(s->kh);
	assert_non_null(text);
	for (p = text; *p != '\0'; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1);
	if (strcmp(text, "pnode-a ssh-ed25519 " K1 "\n") == 0) {
		assert_int_equal(ok[0], N / 2);
		assert_int_equal(bad[1], N / 2);
	} else {
		assert_string_equal(text, "pnode-a ssh-ed25519 " K2 "\n");
		assert_int_equal(ok[1], N / 2);
		assert_int_equal(bad[0], N / 2);
	}
	free(text);
}

static void
test_kh_learn_no_newline(void **state)
{
	struct scratch *s = *state;
	char *text;

	write_file(s->kh, "# hand-edited\nother ssh-ed25519 " K2);
	assert_int_equal(verify(s, "pnode-a", K1, 1), 0);
	text = slurp(s->kh);
	assert_string_equal(text, "# hand-edited\nother ssh-ed25519 " K2
	    "\npnode-a ssh-ed25519 " K1 "\n");
	free(text);
	known(s, "pnode-a", K1);
	known(s, "other", K2);
}

static void
test_kh_learn_unwritable(void **state)
{
	struct scratch *s = *state;
	char *path = nc_asprintf("%s/file/known_hosts", s->dir);
	char *file = nc_asprintf("%s/file", s->dir);

	/* the "directory" is a file: an error naming the path */
	write_file(file, "x");
	assert_int_equal(verify_at(s, path, "pnode-a", K1, 1), -1);
	assert_non_null(strstr(s->why, path));
	free(path);
	free(file);
}

static void
test_kh_prefs(void **state)
{
	struct scratch *s = *state;
	static const char *const all[] = {
		"ssh-rsa", "rsa-sha2-256", "rsa-sha2-512",
		"ecdsa-sha2-nistp521", "ecdsa-sha2-nistp384",
		"ecdsa-sha2-nistp256", "ssh-ed25519",
	};
	static const char *const few[] = { "ssh-ed25519", "rsa-sha2-512" };
	static const char *const none[] = { "ssh-dss", "x" };
	static const char def[] = "ssh-ed25519,ecdsa-sha2-nistp256,"
	    "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,"
	    "rsa-sha2-256,ssh-rsa";
	char *p, *n2222 = neoc_kh_name("pnode-b", 2222);

	/* no file: OpenSSH's order of what is supported */
	p = neoc_kh_prefs(s->kh, "pnode-a", all, 7);
	assert_string_equal(p, def);
	free(p);
	write_file(s->kh, "pnode-a ssh-rsa AAAAB3NzaC1yc2EAAAA=\n"
	    "[pnode-b]:2222 ecdsa-sha2-nistp256 " K3 "\n"
	    "[pnode-b]:2222 ssh-rsa AAAAB3NzaC1yc2EAAAA=\n"
	    "pnode-c ssh-ed25519 " K1 "\n");
	/* the recorded types first */
	p = neoc_kh_prefs(s->kh, "pnode-a", all, 7);
	assert_string_equal(p, "rsa-sha2-512,rsa-sha2-256,ssh-rsa,"
	    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"
	    "ecdsa-sha2-nistp521");
	free(p);
	p = neoc_kh_prefs(s->kh, n2222, all, 7);
	assert_string_equal(p, "ecdsa-sha2-nistp256,rsa-sha2-512,"
	    "rsa-sha2-256,ssh-rsa,ssh-ed25519,ecdsa-sha2-nistp384,"
	    "ecdsa-sha2-nistp521");
	free(p);
	p = neoc_kh_prefs(s->kh, "pnode-c", all, 7);
	assert_string_equal(p, def);
	free(p);
	/* an unknown host: the default order */
	p = neoc_kh_prefs(s->kh, "pnode-z", all, 7);
	assert_string_equal(p, def);
	free(p);
	/* only what is supported */
	p = neoc_kh_prefs(s->kh, "pnode-a", few, 2);
	assert_string_equal(p, "rsa-sha2-512,ssh-ed25519");
	free(p);
	p = neoc_kh_prefs(s->kh, "pnode-a", none, 2);
	assert_null(p);
	p = neoc_kh_prefs(s->kh, "pnode-a", all, 0);
	assert_null(p);
	free(n2222);
}

/* ------------------------------------------------------------ last line */

static void
test_last_line(void **state)
{
	char line[16];

	(void)state;
	neoc_ssh_last_line("first\nsecond\n", line, sizeof(line));
	assert_string_equal(line, "second");
	neoc_ssh_last_line("first\n  last one \n\n \n", line, sizeof(line));
	assert_string_equal(line, "last one");
	neoc_ssh_last_line("only", line, sizeof(line));
	assert_string_equal(line, "only");
	neoc_ssh_last_line("", line, sizeof(line));
	assert_string_equal(line, "");
	neoc_ssh_last_line(" \n\t\n", line, sizeof(line));
	assert_string_equal(line, "");
	strcpy(line, "junk");
	neoc_ssh_last_line(NULL, line, sizeof(line));
	assert_string_equal(line, "");
	/* truncated to the buffer */
	neoc_ssh_last_line("x\nabcdefghijklmnopqrstuvwxyz\n", line,
	    sizeof(line));
	assert_string_equal(line, "abcdefghijklmno");
	/* a zero-length buffer is left alone */
	strcpy(line, "kept");
	neoc_ssh_last_line("new", line, 0);
	assert_string_equal(line, "kept");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_text),
		cmocka_unit_test(test_quote_shell),
		cmocka_unit_test(test_quote_several),
		cmocka_unit_test(test_quote_random),
		cmocka_unit_test(test_kh_name),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_kh_plain),
		T(test_kh_missing_file),
		T(test_kh_mismatch),
		T(test_kh_match_after_mismatch),
		T(test_kh_wildcards),
		T(test_kh_star),
		T(test_kh_negation),
		T(test_kh_hashed),
		T(test_kh_hashed_malformed),
		T(test_kh_hashed_negated),
		T(test_kh_port),
		T(test_kh_revoked),
		T(test_kh_revoked_wildcard),
		T(test_kh_cert_authority),
		T(test_kh_learn),
		T(test_kh_learn_race),
		T(test_kh_learn_no_newline),
		T(test_kh_learn_unwritable),
		T(test_kh_prefs),
#undef T
		cmocka_unit_test(test_last_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
