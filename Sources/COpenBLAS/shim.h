// OpenBLAS's CBLAS interface (Debian: libopenblas-dev, cblas.h under the openblas-pthread include
// directory that pkg-config's --cflags names).
#include <cblas.h>
