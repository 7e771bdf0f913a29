/*
 * ncimage.h: reading Vagrant boxes and box catalogs (box.c) and fetching
 * images into the cache (fetch.c).  Functions return 0 or a negative errno;
 * a failure also leaves a one-line reason in the caller's err buffer.
 */
#ifndef NCI_NCIMAGE_H
#define NCI_NCIMAGE_H

#include <stddef.h>

#include "cache.h"

/* What a box's metadata.json says. */
struct nci_meta {
	char *provider;		/* "provider", malloc'd or NULL */
	char *version;		/* "version" if the box names one, or NULL */
};

/* One box chosen from a Vagrant box catalog ({"versions": [...]}). */
struct nci_pick {
	char *version;		/* the chosen version (the highest) */
	char *provider;		/* its provider */
	char *url;		/* the box's URL */
	char *sha256;		/* its checksum when checksum_type is sha256 */
};

/* Parse metadata.json text. -EINVAL when it is not a JSON object. */
int nci_meta_parse(const char *json, size_t len, struct nci_meta *m);
void nci_meta_free(struct nci_meta *m);
/*
 * Extract metadata.json from the box at path with `tar -xOf PATH
 * metadata.json` (an argument vector, no shell; "./metadata.json" too).
 * On success *json is the malloc'd text.  -ENOENT when the box has none.
 */
int nci_box_metadata(const char *path, char **json, size_t *len);
/* 1 when text (a downloaded file's head) looks like a box catalog. */
int nci_is_catalog(const char *text, size_t len);
/*
 * Choose from a box catalog the highest version with a box for provider
 * (any provider when NULL).  -ENOENT when none fits, -EINVAL when text is
 * not a catalog.
 */
int nci_catalog_pick(const char *json, size_t len, const char *provider,
    struct nci_pick *p, char *err, size_t errsz);
void nci_pick_free(struct nci_pick *p);
/* Compare dotted versions numerically ("1.10" > "1.9"); <0, 0, >0. */
int nci_version_cmp(const char *a, const char *b);

/* How to fetch. */
struct nci_fetch_opts {
	const char *sha256;	/* the expected checksum, or NULL */
	const char *provider;	/* the provider to pick from a catalog */
	long connect_timeout;	/* seconds to connect (0: 15) */
	long stall_time;	/* abort after this many seconds below */
	long stall_bytes;	/* ... this many bytes/s (0: 60 s, 1 KiB/s) */
	int progress;		/* 1: show bytes / total on stderr */
	int quiet;		/* 1: no notes on stderr (waiting, resuming) */
};

/* What a fetch did. */
struct nci_fetch_result {
	int cached;			/* 1: was already cached */
	int resumed;			/* 1: continued a .part */
	long long offset;		/* bytes the .part held before */
	long long bytes;		/* bytes downloaded now */
	char sha256[NCI_SHA256_HEX];	/* the cached file's checksum */
	struct nci_meta meta;		/* its metadata.json, if any */
};

/* Call once before nci_fetch (curl_global_init), and the cleanup after. */
int nci_fetch_init(void);
void nci_fetch_cleanup(void);
/*
 * Fetch url into the cache as image name, unless it is there already (with
 * the expected checksum when one is given).  Parallel calls for one name
 * (threads or processes) serialise on box.lock: the later ones find the
 * image cached.  r is filled on success; free r->meta with nci_meta_free.
 */
int nci_fetch(const char *root, const char *name, const char *url,
    const struct nci_fetch_opts *o, struct nci_fetch_result *r,
    char *err, size_t errsz);

#endif
