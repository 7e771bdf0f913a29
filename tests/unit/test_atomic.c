/*
 * test_atomic.c: nc_atomic_write (lib/atomic.h), the one way a file is
 * replaced: contents, mode and owner, no temporary left behind on success
 * or on failure, the old file intact when the write fails, and a name of
 * its own for each temporary (a fixed PATH.tmp in the way changes nothing).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "atomic.h"
#include "util.h"
#include "scratch_dir.h"

/* The scratch directory of a test. */
struct scratch {
	char dir[64];		/* mkdtemp'd */
};

static int
setup(void **state)
{
	struct scratch *s = nc_calloc(1, sizeof(*s));

	snprintf(s->dir, sizeof(s->dir), "/tmp/nc-atomic.XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		free(s);
		return -1;
	}
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

/* The whole contents of path (malloc'd), or NULL. */
static char *
slurp(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return nc_strdup(buf);
}

/* How many entries of dir hold NC_ATOMIC_TMP in their name. */
static int
temps(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strstr(de->d_name, NC_ATOMIC_TMP) != NULL;
	closedir(d);
	return n;
}

static void
test_contents_and_mode(void **state)
{
	struct scratch *s = *state;
	char *path = nc_asprintf("%s/f", s->dir), *got, why[256] = "";
	struct stat st;
	mode_t old = umask(077);

	/* a new file: the mode asked for, whatever the umask */
	assert_int_equal(nc_atomic_write(path, "one\n", 4,
	    &(struct nc_atomic_opts){ .mode = 0640 }, why, sizeof(why)), 0);
	umask(old);
	assert_string_equal(why, "");
	got = slurp(path);
	assert_non_null(got);
	assert_string_equal(got, "one\n");
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, geteuid());
	/* replaced: new contents, the new mode, shorter than before */
	assert_int_equal(nc_atomic_write(path, "2", 1, NULL, NULL, 0), 0);
	got = slurp(path);
	assert_string_equal(got, "2");
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* empty, and without fsync: still whole */
	assert_int_equal(nc_atomic_write(path, "", 0,
	    &(struct nc_atomic_opts){ .mode = 0600, .nosync = 1 }, NULL, 0),
	    0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(temps(s->dir), 0);
	free(path);
}

static void
test_owner(void **state)
{
	struct scratch *s = *state;
	char *path = nc_asprintf("%s/owned", s->dir);
	struct stat st;
	int root = geteuid() == 0;
	uid_t uid = root ? 4321 : geteuid();
	gid_t gid = root ? 8765 : getegid();

	assert_int_equal(nc_atomic_write(path, "x", 1,
	    &(struct nc_atomic_opts){ .mode = 0600, .chown = 1, .uid = uid,
	    .gid = gid }, NULL, 0), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, uid);
	assert_int_equal(st.st_gid, gid);
	free(path);
}

/* A fixed temporary name in the way (PATH.tmp a directory, as a crashed or
 * concurrent writer of the old helpers could leave) changes nothing. */
static void
test_unique_temporary(void **state)
{
	struct scratch *s = *state;
	char *path = nc_asprintf("%s/state", s->dir);
	char *tmp = nc_asprintf("%s.tmp", path), *got;

	assert_int_equal(mkdir(tmp, 0755), 0);
	assert_int_equal(nc_atomic_write(path, "ok", 2, NULL, NULL, 0), 0);
	got = slurp(path);
	assert_string_equal(got, "ok");
	free(got);
	assert_int_equal(temps(s->dir), 0);
	free(tmp);
	free(path);
}

/* The rename fails (a directory is where the file goes): the error,
 * the message, the directory as it was, no temporary. */
static void
test_rename_fails(void **state)
{
	struct scratch *s = *state;
	char *path = nc_asprintf("%s/busy", s->dir), *inner, why[256] = "";
	int rc;

	assert_int_equal(mkdir(path, 0755), 0);
	inner = nc_asprintf("%s/keep", path);
	assert_int_equal(nc_atomic_write(inner, "k", 1, NULL, NULL, 0), 0);
	rc = nc_atomic_write(path, "new", 3, NULL, why, sizeof(why));
	assert_true(rc == -EISDIR || rc == -ENOTEMPTY || rc == -EEXIST);
	assert_non_null(strstr(why, path));
	assert_non_null(strstr(why, "rename"));
	assert_int_equal(access(inner, F_OK), 0);
	assert_int_equal(temps(s->dir), 0);
	free(inner);
	free(path);
}

/* No directory to put the temporary in. */
static void
test_no_directory(void **state)
{
	struct scratch *s = *state;
	char *path = nc_asprintf("%s/no/such/f", s->dir), why[256] = "";

	assert_int_equal(nc_atomic_write(path, "x", 1, NULL, why,
	    sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, path));
	assert_int_equal(temps(s->dir), 0);
	free(path);
}

/* The write itself fails part way (a file size limit: what a full disk
 * does, and root is not exempt from it): the old file is intact. */
static void
test_write_fails_old_intact(void **state)
{
	struct scratch *s = *state;
	char *path = nc_asprintf("%s/big", s->dir), *got, why[256] = "";
	char *data = nc_malloc(65536);
	struct rlimit old, lim;
	void (*was)(int);
	int rc;

	assert_int_equal(nc_atomic_write(path, "old contents\n", 13, NULL,
	    NULL, 0), 0);
	memset(data, 'x', 65536);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 4096;
	was = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	rc = nc_atomic_write(path, data, 65536, NULL, why, sizeof(why));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	assert_int_equal(rc, -EFBIG);
	assert_non_null(strstr(why, "write"));
	got = slurp(path);
	assert_string_equal(got, "old contents\n");
	free(got);
	assert_int_equal(temps(s->dir), 0);
	free(data);
	free(path);
}

static void
test_fsync_dir(void **state)
{
	struct scratch *s = *state;
	char *path = nc_asprintf("%s/f", s->dir);

	assert_int_equal(nc_fsync_dir(path), 0);
	assert_int_equal(nc_fsync_dir("/"), 0);
	free(path);
	path = nc_asprintf("%s/no/such/f", s->dir);
	assert_int_equal(nc_fsync_dir(path), -ENOENT);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_contents_and_mode, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_temporary, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rename_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_directory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_fails_old_intact,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsync_dir, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
