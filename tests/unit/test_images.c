/*
 * test_images.c: the image cache (names, keys, checksums, the sha256
 * file), Vagrant box metadata and catalogs, and fetches of file:// URLs
 * (cached, checked, resumed, refused).
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ncimage.h"
#include "util.h"
#include "valid.h"
#include "scratch_dir.h"

/* A scratch directory per test. */
struct fx {
	char dir[64];		/* the directory */
	char *cache;		/* dir/cache */
};

static int
setup(void **state)
{
	struct fx *f = nc_calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/nc-test-images.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->cache = nc_asprintf("%s/cache", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	scratch_rm(f->dir);
	free(f->cache);
	free(f);
	return 0;
}

static void
put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
test_names(void **state)
{
	char k[256];

	(void)state;
	assert_int_equal(nci_cache_key("ubuntu/trusty64", k, sizeof(k)), 0);
	assert_int_equal(nci_cache_key("chef/centos-7.0", k, sizeof(k)), 0);
	assert_int_equal(nci_cache_key("plain", k, sizeof(k)), 0);
	assert_int_equal(nci_cache_key("", k, sizeof(k)), -EINVAL);
	assert_int_equal(nci_cache_key("/etc", k, sizeof(k)), -EINVAL);
	assert_int_equal(nci_cache_key("a/../b", k, sizeof(k)), -EINVAL);
	assert_int_equal(nci_cache_key("a//b", k, sizeof(k)), -EINVAL);
	assert_int_equal(nci_cache_key("a/", k, sizeof(k)), -EINVAL);
	assert_int_equal(nci_cache_key(".hidden", k, sizeof(k)), -EINVAL);
	assert_int_equal(nci_cache_key("a/.b", k, sizeof(k)), -EINVAL);
	assert_int_equal(nci_cache_key("a b", k, sizeof(k)), -EINVAL);
	assert_int_equal(nci_cache_key("a;rm", k, sizeof(k)), -EINVAL);
}

static void
key_roundtrip(const char *name, const char *want)
{
	char key[256], back[256];

	assert_int_equal(nci_cache_key(name, key, sizeof(key)), 0);
	assert_string_equal(key, want);
	assert_null(strchr(key, '/'));
	assert_int_equal(nci_cache_unkey(key, back, sizeof(back)), 0);
	assert_string_equal(back, name);
}

static void
test_keys(void **state)
{
	char key[8], back[64];

	(void)state;
	key_roundtrip("ubuntu/trusty64", "ubuntu--trusty64");
	key_roundtrip("chef/centos-7.0", "chef--centos-7.0");
	/* the names that would collide with a naive mapping */
	key_roundtrip("a--b", "a%2d%2db");
	key_roundtrip("a-/b", "a%2d--b");
	key_roundtrip("a/-b", "a--%2db");
	assert_int_equal(nci_cache_key("../x", key, sizeof(key)), -EINVAL);
	assert_int_equal(nci_cache_key("longer/than8", key, sizeof(key)),
	    -ENAMETOOLONG);
	/* only canonical keys name images */
	assert_int_equal(nci_cache_unkey("a---b", back, sizeof(back)),
	    -EINVAL);
	assert_int_equal(nci_cache_unkey(".lock", back, sizeof(back)),
	    -EINVAL);
}

static void
test_root(void **state)
{
	(void)state;
	unsetenv("NCIMAGE_CACHE");
	assert_string_equal(nci_cache_root(NULL), NCI_CACHE_DEFAULT);
	setenv("NCIMAGE_CACHE", "/tmp/env-cache", 1);
	assert_string_equal(nci_cache_root(NULL), "/tmp/env-cache");
	assert_string_equal(nci_cache_root("/opt"), "/opt");
	unsetenv("NCIMAGE_CACHE");
}

static void
test_sha256(void **state)
{
	struct fx *f = *state;
	char *p = nc_asprintf("%s/abc", f->dir), hex[NCI_SHA256_HEX];

	put(p, "abc");
	assert_int_equal(nci_sha256_file(p, hex), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(nci_sha256_file("/nonexistent/x", hex), -ENOENT);
	/* what the cache computes is what it accepts */
	assert_int_equal(nc_valid_sha256(hex, NULL), 0);
	free(p);
}

static void
test_sha_file(void **state)
{
	struct fx *f = *state;
	const char *sum = "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad";
	char hex[NCI_SHA256_HEX];
	struct nci_entry e;

	assert_int_equal(nci_cache_read_sha(f->cache, "a/b", hex), -ENOENT);
	assert_int_equal(nci_cache_mkdir(f->cache, "a/b"), 0);
	assert_int_equal(nci_cache_write_sha(f->cache, "a/b", sum), 0);
	assert_int_equal(nci_cache_read_sha(f->cache, "a/b", hex), 0);
	assert_string_equal(hex, sum);
	assert_int_equal(nci_cache_write_sha(f->cache, "a/b", "zz"), -EINVAL);
	assert_int_equal(nci_cache_stat(f->cache, "a/b", &e), 0);
	assert_int_equal(e.cached, 0);
	assert_int_equal(e.part, -1);
	assert_string_equal(e.sha256, sum);
}

static void
test_meta(void **state)
{
	const char *j = "{\"provider\": \"libvirt\", \"format\": \"qcow2\"}";
	struct nci_meta m;

	(void)state;
	assert_int_equal(nci_meta_parse(j, strlen(j), &m), 0);
	assert_string_equal(m.provider, "libvirt");
	assert_null(m.version);
	nci_meta_free(&m);
	j = "{\"provider\": \"lxc\", \"version\": 3}";
	assert_int_equal(nci_meta_parse(j, strlen(j), &m), 0);
	assert_string_equal(m.provider, "lxc");
	assert_string_equal(m.version, "3");
	nci_meta_free(&m);
	assert_int_equal(nci_meta_parse("[1]", 3, &m), -EINVAL);
	assert_int_equal(nci_meta_parse("{bad", 4, &m), -EINVAL);
}

static void
test_versions(void **state)
{
	(void)state;
	assert_true(nci_version_cmp("1.10", "1.9") > 0);
	assert_true(nci_version_cmp("1.2.0", "1.2.0") == 0);
	assert_true(nci_version_cmp("12.04.4", "14.04") < 0);
	assert_true(nci_version_cmp("1.0", "1.0.1") < 0);
}

static void
test_catalog(void **state)
{
	const char *j = "{\"name\": \"x/y\", \"versions\": ["
	    "{\"version\": \"1.9.0\", \"providers\": [{\"name\": \"libvirt\","
	    " \"url\": \"http://h/old\"}]},"
	    "{\"version\": \"1.10.0\", \"providers\": ["
	    "{\"name\": \"virtualbox\", \"url\": \"http://h/vb\"},"
	    "{\"name\": \"libvirt\", \"url\": \"http://h/lv\","
	    " \"checksum_type\": \"sha256\", \"checksum\": \"abcd\"}]},"
	    "{\"version\": \"2.0\", \"providers\": [{\"name\": \"lxc\","
	    " \"url\": \"http://h/lxc\"}]}]}";
	struct nci_pick p;
	char err[256];

	(void)state;
	assert_true(nci_is_catalog(j, strlen(j)));
	assert_false(nci_is_catalog("\x1f\x8b", 2));
	assert_int_equal(nci_catalog_pick(j, strlen(j), "libvirt", &p, err,
	    sizeof(err)), 0);
	assert_string_equal(p.version, "1.10.0");
	assert_string_equal(p.url, "http://h/lv");
	assert_string_equal(p.sha256, "abcd");
	nci_pick_free(&p);
	assert_int_equal(nci_catalog_pick(j, strlen(j), NULL, &p, err,
	    sizeof(err)), 0);
	assert_string_equal(p.version, "2.0");
	assert_string_equal(p.provider, "lxc");
	assert_null(p.sha256);
	nci_pick_free(&p);
	assert_int_equal(nci_catalog_pick(j, strlen(j), "hyperv", &p, err,
	    sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "hyperv"));
	assert_int_equal(nci_catalog_pick("{}", 2, NULL, &p, err,
	    sizeof(err)), -EINVAL);
}

static void
test_urls(void **state)
{
	(void)state;
	assert_int_equal(nc_valid_url("http://h/x.box", NULL), 0);
	assert_int_equal(nc_valid_url("https://h/x.box", NULL), 0);
	assert_int_equal(nc_valid_url("file:///tmp/x.box", NULL), 0);
	assert_int_equal(nc_valid_url("ftp://h/x", NULL), -EINVAL);
	assert_int_equal(nc_valid_url("http://h/a b", NULL), -EINVAL);
	assert_int_equal(nc_valid_url("/tmp/x", NULL), -EINVAL);
}

/* Build dir/test.box (tar czf of metadata.json + disk); its path. */
static char *
make_box(struct fx *f)
{
	char *src = nc_asprintf("%s/src", f->dir);
	char *meta = nc_asprintf("%s/metadata.json", src);
	char *disk = nc_asprintf("%s/disk.img", src);
	char *box = nc_asprintf("%s/test.box", f->dir);
	char *argv[] = { "tar", "czf", box, "-C", src, "metadata.json",
	    "disk.img", NULL };
	FILE *fp;
	pid_t pid;
	int st, i;

	assert_int_equal(mkdir(src, 0755), 0);
	put(meta, "{\"provider\":\"libvirt\"}\n");
	fp = fopen(disk, "w");
	assert_non_null(fp);
	for (i = 0; i < 50000; i++)
		fprintf(fp, "%d\n", i * 7919);
	fclose(fp);
	if ((pid = fork()) == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(src);
	free(meta);
	free(disk);
	return box;
}

static void
test_box_metadata(void **state)
{
	struct fx *f = *state;
	char *box = make_box(f), *json = NULL, *junk;
	size_t len;

	assert_int_equal(nci_box_metadata(box, &json, &len), 0);
	assert_non_null(strstr(json, "libvirt"));
	free(json);
	junk = nc_asprintf("%s/junk", f->dir);
	put(junk, "not a tar file");
	assert_int_equal(nci_box_metadata(junk, &json, &len), -ENOENT);
	assert_null(json);
	free(junk);
	free(box);
}

static void
test_fetch_file(void **state)
{
	struct fx *f = *state;
	char *box = make_box(f), *url = nc_asprintf("file://%s", box);
	char *part = NULL, *cached = NULL, want[NCI_SHA256_HEX], err[512];
	struct nci_fetch_opts o;
	struct nci_fetch_result r;
	FILE *in, *out;
	long i, half;
	struct stat st;

	memset(&o, 0, sizeof(o));
	o.quiet = 1;
	assert_int_equal(nci_fetch_init(), 0);
	assert_int_equal(nci_sha256_file(box, want), 0);

	/* fetched, then cached */
	assert_int_equal(nci_fetch(f->cache, "t/one", url, &o, &r, err,
	    sizeof(err)), 0);
	assert_int_equal(r.cached, 0);
	assert_string_equal(r.sha256, want);
	assert_string_equal(r.meta.provider, "libvirt");
	nci_meta_free(&r.meta);
	assert_int_equal(nci_fetch(f->cache, "t/one", url, &o, &r, err,
	    sizeof(err)), 0);
	assert_int_equal(r.cached, 1);
	assert_string_equal(r.meta.provider, "libvirt");
	nci_meta_free(&r.meta);

	/* a wrong checksum: an error, nothing left behind */
	o.sha256 = "00000000000000000000000000000000"
	    "00000000000000000000000000000000";
	assert_int_equal(nci_fetch(f->cache, "t/bad", url, &o, &r, err,
	    sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "mismatch"));
	cached = nci_cache_path(f->cache, "t/bad", "box");
	assert_int_not_equal(access(cached, F_OK), 0);
	free(cached);
	part = nci_cache_path(f->cache, "t/bad", "box.part");
	assert_int_not_equal(access(part, F_OK), 0);
	free(part);

	/* resume from half a .part, with the right checksum */
	o.sha256 = want;
	assert_int_equal(nci_cache_mkdir(f->cache, "t/res"), 0);
	part = nci_cache_path(f->cache, "t/res", "box.part");
	assert_int_equal(stat(box, &st), 0);
	half = (long)st.st_size / 2;
	in = fopen(box, "r");
	out = fopen(part, "w");
	for (i = 0; i < half; i++)
		fputc(fgetc(in), out);
	fclose(in);
	fclose(out);
	assert_int_equal(nci_fetch(f->cache, "t/res", url, &o, &r, err,
	    sizeof(err)), 0);
	assert_int_equal(r.resumed, 1);
	assert_int_equal(r.offset, half);
	assert_string_equal(r.sha256, want);
	nci_meta_free(&r.meta);
	free(part);

	/* refused: a missing file, a bad scheme, a bad name */
	o.sha256 = NULL;
	free(url);
	url = nc_asprintf("file://%s/missing.box", f->dir);
	assert_int_equal(nci_fetch(f->cache, "t/miss", url, &o, &r, err,
	    sizeof(err)), -ENOENT);
	assert_true(err[0] != '\0');
	assert_int_equal(nci_fetch(f->cache, "t/ftp", "ftp://h/x", &o, &r,
	    err, sizeof(err)), -EINVAL);
	assert_int_equal(nci_fetch(f->cache, "../x", "http://h/x", &o, &r,
	    err, sizeof(err)), -EINVAL);
	nci_fetch_cleanup();
	free(url);
	free(box);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_root),
		cmocka_unit_test_setup_teardown(test_sha256, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sha_file, setup,
		    teardown),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_urls),
		cmocka_unit_test_setup_teardown(test_box_metadata, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fetch_file, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
