/*
 * main.c: ncimage, the image catalog and cache (docs/DESIGN.md, "Binaries").
 *
 *   ncimage [--cache DIR] list [-d EXP.db]
 *   ncimage [--cache DIR] fetch [--sha256 HEX] [-d EXP.db] NAME URL
 *   ncimage [--cache DIR] fetch -d EXP.db [NAME...]
 *   ncimage [--cache DIR] verify [-d EXP.db] NAME...
 *
 * Exit status: 0 success, 1 a fetch or verification failed, 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "images.h"
#include "ncimage.h"
#include "util.h"
#include "valid.h"

/* One row of the images table (or of the baked-in catalog). */
struct img {
	char *name;		/* box name */
	char *provider;		/* virtualbox, libvirt, lxc, ... or NULL */
	char *version;		/* box version or NULL */
	char *url;		/* where to fetch it; NULL when baked in */
	char *sha256;		/* recorded checksum or NULL */
};

/* Options every command takes. */
struct common {
	const char *cache;	/* cache root */
	const char *db;		/* -d EXP.db, or NULL */
};

enum { OPT_CACHE = 256, OPT_SHA, OPT_CONNECT, OPT_NOPROG, OPT_PROV };

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ncimage [--cache DIR] COMMAND [options] [args]\n"
"       ncimage COMMAND --help\n"
"\n"
"commands:\n"
"  list     the experiment's images (-d EXP.db), or the baked-in catalog\n"
"           and what the cache holds\n"
"  fetch    download images into the cache, once, checked and resumable\n"
"  verify   recompute cached images' SHA-256 against the recorded one\n"
"\n"
"The cache is --cache DIR, else $NCIMAGE_CACHE, else %s.\n",
	    NCI_CACHE_DEFAULT);
}

static void
usage_list(FILE *f)
{
	fprintf(f,
"usage: ncimage [--cache DIR] list [-d EXP.db]\n"
"\n"
"With -d, list the experiment's images: name, provider, version, URL,\n"
"whether the cache holds it (yes, no, part: a partial download) and its\n"
"SHA-256.  Without -d, list the baked-in images and everything cached.\n");
}

static void
usage_fetch(FILE *f)
{
	fprintf(f,
"usage: ncimage [--cache DIR] fetch [--sha256 HEX] [-d EXP.db] NAME URL\n"
"       ncimage [--cache DIR] fetch -d EXP.db [NAME...]\n"
"\n"
"Download an image (http, https or file URL) into the cache unless it is\n"
"there already.  A partial download (NAME's box.part) is resumed; the file\n"
"is checked against --sha256 (or the checksum the database records) and\n"
"moved into place atomically.  Parallel fetches of one image download it\n"
"once.  With -d EXP.db and no URL, fetch every named image of the\n"
"experiment that has a URL (all of them when no NAME is given); baked-in\n"
"images have nothing to fetch.  After a fetch with -d, the image's sha256\n"
"(and the provider and version from the box's metadata.json, when the\n"
"database has none) are written into the database.\n"
"\n"
"options:\n"
"  --cache DIR            the cache root\n"
"  --sha256 HEX           the expected checksum (one image)\n"
"  --provider NAME        the provider to choose when URL is a box catalog\n"
"                         (Vagrant Cloud JSON; default: the database's,\n"
"                         else the first of the highest version)\n"
"  -d, --db EXP.db        the experiment database\n"
"  --connect-timeout SEC  seconds to connect (default 15)\n"
"  --no-progress          no progress line even on a terminal\n"
"  -q, --quiet            no notes (waiting, resuming) on stderr\n");
}

static void
usage_verify(FILE *f)
{
	fprintf(f,
"usage: ncimage [--cache DIR] verify [-d EXP.db] NAME...\n"
"       ncimage [--cache DIR] verify -d EXP.db\n"
"\n"
"Recompute the SHA-256 of each cached image and compare it with the one\n"
"recorded in the cache (and in the database with -d).  Without NAME, -d\n"
"verifies every cached image of the experiment.  Exit status 1 when any\n"
"image is missing or does not match.\n");
}

static char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? nc_strdup((const char *)t) : NULL;
}

static void
free_imgs(struct img *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].provider);
		free(v[i].version);
		free(v[i].url);
		free(v[i].sha256);
	}
	free(v);
}

/* Every image of the experiment database, in file order. */
static int
load_db(const char *path, struct img **out, size_t *n)
{
	static const char sql[] = "SELECT name, provider, version, url, "
	    "sha256 FROM images ORDER BY ord, name";
	sqlite3_stmt *st = NULL;
	struct img *v = NULL;
	size_t cap = 0;
	sqlite3 *db;
	int rc;

	*out = NULL;
	*n = 0;
	if (nc_db_open(path, NC_DB_READ, &db) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(db));
		nc_db_close(db);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct img *m = NC_PUSH(v, *n, cap);

		m->name = col(st, 0);
		m->provider = col(st, 1);
		m->version = col(st, 2);
		m->url = col(st, 3);
		m->sha256 = col(st, 4);
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	nc_db_close(db);
	*out = v;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Record a fetched image in the database (bumping the generation). */
static int
record_db(const char *path, const char *name,
    const struct nci_fetch_result *r)
{
	static const char sql[] = "UPDATE images SET sha256 = ?1, "
	    "provider = COALESCE(provider, ?2), "
	    "version = COALESCE(version, ?3) WHERE name = ?4";
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	int rc = -1;

	if (nc_db_open(path, NC_DB_WRITE, &db) < 0)
		return -1;
	if (nc_db_exec(db, "BEGIN IMMEDIATE") < 0)
		goto cleanup;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, r->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->meta.provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->meta.version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(db) > 0 && nc_db_exec(db, "UPDATE experiment "
	    "SET generation = generation + 1") < 0)
		goto fail;
	if (nc_db_exec(db, "COMMIT") < 0)
		goto fail;
	rc = 0;
	goto cleanup;
fail:
	fprintf(stderr, "%s: recording %s: %s\n", path, name,
	    sqlite3_errmsg(db));
	nc_db_exec(db, "ROLLBACK");
cleanup:
	sqlite3_finalize(st);
	nc_db_close(db);
	return rc;
}

static const char *
dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

static void
print_row(const char *root, const struct img *m)
{
	struct nci_entry e;
	const char *state = "no", *sha;

	if (nci_cache_stat(root, m->name, &e) == 0) {
		if (e.cached)
			state = "yes";
		else if (e.part >= 0)
			state = "part";
	}
	sha = m->sha256 != NULL ? m->sha256 : e.sha256;
	printf("%-24s %-10s %-8s %-5s %-64s %s\n", m->name, dash(m->provider),
	    dash(m->version), state, dash(sha), dash(m->url));
}

/* The baked-in catalog plus whatever else the cache holds. */
static int
list_cache(const char *root)
{
	const struct nc_baked_image *b;
	struct dirent *de;
	char name[512];
	DIR *dir;

	for (b = nc_baked_images; b->name != NULL; b++) {
		struct img m = { (char *)b->name, (char *)b->provider,
		    (char *)b->version, NULL, NULL };

		print_row(root, &m);
	}
	if ((dir = opendir(root)) == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		struct img m = { name, NULL, NULL, NULL, NULL };
		struct nci_meta meta = { NULL, NULL };
		char *path, *json;
		size_t len;

		if (de->d_name[0] == '.' ||
		    nci_cache_unkey(de->d_name, name, sizeof(name)) < 0 ||
		    nc_image_baked(name) != NULL)
			continue;
		path = nci_cache_path(root, name, "metadata.json");
		if (nci_read_file(path, 1 << 20, &json, &len) == 0) {
			nci_meta_parse(json, len, &meta);
			free(json);
		}
		m.provider = meta.provider;
		m.version = meta.version;
		print_row(root, &m);
		nci_meta_free(&meta);
		free(path);
	}
	closedir(dir);
	return 0;
}

static int
cmd_list(struct common *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct img *v;
	size_t n, i;
	int ch;

	while ((ch = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c->db = optarg;
			break;
		case OPT_CACHE:
			c->cache = optarg;
			break;
		case 'h':
			usage_list(stdout);
			return 0;
		default:
			usage_list(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ncimage list: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage_list(stderr);
		return 2;
	}
	printf("%-24s %-10s %-8s %-5s %-64s %s\n", "NAME", "PROVIDER",
	    "VERSION", "CACHE", "SHA256", "URL");
	if (c->db == NULL)
		return list_cache(nci_cache_root(c->cache));
	if (load_db(c->db, &v, &n) < 0)
		return 1;
	for (i = 0; i < n; i++)
		print_row(nci_cache_root(c->cache), &v[i]);
	free_imgs(v, n);
	return 0;
}

/* Fetch one image and report; with db, record it.  0 or 1. */
static int
fetch_one(struct common *c, const char *name, const char *url,
    struct nci_fetch_opts *o)
{
	struct nci_fetch_result r;
	char err[1024];
	int rc;

	rc = nci_fetch(nci_cache_root(c->cache), name, url, o, &r, err,
	    sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "ncimage: %s: %s\n", name, err[0] ? err :
		    strerror(-rc));
		return 1;
	}
	if (r.cached)
		printf("%s: cached (sha256 %s)\n", name, r.sha256);
	else if (r.resumed)
		printf("%s: fetched (resumed at byte %lld, %lld more bytes; "
		    "sha256 %s)\n", name, r.offset, r.bytes, r.sha256);
	else
		printf("%s: fetched (%lld bytes; sha256 %s)\n", name,
		    r.bytes, r.sha256);
	fflush(stdout);
	rc = 0;
	if (c->db != NULL && record_db(c->db, name, &r) < 0)
		rc = 1;
	nci_meta_free(&r.meta);
	return rc;
}

/* fetch -d DB [NAME...]: every named (or every) image with a URL. */
static int
fetch_db(struct common *c, int argc, char **argv, struct nci_fetch_opts *o)
{
	const char *prov = o->provider;
	struct img *v;
	size_t n, i;
	int k, bad = 0, found;

	if (load_db(c->db, &v, &n) < 0)
		return 1;
	for (k = 0; k < argc; k++) {
		for (found = 0, i = 0; i < n && !found; i++)
			found = strcmp(v[i].name, argv[k]) == 0;
		if (!found) {
			fprintf(stderr, "ncimage: %s: no such image in %s\n",
			    argv[k], c->db);
			bad = 1;
		}
	}
	for (i = 0; i < n; i++) {
		for (found = argc == 0, k = 0; k < argc && !found; k++)
			found = strcmp(v[i].name, argv[k]) == 0;
		if (!found)
			continue;
		if (v[i].url == NULL) {
			printf("%s: %s, nothing to fetch\n", v[i].name,
			    nc_image_baked(v[i].name) ? "baked in" :
			    "no URL");
			continue;
		}
		o->sha256 = o->sha256 != NULL && argc == 1 ? o->sha256 :
		    v[i].sha256;
		o->provider = prov != NULL ? prov : v[i].provider;
		bad |= fetch_one(c, v[i].name, v[i].url, o);
	}
	free_imgs(v, n);
	return bad;
}

static int
cmd_fetch(struct common *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "sha256", required_argument, NULL, OPT_SHA },
		{ "connect-timeout", required_argument, NULL, OPT_CONNECT },
		{ "provider", required_argument, NULL, OPT_PROV },
		{ "no-progress", no_argument, NULL, OPT_NOPROG },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct nci_fetch_opts o;
	const char *why;
	char *end;
	int ch;

	memset(&o, 0, sizeof(o));
	o.progress = isatty(2);
	while ((ch = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c->db = optarg;
			break;
		case OPT_CACHE:
			c->cache = optarg;
			break;
		case OPT_SHA:
			if (nc_valid_sha256(optarg, &why) < 0) {
				fprintf(stderr, "ncimage fetch: --sha256 "
				    "\"%s\" %s\n", optarg, why);
				return 2;
			}
			o.sha256 = optarg;
			break;
		case OPT_CONNECT:
			o.connect_timeout = strtol(optarg, &end, 10);
			if (*end != '\0' || o.connect_timeout <= 0 ||
			    o.connect_timeout > 3600) {
				fprintf(stderr, "ncimage fetch: "
				    "--connect-timeout \"%s\" is not a "
				    "number of seconds\n", optarg);
				return 2;
			}
			break;
		case OPT_NOPROG:
			o.progress = 0;
			break;
		case OPT_PROV:
			o.provider = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			usage_fetch(stdout);
			return 0;
		default:
			usage_fetch(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	/* NAME URL (a URL has "://"; an image name cannot). */
	if (argc == 2 && strstr(argv[1], "://") != NULL) {
		if (nc_valid_url(argv[1], &why) < 0) {
			fprintf(stderr, "ncimage fetch: \"%s\" %s\n", argv[1],
			    why);
			return 2;
		}
		return fetch_one(c, argv[0], argv[1], &o);
	}
	if (c->db == NULL) {
		fprintf(stderr, "ncimage fetch: give NAME URL, or -d EXP.db\n");
		usage_fetch(stderr);
		return 2;
	}
	if (o.sha256 != NULL && argc != 1) {
		fprintf(stderr, "ncimage fetch: --sha256 needs exactly one "
		    "image\n");
		return 2;
	}
	return fetch_db(c, argc, argv, &o);
}

/* Verify one cached image against want (may be NULL).  0 or 1. */
static int
verify_one(const char *root, const char *name, const char *want)
{
	char rec[NCI_SHA256_HEX], hex[NCI_SHA256_HEX];
	char *box = nci_cache_path(root, name, "box");
	int rc = 1, e;

	if (box == NULL) {
		fprintf(stderr, "ncimage: \"%s\" is not an image name\n",
		    name);
		return 1;
	}
	if ((e = nci_sha256_file(box, hex)) < 0) {
		fprintf(stderr, "ncimage: %s: not cached (%s: %s)\n", name,
		    box, strerror(-e));
		goto cleanup;
	}
	if (nci_cache_read_sha(root, name, rec) < 0) {
		fprintf(stderr, "ncimage: %s: no recorded sha256 in the "
		    "cache\n", name);
		goto cleanup;
	}
	if (strcasecmp(rec, hex) != 0) {
		fprintf(stderr, "ncimage: %s: MISMATCH: the cached file has "
		    "sha256 %s, recorded %s\n", name, hex, rec);
		goto cleanup;
	}
	if (want != NULL && strcasecmp(want, hex) != 0) {
		fprintf(stderr, "ncimage: %s: MISMATCH: the cached file has "
		    "sha256 %s, the database records %s\n", name, hex, want);
		goto cleanup;
	}
	printf("%s: ok (sha256 %s)\n", name, hex);
	rc = 0;
cleanup:
	free(box);
	return rc;
}

static int
cmd_verify(struct common *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root, *want;
	struct img *v = NULL;
	size_t n = 0, i;
	int ch, k, bad = 0, found;

	while ((ch = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			c->db = optarg;
			break;
		case OPT_CACHE:
			c->cache = optarg;
			break;
		case 'h':
			usage_verify(stdout);
			return 0;
		default:
			usage_verify(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	root = nci_cache_root(c->cache);
	if (argc == 0 && c->db == NULL) {
		fprintf(stderr, "ncimage verify: name an image, or give -d "
		    "EXP.db\n");
		usage_verify(stderr);
		return 2;
	}
	if (c->db != NULL && load_db(c->db, &v, &n) < 0)
		return 1;
	if (argc == 0) {
		for (i = 0; i < n; i++) {
			struct nci_entry e;

			if (v[i].url == NULL && v[i].sha256 == NULL &&
			    (nci_cache_stat(root, v[i].name, &e) < 0 ||
			    !e.cached))
				continue;	/* baked in, never fetched */
			bad |= verify_one(root, v[i].name, v[i].sha256);
		}
	}
	for (k = 0; k < argc; k++) {
		for (want = NULL, found = 0, i = 0; i < n && !found; i++)
			if ((found = strcmp(v[i].name, argv[k]) == 0))
				want = v[i].sha256;
		bad |= verify_one(root, argv[k], want);
	}
	free_imgs(v, n);
	return bad;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct common c = { NULL, NULL };
	const char *cmd;
	int ch, rc;

	/* Global options stop at the command word. */
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_CACHE:
			c.cache = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "list") == 0)
		return cmd_list(&c, argc, argv);
	if (strcmp(cmd, "verify") == 0)
		return cmd_verify(&c, argc, argv);
	if (strcmp(cmd, "fetch") == 0) {
		if (nci_fetch_init() < 0) {
			fprintf(stderr, "ncimage: cannot start libcurl\n");
			return 1;
		}
		rc = cmd_fetch(&c, argc, argv);
		nci_fetch_cleanup();
		return rc;
	}
	fprintf(stderr, "ncimage: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
