/*
 * up_hosts.h: the experiment's control names in the control node's
 * /etc/hosts (up_hosts.c), written by neoc up, removed by neoc down.
 */
#ifndef NEOC_UP_HOSTS_H
#define NEOC_UP_HOSTS_H

#include "up.h"

/* Write u's block: NODE and NODE.EXP.PROJ of each container of a pnode
 * that is this machine.  0, or -1 printed. */
int neoc_hosts_update(const struct neoc_up *u);
/* Remove the block of database db (absolute).  0, or -1 printed. */
int neoc_hosts_remove(const char *db, int quiet);

#endif
