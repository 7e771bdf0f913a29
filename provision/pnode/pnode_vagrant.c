/*
 * pnode_vagrant.c: the vagrant backend of the pnode's containers step
 * (issue 6, step 5).
 *
 * Every vagrant guest (one whose image is not the lxc backend's, see
 * ncp_guest_is_lxc) becomes a `config.vm.define "<guest>"` of one
 * Vagrantfile, ROOT/space/vagrant/Vagrantfile: its box (name, URL,
 * version), hostname, experiment NICs, memory and cpus, Windows settings
 * (winrm communicator, guest :windows) and a shell provisioner that writes
 * the boot file /etc/neoc/node and installs ncprov from the synced folder
 * (/vagrant/ncprov: the binary is copied to ROOT/space/vagrant/ncprov).
 *
 * NICs by provider:
 *   virtualbox (or none given): a private network with the tree's MAC and
 *     no configuration by vagrant (ncprov in the guest does addresses),
 *     turned by `modifyvm --nicN generic --nicgenericdrvN VDE` into a port
 *     of the LAN's VDE switch (/run/neoc/vde/<vde>.ctl).  Adapter 1 is
 *     vagrant's NAT, so the experiment NIC i is adapter i + 2.
 *   libvirt: a "public_network" of type bridge on the LAN's Linux bridge
 *     (vagrant-libvirt's way of joining an existing bridge: its private
 *     networks are libvirt networks of their own), with the MAC.
 *   lxc (vagrant-lxc): a private network on the LAN's bridge
 *     (lxc__bridge_name) with the address and MAC.
 *
 * Strings from the tree are written as Ruby double-quoted strings with
 * every \, ", # and control character escaped.  /etc/profile.d/vagrant.sh
 * keeps vagrant's boxes and VirtualBox's disks under /space/vagrant (local
 * disk, never NFS).  Machines of ours (the state file, lines "vagrant
 * NAME") no longer in the tree are destroyed with the old Vagrantfile
 * before it is rewritten, `vagrant destroy -f NAME` at most
 * VAGRANT_PARALLEL at a time; when one would not go, the old Vagrantfile
 * (the only one that defines it) stays and the step fails, for the next
 * run to try again.  With no vagrant guest left (and always under ncprov
 * down, whose pnode is empty), the Vagrantfile, the ncprov copy and the
 * profile are removed; ncprov down on a pnode without a vagrant command
 * forgets the machines with a warning.  Then, unless --no-start or
 * --dry-run, every machine not running is brought up, one `vagrant up
 * NAME` process each (VirtualBox has no --parallel), at most
 * VAGRANT_PARALLEL at a time, and its node's status set to "booting".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "pnode.h"
#include "run.h"
#include "steps.h"
#include "util.h"

#define STEP "containers"
#define VDIR "/space/vagrant"			/* under root */
#define VAGRANTFILE VDIR "/Vagrantfile"
#define VPROFILE "/etc/profile.d/vagrant.sh"
#define VDE_DIR "/run/neoc/vde"			/* VDE control sockets */
#define VAGRANT_PARALLEL 4			/* machines coming up, at most */
#define UP_TIMEOUT_MS (30 * 60 * 1000)		/* one `vagrant up` */
#define CMD_TIMEOUT_MS (10 * 60 * 1000)		/* status, destroy */

extern char **environ;

/* How many vagrant commands run at once: --jobs, at most
 * VAGRANT_PARALLEL (each brings up a whole VM). */
static size_t
vagrant_jobs(const struct ncprov *p)
{
	return p->jobs > 0 && p->jobs < VAGRANT_PARALLEL ? p->jobs :
	    VAGRANT_PARALLEL;
}

/* Append s as a Ruby double-quoted string literal. */
static void
rb_str(struct nc_buf *b, const char *s)
{
	nc_buf_puts(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			nc_buf_puts(b, "\\n");
		else if (c == '\t')
			nc_buf_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			nc_buf_printf(b, "\\x%02x", c);
		else if (c == '\\' || c == '"' || c == '#')
			nc_buf_printf(b, "\\%c", c);
		else
			nc_buf_add(b, s, 1);
	}
	nc_buf_puts(b, "\"");
}

/* Is s a positive decimal number (memory, cpus)? */
static int
is_number(const char *s)
{
	if (s == NULL || *s == '\0' || *s == '0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int
set(const char *s)
{
	return s != NULL && *s != '\0';
}

/* The guest's provider as vagrant names it (virtualbox when none). */
static const char *
provider_of(const struct ncp_guest *g)
{
	return set(g->image_provider) ? g->image_provider : "virtualbox";
}

static int
is_windows(const struct ncp_guest *g)
{
	return g->image_os != NULL && strncmp(g->image_os, "windows", 7) == 0;
}

/* The LAN a NIC is on, or NULL. */
static const struct ncp_lan *
lan_of(const struct ncp_pnode *pn, const struct ncp_nic *nic)
{
	size_t i;

	for (i = 0; i < pn->nlans; i++)
		if (strcmp(pn->lans[i].name, nic->lan) == 0)
			return &pn->lans[i];
	return NULL;
}

/* The shell provisioner's script: the boot file and ncprov. */
static void
provisioner(const struct ncp_pnode *pn, const struct ncp_guest *g,
    struct nc_buf *b)
{
	struct nc_buf s = { 0 };

	if (is_windows(g)) {
		/* PowerShell; single-quoted strings double their quotes
		 * (names and addresses have none). */
		nc_buf_printf(&s, "New-Item -ItemType Directory -Force "
		    "-Path 'C:\\neoc' | Out-Null\n"
		    "Set-Content -Path 'C:\\neoc\\node' -Value "
		    "@('NODE=%s'", g->name);
		if (set(pn->ninep))
			nc_buf_printf(&s, ", 'NINEP=%s'", pn->ninep);
		if (set(pn->aname))
			nc_buf_printf(&s, ", 'ANAME=%s'", pn->aname);
		nc_buf_puts(&s, ")\n");
	} else {
		nc_buf_printf(&s, "set -e\nmkdir -p /etc/neoc\n"
		    "cat > /etc/neoc/node <<'NEOC_NODE'\nNODE=%s\n", g->name);
		if (set(pn->ninep))
			nc_buf_printf(&s, "NINEP=%s\n", pn->ninep);
		if (set(pn->aname))
			nc_buf_printf(&s, "ANAME=%s\n", pn->aname);
		nc_buf_puts(&s, "NEOC_NODE\n"
		    "if [ -f /vagrant/ncprov ]; then\n"
		    "  install -m 0755 /vagrant/ncprov /usr/local/bin/ncprov\n"
		    "fi\n");
	}
	nc_buf_puts(b, "    m.vm.provision \"shell\", ");
	if (is_windows(g))
		nc_buf_puts(b, "privileged: true, ");
	nc_buf_puts(b, "inline: ");
	rb_str(b, nc_buf_str(&s));
	nc_buf_puts(b, "\n");
	nc_buf_free(&s);
}

/* The MAC without colons (VirtualBox's form), into out (>= 13 bytes). */
static void
mac_hex(const char *mac, char out[13])
{
	size_t n = 0;

	for (; *mac != '\0' && n < 12; mac++)
		if (*mac != ':' && *mac != '-')
			out[n++] = *mac;
	out[n] = '\0';
}

/* One `config.vm.define` block; 0, or -1 with why (malloc'd). */
static int
define(const struct ncp_pnode *pn, const struct ncp_guest *g,
    struct nc_buf *b, char **why)
{
	const char *prov = provider_of(g);
	int vbox = strcmp(prov, "virtualbox") == 0;
	int libvirt = strcmp(prov, "libvirt") == 0;
	struct nc_buf custom = { 0 };
	char hex[13];
	size_t i;

	nc_buf_printf(b, "  config.vm.define \"%s\" do |m|\n", g->name);
	nc_buf_puts(b, "    m.vm.box = ");
	rb_str(b, g->image);
	nc_buf_puts(b, "\n");
	if (set(g->image_url)) {
		nc_buf_puts(b, "    m.vm.box_url = ");
		rb_str(b, g->image_url);
		nc_buf_puts(b, "\n");
	}
	if (set(g->image_version)) {
		nc_buf_puts(b, "    m.vm.box_version = ");
		rb_str(b, g->image_version);
		nc_buf_puts(b, "\n");
	}
	nc_buf_printf(b, "    m.vm.hostname = \"%s\"\n", g->name);
	if (is_windows(g))
		nc_buf_puts(b, "    m.vm.communicator = \"winrm\"\n"
		    "    m.vm.guest = :windows\n");
	for (i = 0; i < g->nnics; i++) {
		const struct ncp_nic *nic = &g->nics[i];
		const struct ncp_lan *lan = lan_of(pn, nic);

		if (lan == NULL) {
			*why = nc_asprintf("%s: %s: its LAN %s is not on this "
			    "pnode", g->name, nic->name, nic->lan);
			nc_buf_free(&custom);
			return -1;
		}
		if (vbox) {
			nc_buf_puts(b, "    m.vm.network \"private_network\"");
			if (set(nic->ip)) {
				nc_buf_puts(b, ", ip: ");
				rb_str(b, nic->ip);
				if (set(nic->netmask)) {
					nc_buf_puts(b, ", netmask: ");
					rb_str(b, nic->netmask);
				}
			} else {
				nc_buf_puts(b, ", type: \"dhcp\"");
			}
			nc_buf_puts(b, ", auto_config: false");
			if (set(nic->mac)) {
				mac_hex(nic->mac, hex);
				nc_buf_printf(b, ", mac: \"%s\"", hex);
			}
			nc_buf_puts(b, "\n");
			nc_buf_printf(&custom, "      v.customize "
			    "[\"modifyvm\", :id, \"--nic%zu\", \"generic\", "
			    "\"--nicgenericdrv%zu\", \"VDE\", "
			    "\"--nicproperty%zu\", ", i + 2, i + 2, i + 2);
			char *net = nc_asprintf("network=" VDE_DIR "/%s.ctl",
			    lan->vde);

			rb_str(&custom, net);
			free(net);
			nc_buf_puts(&custom, "]\n");
		} else if (libvirt) {
			nc_buf_puts(b, "    m.vm.network \"public_network\", "
			    "dev: ");
			rb_str(b, lan->bridge);
			nc_buf_puts(b, ", mode: \"bridge\", type: \"bridge\"");
			if (set(nic->mac)) {
				nc_buf_puts(b, ", mac: ");
				rb_str(b, nic->mac);
			}
			nc_buf_puts(b, ", auto_config: false\n");
		} else {
			nc_buf_puts(b, "    m.vm.network \"private_network\"");
			if (set(nic->ip)) {
				nc_buf_puts(b, ", ip: ");
				rb_str(b, nic->ip);
			}
			if (set(nic->netmask)) {
				nc_buf_puts(b, ", netmask: ");
				rb_str(b, nic->netmask);
			}
			if (set(nic->mac)) {
				nc_buf_puts(b, ", mac: ");
				rb_str(b, nic->mac);
			}
			nc_buf_puts(b, ", lxc__bridge_name: ");
			rb_str(b, lan->bridge);
			nc_buf_puts(b, "\n");
		}
	}
	if (vbox || libvirt) {
		if (is_number(g->memory))
			nc_buf_printf(&custom, "      v.memory = %s\n",
			    g->memory);
		if (is_number(g->cpus))
			nc_buf_printf(&custom, "      v.cpus = %s\n", g->cpus);
	} else if (strcmp(prov, "lxc") == 0) {
		if (is_number(g->memory))
			nc_buf_printf(&custom, "      v.customize "
			    "\"cgroup.memory.limit_in_bytes\", \"%sM\"\n",
			    g->memory);
		if (is_number(g->cpus))
			nc_buf_printf(&custom, "      v.customize "
			    "\"cgroup.cpuset.cpus\", \"0-%ld\"\n",
			    strtol(g->cpus, NULL, 10) - 1);
	}
	if (custom.len > 0) {
		nc_buf_puts(b, "    m.vm.provider ");
		rb_str(b, prov);
		nc_buf_printf(b, " do |v|\n%s    end\n", nc_buf_str(&custom));
	}
	provisioner(pn, g, b);
	nc_buf_puts(b, "  end\n");
	nc_buf_free(&custom);
	return 0;
}

/* The Vagrantfile of the vagrant guests; 0 or -1 with why. */
static int
vagrantfile(struct ncprov *p, const struct ncp_pnode *pn, struct nc_buf *b,
    char **why)
{
	size_t i;

	nc_buf_puts(b, "# Vagrantfile: the containers of this pnode that "
	    "run under vagrant.\n"
	    "# Written by ncprov pnode (neo-containers) from the "
	    "experiment's tree,\n"
	    "# rewritten on every run: change the tree, not this file.\n"
	    "Vagrant.configure(\"2\") do |config|\n");
	for (i = 0; i < pn->nguests; i++)
		if (!ncp_guest_is_lxc(p, &pn->guests[i]) &&
		    define(pn, &pn->guests[i], b, why) < 0)
			return -1;
	nc_buf_puts(b, "end\n");
	return 0;
}

/* /etc/profile.d/vagrant.sh for default provider prov. */
static void
profile(const char *prov, struct nc_buf *b)
{
	nc_buf_printf(b, "# /etc/profile.d/vagrant.sh: written by ncprov "
	    "pnode (neo-containers).\n"
	    "# Vagrant's boxes and VirtualBox's disks stay on this "
	    "machine's disk\n"
	    "# under " VDIR ", never on an NFS home directory.\n"
	    "export VAGRANT_HOME=" VDIR "/.vagrant.d\n"
	    "export VAGRANT_DEFAULT_PROVIDER=%s\n"
	    "if command -v VBoxManage > /dev/null 2>&1; then\n"
	    "\tVBoxManage setproperty machinefolder " VDIR "/vms "
	    "> /dev/null 2>&1\n"
	    "fi\n", prov);
}

/* Copy the ncprov binary to the synced folder, when it differs. */
static int
copy_ncprov(struct ncprov *p)
{
	struct ncprov bare = { .root = "" };
	struct nc_buf src = { 0 }, dst = { 0 };
	char *bin = ncp_self_binary("ncprov-static");
	int ex, rc = 0;

	if (bin == NULL && (bin = ncp_self_binary(NULL)) == NULL)
		return 0;
	if ((rc = ncp_read_local(&bare, bin, &src, &ex)) < 0 || !ex)
		goto cleanup;
	if ((rc = ncp_read_local(p, VDIR "/ncprov", &dst, &ex)) < 0)
		goto cleanup;
	if (ex && src.len == dst.len && memcmp(src.p, dst.p, src.len) == 0)
		goto cleanup;
	if (p->dry_run) {
		ncp_report(p, STEP, "would copy %s to " VDIR "/ncprov", bin);
		goto cleanup;
	}
	rc = ncp_replace(p, VDIR "/ncprov", src.p, src.len, 0755, 0, 0);
	if (rc > 0)
		ncp_report(p, STEP, VDIR "/ncprov: %s (%zu bytes)", bin,
		    src.len);
cleanup:
	free(bin);
	nc_buf_free(&src);
	nc_buf_free(&dst);
	return rc < 0 ? rc : 0;
}

/* What the vagrant processes run with. */
struct vrun {
	char *dir;		/* root + VDIR: their directory */
	char **envp;		/* ours plus VAGRANT_CWD, VAGRANT_HOME */
	char *vagrant;		/* the program, or NULL */
};

static void
vrun_init(struct ncprov *p, struct vrun *v)
{
	size_t n = 0, i, k = 0;

	v->dir = ncp_path(p, VDIR);
	v->vagrant = ncp_which("vagrant");
	while (environ[n] != NULL)
		n++;
	v->envp = nc_calloc(n + 3, sizeof(*v->envp));
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "VAGRANT_CWD=", 12) != 0 &&
		    strncmp(environ[i], "VAGRANT_HOME=", 13) != 0)
			v->envp[k++] = nc_strdup(environ[i]);
	v->envp[k++] = nc_asprintf("VAGRANT_CWD=%s", v->dir);
	v->envp[k++] = nc_asprintf("VAGRANT_HOME=%s/.vagrant.d", v->dir);
}

static void
vrun_free(struct vrun *v)
{
	size_t i;

	for (i = 0; v->envp[i] != NULL; i++)
		free(v->envp[i]);
	free(v->envp);
	free(v->dir);
	free(v->vagrant);
}

/* Run vagrant ARGS (or say it would, under --dry-run or --root with
 * --no-start); 0, or -1 with why (malloc'd).  out gets its output. */
static int
vagrant(struct ncprov *p, struct vrun *v, char **args, struct nc_buf *out,
    int report, char **why)
{
	char *argv[8], *line;
	int i, rc, ret = -1;

	argv[0] = "vagrant";
	for (i = 0; args[i] != NULL && i < 6; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	line = ncp_argv_str(argv);
	if (p->dry_run || (p->root[0] != '\0' && p->no_start)) {
		if (report)
			ncp_report(p, STEP, "would run: %s", line);
		ret = 0;
		goto cleanup;
	}
	if (v->vagrant == NULL) {
		*why = nc_asprintf("%s: no vagrant command", line);
		goto cleanup;
	}
	argv[0] = v->vagrant;
	rc = ncp_run(&(struct ncp_cmd){ .argv = argv, .envp = v->envp,
	    .cwd = v->dir, .out_fd = -1, .capture = out,
	    .timeout_ms = CMD_TIMEOUT_MS });
	if (rc != 0) {
		*why = nc_asprintf("%s: %s", line, rc < 0 ? strerror(-rc) :
		    "failed");
		goto cleanup;
	}
	if (report)
		ncp_report(p, STEP, "%s", line);
	ret = 0;
cleanup:
	free(line);
	return ret;
}

/* Destroy our machines no longer in the tree (with the old Vagrantfile),
 * VAGRANT_PARALLEL at a time; those that stay (failed) are added to kept,
 * those still wanted to stay.  Without a vagrant command, ncprov down
 * forgets its machines with a warning (nothing can run them).  0 or -1
 * with the reasons in errs. */
static int
remove_gone(struct ncprov *p, const struct ncp_pnode *pn, struct vrun *v,
    char ***kept, size_t *nkept, size_t *cap, char ***stay, size_t *nstay,
    size_t *capstay, struct nc_buf *errs)
{
	char **old = NULL, *why = NULL;
	struct ncp_job *jobs;
	const char **who;
	size_t n = 0, i, j, nj = 0;
	int ret = 0, rc;

	if (ncp_state_read(p, "vagrant", &old, &n) < 0)
		return 0;
	jobs = nc_calloc(n + 1, sizeof(*jobs));
	who = nc_calloc(n + 1, sizeof(*who));
	for (i = 0; i < n; i++) {
		for (j = 0; j < pn->nguests; j++)
			if (!ncp_guest_is_lxc(p, &pn->guests[j]) &&
			    strcmp(pn->guests[j].name, old[i]) == 0)
				break;
		if (j < pn->nguests) {
			*NC_PUSH(*stay, *nstay, *capstay) = nc_strdup(old[i]);
			continue;
		}
		char *args[] = { "destroy", "-f", old[i], NULL };
		struct nc_buf out = { 0 };

		if (p->dry_run || (p->root[0] != '\0' && p->no_start)) {
			vagrant(p, v, args, &out, 1, &why);	/* would */
		} else if (v->vagrant == NULL && p->down) {
			fprintf(stderr, "ncprov: vagrant: warning: no vagrant "
			    "command: machine %s forgotten, not destroyed\n",
			    old[i]);
		} else if (v->vagrant == NULL) {
			nc_buf_printf(errs, "%s%s: vagrant destroy -f %s: no "
			    "vagrant command", errs->len ? "; " : "", old[i],
			    old[i]);
			*NC_PUSH(*kept, *nkept, *cap) = nc_strdup(old[i]);
			ret = -1;
		} else {
			char **argv = nc_calloc(5, sizeof(*argv));

			argv[0] = v->vagrant;
			argv[1] = "destroy";
			argv[2] = "-f";
			argv[3] = old[i];
			jobs[nj].envp = v->envp;
			jobs[nj].cwd = v->dir;
			who[nj] = old[i];
			jobs[nj++].argv = argv;
		}
		free(why);
		why = NULL;
		nc_buf_free(&out);
	}
	if ((rc = ncp_run_parallel(jobs, nj, vagrant_jobs(p),
	    CMD_TIMEOUT_MS)) < 0) {
		nc_buf_printf(errs, "%svagrant destroy: %s", errs->len ? "; " :
		    "", strerror(-rc));
		ret = -1;
	}
	for (i = 0; i < nj; i++) {
		if (jobs[i].rc == 0 && rc == 0) {
			ncp_report(p, STEP, "vagrant destroy -f %s", who[i]);
		} else {
			struct nc_buf *o = &jobs[i].out;
			char *last;

			while (o->len > 0 && strchr(" \n", o->p[o->len - 1]))
				o->p[--o->len] = '\0';
			last = o->len ? strrchr(o->p, '\n') : NULL;
			nc_buf_printf(errs, "%s%s: vagrant destroy -f %s: %s%s%s",
			    errs->len ? "; " : "", who[i], who[i],
			    jobs[i].rc < 0 ? strerror(-jobs[i].rc) : "failed",
			    o->len ? ": " : "", last ? last + 1 :
			    nc_buf_str(o));
			*NC_PUSH(*kept, *nkept, *cap) = nc_strdup(who[i]);
			ret = -1;
		}
		free(jobs[i].argv);
		nc_buf_free(&jobs[i].out);
	}
	free(jobs);
	free(who);
	ncp_names_free(old, n);
	return ret;
}

/* Remove a file of ours under root (reported; said under --dry-run). */
static void
remove_file(struct ncprov *p, const char *abs, struct nc_buf *errs)
{
	char *path = ncp_path(p, abs);

	if (access(path, F_OK) == 0) {
		if (p->dry_run)
			ncp_report(p, STEP, "would remove %s", abs);
		else if (unlink(path) < 0)
			nc_buf_printf(errs, "%s%s: %s", errs->len ? "; " : "",
			    abs, strerror(errno));
		else
			ncp_report(p, STEP, "removed %s", abs);
	}
	free(path);
}

/* The machines `vagrant status` says are running (one line each in
 * running, "\nNAME\n" form for strstr). */
static void
running_machines(struct ncprov *p, struct vrun *v, struct nc_buf *running)
{
	char *args[] = { "status", "--machine-readable", NULL }, *why = NULL;
	struct nc_buf out = { 0 };
	char *s, *nl;

	nc_buf_puts(running, "\n");
	if (vagrant(p, v, args, &out, 0, &why) == 0) {
		/* TIME,NAME,state,running */
		for (s = out.p; s != NULL && *s != '\0'; s = nl ? nl + 1 :
		    NULL) {
			if ((nl = strchr(s, '\n')) != NULL)
				*nl = '\0';
			char *c1 = strchr(s, ','), *c2;

			if (c1 == NULL || (c2 = strchr(c1 + 1, ',')) == NULL)
				continue;
			if (strcmp(c2 + 1, "state,running") == 0)
				nc_buf_printf(running, "%.*s\n",
				    (int)(c2 - c1 - 1), c1 + 1);
		}
	}
	free(why);
	nc_buf_free(&out);
}

/* Bring up the machines not running, VAGRANT_PARALLEL at a time. */
static int
up_all(struct ncprov *p, const struct ncp_pnode *pn, struct vrun *v,
    struct nc_buf *errs)
{
	struct ncp_job *jobs = nc_calloc(pn->nguests + 1, sizeof(*jobs));
	const char **who = nc_calloc(pn->nguests + 1, sizeof(*who));
	struct nc_buf run = { 0 };
	size_t i, nj = 0;
	char *key, *line;
	int ret = 0, rc;

	running_machines(p, v, &run);
	for (i = 0; i < pn->nguests; i++) {
		const struct ncp_guest *g = &pn->guests[i];

		if (ncp_guest_is_lxc(p, g))
			continue;
		key = nc_asprintf("\n%s\n", g->name);
		if (strstr(nc_buf_str(&run), key) != NULL) {
			free(key);
			continue;
		}
		free(key);
		if (v->vagrant == NULL) {
			nc_buf_printf(errs, "%s%s: no vagrant command",
			    errs->len ? "; " : "", g->name);
			ret = -1;
			continue;
		}
		char **argv = nc_calloc(5, sizeof(*argv));

		argv[0] = v->vagrant;
		argv[1] = "up";
		argv[2] = g->name;
		argv[3] = nc_asprintf("--provider=%s", provider_of(g));
		jobs[nj].envp = v->envp;
		jobs[nj].cwd = v->dir;
		who[nj] = g->name;
		jobs[nj++].argv = argv;
	}
	if ((rc = ncp_run_parallel(jobs, nj, vagrant_jobs(p),
	    UP_TIMEOUT_MS)) < 0) {
		nc_buf_printf(errs, "%svagrant up: %s", errs->len ? "; " : "",
		    strerror(-rc));
		ret = -1;
	}
	for (i = 0; i < nj; i++) {
		line = ncp_argv_str(jobs[i].argv);
		if (jobs[i].rc == 0) {
			ncp_report(p, STEP, "%s", line);
			ncp_guest_status(p, who[i], NCT_BOOTING, NULL);
		} else {
			struct nc_buf *o = &jobs[i].out;
			char *msg, *last;

			while (o->len > 0 && strchr(" \n", o->p[o->len - 1]))
				o->p[--o->len] = '\0';
			/* vagrant's last line says why */
			last = o->len ? strrchr(o->p, '\n') : NULL;
			msg = nc_asprintf("%s: %s%s%s", line, jobs[i].rc < 0 ?
			    strerror(-jobs[i].rc) : "failed", o->len ? ": " :
			    "", last ? last + 1 : nc_buf_str(o));
			nc_buf_printf(errs, "%s%s: %s", errs->len ? "; " : "",
			    who[i], msg);
			ncp_guest_status(p, who[i], NCT_FAILED, msg);
			free(msg);
			ret = -1;
		}
		free(line);
		free(jobs[i].argv[3]);
		free(jobs[i].argv);
		nc_buf_free(&jobs[i].out);
	}
	free(jobs);
	free(who);
	nc_buf_free(&run);
	return ret;
}

int
ncp_pnode_vagrant(struct ncprov *p, struct ncp_pnode *pn)
{
	struct nc_buf vf = { 0 }, prof = { 0 }, errs = { 0 }, old = { 0 };
	struct vrun v;
	char **names = NULL, **stay = NULL, *why = NULL;
	const char *prov = NULL;
	size_t n = 0, cap = 0, nstay = 0, capstay = 0, i, nvag = 0;
	int ex, rc, ret = -1;

	vrun_init(p, &v);
	for (i = 0; i < pn->nguests; i++)
		if (!ncp_guest_is_lxc(p, &pn->guests[i])) {
			if (nvag++ == 0)
				prov = provider_of(&pn->guests[i]);
		}
	ncp_read_local(p, VAGRANTFILE, &old, &ex);
	if (nvag == 0 && !ex) {		/* no vagrant here, ever */
		/* (machines listed without a Vagrantfile cannot be up nor
		 * destroyed by vagrant: forgotten) */
		if (ncp_state_read(p, "vagrant", &names, &n) == 0 && n > 0) {
			fprintf(stderr, "ncprov: vagrant: warning: no "
			    VAGRANTFILE ": %zu machine(s) forgotten\n", n);
			ncp_state_write(p, "vagrant", NULL, 0);
		}
		ret = 0;
		goto cleanup;
	}
	if (vagrantfile(p, pn, &vf, &why) < 0) {
		ncp_fail(p, "vagrant: %s", why);
		goto cleanup;
	}
	/* a failure is in errs: the rest goes on */
	if (ex)
		remove_gone(p, pn, &v, &names, &n, &cap, &stay, &nstay,
		    &capstay, &errs);
	if (n > 0) {
		/* Machines that would not go are defined only by the old
		 * Vagrantfile: it stays, for the next run to try again. */
		for (i = 0; i < nstay; i++)
			*NC_PUSH(names, n, cap) = nc_strdup(stay[i]);
		if ((rc = ncp_state_write(p, "vagrant", names, n)) < 0)
			nc_buf_printf(&errs, "; state: %s", strerror(-rc));
		goto fail;
	}
	if (nvag == 0) {
		/* None left: what we wrote for them goes too. */
		remove_file(p, VAGRANTFILE, &errs);
		remove_file(p, VDIR "/ncprov", &errs);
		remove_file(p, VPROFILE, &errs);
		if ((rc = ncp_state_write(p, "vagrant", NULL, 0)) < 0)
			nc_buf_printf(&errs, "%sstate: %s", errs.len ? "; " :
			    "", strerror(-rc));
		if (errs.len > 0)
			goto fail;
		ret = 0;
		goto cleanup;
	}
	if ((rc = ncp_mkdirs(p, VDIR, 0755)) < 0 ||
	    (rc = ncp_replace(p, VAGRANTFILE, vf.p, vf.len, 0644, 0, 0)) < 0) {
		nc_buf_printf(&errs, "%s" VAGRANTFILE ": %s", errs.len ?
		    "; " : "", strerror(-rc));
		goto fail;
	}
	if (rc > 0)
		ncp_report(p, STEP, VAGRANTFILE ": %zu %s", nvag,
		    nvag == 1 ? "machine" : "machines");
	if ((rc = copy_ncprov(p)) < 0) {
		nc_buf_printf(&errs, "%s" VDIR "/ncprov: %s", errs.len ?
		    "; " : "", strerror(-rc));
		goto fail;
	}
	profile(prov ? prov : "virtualbox", &prof);
	if ((rc = ncp_mkdirs(p, "/etc/profile.d", 0755)) < 0 ||
	    (rc = ncp_replace(p, VPROFILE, prof.p, prof.len, 0644, 0,
	    0)) < 0) {
		nc_buf_printf(&errs, "%s" VPROFILE ": %s", errs.len ? "; " :
		    "", strerror(-rc));
		goto fail;
	}
	if (rc > 0)
		ncp_report(p, STEP, VPROFILE);
	for (i = 0; i < pn->nguests; i++)
		if (!ncp_guest_is_lxc(p, &pn->guests[i]))
			*NC_PUSH(names, n, cap) =
			    nc_strdup(pn->guests[i].name);
	if ((rc = ncp_state_write(p, "vagrant", names, n)) < 0) {
		nc_buf_printf(&errs, "%sstate: %s", errs.len ? "; " : "",
		    strerror(-rc));
		goto fail;
	}
	if (!p->no_start && !p->dry_run) {
		char *vbox = ncp_which("VBoxManage");
		char *mf = nc_asprintf("%s/vms", v.dir);
		char *argv[] = { vbox, "setproperty", "machinefolder", mf,
		    NULL };

		/* VirtualBox's disks under /space/vagrant, off NFS */
		if (vbox != NULL)
			ncp_run(&(struct ncp_cmd){ .argv = argv,
			    .out_fd = -1, .timeout_ms = CMD_TIMEOUT_MS });
		free(vbox);
		free(mf);
		if (up_all(p, pn, &v, &errs) < 0)
			goto fail;
	}
	if (errs.len > 0)
		goto fail;
	ret = 0;
	goto cleanup;
fail:
	ncp_fail(p, "vagrant: %s", nc_buf_str(&errs));
cleanup:
	ncp_names_free(names, n);
	ncp_names_free(stay, nstay);
	free(why);
	vrun_free(&v);
	nc_buf_free(&vf);
	nc_buf_free(&prof);
	nc_buf_free(&errs);
	nc_buf_free(&old);
	return ret;
}
