/*
 * inet.c: IPv4 and MAC address text forms.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"

int
nc_ip_parse(const char *s, uint32_t *ip)
{
	uint32_t v = 0;
	int part, digits, n;

	for (part = 0; part < 4; part++) {
		n = 0;
		digits = 0;
		if (s[0] == '0' && isdigit((unsigned char)s[1]))
			return -1;
		while (isdigit((unsigned char)*s)) {
			n = n * 10 + (*s++ - '0');
			if (++digits > 3)
				return -1;
		}
		if (digits == 0 || n > 255)
			return -1;
		v = v << 8 | (uint32_t)n;
		if (part < 3 && *s++ != '.')
			return -1;
	}
	if (*s != '\0')
		return -1;
	*ip = v;
	return 0;
}

char *
nc_ip_format(uint32_t ip, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
	    (ip >> 8) & 255, ip & 255);
	return buf;
}

int
nc_mask_prefix(uint32_t mask)
{
	int n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	if (n < 32 && (mask << n) != 0)
		return -1;
	return n;
}

int
nc_mask_parse(const char *s, uint32_t *mask)
{
	char *end;
	long n;

	if (s[0] == '/') {
		if (!isdigit((unsigned char)s[1]))
			return -1;
		n = strtol(s + 1, &end, 10);
		if (*end != '\0' || n < 0 || n > 32)
			return -1;
		*mask = n == 0 ? 0 : 0xffffffffu << (32 - n);
		return 0;
	}
	if (nc_ip_parse(s, mask) < 0 || nc_mask_prefix(*mask) < 0)
		return -1;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
nc_mac_parse(const char *s, uint8_t mac[6])
{
	size_t len = strlen(s);
	int i, hi, lo, colons = len == 17;

	if (len != 12 && len != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		hi = hexval((unsigned char)s[0]);
		lo = hexval((unsigned char)s[1]);
		if (hi < 0 || lo < 0)
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (colons && i < 5 && *s++ != ':')
			return -1;
	}
	return *s == '\0' ? 0 : -1;
}

char *
nc_mac_format(const uint8_t mac[6], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
	    mac[2], mac[3], mac[4], mac[5]);
	return buf;
}
