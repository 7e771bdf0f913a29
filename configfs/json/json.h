/*
 * json.h: the experiment as JSON (docs/DESIGN.md, "JSON export"), both ways.
 */
#ifndef NC_JSON_H
#define NC_JSON_H

#include <jansson.h>

#include "diag.h"
#include "model.h"

/* Flags for nc_json_dump. */
#define NC_JSON_SECRETS 1	/* include password hashes */

/* The experiment as a JSON value (caller json_decref()s it). */
json_t *nc_json_export(const struct nc_exp *e, int flags);
/* Print the export to f: indented, keys in a fixed order, newline at the
 * end.  Returns 0 or -1. */
int nc_json_dump(const struct nc_exp *e, int flags, FILE *f);
/*
 * Fill e (initialised, empty) from a JSON document of the export shape.
 * Every value is validated (names, addresses, roles, numbers); the first
 * problem is recorded in d as "file: path.to.field: reason".  Returns 0/-1.
 */
int nc_json_import(json_t *root, struct nc_exp *e, struct nc_diag *d);
/* Read and import a JSON file. */
int nc_json_import_file(const char *path, struct nc_exp *e, struct nc_diag *d);

#endif
