/*
 * names.c: the experiment name of an NS variable name (names.h).
 */
#include <string.h>

#include "names.h"
#include "util.h"

int
nc_name_mangle(const char *s, char **out)
{
	size_t len = strlen(s), i, j = 0;
	char *d = nc_malloc(len + 1);
	int mapped = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '(' || c == ',') {
			d[j++] = '-';
		} else if (c == ')' && i == len - 1) {
			continue;
		} else if (c == '_' || c == '.') {
			d[j++] = '-';
			mapped = 1;
		} else {
			d[j++] = c;
		}
	}
	d[j] = '\0';
	*out = d;
	return mapped;
}
