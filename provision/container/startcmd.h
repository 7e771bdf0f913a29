/*
 * startcmd.h: what the startcmd step (startcmd.c: which command, which
 * user, once per boot) shares with its supervisor (startcmd_sup.c: the
 * background process that runs the command, waits for it and writes its
 * end into nodes/<node>/startstatus).
 */
#ifndef NCP_STARTCMD_H
#define NCP_STARTCMD_H

#include <stddef.h>
#include <sys/types.h>

#include "ncprov.h"

/* Where the step keeps what ran this boot, and the command's log. */
#define NCP_START_STATE "/var/lib/neoc/startcmd.boot"
#define NCP_START_LOG_DIR "/var/log/neoc"
#define NCP_START_LOG NCP_START_LOG_DIR "/startcmd.log"

/* The user the start command runs as. */
struct ncp_start_who {
	char *name;		/* its name */
	int known;		/* found in ROOT/etc/passwd (or root) */
	uid_t uid;		/* from there */
	gid_t gid;		/* its primary group */
	char *home;		/* its home as the node names it */
	char *shell;		/* its login shell */
	gid_t *groups;		/* primary and supplementary groups */
	size_t ngroups;		/* how many */
	size_t capgroups;	/* allocated */
};

/*
 * Replace the state file NCP_START_STATE with four lines: the boot id,
 * the startstatus line (nctree.h), "SUPERVISOR PGID" (the supervisor's
 * pid and the command's process group, 0 0 when none), the command (the
 * rest of the file).  0 or -errno.
 */
int ncp_start_state_write(struct ncprov *p, const char *boot,
    const char *line, pid_t sup, pid_t pgid, const char *cmd);

/*
 * Start cmd as w in the background: a supervisor (fork, setsid, fork
 * again, so it outlives ncprov and belongs to no terminal) runs
 * /bin/sh -c CMD in a process group of its own with stdout and stderr on
 * logfd, writes the state file (running, its pid and the group), and once
 * the command ends, its result into the state file, the log and
 * nodes/<node>/startstatus through a connection of its own to the tree
 * (--tree or --9p again: the step's connection is not shared).  Returns
 * once the state file names the group: the group's id in *pgid and the
 * supervisor's pid in *sup, 0; or -errno.
 */
int ncp_start_supervise(struct ncprov *p, const struct ncp_start_who *w,
    const char *boot, const char *cmd, int logfd, pid_t *sup, pid_t *pgid);

/* Write line ("exited 3 1733600000") into nodes/<node>/startstatus over
 * the step's own connection; 0 or -errno. */
int ncp_start_status(struct ncprov *p, const char *line);

#endif
