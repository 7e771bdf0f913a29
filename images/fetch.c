/*
 * fetch.c: downloading an image into the cache with libcurl.  The download
 * goes to box.part (resumed with a byte range when one is left over),
 * with connect and low-speed timeouts, only over http, https or file;
 * then its SHA-256 is checked and the file renamed into place atomically.
 * An flock(2) on box.lock makes parallel fetches of one image fetch once.
 * A file that turns out to be a Vagrant box catalog (JSON) is read and the
 * box it names for the wanted provider fetched in its place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "atomic.h"
#include "ncimage.h"
#include "util.h"
#include "valid.h"

/* The largest file still read as a possible catalog. */
#define CATALOG_MAX (4 << 20)

/* One transfer in progress. */
struct xfer {
	int fd;			/* box.part, opened O_APPEND */
	int werr;		/* errno of a failed write, or 0 */
	const char *name;	/* image name, for the progress line */
	long long offset;	/* bytes already in the .part */
	long long got;		/* bytes written by this transfer */
	int progress;		/* 1: draw progress on stderr */
	int drawn;		/* 1: a progress line is on screen */
	double last;		/* monotonic time of the last draw */
};

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

int
nci_fetch_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

void
nci_fetch_cleanup(void)
{
	curl_global_cleanup();
}

static size_t
on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * nmemb, done = 0;
	ssize_t n;

	while (done < len) {
		n = write(x->fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			x->werr = errno;
			return 0;	/* curl fails with CURLE_WRITE_ERROR */
		}
		done += (size_t)n;
	}
	x->got += (long long)len;
	return len;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
human(char *out, size_t n, long long bytes)
{
	if (bytes >= 1LL << 30)
		snprintf(out, n, "%.1f GiB", (double)bytes / (1 << 30));
	else if (bytes >= 1 << 20)
		snprintf(out, n, "%.1f MiB", (double)bytes / (1 << 20));
	else if (bytes >= 1 << 10)
		snprintf(out, n, "%.1f KiB", (double)bytes / (1 << 10));
	else
		snprintf(out, n, "%lld B", bytes);
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;
	char have[32], all[32];
	double t = now();

	(void)ultotal;
	(void)ulnow;
	if (!x->progress || t - x->last < 0.25)
		return 0;
	x->last = t;
	human(have, sizeof(have), x->offset + (long long)dlnow);
	if (dltotal > 0) {
		long long total = x->offset + (long long)dltotal;

		human(all, sizeof(all), total);
		fprintf(stderr, "\r%s: %s / %s (%3d%%)  ", x->name, have, all,
		    (int)(100 * (x->offset + (long long)dlnow) / total));
	} else {
		fprintf(stderr, "\r%s: %s  ", x->name, have);
	}
	x->drawn = 1;
	return 0;
}

/*
 * Download url into the open part file (appending; resuming at its size
 * when resume is set).  Returns 0, -EAGAIN when the server cannot resume
 * (the caller truncates and retries), or another negative errno.
 */
static int
download(const char *name, const char *url, int fd, int resume,
    const struct nci_fetch_opts *o, struct nci_fetch_result *r,
    char *err, size_t errsz)
{
	char cerr[CURL_ERROR_SIZE] = "";
	struct xfer x;
	struct stat st;
	CURL *c = NULL;
	CURLcode cc;
	long code = 0;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	x.fd = fd;
	x.name = name;
	x.progress = o->progress;
	if (fstat(fd, &st) < 0)
		return -errno;
	x.offset = resume ? (long long)st.st_size : 0;
	if ((c = curl_easy_init()) == NULL) {
		seterr(err, errsz, "cannot start libcurl");
		return -ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "ncimage/1 (neo-containers)");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    o->connect_timeout > 0 ? o->connect_timeout : 15L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
	    o->stall_time > 0 ? o->stall_time : 60L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT,
	    o->stall_bytes > 0 ? o->stall_bytes : 1024L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	if (x.offset > 0) {
		curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE,
		    (curl_off_t)x.offset);
		r->resumed = 1;
		r->offset = x.offset;
		if (!o->quiet)
			fprintf(stderr, "%s: resuming at byte %lld\n", name,
			    x.offset);
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (x.drawn) {
		char have[32];

		human(have, sizeof(have), x.offset + x.got);
		fprintf(stderr, "\r%s: %s%s\n", name, have, cc == CURLE_OK ?
		    ", done                 " : "                       ");
	}
	r->bytes += x.got;
	if (cc == CURLE_OK)
		goto cleanup;
	if (x.offset > 0 && (cc == CURLE_RANGE_ERROR ||
	    cc == CURLE_BAD_DOWNLOAD_RESUME ||
	    (cc == CURLE_HTTP_RETURNED_ERROR && code == 416))) {
		rc = -EAGAIN;
		goto cleanup;
	}
	if (cc == CURLE_HTTP_RETURNED_ERROR)
		seterr(err, errsz, "%s: HTTP %ld", url, code);
	else if (cc == CURLE_WRITE_ERROR && x.werr != 0)
		seterr(err, errsz, "writing the download: %s",
		    strerror(x.werr));
	else
		seterr(err, errsz, "%s: %s", url,
		    cerr[0] ? cerr : curl_easy_strerror(cc));
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		rc = -ETIMEDOUT;
		break;
	case CURLE_COULDNT_CONNECT:
		rc = -ECONNREFUSED;
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		rc = -EHOSTUNREACH;
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		rc = -EPROTONOSUPPORT;
		break;
	case CURLE_HTTP_RETURNED_ERROR:
	case CURLE_FILE_COULDNT_READ_FILE:
		rc = code == 404 || cc == CURLE_FILE_COULDNT_READ_FILE ?
		    -ENOENT : -EIO;
		break;
	default:
		rc = -EIO;
	}
cleanup:
	curl_easy_cleanup(c);
	return rc;
}

/* Fetch url into part completely (resuming, restarting if it must). */
static int
fetch_part(const char *name, const char *url, const char *part,
    const struct nci_fetch_opts *o, struct nci_fetch_result *r,
    char *err, size_t errsz)
{
	int fd, rc;

	fd = open(part, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		seterr(err, errsz, "%s: %s", part, strerror(errno));
		return rc;
	}
	rc = download(name, url, fd, 1, o, r, err, errsz);
	if (rc == -EAGAIN) {
		if (!o->quiet)
			fprintf(stderr, "%s: the server cannot resume; "
			    "starting over\n", name);
		r->resumed = 0;
		r->offset = 0;
		if (ftruncate(fd, 0) < 0) {
			rc = -errno;
			seterr(err, errsz, "%s: %s", part, strerror(errno));
			goto cleanup;
		}
		rc = download(name, url, fd, 0, o, r, err, errsz);
	}
	if (rc == 0 && fsync(fd) < 0) {
		rc = -errno;
		seterr(err, errsz, "%s: %s", part, strerror(errno));
	}
cleanup:
	close(fd);
	return rc;
}

/* If part is a box catalog, fetch the box it names over it. */
static int
follow_catalog(const char *name, const char *part,
    const struct nci_fetch_opts *o, struct nci_fetch_result *r,
    char **version, const char **want, char **catsha,
    char *err, size_t errsz)
{
	struct nci_pick pk;
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int rc = 0;

	if (stat(part, &st) < 0 || st.st_size > CATALOG_MAX)
		return 0;
	if (nci_read_file(part, CATALOG_MAX, &text, &len) < 0 ||
	    !nci_is_catalog(text, len))
		goto cleanup;
	rc = nci_catalog_pick(text, len, o->provider, &pk, err, errsz);
	if (rc < 0)
		goto cleanup;
	if (nc_valid_url(pk.url, NULL) < 0) {
		seterr(err, errsz, "the box catalog names a bad URL");
		rc = -EINVAL;
		nci_pick_free(&pk);
		goto cleanup;
	}
	if (!o->quiet)
		fprintf(stderr, "%s: box catalog: version %s, provider %s\n",
		    name, pk.version, pk.provider);
	if (unlink(part) < 0) {
		rc = -errno;
		seterr(err, errsz, "%s: %s", part, strerror(errno));
		nci_pick_free(&pk);
		goto cleanup;
	}
	rc = fetch_part(name, pk.url, part, o, r, err, errsz);
	*version = pk.version;
	pk.version = NULL;
	if (*want == NULL && pk.sha256 != NULL) {
		*catsha = pk.sha256;
		*want = *catsha;
		pk.sha256 = NULL;
	}
	nci_pick_free(&pk);
cleanup:
	free(text);
	return rc;
}

/* Read the box's metadata.json and keep a copy in the cache. */
static void
read_meta(const char *root, const char *name, const char *box,
    const struct nci_fetch_opts *o, struct nci_meta *m)
{
	char *json = NULL, *copy = nci_cache_path(root, name,
	    "metadata.json");
	size_t len = 0;

	if (nci_box_metadata(box, &json, &len) < 0 ||
	    nci_meta_parse(json, len, m) < 0) {
		if (!o->quiet)
			fprintf(stderr, "%s: warning: no metadata.json in the "
			    "downloaded file (not a Vagrant box?)\n", name);
		goto cleanup;
	}
	if (nc_atomic_write(copy, json, len, NULL, NULL, 0) < 0 &&
	    !o->quiet)
		fprintf(stderr, "%s: warning: cannot save %s\n", name, copy);
cleanup:
	free(json);
	free(copy);
}

/* The metadata.json copy of a cached image, if any. */
static void
cached_meta(const char *root, const char *name, struct nci_meta *m)
{
	char *path = nci_cache_path(root, name, "metadata.json"), *json;
	size_t len;

	if (nci_read_file(path, 1 << 20, &json, &len) == 0) {
		nci_meta_parse(json, len, m);
		free(json);
	}
	free(path);
}

/* Take box.lock, waiting (and saying so) while another fetch holds it. */
static int
lock_image(const char *root, const char *name, int quiet, char *err,
    size_t errsz)
{
	char *path = nci_cache_path(root, name, "box.lock");
	int fd, rc;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		seterr(err, errsz, "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		goto cleanup;
	if (errno == EWOULDBLOCK && !quiet)
		fprintf(stderr, "%s: another fetch is running; waiting\n",
		    name);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		rc = -errno;
		seterr(err, errsz, "%s: lock: %s", path, strerror(errno));
		close(fd);
		fd = rc;
		break;
	}
cleanup:
	free(path);
	return fd;
}

/*
 * A .part left by a fetch from another URL is not resumed: box.url names
 * the URL the .part comes from (a .part without it is resumed).
 */
static void
forget_other_part(const char *root, const char *name, const char *url,
    const char *part, int quiet)
{
	char *path = nci_cache_path(root, name, "box.url"), *old = NULL;

	if (nci_read_file(path, 4096, &old, NULL) == 0 &&
	    strcmp(old, url) != 0 && access(part, F_OK) == 0) {
		if (!quiet)
			fprintf(stderr, "%s: the partial download came from "
			    "%s; starting over\n", name, old);
		unlink(part);
	}
	nc_atomic_write(path, url, strlen(url), NULL, NULL, 0);
	free(old);
	free(path);
}

/* 1 when the cache holds name (with checksum want, if not NULL). */
static int
check_cached(const char *root, const char *name, const char *box,
    const char *want, struct nci_fetch_result *r, int quiet)
{
	char hex[NCI_SHA256_HEX];

	if (access(box, F_OK) != 0)
		return 0;
	if (nci_cache_read_sha(root, name, hex) < 0) {
		if (nci_sha256_file(box, hex) < 0)
			return 0;
		nci_cache_write_sha(root, name, hex);
	}
	if (want != NULL && strcasecmp(want, hex) != 0) {
		if (!quiet)
			fprintf(stderr, "%s: the cached file has sha256 %s, "
			    "not %s: fetching again\n", name, hex, want);
		return 0;
	}
	memcpy(r->sha256, hex, sizeof(hex));
	r->cached = 1;
	cached_meta(root, name, &r->meta);
	return 1;
}

int
nci_fetch(const char *root, const char *name, const char *url,
    const struct nci_fetch_opts *o, struct nci_fetch_result *r,
    char *err, size_t errsz)
{
	char *box = NULL, *part = NULL, *version = NULL, *catsha = NULL;
	const char *want = o->sha256, *why;
	char hex[NCI_SHA256_HEX];
	int lock = -1, rc;

	memset(r, 0, sizeof(*r));
	err[0] = '\0';
	if (nc_valid_image_name(name, &why) < 0) {
		seterr(err, errsz, "image name \"%s\" %s", name, why);
		return -EINVAL;
	}
	if (nc_valid_url(url, &why) < 0) {
		seterr(err, errsz, "\"%s\" %s", url, why);
		return -EINVAL;
	}
	if (want != NULL && nc_valid_sha256(want, &why) < 0) {
		seterr(err, errsz, "SHA-256 \"%s\" %s", want, why);
		return -EINVAL;
	}
	if ((rc = nci_cache_mkdir(root, name)) < 0) {
		seterr(err, errsz, "%s: cannot create the cache: %s", root,
		    strerror(-rc));
		return rc;
	}
	box = nci_cache_path(root, name, "box");
	part = nci_cache_path(root, name, "box.part");
	if ((lock = lock_image(root, name, o->quiet, err, errsz)) < 0) {
		rc = lock;
		goto cleanup;
	}
	if (check_cached(root, name, box, want, r, o->quiet)) {
		rc = 0;
		goto cleanup;
	}
	forget_other_part(root, name, url, part, o->quiet);
	if ((rc = fetch_part(name, url, part, o, r, err, errsz)) < 0)
		goto cleanup;
	rc = follow_catalog(name, part, o, r, &version, &want, &catsha, err,
	    errsz);
	if (rc < 0)
		goto cleanup;
	if ((rc = nci_sha256_file(part, hex)) < 0) {
		seterr(err, errsz, "%s: %s", part, strerror(-rc));
		goto cleanup;
	}
	if (want != NULL && strcasecmp(want, hex) != 0) {
		seterr(err, errsz, "checksum mismatch: the download has "
		    "sha256 %s, expected %s", hex, want);
		unlink(part);
		rc = -EBADMSG;
		goto cleanup;
	}
	if ((rc = nci_cache_write_sha(root, name, hex)) < 0 ||
	    rename(part, box) < 0) {
		rc = rc < 0 ? rc : -errno;
		seterr(err, errsz, "%s: %s", box, strerror(-rc));
		goto cleanup;
	}
	memcpy(r->sha256, hex, sizeof(hex));
	read_meta(root, name, box, o, &r->meta);
	if (r->meta.version == NULL && version != NULL) {
		r->meta.version = version;
		version = NULL;
	}
cleanup:
	if (lock >= 0)
		close(lock);	/* releases the flock */
	free(version);
	free(catsha);
	free(box);
	free(part);
	return rc;
}
