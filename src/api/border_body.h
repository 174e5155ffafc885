/*
 * border_body.h - request-body readers shared by the border routes
 * (border.c) and the first-line check routes (checks.c): the nested
 * "person" and "document" objects.  Each returns false after answering 400.
 */
#ifndef LIMES_API_BORDER_BODY_H
#define LIMES_API_BORDER_BODY_H

#include "http/http.h"
#include "limes/border.h"

bool api_body_person(http_req *r, limes_person *p);
bool api_body_document(http_req *r, limes_document_ref *d);
/* "codes": ["B","H"] or "B,H" into joined (n bytes); *out points at the text. */
bool api_body_codes(http_req *r, char *joined, size_t n, const char **out);

#endif
