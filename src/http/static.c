/*
 * static.c - serves the web interface's files from web_dir for GET
 * requests outside /v1.  Paths with ".." or hidden segments are refused;
 * "/" and unknown paths without a dot serve index.html, so the browser-side
 * router can own its URLs.
 */
#include <stdio.h>
#include <string.h>

#include "server_int.h"

static const struct {
    const char *ext, *type;
} mime_types[] = {
    {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},         {".svg", "image/svg+xml"},
    {".png", "image/png"},                 {".woff2", "font/woff2"},
    {".woff", "font/woff"},                {".ttf", "font/ttf"},
    {".otf", "font/otf"},                  {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *mime_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof mime_types / sizeof mime_types[0]; i++)
        if (strcmp(dot, mime_types[i].ext) == 0)
            return mime_types[i].type;
    return "application/octet-stream";
}

static bool safe_path(const char *p)
{
    return strstr(p, "..") == NULL && strstr(p, "/.") == NULL && strchr(p, '\\') == NULL;
}

bool static_serve(http_req *r, const char *web_dir)
{
    const char *path = http_path(r);
    bool get = strcmp(http_method(r), "GET") == 0 || strcmp(http_method(r), "HEAD") == 0;
    if (!web_dir || !get || strncmp(path, "/v1/", 4) == 0 || !safe_path(path))
        return false;
    const char *last = strrchr(path, '/');
    bool has_ext = last && strchr(last, '.');
    char file[1024];
    snprintf(file, sizeof file, "%s%s", web_dir, has_ext ? path : "/index.html");
    FILE *f = fopen(file, "rb");
    if (!f)
        return false;
    buf b;
    buf_init(&b, 32u << 20);
    char chunk[16384];
    size_t n;
    limes_rc rc = LIMES_OK;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_append(&b, chunk, n);
    fclose(f);
    if (!rc) {
        http_raw(r, 200, mime_for(file), buf_str(&b), b.len);
        http_add_header(r, "Cache-Control", has_ext ? "public, max-age=300" : "no-cache");
    }
    buf_release(&b);
    return !rc;
}
