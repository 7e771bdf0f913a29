/*
 * units.h: bandwidth, delay and loss values of NS files.
 *
 * Bandwidth: a number with one of b bps k kb kbps K Kb Kbps M Mb Mbps G Gb
 * Gbps (all bits), a bare number is bits/s, "*" is unlimited (0).  Stored in
 * kbit/s; under 10 kbit/s is an error.  Delay: a number with s, ms or ns, a
 * bare number is seconds; stored in ms.  Loss: a probability 0..1.
 */
#ifndef NC_UNITS_H
#define NC_UNITS_H

/* Each returns 0, or -1 with *why set to a static explanation. */
int nc_bandwidth_parse(const char *s, long *kbps, const char **why);
int nc_delay_parse(const char *s, double *ms, const char **why);
int nc_loss_parse(const char *s, double *loss, const char **why);

#endif
