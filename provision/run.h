/*
 * run.h: running programs from the provisioning steps, always with an
 * argument vector (fork, execve), never through a shell string: the only
 * shell command line ncprov runs is the user's own startcmd, and that as
 * argv { "/bin/sh", "-c", cmd }.
 *
 * The child can become a user (setgroups, setgid, setuid: the caller gives
 * the supplementary groups, read from the root's /etc/group, because
 * initgroups(3) needs NSS, which a static ncprov cannot load), gets its own
 * process group (so a timeout kills what it started too), stdin from
 * /dev/null, and its stdout and stderr in a file descriptor or a buffer.
 */
#ifndef NCP_RUN_H
#define NCP_RUN_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* How to run one program. */
struct ncp_cmd {
	char *const *argv;	/* argv[0]: the program's absolute path */
	char *const *envp;	/* its environment (NULL: ncprov's own) */
	const char *cwd;	/* its working directory (NULL: ncprov's) */
	int setid;		/* become uid/gid/groups before the exec */
	uid_t uid;		/* the user to become */
	gid_t gid;		/* its primary group */
	const gid_t *groups;	/* all its groups */
	size_t ngroups;		/* how many */
	int out_fd;		/* stdout and stderr (-1: ncprov's) */
	struct nc_buf *capture;	/* or into this (out_fd unused) */
	int timeout_ms;		/* then kill its group (0: never) */
};

/* The most a capture keeps (the rest of the output is read and dropped). */
#define NCP_CAPTURE_MAX (1024 * 1024)

/*
 * Run c->argv and wait for it.  Returns its exit status (0-255), 128 + N
 * when signal N killed it, or -errno: -ETIMEDOUT when it was killed after
 * c->timeout_ms, the errno of whatever kept it from starting (fork,
 * /dev/null, chdir, setuid, execve: -ENOENT for a missing program).
 * Its stdin is /dev/null.
 */
int ncp_run(const struct ncp_cmd *c);

/* The absolute path of program name: /sbin, /usr/sbin, /bin, /usr/bin,
 * /usr/local/sbin, /usr/local/bin, then $PATH.  malloc'd, or NULL. */
char *ncp_which(const char *name);

/* argv as one line for messages, argv[0] by its basename: "ip link set
 * dev eth1 up".  malloc'd. */
char *ncp_argv_str(char *const *argv);

/*
 * Run argv, whose argv[0] is a bare program name found with ncp_which,
 * its output captured, timeout_ms at most.  0; or -1 with
 * "LINE: reason[: its output, trimmed]" appended to errs ("; " after what
 * errs held), LINE being ncp_argv_str(argv).
 */
int ncp_run_noting(char **argv, int timeout_ms, struct nc_buf *errs);

/* The program name beside the running ncprov (bin/ncprov-static beside
 * bin/ncprov), or NULL; with name NULL, the running binary itself.
 * malloc'd. */
char *ncp_self_binary(const char *name);

/* One program of a batch run in parallel (ncp_run_parallel). */
struct ncp_job {
	char **argv;		/* argv[0] an absolute path, as for ncp_run */
	char **envp;		/* its environment (NULL: ours) */
	const char *cwd;	/* its directory (NULL: ours) */
	const char *gate;	/* when it exits 0, its place is kept until
				 * this file exists (NULL: not kept) */
	int gate_ms;		/* ... or this long has passed */
	int rc;			/* out: exit status, 128 + signal, -errno */
	int gated;		/* out: 1 when gate appeared within gate_ms */
	struct nc_buf out;	/* out: the start of its stdout and stderr */
};

/*
 * Run the n jobs, at most max at a time (0: all), and wait for all; each
 * gets its rc and output.  A job's timeout_ms counts from its own start,
 * not from when the batch began (the time it waited for a place is not
 * its).  0, or -errno when the batch itself failed (a job that could not
 * start has its own -errno in rc).  A job with a gate keeps its place
 * after its program exited 0 until the gate file exists or gate_ms have
 * passed (an `lxc-start -d` returns at once; its guest's provisioning,
 * which ends by leaving the gate, is the work the bound is for).
 * (run_parallel.c)
 */
int ncp_run_parallel(struct ncp_job *jobs, size_t n, size_t max,
    int timeout_ms);

/* The bound of a batch when --jobs is not given: NCP_JOBS_PER_CPU per
 * online CPU (docs/DESIGN.md, "Concurrency bounds"), at most NCP_JOBS_MAX. */
#define NCP_JOBS_PER_CPU 4
#define NCP_JOBS_MAX 1024
size_t ncp_jobs_default(void);

#endif
