/*
 * names.h: the experiment name of an NS variable name.  Whether a name is
 * valid is valid.h's (nc_valid_label).
 */
#ifndef NC_NAMES_H
#define NC_NAMES_H

/*
 * The experiment name for an NS variable name: array elements are mangled
 * ("n(3)" becomes "n-3", ",", "_" and "." become "-").  Returns a new string
 * in *out and 1 when it differs from s only by mapping '_' or '.', 0 when
 * only the array syntax was mangled; the caller validates the result.
 */
int nc_name_mangle(const char *s, char **out);

#endif
