/* What the collectives (collectives.c) need of the Portals library (portals.c). */
#ifndef UNIFORM_PORTALS_INTERNAL_H
#define UNIFORM_PORTALS_INTERNAL_H

#include <portals.h>

/* The interface block while it is live and the library initialized, else NULL. */
struct uk_ptl_ni *__uk_ptl_live_ni(void);

#endif
