/*
 * digest.h: SHA-256 of a file's bytes as hex (OpenSSL's libcrypto), for
 * the image cache and for installing ncprov on pnodes.
 */
#ifndef NC_DIGEST_H
#define NC_DIGEST_H

/* Hex digits of a SHA-256 and the NUL. */
#define NC_SHA256_HEX 65

/* SHA-256 of what fd gives until its end, as lowercase hex: 0, or -errno
 * (-EIO when libcrypto fails). */
int nc_sha256_fd(int fd, char hex[NC_SHA256_HEX]);

#endif
