/*
 * ncfs_main.c: ncfs [-o opts] EXPERIMENT.db MOUNTPOINT, the experiment
 * database mounted (docs/DESIGN.md, "The tree under /nc").  From fstab as
 * "EXP.db /nc fuse.ncfs defaults,allow_other 0 0" (mount.fuse3 runs us).
 */
#include <err.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ncfs_bundle.h"
#include "ncfs_fs.h"
#include "ncfs_inode.h"
#include "ncfs_log.h"


/* Options of our own, given with -o. */
struct options {
	char *db;		/* the database, first non-option argument */
	int ro;			/* -o ro */
	long admin_gid;		/* -o admin_gid=N */
	double timeout;		/* -o timeout=S */
	double poll;		/* -o poll=S */
	int help;		/* -h, --help */
	int version;		/* -V, --version */
};

enum { KEY_RO, KEY_HELP, KEY_VERSION };

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt opts[] = {
	OPT("admin_gid=%ld", admin_gid),
	OPT("timeout=%lf", timeout),
	OPT("poll=%lf", poll),
	FUSE_OPT_KEY("ro", KEY_RO),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_END
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ncfs [-f] [-d] [-o opt[,opt...]] EXPERIMENT.db MOUNTPOINT\n"
"\n"
"Mount the experiment database as a filesystem (see ncfs(8)).\n"
"\n"
"  -f                 stay in the foreground\n"
"  -d                 debug: foreground, every request logged\n"
"  -o ro              refuse every write (EROFS)\n"
"  -o admin_gid=N     members of group N may write as well as root\n"
"  -o allow_other     let other users (and diod) read the mount\n"
"  -o timeout=S       kernel entry and attribute cache timeout (86400)\n"
"  -o poll=S          how often to look for other writers (0.25)\n"
"  and the other FUSE mount options (fuse(8)).\n");
}

static int
opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct options *o = data;

	(void)outargs;
	switch (key) {
	case KEY_RO:
		o->ro = 1;
		return 1;	/* the kernel mounts read-only too */
	case KEY_HELP:
		o->help = 1;
		return 0;
	case KEY_VERSION:
		o->version = 1;
		return 0;
	case FUSE_OPT_KEY_NONOPT:
		if (o->db == NULL) {
			o->db = strdup(arg);
			return 0;
		}
		return 1;	/* the mount point */
	default:
		return 1;
	}
}

int
main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct options o = { .admin_gid = -1, .timeout = 86400.0,
	    .poll = 0.25 };
	struct fuse_cmdline_opts cmd;
	struct fuse_loop_config *loop = NULL;
	struct ncfs_conn *probe;
	struct fuse_session *se = NULL;
	char path[PATH_MAX];
	struct stat st;
	long long gen;
	int rc = 1;

	memset(&cmd, 0, sizeof(cmd));
	if (fuse_opt_parse(&args, &o, opts, opt_proc) != 0)
		return 2;
	if (o.help) {
		usage(stdout);
		return 0;
	}
	if (o.version) {
		printf("ncfs (neo-containers), FUSE %s\n", fuse_pkgversion());
		return 0;
	}
	if (fuse_parse_cmdline(&args, &cmd) != 0 || o.db == NULL ||
	    cmd.mountpoint == NULL) {
		usage(stderr);
		goto out;
	}
	if (realpath(o.db, path) == NULL)
		err(1, "%s", o.db);
	ncfs.db_path = path;
	ncfs.readonly = o.ro;
	ncfs.admin_gid = o.admin_gid;
	ncfs.timeout = o.timeout > 0 ? o.timeout : 86400.0;
	ncfs.poll = o.poll > 0 ? o.poll : 0.25;
	/* Fail before mounting when the database or the mount point is
	 * unusable; a file that is not an experiment is left untouched. */
	if (stat(cmd.mountpoint, &st) == 0 && !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "ncfs: %s: not a directory\n", cmd.mountpoint);
		goto out;
	}
	if ((probe = ncfs_conn_open(path, 1)) == NULL)
		goto out;
	gen = 0;
	if (ncfs_generation(probe, &gen) < 0 || gen <= 0) {
		fprintf(stderr, "ncfs: %s: holds no experiment (neoc import "
		    "makes one)\n", path);
		ncfs_conn_close(probe);
		goto out;
	}
	ncfs_conn_close(probe);
	if (fuse_opt_add_arg(&args, "-odefault_permissions") != 0 ||
	    fuse_opt_add_arg(&args, "-osubtype=ncfs") != 0)
		goto out;
	if (pthread_key_create(&ncfs.conn_key, ncfs_close_conn) != 0)
		goto out;
	ncfs_inode_init();
	ncfs_bundle_init();
	se = fuse_session_new(&args, &ncfs_ops, sizeof(ncfs_ops), NULL);
	if (se == NULL)
		goto out;
	ncfs.se = se;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_destroy;
	if (fuse_session_mount(se, cmd.mountpoint) != 0)
		goto out_signals;
	if (fuse_daemonize(cmd.foreground) != 0)
		goto out_unmount;
	if (!cmd.foreground)
		ncfs_log_syslog();
	if (ncfs_watch_start() != 0)
		goto out_unmount;
	loop = fuse_loop_cfg_create();
	fuse_loop_cfg_set_max_threads(loop, 16);
	fuse_loop_cfg_set_idle_threads(loop, 4);
	/* A signal ends the loop with its number: a clean stop. */
	rc = fuse_session_loop_mt(se, loop) < 0 ? 1 : 0;
	fuse_loop_cfg_destroy(loop);
	ncfs_watch_stop();
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_destroy:
	ncfs.se = NULL;
	fuse_session_destroy(se);
out:
	free(cmd.mountpoint);
	free(o.db);
	fuse_opt_free_args(&args);
	return rc;
}
