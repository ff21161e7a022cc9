/*
 * stdin, stdout and stderr for picolibc's tinystdio, over read/write.
 *
 * tinystdio leaves the standard streams to the application.  Each one here
 * is a tinystdio FILE followed by a buffer: stdout and stderr are line
 * buffered (flushed at '\n', when full, by fflush and at exit), stdin reads
 * a buffer's worth per read call.
 */
#include <stdio.h>
#include <unistd.h>
#include "internal.h"

#define STREAM_BUFFER_SIZE 1024

struct fd_stream {
    FILE file;           /* must stay first: tinystdio passes &file around */
    int fd;
    unsigned length;     /* bytes held in buffer */
    unsigned position;   /* next byte to hand out (input streams) */
    char buffer[STREAM_BUFFER_SIZE];
};

static int write_out(struct fd_stream *s)
{
    unsigned done = 0;
    while (done < s->length) {
        ssize_t n = write(s->fd, s->buffer + done, s->length - done);
        if (n <= 0) {
            s->length = 0;
            return _FDEV_ERR;
        }
        done += (unsigned)n;
    }
    s->length = 0;
    return 0;
}

static int stream_flush(FILE *file)
{
    return write_out((struct fd_stream *)file);
}

static int stream_put(char c, FILE *file)
{
    struct fd_stream *s = (struct fd_stream *)file;
    s->buffer[s->length++] = c;
    if (c == '\n' || s->length == STREAM_BUFFER_SIZE)
        if (write_out(s) < 0)
            return _FDEV_ERR;
    return (unsigned char)c;
}

static int stream_get(FILE *file)
{
    struct fd_stream *s = (struct fd_stream *)file;
    if (s->position == s->length) {
        ssize_t n = read(s->fd, s->buffer, STREAM_BUFFER_SIZE);
        if (n < 0)
            return _FDEV_ERR;
        if (n == 0)
            return _FDEV_EOF;
        s->length = (unsigned)n;
        s->position = 0;
    }
    return (unsigned char)s->buffer[s->position++];
}

static struct fd_stream stdin_stream = {
    .file = FDEV_SETUP_STREAM(NULL, stream_get, NULL, _FDEV_SETUP_READ),
    .fd = 0,
};
static struct fd_stream stdout_stream = {
    .file = FDEV_SETUP_STREAM(stream_put, NULL, stream_flush, _FDEV_SETUP_WRITE),
    .fd = 1,
};
static struct fd_stream stderr_stream = {
    .file = FDEV_SETUP_STREAM(stream_put, NULL, stream_flush, _FDEV_SETUP_WRITE),
    .fd = 2,
};

FILE *const stdin = &stdin_stream.file;
FILE *const stdout = &stdout_stream.file;
FILE *const stderr = &stderr_stream.file;

void __uniform_stdio_flush(void)
{
    write_out(&stdout_stream);
    write_out(&stderr_stream);
}
