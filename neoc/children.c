/*
 * children.c: child processes and mount points.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "util.h"

pid_t
neoc_spawn(char *const argv[], int logfd)
{
	pid_t pid = fork();
	int null;

	if (pid < 0) {
		fprintf(stderr, "neoc: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if ((null = open("/dev/null", O_RDONLY)) >= 0) {
			dup2(null, 0);
			close(null);
		}
		if (logfd >= 0) {
			dup2(logfd, 1);
			dup2(logfd, 2);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "neoc: cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	return pid;
}

int
neoc_run_fd(char *const argv[], int logfd)
{
	pid_t pid = neoc_spawn(argv, logfd);
	int status;

	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
neoc_run(char *const argv[], int quiet)
{
	int null = -1, rc;

	if (quiet)
		null = open("/dev/null", O_WRONLY);
	rc = neoc_run_fd(argv, null);
	if (null >= 0)
		close(null);
	return rc;
}

char *
neoc_self(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return nc_strdup("neoc");
	self[n] = '\0';
	return nc_strdup(self);
}

char *
neoc_sibling(const char *name)
{
	char *self = neoc_self(), *path;

	if (strchr(self, '/') != NULL) {
		path = nc_asprintf("%s/%s", dirname(self), name);
		if (access(path, X_OK) == 0) {
			free(self);
			return path;
		}
		free(path);
	}
	free(self);
	return nc_strdup(name);
}

pid_t
neoc_pidfile_pid(const char *pidfile)
{
	long pid = 0;
	FILE *f;

	if ((f = fopen(pidfile, "r")) == NULL)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 1 && kill((pid_t)pid, 0) == 0 ? (pid_t)pid : 0;
}

char *
neoc_absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return nc_strdup(path);
	return nc_asprintf("%s/%s", cwd, path);
}

int
neoc_is_mounted(const char *path)
{
	char real[PATH_MAX], line[4096], *mnt, *end;
	int found = 0;
	FILE *f;

	if (realpath(path, real) == NULL)
		snprintf(real, sizeof(real), "%s", path);
	if ((f = fopen("/proc/self/mounts", "r")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if ((mnt = strchr(line, ' ')) == NULL)
			continue;
		mnt++;
		if ((end = strchr(mnt, ' ')) == NULL)
			continue;
		*end = '\0';
		found = strcmp(mnt, real) == 0 || strcmp(mnt, path) == 0;
	}
	fclose(f);
	return found;
}
