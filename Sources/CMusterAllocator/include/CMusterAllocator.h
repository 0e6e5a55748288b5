#ifndef C_MUSTER_ALLOCATOR_H
#define C_MUSTER_ALLOCATOR_H

/// Sets glibc malloc's trim and mmap thresholds (mallopt M_TRIM_THRESHOLD, M_MMAP_THRESHOLD).
/// Returns 1 when both were set, 0 when either was refused or the C library is not glibc.
int muster_allocator_set_thresholds(int trim_threshold, int mmap_threshold);

#endif
