/*
 * names.c: validation and mangling of names from user input.
 */
#include <ctype.h>
#include <string.h>

#include "names.h"
#include "util.h"

const char *
nc_name_problem(const char *s)
{
	size_t len = strlen(s), i;

	if (len == 0)
		return "is empty";
	if (len > NC_NAME_MAX)
		return "is longer than 63 characters";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80)
			return "contains a non-ASCII character";
		if (!isalnum(c) && c != '-')
			return "may hold only letters, digits and '-'";
	}
	if (s[0] == '-' || s[len - 1] == '-')
		return "may not start or end with '-'";
	return NULL;
}

int
nc_name_valid(const char *s)
{
	return nc_name_problem(s) == NULL;
}

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

int
nc_login_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > 32)
		return 0;
	if (!(islower((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(islower(c) || isdigit(c) || c == '_' || c == '-' ||
		    c == '.' || (c == '$' && i == len - 1)))
			return 0;
	}
	return 1;
}

int
nc_path_valid(const char *s)
{
	const char *p;

	if (s[0] != '/' || strlen(s) > 4095)
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f)
			return 0;
	for (p = s; (p = strstr(p, "/..")) != NULL; p += 3)
		if (p[3] == '/' || p[3] == '\0')
			return 0;
	return 1;
}
