/*
 * up_startcmd.h: neoc up --wait-startcmd (up_startcmd.c).
 */
#ifndef NEOC_UP_STARTCMD_H
#define NEOC_UP_STARTCMD_H

#include "up.h"

/* Wait until the start command of every ready container has ended: 0 when
 * each exited 0, 1 when one did not (each named on stderr) or the
 * database could not be read, 130 when interrupted. */
int neoc_up_wait_startcmd(const struct neoc_up *u);

#endif
