/*
 * load.c - HTTP load generator for the first-line check benchmark (issue 5):
 * what "200 booths" means, measured without coordinated omission.
 *
 * Each of C keep-alive connections is one booth: it sends one POST, waits
 * for the whole response, then sends the next (HTTP/1.1, no pipelining).
 * Bodies are taken in turn from a file of JSON bodies, one a line
 * (gen.py bodies ... OUT.jsonl).  Two modes:
 *   closed loop (no -r): each connection sends its next request as soon as
 *     the previous answer is in: the server's maximum throughput;
 *   open loop (-r RATE): requests are DUE at a fixed total rate, RATE/C per
 *     connection, staggered across connections.  A connection still busy
 *     when its next request is due sends it as soon as it is free, and the
 *     latency of every request counts from the time it was DUE, not from
 *     when it could be sent: a stalled server shows as latency, not as
 *     fewer samples (wrk measures from the actual send and so omits the
 *     queue that builds while the server stalls).
 * Requests due within the run are all waited for (up to 10 s after it);
 * those still unanswered then count as timeouts.  Prints one JSON line:
 * completed requests, rate, p50/p90/p99/max latency, status classes,
 * errors, and this program's own CPU seconds (it shares the machine).
 *
 * -o TRACE writes one line per answered request: its due time, when its
 * last byte was sent, when the answer's first byte and last byte came in
 * (ms since the start), the connection and the status - where a slow
 * request spent its time.
 *
 * usage: load [-c CONNS] [-d SECONDS] [-r RATE] [-o TRACE] -t TOKEN -b BODIES URL
 * URL: http://HOST:PORT/PATH (HOST numeric or resolvable).  C only, no
 * dependencies: cc -O2 -std=c17 -D_GNU_SOURCE load.c -lm -o load
 */
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GRACE_S 10.0
#define RECV_CHUNK 65536

struct request {
    char *text;
    size_t len;
};

struct conn {
    int fd;
    int index;
    bool busy;           /* a request is on the wire or its answer is awaited */
    double due;          /* when the request in flight was due (its latency's start) */
    double next_due;     /* open loop: when this connection's next request is due */
    double sent_at;      /* when its last byte went out (-o trace) */
    double first_at;     /* when the answer's first byte came in (-o trace) */
    const struct request *req;
    size_t sent;
    char *in;            /* the answer so far */
    size_t in_len, in_cap;
};

struct stats {
    double *lat_ms;
    size_t n, cap;
    long status[6];      /* by hundreds: [2] = 2xx ... */
    long errors;         /* connection errors and malformed answers */
    long timeouts;       /* due within the run, unanswered after the grace period */
};

struct options {
    int conns;
    double seconds, rate;
    const char *token, *bodies, *url;
    const char *trace;   /* -o FILE: one line per answered request */
};

static FILE *trace;
static double start_time;

static struct request *requests;
static size_t nrequests, next_request;
static struct addrinfo *server_addr;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void add_latency(struct stats *st, double ms)
{
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 65536;
        st->lat_ms = realloc(st->lat_ms, st->cap * sizeof *st->lat_ms);
        if (!st->lat_ms)
            die("realloc");
    }
    st->lat_ms[st->n++] = ms;
}

/* Split http://HOST:PORT/PATH; resolves HOST into server_addr. */
static const char *parse_url(const char *url)
{
    if (strncmp(url, "http://", 7) != 0) {
        fprintf(stderr, "load: only http:// URLs\n");
        exit(2);
    }
    const char *host = url + 7, *path = strchr(host, '/');
    const char *colon = memchr(host, ':', path ? (size_t)(path - host) : strlen(host));
    char name[256], port[16] = "80";
    size_t hlen = (size_t)((colon ? colon : path ? path : host + strlen(host)) - host);
    if (hlen >= sizeof name)
        exit(2);
    memcpy(name, host, hlen);
    name[hlen] = '\0';
    if (colon)
        snprintf(port, sizeof port, "%.*s", (int)((path ? path : colon + strlen(colon)) - colon - 1),
                 colon + 1);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    if (getaddrinfo(name, port, &hints, &server_addr) != 0) {
        fprintf(stderr, "load: cannot resolve %s\n", name);
        exit(2);
    }
    return path ? path : "/";
}

/* One full request per body line, made once. */
static void load_requests(const struct options *o, const char *path)
{
    FILE *f = fopen(o->bodies, "r");
    if (!f)
        die(o->bodies);
    const char *host = o->url + 7;
    size_t hostlen = strcspn(host, "/");
    char *line = NULL;
    size_t cap = 0, have = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (nrequests == have) {
            have = have ? have * 2 : 1024;
            requests = realloc(requests, have * sizeof *requests);
            if (!requests)
                die("realloc");
        }
        struct request *r = &requests[nrequests++];
        size_t room = (size_t)len + strlen(o->token) + strlen(path) + hostlen + 256;
        r->text = malloc(room);
        if (!r->text)
            die("malloc");
        r->len = (size_t)snprintf(r->text, room,
                                  "POST %s HTTP/1.1\r\nHost: %.*s\r\nContent-Type: application/json\r\n"
                                  "Authorization: Bearer %s\r\nContent-Length: %zd\r\n\r\n%s",
                                  path, (int)hostlen, host, o->token, len, line);
    }
    free(line);
    fclose(f);
    if (nrequests == 0) {
        fprintf(stderr, "load: no bodies in %s\n", o->bodies);
        exit(2);
    }
}

static void conn_open(struct conn *c, int ep)
{
    c->fd = socket(server_addr->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, server_addr->ai_addr, server_addr->ai_addrlen) != 0 && errno != EINPROGRESS)
        die("connect");
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0)
        die("epoll_ctl");
    c->in_len = 0;
    c->sent = 0;
}

/* Drop the connection (after an error or the server's close) and open a new one. */
static void conn_reset(struct conn *c, int ep, struct stats *st)
{
    if (c->busy)
        st->errors++;
    c->busy = false;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    conn_open(c, ep);
}

static void conn_send(struct conn *c, struct stats *st, int ep)
{
    while (c->sent < c->req->len) {
        ssize_t n = send(c->fd, c->req->text + c->sent, c->req->len - c->sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return;
            conn_reset(c, ep, st);
            return;
        }
        c->sent += (size_t)n;
        if (c->sent == c->req->len)
            c->sent_at = now_s();
    }
}

static void start_request(struct conn *c, double due, struct stats *st, int ep)
{
    c->req = &requests[next_request++ % nrequests];
    c->sent = 0;
    c->in_len = 0;
    c->due = due;
    c->busy = true;
    conn_send(c, st, ep);
}

/* Case-insensitive search for a header's value in the head; NULL if absent. */
static const char *header(const char *head, size_t head_len, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = head; p + nl < head + head_len; p++) {
        if ((p == head || p[-1] == '\n') && strncasecmp(p, name, nl) == 0 && p[nl] == ':')
            return p + nl + 1;
    }
    return NULL;
}

/* Length of the chunked body in buf[0..len), or 0 when it is not complete yet. */
static size_t chunked_length(const char *buf, size_t len)
{
    size_t pos = 0;
    for (;;) {
        const char *eol = memmem(buf + pos, len - pos, "\r\n", 2);
        if (!eol)
            return 0;
        size_t size = strtoul(buf + pos, NULL, 16);
        pos = (size_t)(eol - buf) + 2;
        if (size == 0) {
            const char *end = memmem(buf + pos - 2, len - pos + 2, "\r\n\r\n", 4);
            return end ? (size_t)(end - buf) + 4 : 0;
        }
        if (pos + size + 2 > len)
            return 0;
        pos += size + 2;
    }
}

/*
 * If c->in holds a whole answer, return its length and set *status and
 * *closing; 0 if more is needed.
 */
static size_t complete_answer(const struct conn *c, int *status, bool *closing)
{
    const char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head_len = (size_t)(end - c->in) + 4;
    *status = c->in_len > 12 ? atoi(c->in + 9) : 0;
    const char *conn_hdr = header(c->in, head_len, "Connection");
    *closing = conn_hdr && strncasecmp(conn_hdr + strspn(conn_hdr, " "), "close", 5) == 0;
    const char *te = header(c->in, head_len, "Transfer-Encoding");
    if (te && strstr(te, "chunked") && strstr(te, "chunked") < end) {
        size_t body = chunked_length(c->in + head_len, c->in_len - head_len);
        return body ? head_len + body : 0;
    }
    const char *cl = header(c->in, head_len, "Content-Length");
    size_t body = cl ? strtoul(cl, NULL, 10) : 0;
    return c->in_len >= head_len + body ? head_len + body : 0;
}

/* Read what is there; on a whole answer, record it and free the connection. */
static void conn_receive(struct conn *c, struct stats *st, int ep)
{
    for (;;) {
        if (c->in_cap - c->in_len < RECV_CHUNK) {
            c->in_cap = c->in_cap * 2 + RECV_CHUNK;
            c->in = realloc(c->in, c->in_cap);
            if (!c->in)
                die("realloc");
        }
        ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n <= 0) {
            conn_reset(c, ep, st);
            return;
        }
        if (c->in_len == 0)
            c->first_at = now_s();
        c->in_len += (size_t)n;
    }
    int status;
    bool closing;
    if (!c->busy || !complete_answer(c, &status, &closing))
        return;
    double done = now_s();
    add_latency(st, (done - c->due) * 1000.0);
    if (trace) /* ms since the start: due, sent, first byte, done; connection; status */
        fprintf(trace, "%.3f %.3f %.3f %.3f %d %d\n", (c->due - start_time) * 1e3,
                (c->sent_at - start_time) * 1e3, (c->first_at - start_time) * 1e3,
                (done - start_time) * 1e3, c->index, status);
    st->status[status >= 100 && status < 600 ? status / 100 : 0]++;
    c->busy = false;
    c->in_len = 0;
    if (closing)
        conn_reset(c, ep, st);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const struct stats *st, double p)
{
    if (st->n == 0)
        return 0;
    size_t i = (size_t)ceil(p / 100.0 * (double)st->n);
    return st->lat_ms[i ? i - 1 : 0];
}

/* Start due requests on idle connections; returns seconds to the next due time. */
static double dispatch(struct conn *cs, const struct options *o, double t, double end, double interval,
                       struct stats *st, int ep)
{
    double wait = 0.05;
    for (int i = 0; i < o->conns; i++) {
        struct conn *c = &cs[i];
        if (o->rate <= 0) { /* closed loop */
            if (!c->busy && t < end)
                start_request(c, t, st, ep);
            continue;
        }
        if (!c->busy && c->next_due <= t && c->next_due < end) {
            start_request(c, c->next_due, st, ep);
            c->next_due += interval;
        }
        if (!c->busy && c->next_due < end && c->next_due - t < wait)
            wait = c->next_due - t;
    }
    return wait;
}

/* Requests due within the run that were never answered (or never sent). */
static long unanswered(const struct conn *cs, const struct options *o, double end, double interval)
{
    long n = 0;
    for (int i = 0; i < o->conns; i++) {
        n += cs[i].busy;
        if (o->rate > 0 && cs[i].next_due < end)
            n += (long)ceil((end - cs[i].next_due) / interval);
    }
    return n;
}

static void report(struct stats *st, const struct options *o, double elapsed)
{
    qsort(st->lat_ms, st->n, sizeof *st->lat_ms, by_value);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec / 1e6;
    printf("{\"mode\": \"%s\", \"target_per_second\": %.0f, \"connections\": %d, \"requests\": %zu, "
           "\"seconds\": %.1f, \"per_second\": %.0f, \"p50_ms\": %.1f, \"p90_ms\": %.1f, "
           "\"p99_ms\": %.1f, \"max_ms\": %.1f, \"2xx\": %ld, \"4xx\": %ld, \"5xx\": %ld, "
           "\"errors\": %ld, \"timeouts\": %ld, \"load_cpu_s\": %.2f}\n",
           o->rate > 0 ? "open" : "closed", o->rate, o->conns, st->n, elapsed,
           (double)st->n / elapsed, percentile(st, 50), percentile(st, 90), percentile(st, 99),
           st->n ? st->lat_ms[st->n - 1] : 0, st->status[2], st->status[4], st->status[5],
           st->errors + st->status[0] + st->status[1] + st->status[3], st->timeouts, cpu);
}

static void usage(void)
{
    fprintf(stderr, "usage: load [-c CONNS] [-d SECONDS] [-r RATE] [-o TRACE] -t TOKEN -b BODIES URL\n");
    exit(2);
}

static struct options parse_options(int argc, char **argv)
{
    struct options o = {.conns = 200, .seconds = 30};
    int opt;
    while ((opt = getopt(argc, argv, "c:d:r:t:b:o:")) != -1) {
        switch (opt) {
        case 'c': o.conns = atoi(optarg); break;
        case 'd': o.seconds = atof(optarg); break;
        case 'r': o.rate = atof(optarg); break;
        case 't': o.token = optarg; break;
        case 'b': o.bodies = optarg; break;
        case 'o': o.trace = optarg; break;
        default: usage();
        }
    }
    if (optind != argc - 1 || !o.token || !o.bodies || o.conns < 1 || o.seconds <= 0)
        usage();
    o.url = argv[optind];
    return o;
}

int main(int argc, char **argv)
{
    struct options o = parse_options(argc, argv);
    load_requests(&o, parse_url(o.url));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct conn *cs = calloc((size_t)o.conns, sizeof *cs);
    if (ep < 0 || !cs)
        die("setup");
    double interval = o.rate > 0 ? o.conns / o.rate : 0; /* per connection */
    if (o.trace && !(trace = fopen(o.trace, "w")))
        die(o.trace);
    double start = start_time = now_s(), end = start + o.seconds, last_answer = start;
    for (int i = 0; i < o.conns; i++) {
        cs[i].index = i;
        cs[i].next_due = start + interval * i / o.conns;
        conn_open(&cs[i], ep);
    }
    struct stats st = {0};
    struct epoll_event evs[256];
    for (;;) {
        double t = now_s();
        double wait = dispatch(cs, &o, t, end, interval, &st, ep);
        if (t >= end && unanswered(cs, &o, end, interval) == 0)
            break;
        if (t >= end + GRACE_S) {
            st.timeouts = unanswered(cs, &o, end, interval);
            break;
        }
        int n = epoll_wait(ep, evs, 256, (int)ceil(wait * 1000));
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
                conn_reset(c, ep, &st);
                continue;
            }
            if ((evs[i].events & EPOLLOUT) && c->busy)
                conn_send(c, &st, ep);
            if (evs[i].events & EPOLLIN) {
                size_t before = st.n;
                conn_receive(c, &st, ep);
                if (st.n != before)
                    last_answer = now_s();
            }
        }
    }
    report(&st, &o, (last_answer > end ? last_answer : end) - start);
    if (trace)
        fclose(trace);
    return 0;
}
