/*
 * children.h: running helper programs (ncfs, diod, fusermount3, lxc-*) with
 * argument vectors, never through a shell.
 */
#ifndef NEOC_CHILDREN_H
#define NEOC_CHILDREN_H

#include <sys/types.h>

/* Start argv[0] (searched in PATH) with argv; stdout/stderr inherited
 * unless logfd >= 0 (both go there).  Returns the pid or -1 (printed). */
pid_t neoc_spawn(char *const argv[], int logfd);
/* Run argv to completion; its exit status, or -1 if it could not run. */
int neoc_run(char *const argv[], int quiet);
/* Run argv to completion with stdout and stderr to logfd; as neoc_run. */
int neoc_run_fd(char *const argv[], int logfd);
/* The path of a sibling program of this neoc (same directory) if it
 * exists, else name (for a PATH search).  Returns a malloc'd string. */
char *neoc_sibling(const char *name);
/* This program's own path (/proc/self/exe), malloc'd; "neoc" if unknown. */
char *neoc_self(void);
/* The pid a pidfile names when that process is alive, else 0. */
pid_t neoc_pidfile_pid(const char *pidfile);
/* path made absolute against the working directory (malloc'd). */
char *neoc_absolute(const char *path);
/* 1 when path is the mount point of a mounted filesystem. */
int neoc_is_mounted(const char *path);

#endif
