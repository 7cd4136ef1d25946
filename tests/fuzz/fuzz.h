/* skintrack fuzzing — what every harness defines.
 *
 * A harness is a libFuzzer entry point. Built with clang's
 * -fsanitize=fuzzer (make fuzz) libFuzzer drives it; built with replay.c
 * (make test, make check-asan) it runs once on each file it is given, so
 * the regression and seed corpora are replayed by the test suite, under the
 * sanitizers in check-asan. A harness reports a broken invariant with
 * fuzz_fail(), which aborts: both drivers count that as a crash.
 */
#ifndef SKINTRACK_FUZZ_H
#define SKINTRACK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Defined (as 1) by a harness that prints by design; see replay.c. */
extern const int fuzz_quiet;

/* Where fuzz_fail() writes: replay.c sends the harness's chatter to
 * /dev/null and sets this to the real stderr; under libFuzzer it is absent
 * and stderr is used. */
extern int fuzz_report_fd __attribute__((weak));

/* Aborts with a message: an invariant the harness checks does not hold. */
#define fuzz_fail(...)                                                         \
    do {                                                                       \
        int fd_ = &fuzz_report_fd ? fuzz_report_fd : 2;                        \
        dprintf(fd_, "fuzz: invariant broken at %s:%d: ", __FILE__, __LINE__); \
        dprintf(fd_, __VA_ARGS__);                                             \
        dprintf(fd_, "\n");                                                    \
        abort();                                                               \
    } while (0)

#endif
