/*
 * inet.h: IPv4 addresses, netmasks and MAC addresses as text.
 */
#ifndef NC_INET_H
#define NC_INET_H

#include <stdint.h>

/* Parse dotted-quad a.b.c.d (exactly four decimal parts 0..255, no
 * leading zeros beyond "0").  Returns 0 and sets *ip (host order), or -1. */
int nc_ip_parse(const char *s, uint32_t *ip);
/* Format ip (host order) into buf (at least 16 bytes); returns buf. */
char *nc_ip_format(uint32_t ip, char *buf);
/* Parse a netmask: dotted quad with contiguous ones, or "/N".  Returns 0. */
int nc_mask_parse(const char *s, uint32_t *mask);
/* Prefix length of a contiguous mask, or -1 if not contiguous. */
int nc_mask_prefix(uint32_t mask);
/* Parse "aa:bb:cc:dd:ee:ff" or 12 hex digits.  Returns 0 or -1. */
int nc_mac_parse(const char *s, uint8_t mac[6]);
/* Format mac as "aa:bb:cc:dd:ee:ff" into buf (at least 18 bytes). */
char *nc_mac_format(const uint8_t mac[6], char *buf);

#endif
