/*
 * units.c: parsing the bandwidth, delay and loss values of NS files.
 *
 * A value is a plain decimal number (digits, an optional fraction and an
 * optional exponent; no sign, hex, "inf" or "nan") followed by a unit.  The
 * explanation of a failure is formatted into a per-thread buffer, so *why
 * stays valid until the next failed parse in the same thread.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

/* Longest input echoed in an explanation; longer ones are cut with "...". */
#define SHOW_MAX 40
/* Largest bandwidth accepted, kbit/s (1 Pbit/s): keeps the value a long. */
#define BW_MAX_KBPS 1e12

struct unit {
	const char *name;	/* the unit as written after the number */
	double scale;		/* its size in the parser's base unit */
};

/* Bandwidth units, scaled to bits/s. */
static const struct unit bw_units[] = {
	{ "b", 1 }, { "bps", 1 },
	{ "k", 1e3 }, { "kb", 1e3 }, { "kbps", 1e3 },
	{ "K", 1e3 }, { "Kb", 1e3 }, { "Kbps", 1e3 },
	{ "M", 1e6 }, { "Mb", 1e6 }, { "Mbps", 1e6 },
	{ "G", 1e9 }, { "Gb", 1e9 }, { "Gbps", 1e9 },
	{ NULL, 0 },
};

/* Delay units, scaled to milliseconds. */
static const struct unit delay_units[] = {
	{ "s", 1e3 }, { "ms", 1 }, { "ns", 1e-6 },
	{ NULL, 0 },
};

static _Thread_local char why_buf[256];

/* Copy s into buf (size n) for a message: escaped and cut to SHOW_MAX. */
static const char *
show(const char *s, char *buf, size_t n)
{
	size_t i, j = 0;

	for (i = 0; s[i] != '\0' && j + 8 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= SHOW_MAX) {
			memcpy(buf + j, "...", 3);
			j += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			j += (size_t)snprintf(buf + j, n - j, "\\x%02x", c);
		else
			buf[j++] = (char)c;
	}
	buf[j] = '\0';
	return buf;
}

/*
 * Parse the number at the start of s into *v and point *rest past it.
 * Returns 0, or -1 when s does not start with a number.  A leading '-' is
 * accepted so that the callers can say "negative" rather than "not a
 * number".
 */
static int
number(const char *s, double *v, const char **rest)
{
	const char *p = s;
	char tmp[128];
	size_t len;
	int digits = 0;

	if (*p == '-')
		p++;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (digits == 0)
		return -1;
	if ((*p == 'e' || *p == 'E') && (isdigit((unsigned char)p[1]) ||
	    ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
		p += 2;
		while (isdigit((unsigned char)*p))
			p++;
	}
	len = (size_t)(p - s);
	if (len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*v = strtod(tmp, NULL);
	*rest = p;
	return 0;
}

/* Parse "number unit" against the table; *scaled is the value times the
 * unit's scale (def when there is no unit). */
static int
with_unit(const char *what, const char *s, const struct unit *units,
    double def, double *scaled, const char **why)
{
	char b1[64], b2[64];
	const char *rest;
	double v, scale = def;
	size_t i;

	if (s[0] == '\0') {
		snprintf(why_buf, sizeof(why_buf), "empty %s", what);
		goto fail;
	}
	if (number(s, &v, &rest) < 0) {
		snprintf(why_buf, sizeof(why_buf), "%s \"%s\" is not a number",
		    what, show(s, b1, sizeof(b1)));
		goto fail;
	}
	if (*rest != '\0') {
		for (i = 0; units[i].name != NULL; i++)
			if (strcmp(rest, units[i].name) == 0)
				break;
		if (units[i].name == NULL) {
			snprintf(why_buf, sizeof(why_buf),
			    "unknown %s unit \"%s\" in \"%s\"", what,
			    show(rest, b1, sizeof(b1)),
			    show(s, b2, sizeof(b2)));
			goto fail;
		}
		scale = units[i].scale;
	}
	if (s[0] == '-' && v != 0) {
		snprintf(why_buf, sizeof(why_buf), "%s %s is negative", what,
		    show(s, b1, sizeof(b1)));
		goto fail;
	}
	v *= scale;
	if (!isfinite(v)) {
		snprintf(why_buf, sizeof(why_buf), "%s %s is too large", what,
		    show(s, b1, sizeof(b1)));
		goto fail;
	}
	*scaled = v == 0 ? 0 : v;	/* no -0 */
	return 0;
fail:
	*why = why_buf;
	return -1;
}

int
nc_bandwidth_parse(const char *s, long *kbps, const char **why)
{
	char b[64];
	double bits;

	if (strcmp(s, "*") == 0) {
		*kbps = 0;
		return 0;
	}
	if (with_unit("bandwidth", s, bw_units, 1, &bits, why) < 0)
		return -1;
	if (bits < 10000) {
		snprintf(why_buf, sizeof(why_buf),
		    "bandwidth %s is under 10 kbit/s", show(s, b, sizeof(b)));
		*why = why_buf;
		return -1;
	}
	if (bits / 1000 > BW_MAX_KBPS) {
		snprintf(why_buf, sizeof(why_buf), "bandwidth %s is too large",
		    show(s, b, sizeof(b)));
		*why = why_buf;
		return -1;
	}
	*kbps = lround(bits / 1000);
	return 0;
}

int
nc_delay_parse(const char *s, double *ms, const char **why)
{
	return with_unit("delay", s, delay_units, 1e3, ms, why);
}

int
nc_loss_parse(const char *s, double *loss, const char **why)
{
	char b[64];
	const char *rest;
	double v;

	if (s[0] == '\0') {
		snprintf(why_buf, sizeof(why_buf), "empty loss");
		goto fail;
	}
	if (number(s, &v, &rest) < 0 || *rest != '\0') {
		snprintf(why_buf, sizeof(why_buf),
		    "loss \"%s\" is not a number", show(s, b, sizeof(b)));
		goto fail;
	}
	if (!(v >= 0 && v <= 1)) {
		snprintf(why_buf, sizeof(why_buf),
		    "loss %s is not between 0 and 1", show(s, b, sizeof(b)));
		goto fail;
	}
	*loss = v == 0 ? 0 : v;
	return 0;
fail:
	*why = why_buf;
	return -1;
}
