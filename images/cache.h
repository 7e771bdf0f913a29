/*
 * cache.h: the image cache of ncimage.  One directory per image under the
 * cache root (/var/cache/neoc/images, or NCIMAGE_CACHE, or --cache DIR),
 * named by a reversible, injective mapping of the image name ("ubuntu/
 * trusty64" -> "ubuntu--trusty64"), holding:
 *
 *   box             the downloaded file (a Vagrant .box), complete and checked
 *   box.part        a download in progress (resumed by the next fetch)
 *   box.sha256      its checksum, in sha256sum(1) format ("HEX  box")
 *   box.lock        flock(2)ed by a fetch, so parallel fetches fetch once
 *   box.url         the URL of the last fetch (a .part from another URL is
 *                   not resumed)
 *   metadata.json   a copy of the box's metadata.json (provider, version)
 *
 * Functions return 0 or a negative errno.
 */
#ifndef NCI_CACHE_H
#define NCI_CACHE_H

#include <stddef.h>

/* Default cache root. */
#define NCI_CACHE_DEFAULT "/var/cache/neoc/images"
/* Hex digits of a SHA-256, plus the NUL. */
#define NCI_SHA256_HEX 65

/* What the cache holds for one image. */
struct nci_entry {
	int cached;			/* 1: box present */
	long long size;			/* box size in bytes (-1: absent) */
	long long part;			/* box.part size (-1: absent) */
	char sha256[NCI_SHA256_HEX];	/* recorded checksum ("" if none) */
};

/* The cache root: opt if not NULL, else $NCIMAGE_CACHE, else the default. */
const char *nci_cache_root(const char *opt);
/*
 * The cache directory name of an image: '/' becomes "--", and a '-' next
 * to another '-' or to a '/' becomes "%2d", so the mapping is injective.
 * Returns 0, -EINVAL (not an image name: nc_valid_image_name) or
 * -ENAMETOOLONG.
 */
int nci_cache_key(const char *name, char *out, size_t outsz);
/* The inverse of nci_cache_key; -EINVAL when key is no image's key. */
int nci_cache_unkey(const char *key, char *out, size_t outsz);
/* "ROOT/KEY/file" (file may be NULL: the directory), malloc'd, or NULL
 * when name is not valid. */
char *nci_cache_path(const char *root, const char *name, const char *file);
/* Create ROOT/KEY (and ROOT) if missing. */
int nci_cache_mkdir(const char *root, const char *name);
/* The state of name in the cache. */
int nci_cache_stat(const char *root, const char *name, struct nci_entry *e);

/* SHA-256 (OpenSSL EVP) of a file as lowercase hex. */
int nci_sha256_file(const char *path, char hex[NCI_SHA256_HEX]);
/* Read / atomically write box.sha256; read gives -ENOENT when absent. */
int nci_cache_read_sha(const char *root, const char *name,
    char hex[NCI_SHA256_HEX]);
int nci_cache_write_sha(const char *root, const char *name,
    const char *hex);
/* Read a whole (small) file into a malloc'd NUL-terminated string. */
int nci_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
