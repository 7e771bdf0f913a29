/*
 * test_osimages.c: the images a pnode builds (configfs/model/images.c):
 * debian-12 and busybox always in the catalog, a container's image from
 * its OS through the images' osnames, the default with one warning per OS
 * no image serves, the tb-set-node-rpms warning; the package and OS name
 * rules (lib/valid.c); and the pnode's build of a guest
 * (provision/pnode/pnode_rootfs.c: kind, package list, id).
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
#include "images.h"
#include "model.h"
#include "ncprov.h"
#include "pnode.h"
#include "pnode_rootfs.h"
#include "util.h"
#include "valid.h"

/* An experiment of containers c0.. with the OS names given (NULL: none),
 * resolved; the warnings printed into *warn (malloc'd). */
static int
resolve(struct nc_exp *e, const char *const *os, size_t n, char **warn,
    int *nwarn)
{
	struct nc_diag d;
	size_t len = 0, i;
	FILE *f = open_memstream(warn, &len);
	int rc;

	assert_non_null(f);
	nc_exp_init(e);
	nc_diag_init(&d, "t.ns");
	d.out = f;
	for (i = 0; i < n; i++) {
		char name[16];
		size_t k;

		snprintf(name, sizeof(name), "c%zu", i);
		k = nc_exp_add_node(e, name, NC_ROLE_CONTAINER);
		e->nodes[k].line = (int)(10 + i);
		if (os[i] != NULL) {
			nc_set_str(&e->nodes[k].os, os[i]);
			e->nodes[k].os_line = (int)(20 + i);
		}
	}
	rc = nc_images_resolve(e, &d);
	*nwarn = d.nwarn;
	nc_diag_free(&d);
	fclose(f);
	return rc;
}

static const char *
image_of(const struct nc_exp *e, const char *node)
{
	long i = nc_exp_find_node(e, node);

	assert_true(i >= 0);
	return e->nodes[i].image;
}

static void
test_os_to_image(void **state)
{
	static const char *const os[] = { "Ubuntu-STD", "UBUNTU16-64-STD",
	    "Ubuntu1404-64-STD", "DEB8-STD", "busybox", "FBSD10-STD",
	    "FBSD10-STD", NULL, "CentOS7-STD" };
	struct nc_exp e;
	char *warn = NULL;
	int nwarn;
	long ix;

	(void)state;
	assert_int_equal(resolve(&e, os, 9, &warn, &nwarn), 0);
	assert_string_equal(image_of(&e, "c0"), "debian-12");
	assert_string_equal(image_of(&e, "c1"), "debian-12");
	assert_string_equal(image_of(&e, "c2"), "debian-12");
	assert_string_equal(image_of(&e, "c3"), "debian-12");
	assert_string_equal(image_of(&e, "c4"), "busybox");
	assert_string_equal(image_of(&e, "c5"), "debian-12");
	assert_string_equal(image_of(&e, "c6"), "debian-12");
	assert_string_equal(image_of(&e, "c7"), "debian-12");
	assert_string_equal(image_of(&e, "c8"), "debian-12");
	/* one warning per OS no image serves, at the first os line */
	assert_int_equal(nwarn, 2);
	assert_non_null(strstr(warn, "t.ns:25: warning: OS \"FBSD10-STD\" "
	    "has no image; using debian-12\n"));
	assert_non_null(strstr(warn, "t.ns:28: warning: OS \"CentOS7-STD\" "
	    "has no image; using debian-12\n"));
	assert_null(strstr(warn, "t.ns:26:"));
	/* the two built images, with their lists */
	ix = nc_strmap_get(&e.image_by_name, "debian-12");
	assert_true(ix >= 0);
	assert_string_equal(e.images[ix].type, "rootfs");
	assert_string_equal(e.images[ix].os, "debian");
	assert_string_equal(e.images[ix].version, "bookworm");
	assert_non_null(strstr(e.images[ix].packages, "openssh-server\n"));
	assert_non_null(strstr(e.images[ix].packages, "python-is-python3\n"));
	ix = nc_strmap_get(&e.image_by_name, "busybox");
	assert_true(ix >= 0);
	assert_null(e.images[ix].packages);
	free(warn);
	nc_exp_free(&e);
}

/* An image already in the catalog (stored, imported) keeps its values:
 * edited osnames decide. */
static void
test_catalog_kept(void **state)
{
	struct nc_exp e;
	struct nc_diag d;
	size_t k, ix;

	(void)state;
	nc_exp_init(&e);
	nc_diag_init(&d, "t.ns");
	d.out = NULL;
	ix = nc_exp_image(&e, "busybox");
	nc_set_str(&e.images[ix].type, "rootfs");
	nc_set_str(&e.images[ix].osnames, "FBSD*\nbusybox");
	k = nc_exp_add_node(&e, "x", NC_ROLE_CONTAINER);
	nc_set_str(&e.nodes[k].os, "FBSD10-STD");
	k = nc_exp_add_node(&e, "p", NC_ROLE_PNODE);
	nc_set_str(&e.nodes[k].os, "FBSD10-STD");
	assert_int_equal(nc_images_resolve(&e, &d), 0);
	assert_int_equal(d.nwarn, 0);
	assert_string_equal(image_of(&e, "x"), "busybox");
	assert_null(image_of(&e, "p"));		/* only containers */
	assert_string_equal(e.images[0].osnames, "FBSD*\nbusybox");
	assert_int_equal(e.nimages, 2);		/* debian-12 added */
	nc_diag_free(&d);
	nc_exp_free(&e);
}

static void
test_rpms_warning(void **state)
{
	static const char *const os[] = { "Ubuntu-STD", "Ubuntu-STD" };
	struct nc_exp e;
	struct nc_diag d;
	size_t k;

	(void)state;
	nc_exp_init(&e);
	nc_diag_init(&d, "t.ns");
	d.out = NULL;
	for (k = 0; k < 2; k++) {
		char name[8];
		size_t n;

		snprintf(name, sizeof(name), "r%zu", k);
		n = nc_exp_add_node(&e, name, NC_ROLE_CONTAINER);
		nc_set_str(&e.nodes[n].os, os[k]);
		*NC_PUSH(e.nodes[n].rpms, e.nodes[n].nrpms,
		    e.nodes[n].caprpms) = nc_strdup("/share/x.rpm");
	}
	assert_int_equal(nc_images_resolve(&e, &d), 0);
	assert_int_equal(d.nwarn, 1);		/* one, not one a node */
	nc_diag_free(&d);
	nc_exp_free(&e);
}

static void
test_osnames_match(void **state)
{
	(void)state;
	assert_true(nc_osnames_match("DEB*\nUbuntu*", "Ubuntu-STD"));
	assert_true(nc_osnames_match("DEB*\nUbuntu*", "DEB8-STD"));
	assert_false(nc_osnames_match("DEB*\nUbuntu*", "ubuntu-std"));
	assert_false(nc_osnames_match("DEB*\n\nUbuntu*", "FBSD"));
	assert_true(nc_osnames_match("FBSD1[0-2]-STD", "FBSD11-STD"));
	assert_false(nc_osnames_match(NULL, "x"));
	assert_false(nc_osnames_match("", "x"));
}

static void
test_rules(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(nc_valid_package("openssh-server", &why), 0);
	assert_int_equal(nc_valid_package("libstdc++6", &why), 0);
	assert_int_equal(nc_valid_package("python3.11", &why), 0);
	assert_int_equal(nc_valid_package("x", &why), -22);
	assert_int_equal(nc_valid_package("Vim", &why), -22);
	assert_int_equal(nc_valid_package("-rf", &why), -22);
	assert_int_equal(nc_valid_package("a,b", &why), -22);
	assert_int_equal(nc_valid_package("a b", &why), -22);
	assert_int_equal(nc_valid_osname("Ubuntu1404-64-STD", &why), 0);
	assert_int_equal(nc_valid_osname("UBUNTU*", &why), 0);
	assert_int_equal(nc_valid_osname("FBSD1[0-2]-?", &why), 0);
	assert_int_equal(nc_valid_osname("", &why), -22);
	assert_int_equal(nc_valid_osname("a b", &why), -22);
	assert_int_equal(nc_valid_osname("a/b", &why), -22);
}

/* The pnode's build of a guest. */
static void
test_build_of(void **state)
{
	struct ncprov p = { .root = "/r" };
	struct ncp_guest g = { .name = "n1", .image = "debian-12",
	    .image_os = "debian", .image_type = "rootfs", .image_url = "",
	    .image_version = "bookworm", .image_provider = "lxc",
	    .packages = "sudo\n  curl \n\nsudo\n" };
	struct ncp_build a, b;

	(void)state;
	ncp_build_of(&p, &g, &a);
	assert_int_equal(a.kind, NCP_ROOTFS_DEBIAN);
	assert_null(a.bad);
	assert_int_equal(a.npkgs, 3);		/* sorted, unique, tini */
	assert_string_equal(a.pkgs[0], "curl");
	assert_string_equal(a.pkgs[1], "sudo");
	assert_string_equal(a.pkgs[2], "tini");
	assert_string_equal(a.recipe, "kind debian\nsuite bookworm\n"
	    "package curl\npackage sudo\npackage tini\n");
	assert_int_equal(strspn(a.id, "0123456789abcdef"), 16);
	assert_string_equal(a.top, "/r/var/lib/neoc/images/debian-12");
	/* the same list in another order: the same build */
	g.packages = "curl\ntini\nsudo";
	ncp_build_of(&p, &g, &b);
	assert_string_equal(a.id, b.id);
	ncp_build_free(&b);
	/* one more package: another build */
	g.packages = "curl\nsudo\nless";
	ncp_build_of(&p, &g, &b);
	assert_string_not_equal(a.id, b.id);
	ncp_build_free(&b);
	/* a bad package name is the reason, not a build */
	g.packages = "curl\n--force-yes";
	ncp_build_of(&p, &g, &b);
	assert_non_null(b.bad);
	assert_non_null(strstr(b.bad, "--force-yes"));
	ncp_build_free(&b);
	/* a box, or no image: busybox */
	g.image_type = "vagrant";
	ncp_build_of(&p, &g, &b);
	assert_int_equal(b.kind, NCP_ROOTFS_BUSYBOX);
	assert_string_equal(b.name, "busybox");
	ncp_build_free(&b);
	ncp_build_free(&a);
}

/* mkdir -p and write a file under dir. */
static void
put_file(const char *dir, const char *rel, const char *data)
{
	char *path = nc_asprintf("%s/%s", dir, rel), *cmd;
	FILE *f;

	cmd = nc_asprintf("mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
	free(cmd);
	free(path);
}

static int
there(const char *dir, const char *rel)
{
	char *path = nc_asprintf("%s/%s", dir, rel);
	int yes = access(path, F_OK) == 0;

	free(path);
	return yes;
}

/* Builds that are not current and that no container records go; the
 * current one and a recorded one stay, nested names too. */
static void
test_prune(void **state)
{
	char dir[] = "/tmp/nc-prune.XXXXXX", *img, *lxc, *cmd;
	struct ncprov p = { .root = "" };

	(void)state;
	assert_non_null(mkdtemp(dir));
	img = nc_asprintf("%s/images", dir);
	lxc = nc_asprintf("%s/lxc", dir);
	p.images = img;
	put_file(img, "debian-12/current", "aaaaaaaaaaaaaaaa\n");
	put_file(img, "debian-12/aaaaaaaaaaaaaaaa/manifest", "x");
	put_file(img, "debian-12/bbbbbbbbbbbbbbbb/manifest", "x");
	put_file(img, "debian-12/cccccccccccccccc/manifest", "x");
	put_file(img, "debian-12/dddddddddddddddd.part/x", "x");
	put_file(img, "own/deb/current", "1111111111111111\n");
	put_file(img, "own/deb/1111111111111111/manifest", "x");
	put_file(img, "own/deb/2222222222222222/manifest", "x");
	put_file(lxc, "nc-a/neoc-build", "debian-12 bbbbbbbbbbbbbbbb\n");
	put_file(lxc, "nc-b/neoc-build", "debian-12 aaaaaaaaaaaaaaaa\n");
	assert_int_equal(ncp_builds_prune(&p, lxc), 2);
	assert_true(there(img, "debian-12/aaaaaaaaaaaaaaaa"));	/* current */
	assert_true(there(img, "debian-12/bbbbbbbbbbbbbbbb"));	/* nc-a's */
	assert_false(there(img, "debian-12/cccccccccccccccc"));
	assert_true(there(img, "debian-12/dddddddddddddddd.part"));
	assert_true(there(img, "own/deb/1111111111111111"));
	assert_false(there(img, "own/deb/2222222222222222"));
	/* nc-a made again from the current build: its old one goes */
	put_file(lxc, "nc-a/neoc-build", "debian-12 aaaaaaaaaaaaaaaa\n");
	assert_int_equal(ncp_builds_prune(&p, lxc), 1);
	assert_false(there(img, "debian-12/bbbbbbbbbbbbbbbb"));
	/* --dry-run removes nothing */
	put_file(img, "debian-12/eeeeeeeeeeeeeeee/manifest", "x");
	p.dry_run = 1;
	assert_int_equal(ncp_builds_prune(&p, lxc), 0);
	assert_true(there(img, "debian-12/eeeeeeeeeeeeeeee"));
	cmd = nc_asprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(img);
	free(lxc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_os_to_image),
		cmocka_unit_test(test_catalog_kept),
		cmocka_unit_test(test_rpms_warning),
		cmocka_unit_test(test_osnames_match),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_build_of),
		cmocka_unit_test(test_prune),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
