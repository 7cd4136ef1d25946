/* skintrack — atomic output files.
 *
 * An st_output writes to a temporary file created beside the destination
 * (same folder, so rename() is atomic) and only st_output_commit() renames it
 * into place after flushing and syncing it. A failed or abandoned output
 * removes its temporary file and leaves any previous file at the destination
 * untouched. The path "-" means standard output (written directly).
 */
#ifndef SKINTRACK_OUTPUT_H
#define SKINTRACK_OUTPUT_H

#include <stdio.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_output st_output;

/* Opens an atomic output for path. *out is NULL on failure. */
st_status st_output_open(st_output **out, const char *path, st_error *err);

/* The stream to write to; valid until commit or abort. */
FILE *st_output_stream(st_output *o);

/* The errno of the first failed write to the file (ENOSPC, EIO, ...), or 0.
 * An encoder writing through the stream learns only that a write failed;
 * this says why. */
int st_output_errno(const st_output *o);

/* Flushes the stream and fsyncs the temporary file without committing, so
 * that a caller with several outputs learns of a full disk or an I/O error
 * before it renames any of them into place. A failure is remembered: a
 * later commit fails with the same cause. */
st_status st_output_sync(st_output *o, st_error *err);

/* Path of the temporary file ("" for standard output). Valid until commit
 * or abort; a signal handler may unlink() it. */
const char *st_output_temp_path(const st_output *o);

/* Flushes, syncs, closes and renames the temporary file over the
 * destination, then frees o. Any write error seen on the stream since
 * opening (disk full, I/O error) makes this fail, remove the temporary file
 * and leave the destination as it was. o is freed in every case. */
st_status st_output_commit(st_output *o, st_error *err);

/* Closes and removes the temporary file and frees o. NULL is accepted. */
void st_output_abort(st_output *o);

#ifdef __cplusplus
}
#endif
#endif
