/*
 * mock-broker: a Kafka-protocol broker for tests, built on librdkafka's mock
 * cluster (rdkafka_mock.h, librdkafka >= 2.0.2). The brokers speak the real
 * wire protocol over TCP on 127.0.0.1; their state lives in memory.
 *
 * Usage: mock-broker [BROKERS [DEFAULT_PARTITIONS]]
 *   BROKERS             number of brokers, 1..32 (default 1); ids are 1..BROKERS
 *   DEFAULT_PARTITIONS  partition count of auto-created topics. librdkafka
 *                       2.0.2 has no API to change it (fixed at 4), so only 4
 *                       is accepted; create topics explicitly with `topic`.
 *
 * On start it prints exactly one line to stdout and flushes it:
 *   bootstrap.servers=127.0.0.1:PORT[,127.0.0.1:PORT...]
 * Then it reads one command per line on stdin and answers each with exactly
 * one line, `ok` or `error <text>` (blank lines are ignored, no answer):
 *   ping                          liveness check
 *   down | up                     all brokers down (connections closed and
 *                                 refused) / up again
 *   down N | up N                 one broker (id 1..BROKERS)
 *   topic NAME PARTITIONS         create a topic (replication min(3,BROKERS))
 *   rtt MS | rtt N MS             add MS ms round-trip delay, all / broker N
 *   errors APIKEY CODE [CODE...]  the next requests of protocol type APIKEY
 *                                 (e.g. 0 = Produce) fail with these Kafka
 *                                 error codes, one per request, in order
 *                                 (-195 = disconnect the client)
 *   clear-errors APIKEY           drop pending `errors` for APIKEY
 *   leader TOPIC PARTITION N      move partition leadership to broker N
 *                                 (-1 = leaderless)
 *   quit                          answer `ok`, then exit
 * It exits cleanly (status 0) on `quit`, stdin EOF (the spawning process has
 * gone), SIGTERM, SIGINT or SIGHUP; on Linux it also asks the kernel for
 * SIGTERM when its parent dies.
 *
 * Build: gcc -O2 -Wall -o mock-broker mock-broker.c -lrdkafka
 * Diagnostics go to stderr; MOCK_BROKER_DEBUG=1 turns on librdkafka's mock
 * debug log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_BROKERS 32
#define LINE_MAX_LEN 4096
#define MOCK_DEFAULT_PARTITIONS 4 /* hard-wired in librdkafka 2.0.2 */

static int signal_pipe[2] = {-1, -1};
static rd_kafka_mock_cluster_t *mcluster;
static int broker_cnt = 1;

static void on_signal(int sig) {
        int saved = errno;
        unsigned char c = (unsigned char)sig;
        ssize_t r = write(signal_pipe[1], &c, 1);
        (void)r;
        errno = saved;
}

/* Writes one answer line; returns -1 when stdout is gone. */
static int reply(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
        return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}

/* Parses a whole base-10 integer in [min, max]. */
static int parse_int(const char *s, long min, long max, long *out) {
        char *end;
        long v;
        if (!s || !*s)
                return -1;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return -1;
        *out = v;
        return 0;
}

static int reply_err(rd_kafka_resp_err_t err) {
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
                return reply("ok");
        return reply("error %s (%s)", rd_kafka_err2str(err),
                     rd_kafka_err2name(err));
}

/* down / up for all brokers (arg NULL) or one. Loops over the ids rather
 * than passing -1, which not every librdkafka 2.0.x accepts. */
static int cmd_updown(int up, const char *arg, const char *extra) {
        long id;
        int i;
        if (extra)
                return reply("error usage: %s [BROKER_ID]", up ? "up" : "down");
        if (arg) {
                if (parse_int(arg, 1, broker_cnt, &id))
                        return reply("error broker id must be 1..%d",
                                     broker_cnt);
                return reply_err(up ? rd_kafka_mock_broker_set_up(mcluster,
                                                                  (int32_t)id)
                                    : rd_kafka_mock_broker_set_down(
                                          mcluster, (int32_t)id));
        }
        for (i = 1; i <= broker_cnt; i++) {
                rd_kafka_resp_err_t err =
                    up ? rd_kafka_mock_broker_set_up(mcluster, i)
                       : rd_kafka_mock_broker_set_down(mcluster, i);
                if (err)
                        return reply_err(err);
        }
        return reply("ok");
}

/* Handles one command line; returns 1 to quit, -1 if stdout is gone. */
static int handle_line(char *line) {
        char *argv[40];
        int argc = 0;
        char *save = NULL, *tok;
        long a, b;

        for (tok = strtok_r(line, " \t\r", &save);
             tok && argc < (int)(sizeof(argv) / sizeof(argv[0]));
             tok = strtok_r(NULL, " \t\r", &save))
                argv[argc++] = tok;
        if (argc == 0)
                return 0; /* blank line: no answer */
        if (tok)
                return reply("error too many arguments");

#define ARG(i) ((i) < argc ? argv[i] : NULL)

        if (!strcmp(argv[0], "ping")) {
                return reply("ok");

        } else if (!strcmp(argv[0], "quit")) {
                reply("ok");
                return 1;

        } else if (!strcmp(argv[0], "down") || !strcmp(argv[0], "up")) {
                return cmd_updown(argv[0][0] == 'u', ARG(1), ARG(2));

        } else if (!strcmp(argv[0], "topic")) {
                if (argc != 3 || parse_int(argv[2], 1, 100000, &a))
                        return reply("error usage: topic NAME PARTITIONS "
                                     "(PARTITIONS >= 1)");
                return reply_err(rd_kafka_mock_topic_create(
                    mcluster, argv[1], (int)a,
                    broker_cnt < 3 ? broker_cnt : 3));

        } else if (!strcmp(argv[0], "rtt")) {
                if (argc == 2 && !parse_int(argv[1], 0, INT_MAX, &a)) {
                        int i;
                        for (i = 1; i <= broker_cnt; i++) {
                                rd_kafka_resp_err_t err =
                                    rd_kafka_mock_broker_set_rtt(mcluster, i,
                                                                 (int)a);
                                if (err)
                                        return reply_err(err);
                        }
                        return reply("ok");
                }
                if (argc == 3 && !parse_int(argv[1], 1, broker_cnt, &b) &&
                    !parse_int(argv[2], 0, INT_MAX, &a))
                        return reply_err(rd_kafka_mock_broker_set_rtt(
                            mcluster, (int32_t)b, (int)a));
                return reply("error usage: rtt [BROKER_ID] MS");

        } else if (!strcmp(argv[0], "errors")) {
                rd_kafka_resp_err_t errs[38];
                int i;
                if (argc < 3 || parse_int(argv[1], 0, 32767, &a))
                        return reply("error usage: errors APIKEY CODE "
                                     "[CODE...]");
                for (i = 2; i < argc; i++) {
                        if (parse_int(argv[i], -200, 32767, &b))
                                return reply("error bad error code '%s'",
                                             argv[i]);
                        errs[i - 2] = (rd_kafka_resp_err_t)b;
                }
                rd_kafka_mock_push_request_errors_array(
                    mcluster, (int16_t)a, (size_t)(argc - 2), errs);
                return reply("ok");

        } else if (!strcmp(argv[0], "clear-errors")) {
                if (argc != 2 || parse_int(argv[1], 0, 32767, &a))
                        return reply("error usage: clear-errors APIKEY");
                rd_kafka_mock_clear_request_errors(mcluster, (int16_t)a);
                return reply("ok");

        } else if (!strcmp(argv[0], "leader")) {
                if (argc != 4 || parse_int(argv[2], 0, INT32_MAX, &a) ||
                    parse_int(argv[3], -1, broker_cnt, &b) || b == 0)
                        return reply("error usage: leader TOPIC PARTITION "
                                     "BROKER_ID (-1 = none)");
                return reply_err(rd_kafka_mock_partition_set_leader(
                    mcluster, argv[1], (int32_t)a, (int32_t)b));
        }
#undef ARG
        return reply("error unknown command '%s'", argv[0]);
}

int main(int argc, char **argv) {
        char errstr[512];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        struct sigaction sa;
        char buf[LINE_MAX_LEN];
        size_t used = 0;
        int done = 0, status = 0;
        long v;

        if (argc > 3 || (argc >= 2 && parse_int(argv[1], 1, MAX_BROKERS, &v))) {
                fprintf(stderr,
                        "usage: %s [BROKERS (1..%d) [DEFAULT_PARTITIONS]]\n",
                        argv[0], MAX_BROKERS);
                return 2;
        }
        if (argc >= 2)
                broker_cnt = (int)v;
        if (argc == 3 && (parse_int(argv[2], 1, 100000, &v) ||
                          v != MOCK_DEFAULT_PARTITIONS)) {
                fprintf(stderr,
                        "mock-broker: librdkafka %s cannot change the "
                        "partition count of auto-created topics (fixed at "
                        "%d); create topics with the `topic NAME PARTITIONS` "
                        "command instead\n",
                        rd_kafka_version_str(), MOCK_DEFAULT_PARTITIONS);
                return 2;
        }

#ifdef __linux__
        /* Never outlive the spawning process, even if stdin stays open. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1)
                return 0;
#endif

        if (pipe(signal_pipe) == -1) {
                perror("mock-broker: pipe");
                return 1;
        }
        fcntl(signal_pipe[0], F_SETFD, FD_CLOEXEC);
        fcntl(signal_pipe[1], F_SETFD, FD_CLOEXEC);
        fcntl(signal_pipe[1], F_SETFL, O_NONBLOCK);
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        signal(SIGPIPE, SIG_IGN); /* a closed stdout shows up as EPIPE */

        /* The mock cluster needs an rd_kafka_t for its bookkeeping; it is
         * never used as a client. librdkafka blocks signals in its own
         * threads, so the handlers above run on this thread. */
        conf = rd_kafka_conf_new();
        /* Hide the notice about the (unused) client having no
         * bootstrap.servers. */
        rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr));
        if (getenv("MOCK_BROKER_DEBUG") &&
            rd_kafka_conf_set(conf, "debug", "mock", errstr, sizeof(errstr)))
                fprintf(stderr, "mock-broker: %s\n", errstr);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "mock-broker: rd_kafka_new: %s\n", errstr);
                return 1;
        }
        mcluster = rd_kafka_mock_cluster_new(rk, broker_cnt);
        if (!mcluster) {
                fprintf(stderr, "mock-broker: cannot create mock cluster\n");
                rd_kafka_destroy(rk);
                return 1;
        }

        if (reply("bootstrap.servers=%s",
                  rd_kafka_mock_cluster_bootstraps(mcluster)))
                done = 1;

        while (!done) {
                struct pollfd pfd[2] = {{STDIN_FILENO, POLLIN, 0},
                                        {signal_pipe[0], POLLIN, 0}};
                ssize_t n;
                char *nl;

                if (poll(pfd, 2, -1) == -1) {
                        if (errno == EINTR)
                                continue;
                        perror("mock-broker: poll");
                        status = 1;
                        break;
                }
                if (pfd[1].revents)
                        break; /* SIGTERM & co. */
                if (!pfd[0].revents)
                        continue;

                n = read(STDIN_FILENO, buf + used, sizeof(buf) - 1 - used);
                if (n == -1 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n <= 0)
                        break; /* EOF or error: our parent is gone */
                used += (size_t)n;

                /* Handle every complete line in the buffer. */
                while (!done && (nl = memchr(buf, '\n', used))) {
                        size_t len = (size_t)(nl - buf) + 1;
                        int r;
                        *nl = '\0';
                        r = handle_line(buf);
                        if (r != 0)
                                done = 1;
                        memmove(buf, buf + len, used - len);
                        used -= len;
                }
                if (!done && used == sizeof(buf) - 1) {
                        used = 0; /* discard an over-long line */
                        if (reply("error line too long"))
                                done = 1;
                }
        }

        /* No rd_kafka_mock_cluster_destroy(): in 2.0.2 it can take a full
         * second (the mock thread's poll timeout), and exiting closes every
         * listener and connection just as well. The cluster lives in this
         * process's memory only, so there is nothing else to clean up. */
        fflush(stdout);
        fflush(stderr);
        (void)rk;
        _exit(status);
}
