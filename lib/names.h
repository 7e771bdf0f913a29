/*
 * names.h: names that reach DNS, filenames, interface names and commands.
 * A valid name is a DNS label: 1..63 bytes of ASCII letters, digits and '-',
 * not starting or ending with '-'.
 */
#ifndef NC_NAMES_H
#define NC_NAMES_H

#include <stddef.h>

#define NC_NAME_MAX 63

/* 1 when s is a valid DNS label. */
int nc_name_valid(const char *s);
/* Why s is not a valid label (a static string), or NULL when it is. */
const char *nc_name_problem(const char *s);
/*
 * The experiment name for an NS variable name: array elements are mangled
 * ("n(3)" becomes "n-3", ",", "_" and "." become "-").  Returns a new string
 * in *out and 1 when it differs from s only by mapping '_' or '.', 0 when
 * only the array syntax was mangled; the caller validates the result.
 */
int nc_name_mangle(const char *s, char **out);
/* 1 when s is a safe user or group name: [a-z_][a-z0-9_-]{0,31}, or "-" */
int nc_login_valid(const char *s);
/* 1 when s is a safe absolute path: starts with '/', no "..", no control
 * characters or spaces. */
int nc_path_valid(const char *s);

#endif
