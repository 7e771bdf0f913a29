/*
 * cmd_ssh.c: neoc ssh, a debugging aid: reach a pnode the way neoc up does
 * (ssh.h: key authentication, known_hosts, timeout, retries), optionally
 * install a file, run a command given as an argument vector and exit with
 * its status.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "ssh.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: neoc ssh [-i KEY] [--known-hosts FILE] [--accept-new-hostkeys]\n"
"                [-l USER] [-p PORT] [--timeout S] [--retries N]\n"
"                [--command-timeout S]\n"
"                [--install LOCAL:REMOTE [--mode OCTAL]] HOST [-- CMD...]\n"
"\n"
"Connect to HOST the way neoc up reaches a pnode (libssh2, public key\n"
"authentication, the host key checked against known_hosts), optionally\n"
"install LOCAL at REMOTE (\"installed\" or \"unchanged\": copied only when\n"
"its SHA-256 differs, atomically; mode OCTAL, default LOCAL's), then run\n"
"CMD, each argument quoted for the remote shell, and exit with its status.\n"
"Without CMD or --install, print how the connection went.\n"
"\n"
"  -i, --identity KEY       private key (KEY.pub next to it); default\n"
"                           ~/.ssh/id_ed25519, then ~/.ssh/id_rsa\n"
"  --known-hosts FILE       default ~/.ssh/known_hosts\n"
"  --accept-new-hostkeys    record the key of a host not yet in FILE (a\n"
"                           changed key is always refused)\n"
"  -l, --user USER          login name (default root)\n"
"  -p, --port PORT          default 22\n"
"  --timeout S              seconds for connect, handshake and\n"
"                           authentication, per attempt (default 10)\n"
"  --retries N              attempts after a failed connection (default 0;\n"
"                           waits 0.5 s, then twice as long each time)\n"
"  --command-timeout S      give up on CMD after S seconds (default: none)\n"
"\n"
"Exit status: CMD's (128+N for signal N), else 0; 1 when the connection,\n"
"the install or the transport fails; 2 for a usage error.\n");
}

static void
progress(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "neoc ssh: %s\n", msg);
}

enum { OPT_KNOWN = 256, OPT_ACCEPT, OPT_TIMEOUT, OPT_RETRIES, OPT_INSTALL,
	OPT_MODE, OPT_CMD_TIMEOUT };

static const struct option longopts[] = {
	{ "identity", required_argument, NULL, 'i' },
	{ "known-hosts", required_argument, NULL, OPT_KNOWN },
	{ "accept-new-hostkeys", no_argument, NULL, OPT_ACCEPT },
	{ "user", required_argument, NULL, 'l' },
	{ "port", required_argument, NULL, 'p' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "install", required_argument, NULL, OPT_INSTALL },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "command-timeout", required_argument, NULL, OPT_CMD_TIMEOUT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_ssh(int argc, char **argv)
{
	struct neoc_ssh_opts o = { .progress = progress };
	struct neoc_ssh *s = NULL;
	const char *host;
	char err[1024], *local = NULL, *remote = NULL, *end;
	int ch, port = 22, mode = -1, status = 0, rc = 1, r, cmd_ms = 0;
	struct stat st;

	while ((ch = getopt_long(argc, argv, "i:l:p:h", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'i': o.identity = optarg; break;
		case OPT_KNOWN: o.known_hosts = optarg; break;
		case OPT_ACCEPT: o.accept_new = 1; break;
		case 'l': o.user = optarg; break;
		case 'p':
			port = (int)neoc_long("--port", optarg, 1, 65535);
			break;
		case OPT_TIMEOUT:
			o.timeout_ms = (int)(neoc_seconds("--timeout", optarg) *
			    1000);
			if (o.timeout_ms < 1)
				o.timeout_ms = 1;
			break;
		case OPT_CMD_TIMEOUT:
			cmd_ms = (int)(neoc_seconds("--command-timeout",
			    optarg) * 1000);
			if (cmd_ms < 1)
				cmd_ms = 1;
			break;
		case OPT_RETRIES:
			o.retries = (int)neoc_long("--retries", optarg, 0, 100);
			break;
		case OPT_INSTALL:
			free(local);
			local = nc_strdup(optarg);
			remote = strchr(local, ':');
			if (remote == local || remote == NULL ||
			    remote[1] == '\0') {
				fprintf(stderr, "neoc ssh: --install wants "
				    "LOCAL:REMOTE\n");
				free(local);
				return 2;
			}
			*remote++ = '\0';
			break;
		case OPT_MODE:
			mode = (int)strtol(optarg, &end, 8);
			if (*optarg == '\0' || *end != '\0' || mode < 0 ||
			    mode > 07777) {
				fprintf(stderr, "neoc ssh: --mode: \"%s\" is "
				    "not an octal mode\n", optarg);
				free(local);
				return 2;
			}
			break;
		case 'h': usage(stdout); free(local); return 0;
		default: usage(stderr); free(local); return 2;
		}
	}
	if (optind >= argc || (mode >= 0 && local == NULL)) {
		usage(stderr);
		free(local);
		return 2;
	}
	host = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (local != NULL && mode < 0) {
		if (stat(local, &st) < 0) {
			fprintf(stderr, "neoc ssh: %s: ", local);
			perror(NULL);
			goto out;
		}
		mode = (int)(st.st_mode & 07777);
	}
	if (neoc_ssh_open(host, port, &o, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "neoc ssh: %s\n", err);
		goto out;
	}
	if (local != NULL) {
		r = neoc_ssh_install(s, local, remote, mode, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "neoc ssh: %s\n", err);
			goto out;
		}
		printf("%s\n", r ? "installed" : "unchanged");
		fflush(stdout);
	}
	if (optind < argc) {
		if (neoc_ssh_run(s, argv + optind, 1, 2, cmd_ms, &status, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "neoc ssh: %s\n", err);
			goto out;
		}
	} else if (local == NULL)
		printf("connected to %s port %d as %s\n", host, port,
		    o.user ? o.user : "root");
	rc = status;
out:
	neoc_ssh_close(s);
	free(local);
	return rc;
}
