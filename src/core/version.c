/* version.c - the library version, set by the build. */
#include "limes/limes.h"

const char *limes_version(void) { return LIMES_VERSION; }
