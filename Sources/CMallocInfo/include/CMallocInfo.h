#ifndef CMALLOCINFO_H
#define CMALLOCINFO_H
#include <stddef.h>
/// Bytes glibc's allocator has handed out and not taken back (mallinfo2: uordblks + hblkhd),
/// or 0 where mallinfo2 is not available. Used by the benchmark only.
size_t spanview_heap_in_use(void);
#endif
