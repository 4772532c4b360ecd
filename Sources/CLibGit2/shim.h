#ifndef PLUMB_CLIBGIT2_SHIM_H
#define PLUMB_CLIBGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/stream.h>

/// Plumb's socket stream (registered as libgit2's standard stream, see GitSocketStream.swift).
/// Its first four fields have the layout of libgit2 1.5's own `git_socket_stream`, because
/// the SSH transport reads the socket from that position; `transfer` is Plumb's own.
typedef struct plumb_socket_stream {
    git_stream parent;
    char *host;
    char *port;
    int s;
    void *transfer;
} plumb_socket_stream;
#endif
