#ifndef PLUMB_CLIBGIT2_SHIM_H
#define PLUMB_CLIBGIT2_SHIM_H
#include <git2.h>
#endif
