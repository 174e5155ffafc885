/*
 * limes/limes.h - the whole public API of liblimes in one include.
 *
 * limes is an open border management and security platform.  The library
 * reads travel documents, screens travellers, keeps border records and
 * serves the HTTP API; the `limes` program is a thin layer over it.
 */
#ifndef LIMES_LIMES_H
#define LIMES_LIMES_H

#include "limes/audit.h"
#include "limes/border.h"
#include "limes/auth.h"
#include "limes/error.h"
#include "limes/mrz.h"
#include "limes/screen.h"
#include "limes/server.h"
#include "limes/stay.h"
#include "limes/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, e.g. "0.1.0". */
const char *limes_version(void);

#ifdef __cplusplus
}
#endif
#endif
