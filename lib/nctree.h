/*
 * nctree.h: the contract of the tree under /nc, in one place.
 *
 * ncfs serves an experiment database as this tree; ncprov reads it (over
 * 9P, or a plain copy with --tree) and writes its node's status; neoc and
 * the documentation describe it.  Every directory and every file of the
 * tree is one row of NCT_TREE below: ncfs builds its directory types, its
 * listings and its lookups from the rows, and ncprov and neoc build every
 * path through nct_path().  Adding a file to the tree is one row here,
 * plus its renderer (getter/setter in configfs/ncfs/ncfs_fields.c) and its
 * validator (configfs/ncfs/ncfs_validate.c).
 *
 * The tree (mode, who writes; "<x>" is a name taken from the database):
 *
 *   /nc/
 *     experiment/              name project group control_addr (0644),
 *                              control_host generation confgen (0444)
 *     nodes/<node>/
 *       image/                 os type name url version provider packages
 *                              (0444)
 *       ifaces/<iface>/        lan netmask (0444), ip mac bandwidth delay
 *                              loss (0644)
 *       attributes/<key>       0644, created and unlinked by the control
 *                              node
 *       keys/<user>            0600, authorized_keys lines of the user
 *       accounts/<user>/       the users this node gets (those of its
 *                              passwd): uid gid home shell groups sudo
 *                              (0444), keys (0600); edits go to users/
 *       role os hardware startcmd failure_action host routes (0644)
 *       containers hosts passwd group sudoers mounts physical tarfiles
 *       forwarding confgen guests (0444)
 *       shadow sshkeys         (0600)
 *       status startstatus     (0644) written by the node itself
 *       control                (0644) a container's control address,
 *                              written by its pnode
 *       bundle                 (0600) the whole subtree above in one file,
 *                              rendered from one read transaction at open
 *                              (docs/DESIGN.md, "Node bundle")
 *     lans/<lan>/              kind members netmask (0444), bandwidth
 *                              delay loss (0644)
 *     users/<user>/            uid gid name home shell groups keys root
 *                              (0644), password (0600); mkdir/rmdir
 *     groups/<group>/          gid members (0644); mkdir/rmdir
 *     images/<name>/           os type (0444), provider version url sha256
 *                              packages osnames (0644); a name may hold
 *                              '/': each prefix
 *                              ("ubuntu/" of "ubuntu/trusty64") is a
 *                              directory of type NCT_D_IMAGES
 *
 * Modes: directories are 0755.  A file is 0644 when it can be written,
 * 0444 when ncfs renders or derives it (read-only), 0600 when it is secret
 * (password hashes, keys): only root reads it.  ncfs adds group write for
 * its admin group and drops every write bit when mounted read-only.
 *
 * Who writes (enum nct_who): the control node's administrators write the
 * experiment (NCT_W_CONTROL); a node writes only its own status
 * (NCT_W_NODE; the administrators may too); the rest is rendered by ncfs
 * from the database and read-only (NCT_W_RENDERED).  A directory's writer
 * is who adds and removes its keyed children (users/, groups/ and
 * attributes/ are NCT_W_CONTROL).
 *
 * Values: one per file, as in sysfs: reading prints it and a newline (an
 * unset value is just the newline, a list one item per line); writing a
 * value, with or without the newline, replaces it after validation.
 *
 * Status (nodes/<node>/status): one line "STATE TIME [STEP] [MESSAGE]",
 * STATE one of the words of enum nct_state, TIME seconds since the epoch,
 * STEP a word of [a-z0-9_.-] (at most NCT_STEP_MAX bytes) naming the step
 * the state is about, MESSAGE the rest of the line (at most
 * NCT_MESSAGE_MAX bytes).  A node never heard of reads "pending 0".  Once
 * a node is ready its start command runs in the background; its state is
 * nodes/<node>/startstatus (below), written by the node too.
 *
 * libc only: the static ncprov links this (Makefile, PROV_LIB).
 */
#ifndef NC_TREE_H
#define NC_TREE_H

#include <stddef.h>

/* The directory types of the tree: what a directory holds. */
enum nct_dir {
	NCT_D_ROOT,		/* /nc */
	NCT_D_EXPERIMENT,	/* experiment/ */
	NCT_D_NODES,		/* nodes/ */
	NCT_D_NODE,		/* nodes/<node>/ */
	NCT_D_NODE_IMAGE,	/* nodes/<node>/image/ */
	NCT_D_IFACES,		/* nodes/<node>/ifaces/ */
	NCT_D_IFACE,		/* nodes/<node>/ifaces/<iface>/ */
	NCT_D_ATTRS,		/* nodes/<node>/attributes/ */
	NCT_D_KEYS,		/* nodes/<node>/keys/ */
	NCT_D_ACCOUNTS,		/* nodes/<node>/accounts/ */
	NCT_D_ACCOUNT,		/* nodes/<node>/accounts/<user>/ */
	NCT_D_LANS,		/* lans/ */
	NCT_D_LAN,		/* lans/<lan>/ */
	NCT_D_USERS,		/* users/ */
	NCT_D_USER,		/* users/<user>/ */
	NCT_D_GROUPS,		/* groups/ */
	NCT_D_GROUP,		/* groups/<group>/ */
	NCT_D_IMAGES,		/* images/, or images/<prefix>/ */
	NCT_D_IMAGE,		/* images/<name>/ */
	NCT_D_MAX
};

/* The "child" column of a file's row: files hold nothing. */
#define NCT_FILE NCT_D_MAX

/* Who writes an entry. */
enum nct_who {
	NCT_W_CONTROL,		/* the control node's administrators */
	NCT_W_NODE,		/* the node itself (and the administrators) */
	NCT_W_RENDERED,		/* nobody: ncfs renders it, read-only */
};

/*
 * The tree, one row per entry, the rows of a directory type together and
 * in listing order (subdirectories first).  Columns:
 *   ID      the entry's name in enum nct_id (NCT_<ID>)
 *   PARENT  the directory type holding it (NCT_D_<PARENT>)
 *   NAME    its file name, or "<what>" for names taken from the database
 *           (one such row per collection directory)
 *   CHILD   NCT_D_... for a directory: its type; NCT_FILE for a file
 *   MODE    its permission bits (0755 directories; 0644, 0444, 0600)
 *   WHO     who writes it (NCT_W_...)
 *   SECRET  1 when only root may read it
 *   MEANING one line
 */
#define NCT_TREE(X)							\
X(EXPERIMENT, ROOT, "experiment", NCT_D_EXPERIMENT, 0755, NCT_W_CONTROL, 0, \
  "the experiment as a whole")						\
X(NODES, ROOT, "nodes", NCT_D_NODES, 0755, NCT_W_RENDERED, 0,		\
  "one directory per node")						\
X(LANS, ROOT, "lans", NCT_D_LANS, 0755, NCT_W_RENDERED, 0,		\
  "one directory per LAN or link")					\
X(USERS, ROOT, "users", NCT_D_USERS, 0755, NCT_W_CONTROL, 0,		\
  "one directory per user (mkdir and rmdir add and remove users)")	\
X(GROUPS, ROOT, "groups", NCT_D_GROUPS, 0755, NCT_W_CONTROL, 0,	\
  "one directory per group (mkdir and rmdir add and remove groups)")	\
X(IMAGES, ROOT, "images", NCT_D_IMAGES, 0755, NCT_W_RENDERED, 0,	\
  "the image catalog, one directory per image")				\
X(EXP_NAME, EXPERIMENT, "name", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "the experiment's name")						\
X(EXP_PROJECT, EXPERIMENT, "project", NCT_FILE, 0644, NCT_W_CONTROL, 0, \
  "the project it belongs to")						\
X(EXP_GROUP, EXPERIMENT, "group", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "the project's group")						\
X(EXP_CONTROL_HOST, EXPERIMENT, "control_host", NCT_FILE, 0444,	\
  NCT_W_RENDERED, 0, "the control node's name")				\
X(EXP_CONTROL_ADDR, EXPERIMENT, "control_addr", NCT_FILE, 0644,	\
  NCT_W_CONTROL, 0, "the control node's address on the control network") \
X(EXP_GENERATION, EXPERIMENT, "generation", NCT_FILE, 0444,		\
  NCT_W_RENDERED, 0, "a number that grows with every change")		\
X(EXP_CONFGEN, EXPERIMENT, "confgen", NCT_FILE, 0444, NCT_W_RENDERED, 0, \
  "grows with every change of a node's configuration (not status)")	\
X(NODE, NODES, "<node>", NCT_D_NODE, 0755, NCT_W_RENDERED, 0,		\
  "a node of the experiment")						\
X(NODE_IMAGE, NODE, "image", NCT_D_NODE_IMAGE, 0755, NCT_W_RENDERED, 0, \
  "the image the node runs (a container's)")				\
X(NODE_IFACES, NODE, "ifaces", NCT_D_IFACES, 0755, NCT_W_RENDERED, 0,	\
  "the node's experiment interfaces")					\
X(NODE_ATTRS, NODE, "attributes", NCT_D_ATTRS, 0755, NCT_W_CONTROL, 0,	\
  "tb-add-node-attribute values (create and unlink add and remove)")	\
X(NODE_KEYS, NODE, "keys", NCT_D_KEYS, 0755, NCT_W_RENDERED, 0,	\
  "authorized_keys of each user, one file per user")			\
X(NODE_ACCOUNTS, NODE, "accounts", NCT_D_ACCOUNTS, 0755, NCT_W_RENDERED, \
  0, "the users who can log in here, one directory per user")		\
X(NODE_ROLE, NODE, "role", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "config, pnode, container or physical")				\
X(NODE_OS, NODE, "os", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "the OS name the NS file asked for")					\
X(NODE_HARDWARE, NODE, "hardware", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "the hardware type the NS file asked for")				\
X(NODE_STARTCMD, NODE, "startcmd", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "the command run once the node is ready")				\
X(NODE_FAILURE_ACTION, NODE, "failure_action", NCT_FILE, 0644,		\
  NCT_W_CONTROL, 0, "fatal, nonfatal or ignore: what its failure means") \
X(NODE_HOST, NODE, "host", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "a container's pnode (empty for other roles)")			\
X(NODE_ROUTES, NODE, "routes", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "static routes, \"DST/PREFIX via GW\" lines")				\
X(NODE_CONTAINERS, NODE, "containers", NCT_FILE, 0444, NCT_W_RENDERED, 0, \
  "a pnode's containers, one name per line")				\
X(NODE_CONFGEN, NODE, "confgen", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "the confgen of the last change of the node's configuration")		\
X(NODE_GUESTS, NODE, "guests", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "a pnode's containers and their confgen, \"GUEST GEN\" lines")	\
X(NODE_HOSTS, NODE, "hosts", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "hosts(5) lines for every node of the experiment")			\
X(NODE_PASSWD, NODE, "passwd", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "passwd(5) lines of the accounts the node gets")			\
X(NODE_GROUP, NODE, "group", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "group(5) lines of the node's groups")				\
X(NODE_SHADOW, NODE, "shadow", NCT_FILE, 0600, NCT_W_RENDERED, 1,	\
  "shadow(5) lines: the password hashes")				\
X(NODE_SUDOERS, NODE, "sudoers", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "sudoers(5) lines of the users who may become root")			\
X(NODE_SSHKEYS, NODE, "sshkeys", NCT_FILE, 0600, NCT_W_RENDERED, 1,	\
  "every user's keys in one file, \"<user> <key>\" lines")		\
X(NODE_MOUNTS, NODE, "mounts", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "fstab(5) lines: what to mount from which 9P server")			\
X(NODE_PHYSICAL, NODE, "physical", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "a pnode's physical interfaces: IFACE MAC LAN IP NETMASK lines")	\
X(NODE_TARFILES, NODE, "tarfiles", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "tb-set-node-tarfiles: DIR FILE lines, unpacked at provisioning")	\
X(NODE_FORWARDING, NODE, "forwarding", NCT_FILE, 0444, NCT_W_RENDERED, 0, \
  "1 when the node forwards packets for the others (routes), else 0") \
X(NODE_STATUS, NODE, "status", NCT_FILE, 0644, NCT_W_NODE, 0,		\
  "STATE TIME [STEP] [MESSAGE]: where its provisioning stands")		\
X(NODE_STARTSTATUS, NODE, "startstatus", NCT_FILE, 0644, NCT_W_NODE, 0,	\
  "running TIME, exited N TIME or killed SIG TIME: its start command")	\
X(NODE_CONTROL, NODE, "control", NCT_FILE, 0644, NCT_W_NODE, 0,	\
  "a container's address on its pnode's control network (the pnode's)") \
X(NODE_BUNDLE, NODE, "bundle", NCT_FILE, 0600, NCT_W_RENDERED, 1,	\
  "every file of the node's subtree in one read, from one transaction") \
X(NIMG_OS, NODE_IMAGE, "os", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "the image's OS family")						\
X(NIMG_TYPE, NODE_IMAGE, "type", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "lxc, vagrant ...: how the image is run")				\
X(NIMG_NAME, NODE_IMAGE, "name", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "the image's name in images/")					\
X(NIMG_URL, NODE_IMAGE, "url", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "where the image comes from")						\
X(NIMG_VERSION, NODE_IMAGE, "version", NCT_FILE, 0444, NCT_W_RENDERED, 0, \
  "the image's version")						\
X(NIMG_PROVIDER, NODE_IMAGE, "provider", NCT_FILE, 0444, NCT_W_RENDERED, \
  0, "the Vagrant provider")						\
X(NIMG_PACKAGES, NODE_IMAGE, "packages", NCT_FILE, 0444, NCT_W_RENDERED, \
  0, "the image's package list, one per line (what the pnode builds)")	\
X(IFACE, IFACES, "<iface>", NCT_D_IFACE, 0755, NCT_W_RENDERED, 0,	\
  "an interface, by its name on the node")				\
X(IFACE_LAN, IFACE, "lan", NCT_FILE, 0444, NCT_W_RENDERED, 0,		\
  "the LAN it is on")							\
X(IFACE_IP, IFACE, "ip", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "its IPv4 address, inside the LAN's subnet")				\
X(IFACE_NETMASK, IFACE, "netmask", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "its netmask (the LAN's)")						\
X(IFACE_MAC, IFACE, "mac", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "its MAC address")							\
X(IFACE_BANDWIDTH, IFACE, "bandwidth", NCT_FILE, 0644, NCT_W_CONTROL, 0, \
  "kbit/s; empty goes back to the LAN's")				\
X(IFACE_DELAY, IFACE, "delay", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "ms; empty goes back to the LAN's")					\
X(IFACE_LOSS, IFACE, "loss", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "a fraction; empty goes back to the LAN's")				\
X(ATTR, ATTRS, "<key>", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "one attribute's value, the key as the NS file gave it")		\
X(KEY, KEYS, "<user>", NCT_FILE, 0600, NCT_W_RENDERED, 1,		\
  "authorized_keys(5) lines of the user")				\
X(ACCOUNT, ACCOUNTS, "<user>", NCT_D_ACCOUNT, 0755, NCT_W_RENDERED, 0,	\
  "a user of the node's passwd (read-only: edit users/<user>/)")	\
X(ACCT_UID, ACCOUNT, "uid", NCT_FILE, 0444, NCT_W_RENDERED, 0,		\
  "the user's uid")							\
X(ACCT_GID, ACCOUNT, "gid", NCT_FILE, 0444, NCT_W_RENDERED, 0,		\
  "the user's primary gid")						\
X(ACCT_HOME, ACCOUNT, "home", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "the home directory")							\
X(ACCT_SHELL, ACCOUNT, "shell", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "the login shell")							\
X(ACCT_GROUPS, ACCOUNT, "groups", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "the other groups the user is in, one per line")			\
X(ACCT_KEYS, ACCOUNT, "keys", NCT_FILE, 0600, NCT_W_RENDERED, 1,	\
  "authorized_keys(5) lines of the user")				\
X(ACCT_SUDO, ACCOUNT, "sudo", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "1 when the user may become root (sudoers), else 0")			\
X(LAN, LANS, "<lan>", NCT_D_LAN, 0755, NCT_W_RENDERED, 0,		\
  "a LAN or link")							\
X(LAN_KIND, LAN, "kind", NCT_FILE, 0444, NCT_W_RENDERED, 0,		\
  "lan or link")							\
X(LAN_MEMBERS, LAN, "members", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "its nodes, one per line")						\
X(LAN_BANDWIDTH, LAN, "bandwidth", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "kbit/s")								\
X(LAN_DELAY, LAN, "delay", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "ms")									\
X(LAN_LOSS, LAN, "loss", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "the fraction of packets lost")					\
X(LAN_NETMASK, LAN, "netmask", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "its netmask")							\
X(USER, USERS, "<user>", NCT_D_USER, 0755, NCT_W_CONTROL, 0,		\
  "a user of the experiment")						\
X(USER_UID, USER, "uid", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "the uid, unique")							\
X(USER_GID, USER, "gid", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "the primary gid")							\
X(USER_NAME, USER, "name", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "the full name")							\
X(USER_HOME, USER, "home", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "the home directory")							\
X(USER_SHELL, USER, "shell", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "the login shell")							\
X(USER_GROUPS, USER, "groups", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "the other groups, one per line")					\
X(USER_KEYS, USER, "keys", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "authorized_keys(5) lines")						\
X(USER_PASSWORD, USER, "password", NCT_FILE, 0600, NCT_W_CONTROL, 1,	\
  "the password hash (crypt(3)); \"*\" for none")			\
X(USER_ROOT, USER, "root", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "1 when the user may become root on the nodes")			\
X(GROUP, GROUPS, "<group>", NCT_D_GROUP, 0755, NCT_W_CONTROL, 0,	\
  "a group of the experiment")						\
X(GROUP_GID, GROUP, "gid", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "the gid, unique")							\
X(GROUP_MEMBERS, GROUP, "members", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "its users, one per line")						\
X(IMAGE, IMAGES, "<image>", NCT_D_IMAGE, 0755, NCT_W_RENDERED, 0,	\
  "an image of the catalog (the name may hold '/')")			\
X(IMAGE_OS, IMAGE, "os", NCT_FILE, 0444, NCT_W_RENDERED, 0,		\
  "the OS family")							\
X(IMAGE_TYPE, IMAGE, "type", NCT_FILE, 0444, NCT_W_RENDERED, 0,	\
  "lxc, vagrant ...")							\
X(IMAGE_PROVIDER, IMAGE, "provider", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "the Vagrant provider")						\
X(IMAGE_VERSION, IMAGE, "version", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "the version")							\
X(IMAGE_URL, IMAGE, "url", NCT_FILE, 0644, NCT_W_CONTROL, 0,		\
  "where it is downloaded from")					\
X(IMAGE_SHA256, IMAGE, "sha256", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "the SHA-256 of the download")					\
X(IMAGE_PACKAGES, IMAGE, "packages", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "the Debian packages a pnode builds it with, one per line")		\
X(IMAGE_OSNAMES, IMAGE, "osnames", NCT_FILE, 0644, NCT_W_CONTROL, 0,	\
  "the OS names it serves: fnmatch patterns, one per line")

/* Every entry of the tree: NCT_<ID>, indexes of nct_entries[]. */
enum nct_id {
#define NCT_ID_(id, parent, name, child, mode, who, secret, meaning)	\
	NCT_##id,
	NCT_TREE(NCT_ID_)
#undef NCT_ID_
	NCT_NENTRIES
};

/* One row of the tree. */
struct nct_entry {
	enum nct_dir parent;	/* the directory type that holds it */
	const char *name;	/* its name, or "<what>": named by a key */
	enum nct_dir child;	/* a directory's type; NCT_FILE for a file */
	unsigned mode;		/* permission bits (no type bits) */
	enum nct_who who;	/* who writes it */
	int secret;		/* only root may read it */
	const char *meaning;	/* one line */
};

extern const struct nct_entry nct_entries[NCT_NENTRIES];

/* 1 when e is named by a key ("<node>"), 0 for a fixed name. */
int nct_keyed(enum nct_id e);
/* 1 when e is a directory. */
int nct_is_dir(enum nct_id e);
/*
 * The entries of directory type t, in listing order: *first and the
 * count (0 for a type with no entries).
 */
size_t nct_dir_entries(enum nct_dir t, enum nct_id *first);
/* The entry named name (a fixed name) in t, or -1. */
int nct_find(enum nct_dir t, const char *name);
/* The keyed entry of t (its children named by keys), or -1. */
int nct_keyed_entry(enum nct_dir t);
/* 1 when t holds fixed files (values an editor may sit beside). */
int nct_has_files(enum nct_dir t);
/* The entry whose directory type is t (NCT_D_ROOT: -1). */
int nct_dir_entry(enum nct_dir t);

/*
 * Paths.  nct_path writes the path of entry e relative to the tree's root
 * ("nodes/a1/ifaces/eth1/ip") into buf: the keyed names on the way from
 * the root are the keys in order (k0 the first: a node, LAN, user, group
 * or image; k1 the second: an interface, attribute key or user).  Returns
 * the length, -EINVAL when a key is needed and missing, empty, "." or
 * "..", or holds '/' (an image name may hold '/' between components) or a
 * control character, -ENAMETOOLONG when it does not fit in size bytes.
 */
#define NCT_PATH_MAX 1024
int nct_path(char *buf, size_t size, enum nct_id e, const char *k0,
    const char *k1);
/* The same for a directory type: "nodes/a1/ifaces" for NCT_D_IFACES. */
int nct_dir_path(char *buf, size_t size, enum nct_dir t, const char *k0,
    const char *k1);

/*
 * Status.  The states of a node, in the order of the contract, and their
 * words in status lines.
 */
enum nct_state {
	NCT_PENDING,		/* nothing heard from the node yet */
	NCT_BOOTING,		/* its pnode started it */
	NCT_PROVISIONING,	/* ncprov runs its steps (STEP: which) */
	NCT_READY,		/* provisioned; its start command runs */
	NCT_FAILED,		/* a step failed (STEP, MESSAGE: why) */
	NCT_NSTATES
};
/* The words, each defined once; nct_states[] holds them by state. */
#define NCT_WORD_PENDING	"pending"
#define NCT_WORD_BOOTING	"booting"
#define NCT_WORD_PROVISIONING	"provisioning"
#define NCT_WORD_READY		"ready"
#define NCT_WORD_FAILED		"failed"
/* All of them in order, separated by spaces. */
#define NCT_STATE_LIST NCT_WORD_PENDING " " NCT_WORD_BOOTING " "	\
	NCT_WORD_PROVISIONING " " NCT_WORD_READY " " NCT_WORD_FAILED
extern const char *const nct_states[NCT_NSTATES];
/* The state whose word is the n bytes at w, or -1. */
int nct_state_find(const char *w, size_t n);

#define NCT_STEP_MAX	32	/* bytes of a status step */
#define NCT_MESSAGE_MAX	1024	/* bytes of a status message */
#define NCT_TIME_MAX	(1LL << 40) /* largest status time */
/* 1 when the n bytes at s are a step: 1..NCT_STEP_MAX of [a-z0-9_.-]. */
int nct_step_valid(const char *s, size_t n);

/*
 * The start command's state (nodes/<node>/startstatus), one line
 * "WORD [N] TIME": "running TIME" while it runs, "exited N TIME" once it
 * exited with status N (0-255), "killed SIG TIME" once signal SIG (1-64)
 * ended it; TIME is when that was written (seconds since the epoch, at
 * most NCT_TIME_MAX).  Empty: no start command ran (yet).  The node writes
 * it: "running" before the command starts, the rest when it ends.
 */
enum nct_start {
	NCT_START_RUN,		/* running */
	NCT_START_EXIT,		/* exited N */
	NCT_START_KILL,		/* killed SIG */
	NCT_NSTARTS
};
#define NCT_START_RUNNING "running"
#define NCT_START_EXITED "exited"
#define NCT_START_KILLED "killed"
extern const char *const nct_starts[NCT_NSTARTS];
/* A startstatus line, parsed. */
struct nct_startstatus {
	enum nct_start state;	/* which word */
	int code;		/* exited: the status; killed: the signal;
				 * running: 0 */
	long long time;		/* when it was written */
};
/*
 * Parse the n bytes at s (blanks around the words allowed, nothing else)
 * into out: 0, or -1 with a reason in *reason (a static string).
 */
int nct_start_parse(const char *s, size_t n, struct nct_startstatus *out,
    const char **reason);
/* The line of st into buf (no newline): its length, or -1 when it does not
 * fit or st is not a valid state. */
int nct_start_format(char *buf, size_t size,
    const struct nct_startstatus *st);

/*
 * The configuration generation (docs/DESIGN.md, "Status"): experiment/
 * confgen grows with every change of what nodes are configured from, and
 * not with status, startstatus or control writes; nodes/<n>/confgen is the
 * confgen of the last change that concerns node n, and a pnode's
 * nodes/<p>/guests lists "GUEST GEN" for its containers, so a watcher
 * reads one small file to know that something changed and one more to
 * know which of its containers.  What a change of entry e concerns (the
 * file written, or the record -- NCT_USER, NCT_GROUP, NCT_ATTR -- added or
 * removed):
 */
enum nct_scope {
	NCT_SCOPE_NONE,		/* no node's configuration (status ...) */
	NCT_SCOPE_NODE,		/* the node of the path (its first key) */
	NCT_SCOPE_LAN,		/* every node on the LAN of the path */
	NCT_SCOPE_ALL,		/* every node (users, groups, keys, hosts
				 * lines, mounts, images, the experiment) */
};
enum nct_scope nct_change_scope(enum nct_id e);

#endif
