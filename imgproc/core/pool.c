/* skintrack — a minimal thread pool for independent tasks.
 *
 *   st_pool_run   fn(ctx, i) for i in [0, n) on up to `jobs` threads
 *
 * Workers take the next task index under a mutex, so tasks start in index
 * order and each is done exactly once; the results go wherever fn puts
 * them (by index), so the outcome does not depend on the thread count.
 * The calling thread works too, so jobs threads run in all.
 */
#include <pthread.h>

#include "core/core_internal.h"

typedef struct pool {
    pthread_mutex_t lock;
    size_t next, n;
    void (*fn)(void *ctx, size_t i);
    void *ctx;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        size_t i;
        pthread_mutex_lock(&p->lock);
        i = p->next < p->n ? p->next++ : p->n;
        pthread_mutex_unlock(&p->lock);
        if (i == p->n)
            return NULL;
        p->fn(p->ctx, i);
    }
}

enum { MAX_THREADS = 256 };

void st_pool_run(int jobs, size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
    pool p = {.next = 0, .n = n, .fn = fn, .ctx = ctx};
    pthread_t threads[MAX_THREADS];
    int started = 0;

    if (jobs > MAX_THREADS)
        jobs = MAX_THREADS;
    if ((size_t)jobs > n)
        jobs = (int)n;
    pthread_mutex_init(&p.lock, NULL);
    while (started < jobs - 1 &&
           pthread_create(&threads[started], NULL, worker, &p) == 0)
        started++;
    worker(&p);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&p.lock);
}
