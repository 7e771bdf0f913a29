/*
 * model.h: the experiment held in memory.  Every importer (NS files, JSON,
 * tmcc data, passwd/group files) fills a struct nc_exp; placement and
 * addressing complete it; the store writes it to the experiment database in
 * one transaction and reads it back; the JSON exporter prints it.
 *
 * Arrays are growable (NC_PUSH); records refer to each other by index.
 * Strings are owned by the record that holds them; NULL means "not set".
 */
#ifndef NC_MODEL_H
#define NC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "strmap.h"

enum nc_role {
	NC_ROLE_CONTAINER = 0,	/* a virtual node placed on a pnode */
	NC_ROLE_CONFIG,		/* the experiment's control node */
	NC_ROLE_PNODE,		/* a physical machine hosting containers */
	NC_ROLE_PHYSICAL,	/* an embedded physical node, not containerized */
};

enum nc_lan_kind {
	NC_LAN_LINK = 0,	/* a duplex-link: exactly two members */
	NC_LAN_LAN,		/* a make-lan LAN: any number of members */
};

/* Per-interface shaping left unset: the LAN's value applies. */
#define NC_UNSET (-1)

struct nc_attr {
	char *key;		/* attribute key as given, e.g. containers:partition */
	char *value;		/* its value */
	int line;		/* NS file line that set it (0: not from a file) */
};

/* A static route of a node: DST/PREFIX via GW (prefix 0, dst 0: default). */
struct nc_route {
	uint32_t dst;		/* destination network, host order */
	int prefix;		/* its prefix length, 0..32 */
	uint32_t gw;		/* next hop's address, host order */
};

/* How an NS file asks for routes ($ns rtproto). */
enum nc_rtproto {
	NC_RT_NONE = 0,		/* no rtproto: no routes */
	NC_RT_STATIC,		/* Static: shortest paths computed at import */
	NC_RT_MANUAL,		/* Manual: the file's add-route lines */
};

/* A `$node add-route DST NEXTHOP`, resolved once addresses are known. */
struct nc_manroute {
	size_t node;		/* the node the route is for */
	int dst_lan;		/* 1: dst is a LAN or link; 0: a node */
	size_t dst;		/* index of the destination node or LAN */
	size_t nexthop;		/* the next hop node */
	int line;		/* NS line of the add-route */
};

struct nc_tarfile {
	char *dir;		/* directory to unpack into */
	char *file;		/* the tarball */
};

struct nc_iface {
	char *name;		/* eth1, eth2, ... in the order the node joined */
	size_t lan;		/* index into exp->lans */
	uint32_t ip;		/* address, host byte order; 0: not yet assigned */
	uint32_t mask;		/* netmask, host byte order; 0: the LAN's */
	uint8_t mac[6];		/* MAC address */
	int has_mac;		/* mac is set */
	long bandwidth_kbps;	/* member override, or NC_UNSET */
	double delay_ms;	/* member override, or NC_UNSET */
	double loss;		/* member override, or NC_UNSET */
	int ip_line;		/* NS line that set ip explicitly (0: none) */
};

struct nc_node {
	char *name;		/* DNS label, unique in the experiment */
	enum nc_role role;	/* what the node is */
	char *os;		/* tb-set-node-os */
	int os_line;		/* the line that set os (0: none) */
	char *parent_os;	/* tb-set-node-os third argument */
	char *hardware;		/* tb-set-hardware */
	char *host;		/* containers: the pnode that runs it */
	char *startcmd;		/* tb-set-node-startcmd */
	char *failure_action;	/* fatal | nonfatal | ignore (NULL: fatal) */
	char *image;		/* name of an entry of exp->images, or NULL */
	char *fix;		/* tb-fix-node target pnode name, or NULL */
	int fix_line;		/* line of the tb-fix-node */
	struct nc_attr *attrs;	/* tb-add-node-attribute, file order */
	size_t nattrs, capattrs;
	struct nc_iface *ifaces; /* experiment interfaces, eth1 first */
	size_t nifaces, capifaces;
	struct nc_tarfile *tarfiles; /* tb-set-node-tarfiles */
	size_t ntarfiles, captarfiles;
	char **rpms;		/* tb-set-node-rpms */
	int rpms_line;		/* the first line that set rpms (0: none) */
	size_t nrpms, caprpms;
	struct nc_route *routes; /* static routes (configfs/model/routes.c) */
	size_t nroutes, caproutes;
	int implicit;		/* added by us (control node, pnode-0) */
	int line;		/* line that created (or named) the node */
};

struct nc_member {
	size_t node;		/* index into exp->nodes */
	size_t iface;		/* index into that node's ifaces */
};

struct nc_lan {
	char *name;		/* DNS label, unique among LANs */
	enum nc_lan_kind kind;	/* link or lan */
	long bandwidth_kbps;	/* kbit/s; 0 means unlimited */
	double delay_ms;	/* one-way delay in ms */
	double loss;		/* loss probability 0..1 */
	uint32_t mask;		/* netmask, host order; 0: default /24 */
	struct nc_member *members; /* in the order they joined */
	size_t nmembers, capmembers;
	int line;		/* line that created it */
};

struct nc_user {
	char *name;		/* login */
	long uid;		/* numeric uid */
	long gid;		/* primary gid */
	char *fullname;		/* GECOS name */
	char *home;		/* home directory */
	char *shell;		/* login shell */
	char *email;		/* e-mail address, or NULL */
	char *password;		/* crypt(3) hash or "*"; secret */
	int root;		/* may become root (sudo) */
	char **groups;		/* names of supplementary groups */
	size_t ngroups, capgroups;
	char **keys;		/* authorized_keys lines */
	size_t nkeys, capkeys;
};

struct nc_group {
	char *name;		/* group name */
	long gid;		/* numeric gid */
};

struct nc_mount {
	char *server;		/* host that serves it */
	char *source;		/* path on the server */
	char *target;		/* where nodes mount it */
	char *fstype;		/* filesystem type, or NULL */
	char *options;		/* mount options, "" for none */
};

struct nc_image {
	char *name;		/* e.g. ubuntu/trusty64 */
	char *os;		/* image_os (windows... is a Windows guest) */
	char *type;		/* image_type, e.g. vagrant */
	char *provider;		/* virtualbox, lxc, libvirt, or NULL */
	char *version;		/* box version, or NULL */
	char *url;		/* where to fetch it, or NULL when baked in */
	char *sha256;		/* checksum once known, or NULL */
	char *packages;		/* packages a pnode builds it with (type
				 * rootfs), one a line, or NULL */
	char *osnames;		/* fnmatch(3) patterns of the OS names
				 * (tb-set-node-os) it serves, one a line,
				 * or NULL */
};

/* A pnode's physical interface (tmcc ifconfig). */
struct nc_piface {
	char *pnode;		/* node name of the pnode */
	char *name;		/* kernel interface name, e.g. eth2 */
	uint32_t ip;		/* address, host order */
	uint32_t mask;		/* netmask, host order */
	uint8_t mac[6];		/* MAC address */
	char *speed;		/* e.g. 100Mbps */
	char *duplex;		/* full or half */
	char *lan;		/* experiment LAN it carries, or NULL */
};

/* A name and address the testbed gave (tmcc hostnames). */
struct nc_hostname {
	char *name;		/* host name */
	uint32_t ip;		/* address, host order */
	char *aliases;		/* space separated aliases, "" for none */
};

struct nc_exp {
	char *name;		/* experiment name */
	char *project;		/* project */
	char *group;		/* group */
	char *control;		/* name of the control node */
	struct nc_node *nodes;	/* every node, file order */
	size_t nnodes, capnodes;
	struct nc_lan *lans;	/* links and LANs, file order */
	size_t nlans, caplans;
	struct nc_user *users;
	size_t nusers, capusers;
	struct nc_group *groups;
	size_t ngroups, capgroups;
	struct nc_mount *mounts;
	size_t nmounts, capmounts;
	struct nc_image *images;
	size_t nimages, capimages;
	struct nc_piface *pifaces;
	size_t npifaces, cappifaces;
	struct nc_hostname *hostnames;
	size_t nhostnames, caphostnames;
	enum nc_rtproto rtproto; /* NS file's rtproto: routes to compute */
	struct nc_manroute *manroutes; /* add-route lines, file order */
	size_t nmanroutes, capmanroutes;
	struct nc_strmap node_by_name;	/* node name -> index */
	struct nc_strmap lan_by_name;	/* LAN name -> index */
	struct nc_strmap user_by_name;	/* login -> index */
	struct nc_strmap group_by_name;	/* group name -> index */
	struct nc_strmap image_by_name;	/* image name -> index */
};

void nc_exp_init(struct nc_exp *e);
void nc_exp_free(struct nc_exp *e);

/* Add a node (name copied); returns its index.  The name must be new. */
size_t nc_exp_add_node(struct nc_exp *e, const char *name, enum nc_role role);
/* Add a LAN or link; returns its index.  The name must be new. */
size_t nc_exp_add_lan(struct nc_exp *e, const char *name, enum nc_lan_kind k);
/* Join node to lan: a new interface eth<N> on the node.  Returns the member. */
struct nc_member *nc_exp_join(struct nc_exp *e, size_t lan, size_t node);
/* Set a node attribute unless the key is already set (first wins).
 * Returns 0 when set, 1 when an earlier setting was kept. */
int nc_node_set_attr(struct nc_node *n, const char *key, const char *value,
    int line);
/* The value of attribute key, or NULL. */
const char *nc_node_attr(const struct nc_node *n, const char *key);
/* The line that set attribute key, else the node's own line. */
int nc_node_attr_line(const struct nc_node *n, const char *key);
/* Add (or find) a user, group or image by name; returns the index. */
size_t nc_exp_user(struct nc_exp *e, const char *name);
size_t nc_exp_group(struct nc_exp *e, const char *name);
size_t nc_exp_image(struct nc_exp *e, const char *name);
/* Lookups: index or -1. */
long nc_exp_find_node(const struct nc_exp *e, const char *name);
long nc_exp_find_lan(const struct nc_exp *e, const char *name);
/* Replace *slot with a copy of s (NULL allowed). */
void nc_set_str(char **slot, const char *s);

const char *nc_role_name(enum nc_role r);
int nc_role_parse(const char *s, enum nc_role *r);
const char *nc_lan_kind_name(enum nc_lan_kind k);
int nc_lan_kind_parse(const char *s, enum nc_lan_kind *k);

/* Effective values of an interface (its override, else its LAN's). */
long nc_iface_bandwidth(const struct nc_exp *e, const struct nc_iface *i);
double nc_iface_delay(const struct nc_exp *e, const struct nc_iface *i);
double nc_iface_loss(const struct nc_exp *e, const struct nc_iface *i);
uint32_t nc_iface_mask(const struct nc_exp *e, const struct nc_iface *i);

#endif
