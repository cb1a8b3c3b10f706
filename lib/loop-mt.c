// SPDX-License-Identifier: LGPL-2.1-or-later
/* The multi-threaded session loop: a worker pool sized by demand
 *
 * One worker to start with.  A worker that takes a request while no other
 * worker is waiting for the next one starts another, up to max_threads, so
 * threads exist only when requests actually overlap (this machine class has
 * two cores).  A worker counts as waiting again from the moment it writes
 * its reply: the caller's next request, which that reply lets go, must not
 * look like an overlap.  Every extra idle reader costs, as the kernel hands
 * a request to the reader that has waited longest: the worker that has just
 * replied then sleeps instead of finding the next request queued.  A worker that finds more than max_idle_threads idle workers
 * after a request exits.  With clone_fd each worker reads its own clone of
 * the /dev/fuse fd (FUSE_DEV_IOC_CLONE) and replies on it.  The calling
 * thread only waits for the end.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "fuse_lowlevel.h"
#include "fuse_i.h"
#include "symver.h"

/* Marks a config made by fuse_loop_cfg_create(): the 3.2-era public struct
 * (now fuse_loop_config_v1) had clone_fd, 0 or 1, at this offset. */
#define LOOP_CFG_V2 0x4c4f4f50
#define DEFAULT_MAX_THREADS 10

struct fuse_loop_config {
        int version_id;
        int clone_fd;
        int max_idle_threads;   /* -1: idle workers never exit */
        unsigned max_threads;
};

struct mt_worker {
        struct mt_worker *prev, *next;
        pthread_t thread;
        struct fuse_buf buf;
        struct fuse_chan *ch;
        struct mt_loop *mt;
        bool freed;     /* counted as available again for this request */
};

struct mt_loop {
        struct fuse_session *se;
        pthread_mutex_t lock;
        struct mt_worker main;  /* list head */
        int numworker;
        int numavail;
        int error;
        int clone_fd;
        int max_idle;
        int max_threads;
        bool exit;
        sem_t finish;
};

static void worker_unlink(struct mt_worker *w)
{
        w->prev->next = w->next;
        w->next->prev = w->prev;
}

static void worker_free(struct mt_worker *w)
{
        if (w->ch)
                fuse_chan_put(w->ch);
        free(w->buf.mem);
        free(w);
}

static int start_worker(struct mt_loop *mt);

/* Is the request in @buf a FORGET?  Those need no reply and come in bursts;
 * they must not make the pool grow. */
static bool is_forget(const struct fuse_buf *buf)
{
        const struct fuse_in_header *in = buf->mem;

        if ((buf->flags & FUSE_BUF_IS_FD) || !in || buf->size < sizeof(*in))
                return false;
        return in->opcode == FUSE_FORGET || in->opcode == FUSE_BATCH_FORGET;
}

/* fuse_ll_before_reply: the worker's reply is about to go out.  From here
 * on it only cleans up, so it counts as available: the request the reply
 * unblocks must not make the pool grow (libfuse counts a worker busy with a
 * FORGET as available too). */
static void worker_replied(void *arg)
{
        struct mt_worker *w = arg;

        pthread_mutex_lock(&w->mt->lock);
        w->mt->numavail++;
        w->freed = true;
        pthread_mutex_unlock(&w->mt->lock);
}

static void *worker_main(void *arg)
{
        struct mt_worker *w = arg;
        struct mt_loop *mt = w->mt;
        struct fuse_session *se = mt->se;

        while (!fuse_session_exited(se)) {
                /* Cancellation (at the end of the loop) only while waiting
                 * for a request, never while one is being handled. */
                pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
                int r = fuse_session_receive_buf_ch(se, &w->buf, w->ch);
                pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
                if (r == -EINTR || r == -EAGAIN)
                        continue;
                if (r <= 0) {
                        /* Unmounted, aborted or broken: the whole loop ends,
                         * not just this worker. */
                        if (r < 0 && r != -ENODEV)
                                mt->error = r;
                        fuse_session_exit(se);
                        break;
                }

                pthread_mutex_lock(&mt->lock);
                if (mt->exit) {
                        pthread_mutex_unlock(&mt->lock);
                        return NULL;
                }
                bool forget = is_forget(&w->buf);
                if (!forget)
                        mt->numavail--;
                /* Nobody left waiting: the next request would queue behind
                 * this one. */
                if (mt->numavail == 0 && mt->numworker < mt->max_threads)
                        (void)start_worker(mt);
                pthread_mutex_unlock(&mt->lock);

                w->freed = forget;
                if (!forget) {
                        fuse_ll_before_reply_arg = w;
                        fuse_ll_before_reply = worker_replied;
                }
                fuse_session_process_buf_ch(se, &w->buf, w->ch);
                fuse_ll_before_reply = NULL;

                pthread_mutex_lock(&mt->lock);
                if (!w->freed)
                        mt->numavail++;
                if (mt->max_idle >= 0 && mt->numavail > mt->max_idle && mt->numworker > 1) {
                        if (mt->exit) {
                                pthread_mutex_unlock(&mt->lock);
                                return NULL;
                        }
                        worker_unlink(w);
                        mt->numworker--;
                        mt->numavail--;
                        pthread_mutex_unlock(&mt->lock);

                        pthread_detach(w->thread);
                        worker_free(w);
                        return NULL;
                }
                pthread_mutex_unlock(&mt->lock);
        }

        /* Wake the waiting caller; it cancels and reaps the rest. */
        sem_post(&mt->finish);
        return NULL;
}

/* A clone of the session's /dev/fuse fd, as a channel: the kernel sends
 * the replies' matching requests to whichever clone read them. */
static struct fuse_chan *clone_chan(struct fuse_session *se)
{
        int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        uint32_t master = (uint32_t)se->fd;
        if (ioctl(fd, FUSE_DEV_IOC_CLONE, &master) < 0) {
                close(fd);
                return NULL;
        }
        struct fuse_chan *ch = fuse_chan_new(fd);
        if (!ch)
                close(fd);
        return ch;
}

/* Called with mt->lock held (or before any worker runs). */
static int start_worker(struct mt_loop *mt)
{
        struct mt_worker *w = calloc(1, sizeof(*w));
        sigset_t stop, old;
        int r;

        if (!w)
                return -ENOMEM;
        w->mt = mt;
        if (mt->clone_fd) {
                /* Falls back to the session's fd when cloning fails. */
                w->ch = clone_chan(mt->se);
        }

        /* The signals that stop the filesystem go to the caller's thread,
         * which waits for them; others (e.g. -o intr's) must still reach
         * the worker handling a request. */
        sigemptyset(&stop);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGTERM);
        sigaddset(&stop, SIGHUP);
        sigaddset(&stop, SIGQUIT);
        pthread_sigmask(SIG_BLOCK, &stop, &old);
        r = -pthread_create(&w->thread, NULL, worker_main, w);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                fuse_log(FUSE_LOG_ERR, "fuse: cannot start a worker thread: %s\n", strerror(-r));
                worker_free(w);
                return r;
        }
        w->next = mt->main.next;
        w->prev = &mt->main;
        w->next->prev = w;
        mt->main.next = w;
        mt->numworker++;
        mt->numavail++;
        return 0;
}

static int loop_cfg_verify(const struct fuse_loop_config *c)
{
        return c->version_id == LOOP_CFG_V2 ? 0 : -EINVAL;
}

int fuse_session_loop_mt_312(struct fuse_session *se, struct fuse_loop_config *config);
FUSE_SYMVER(fuse_session_loop_mt_312, "fuse_session_loop_mt@@FUSE_3.12");
int fuse_session_loop_mt_312(struct fuse_session *se, struct fuse_loop_config *config)
{
        struct mt_loop mt = { .se = se };
        int r;

        if (config && loop_cfg_verify(config) < 0) {
                fuse_log(FUSE_LOG_ERR, "fuse: invalid loop configuration\n");
                return -EINVAL;
        }
        mt.clone_fd = config ? config->clone_fd : 0;
        mt.max_idle = config ? config->max_idle_threads : -1;
        mt.max_threads = config && config->max_threads ?
                (config->max_threads > INT_MAX ? INT_MAX : (int)config->max_threads) :
                DEFAULT_MAX_THREADS;
        mt.main.next = mt.main.prev = &mt.main;
        pthread_mutex_init(&mt.lock, NULL);
        sem_init(&mt.finish, 0, 0);

        pthread_mutex_lock(&mt.lock);
        r = start_worker(&mt);
        pthread_mutex_unlock(&mt.lock);
        if (r == 0) {
                /* Also woken by a signal (EINTR) that made the session exit. */
                while (!fuse_session_exited(se))
                        sem_wait(&mt.finish);

                pthread_mutex_lock(&mt.lock);
                for (struct mt_worker *w = mt.main.next; w != &mt.main; w = w->next)
                        pthread_cancel(w->thread);
                mt.exit = true;
                pthread_mutex_unlock(&mt.lock);

                while (mt.main.next != &mt.main) {
                        struct mt_worker *w = mt.main.next;
                        pthread_join(w->thread, NULL);
                        worker_unlink(w);
                        worker_free(w);
                }
                r = mt.error;
        }

        pthread_mutex_destroy(&mt.lock);
        sem_destroy(&mt.finish);
        if (se->error != 0)
                r = se->error;
        fuse_session_reset(se);
        return r;
}

int fuse_session_loop_mt_32(struct fuse_session *se, struct fuse_loop_config_v1 *config_v1);
FUSE_SYMVER(fuse_session_loop_mt_32, "fuse_session_loop_mt@FUSE_3.2");
int fuse_session_loop_mt_32(struct fuse_session *se, struct fuse_loop_config_v1 *config_v1)
{
        struct fuse_loop_config *config = NULL;

        if (config_v1) {
                config = fuse_loop_cfg_create();
                if (!config)
                        return -ENOMEM;
                fuse_loop_cfg_convert(config, config_v1);
        }
        int r = fuse_session_loop_mt_312(se, config);
        fuse_loop_cfg_destroy(config);
        return r;
}

int fuse_session_loop_mt_31(struct fuse_session *se, int clone_fd);
FUSE_SYMVER(fuse_session_loop_mt_31, "fuse_session_loop_mt@FUSE_3.0");
int fuse_session_loop_mt_31(struct fuse_session *se, int clone_fd)
{
        struct fuse_loop_config *config = fuse_loop_cfg_create();

        if (!config)
                return -ENOMEM;
        fuse_loop_cfg_set_clone_fd(config, clone_fd > 0);
        int r = fuse_session_loop_mt_312(se, config);
        fuse_loop_cfg_destroy(config);
        return r;
}

struct fuse_loop_config *fuse_loop_cfg_create(void)
{
        struct fuse_loop_config *c = calloc(1, sizeof(*c));

        if (!c)
                return NULL;
        c->version_id = LOOP_CFG_V2;
        c->clone_fd = 0;
        c->max_idle_threads = -1;
        c->max_threads = DEFAULT_MAX_THREADS;
        return c;
}

void fuse_loop_cfg_destroy(struct fuse_loop_config *config)
{
        free(config);
}

void fuse_loop_cfg_set_idle_threads(struct fuse_loop_config *config, unsigned int value)
{
        /* UINT_MAX (fuse_parse_cmdline's "not given") and anything beyond
         * int mean: never let idle workers go. */
        config->max_idle_threads = value > INT_MAX ? -1 : (int)value;
}

void fuse_loop_cfg_set_max_threads(struct fuse_loop_config *config, unsigned int value)
{
        config->max_threads = value;
}

void fuse_loop_cfg_set_clone_fd(struct fuse_loop_config *config, unsigned int value)
{
        config->clone_fd = value != 0;
}

void fuse_loop_cfg_convert(struct fuse_loop_config *config, struct fuse_loop_config_v1 *v1_conf)
{
        fuse_loop_cfg_set_idle_threads(config, v1_conf->max_idle_threads);
        fuse_loop_cfg_set_clone_fd(config, v1_conf->clone_fd);
}
