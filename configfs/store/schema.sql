-- schema.sql: the experiment database (one SQLite file per experiment).
-- Version 1.  Each later version adds a "-- migrate N" section below; the store
-- applies every section whose number is above PRAGMA user_version.
-- Order columns (ord) keep the NS file's order so exports are stable.
-- Text columns declared NOT NULL hold '' where the experiment has no value
-- (password '*', failure_action 'fatal'); addresses are text: dotted quads
-- and aa:bb:cc:dd:ee:ff.

-- migrate 1
CREATE TABLE experiment (
	id INTEGER PRIMARY KEY CHECK (id = 1),	-- exactly one row
	name TEXT NOT NULL,			-- experiment name
	project TEXT NOT NULL,			-- project
	grp TEXT NOT NULL,			-- group
	control TEXT NOT NULL,			-- name of the control node
	control_addr TEXT,			-- its address as nodes reach it
	generation INTEGER NOT NULL DEFAULT 1	-- bumped on every change
);

CREATE TABLE nodes (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,		-- DNS label
	role TEXT NOT NULL CHECK (role IN ('config','pnode','container','physical')),
	os TEXT, parent_os TEXT, hardware TEXT,
	host TEXT,				-- containers: the pnode's name
	startcmd TEXT,
	failure_action TEXT NOT NULL DEFAULT 'fatal'
	    CHECK (failure_action IN ('fatal','nonfatal','ignore')),
	image TEXT,				-- images.name or NULL
	fix TEXT,				-- tb-fix-node target
	implicit INTEGER NOT NULL DEFAULT 0,	-- added by neoc, not the file
	ord INTEGER NOT NULL			-- file order
);

CREATE TABLE attributes (
	node_id INTEGER NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	ord INTEGER NOT NULL,
	PRIMARY KEY (node_id, key)
);

CREATE TABLE tarfiles (
	node_id INTEGER NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
	dir TEXT NOT NULL, file TEXT NOT NULL, ord INTEGER NOT NULL
);
CREATE INDEX tarfiles_node ON tarfiles(node_id, ord);

CREATE TABLE rpms (
	node_id INTEGER NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
	rpm TEXT NOT NULL, ord INTEGER NOT NULL
);
CREATE INDEX rpms_node ON rpms(node_id, ord);

CREATE TABLE lans (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL CHECK (kind IN ('link','lan')),
	bandwidth_kbps INTEGER NOT NULL DEFAULT 0,	-- 0: unlimited
	delay_ms REAL NOT NULL DEFAULT 0,
	loss REAL NOT NULL DEFAULT 0,
	netmask TEXT,					-- NULL: /24
	ord INTEGER NOT NULL
);

CREATE TABLE ifaces (
	node_id INTEGER NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
	name TEXT NOT NULL,			-- eth1...
	lan_id INTEGER NOT NULL REFERENCES lans(id) ON DELETE CASCADE,
	ip TEXT, netmask TEXT, mac TEXT,
	bandwidth_kbps INTEGER, delay_ms REAL, loss REAL,	-- NULL: the LAN's
	member_ord INTEGER NOT NULL,		-- order of joining the LAN
	ord INTEGER NOT NULL,			-- order among the node's ifaces
	PRIMARY KEY (node_id, name)
);
CREATE UNIQUE INDEX ifaces_ip ON ifaces(ip) WHERE ip IS NOT NULL;
CREATE UNIQUE INDEX ifaces_mac ON ifaces(mac) WHERE mac IS NOT NULL;
CREATE INDEX ifaces_lan ON ifaces(lan_id, member_ord);

CREATE TABLE images (
	name TEXT PRIMARY KEY,
	os TEXT, type TEXT, provider TEXT, version TEXT, url TEXT, sha256 TEXT,
	ord INTEGER NOT NULL
);

CREATE TABLE users (
	name TEXT PRIMARY KEY,
	uid INTEGER NOT NULL UNIQUE,
	gid INTEGER NOT NULL,
	fullname TEXT, home TEXT, shell TEXT, email TEXT,
	password TEXT NOT NULL DEFAULT '*',	-- crypt hash; a secret
	root INTEGER NOT NULL DEFAULT 0,
	ord INTEGER NOT NULL
);

CREATE TABLE groups (
	name TEXT PRIMARY KEY,
	gid INTEGER NOT NULL UNIQUE,
	ord INTEGER NOT NULL
);

CREATE TABLE memberships (
	user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
	grp TEXT NOT NULL,
	ord INTEGER NOT NULL,
	PRIMARY KEY (user, grp)
);

CREATE TABLE sshkeys (
	user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
	key TEXT NOT NULL,
	ord INTEGER NOT NULL
);
CREATE INDEX sshkeys_user ON sshkeys(user, ord);

CREATE TABLE mounts (
	server TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
	fstype TEXT, options TEXT NOT NULL DEFAULT '',
	ord INTEGER NOT NULL
);

CREATE TABLE pifaces (
	pnode TEXT NOT NULL,			-- nodes.name of the pnode
	name TEXT NOT NULL,			-- kernel interface name
	ip TEXT, netmask TEXT, mac TEXT, speed TEXT, duplex TEXT,
	lan TEXT,				-- lans.name it carries
	ord INTEGER NOT NULL,
	PRIMARY KEY (pnode, name)
);

CREATE TABLE hostnames (
	name TEXT PRIMARY KEY,
	ip TEXT NOT NULL,
	aliases TEXT NOT NULL DEFAULT '',
	ord INTEGER NOT NULL
);

CREATE TABLE status (
	node TEXT PRIMARY KEY,			-- nodes.name
	state TEXT NOT NULL CHECK (state IN
	    ('pending','booting','provisioning','ready','failed')),
	time INTEGER NOT NULL,
	step TEXT, message TEXT
);

-- Indexes for ncfs: a pnode's containers, a group's members.
CREATE INDEX nodes_host ON nodes(host, ord);
CREATE INDEX memberships_grp ON memberships(grp, user);

-- migrate 2
-- A node's static routes ($ns rtproto Static or Manual at import, or
-- written to nodes/<n>/routes): "DST/PREFIX via GW" lines joined by
-- newlines, NULL for none.
ALTER TABLE nodes ADD COLUMN routes TEXT;

-- migrate 3
-- nodes/<n>/startstatus: the start command's state, written by the node
-- ("running", "exited N", "killed SIG", lib/nctree.h).  nodes/<n>/control:
-- a container's control address, written by its pnode.  One row per node
-- at most; neoc down deletes every row, neoc import those of nodes gone.
CREATE TABLE startstatus (
	node TEXT PRIMARY KEY,			-- nodes.name
	state TEXT NOT NULL CHECK (state IN ('running','exited','killed')),
	code INTEGER NOT NULL DEFAULT 0,	-- exit status, or the signal
	time INTEGER NOT NULL			-- when it was written
);

CREATE TABLE control (
	node TEXT PRIMARY KEY,			-- nodes.name
	ip TEXT NOT NULL			-- a dotted quad
);

-- migrate 4
-- Images a pnode builds (type rootfs): the packages it builds them with and
-- the OS names (tb-set-node-os, fnmatch patterns) each serves; one a line.
ALTER TABLE images ADD COLUMN packages TEXT;
ALTER TABLE images ADD COLUMN osnames TEXT;

-- migrate 5
-- The configuration generation (docs/DESIGN.md, "Status"): confgen grows
-- with every change of what nodes are configured from (not with status,
-- startstatus or control); allgen is the confgen of the last change that
-- concerned every node (an import, a user, a key ...), nodes.confgen that
-- of the last change of that node alone (its files, a LAN it is on).  A
-- node's generation is the larger of its confgen and allgen.
ALTER TABLE experiment ADD COLUMN confgen INTEGER NOT NULL DEFAULT 1;
ALTER TABLE experiment ADD COLUMN allgen INTEGER NOT NULL DEFAULT 1;
ALTER TABLE nodes ADD COLUMN confgen INTEGER NOT NULL DEFAULT 0;
